"""What holds for any export at all: good rows are stored as written, one bad row anywhere
stops the whole import and is named by its line, nothing is ever half imported, a second
import adds nothing, and no file makes the importer raise anything but TableError."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import openpyxl
import pytest
import yaml
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from consultations.demo import HEADERS, MAPPING
from consultations.imports import MAX_TEXT, ImportCheck, Table, TableError, read_table
from consultations.models import AgeBand, Answer, Consultation, Response
from consultations.services import responses_import
from core.imports import EXCEL_EPOCH
from core.text import clean_text
from tests.helpers import CONSULTATIONS_FILE, ROOT

pytestmark = pytest.mark.django_db

PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# The 2022 consultation's questions and wards, as the data files hold them.
_DATA = yaml.safe_load(CONSULTATIONS_FILE.read_text(encoding="utf-8"))
_QUESTIONS = {q["number"]: q for q in next(c for c in _DATA["consultations"] if c["year"] == 2022)["questions"]}
OPTIONS = {number: [o["label"] for o in q.get("options", [])] for number, q in _QUESTIONS.items()}
_WARDS_FILE = ROOT / "data" / "consultations" / _DATA["wards"]
WARDS = [w["name"] for w in yaml.safe_load(_WARDS_FILE.read_text(encoding="utf-8"))["wards"]]

AGE_SPELLINGS = [
    ("Under 18", AgeBand.UNDER_18),
    ("under-18", AgeBand.UNDER_18),
    ("0-17", AgeBand.UNDER_18),
    ("18 to 24", AgeBand.AGE_18_24),
    ("18-24", AgeBand.AGE_18_24),
    ("18–24", AgeBand.AGE_18_24),
    ("25 to 34", AgeBand.AGE_25_34),
    ("35-44", AgeBand.AGE_35_44),
    ("45 to 54", AgeBand.AGE_45_54),
    ("55–64", AgeBand.AGE_55_64),
    ("65-74", AgeBand.AGE_65_74),
    ("75 or over", AgeBand.AGE_75_PLUS),
    ("75+", AgeBand.AGE_75_PLUS),
    ("75 plus", AgeBand.AGE_75_PLUS),
    ("Prefer not to say", AgeBand.PREFER_NOT),
    ("prefer-not-to-say", AgeBand.PREFER_NOT),
    ("Rather not say", AgeBand.PREFER_NOT),
]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%dT%H:%M:%S"]

# Any text a survey tool might put in a cell, short of a null character (which makes the
# whole file unreadable, a case the last property covers). Excel cannot hold control
# characters, "\r" (XML reads it as "\n") or U+FFFE/U+FFFF, and reads "=…" as a formula.
CSV_TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
XLSX_TEXT = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff", include_characters="\n\t")


@dataclass
class Row:
    """One row of a generated export: its cells (in HEADERS order, or fewer or more), and
    what a good row must store."""

    cells: list[Any]
    good: Good | None = None
    bad: str = ""  # why the row must be refused


@dataclass
class Good:
    """What a good row must store."""

    external_id: str
    ward: str | None
    age_band: str
    submitted_on: dt.date | None
    answers: dict[int, list[str]] = field(default_factory=dict)  # question number → labels, or [text]


@dataclass
class Export:
    rows: list[Row]
    fmt: str  # "csv" or "xlsx"
    newline: str = "\r\n"
    bom: bool = False

    @property
    def name(self) -> str:
        return f"export.{self.fmt}"

    def content(self) -> bytes:
        if self.fmt == "xlsx":
            book = openpyxl.Workbook()
            for cells in [HEADERS, *(row.cells for row in self.rows)]:
                book.active.append(cells)
            out = io.BytesIO()
            book.save(out)
            return out.getvalue()
        return (("\ufeff" if self.bom else "") + "".join(self._csv_lines())).encode("utf-8")

    def _csv_lines(self) -> Iterator[str]:
        # With Unix line endings, a lone "\r" in a cell is quoted only if every cell is.
        quoting = csv.QUOTE_MINIMAL if self.newline == "\r\n" else csv.QUOTE_ALL
        for cells in [HEADERS, *(row.cells for row in self.rows)]:
            out = io.StringIO()
            csv.writer(out, lineterminator=self.newline, quoting=quoting).writerow(
                ["" if cell is None else str(cell) for cell in cells]
            )
            yield out.getvalue()

    def lines(self) -> list[int]:
        """The line of the file each row starts on, counted as a text editor counts them."""
        if self.fmt == "xlsx":
            return [index + 2 for index in range(len(self.rows))]
        starts = []
        line = 1
        for text in self._csv_lines():
            starts.append(line)
            line += len(io.StringIO(text, newline="").readlines())
        return starts[1:]


# Strategies ---------------------------------------------------------------------------


def _cased(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, text.upper(), text.lower(), f" {text} "])


@st.composite
def good_rows(draw: st.DrawFn, index: int, fmt: str, prefix: str = "R") -> Row:
    """A row every cell of which is good, spelled in any of the ways people and tools spell it."""
    text = CSV_TEXT if fmt == "csv" else XLSX_TEXT
    suffix = draw(st.text(st.characters(exclude_categories=("Cs", "Cc", "Z")), max_size=8))
    external_id = f"{prefix}{index}-{suffix}"
    ward = draw(st.none() | st.sampled_from(WARDS))
    ward_cell = ""
    if ward:
        spelled = draw(
            st.sampled_from(
                [
                    ward,
                    ward.replace("Queens", "Queen’s"),
                    ward.replace(" and ", " & "),
                    f"{ward} ward",
                    "  ".join(ward.split()),
                ]
            )
        )
        ward_cell = draw(_cased(spelled))
    age_cell, age_band = draw(
        st.just(("", "")) | st.sampled_from(AGE_SPELLINGS).flatmap(lambda a: _cased(a[0]).map(lambda s: (s, a[1])))
    )
    submitted = draw(st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2060, 12, 31)))
    date_cell: Any = ""
    if submitted:
        written = st.sampled_from(DATE_FORMATS).map(submitted.strftime)
        serial = st.just((submitted - EXCEL_EPOCH).days)
        cell = st.just(dt.datetime.combine(submitted, dt.time(13, 45))) if fmt == "xlsx" else st.nothing()
        date_cell = draw(written | serial.map(str) | serial | cell)
    answers: dict[int, list[str]] = {}
    q1 = draw(st.sampled_from(OPTIONS[1]))
    answers[1] = [q1]
    q2 = draw(st.text(text, max_size=80) | st.just(" " + "x" * MAX_TEXT + "\n"))
    if fmt == "xlsx" and q2.startswith("="):
        q2 = "'" + q2
    # Stored as written, less the control characters every import drops (core.text.clean_text).
    if clean_text(q2).strip():
        answers[2] = [clean_text(q2).strip()]
    q3 = draw(st.lists(st.sampled_from(OPTIONS[3]), unique=True, max_size=4))
    separator = draw(st.sampled_from([";", "; ", " ;", "\n"]))
    if q3:
        answers[3] = q3
    q4 = draw(st.none() | st.sampled_from(OPTIONS[4]))
    if q4:
        answers[4] = [q4]
    cells = [
        external_id,
        date_cell,
        ward_cell,
        age_cell,
        draw(_cased(q1.replace("'", draw(st.sampled_from(["'", "’"]))))),
        q2,
        separator.join([draw(_cased(label)) for label in q3]),
        draw(_cased(q4)) if q4 else "",
    ]
    return Row(
        cells, Good(external_id.strip(), ward, str(age_band), submitted, {k: sorted(v) for k, v in answers.items()})
    )


BAD_KINDS: dict[str, Callable[[list[Any]], list[Any]]] = {
    "unknown ward": lambda cells: _with(cells, 2, "Atlantis"),
    "answer it does not offer": lambda cells: _with(cells, 4, "Maybe"),
    "one of several answers it does not offer": lambda cells: _with(cells, 6, "Alcohol; Fireworks"),
    "scale answer it does not offer": lambda cells: _with(cells, 7, "Heaps"),
    "no response id": lambda cells: _with(cells, 0, ""),
    "response id too long": lambda cells: _with(cells, 0, "R" * 65),
    "answer too long": lambda cells: _with(cells, 5, "y" * (MAX_TEXT + 1)),
    "unknown age band": lambda cells: _with(cells, 3, "ancient"),
    "not a date": lambda cells: _with(cells, 1, "31/02/2022"),
    "no answers": lambda cells: [*cells[:4], "", "", "", ""],
    "age band Excel made a date": lambda cells: _with(cells, 3, dt.datetime(2024, 1, 18)),
    "answer Excel made a date": lambda cells: _with(cells, 7, dt.datetime(2022, 5, 1)),
}


def _with(cells: list[Any], index: int, value: Any) -> list[Any]:
    return [*cells[:index], value, *cells[index + 1 :]]


def _junk(fmt: str) -> st.SearchStrategy[Any]:
    """Anything at all a cell might hold."""
    text = CSV_TEXT if fmt == "csv" else XLSX_TEXT
    return st.one_of(
        st.none(),
        st.text(text, max_size=30),
        st.text(text, min_size=MAX_TEXT - 5, max_size=MAX_TEXT + 5),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=False, allow_infinity=False, width=32),
        st.dates(dt.date(1901, 1, 1), dt.date(2200, 1, 1)),
        st.datetimes(dt.datetime(1901, 1, 1), dt.datetime(2200, 1, 1)),
        st.sampled_from(["Atlantis", "Qeens Park", "Maybe", "18 - 24", "44763", "1e5", "NaN", "=1+1", ";", "\n"]),
        st.sampled_from(WARDS + [label for labels in OPTIONS.values() for label in labels]),
    )


@st.composite
def exports(draw: st.DrawFn, *, bad: bool = False, junk: bool = False, max_rows: int = 8) -> Export:
    fmt = draw(st.sampled_from(["csv", "xlsx"]))
    export = Export([], fmt, newline=draw(st.sampled_from(["\r\n", "\n"])), bom=draw(st.booleans()))
    count = draw(st.integers(1, max_rows))
    for index in range(count):
        if draw(st.integers(0, 5)) == 0:
            export.rows.append(Row(draw(st.sampled_from([[], [""] * len(HEADERS), [" ", None, "\t"]]))))
        elif junk and draw(st.booleans()):
            cells = draw(st.lists(_junk(fmt), min_size=len(HEADERS) - 2, max_size=len(HEADERS)))
            earlier_ids = [row.cells[0] for row in export.rows if row.cells]
            if earlier_ids and draw(st.booleans()):
                cells[0] = draw(st.sampled_from(earlier_ids))  # the same response id again
            export.rows.append(Row(cells))
        else:
            export.rows.append(draw(good_rows(index, fmt)))
    if not any(row.good for row in export.rows):
        export.rows.append(draw(good_rows(count, fmt)))
    if fmt == "xlsx":
        # A workbook ends at its last used row: it has no empty rows at the end.
        while not any(cell not in (None, "") for cell in export.rows[-1].cells):
            export.rows.pop()
    if bad:
        kinds = [k for k in BAD_KINDS if fmt == "xlsx" or "Excel" not in k] + ["repeated response id"]
        kinds += ["more cells than headings"] if fmt == "csv" else []  # in a workbook, a column with no heading
        kind = draw(st.sampled_from(kinds))
        base = draw(good_rows(count, fmt, prefix="B")).cells
        if kind == "repeated response id":
            earlier = draw(st.sampled_from([row for row in export.rows if row.good]))
            cells = _with(base, 0, earlier.cells[0])
            position = draw(st.integers(export.rows.index(earlier) + 1, len(export.rows)))
        elif kind == "more cells than headings":
            cells = [*base, "Jo Bloggs"]
            position = draw(st.integers(0, len(export.rows)))
        else:
            cells = BAD_KINDS[kind](base)
            position = draw(st.integers(0, len(export.rows)))
        export.rows.insert(position, Row(cells, bad=kind))
    return export


# Helpers ------------------------------------------------------------------------------


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Each example starts from the consultation with no responses."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _read(name: str, content: bytes) -> Table | str:
    """The file as a table, or why it cannot be read."""
    try:
        return read_table(name, content)
    except TableError as exc:
        return str(exc)


def _counts() -> tuple[int, int, int]:
    return Response.objects.count(), Answer.objects.count(), Answer.history.count()


def _import(survey: Consultation, table: Table) -> ImportCheck:
    return responses_import(consultation=survey, table=table, mapping=MAPPING, user=None)


def _stored(survey: Consultation, external_id: str) -> Good:
    response = Response.objects.select_related("ward").get(consultation=survey, external_id=external_id)
    answers: dict[int, list[str]] = {}
    for answer in response.answers.select_related("option", "question"):
        answers.setdefault(answer.question.number, []).append(answer.option.label if answer.option else answer.text)
    return Good(
        external_id,
        response.ward.name if response.ward else None,
        response.age_band,
        response.submitted_on,
        {number: sorted(labels) for number, labels in answers.items()},
    )


def _assert_all_or_nothing(survey: Consultation, export: Export) -> ImportCheck | None:
    """Import the export twice: every problem on a real line, nothing half done, nothing
    added the second time. The first import's check, or None if the file was unreadable."""
    before = _counts()
    ids_before = set(Response.objects.values_list("external_id", flat=True))
    table = _read(export.name, export.content())
    if isinstance(table, str):
        assert table  # why the file cannot be read
        return None
    lines = {line for line, _ in table.rows}

    first = _import(survey, table)

    assert all(reason and (line == 0 or line in lines) for line, reason in first.problems), first.problems
    if first.ok:
        new_ids = {parsed.external_id for parsed in first.to_add}
        assert set(Response.objects.values_list("external_id", flat=True)) == ids_before | new_ids
        assert first.added == len(first.to_add) == _counts()[0] - before[0]
        assert first.added + first.already + len(first.blank_lines) == len(table.rows)
    else:
        assert first.added == 0
        assert _counts() == before
    after = _counts()

    second = _import(survey, table)

    assert _counts() == after
    assert second.added == 0
    if first.ok:
        assert (second.ok, second.already) == (True, first.added + first.already)
    else:
        assert second.problems == first.problems
    return first


