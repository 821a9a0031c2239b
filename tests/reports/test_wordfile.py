"""The Word document is the same frozen report as the pages, in Word's own structures: the
board paper's words, each priority's commentary, every red action and every indicator's
figures are there; sections are Word headings; every table's heading row is bold and
repeats on each page; dates are written out and nothing says "None"; the same snapshot
gives the same bytes; an old snapshot, without the board paper, still renders.

The quarter is frozen once for the module (`report_build`, without the slow PDF) and
rendered once; the compiled report's own file is checked once, by downloading it."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
from typing import Any
from zoneinfo import ZoneInfo

import docx
import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from docx.document import Document
from docx.oxml.ns import qn

from accounts.models import Agency, Role
from actionplans.demo import demo_load
from actionplans.models import ReportingPeriod
from consultations.demo import demo_load as consultation_demo_load
from consultations.seed import consultations_load
from priorities.services import plan_import
from reports.models import QuarterlyReport
from reports.quarter import report_build
from reports.services import report_compile, report_publish
from reports.wordfile import render_docx
from tests.factories import UserFactory
from tests.helpers import BEDFORD, CONSULTATIONS_FILE, REPORT_DAY, SHIPPED_PLAN, client_for

pytestmark = pytest.mark.django_db

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RAG_WORDS = {"Red", "Amber", "Green", "Not rated"}
DIRECTIONS = {
    "Improving: the figure rose",
    "Improving: the figure fell",
    "Worsening: the figure rose",
    "Worsening: the figure fell",
    "No real change",
    "Not comparable",
}
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SUMMARY = "The partnership met most of its milestones this quarter; knife crime remains the board's concern."
RECOMMENDATIONS = "The board is recommended to note the report."
DECISIONS = "Agree to fund venue space for the hate crime reporting centres."


def _paper(at: str, by: str, text: str) -> dict[str, str]:
    return {"text": text, "by": by, "at": at}


@pytest.fixture(scope="module")
def snapshot(django_db_setup, django_db_blocker, shipped_plan_file) -> dict[str, Any]:
    """The 2023-24 Q4 report's snapshot as the `quarter` fixture's data gives it (with the
    consultation), built once and the data rolled back; then the board paper's words, as the
    compile will freeze them."""
    day = dt.datetime(2024, 4, 20, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    with django_db_blocker.unblock(), time_machine.travel(day, tick=False), transaction.atomic():
        plan_import(plan_file=shipped_plan_file, source=SHIPPED_PLAN.name)
        UserFactory(agency=Agency.objects.get(name="Bedfordshire Police"), roles=[Role.OFFICER])
        demo_load(today=REPORT_DAY, scale=1)
        consultations_load(CONSULTATIONS_FILE)
        consultation_demo_load()
        built = report_build(ReportingPeriod.objects.get(financial_year=2023, quarter=4))
        transaction.set_rollback(True)
    built["is_draft"] = False
    built["paper"] = {
        "meeting_on": "2024-05-14",
        "summary": _paper("2024-04-18T10:00:00+01:00", "Aisha Khan", SUMMARY),
        "recommendations": _paper("2024-04-18T10:05:00+01:00", "Aisha Khan", RECOMMENDATIONS),
        "decisions": _paper("2024-04-19T16:30:00+01:00", "Sam Okafor", DECISIONS),
    }
    for priority in built["priorities"]:
        priority["commentary"] = _paper(
            "2024-04-17T09:00:00+01:00", "Priya Shah", f"Priority {priority['number']} is on course overall."
        )
    return built


@pytest.fixture(scope="module")
def rendered(snapshot) -> bytes:
    return render_docx(snapshot, version=2)


@pytest.fixture(scope="module")
def document(rendered) -> Document:
    return docx.Document(io.BytesIO(rendered))


def _open(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def _texts(document: Document) -> list[str]:
    """Every paragraph and table cell, in order, and the page's head and foot."""
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    section = document.sections[0]
    texts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return texts


def _text(document: Document) -> str:
    return "\n".join(_texts(document))


