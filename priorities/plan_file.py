"""Reading and checking a plan file (format `csp-plan/2`, documented in docs/plan-format.md).

Everything here is pure: it turns YAML text into a `PlanFile` or a list of problems, each
naming where it is (`plan.priorities[2].aims[1]: text is empty`). Nothing touches the
database until the whole file is known to be good.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.text import slugify

from .models import KEY_MAX_LENGTH, KEY_PATTERN, RESERVED_SLUGS

FORMAT = "csp-plan/2"
# The positional format before keys: still read, but only imported as a new plan.
POSITIONAL_FORMAT = "csp-plan/1"


def generated_key(kind: str, position: int) -> str:
    """The key `add_plan_keys` (and migration 0006) gives a line of a csp-plan/1 file:
    kind and place, e.g. theme-2, key-issue-3, sub-point-1, priority-1 (by its number)."""
    return f"{kind}-{position}"


def is_generated_key(kind: str, key: str) -> bool:
    return re.fullmatch(rf"{re.escape(kind)}-\d+", key) is not None


@dataclass(frozen=True)
class LineData:
    key: str
    text: str


@dataclass(frozen=True)
class KeyIssueData:
    key: str
    text: str
    sub_points: list[LineData] = field(default_factory=list)


@dataclass(frozen=True)
class PriorityData:
    key: str
    number: int
    title: str
    summary: str
    themes: list[LineData]
    key_issues: list[KeyIssueData]
    aims: list[LineData]
    outcomes: list[LineData]


@dataclass(frozen=True)
class AgencyData:
    name: str
    short_name: str


@dataclass(frozen=True)
class AssessmentData:
    year: int
    title: str
    findings: str
    url: str


@dataclass(frozen=True)
class PlanFile:
    format: str
    partnership_name: str
    partnership_short_name: str
    partnership_slug: str
    board_name: str
    strapline: str
    vision: str
    responsible_authorities: list[AgencyData]
    assessments: list[AssessmentData]
    plan_title: str
    starts: dt.date
    ends: dt.date
    based_on: int | None
    supersedes: str
    priorities: list[PriorityData]
    glossary: dict[str, str]


class PlanFileError(Exception):
    """The file cannot be imported; `problems` lists every reason, each with its place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Missing:
    """A required key that is absent: reported once by `mapping`, then passed over quietly."""


MISSING: Any = _Missing()


class _Reader:
    """Walks the parsed YAML, collecting every problem instead of stopping at the first."""

    def __init__(self, *, keyed: bool = True) -> None:
        self.problems: list[str] = []
        # csp-plan/2 names every line by a key; csp-plan/1 lines are bare text, keyed by place.
        self.keyed = keyed

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value: Any, where: str, required: set[str], optional: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
        if not isinstance(value, dict):
            self.problem(where, "must be a mapping of keys to values")
            return {}
        for key in sorted(required - value.keys()):
            self.problem(where, f"{key} is missing")
        for key in sorted(set(map(str, value.keys())) - required - optional):
            self.problem(where, f"unknown key {key!r}")
        return {key: MISSING for key in required} | value

    def text(self, value: Any, where: str, *, blank: bool = False, max_length: int | None = None) -> str:
        if value is MISSING or (value is None and blank):
            return ""
        if value is None:
            self.problem(where, "is empty")
            return ""
        if not isinstance(value, str):
            self.problem(where, "must be text")
            return ""
        cleaned = " ".join(value.split())
        if not cleaned and not blank:
            self.problem(where, "is empty")
        if max_length is not None and len(cleaned) > max_length:
            self.problem(where, f"is {len(cleaned)} characters long; the most is {max_length}")
        return cleaned

    def integer(self, value: Any, where: str, *, low: int, high: int) -> int:
        if value is MISSING:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, "must be a whole number")
            return 0
        if not low <= value <= high:
            self.problem(where, f"must be from {low} to {high}")
        return value

    def url(self, value: Any, where: str) -> str:
        text = self.text(value, where, blank=True, max_length=200)
        if text and not text.startswith(("https://", "http://")):
            self.problem(where, "must be a web address starting https://")
        return text

    def date(self, value: Any, where: str) -> dt.date:
        if value is MISSING:
            return dt.date.min
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        self.problem(where, "must be a date written YYYY-MM-DD")
        return dt.date.min

    def items(self, value: Any, where: str, *, allow_empty: bool = False) -> list[Any]:
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.problem(where, "must be a list")
            return []
        if not value and not allow_empty:
            self.problem(where, "is empty")
        return value

    def key(self, value: Any, where: str) -> str:
        key = self.text(value, where, max_length=KEY_MAX_LENGTH)
        if key and re.fullmatch(KEY_PATTERN, key) is None:
            self.problem(where, f"“{key}” must be lower-case letters, digits and hyphens, e.g. knife-crime")
        return key

    def line(self, value: Any, where: str, kind: str, position: int) -> LineData:
        if not self.keyed:
            return LineData(generated_key(kind, position), self.text(value, where))
        if not isinstance(value, dict):
            self.problem(where, "must be a mapping with key and text, e.g. {key: knife-crime, text: Knife crime}")
            return LineData("", "")
        parts = self.mapping(value, where, {"key", "text"})
        return LineData(self.key(parts.get("key"), f"{where}.key"), self.text(parts.get("text"), f"{where}.text"))

    def lines(self, value: Any, where: str, kind: str, *, allow_empty: bool = True) -> list[LineData]:
        read = [
            self.line(item, f"{where}[{i}]", kind, i + 1)
            for i, item in enumerate(self.items(value, where, allow_empty=allow_empty))
        ]
        self.unique_keys(read, where)
        return read

    def unique_keys(self, lines: list[Any], where: str) -> None:
        _duplicates(self, [line.key for line in lines if line.key], where, "key")


