"""The report's spreadsheet appendix: the workbook an analyst keeps, written from the frozen
snapshot alone.

The snapshot is JSON, so its dates are ISO strings and its figures floats. An analyst sorts,
filters and sums, so every sheet turns them back into what they are: dates are date cells,
counts and figures are number cells (a percentage stays the number the pages show, 34 not
0.34, with "%" in its number format), and a missing figure is an empty cell rather than the
pages' dash, which a spreadsheet would take for text. RAG ratings, milestone states and
judgements are the words the pages use. Every table sheet has its heading row bold and
frozen, a filter over the table, columns as wide as their content (within limits) and long
narrative wrapped. Text a spreadsheet would run as a formula is made inert.

The same snapshot always gives the same bytes: the workbook's own timestamps are the time
its figures were frozen, not the time it was written.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from actionplans.models import Rag
from core.tables import inert

from .quarter import snapshot_date
from .templatetags.report_tags import figure

DATE_FORMAT = "d mmmm yyyy"
WHOLE_FORMAT = "#,##0"
MIN_WIDTH, MAX_WIDTH = 10, 60
# A ZIP file cannot date an entry before 1980; an empty quarter has no frozen time.
EPOCH = dt.datetime(1980, 1, 1)
RAG_WORDS = {rag.value: rag.label for rag in Rag}
NOT_RATED = "Not rated"


@dataclass(frozen=True)
class Column:
    """A heading, and whether its cells hold narrative, which wraps rather than widens the
    column. A cell's format follows its value: a date, a whole number or a `Figure`."""

    heading: str
    long: bool = False


class Figure(NamedTuple):
    """An indicator's figure with its unit: the unit decides the number format of the cell."""

    value: float | None
    unit: str


ACTION_COLUMNS = [
    Column("Priority"),
    Column("Reference"),
    Column("Action", long=True),
    Column("Lead"),
    Column("Due"),
    Column("RAG"),
    Column("Update"),
    Column("Commentary", long=True),
    Column("Issues and risks", long=True),
    Column("Support asked of the board", long=True),
]
MILESTONE_COLUMNS = [
    Column("Priority"),
    Column("Action"),
    Column("Milestone", long=True),
    Column("Due"),
    Column("Completed"),
    Column("State at the quarter's end"),
]
INDICATOR_COLUMNS = [
    Column("Priority"),
    Column("Indicator", long=True),
    Column("Unit"),
    Column("Higher is better"),
    Column("Baseline"),
    Column("Baseline period"),
    Column("Target"),
    Column("This quarter"),
    Column("Last quarter"),
    Column("Same quarter last year"),
    Column("Against last quarter"),
    Column("Against last year"),
    Column("Status against target"),
    Column("Provisional"),
    Column("Source", long=True),
    Column("Note", long=True),
]
ABOUT_COLUMNS = [Column("About this workbook"), Column("Detail", long=True)]


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _capfirst(text: str) -> str:
    """As the pages' `capfirst`: "on target" reads "On target"."""
    return text[:1].upper() + text[1:]


def rag_word(rag: str | None) -> str:
    """The RAG rating as the pages show it (`includes/_rag.html`): Red, Amber, Green or Not rated."""
    return RAG_WORDS.get(rag or "", NOT_RATED)


def _figure_format(figure: Figure) -> str:
    """As the pages' `figure` filter: whole numbers without decimals, others to one place,
    and " %" after a percentage, so the cell reads as the page does and stays a number."""
    value = figure.value or 0
    number = WHOLE_FORMAT if value == int(value) else "#,##0.0"
    return f'{number}" %"' if figure.unit.strip() == "%" else number


def _shown(value: Any) -> str:
    """The text a cell shows, to size its column."""
    if value is None:
        return ""
    if isinstance(value, Figure):
        return "" if value.value is None else figure(value.value, value.unit.strip())
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, int | float):
        return f"{value:,}"
    return str(value)


def _width(texts: Iterable[str]) -> float:
    """A column as wide as its longest line, within limits (long text wraps instead)."""
    longest = max((len(line) for text in texts for line in text.splitlines()), default=0)
    return float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH))