# Properties ---------------------------------------------------------------------------


@PROPERTY
@given(export=exports(), imported_first=st.integers(0, 8))
def test_it_stores_every_good_row_as_written_and_adds_nothing_the_second_time(
    survey: Consultation, export: Export, imported_first: int
) -> None:
    with _rolled_back():
        earlier = Export(export.rows[:imported_first], export.fmt)
        if any(row.good for row in earlier.rows):
            assert _import(survey, read_table(earlier.name, earlier.content())).ok

        check = _assert_all_or_nothing(survey, export)

        good = [row.good for row in export.rows if row.good]
        assert check is not None
        assert check.messages() == []
        assert check.already == len([row for row in earlier.rows if row.good])
        assert check.added == len(good) - check.already
        assert [_stored(survey, expected.external_id) for expected in good] == good


@PROPERTY
@given(export=exports(bad=True))
def test_one_bad_row_anywhere_imports_nothing_and_is_named_by_its_line(survey: Consultation, export: Export) -> None:
    with _rolled_back():
        bad_line = next(line for row, line in zip(export.rows, export.lines(), strict=True) if row.bad)

        check = _assert_all_or_nothing(survey, export)

        assert check is not None
        assert check.problems, [row.bad for row in export.rows if row.bad]
        assert {line for line, _ in check.problems} == {bad_line}
        assert not Response.objects.exists()


