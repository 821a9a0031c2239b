"""Celery tasks: thin, taking ids and calling a service."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from .services import (
    report_compile,
    report_fail,
    report_is_compiling,
    report_published_email,
    reports_publish_due,
    reports_schedule,
)


class CompileTask(Task):
    """When Celery gives up on a compile (a hard time limit included), the report says so."""

    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        report_id = (args or [None])[0] or (kwargs or {}).get("report_id")
        if report_id:
            report_fail(report_id=int(report_id), error=f"{exc.__class__.__name__}: {exc}")


@shared_task(bind=True, name="reports.compile_report", base=CompileTask, acks_late=True, reject_on_worker_lost=True)
def compile_report(self: Task, report_id: int) -> bool:
    """Compile one report version (idempotent: safe to deliver twice). A delivery that finds
    the report compiling elsewhere comes back after a lease, rather than being acknowledged
    and forgotten: if that compile's process was killed (a worker child SIGKILLed, whose task
    is redelivered at once), its lease has run out by then and this delivery takes it over."""
    if report_compile(report_id=report_id):
        return True
    if report_is_compiling(report_id=report_id):
        raise self.retry(countdown=settings.REPORT_LEASE_SECONDS, max_retries=None)
    return False


@shared_task(name="reports.compile_closed_periods")
def compile_closed_periods() -> int:
    """Daily (beat): queue the report of any period whose window closed yesterday."""
    return len(reports_schedule(today=timezone.localdate()))


@shared_task(name="reports.publish_due")
def publish_due() -> int:
    """Every minute (beat): publish the reports whose set time has come."""
    return len(reports_publish_due(now=timezone.now()))


@shared_task(name="reports.notify_board")
def notify_board(report_id: int) -> None:
    """Queued once a publication is committed: email each board member a link to the report."""
    report_published_email(report_id=report_id)
