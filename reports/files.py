"""The report's files, written atomically from the frozen snapshot alone (the spreadsheet
appendix is `appendix.render_xlsx`, the Word document `wordfile.render_docx`)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from core.charts import Chart, trend_chart

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
    """A tagged PDF/UA document, A4, page x of y (the CSS sets the page), with one tagged
    table for each table however many pages it crosses."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/ua-1", finisher=_join_split_tables
    )


def _join_split_tables(document: Any, pdf: Any) -> None:
    """One tagged table for each table of the HTML, however many pages it crosses.

    WeasyPrint 70 builds the structure tree page by page, so a table that crosses a page
    becomes one /Table per page, the first perhaps holding only its caption (WeasyPrint
    issue 2903); a screen reader then announces several tables. The PDF's /Table elements
    come in the order of the table boxes on the pages, and the boxes of one table share its
    HTML element: each later part's rows move into the table's first /Table, and the parts
    left empty leave the tree."""
    from weasyprint.formatting_structure import boxes

    def table_elements(box: Any) -> Iterator[Any]:
        if isinstance(box, boxes.MarginBox):
            return
        box = getattr(box, "_box", box)  # an absolutely positioned box's placeholder
        if box.is_table_wrapper:
            yield box.element
        for child in getattr(box, "children", ()):
            yield from table_elements(child)

    def get(reference: bytes) -> Any:
        return pdf.objects[int(reference.split()[0])]

    def struct_tables(element: Any) -> Iterator[Any]:
        if element.get("S") == "/Table":
            yield element
        for kid in element.get("K", ()):
            if isinstance(kid, bytes) and get(kid).get("Type") == "/StructElem":
                yield from struct_tables(get(kid))

    if "StructTreeRoot" not in pdf.catalog:
        return
    html_tables = [element for page in document.pages for element in table_elements(page._page_box)]
    root = get(pdf.catalog["StructTreeRoot"])
    tagged = [table for kid in root["K"] for table in struct_tables(get(kid))]
    if len(html_tables) != len(tagged):  # not the layout this was written for: leave it be
        return
    if not all(isinstance(kid, bytes) for table in tagged for kid in table["K"]):
        return  # a table holding marked content directly, not elements: likewise
    first: dict[Any, Any] = {}
    for element, table in zip(html_tables, tagged, strict=True):
        whole = first.setdefault(element, table)
        if whole is table:
            continue
        for kid in table["K"]:
            get(kid)["P"] = whole.reference
            whole["K"].append(kid)
        table["K"].clear()
        part = table
        while not part["K"] and part.get("S") != "/Document":
            parent = get(part["P"])
            parent["K"].remove(part.reference)
            part = parent
