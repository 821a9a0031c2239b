"""Celery tasks: thin, calling a service."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail

from .queue import EMAIL_RETRY
from .services import uploads_expire


@shared_task(name="core.expire_uploads")
def expire_uploads() -> int:
    """Daily (beat): drop the files of uploads, of every import, never imported within a week."""
    return uploads_expire()


@shared_task(name="core.send_email", **EMAIL_RETRY)
def send_email(subject: str, body: str, to: list[str]) -> None:
    """Send one email already written (a password reset's link, whose token is made in the
    request; each board member's publication email), so the page does not wait for the mail
    server, and a mail server that refuses is tried again later."""
    send_mail(subject, body, None, to)
