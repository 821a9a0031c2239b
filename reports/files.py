"""The report's files, written atomically from the frozen snapshot alone (the spreadsheet
appendix is `appendix.render_xlsx`, the Word document `wordfile.render_docx`)."""

from __future__ import annotations

import os
import tempfile
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
    """A tagged PDF/UA document, A4, page x of y (the CSS sets the page)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
