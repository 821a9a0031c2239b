"""Importing a survey tool's export of responses, all or nothing.

A file is read as a table (`read_table`), its columns are mapped onto the consultation's
questions (a `Mapping`), every row is checked (`responses_check`), and only a file with no
bad row is written (`services.responses_import`). Every problem names its line in the file;
the checks every import shares are in `core.imports`. A response id already imported with
the same answers is skipped, so importing the same file twice adds nothing; one imported
with different answers is a problem, never an overwrite.

The mapping file format for `import_responses` is in docs/consultation-import.md.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from core.imports import (
    Problem,
    cell_text,
    data_rows,
    date_read,
    problems_sorted,
    repeated_headings,
    unnamed_column_problem,
)
from core.tables import Table, TableError, read_rows

from .models import AgeBand, Answer, Consultation, Option, Question, Response, Ward

MAX_TEXT = 5_000
MAX_ID = 64

RESPONSE_ID = "response_id"
WARD = "ward"
AGE_BAND = "age_band"
SUBMITTED_ON = "submitted_on"
IGNORE = "ignore"
FIELD_TARGETS = {
    RESPONSE_ID: "Response id",
    WARD: "Ward",
    AGE_BAND: "Age band",
    SUBMITTED_ON: "Date submitted",
}
QUESTION_TARGET = re.compile(r"question (\d+)")


class MappingError(Exception):
    """The mapping does not fit the file or the consultation; the message says how."""


def read_table(name: str, content: bytes) -> Table:
    """A survey tool's export as a table whose headings can be mapped: each heading given,
    once, spaces squashed (see `core.tables.read_rows` for what is read)."""
    table = read_rows(name, content)
    table.headers = [_squash(str(h)) for h in table.headers]
    unnamed = unnamed_column_problem(table)
    if unnamed:
        raise TableError(str(unnamed))
    repeated = repeated_headings(table.headers)
    if repeated:
        raise TableError(f"Line 1: the heading “{repeated[0]}” appears more than once: rename one of them.")
    return table


# Mapping ------------------------------------------------------------------------------


@dataclass
class Mapping:
    """Which column holds what: column heading → target."""

    columns: dict[str, str]

    def targets(self) -> dict[str, list[str]]:
        by_target: dict[str, list[str]] = {}
        for column, target in self.columns.items():
            by_target.setdefault(target, []).append(column)
        return by_target


def target_choices(consultation: Consultation) -> list[tuple[str, str]]:
    """What a column can be mapped to, for the mapping form."""
    choices = [(IGNORE, "Ignore this column")]
    choices += list(FIELD_TARGETS.items())
    for question in consultation.questions.all():
        text = question.text if len(question.text) <= 70 else question.text[:69] + "…"
        choices.append((f"question {question.number}", f"Question {question.number}: {text}"))
    return choices


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def guess_mapping(headers: list[str], consultation: Consultation, saved: dict[str, str] | None = None) -> Mapping:
    """A first guess for each column: the saved mapping for the tool, else by its heading."""
    saved = saved or {}
    questions = list(consultation.questions.all())
    columns: dict[str, str] = {}
    for header in headers:
        if not header:
            continue
        if header in saved:
            columns[header] = saved[header]
            continue
        words = _words(header)
        target = IGNORE
        number = re.match(r"^q(?:uestion)?\s*(\d+)\b", words)
        if number and any(q.number == int(number.group(1)) for q in questions):
            target = f"question {int(number.group(1))}"
        elif words in {"id", "response id", "respondent id", "response", "responseid", "respondentid", "ref"}:
            target = RESPONSE_ID
        elif words.startswith("ward"):
            target = WARD
        elif words.startswith("age"):
            target = AGE_BAND
        elif ("date" in words or "submitted" in words) and "birth" not in words:  # never keep a date of birth
            target = SUBMITTED_ON
        else:
            for question in questions:
                if _words(question.text) and _words(question.text) in words:
                    target = f"question {question.number}"
                    break
        columns[header] = target
    return Mapping(columns)


def check_mapping(mapping: Mapping, table: Table, consultation: Consultation) -> list[str]:
    """Problems with the mapping itself: each one makes the whole file unimportable."""
    problems = []
    numbers = {q.number: q for q in consultation.questions.all()}
    unknown_columns = sorted(set(mapping.columns) - set(table.headers))
    if unknown_columns:
        problems.append(f"The mapping names columns the file does not have: {', '.join(unknown_columns)}")
    for column, target in mapping.columns.items():
        match = QUESTION_TARGET.fullmatch(target)
        if target not in FIELD_TARGETS and target != IGNORE and not match:
            problems.append(f"Column “{column}”: “{target}” is not something a column can hold")
        elif match and int(match.group(1)) not in numbers:
            problems.append(f"Column “{column}”: this consultation has no question {match.group(1)}")
    targets = mapping.targets()
    if not targets.get(RESPONSE_ID):
        problems.append("Choose the column that holds each response's id: it is how a second import knows a response")
    for target, label in FIELD_TARGETS.items():
        if len(targets.get(target, [])) > 1:
            problems.append(f"Only one column can be the {label.lower()}: {', '.join(targets[target])}")
    for number, question in numbers.items():
        columns = targets.get(f"question {number}", [])
        if len(columns) > 1 and question.kind != Question.Kind.MULTIPLE:
            problems.append(
                f"Question {number} takes one answer, but {len(columns)} columns are mapped to it: {', '.join(columns)}"
            )
    if not any(QUESTION_TARGET.fullmatch(t) for t in targets):
        problems.append("Map at least one column to a question")
    return problems


def mapping_from_file(text: str) -> tuple[str, Mapping]:
    """The tool name and mapping from a mapping file (YAML; see docs/consultation-import.md)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError(f"The mapping file is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict) or not data["columns"]:
        raise MappingError("The mapping file needs “columns:”, a list of “column heading: target” lines")
    unknown = sorted(set(data) - {"tool", "columns"})
    if unknown:
        raise MappingError(f"The mapping file has keys it does not use: {', '.join(unknown)}")
    columns = {}
    for column, target in data["columns"].items():
        target_text = _squash(str(target)).lower()
        if isinstance(target, int) and not isinstance(target, bool):
            target_text = f"question {target}"
        elif match := QUESTION_TARGET.fullmatch(target_text):
            # “question 03” is question 3: one spelling, so its columns are checked and read together.
            target_text = f"question {int(match.group(1))}"
        columns[_squash(str(column))] = target_text
    return _squash(str(data.get("tool") or "command line")), Mapping(columns)


# Cells --------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _key(text: str) -> str:
    """For matching names typed by people: case, spacing, “&”, dashes and apostrophes don't count."""
    text = unicodedata.normalize("NFKC", text).lower().replace("&", " and ")
    text = re.sub(r"\s*[\u2010-\u2015\-]\s*", "-", text)  # "18 - 24" is "18-24"
    text = re.sub(r"['’`.]", "", text)
    return " ".join(text.split())


AGE_WORDS = {
    _key(label): value
    for value, label in AgeBand.choices
    for label in (label, value, value.replace("-", " to "), value.replace("-", "–"))
} | {
    "75+": AgeBand.AGE_75_PLUS,
    "75 and over": AgeBand.AGE_75_PLUS,
    "75 plus": AgeBand.AGE_75_PLUS,
    "under 18s": AgeBand.UNDER_18,
    "0-17": AgeBand.UNDER_18,
    "prefer not to say": AgeBand.PREFER_NOT,
    "rather not say": AgeBand.PREFER_NOT,
}


def _excel_date_problem(value: Any, what: str) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        shown = value.strftime("%d %b %Y") if isinstance(value, dt.date) else str(value)
        return (
            f"{what} is the date {shown}: Excel turned the answer into a date. "
            "Format the column as Text in Excel and export it again"
        )
    return None


# Checking -----------------------------------------------------------------------------


@dataclass
class ParsedResponse:
    line: int
    external_id: str
    ward_id: int | None
    age_band: str
    submitted_on: dt.date | None
    choices: list[tuple[int, int]]  # (question id, option id)
    texts: list[tuple[int, str]]  # (question id, text)

    def fingerprint(self) -> tuple[Any, ...]:
        return (self.ward_id, self.age_band, self.submitted_on, sorted(self.choices), sorted(self.texts))


@dataclass
class ImportCheck:
    """What checking a file found: its problems (line, reason) or what importing it would do."""

    problems: list[Problem] = field(default_factory=list)
    to_add: list[ParsedResponse] = field(default_factory=list)
    already: int = 0
    blank_lines: list[int] = field(default_factory=list)
    added: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def messages(self) -> list[str]:
        return [str(problem) for problem in self.problems]


class _Row:
    """Turns one row's cells into a response, collecting every problem on the way."""

    def __init__(self, checker: _Checker, line: int, cells: dict[str, Any]) -> None:
        self.checker = checker
        self.line = line
        self.cells = cells
        self.problems: list[str] = []

    def value(self, column: str) -> Any:
        return self.cells.get(column)

    def parse(self) -> ParsedResponse | None:
        c = self.checker
        external_id = cell_text(self.value(c.id_column))
        if not external_id:
            self.problems.append("the response id is empty")
        elif len(external_id) > MAX_ID:
            self.problems.append(f"the response id is longer than {MAX_ID} characters")
        ward_id = self._ward()
        age_band = self._age_band()
        submitted_on = self._submitted_on()
        choices: list[tuple[int, int]] = []
        texts: list[tuple[int, str]] = []
        for question in c.questions:
            columns = c.question_columns.get(question.number, [])
            if question.kind == Question.Kind.FREE_TEXT:
                text = "\n".join(t for t in (cell_text(self.value(col)) for col in columns) if t)
                if len(text) > MAX_TEXT:
                    self.problems.append(
                        f"the answer to question {question.number} is longer than {MAX_TEXT:,} characters"
                    )
                elif text:
                    texts.append((question.id, text))
                continue
            chosen: list[int] = []
            for column in columns:
                for part in self._parts(question, column):
                    option = c.options[question.id].get(_key(part))
                    if option is None:
                        allowed = ", ".join(o.label for o in c.option_lists[question.id])
                        self.problems.append(f"“{part}” is not an answer question {question.number} offers ({allowed})")
                    elif option.id not in chosen:
                        chosen.append(option.id)
            if len(chosen) > 1 and question.kind != Question.Kind.MULTIPLE:
                self.problems.append(f"question {question.number} takes one answer, but the row has {len(chosen)}")
            choices += [(question.id, option_id) for option_id in chosen]
        if external_id and not choices and not texts and not self.problems:
            self.problems.append("the row has a response id but no answers")
        if self.problems:
            return None
        return ParsedResponse(self.line, external_id, ward_id, age_band, submitted_on, choices, texts)

    def _parts(self, question: Question, column: str) -> list[str]:
        value = self.value(column)
        problem = _excel_date_problem(value, f"the answer to question {question.number}")
        if problem:
            self.problems.append(problem)
            return []
        text = cell_text(value)
        if not text:
            return []
        if question.kind == Question.Kind.MULTIPLE:
            return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]
        return [text]

    def _ward(self) -> int | None:
        column = self.checker.ward_column
        text = cell_text(self.value(column)) if column else ""
        if not text:
            return None
        key = re.sub(r" ward$", "", _key(text))
        ward = self.checker.wards.get(key)
        if ward is None:
            close = difflib.get_close_matches(key, list(self.checker.wards), n=1, cutoff=0.75)
            hint = f"; did you mean “{self.checker.wards[close[0]].name}”?" if close else ""
            boundaries = self.checker.consultation.ward_boundaries or "the partnership's"
            self.problems.append(f"“{text}” is not a ward of the {boundaries} boundaries{hint}")
            return None
        return ward.id

    def _age_band(self) -> str:
        column = self.checker.age_column
        if not column:
            return ""
        value = self.value(column)
        problem = _excel_date_problem(value, "the age band")
        if problem:
            self.problems.append(problem)
            return ""
        text = cell_text(value)
        if not text:
            return ""
        band = AGE_WORDS.get(_key(text))
        if band is None:
            allowed = ", ".join(label for _, label in AgeBand.choices)
            self.problems.append(f"“{text}” is not an age band ({allowed})")
            return ""
        return str(band)

    def _submitted_on(self) -> dt.date | None:
        column = self.checker.date_column
        if not column or cell_text(self.value(column)) == "":
            return None
        try:
            return date_read(self.value(column))
        except ValueError:
            shown = cell_text(self.value(column))
            self.problems.append(f"date submitted “{shown}” is not a date: write it as 2022-07-31 or 31/07/2022")
            return None


