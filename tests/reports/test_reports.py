from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.urls import reverse
from django.utils.html import escape
from pypdf import PdfReader

from actionplans.models import Action, ActionUpdate
from priorities.models import Priority
from reports.files import report_dir
from reports.models import QuarterlyReport
from reports.services import report_compile, report_publish, reports_schedule
from tests.helpers import BEDFORD, client_for, priority_pk

pytestmark = pytest.mark.django_db


def _compile(quarter, user=None) -> QuarterlyReport:
    version = QuarterlyReport.objects.filter(period=quarter).count() + 1
    report = QuarterlyReport.objects.create(period=quarter, version=version, requested_by=user)
    assert report_compile(report_id=report.pk)
    report.refresh_from_db()
    return report


def _pdf_text(report: QuarterlyReport) -> str:
    reader = PdfReader(report_dir(report.pk) / report.pdf_file)
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_dashboard_shows_each_priority_at_a_glance(quarter, board_member) -> None:
    html = client_for(board_member).get(reverse("reports:dashboard", args=[BEDFORD])).content.decode()

    assert "The quarter at a glance: 2023-24 Q4" in html
    for priority in Priority.objects.filter(number__in=[1, 2, 3]):
        assert f"Priority {priority.number}: {priority.title}".replace("&", "&amp;") in html
    assert re.search(r"\d+ red, \d+ amber, \d+ green", html)
    assert re.search(r"\d+ on time, \d+ overdue, \d+ done", html)
    assert "Compile report" not in html  # board members read; admins compile


def test_lists_filter_by_priority_agency_and_rag(quarter, board_member) -> None:
    client = client_for(board_member)
    red_only = client.get(reverse("reports:exceptions", args=[BEDFORD]), {"rag": "red"}).content.decode()
    police = client.get(
        reverse("reports:priority", args=[BEDFORD, priority_pk(1)]), {"agency": "Bedfordshire Police"}
    ).content.decode()

    assert "govuk-tag--orange app-rag" not in red_only.split("<tbody")[1]
    assert "govuk-tag--red app-rag" in red_only.split("<tbody")[1]
    lead_cells = re.findall(r'<td class="govuk-table__cell">(Police|BBC|Fire and Rescue|Probation|CCG)</td>', police)
    assert lead_cells
    assert set(lead_cells) == {"Police"}


def test_an_indicator_page_has_its_trend_chart_with_a_text_alternative_and_the_numbers(quarter, board_member) -> None:
    from actionplans.models import Indicator

    indicator = Indicator.objects.get(title="Recorded knife crime offences")
    client = client_for(board_member)
    html = client.get(reverse("reports:indicator", args=[BEDFORD, indicator.pk])).content.decode()

    key = re.search(
        r'src="/charts/([0-9a-f]{32}).svg" '
        r'alt="Line chart of Recorded knife crime offences \(offences\), 2023-24 Q1 to 2023-24 Q4',
        html,
    )
    assert key
    assert "Recorded knife crime offences by quarter</caption>" in html
    svg = client.get(reverse("chart", args=[key.group(1)]))
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(svg.streaming_content)


def test_a_compiled_report_is_ready_with_a_tagged_pdf_holding_every_section(quarter, csp_admin) -> None:
    report = _compile(quarter, csp_admin)

    assert (report.status, report.version) == ("ready", 1)
    text = _pdf_text(report)
    for title in Priority.objects.filter(plan__superseded_by__isnull=True).values_list("title", flat=True):
        assert title in text
    red = ActionUpdate.objects.filter(period=quarter, rag="red").select_related("action")
    assert red
    for update in red:
        assert f"{update.action.reference} {update.action.title[:30]}" in text
    for heading in [
        "Purpose and decisions sought",
        "Headline summary",
        "Key to symbols",
        "Every indicator against its baseline and target",
        "Exception report",
        "What changed since the last report",
        "Consultation and perception measures",
        "Data-quality notes",
        "Glossary",
        "Page 1 of",
    ]:
        assert heading in text
    reader = PdfReader(report_dir(report.pk) / report.pdf_file)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert "/StructTreeRoot" in root
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4


