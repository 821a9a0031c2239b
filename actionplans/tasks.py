"""Celery tasks: thin, taking ids or dates and calling a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.queue import EMAIL_RETRY

from .services import reminders_send, update_returned_email


@shared_task(name="actionplans.send_update_reminders")
def send_update_reminders() -> int:
    """Daily (beat): remind owners of updates due within 5 days or overdue."""
    return reminders_send(today=timezone.localdate())


@shared_task(name="actionplans.send_returned_email", **EMAIL_RETRY)
def send_returned_email(update_id: int) -> None:
    """Queued once a returned update is committed: email its officer why."""
    update_returned_email(update_id=update_id)
