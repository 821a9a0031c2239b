"""Celery tasks: thin, calling a service."""

from __future__ import annotations

from celery import shared_task

from .imports import uploads_expire


@shared_task(name="consultations.expire_uploads")
def expire_uploads() -> int:
    """Daily (beat): drop the files of uploads never imported within a week."""
    return uploads_expire()