class _Checker:
    """Everything needed to check rows against one consultation, loaded once."""

    def __init__(self, consultation: Consultation, mapping: Mapping) -> None:
        self.consultation = consultation
        targets = mapping.targets()
        self.id_column = targets[RESPONSE_ID][0]
        self.ward_column: str | None = next(iter(targets.get(WARD, [])), None)
        self.age_column: str | None = next(iter(targets.get(AGE_BAND, [])), None)
        self.date_column: str | None = next(iter(targets.get(SUBMITTED_ON, [])), None)
        self.question_columns = {
            int(match.group(1)): columns
            for target, columns in targets.items()
            if (match := QUESTION_TARGET.fullmatch(target))
        }
        self.questions = [q for q in consultation.questions.all() if q.number in self.question_columns]
        options = Option.objects.filter(question__in=self.questions).order_by("position", "pk")
        self.option_lists: dict[int, list[Option]] = {q.id: [] for q in self.questions}
        self.options: dict[int, dict[str, Option]] = {q.id: {} for q in self.questions}
        for option in options:
            self.option_lists[option.question_id].append(option)
            self.options[option.question_id][_key(option.label)] = option
        self.wards = {_key(w.name): w for w in Ward.objects.named_by(consultation)}


def responses_check(*, consultation: Consultation, table: Table, mapping: Mapping) -> ImportCheck:
    """Check every row of a table against the mapping and the consultation; write nothing."""
    check = ImportCheck()
    mapping_problems = check_mapping(mapping, table, consultation)
    if mapping_problems:
        check.problems = [Problem(0, problem) for problem in mapping_problems]
        return check
    checker = _Checker(consultation, mapping)
    seen: dict[str, int] = {}
    parsed: list[ParsedResponse] = []
    for line, values in data_rows(table, check.problems, check.blank_lines):
        row = _Row(checker, line, dict(zip(table.headers, values, strict=True)))
        response = row.parse()
        check.problems += [Problem(line, problem) for problem in row.problems]
        external_id = cell_text(row.value(checker.id_column))
        if external_id:
            if external_id in seen:
                check.problems.append(
                    Problem(line, f"the response id “{external_id}” is already on line {seen[external_id]}")
                )
            seen.setdefault(external_id, line)
        if response is not None:
            parsed.append(response)
    if not table.rows or len(check.blank_lines) == len(table.rows):
        check.problems.append(Problem(0, "The file has a heading row but no responses"))
    existing = _existing(consultation, [p.external_id for p in parsed])
    for response in parsed:
        before = existing.get(response.external_id)
        if before is None:
            check.to_add.append(response)
        elif before == response.fingerprint():
            check.already += 1
        else:
            check.problems.append(
                Problem(
                    response.line,
                    f"response “{response.external_id}” was imported before with different answers; "
                    "an import never changes a response, so remove this row or correct it to match",
                )
            )
    check.problems = problems_sorted(check.problems)
    return check


def _existing(consultation: Consultation, external_ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """The fingerprint of each response already held with one of these ids (two queries)."""
    fingerprints: dict[str, tuple[Any, ...]] = {}
    if not external_ids:
        return fingerprints
    responses = {
        r.id: r
        for r in Response.objects.filter(consultation=consultation, external_id__in=external_ids).only(
            "id", "external_id", "ward_id", "age_band", "submitted_on"
        )
    }
    if not responses:
        return fingerprints
    choices: dict[int, list[tuple[int, int]]] = {pk: [] for pk in responses}
    texts: dict[int, list[tuple[int, str]]] = {pk: [] for pk in responses}
    for response_id, question_id, option_id, text in Answer.objects.filter(response_id__in=responses).values_list(
        "response_id", "question_id", "option_id", "text"
    ):
        if option_id is None:
            texts[response_id].append((question_id, text))
        else:
            choices[response_id].append((question_id, option_id))
    for pk, r in responses.items():
        fingerprints[r.external_id] = (r.ward_id, r.age_band, r.submitted_on, sorted(choices[pk]), sorted(texts[pk]))
    return fingerprints
