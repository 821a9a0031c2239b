"""Whether the task queue is there to take work."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from kombu import Connection


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
