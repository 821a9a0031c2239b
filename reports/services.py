"""Requesting, compiling and publishing quarterly reports."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Role, User
from actionplans.models import ReportingPeriod

from .files import charts_for, render_html, render_pdf, render_xlsx, report_dir, write_atomically
from .models import QuarterlyReport
from .quarter import report_build

logger = logging.getLogger(__name__)

QUEUE_DOWN = (
    "The background task queue is not answering, so the report could not be queued. "
    "Nothing else is affected; try again in a few minutes, or ask whoever runs the portal."
)


class ReportNotReady(Exception):
    """Only a ready report can be published."""


def _enqueue(report_id: int) -> None:
    from .tasks import compile_report

    try:
        compile_report.apply_async(args=[report_id], retry=False)
    except Exception:
        logger.exception("Could not queue report %s", report_id)
        QuarterlyReport.objects.filter(pk=report_id, status=QuarterlyReport.Status.QUEUED).update(
            status=QuarterlyReport.Status.FAILED, error=QUEUE_DOWN, finished_at=timezone.now()
        )


def report_request(*, period: ReportingPeriod, user: User | None, queue: bool = True) -> QuarterlyReport:
    """Make the next version of the period's report and (unless `queue` is off, for a
    compile in this process) queue its compilation once the row is committed. Returns at
    once; the work happens in a worker. If the queue is down the report is marked failed
    with a plain message (see `QUEUE_DOWN`)."""
    for _ in range(3):
        try:
            with transaction.atomic():
                latest = QuarterlyReport.objects.filter(period=period).aggregate(Max("version"))["version__max"] or 0
                report = QuarterlyReport.objects.create(period=period, version=latest + 1, requested_by=user)
                if queue:
                    transaction.on_commit(partial(_enqueue, report.pk))
        except IntegrityError:
            continue  # someone asked at the same moment: take the next number
        report.refresh_from_db()
        return report
    raise RuntimeError("Could not number the report version")


def _redelivery_grace() -> dt.timedelta:
    """How long a compile may be under way before its task can be given to another worker:
    the broker redelivers only after the visibility timeout, so a report still "running"
    after that long belongs to a worker that died."""
    options: dict[str, Any] = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    return dt.timedelta(seconds=int(options.get("visibility_timeout", 0)))


def report_compile(*, report_id: int) -> bool:
    """Freeze the quarter into the report and write its files. Idempotent: a ready report is
    left alone (a second delivery of the same task makes no second version), and so is one
    another worker is compiling right now. Returns whether it compiled."""
    status = QuarterlyReport.Status
    abandoned = Q(status=status.RUNNING, started_at__lte=timezone.now() - _redelivery_grace())
    claimed = QuarterlyReport.objects.filter(
        Q(pk=report_id) & (Q(status__in=[status.QUEUED, status.FAILED]) | abandoned)
    ).update(status=status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, error="")
    if not claimed:
        return False
    report = QuarterlyReport.objects.select_related("period").get(pk=report_id)
    try:
        snapshot = report_build(report.period)
        charts = charts_for(snapshot)
        directory = report_dir(report.pk)
        stem = f"quarterly-report-{report.period.label.replace(' ', '-').lower()}-v{report.version}"
        html = render_html(snapshot, version=report.version, charts=charts, for_print=False)
        write_atomically(directory / f"{stem}.html", html.encode("utf-8"))
        pdf = render_pdf(render_html(snapshot, version=report.version, charts=charts, for_print=True))
        write_atomically(directory / f"{stem}.pdf", pdf)
        write_atomically(directory / f"{stem}.xlsx", render_xlsx(snapshot))
        report.snapshot = snapshot
        report.html_file, report.pdf_file, report.xlsx_file = f"{stem}.html", f"{stem}.pdf", f"{stem}.xlsx"
        report.status = QuarterlyReport.Status.READY
        report.finished_at = timezone.now()
        report.save()
    except BaseException as exc:  # a soft time limit too: never leave it "running"
        report_fail(report_id=report_id, error=f"{exc.__class__.__name__}: {exc}")
        raise
    return True


def report_fail(*, report_id: int, error: str) -> None:
    """Mark a report that is not ready as failed, with the reason for admins."""
    QuarterlyReport.objects.filter(pk=report_id).exclude(status=QuarterlyReport.Status.READY).update(
        status=QuarterlyReport.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def report_publish(*, report: QuarterlyReport, user: User) -> None:
    """Publish a ready report and tell the board members, each by email with a link."""
    if report.status != QuarterlyReport.Status.READY:
        raise ReportNotReady("Only a ready report can be published.")
    with transaction.atomic():
        published = QuarterlyReport.objects.filter(pk=report.pk, published_at__isnull=True).update(
            published_at=timezone.now(), published_by=user
        )
        if not published:
            raise ReportNotReady("This report is already published.")
        report.refresh_from_db()
        transaction.on_commit(lambda: _notify_board(report))


def _notify_board(report: QuarterlyReport) -> None:
    board = Group.objects.filter(name=Role.BOARD_MEMBER.value).first()
    if board is None:
        return
    link = f"{settings.SITE_URL}{report.get_absolute_url()}"
    for member in User.objects.filter(groups=board, is_active=True):
        body = render_to_string("reports/email/published.txt", {"member": member, "report": report, "link": link})
        send_mail(f"The {report.period.label} performance report is ready", body, None, [member.email])


CATCH_UP_DAYS = 30


def reports_schedule(*, today: dt.date) -> list[QuarterlyReport]:
    """From the day after a window closes, queue its report unless one exists. A period
    missed (beat or broker down that morning) is caught up on a later day, for 30 days.
    Compiles abandoned by a dead worker, long past any time limit, are marked failed."""
    stale = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - _redelivery_grace()
    abandoned = QuarterlyReport.objects.filter(status=QuarterlyReport.Status.RUNNING, started_at__lt=stale)
    for report_id in abandoned.values_list("pk", flat=True):
        report_fail(report_id=report_id, error="The compile stopped without finishing (its worker was lost).")
    due = ReportingPeriod.objects.filter(
        window_closes__lt=today, window_closes__gte=today - dt.timedelta(days=CATCH_UP_DAYS)
    ).exclude(reports__isnull=False)
    return [report_request(period=period, user=None) for period in due]
