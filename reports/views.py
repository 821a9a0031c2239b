from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Agency
from accounts.reauth import recent_sign_in_required
from actionplans.models import ReportingPeriod
from core.charts import trend_chart
from core.converters import whole_number
from core.forms import stale_refusal
from core.middleware import keeps_late_post
from priorities.models import Partnership

from .files import report_dir
from .forms import MeetingForm, PaperPartForm, PublishForm
from .models import QuarterlyReport
from .paper import paper_meeting_save, paper_meeting_version, paper_of, paper_part_save, paper_slot, paper_slots
from .quarter import quarter_exceptions, quarter_indicator, quarter_overview, quarter_priority
from .services import (
    QUEUE_DOWN,
    QueueDown,
    ReportNotReady,
    board_recipients,
    report_publish,
    report_publish_later,
    report_publish_later_cancel,
    report_request,
)
from .templatetags.report_tags import moment


def _period(request: HttpRequest, partnership: Partnership) -> ReportingPeriod:
    """The partnership's period asked for (?period=id), else the latest whose window has
    closed, else the latest."""
    periods = ReportingPeriod.objects.filter(partnership=partnership).select_related("partnership")
    chosen = whole_number(request.GET.get("period", ""))
    if chosen is not None:
        return get_object_or_404(periods, pk=chosen)
    today = timezone.localdate()
    period = periods.closed_by(today).first() or periods.order_by("-financial_year", "-quarter").first()
    if period is None:
        raise Http404("No reporting periods yet")
    return period


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters, as the query string asks for them (blank matches anything):
    the one place that names them, offers the RAG choices and says what a row must match."""

    priority: str = ""
    agency: str = ""
    rag: str = ""

    RAG_CHOICES: ClassVar[list[tuple[str, str]]] = [
        ("red", "Red"),
        ("amber", "Amber"),
        ("green", "Green"),
        ("none", "Not rated"),
    ]

    @classmethod
    def from_request(cls, request: HttpRequest) -> Filters:
        return cls(**{name: request.GET.get(name, "") for name in ("priority", "agency", "rag")})

    def matches(self, row: dict[str, Any]) -> bool:
        """Whether an action or exception row (with its priority's id, lead and RAG) passes."""
        return (
            (not self.priority or str(row["priority_id"]) == self.priority)
            and (not self.agency or row["lead"] == self.agency)
            and (not self.rag or (row["rag"] or "none") == self.rag)
        )


def _context(request: HttpRequest, period: ReportingPeriod, **extra: Any) -> dict[str, Any]:
    partnership = period.partnership
    return {
        "period": period,
        "periods": ReportingPeriod.objects.filter(partnership=partnership)
        .with_data(period.pk)
        .order_by("-financial_year", "-quarter"),
        "report_stage": period.report_stage(timezone.localdate()),
        "agencies": Agency.objects.filter(partnerships=partnership, kind=Agency.Kind.RESPONSIBLE_AUTHORITY).order_by(
            "name"
        ),
        "filters": Filters.from_request(request),
        "can_compile": request.user.has_perm("reports.compile_reports", partnership),
        "can_write_paper": request.user.has_perm("reports.write_board_paper", partnership),
        "rag_choices": Filters.RAG_CHOICES,
        **extra,
    }


def dashboard(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    if not ReportingPeriod.objects.filter(partnership=partnership).exists():
        return render(request, "reports/no_periods.html")
    period = _period(request, partnership)
    return render(request, "reports/dashboard.html", _context(request, period, s=quarter_overview(period)))


def priority(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    period = _period(request, partnership)
    quarter = quarter_priority(period, pk)
    if quarter is None:
        raise Http404("No such priority")
    found = next(p for p in quarter["priorities"] if p["id"] == pk)
    filters = replace(Filters.from_request(request), priority=str(pk))
    rows = [row for row in ({**action, "priority_id": pk} for action in found["actions"]) if filters.matches(row)]
    return render(request, "reports/priority.html", _context(request, period, s=quarter, p=found, rows=rows))


def exceptions(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    period = _period(request, partnership)
    quarter = quarter_exceptions(period)
    filters = Filters.from_request(request)
    rows = [e for e in quarter.get("exceptions", []) if filters.matches(e)]
    return render(request, "reports/exceptions.html", _context(request, period, s=quarter, rows=rows))


def indicator(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    period = _period(request, partnership)
    row = quarter_indicator(period, pk)
    if row is None:
        raise Http404("No such indicator")
    chart = trend_chart(title=row["title"], unit=row["unit"], series=row["series"], target=row["target"])
    return render(request, "reports/indicator.html", _context(request, period, row=row, chart=chart))


# The board's reports ------------------------------------------------------------------


def _get_report_for_reader(request: HttpRequest, partnership: Partnership, pk: int) -> QuarterlyReport:
    if not request.user.has_perm("reports.read_reports", partnership):
        raise PermissionDenied
    report = get_object_or_404(
        QuarterlyReport.objects.select_related("period__partnership", "requested_by"),
        period__partnership=partnership,
        pk=pk,
    )
    if not report.is_published and not request.user.has_perm("reports.compile_reports", partnership):
        raise Http404("No such report")  # drafts are the team's until published
    return report


def archive(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    if not request.user.has_perm("reports.read_reports", partnership):
        raise PermissionDenied
    reports = QuarterlyReport.objects.filter(period__partnership=partnership).select_related("period", "requested_by")
    reports = reports.defer("snapshot")  # every figure of every version: not for a list
    can_compile = request.user.has_perm("reports.compile_reports", partnership)
    if not can_compile:
        reports = reports.filter(published_at__isnull=False)
    return render(request, "reports/archive.html", {"reports": reports, "can_compile": can_compile})


def report_detail(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    report = _get_report_for_reader(request, partnership, pk)
    charts = {}
    if report.snapshot:
        from .files import charts_for

        charts = charts_for(report.snapshot)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "s": report.snapshot,
            "charts": charts,
            "can_compile": request.user.has_perm("reports.compile_reports", partnership),
            "newer": QuarterlyReport.objects.filter(period=report.period, version__gt=report.version).exists(),
            "held_back": report.publish_held_back()
            if report.publish_at and report.publish_at <= timezone.now() and not report.is_published
            else None,
        },
    )


DOWNLOADS = {
    "pdf": ("pdf_file", "application/pdf"),
    "xlsx": ("xlsx_file", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "html": ("html_file", "text/html; charset=utf-8"),
    "docx": ("docx_file", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def report_download(request: HttpRequest, partnership: Partnership, pk: int, fmt: str) -> FileResponse:
    report = _get_report_for_reader(request, partnership, pk)
    attribute, content_type = DOWNLOADS[fmt]
    name = getattr(report, attribute)
    if report.status != QuarterlyReport.Status.READY or not name:
        raise Http404("The report is not ready")
    path = report_dir(report.pk) / name
    if not path.is_file():
        # A database restored without its files: say so, rather than fail.
        raise Http404("The report's file is missing: restore the generated files with the database, or compile again")
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=content_type)


@require_POST
def report_compile_view(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """Queue a new version and return at once: the compiling happens in a worker."""
    if not request.user.has_perm("reports.compile_reports", partnership):
        raise PermissionDenied
    period = get_object_or_404(
        ReportingPeriod, partnership=partnership, pk=whole_number(request.POST.get("period", "")) or 0
    )
    if period.report_stage(timezone.localdate()) is None:
        messages.error(request, f"{period.label} has not started yet: there is nothing to report.")
        return redirect(f"{reverse('reports:dashboard', args=[partnership.slug])}?period={period.pk}")
    try:
        report = report_request(period=period, user=request.user)  # type: ignore[arg-type]
    except QueueDown as exc:
        messages.error(request, str(exc))
        return redirect("reports:archive", partnership.slug)
    report.refresh_from_db()
    if report.status == QuarterlyReport.Status.FAILED and report.error == QUEUE_DOWN:
        messages.error(request, QUEUE_DOWN)
    else:
        messages.success(
            request,
            f"Version {report.version} of the {period.label} report is queued: it is compiled in the background, "
            "usually within a few minutes. Its status below changes to Ready when it is done.",
        )
    return redirect("reports:archive", partnership.slug)


@require_http_methods(["GET", "POST"])
@recent_sign_in_required(again="press Publish to the board again", fallback="reports:archive")
def report_publish_view(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    """Ask first (GET), then publish (POST), now or at a set time (or cancel a set time).
    Publishing emails every board member and cannot be undone, so the GET page names
    exactly who will be emailed (the list the email then goes to) and changes nothing; the
    password is asked for again before either, when it was given too long ago."""
    if not request.user.has_perm("reports.compile_reports", partnership):
        raise PermissionDenied
    report = get_object_or_404(
        QuarterlyReport.objects.select_related("period__partnership"), period__partnership=partnership, pk=pk
    )
    if report.is_published or report.status != QuarterlyReport.Status.READY:
        # Nothing to confirm: say why on the report's own page.
        messages.error(
            request,
            "This report is already published." if report.is_published else "Only a ready report can be published.",
        )
        return redirect(report)
    if request.POST.get("cancel_set_time"):
        if report_publish_later_cancel(report=report, user=request.user):  # type: ignore[arg-type]
            messages.success(request, f"{report} will not be published at a set time. It is not published.")
        return redirect(report)
    form = PublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.publish_at is not None:
                report_publish_later(report=report, at=form.publish_at, user=request.user)  # type: ignore[arg-type]
            else:
                report_publish(report=report, user=request.user)  # type: ignore[arg-type]
        except ReportNotReady as exc:
            messages.error(request, str(exc))
        else:
            if form.publish_at is not None:
                messages.success(
                    request,
                    f"{report} will be published to the board at {moment(form.publish_at)}. "
                    "Board members are emailed a link then.",
                )
            else:
                messages.success(request, f"{report} published. Board members have been emailed a link.")
        return redirect(report)
    return render(
        request,
        "reports/publish_confirm.html",
        {
            "form": form,
            "report": report,
            "recipients": board_recipients(partnership),
            "newer": QuarterlyReport.objects.filter(period=report.period, version__gt=report.version).exists(),
        },
    )


@require_GET
def report_status(request: HttpRequest, partnership: Partnership, pk: int) -> JsonResponse:
    """The report's status as JSON, for the report page's script to poll while it compiles
    (the page itself works without it: it has a link to refresh). Whoever may read the
    report may ask; a draft is still the team's alone."""
    report = _get_report_for_reader(request, partnership, pk)
    done = report.status in {QuarterlyReport.Status.READY, QuarterlyReport.Status.FAILED}
    return JsonResponse(
        {"status": report.status, "label": report.get_status_display(), "done": done},
        headers={"Cache-Control": "no-store"},
    )


# The board paper's own words ------------------------------------------------------------


def _paper_period(request: HttpRequest, partnership: Partnership, period: int) -> ReportingPeriod:
    if not request.user.has_perm("reports.write_board_paper", partnership):
        raise PermissionDenied
    return get_object_or_404(ReportingPeriod.objects.select_related("partnership"), partnership=partnership, pk=period)


@require_GET
def paper(request: HttpRequest, partnership: Partnership, period: int) -> HttpResponse:
    """The quarter's board paper: each part, who last wrote it and when, and a link to write
    the parts this person may write. Compiling the report freezes what is here."""
    chosen = _paper_period(request, partnership, period)
    slots = paper_slots(chosen)
    user = request.user
    return render(
        request,
        "reports/paper.html",
        {
            "period": chosen,
            "board_paper": paper_of(chosen),
            "rows": [(slot, user.has_perm("reports.write_paper_part", slot.draft)) for slot in slots],
            "can_compile": user.has_perm("reports.compile_reports", partnership),
            # Versions and drafts are the team's: a priority lead is not told of them.
            "latest": QuarterlyReport.objects.filter(period=chosen).defer("snapshot").order_by("-version").first()
            if user.has_perm("reports.compile_reports", partnership)
            else None,
        },
    )


@keeps_late_post
@require_http_methods(["GET", "POST"])
def paper_part(
    request: HttpRequest, partnership: Partnership, period: int, part: str, priority: int | None = None
) -> HttpResponse:
    """Write one part of the board paper. A save that started before someone else saved the
    same part is refused, with what they wrote, and the text typed here kept in the box."""
    chosen = _paper_period(request, partnership, period)
    slot = paper_slot(chosen, part, priority)
    if slot is None:
        raise Http404("No such part of the board paper")
    if not request.user.has_perm("reports.write_paper_part", slot.draft):
        raise PermissionDenied
    written = slot.written
    initial = {"version": written.version if written else 0, "text": written.text if written else ""}
    form = PaperPartForm(request.POST or None, initial=initial, label=slot.label, hint=slot.hint)
    stale = None
    if request.method == "POST" and form.is_valid():
        save = partial(
            paper_part_save,
            slot=slot,
            text=form.cleaned_data["text"],
            expected_version=form.cleaned_data["version"] or 0,
            user=request.user,  # type: ignore[arg-type]
        )
        stale = stale_refusal(form, save)
        if stale is None:
            messages.success(request, f"{slot.label} saved. It goes into the report the next time it is compiled.")
            return redirect("reports:paper", partnership.slug, chosen.pk)
    return render(
        request,
        "reports/paper_part.html",
        {"form": form, "period": chosen, "slot": slot, "stale": stale},
    )


@require_http_methods(["GET", "POST"])
def paper_meeting(request: HttpRequest, partnership: Partnership, period: int) -> HttpResponse:
    """Set the date of the board meeting the paper goes to (the team's, like the summary)."""
    chosen = _paper_period(request, partnership, period)
    if not request.user.has_perm("reports.compile_reports", partnership):
        raise PermissionDenied
    board_paper = paper_of(chosen)
    initial = {"version": paper_meeting_version(chosen), "meeting_on": board_paper.meeting_on}
    form = MeetingForm(request.POST or None, initial=initial)
    stale = None
    if request.method == "POST" and form.is_valid():
        save = partial(
            paper_meeting_save,
            period=chosen,
            meeting_on=form.cleaned_data["meeting_on"],
            expected_version=form.cleaned_data["version"] or 0,
            user=request.user,  # type: ignore[arg-type]
        )
        stale = stale_refusal(form, save)
        if stale is None:
            messages.success(request, "Date of the board meeting saved.")
            return redirect("reports:paper", partnership.slug, chosen.pk)
    return render(request, "reports/paper_meeting.html", {"form": form, "period": chosen, "stale": stale})
