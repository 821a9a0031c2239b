"""Celery tasks: thin, calling a service."""

from __future__ import annotations

from celery import shared_task

from .services import uploads_expire


@shared_task(name="core.expire_uploads")
def expire_uploads() -> int:
    """Daily (beat): drop the files of uploads, of every import, never imported within a week."""
    return uploads_expire()
