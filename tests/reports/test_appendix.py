"""The spreadsheet appendix is one an analyst can keep and work in: dates are dates, figures
are numbers, a missing figure is an empty cell, RAG ratings read as on the pages, and every
table has its headings frozen, a filter and columns fitted to what they hold.

Most tests render the appendix from the quarter's snapshot (`report_build`) without the PDF,
which is slow and tested elsewhere; the compiled report's own file is checked once."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
import time_machine
from openpyxl.worksheet.worksheet import Worksheet

from actionplans.models import ActionUpdate
from reports.appendix import MAX_WIDTH, MIN_WIDTH, render_xlsx
from reports.quarter import report_build

pytestmark = pytest.mark.django_db

TABLES = ["Actions", "Milestones", "Indicators"]
RAG_WORDS = {"Red", "Amber", "Green", "Not rated"}


def _book(snapshot: dict[str, Any], version: int = 1) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(render_xlsx(snapshot, version=version)))


def _column(sheet: Worksheet, heading: str) -> list[Any]:
    headings = [cell.value for cell in sheet[1]]
    index = headings.index(heading)
    return [row[index] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def snapshot(quarter) -> dict[str, Any]:
    built = report_build(quarter)
    built["is_draft"] = False
    return built


def test_it_has_an_about_sheet_then_a_sheet_each_for_actions_milestones_and_indicators(snapshot) -> None:
    book = _book(snapshot, version=3)
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}

    assert book.sheetnames == ["About", *TABLES]
    assert about["Partnership"] == snapshot["partnership"]
    assert about["Quarter"] == "2023-24 Q4"
    assert about["Report version"] == 3
    assert about["Quarter ends"] == dt.datetime(2024, 3, 31)
    assert about["Figures frozen on"] == dt.datetime(2024, 4, 20)
    assert "appendix" in about["What this is"]
    assert about["RAG: Red"].startswith("Off track")


def test_dates_are_date_cells_and_counts_and_figures_are_numbers(snapshot) -> None:
    book = _book(snapshot)
    actions, milestones, indicators = (book[name] for name in TABLES)

    due = _column(actions, "Due")
    assert due
    assert all(isinstance(value, dt.datetime) for value in due)
    assert actions.cell(row=2, column=5).number_format == "d mmmm yyyy"
    assert all(isinstance(value, dt.datetime) for value in _column(milestones, "Due"))
    completed = _column(milestones, "Completed")
    assert any(isinstance(value, dt.datetime) for value in completed)
    assert all(value is None or isinstance(value, dt.datetime) for value in completed)
    for sheet in (actions, milestones, indicators):
        assert all(isinstance(value, int) for value in _column(sheet, "Priority"))
    for heading in ("Baseline", "Target", "This quarter", "Last quarter", "Same quarter last year"):
        assert all(value is None or isinstance(value, int | float) for value in _column(indicators, heading))
    assert any(isinstance(value, int | float) for value in _column(indicators, "This quarter"))


def test_a_percentage_stays_the_number_the_page_shows_with_a_percent_format(snapshot) -> None:
    sheet = _book(snapshot)["Indicators"]
    row = next(i for i, unit in enumerate(_column(sheet, "Unit"), start=2) if unit == "%")
    figure = next(i for i in snapshot["indicators"] if i["unit"] == "%")["this_quarter"]
    cell = sheet.cell(row=row, column=[c.value for c in sheet[1]].index("This quarter") + 1)

    assert cell.value == pytest.approx(figure)
    assert cell.value > 1  # 35.8, not 0.358
    assert cell.number_format.endswith('" %"')


def test_a_missing_figure_is_an_empty_cell_and_no_cell_says_none_or_a_dash(snapshot) -> None:
    snapshot["indicators"][0]["this_quarter"] = None
    book = _book(snapshot)
    texts = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]

    assert _column(book["Indicators"], "This quarter")[0] is None
    assert None in _column(book["Indicators"], "Same quarter last year")
    assert not {"None", "none", "–", "-", ""} & {value for value in texts if isinstance(value, str)}


def test_rag_reads_in_words_as_on_the_pages(snapshot) -> None:
    ratings = _column(_book(snapshot)["Actions"], "RAG")
    expected = {"red": "Red", "amber": "Amber", "green": "Green", "": "Not rated"}

    assert set(ratings) <= RAG_WORDS
    assert {"Not rated", "Green"} <= set(ratings)
    assert ratings == [expected[a["rag"]] for p in snapshot["priorities"] for a in p["actions"]]


def test_every_table_has_bold_frozen_headings_a_filter_and_fitted_columns(snapshot) -> None:
    book = _book(snapshot)

    for name in ["About", *TABLES]:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.bold for cell in sheet[1])
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
        assert all(MIN_WIDTH <= width <= MAX_WIDTH for width in widths), (name, widths)
    for name in TABLES:
        assert book[name].auto_filter.ref == book[name].dimensions
    actions = book["Actions"]
    headings = [cell.value for cell in actions[1]]
    assert actions.column_dimensions["B"].width < actions.column_dimensions["C"].width  # reference < title
    assert actions.cell(row=2, column=headings.index("Commentary") + 1).alignment.wrap_text


def test_the_same_snapshot_gives_the_same_bytes(snapshot) -> None:
    first = render_xlsx(snapshot, version=1)
    with time_machine.travel(dt.datetime(2024, 5, 1, 15, 30, tzinfo=dt.UTC), tick=False):
        again = render_xlsx(snapshot, version=1)

    assert again == first
    assert render_xlsx(snapshot, version=2) != first


def test_an_officers_formula_like_text_is_inert(snapshot, quarter) -> None:
    reported = ActionUpdate.objects.filter(period=quarter, status__in=["submitted", "approved"]).first()
    assert reported is not None
    action = next(a for p in snapshot["priorities"] for a in p["actions"] if a["id"] == reported.action_id)
    action["commentary"] = '=HYPERLINK("http://example.invalid")'

    commentary = _column(_book(snapshot)["Actions"], "Commentary")

    assert '\'=HYPERLINK("http://example.invalid")' in commentary


def test_a_quarter_with_no_plan_gives_the_headings_alone() -> None:
    book = _book({"period": {"label": "2023-24 Q4"}, "priorities": [], "indicators": []})

    assert [book[name].max_row for name in TABLES] == [1, 1, 1]
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Quarter"] == "2023-24 Q4"
    assert about["Figures frozen on"] is None
