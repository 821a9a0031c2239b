"""Celery tasks: thin, taking ids and calling a service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .services import report_compile, reports_schedule


@shared_task(name="reports.compile_report", acks_late=True, reject_on_worker_lost=True)
def compile_report(report_id: int) -> bool:
    """Compile one report version (idempotent: safe to deliver twice)."""
    return report_compile(report_id=report_id)


@shared_task(name="reports.compile_closed_periods")
def compile_closed_periods() -> int:
    """Daily (beat): queue the report of any period whose window closed yesterday."""
    return len(reports_schedule(today=timezone.localdate()))
