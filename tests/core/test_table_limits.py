"""No upload can tie up the server: columns, cell length, unpacked size and rows are limited
before (or as) a table is read, each with a clear error."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from core.tables import MAX_CELL, MAX_COLUMNS, MAX_ROWS, TableError, read_rows


def _xlsx(fill) -> bytes:  # type: ignore[no-untyped-def]
    book = openpyxl.Workbook()
    fill(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_csv_heading_row_of_40000_columns_is_refused_at_once() -> None:
    content = (",".join(f"c{i}" for i in range(40_000)) + "\r\n").encode()
    started = time.monotonic()

    with pytest.raises(TableError, match=f"Line 1 has 40,000 cells: a file can have at most {MAX_COLUMNS} columns"):
        read_rows("wide.csv", content)
    assert time.monotonic() - started < 5  # the old duplicate check took minutes; this is a sanity bound


def test_a_csv_cell_longer_than_a_spreadsheet_cell_is_refused_with_its_line() -> None:
    content = f"id,answer\r\n1,short\r\n2,{'x' * (MAX_CELL + 1)}\r\n".encode()

    with pytest.raises(TableError, match=f"Line 3: a cell holds more than {MAX_CELL:,} characters"):
        read_rows("long.csv", content)


def test_a_workbook_that_unpacks_far_beyond_its_size_is_refused_before_it_is_opened() -> None:
    small = _xlsx(lambda sheet: sheet.append(["id", "answer"]))
    buffer = io.BytesIO(small)
    with (
        zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/padding.bin", "w") as out,
    ):
        for _ in range(120):
            out.write(b"\0" * (1024 * 1024))  # 120 MB of zeros: about 120 KB packed
    bomb = buffer.getvalue()
    assert len(bomb) < 2 * 1024 * 1024

    with pytest.raises(TableError, match="The workbook unpacks to 120 MB"):
        read_rows("bomb.xlsx", bomb)


def test_a_workbook_wider_or_longer_than_the_limits_is_refused_from_its_stated_size() -> None:
    wide = _xlsx(lambda sheet: sheet.cell(row=1, column=MAX_COLUMNS + 1, value="too far"))
    long = _xlsx(lambda sheet: sheet.cell(row=MAX_ROWS + 2, column=1, value="too far"))

    with pytest.raises(TableError, match=f"The sheet is {MAX_COLUMNS + 1} columns wide"):
        read_rows("wide.xlsx", wide)
    with pytest.raises(TableError, match=f"more than {MAX_ROWS:,} rows"):
        read_rows("long.xlsx", long)


def test_a_workbook_cell_longer_than_a_spreadsheet_cell_is_refused_with_its_line() -> None:
    # openpyxl will not write such a cell, but another tool can: put one in the archive by hand.
    made = _xlsx(lambda sheet: [sheet.append(["id", "answer"]), sheet.append(["1", "PLACEHOLDER"])])
    source, crafted = zipfile.ZipFile(io.BytesIO(made)), io.BytesIO()
    with zipfile.ZipFile(crafted, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for member in source.infolist():
            data = source.read(member.filename)
            out.writestr(member, data.replace(b"PLACEHOLDER", b"x" * (MAX_CELL + 1)))

    with pytest.raises(TableError, match=f"Line 2: a cell holds more than {MAX_CELL:,} characters"):
        read_rows("long.xlsx", crafted.getvalue())


def test_files_within_the_limits_read_as_before() -> None:
    table = read_rows("ok.csv", ("id,answer\r\n1," + "y" * MAX_CELL + "\r\n").encode())

    assert table.rows == [(2, ["1", "y" * MAX_CELL])]
