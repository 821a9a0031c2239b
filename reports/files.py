"""The report's three files, written atomically from the frozen snapshot alone."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from core.charts import Chart, trend_chart
from core.tables import inert

REPORT_DIR = "reports"


def report_dir(report_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / REPORT_DIR / str(report_id)


def write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(temporary, path)


def charts_for(snapshot: dict[str, Any]) -> dict[int, Chart]:
    return {
        row["id"]: trend_chart(title=row["title"], unit=row["unit"], series=row["series"], target=row["target"])
        for row in snapshot.get("indicators", [])
    }


def render_html(snapshot: dict[str, Any], *, version: int, charts: dict[int, Chart], for_print: bool) -> str:
    """The report document. `for_print` points charts at files (PDF); else at their URLs."""
    return render_to_string(
        "reports/report_document.html",
        {"s": snapshot, "version": version, "charts": charts, "for_print": for_print},
    )


def render_pdf(html: str) -> bytes:
    """A tagged PDF/UA document, A4, page x of y (the CSS sets the page)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")


ACTION_HEADINGS = [
    "Priority",
    "Reference",
    "Action",
    "Lead",
    "Due",
    "RAG",
    "Update",
    "Commentary",
    "Issues and risks",
    "Support asked of the board",
]
MILESTONE_HEADINGS = ["Priority", "Action", "Milestone", "Due", "Completed", "State at the quarter's end"]
INDICATOR_HEADINGS = [
    "Priority",
    "Indicator",
    "Unit",
    "Baseline",
    "Target",
    "This quarter",
    "Last quarter",
    "Same quarter last year",
    "Against last quarter",
    "Against last year",
    "Status",
    "Provisional",
]


def _action_line(priority: int, action: dict[str, Any]) -> list[Any]:
    texts = [
        action["reference"],
        action["title"],
        action["lead"],
        action["due"],
        action["rag"] or "not rated",
        action["update_status"],
        action["commentary"],
        action["issues"],
        action["support"],
    ]
    return [priority, *map(inert, texts)]


def _milestone_line(priority: int, action: dict[str, Any], milestone: dict[str, Any]) -> list[Any]:
    texts = [action["reference"], milestone["title"], milestone["due"], milestone["completed"], milestone["state"]]
    return [priority, *map(inert, texts)]


def _indicator_line(row: dict[str, Any]) -> list[Any]:
    return [
        row["priority"],
        inert(row["title"]),
        inert(row["unit"]),
        row["baseline"],
        row["target"],
        row["this_quarter"],
        row["last_quarter"],
        row["same_quarter_last_year"],
        row["direction_last_quarter"],
        row["direction_last_year"],
        row["status"],
        "yes" if row["provisional"] else "no",
    ]


def render_xlsx(snapshot: dict[str, Any]) -> bytes:
    """The appendix: actions, milestones and indicators, a sheet each, headings in bold and
    frozen; text that a spreadsheet would run as a formula is made inert."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    actions = book.active
    assert actions is not None
    actions.title = "Actions"
    actions.append(ACTION_HEADINGS)
    milestones = book.create_sheet("Milestones")
    milestones.append(MILESTONE_HEADINGS)
    for priority in snapshot.get("priorities", []):
        for action in priority["actions"]:
            actions.append(_action_line(priority["number"], action))
            for milestone in action.get("milestone_list", []):
                milestones.append(_milestone_line(priority["number"], action, milestone))
    indicators = book.create_sheet("Indicators")
    indicators.append(INDICATOR_HEADINGS)
    for row in snapshot.get("indicators", []):
        indicators.append(_indicator_line(row))
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
