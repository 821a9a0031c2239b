"""What every import shares, so the action import and the consultation import check a file
the same way: one upload limit, the checks a table gets before its rows mean anything
(headings, wholly empty rows, rows with more cells than headings), one way of reading a
date, and problems named by their line in the file, in line order.

Reading the file itself is `core.tables.read_rows`; holding it between the check and the
confirm is `core.models.StagedUpload`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from .tables import Table

EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


class Problem(NamedTuple):
    """One reason a file cannot be imported, and its line in the file (0: the whole file)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}" if self.line else self.message


def problems_sorted(problems: Iterable[Problem]) -> list[Problem]:
    """In line order; problems of one line stay in the order they were found."""
    return sorted(problems, key=lambda problem: problem.line)


def max_upload_mb() -> int:
    return int(settings.IMPORT_MAX_BYTES // (1024 * 1024))


def upload_check(upload: UploadedFile) -> UploadedFile:
    """A form's uploaded file, refused unless it is a CSV or XLSX file within the one limit."""
    if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
        raise forms.ValidationError("The file must be a .csv or .xlsx file")
    if (upload.size or 0) > settings.IMPORT_MAX_BYTES:
        raise forms.ValidationError(f"The file must be smaller than {max_upload_mb()} MB")
    return upload


# Cells and rows -------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: blank for an empty cell, 3 (not 3.0) for a whole number from Excel."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def repeated_headings(headers: list[str]) -> list[str]:
    """Headings given more than once (each named once, in order)."""
    counts = Counter(headers)
    return sorted(h for h, n in counts.items() if h and n > 1)


def unnamed_column_problem(table: Table) -> Problem | None:
    """A column with data but no heading: nothing would say what it holds."""
    blank = [index for index, heading in enumerate(table.headers) if not heading]
    with_data = [
        str(index + 1)
        for index in blank
        if any(index < len(values) and cell_text(values[index]) for _, values in table.rows)
    ]
    if with_data:
        return Problem(1, f"column {', '.join(with_data)} has data but no heading: give it one.")
    return None


def data_rows(table: Table, problems: list[Problem], blank_lines: list[int]) -> Iterator[tuple[int, list[Any]]]:
    """Each row that holds data, with its line, padded to the headings. Wholly empty rows
    are layout, not data (spreadsheets often end with some): their lines go to
    `blank_lines`. A row with more cells than headings goes to `problems`."""
    width = len(table.headers)
    for line, values in table.rows:
        if not any(cell_text(value) for value in values):
            blank_lines.append(line)
            continue
        if any(cell_text(value) for value in values[width:]):
            problems.append(Problem(line, f"the row has {len(values)} cells but there are {width} headings"))
            continue
        yield line, [*values, *[None] * (width - len(values))][:width]


# Dates ----------------------------------------------------------------------------------


def date_read(value: Any) -> dt.date:
    """A date as people and spreadsheets write it, or ValueError. The one rule for every
    import: a date cell; an Excel serial day number (as Excel writes dates to CSV);
    2024-03-31 (with or without a time); 31/03/2024, 31/03/24, 31-03-2024; 31 March 2024,
    31 Mar 2024; a time after the date is ignored. Day before month, always."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        day = EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
        if dt.date(1990, 1, 1) <= day <= dt.date(2100, 12, 31):
            return day
    candidate = text.split("T")[0].split(" ")[0] if re.match(r"^\d{4}-\d\d-\d\d[T ]", text) else text
    candidate = re.sub(r"\s+\d{1,2}:\d\d(:\d\d)?$", "", candidate)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(candidate, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date")
