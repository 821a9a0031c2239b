"""The checks every import shares: one date rule, problems in line order, headings, and
rows that are empty or longer than the heading row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import ValidationError

from core.imports import (
    Problem,
    data_rows,
    date_read,
    problems_sorted,
    repeated_headings,
    unnamed_column_problem,
    upload_check,
)
from core.tables import Table


@pytest.mark.parametrize(
    "written",
    [
        "2024-03-31",
        "2024-03-31T09:30:00",
        "31/03/2024",
        "31/03/24",
        "31-03-2024",
        "31 March 2024",
        "31 Mar 2024",
        "31/03/2024 14:05",
        "45382",
        45382,
        45382.0,
        dt.date(2024, 3, 31),
        dt.datetime(2024, 3, 31, 13, 45),
    ],
)
def test_one_rule_reads_every_usual_way_of_writing_a_date(written: object) -> None:
    assert date_read(written) == dt.date(2024, 3, 31)


@pytest.mark.parametrize("written", ["03/31/2024", "31/02/2024", "yesterday", "12345", "2024-13-01"])
def test_a_date_that_is_not_one_is_refused_never_guessed(written: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        date_read(written)


def test_problems_read_by_line_in_line_order_keeping_the_order_found_within_a_line() -> None:
    found = [Problem(7, "b"), Problem(0, "the file"), Problem(3, "c"), Problem(7, "a")]

    assert [str(p) for p in problems_sorted(found)] == ["the file", "Line 3: c", "Line 7: b", "Line 7: a"]


def test_headings_given_twice_or_missing_over_data_are_found() -> None:
    table = Table(headers=["id", "", "ward", "id", ""], rows=[(2, ["1", "x", "A", "1"]), (3, ["2", "", "B", "2", ""])])

    assert repeated_headings(table.headers) == ["id"]
    assert unnamed_column_problem(table) == Problem(1, "column 2 has data but no heading: give it one.")
    assert unnamed_column_problem(Table(headers=["id", ""], rows=[(2, ["1", " "])])) is None


def test_empty_rows_are_skipped_and_rows_longer_than_the_headings_refused() -> None:
    table = Table(headers=["a", "b", "c"], rows=[(2, ["1"]), (3, ["", None, " "]), (4, ["1", "2", "3", "4"]), (6, [])])
    problems: list[Problem] = []
    blank: list[int] = []

    rows = list(data_rows(table, problems, blank))

    assert rows == [(2, ["1", None, None])]
    assert blank == [3, 6]
    assert problems == [Problem(4, "the row has 4 cells but there are 3 headings")]


def test_one_upload_limit_for_every_import(settings) -> None:
    settings.IMPORT_MAX_BYTES = 2 * 1024 * 1024
    assert upload_check(SimpleUploadedFile("a.CSV", b"x" * 1024))
    with pytest.raises(ValidationError, match="smaller than 2 MB"):
        upload_check(SimpleUploadedFile("a.xlsx", b"x" * (2 * 1024 * 1024 + 1)))
    with pytest.raises(ValidationError, match=r"must be a \.csv or \.xlsx file"):
        upload_check(SimpleUploadedFile("a.txt", b"x"))
