"""Whether the task queue is there to take work, and handing it work from a request."""

from __future__ import annotations

import logging
import os
from functools import partial
from pathlib import Path
from smtplib import SMTPException
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from kombu import Connection

logger = logging.getLogger(__name__)


def broker_answers() -> bool:
    """The broker answers now (Redis); for the embedded filesystem transport, which
    "connects" whatever the disk says, its folders exist and can be written."""
    options: dict[str, Any] = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folders = [Path(options[key]) for key in ("data_folder_in", "data_folder_out", "processed_folder")]
        return all(folder.is_dir() and os.access(folder, os.W_OK) for folder in folders)
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)
        return True
    except Exception:
        return False


# What an email task retries on, with growing waits: the mail server refusing or not
# answering. Each email task sends one email, so a retry never sends one twice.
EMAIL_RETRY: dict[str, Any] = {
    "autoretry_for": (SMTPException, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "max_retries": 8,
}


def queue_after_commit(task: Task, *args: Any) -> None:
    """`queue` the task once the current transaction commits (at once outside one), so
    the request that asked (a review, an invitation, a publication) neither waits for it
    nor has it done for a change that rolled back."""
    transaction.on_commit(partial(queue, task, *args))


def queue(task: Task, *args: Any) -> None:
    """Run `task(*args)` in a worker. When the broker refuses it (Redis down, the queue's
    folders gone), it runs here instead: an email is late, never lost. The one home for
    work handed from a request to the queue. With `TASKS_IN_PROCESS` (the tests' setting)
    it always runs here, so what it sends lands in Django's test outbox."""
    if settings.TASKS_IN_PROCESS:
        task.apply(args=args, throw=True)  # a failure fails the test
        return
    try:
        task.apply_async(args=args, retry=False)
    except Exception:
        logger.warning("The task queue refused %s; running it in this process", task.name, exc_info=True)
        _run_here(task, args)


def _run_here(task: Task, args: tuple[Any, ...]) -> None:
    result = task.apply(args=args)
    if result.failed():
        # What was asked is committed: it stands, and the log says what did not follow.
        # Not its arguments: an email's body may hold a link with a token.
        logger.error("%s failed in this process:\n%s", task.name, result.traceback)