YEARS = {"low": 1990, "high": 2100}
TITLE = 200


def _key_issue(reader: _Reader, item: Any, where: str, position: int) -> KeyIssueData:
    if not reader.keyed and not isinstance(item, dict):
        return KeyIssueData(generated_key("key-issue", position), reader.text(item, where))
    if not isinstance(item, dict):
        reader.problem(where, "must be a mapping with key, text and optional sub_points")
        return KeyIssueData("", "")
    required = {"key", "text"} if reader.keyed else {"text"}
    parts = reader.mapping(item, where, required, {"sub_points"})
    key = reader.key(parts.get("key"), f"{where}.key") if reader.keyed else generated_key("key-issue", position)
    return KeyIssueData(
        key=key,
        text=reader.text(parts.get("text"), f"{where}.text"),
        sub_points=reader.lines(parts.get("sub_points", []), f"{where}.sub_points", "sub-point"),
    )


def _priority(reader: _Reader, raw: Any, where: str) -> PriorityData | None:
    lists = {"themes", "key_issues", "aims", "outcomes"}
    if not isinstance(raw, dict):
        reader.problem(where, "must be a mapping with key, number, title, themes, key_issues, aims and outcomes")
        return None
    required = {"number", "title", *lists} | ({"key"} if reader.keyed else set())
    data = reader.mapping(raw, where, required, {"summary"})
    number = reader.integer(data.get("number"), f"{where}.number", low=1, high=99)
    key_issues = [
        _key_issue(reader, item, f"{where}.key_issues[{i}]", i + 1)
        for i, item in enumerate(reader.items(data.get("key_issues"), f"{where}.key_issues", allow_empty=True))
    ]
    reader.unique_keys(key_issues, f"{where}.key_issues")
    return PriorityData(
        key=reader.key(data.get("key"), f"{where}.key") if reader.keyed else generated_key("priority", number),
        number=number,
        title=reader.text(data.get("title"), f"{where}.title", max_length=TITLE),
        summary=reader.text(data.get("summary"), f"{where}.summary", blank=True),
        # Every priority needs a theme: an action hangs on one.
        themes=reader.lines(data.get("themes"), f"{where}.themes", "theme", allow_empty=False),
        key_issues=key_issues,
        aims=reader.lines(data.get("aims"), f"{where}.aims", "aim"),
        outcomes=reader.lines(data.get("outcomes"), f"{where}.outcomes", "outcome"),
    )


def _duplicates(reader: _Reader, values: list[Any], where: str, what: str) -> None:
    seen: set[Any] = set()
    for value in values:
        if value in seen:
            reader.problem(where, f"{what} {value!r} appears more than once")
        seen.add(value)


