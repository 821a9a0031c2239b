"""Celery tasks: thin, taking ids and calling a service."""

from __future__ import annotations

from celery import shared_task

from core.queue import EMAIL_RETRY

from .services import invitation_email


@shared_task(name="priorities.send_invitation_email", **EMAIL_RETRY)
def send_invitation_email(invitation_id: int) -> None:
    """Queued once an invitation is committed: email the person invited."""
    invitation_email(invitation_id=invitation_id)