def test_the_spreadsheet_appendix_has_actions_milestones_and_indicators(quarter) -> None:
    report = _compile(quarter)
    book = openpyxl.load_workbook(report_dir(report.pk) / report.xlsx_file)
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}

    assert book.sheetnames == ["About", "Actions", "Milestones", "Indicators"]
    assert about["Report version"] == report.version
    assert book["Actions"].max_row == 1 + Action.objects.filter(plan__financial_year=2023).count()
    assert isinstance(book["Actions"]["E2"].value, dt.datetime)  # Due
    assert book["Indicators"]["B2"].value


def test_compiling_again_makes_version_2_and_a_second_delivery_makes_none(quarter) -> None:
    first = _compile(quarter)
    pdf = report_dir(first.pk) / first.pdf_file
    written = pdf.stat().st_mtime_ns

    assert report_compile(report_id=first.pk) is False  # the same task delivered twice
    second = _compile(quarter)

    assert pdf.stat().st_mtime_ns == written
    assert list(QuarterlyReport.objects.order_by("version").values_list("version", "status")) == [
        (1, "ready"),
        (2, "ready"),
    ]
    assert second.pdf_file.endswith("-v2.pdf")


def test_edits_after_compiling_change_nothing_in_the_report(quarter, csp_admin, board_member) -> None:
    report = _compile(quarter)
    action = Action.objects.filter(plan__financial_year=2023).order_by("reference").first()
    old_title = action.title
    Action.objects.filter(pk=action.pk).update(title="RENAMED AFTER PUBLICATION")
    Priority.objects.filter(number=1).update(title="RENAMED PRIORITY")
    ActionUpdate.objects.filter(period=quarter).update(progress="REWRITTEN")
    report_publish(report=report, user=csp_admin)

    page = client_for(board_member).get(report.get_absolute_url()).content.decode()
    html_file = (report_dir(report.pk) / report.html_file).read_text()
    pdf_text = _pdf_text(report)
    sheet = openpyxl.load_workbook(report_dir(report.pk) / report.xlsx_file)["Actions"]
    titles = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    for content in (page, html_file, pdf_text):
        assert old_title[:30] in content
        assert "RENAMED" not in content
        assert "REWRITTEN" not in content
    assert old_title in titles
    assert "RENAMED AFTER PUBLICATION" not in titles