@PROPERTY
@given(export=exports(), changed_row=st.integers(0, 7), option=st.sampled_from(OPTIONS[1]))
def test_a_response_imported_before_with_different_answers_is_named_and_left_alone(
    survey: Consultation, export: Export, changed_row: int, option: str
) -> None:
    good = [(row, line) for row, line in zip(export.rows, export.lines(), strict=True) if row.good]
    row, line = good[changed_row % len(good)]
    assert row.good is not None
    assume(option != row.good.answers[1][0])
    with _rolled_back():
        assert _import(survey, read_table(export.name, export.content())).ok
        row.cells = _with(row.cells, 4, option)
        stored = _stored(survey, row.good.external_id)

        check = _assert_all_or_nothing(survey, export)

        assert check is not None
        assert [problem_line for problem_line, _ in check.problems] == [line]
        assert "was imported before with different answers" in check.problems[0][1]
        assert _stored(survey, row.good.external_id) == stored


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(export=exports(junk=True, max_rows=10))
def test_it_never_imports_part_of_any_table_nor_raises(survey: Consultation, export: Export) -> None:
    with _rolled_back():
        _assert_all_or_nothing(survey, export)


_CSV_BYTES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from([*'ab,;"\r\n \t\x00\ufeff’é', "Response ID"]), max_size=40).map(
        lambda parts: "".join(parts).encode("utf-8")
    ),
    st.lists(
        st.sampled_from([b"\xef\xbb\xbf", b"a,b\r\n", b'"x\ny",', b"\n", b"\r", b"\x92", b"\xe9", b'"', b"\x00"])
    ).map(b"".join),
)


@settings(max_examples=300, deadline=None)
@given(content=_CSV_BYTES)
def test_reading_any_bytes_as_csv_gives_a_table_or_a_table_error(content: bytes) -> None:
    table = _read("export.csv", content)  # anything else raised fails the test
    if isinstance(table, str):
        assert table
        return
    assert all(isinstance(heading, str) for heading in table.headers)
    assert [line for line, _ in table.rows] == sorted({line for line, _ in table.rows})


@settings(max_examples=200, deadline=None)
@given(
    before=st.binary(max_size=60),
    bom=st.booleans(),
    bad=st.sampled_from([b"\x92", b"\xe9", b"\xff", b"\xc3("]),
)
def test_a_file_that_is_not_utf8_is_refused_on_the_line_of_its_first_bad_byte(
    before: bytes, bom: bool, bad: bytes
) -> None:
    good = before.decode("utf-8", errors="ignore").encode("utf-8")
    content = (b"\xef\xbb\xbf" if bom else b"") + good + bad
    line = good.count(b"\n") + 1

    with pytest.raises(TableError, match=f"^Line {line}: the file is not UTF-8 text"):
        read_table("export.csv", content)