def _write_table(
    sheet: Any, columns: Sequence[Column], rows: Iterable[Sequence[Any]], *, filtered: bool = True
) -> None:
    """Write a heading row and its rows, each cell formatted by its value; bold
    the headings and freeze them, fit the columns and, for a table, filter it."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold, top, wrapped = Font(bold=True), Alignment(vertical="top"), Alignment(vertical="top", wrap_text=True)
    sheet.append([column.heading for column in columns])
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = top
    shown: list[list[str]] = [[column.heading] for column in columns]
    for line, values in enumerate(rows, start=2):
        for number, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            shown[number - 1].append(_shown(value))
            cell = sheet.cell(row=line, column=number)
            if isinstance(value, Figure):
                cell.value = value.value
                cell.number_format = _figure_format(value)
            else:
                # An empty text is no cell at all, as a missing figure is.
                cell.value = (inert(value) or None) if isinstance(value, str) else value
            if isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = WHOLE_FORMAT
            cell.alignment = wrapped if column.long else top
    for number, texts in enumerate(shown, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = _width(texts)
    sheet.freeze_panes = "A2"
    if filtered:
        sheet.auto_filter.ref = sheet.dimensions


def _action_rows(snapshot: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            priority["number"],
            action["reference"],
            action["title"],
            action["lead"],
            snapshot_date(action["due"]),
            rag_word(action["rag"]),
            action["update_status"],
            action["commentary"],
            action["issues"],
            action["support"],
        ]
        for priority in snapshot.get("priorities", [])
        for action in priority["actions"]
    ]


def _milestone_rows(snapshot: dict[str, Any]) -> list[list[Any]]:
    return [
        [
            priority["number"],
            action["reference"],
            milestone["title"],
            snapshot_date(milestone["due"]),
            snapshot_date(milestone["completed"]),
            _capfirst(milestone["state"]),
        ]
        for priority in snapshot.get("priorities", [])
        for action in priority["actions"]
        for milestone in action.get("milestone_list", [])
    ]


def _indicator_rows(snapshot: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for row in snapshot.get("indicators", []):
        unit = row["unit"]
        rows.append(
            [
                row["priority"],
                row["title"],
                unit,
                _yes_no(row["higher_is_better"]),
                Figure(row["baseline"], unit),
                row.get("baseline_label", ""),
                Figure(row["target"], unit),
                Figure(row["this_quarter"], unit),
                Figure(row["last_quarter"], unit),
                Figure(row["same_quarter_last_year"], unit),
                _capfirst(row["direction_last_quarter"]),
                _capfirst(row["direction_last_year"]),
                _capfirst(row["status"]),
                _yes_no(row["provisional"]),
                row.get("source", ""),
                row.get("note", ""),
            ]
        )
    return rows


def frozen_at(snapshot: dict[str, Any]) -> dt.datetime:
    """When the snapshot's figures were frozen, in UTC without its zone (as a workbook keeps
    its timestamps); an empty quarter's snapshot has no such time."""
    built_at = snapshot.get("built_at")
    if not built_at:
        return EPOCH
    moment = dt.datetime.fromisoformat(built_at)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return max(moment, EPOCH)


def _about_rows(snapshot: dict[str, Any], version: int) -> list[list[Any]]:
    """What the workbook is, so that a copy kept apart from the report still says so."""
    period = snapshot.get("period", {})
    frozen = snapshot.get("built_at")
    rows: list[list[Any]] = [
        ["Partnership", snapshot.get("partnership", "")],
        ["Board", snapshot.get("board", "")],
        ["Plan", snapshot.get("plan", "")],
        ["Quarter", period.get("label", "")],
        ["Quarter starts", snapshot_date(period.get("starts"))],
        ["Quarter ends", snapshot_date(period.get("ends"))],
        ["Report version", version],
        ["Figures frozen on", snapshot_date(frozen)],
        ["Draft", _yes_no(bool(snapshot.get("is_draft")))],
        [
            "What this is",
            "The spreadsheet appendix of this version of the published quarterly performance report: its "
            "actions, milestones and indicators as they stood when its figures were frozen. Later changes "
            "in the portal do not change it.",
        ],
    ]
    rows += [[f"RAG: {item['label']}", item["meaning"]] for item in snapshot.get("rag_key", [])]
    rows.append([f"RAG: {NOT_RATED}", "No rating in a submitted or approved return this quarter."])
    return rows


def _about(sheet: Any, snapshot: dict[str, Any], version: int) -> None:
    """The About sheet: labels and details, its dates as date cells. It is not a table, so
    it has no filter; its labels are bold, as headings."""
    from openpyxl.styles import Font

    _write_table(sheet, ABOUT_COLUMNS, _about_rows(snapshot, version), filtered=False)
    for (label,) in sheet.iter_rows(min_row=2, max_col=1):
        label.font = Font(bold=True)


def same_bytes(content: bytes, when: dt.datetime) -> bytes:
    """The workbook's ZIP again with every entry dated `when`, so that writing it twice
    gives the same file (ZIP otherwise dates each entry with the time it was written)."""
    stamp = when.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = entry.external_attr
            target.writestr(fixed, source.read(entry.filename))
    return out.getvalue()


def render_xlsx(snapshot: dict[str, Any], *, version: int) -> bytes:
    """The appendix: About, then actions, milestones and indicators, a sheet each."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "About"
    _about(about, snapshot, version)
    _write_table(book.create_sheet("Actions"), ACTION_COLUMNS, _action_rows(snapshot))
    _write_table(book.create_sheet("Milestones"), MILESTONE_COLUMNS, _milestone_rows(snapshot))
    _write_table(book.create_sheet("Indicators"), INDICATOR_COLUMNS, _indicator_rows(snapshot))
    when = frozen_at(snapshot)
    book.properties.created = book.properties.modified = when
    book.properties.creator = "Community Safety Partnership portal"
    book.properties.title = f"{snapshot.get('partnership', '')}: performance report appendix, " + (
        f"{snapshot.get('period', {}).get('label', '')} (version {version})"
    )
    buffer = io.BytesIO()
    # Not `book.save`, which stamps the workbook with the time it is written.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    return same_bytes(buffer.getvalue(), when)