def test_a_failure_is_recorded_with_its_error_for_admins(quarter, settings, csp_admin) -> None:
    settings.MEDIA_ROOT = "/proc/not-writable"
    report = QuarterlyReport.objects.create(period=quarter, version=1)

    with pytest.raises(OSError, match="not-writable") as raised:
        report_compile(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == "failed"
    # The error that stopped it, by class and message: the unwritable report directory.
    assert report.error == f"{type(raised.value).__name__}: {raised.value}"
    assert "/proc/not-writable" in report.error
    assert (
        escape(report.error) in client_for(csp_admin).get(reverse("reports:archive", args=[BEDFORD])).content.decode()
    )


def test_publishing_emails_every_board_member_a_link(
    quarter, csp_admin, board_member, officer, django_capture_on_commit_callbacks
) -> None:
    report = _compile(quarter)
    client = client_for(csp_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:publish", args=[BEDFORD, report.pk]))

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[board_member.email]]
    assert f"/reports/{report.pk}/" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Bedford Borough CSP: the 2023-24 Q4 performance report is ready"
    assert "for the Safer Thematic Board" in mail.outbox[0].body


def test_downloads_are_for_board_members_and_admins_only(quarter, csp_admin, board_member, officer) -> None:
    report = _compile(quarter)
    pdf = reverse("reports:download", args=[BEDFORD, report.pk, "pdf"])

    assert client_for(officer).get(pdf).status_code == 403
    assert client_for(board_member).get(pdf).status_code == 404  # not published yet
    assert client_for(csp_admin).get(pdf).status_code == 200
    report_publish(report=report, user=csp_admin)
    response = client_for(board_member).get(pdf)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_day_after_a_window_closes_its_report_is_queued_once(quarter) -> None:
    assert reports_schedule(today=dt.date(2024, 4, 15)) == []
    made = reports_schedule(today=dt.date(2024, 4, 16))
    again = reports_schedule(today=dt.date(2024, 4, 16))

    assert [r.period for r in made] == [quarter]
    assert again == []


def test_the_compile_command_compiles_the_latest_closed_quarter_in_process(quarter, capsys) -> None:
    call_command("compile_report", BEDFORD, "--sync")
    call_command("compile_report", BEDFORD, "2023-24 Q4", "--sync")

    assert list(QuarterlyReport.objects.values_list("period__quarter", "version", "status")) == [
        (4, 2, "ready"),
        (4, 1, "ready"),
    ]
    assert "2023-24 Q4 report, version 2: ready." in capsys.readouterr().out
    with pytest.raises(CommandError, match="is not a period"):
        call_command("compile_report", BEDFORD, "last quarter")
    with pytest.raises(CommandError, match="no reporting period 2030-31 Q1"):
        call_command("compile_report", BEDFORD, "2030-31 Q1")
    with pytest.raises(CommandError, match=r"No partnership 'nowhere' \(known: bedford-borough\)"):
        call_command("compile_report", "nowhere")


def test_the_compile_button_returns_at_once_without_compiling(quarter, csp_admin) -> None:
    client = client_for(csp_admin)

    response = client.post(reverse("reports:compile", args=[BEDFORD]), {"period": quarter.pk})

    assert response.status_code == 302
    report = QuarterlyReport.objects.get()
    assert report.status in {"queued", "failed"}  # failed only if no broker answers here
    assert not report_dir(report.pk).exists()  # nothing is rendered in the request
    assert report.snapshot is None


def test_only_admins_compile_and_publish(quarter, board_member, officer) -> None:
    report = _compile(quarter)
    for person in (board_member, officer):
        assert (
            client_for(person).post(reverse("reports:compile", args=[BEDFORD]), {"period": quarter.pk}).status_code
            == 403
        )
        assert client_for(person).post(reverse("reports:publish", args=[BEDFORD, report.pk])).status_code == 403
    report.refresh_from_db()
    assert not report.is_published
    assert QuarterlyReport.objects.count() == 1


def test_a_missing_or_forged_chart_is_404(board_member, db) -> None:
    client = client_for(board_member)
    assert client.get("/charts/" + "0" * 32 + ".svg").status_code == 404
    assert client.get("/charts/..%2F..%2Fsettings.svg").status_code == 404


def test_report_files_are_written_atomically(tmp_path: Path) -> None:
    from reports.files import write_atomically

    target = tmp_path / "r" / "report.pdf"
    write_atomically(target, b"one")
    write_atomically(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]


def test_the_dashboard_explains_itself_before_any_period_exists(plan, board_member) -> None:
    response = client_for(board_member).get(reverse("reports:dashboard", args=[BEDFORD]))
    assert response.status_code == 200
    assert "no reporting periods have been set up" in response.content.decode()


def test_only_submitted_or_approved_updates_count_and_drafts_are_missing_returns(quarter) -> None:
    from reports.quarter import quarter_build

    update = ActionUpdate.objects.filter(period=quarter).exclude(status__in=["submitted", "approved"]).first()
    assert update is not None
    update.rag = "green"
    update.support_requested = "Draft support request"
    update.save()

    built = quarter_build(quarter)

    action = next(
        a
        for p in built["priorities"]
        for a in p["actions"]
        if a["reference"] == update.action.reference and a["id"] == update.action_id
    )
    assert action["rag"] == ""
    assert action["commentary"] == ""
    assert update.action.reference in {m["reference"] for m in built["data_quality"]["missing_returns"]}
    assert "Draft support request" not in str(built["support_asked"])


def test_a_milestone_completed_after_the_quarter_still_counts_as_overdue_in_it(quarter) -> None:
    from actionplans.models import Milestone
    from reports.quarter import quarter_build

    action = Action.objects.filter(plan__financial_year=2023).first()
    late = Milestone.objects.create(action=action, title="Late one", due_date=dt.date(2024, 2, 1))
    before = quarter_build(quarter)["headline"]["milestones"]["overdue"]
    late.completed_on = dt.date(2024, 4, 10)  # after the quarter ended on 31 March
    late.save()

    assert quarter_build(quarter)["headline"]["milestones"]["overdue"] == before


def test_a_milestone_due_after_the_quarter_is_not_overdue_in_it(quarter) -> None:
    from actionplans.models import Milestone
    from reports.quarter import milestone_state

    milestone = Milestone(title="May", due_date=dt.date(2024, 5, 20))
    assert milestone_state(milestone, quarter.ends) == "on_time"


def test_a_report_cannot_be_published_twice(quarter, csp_admin) -> None:
    from reports.services import ReportNotReady

    report = _compile(quarter)
    report_publish(report=report, user=csp_admin)
    with pytest.raises(ReportNotReady, match="already published"):
        report_publish(report=report, user=csp_admin)


def test_the_schedule_catches_up_a_missed_day_and_fails_abandoned_compiles(quarter, settings) -> None:
    from django.utils import timezone

    abandoned = QuarterlyReport.objects.create(
        period=quarter, version=9, status="running", started_at=timezone.now() - dt.timedelta(hours=3)
    )
    made = reports_schedule(today=dt.date(2024, 4, 18))  # beat missed the 16th and 17th

    abandoned.refresh_from_db()
    assert abandoned.status == "failed"
    assert "worker was lost" in abandoned.error
    assert made == []  # quarter already has a report (the abandoned one)
    QuarterlyReport.objects.all().delete()
    assert [r.period for r in reports_schedule(today=dt.date(2024, 4, 18))] == [quarter]


def test_a_report_another_worker_is_compiling_is_left_alone(quarter, settings) -> None:
    from django.utils import timezone

    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    busy = QuarterlyReport.objects.create(period=quarter, version=1, status="running", started_at=timezone.now())

    assert report_compile(report_id=busy.pk) is False
    busy.started_at = timezone.now() - dt.timedelta(hours=2)  # past the visibility timeout: its worker died
    busy.save()
    assert report_compile(report_id=busy.pk) is True


def test_a_dollar_in_an_indicator_title_is_text_not_mathematics(quarter, board_member) -> None:
    from actionplans.models import Indicator

    indicator = Indicator.objects.first()
    indicator.title = "Cost $\\frac$ per case"
    indicator.save()

    assert client_for(board_member).get(reverse("reports:indicator", args=[BEDFORD, indicator.pk])).status_code == 200
    assert _compile(quarter).status == "ready"


def test_the_report_has_the_consultation_section_and_the_confidence_indicator(quarter, csp_admin) -> None:
    from consultations.demo import demo_load as consultation_demo_load
    from consultations.models import Response
    from consultations.seed import consultations_load
    from tests.helpers import CONSULTATIONS_FILE

    consultations_load(CONSULTATIONS_FILE)
    consultation_demo_load()
    report = _compile(quarter)

    section = report.snapshot["consultation"]
    assert section["title"] == "CSP Consultation 2022"
    assert round(section["headline"]["percent"]) == 34
    assert section["comparison"]["earlier_percent"] == 41.0
    assert next(t["name"] for t in section["themes_safe"]) == "Positive relationships with neighbours"
    ward_sizes = dict(
        Response.objects.filter(consultation__slug="csp-consultation-2022")
        .values_list("ward__name")
        .annotate(n=Count("id"))
    )
    for row in section["by_ward"]["rows"]:
        assert row["suppressed"] or ward_sizes.get(row["label"] if row["label"] != "Not stated" else None, 0) >= 10
        assert row["suppressed"] == (row["n"] is None)
    assert any(row["suppressed"] for row in section["by_ward"]["rows"])
    text = _pdf_text(report)
    for words in [
        "CSP Consultation 2022",
        "cannot be tested for significance",
        "Positive relationships with neighbours",
        "Residents confident that agencies work together",
    ]:
        assert words in text
    html = client_for(csp_admin).get(reverse("reports:report", args=[BEDFORD, report.pk])).content.decode()
    # Mostly suppressed breakdowns are one sentence in the report, not a page of blank rows.
    hidden = sum(row["suppressed"] for row in section["by_ward"]["rows"])
    total = len(section["by_ward"]["rows"])
    assert f"{hidden} of {total} wards are not shown: fewer than 10 respondents" in html
    assert "Not shown: fewer than 10 respondents" not in html
