"""What a backup must hold for the reports: every file a ready report names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .files import REPORT_DIR
from .models import QuarterlyReport


def missing_files(cursor: Any, media: Path, *, placeholder: str) -> list[str]:
    """Problems with a restored backup: a ready report whose file is not in the restored media.
    `cursor` is a DB-API cursor on the restored database (not Django's connection)."""
    table = QuarterlyReport._meta.db_table
    cursor.execute(
        f'SELECT id, version, html_file, pdf_file, xlsx_file FROM "{table}" WHERE status = {placeholder}',  # noqa: S608
        [QuarterlyReport.Status.READY.value],
    )
    problems = []
    for report_id, version, *names in cursor.fetchall():
        for name in filter(None, names):
            if not (media / REPORT_DIR / str(report_id) / name).is_file():
                problems.append(f"report {report_id} (version {version}) names {name}, which the backup does not hold")
    return problems