def _table(document: Document, caption: str) -> Any:
    """The table under a caption, found by its alternative text (the caption)."""
    for table in document.tables:
        title = table._tbl.tblPr.find(qn("w:tblCaption"))
        if title is not None and title.get(qn("w:val")) == caption:
            return table
    raise AssertionError(f"no table captioned {caption!r}")


def _rows(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_it_holds_the_board_papers_words_and_each_prioritys_commentary_with_who_wrote_them(document, snapshot) -> None:
    text = _text(document)

    for words in [
        SUMMARY,
        RECOMMENDATIONS,
        DECISIONS,
        "Written by Aisha Khan, 18 April 2024",
        "Written by Sam Okafor, 19 April 2024",
        "Board meeting: 14 May 2024.",
    ]:
        assert words in text
    assert snapshot["priorities"]
    for priority in snapshot["priorities"]:
        assert priority["commentary"]["text"] in text
        assert priority["summary"] in text
    assert text.count("Written by Priya Shah, 17 April 2024") == len(snapshot["priorities"])


def test_every_red_action_is_named_by_reference_and_title_and_rated_in_words(document, snapshot) -> None:
    red = [e for e in snapshot["exceptions"] if e["rag"] == "red"]
    red += [a for p in snapshot["priorities"] for a in p["actions"] if a["rag"] == "red"]
    assert red
    texts = _texts(document)

    for action in red:
        assert any(f"{action['reference']} {action['title']}" in text for text in texts), action["reference"]
    ratings = {row[3] for row in _rows(_table(document, "Actions under priority 1 in 2023-24 Q4"))[1:]}
    assert ratings <= RAG_WORDS
    exceptions = _rows(_table(document, "Red and amber actions and overdue milestones"))
    assert "Red" in {row[1] for row in exceptions[1:]}


def test_the_indicator_table_has_every_indicator_with_its_figures_and_direction_in_words(document, snapshot) -> None:
    rows = _rows(_table(document, "Every indicator against its baseline and target"))
    headings, body = rows[0], rows[1:]

    assert headings[:4] == ["Indicator", "Baseline", "Target", "This quarter"]
    assert len(body) == len(snapshot["indicators"]) > 0
    for row, indicator in zip(body, snapshot["indicators"], strict=True):
        assert row[0].startswith(indicator["title"])
        assert row[3].startswith(_shown(indicator["this_quarter"], indicator["unit"]))
        assert row[1] == _shown(indicator["baseline"], indicator["unit"])
        assert row[2] == _shown(indicator["target"], indicator["unit"])
        assert {row[6], row[7]} <= DIRECTIONS
    assert any(row[5] == "No figure" for row in body)  # no figure a year ago: said, not a dash or None


def _shown(value: float | None, unit: str) -> str:
    from reports.templatetags.report_tags import figure

    return "No figure" if value is None else figure(value, unit)


def test_sections_are_word_headings_in_the_order_of_the_pages(document, snapshot) -> None:
    by_style: dict[str, list[str]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(paragraph.style.name, []).append(paragraph.text)

    assert by_style["Title"] == ["Quarterly performance report: 2023-24 Q4"]
    assert by_style["Heading 1"] == [
        "Summary",
        "Recommendations",
        "Decisions sought",
        "Purpose and decisions sought",
        "Headline summary",
        "Key to symbols",
        *(f"Priority {p['number']}: {p['title']}" for p in snapshot["priorities"]),
        "Indicators",
        "Exception report",
        "What changed since the last report",
        "Consultation and perception measures",
        "Data-quality notes",
        "Glossary",
    ]
    assert {"Commentary", "RAG moves since 2023-24 Q3", "Missing returns", "Perception indicators"} <= set(
        by_style["Heading 2"]
    )
    assert "CSP Consultation 2022 (illustrative responses)" in by_style["Heading 2"]
    assert "What makes people feel safe" in by_style["Heading 3"]


def test_every_table_has_a_bold_heading_row_that_repeats_on_each_page(document) -> None:
    assert len(document.tables) > 10
    for table in document.tables:
        head = table.rows[0]
        assert head._tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
        runs = [run for cell in head.cells for paragraph in cell.paragraphs for run in paragraph.runs]
        assert runs
        assert all(run.bold for run in runs)


def test_dates_are_written_out_and_nothing_says_none(document, snapshot) -> None:
    text = _text(document)

    assert not ISO_DAY.findall(text)
    assert not re.search(r"\bNone\b", text)
    assert "31 March 2024" in text  # the actions' due date
    assert "1 January 2024 to 31 March 2024" in text  # the quarter, in the purpose


def test_the_page_is_a4_marked_official_with_the_partnership_and_quarter_at_its_foot(document, snapshot) -> None:
    section = document.sections[0]
    cover = [p.text for p in document.paragraphs[:6]]

    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.page_width < section.page_height
    assert [p.text for p in section.header.paragraphs] == ["OFFICIAL"]
    foot = section.footer.paragraphs[0].text
    assert snapshot["partnership"] in foot
    assert "2023-24 Q4" in foot
    assert cover[:2] == [snapshot["partnership"], "The Safer Thematic Board"]
    assert "Version 2. Figures frozen on 20 April 2024; later changes in the portal do not change this report." in cover
    assert round(section.left_margin.mm) == 15


def test_a_draft_says_so_on_its_cover(snapshot) -> None:
    draft = _text(_open(render_docx({**snapshot, "is_draft": True}, version=1)))

    assert "Draft. Compiled before the quarter ended: its figures may still change." in draft


def test_the_same_snapshot_gives_the_same_bytes_dated_when_its_figures_were_frozen(
    rendered, document, snapshot
) -> None:
    with time_machine.travel(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)):
        again = render_docx(copy.deepcopy(snapshot), version=2)
    properties = document.core_properties

    assert again == rendered
    assert properties.created == properties.modified == dt.datetime(2024, 4, 20, 8, 0, tzinfo=dt.UTC)
    assert properties.title == f"{snapshot['partnership']}: performance report, 2023-24 Q4 (version 2)"
    assert properties.author == snapshot["partnership"]


def test_an_old_snapshot_without_the_board_paper_still_renders(snapshot) -> None:
    old = copy.deepcopy(snapshot)
    del old["paper"]
    for priority in old["priorities"]:
        del priority["commentary"]
    old["priorities"][0]["actions"][0]["commentary"] = "Sessions delivered.\vSchools booked."
    rendered = _open(render_docx(old, version=1))
    headings = [p.text for p in rendered.paragraphs if p.style.name == "Heading 1"]
    empty = {"period": {"label": "2023-24 Q4"}, "priorities": [], "indicators": []}  # a quarter before any plan
    empty_quarter = _text(_open(render_docx(empty, version=1)))

    assert headings[0] == "Purpose and decisions sought"
    assert "Summary" not in headings
    assert "Commentary" not in [p.text for p in rendered.paragraphs]
    assert "Sessions delivered.\nSchools booked." in _texts(rendered)  # Word's line break, not a control character
    assert "Quarterly performance report: 2023-24 Q4" in empty_quarter
    assert "No indicators." in empty_quarter
    assert not re.search(r"\bNone\b", empty_quarter)


def _compile(quarter) -> QuarterlyReport:
    report = QuarterlyReport.objects.create(period=quarter, version=1)
    assert report_compile(report_id=report.pk)
    report.refresh_from_db()
    return report


def test_a_compiled_report_offers_its_word_document_to_whoever_may_read_it(
    quarter, csp_admin, board_member, officer
) -> None:
    report = _compile(quarter)
    download = reverse("reports:download", args=[BEDFORD, report.pk, "docx"])
    report_publish(report=report, user=csp_admin)

    page = client_for(board_member).get(reverse("reports:report", args=[BEDFORD, report.pk])).content.decode()
    response = client_for(board_member).get(download)

    assert report.docx_file == f"quarterly-report-2023-24-q4-v{report.version}.docx"
    assert "Word (.docx)" in page
    assert download in page
    assert response.status_code == 200
    assert response["Content-Type"] == WORD
    assert report.docx_file in response["Content-Disposition"]
    document = _open(b"".join(response.streaming_content))
    assert "Quarterly performance report: 2023-24 Q4" in _text(document)
    assert client_for(officer).get(download).status_code == 403  # as the permission matrix says
