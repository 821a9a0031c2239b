"""Requesting, compiling and publishing quarterly reports."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Role, User
from actionplans.models import ReportingPeriod
from core.queue import broker_answers, queue, queue_after_commit
from core.tasks import send_email
from priorities.models import Partnership

from .appendix import render_xlsx
from .files import charts_for, render_html, render_pdf, report_dir, write_atomically
from .models import QuarterlyReport
from .paper import paper_freeze
from .quarter import report_build
from .wordfile import render_docx

logger = logging.getLogger(__name__)

QUEUE_DOWN = (
    "The background task queue is not answering, so the report could not be queued. "
    "Nothing else is affected; try again in a few minutes, or ask whoever runs the portal."
)


class QueueDown(Exception):
    """The task queue does not answer, so nothing was queued (and no version was made)."""


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
    once; the work happens in a worker. When the queue does not answer, nothing is made
    and QueueDown is raised (its message is `QUEUE_DOWN`), so a refused compile leaves no
    row; if it stops answering between that check and the queueing, the version is marked
    failed with the same message. While a version of the period is still queued or
    compiling, asking again (a double click) returns that version: it will show the
    figures as they are when it compiles."""
    if queue and not broker_answers():
        raise QueueDown(QUEUE_DOWN)
    for _ in range(3):
        try:
            with transaction.atomic():
                in_progress = _in_progress(period)
                if in_progress is not None:
                    return in_progress
                latest = QuarterlyReport.objects.filter(period=period).aggregate(Max("version"))["version__max"] or 0
                report = QuarterlyReport.objects.create(period=period, version=latest + 1, requested_by=user)
                if queue:
                    transaction.on_commit(partial(_enqueue, report.pk))
        except IntegrityError:
            continue  # someone asked at the same moment: take the next number
        report.refresh_from_db()
        return report
    raise RuntimeError("Could not number the report version")


# A queued version older than this is taken to be lost (a message the broker dropped).
QUEUED_FOR_AT_MOST = dt.timedelta(minutes=10)


def _in_progress(period: ReportingPeriod) -> QuarterlyReport | None:
    status = QuarterlyReport.Status
    queued = Q(status=status.QUEUED, requested_at__gte=timezone.now() - QUEUED_FOR_AT_MOST)
    running = Q(status=status.RUNNING) & ~_abandoned()
    return QuarterlyReport.objects.filter(Q(period=period) & (queued | running)).order_by("-version").first()


def _lease() -> dt.timedelta:
    """How long a compile may go without a heartbeat before it counts as abandoned (its
    process was killed): a few heartbeats' worth."""
    return dt.timedelta(seconds=settings.REPORT_LEASE_SECONDS)


def _abandoned() -> Q:
    """A compile whose process stopped beating: killed, or lost with its machine."""
    silent_since = timezone.now() - _lease()
    return Q(status=QuarterlyReport.Status.RUNNING) & (
        Q(heartbeat_at__lt=silent_since) | Q(heartbeat_at__isnull=True, started_at__lte=silent_since)
    )


