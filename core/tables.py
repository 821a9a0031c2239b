"""Tables people upload (CSV or XLSX) and tables they download, for every app's imports
and exports.

`read_rows` reads a file into its heading row and data rows, each row with its line in the
file (a quoted cell may span several lines), and refuses what it cannot read with a
`TableError` that says why and what to do. `download` sends a table as CSV or XLSX with no
cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import tablib
from django.http import HttpResponse

from .text import clean_cell, clean_text

# What a table may hold, checked before (or while) it is read, so that no upload can tie up
# the server: rows and columns far beyond any partnership's file, a cell no longer than a
# spreadsheet cell can be, and a workbook no bigger unpacked than ten times the upload limit.
MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL = 32_767  # Excel's own limit for one cell
MAX_UNPACKED = 100 * 1024 * 1024
csv.field_size_limit(MAX_CELL)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class TableError(Exception):
    """The file cannot be read as a table at all; the message says why and what to do."""


@dataclass
class Table:
    """A file's heading row and its data rows, each with its line number in the file."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # exc.start counts from after a byte-order mark, as exc.object does.
        line = exc.object[: exc.start].count(b"\n") + 1
        raise TableError(
            f"Line {line}: the file is not UTF-8 text (it may have been saved as “CSV” rather than “CSV UTF-8”). "
            "In Excel choose File, Save As, “CSV UTF-8 (Comma delimited)”, then upload it again."
        ) from exc


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    if "\x00" in text:
        raise TableError("The file holds null characters: it is not a text CSV file. Export it again as CSV UTF-8.")
    # newline="" lets the csv module keep line breaks inside quoted answers, and count lines.
    # strict: an unclosed quote is an error naming its line, not the rest of the file in one cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    headers: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    line = 1
    try:
        for record in reader:
            _check_width(line, len(record))
            record = [clean_text(cell) for cell in record]
            if headers is None:
                headers = record
            else:
                rows.append((line, record))
            line = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                raise TableError(f"The file has more than {MAX_ROWS:,} rows: split it and import each part.")
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise TableError(_too_long(line)) from exc
        raise TableError(f"Line {line}: the file could not be read as CSV ({exc}).") from exc
    if headers is None:
        raise TableError("The file is empty: it needs a heading row and a row for each record.")
    if not any(h.strip() for h in headers):
        raise TableError("Line 1 is empty: the file must start with its heading row.")
    return Table(headers=headers, rows=rows)


def _check_width(line: int, cells: int) -> None:
    if cells > MAX_COLUMNS:
        raise TableError(
            f"Line {line} has {cells:,} cells: a file can have at most {MAX_COLUMNS} columns. "
            "Remove the columns the import does not need, then upload it again."
        )


def _too_long(line: int) -> str:
    return (
        f"Line {line}: a cell holds more than {MAX_CELL:,} characters, more than a spreadsheet cell can. "
        "Shorten it, then upload the file again."
    )


def _check_unpacked_size(content: bytes) -> None:
    """A workbook is a zip archive: refuse one that unpacks to far more than it weighs."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise TableError(
            "The file could not be read as a table: it could not be opened as an Excel workbook (.xlsx)."
        ) from exc
    if unpacked > MAX_UNPACKED:
        raise TableError(
            f"The workbook unpacks to {unpacked / 1024 / 1024:,.0f} MB, more than the "
            f"{MAX_UNPACKED // 1024 // 1024} MB a table of responses or actions needs: "
            "save only the sheet to import, as CSV UTF-8, and upload that."
        )


def _read_xlsx(content: bytes) -> Table:
    import openpyxl

    _check_unpacked_size(content)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(
            "The file could not be read as a table: it could not be opened as an Excel workbook (.xlsx)."
        ) from exc
    try:
        used = [sheet for sheet in book.worksheets if sheet.max_row and sheet.max_row > 1]
        if len(used) > 1:
            names = ", ".join(sheet.title for sheet in used)
            raise TableError(f"The workbook has data on {len(used)} sheets ({names}): keep one sheet, then upload it.")
        sheet = used[0] if used else book.worksheets[0]
        # The sheet's stated size, before a row is read (checked again row by row below).
        if (sheet.max_row or 0) > MAX_ROWS + 1:
            raise TableError(f"The file has more than {MAX_ROWS:,} rows: split it and import each part.")
        if (sheet.max_column or 0) > MAX_COLUMNS:
            raise TableError(
                f"The sheet is {sheet.max_column:,} columns wide: a file can have at most {MAX_COLUMNS}. Delete the "
                "columns the import does not need (empty ones at the right too), then upload it again."
            )
        headers: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            _check_width(number, len(values))
            if any(isinstance(value, str) and len(value) > MAX_CELL for value in values):
                raise TableError(_too_long(number))
            if headers is None:
                headers = ["" if value is None else clean_text(str(value)) for value in values]
            else:
                rows.append((number, [clean_cell(value) for value in values]))
            if len(rows) > MAX_ROWS:
                raise TableError(f"The file has more than {MAX_ROWS:,} rows: split it and import each part.")
    finally:
        book.close()
    if not headers or not any(h.strip() for h in headers):
        raise TableError("The workbook's first row is empty: it needs a heading row and a row for each record.")
    return Table(headers=headers, rows=rows)


def read_rows(name: str, content: bytes) -> Table:
    """A CSV (UTF-8, with or without a byte-order mark, any line endings) or XLSX file as a table."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return _read_csv(content)
    if lower.endswith(".xlsx"):
        return _read_xlsx(content)
    raise TableError("Upload a .csv or .xlsx file.")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """A cell a spreadsheet will show as text, never run as a formula (CSV injection), and
    that XLSX can hold (text saved before it was cleaned where it entered, too)."""
    value = clean_cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def download(dataset: tablib.Dataset, *, fmt: str, filename: str) -> HttpResponse:
    """The table as a CSV or XLSX attachment, every cell inert."""
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append([inert(value) for value in row])
    if fmt == "csv":
        response = HttpResponse(safe.export("csv"), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(safe.export("xlsx"), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
