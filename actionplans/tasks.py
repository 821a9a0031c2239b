"""Celery tasks: thin, taking ids or dates and calling a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import reminders_send


@shared_task(name="actionplans.send_update_reminders")
def send_update_reminders() -> int:
    """Daily (beat): remind owners of updates due within 5 days or overdue."""
    return reminders_send(today=timezone.localdate())
