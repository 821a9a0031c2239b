"""The Celery application. Tasks are thin: they take ids and call a service."""

from __future__ import annotations

import os
import socket

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "csp_portal.settings")

app = Celery("csp_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="csp_portal.ping", ignore_result=False)
def ping() -> str:
    """Answer from the worker; used by the health check tests and operators."""
    return f"pong from {socket.gethostname()}:{os.getpid()}"