@contextmanager
def _heartbeat(report_id: int) -> Iterator[None]:
    """While compiling, say every REPORT_LEASE_SECONDS / 3 that this process is alive, from
    a thread with its own connection. Not inside a transaction (a test's): there the row is
    not visible to another connection, and the heartbeat would only wait on its lock."""
    if connection.in_atomic_block:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.REPORT_LEASE_SECONDS / 3):
                QuarterlyReport.objects.filter(pk=report_id, status=QuarterlyReport.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"report-{report_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def report_compile(*, report_id: int) -> bool:
    """Freeze the quarter into the report and write its files. Idempotent: a ready report is
    left alone (a second delivery of the same task makes no second version), and so is one
    another process is compiling right now (its heartbeat is fresh). A compile whose process
    was killed stops beating and is taken over once its lease runs out. Returns whether it
    compiled."""
    status = QuarterlyReport.Status
    now = timezone.now()
    claimed = QuarterlyReport.objects.filter(
        Q(pk=report_id) & (Q(status__in=[status.QUEUED, status.FAILED]) | _abandoned())
    ).update(status=status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, error="")
    if not claimed:
        return False
    report = QuarterlyReport.objects.select_related("period").get(pk=report_id)
    try:
        with _heartbeat(report_id):
            _compile_files(report)
    except BaseException as exc:  # a soft time limit too: never leave it "running"
        shutil.rmtree(report_dir(report_id), ignore_errors=True)  # no half-made files left behind
        report_fail(report_id=report_id, error=f"{exc.__class__.__name__}: {exc}")
        raise
    return True


def report_is_compiling(*, report_id: int) -> bool:
    """Whether another process is compiling the report now (its lease is alive)."""
    return QuarterlyReport.objects.filter(
        Q(pk=report_id, status=QuarterlyReport.Status.RUNNING) & ~_abandoned()
    ).exists()


def _compile_files(report: QuarterlyReport) -> None:
    snapshot = report_build(report.period)
    snapshot["is_draft"] = report.is_draft
    paper_freeze(snapshot, report.period)
    charts = charts_for(snapshot)
    directory = report_dir(report.pk)
    stem = f"quarterly-report-{report.period.label.replace(' ', '-').lower()}-v{report.version}"
    html = render_html(snapshot, version=report.version, charts=charts, for_print=False)
    write_atomically(directory / f"{stem}.html", html.encode("utf-8"))
    pdf = render_pdf(render_html(snapshot, version=report.version, charts=charts, for_print=True))
    write_atomically(directory / f"{stem}.pdf", pdf)
    write_atomically(directory / f"{stem}.xlsx", render_xlsx(snapshot, version=report.version))
    write_atomically(directory / f"{stem}.docx", render_docx(snapshot, version=report.version))
    report.snapshot = snapshot
    report.html_file, report.pdf_file, report.xlsx_file = f"{stem}.html", f"{stem}.pdf", f"{stem}.xlsx"
    report.docx_file = f"{stem}.docx"
    report.status = QuarterlyReport.Status.READY
    report.finished_at = timezone.now()
    report.save()


def report_fail(*, report_id: int, error: str) -> None:
    """Mark a report that is not ready as failed, with the reason for admins."""
    QuarterlyReport.objects.filter(pk=report_id).exclude(status=QuarterlyReport.Status.READY).update(
        status=QuarterlyReport.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def board_recipients(partnership: Partnership) -> QuerySet[User]:
    """Who publishing emails: the partnership's current board members. One home for the
    question, so the confirmation page names exactly the people the email then goes to."""
    return User.objects.holding(Role.BOARD_MEMBER, partnership).select_related("agency").order_by("full_name", "pk")


def report_publish(*, report: QuarterlyReport, user: User | None) -> None:
    """Publish a ready report and tell the board members, each by email with a link."""
    if report.status != QuarterlyReport.Status.READY:
        raise ReportNotReady("Only a ready report can be published.")
    with transaction.atomic():
        published = QuarterlyReport.objects.filter(pk=report.pk, published_at__isnull=True).update(
            published_at=timezone.now(), published_by=user
        )
        if not published:
            raise ReportNotReady("This report is already published.")
        # A time set for this version or another of the quarter is spent: the board is told once.
        QuarterlyReport.objects.filter(period_id=report.period_id, publish_at__isnull=False).update(publish_at=None)
        report.refresh_from_db()
        from .tasks import notify_board

        queue_after_commit(notify_board, report.pk)


def _set_time(report: QuarterlyReport, *, at: dt.datetime | None, user: User | None) -> bool:
    """Set or clear a ready, unpublished report's time to publish at, with a history row
    saying who and when. Whether the report was still unpublished."""
    with transaction.atomic():
        locked = QuarterlyReport.objects.select_for_update().filter(pk=report.pk, published_at__isnull=True).first()
        if locked is None:
            return False
        locked.publish_at, locked.publish_set_by = at, user if at is not None else None
        locked._history_user = user  # type: ignore[attr-defined]
        locked.save(update_fields=["publish_at", "publish_set_by"])
    report.refresh_from_db()
    return True


def report_publish_later(*, report: QuarterlyReport, at: dt.datetime, user: User) -> None:
    """Set (or move) the moment a ready, unpublished report is published to the board: the
    beat's `reports_publish_due` publishes it then, as `user` had pressed Publish."""
    if report.status != QuarterlyReport.Status.READY:
        raise ReportNotReady("Only a ready report can be published.")
    if at <= timezone.now():
        raise ValueError("The time to publish at must be in the future.")
    if not _set_time(report, at=at, user=user):
        raise ReportNotReady("This report is already published.")


def report_publish_later_cancel(*, report: QuarterlyReport, user: User) -> bool:
    """Forget the set time (the report stays unpublished). Whether there was one to forget."""
    if report.publish_at is None:
        return False
    return _set_time(report, at=None, user=user)


def reports_publish_due(*, now: dt.datetime) -> list[QuarterlyReport]:
    """Publish every report whose set time has come (each minute, from the beat), as the
    admin who set it, if they may still publish. One whose quarter has had a version
    published meanwhile is not published (the board is not emailed twice), and neither is
    one no longer ready or whose admin may no longer publish: each keeps its time, and its
    page says why it was not published."""
    published = []
    due = QuarterlyReport.objects.filter(
        publish_at__lte=now, published_at__isnull=True, status=QuarterlyReport.Status.READY
    ).select_related("period__partnership", "publish_set_by")
    for report in due:
        if report.publish_held_back() is not None:
            continue
        try:
            report_publish(report=report, user=report.publish_set_by)
        except ReportNotReady:
            continue
        published.append(report)
    return published


def report_published_email(*, report_id: int) -> None:
    """Email each board member a link built from SITE_URL, the portal's real address: never
    from the request's Host header, which the publisher's browser (or an attacker) sets."""
    report = QuarterlyReport.objects.select_related("period__partnership").get(pk=report_id)
    partnership = report.period.partnership
    link = f"{settings.SITE_URL}{report.get_absolute_url()}"
    subject = f"{partnership.short_name}: the {report.period.label} performance report is ready"
    for member in board_recipients(partnership):
        context = {"member": member, "report": report, "link": link, "partnership": partnership}
        # One email a task: a member's mail server refusing delays only their email, and a
        # retry never emails the others twice.
        queue(send_email, subject, render_to_string("reports/email/published.txt", context), [member.email])


CATCH_UP_DAYS = 30


def reports_schedule(*, today: dt.date) -> list[QuarterlyReport]:
    """From the day after a window closes, queue its report unless one exists. A period
    missed (beat or broker down that morning) is caught up on a later day, for 30 days.
    Compiles abandoned by a dead worker, long past any time limit, are marked failed."""
    stale = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - _lease()
    abandoned = QuarterlyReport.objects.filter(status=QuarterlyReport.Status.RUNNING, started_at__lt=stale)
    for report_id in abandoned.values_list("pk", flat=True):
        report_fail(report_id=report_id, error="The compile stopped without finishing (its worker was lost).")
    # Each partnership's schedule: its report from `compile_days_after_close` days after
    # its window closes (a handful of recent periods, judged here).
    recent = ReportingPeriod.objects.filter(
        window_closes__lt=today, window_closes__gte=today - dt.timedelta(days=CATCH_UP_DAYS + 366)
    ).exclude(reports__isnull=False)
    due = []
    for period in recent.select_related("partnership"):
        compile_from = period.window_closes + dt.timedelta(days=max(period.partnership.compile_days_after_close, 1))
        if compile_from <= today < compile_from + dt.timedelta(days=CATCH_UP_DAYS):
            due.append(period)
    return [report_request(period=period, user=None) for period in due]