def _load_yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        raise PlanFileError([f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from exc
    except ValueError as exc:
        # YAML reads 2020-02-30 as a date and fails: say so rather than crash.
        raise PlanFileError([f"file: a value is not a real date ({exc})"]) from exc


def _slug(reader: _Reader, partnership: dict[str, Any]) -> str:
    """The partnership's address: as the file gives it, else made from its short name."""
    given = partnership.get("slug")
    if given is None:
        short_name = partnership.get("short_name")
        return slugify(short_name.replace("CSP", "")) if isinstance(short_name, str) else ""
    slug = reader.text(given, "partnership.slug", max_length=50)
    if slug and slugify(slug) != slug:
        reader.problem("partnership.slug", "must be lower-case letters, digits and hyphens, e.g. bedford-borough")
    elif slug in RESERVED_SLUGS:
        reader.problem("partnership.slug", f"“{slug}” is one of the portal's own addresses; choose another")
    return slug


def _authorities(reader: _Reader, partnership: dict[str, Any]) -> list[AgencyData]:
    authorities = []
    for i, item in enumerate(
        reader.items(partnership.get("responsible_authorities"), "partnership.responsible_authorities")
    ):
        where = f"partnership.responsible_authorities[{i}]"
        agency = reader.mapping(item, where, {"name", "short_name"})
        authorities.append(
            AgencyData(
                reader.text(agency.get("name"), f"{where}.name", max_length=200),
                reader.text(agency.get("short_name"), f"{where}.short_name", max_length=50),
            )
        )
    _duplicates(reader, [a.name for a in authorities], "partnership.responsible_authorities", "agency")
    return authorities


def _assessments(reader: _Reader, raw: Any) -> list[AssessmentData]:
    assessments = []
    for i, item in enumerate(reader.items(raw, "assessments", allow_empty=True)):
        where = f"assessments[{i}]"
        assessment = reader.mapping(item, where, {"year", "title"}, {"findings", "url"})
        assessments.append(
            AssessmentData(
                year=reader.integer(assessment.get("year"), f"{where}.year", **YEARS),
                title=reader.text(assessment.get("title"), f"{where}.title", max_length=TITLE),
                findings=reader.text(assessment.get("findings"), f"{where}.findings", blank=True),
                url=reader.url(assessment.get("url"), f"{where}.url"),
            )
        )
    _duplicates(reader, [a.year for a in assessments], "assessments", "year")
    return assessments


@dataclass(frozen=True)
class _PlanPart:
    """The `plan` mapping, read: everything of PlanFile that it holds."""

    title: str
    starts: dt.date
    ends: dt.date
    based_on: int | None
    supersedes: str
    priorities: list[PriorityData]


def _plan(reader: _Reader, raw: Any, assessments: list[AssessmentData]) -> _PlanPart:
    plan = reader.mapping(raw, "plan", {"title", "starts", "ends", "priorities"}, {"based_on", "supersedes"})
    starts = reader.date(plan.get("starts"), "plan.starts")
    ends = reader.date(plan.get("ends"), "plan.ends")
    if starts != dt.date.min and ends != dt.date.min and ends <= starts:
        reader.problem("plan.ends", "must be after plan.starts")
    based_on = None
    if plan.get("based_on") is not None:
        based_on = reader.integer(plan.get("based_on"), "plan.based_on", **YEARS)
        if based_on and based_on not in {a.year for a in assessments}:
            reader.problem("plan.based_on", f"no assessment for {based_on} in assessments")
    plan_title = reader.text(plan.get("title"), "plan.title", max_length=TITLE)
    supersedes = reader.text(plan.get("supersedes"), "plan.supersedes", blank=True, max_length=TITLE)
    if supersedes and supersedes == plan_title:
        reader.problem("plan.supersedes", "a plan cannot supersede itself")
    read = [
        _priority(reader, item, f"plan.priorities[{i}]")
        for i, item in enumerate(reader.items(plan.get("priorities"), "plan.priorities"))
    ]
    priorities = [priority for priority in read if priority is not None]
    _duplicates(reader, [p.number for p in priorities], "plan.priorities", "number")
    if reader.keyed:
        reader.unique_keys(priorities, "plan.priorities")
    return _PlanPart(plan_title, starts, ends, based_on, supersedes, priorities)


def _glossary(reader: _Reader, raw: Any) -> dict[str, str]:
    glossary: dict[str, str] = {}
    for i, item in enumerate(reader.items(raw, "glossary", allow_empty=True)):
        where = f"glossary[{i}]"
        entry = reader.mapping(item, where, {"term", "description"})
        term = reader.text(entry.get("term"), f"{where}.term", max_length=100)
        if term in glossary:
            reader.problem(where, f"term {term!r} appears more than once")
        glossary[term] = reader.text(entry.get("description"), f"{where}.description")
    return glossary


def parse_plan(text: str) -> PlanFile:
    """Parse and check a whole plan file; raise PlanFileError listing every problem."""
    raw = _load_yaml(text)
    if not isinstance(raw, dict):
        raise PlanFileError(["file: must be a YAML mapping with format, partnership, assessments, plan and glossary"])
    file_format = raw.get("format")
    reader = _Reader(keyed=file_format != POSITIONAL_FORMAT)
    top = reader.mapping(raw, "file", {"format", "partnership", "assessments", "plan", "glossary"})
    if top and file_format not in {FORMAT, POSITIONAL_FORMAT}:
        reader.problem("format", f"must be {FORMAT!r}")

    partnership = reader.mapping(
        top.get("partnership"),
        "partnership",
        {"name", "short_name", "vision", "responsible_authorities"},
        {"strapline", "slug", "board"},
    )
    authorities = _authorities(reader, partnership)
    assessments = _assessments(reader, top.get("assessments"))
    plan = _plan(reader, top.get("plan"), assessments)
    glossary = _glossary(reader, top.get("glossary"))
    # Read before the check below, so that their problems are reported, not passed over.
    names = {
        "partnership_name": reader.text(partnership.get("name", MISSING), "partnership.name", max_length=200),
        "partnership_short_name": reader.text(
            partnership.get("short_name", MISSING), "partnership.short_name", max_length=100
        ),
        "partnership_slug": _slug(reader, partnership),
        "board_name": reader.text(partnership.get("board"), "partnership.board", blank=True, max_length=200),
        "strapline": reader.text(partnership.get("strapline"), "partnership.strapline", blank=True, max_length=200),
        "vision": reader.text(partnership.get("vision", MISSING), "partnership.vision"),
    }

    if reader.problems:
        raise PlanFileError(reader.problems)
    return PlanFile(
        format=str(file_format),
        **names,
        responsible_authorities=authorities,
        assessments=assessments,
        plan_title=plan.title,
        starts=plan.starts,
        ends=plan.ends,
        based_on=plan.based_on,
        supersedes=plan.supersedes,
        priorities=plan.priorities,
        glossary=glossary,
    )


class _PlanDumper(yaml.SafeDumper):
    """Writes lists indented and long text folded (`>-`), as people write plan files."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 80 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PlanDumper.add_representer(str, _represent_text)


def _keyed_lines(texts: list[Any], kind: str) -> list[dict[str, Any]]:
    return [{"key": generated_key(kind, position), "text": text} for position, text in enumerate(texts, start=1)]


def _keyed_priority(raw: dict[str, Any]) -> dict[str, Any]:
    issues = []
    for position, issue in enumerate(raw["key_issues"], start=1):
        keyed: dict[str, Any] = {"key": generated_key("key-issue", position)}
        if isinstance(issue, dict):
            keyed["text"] = issue["text"]
            if "sub_points" in issue:
                keyed["sub_points"] = _keyed_lines(issue["sub_points"], "sub-point")
        else:
            keyed["text"] = issue
        issues.append(keyed)
    keyed_priority = {"key": generated_key("priority", raw["number"])}
    for name, value in raw.items():
        if name == "key_issues":
            value = issues
        elif name in {"themes", "aims", "outcomes"}:
            value = _keyed_lines(value, name.removesuffix("s"))
        keyed_priority[name] = value
    return keyed_priority


_TOP_LEVEL_KEY = re.compile(r"^([A-Za-z_]+):")


def add_keys(text: str) -> str:
    """A csp-plan/1 file as csp-plan/2: every line keyed by its kind and place.

    The keys are the ones migration 0006 gave rows imported from such a file, so the new
    file matches the portal line for line. Only the `plan` section is rewritten: the rest
    of the file, comments and all, is kept as it was (comments inside `plan` are not)."""
    parse_plan(text)  # a broken file is reported, not converted
    raw = yaml.safe_load(text)
    if raw.get("format") != POSITIONAL_FORMAT:
        raise PlanFileError(
            [f"format: only a {POSITIONAL_FORMAT} file needs keys added; this is {raw.get('format')!r}"]
        )
    plan = dict(raw["plan"])
    plan["priorities"] = [_keyed_priority(priority) for priority in plan["priorities"]]
    return with_plan(text, plan, file_format=FORMAT)


def with_plan(text: str, plan: dict[str, Any], *, file_format: str) -> str:
    """The file's text with its `format` and `plan` sections rewritten and the rest kept."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines(keepends=True):
        match = _TOP_LEVEL_KEY.match(line)
        if match:
            sections.append((match.group(1), []))
        sections[-1][1].append(line)
    written = []
    for name, lines in sections:
        if name == "format":
            written.append(f"format: {file_format}\n")
        elif name == "plan":
            # Comments after the section, before the next one, belong to what follows.
            trailing: list[str] = []
            while lines and lines[-1].startswith("#"):
                trailing.insert(0, lines.pop())
            written.append(yaml.dump({"plan": plan}, Dumper=_PlanDumper, allow_unicode=True, sort_keys=False, width=88))
            written.extend(trailing)
        else:
            written.extend(lines)
    converted = "".join(written)
    if not converted.endswith("\n"):
        converted += "\n"
    return converted
