"""Celery tasks: thin, taking ids and calling a service."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from .services import report_compile, report_fail, reports_schedule


class CompileTask(Task):
    """When Celery gives up on a compile (a hard time limit included), the report says so."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        report_id = (args or [None])[0] or (kwargs or {}).get("report_id")
        if report_id:
            report_fail(report_id=int(report_id), error=f"{exc.__class__.__name__}: {exc}")


@shared_task(name="reports.compile_report", base=CompileTask, acks_late=True, reject_on_worker_lost=True)
def compile_report(report_id: int) -> bool:
    """Compile one report version (idempotent: safe to deliver twice)."""
    return report_compile(report_id=report_id)


@shared_task(name="reports.compile_closed_periods")
def compile_closed_periods() -> int:
    """Daily (beat): queue the report of any period whose window closed yesterday."""
    return len(reports_schedule(today=timezone.localdate()))
