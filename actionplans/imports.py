"""Importing actions and milestones from CSV or Excel, and exporting a plan's actions.

All or nothing: a file with any bad row imports nothing, and every bad row is reported
with its line number. `rows_check` reads a table into the records it would add or update
(writing nothing); `services.actions_import` writes them. The checks every import shares
(headings, empty and over-long rows, dates, problems by line) are in `core.imports`. The
format is documented in docs/action-import.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model

from accounts.models import Agency, User
from core.imports import (
    Problem,
    cell_text,
    data_rows,
    date_read,
    problems_sorted,
    repeated_headings,
    unnamed_column_problem,
)
from core.tables import Table
from priorities.models import Theme

from .models import Action, ActionPlan, Milestone

KINDS = ("actions", "milestones")
REQUIRED_COLUMNS = {
    "actions": {"reference", "title", "theme", "lead_agency", "start_date", "due_date"},
    "milestones": {"action_reference", "milestone", "due_date"},
}
EXPORT_COLUMNS = [
    "reference",
    "title",
    "description",
    "theme",
    "lead_agency",
    "owner_email",
    "start_date",
    "due_date",
    "state",
]
# Each row's key in the file: a second row with the same key is a mistake.
KEY_COLUMNS = {"actions": ["reference"], "milestones": ["action_reference", "milestone"]}
# The fields a row sets, compared to tell an update from a row that changes nothing.
FIELDS = {
    "actions": [
        "reference",
        "title",
        "description",
        "theme",
        "lead_agency",
        "owner",
        "start_date",
        "due_date",
        "state",
    ],
    "milestones": ["action", "title", "due_date", "completed_on"],
}


@dataclass
class Row:
    """One row of the file as the record it would add (`change` "new") or update."""

    line: int
    record: Action | Milestone
    change: str  # new, update or skip (nothing would change)


@dataclass
class ImportReport:
    """What checking a file found, or what importing it did."""

    problems: list[Problem] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: list[Row] = field(default_factory=list)
    # The version of each existing record the file touches, as it was when checked.
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def preview(self) -> list[tuple[int, str, str]]:
        """(line, new/update/skip, the record) for each row."""
        return [(row.line, row.change, str(row.record)) for row in self.rows]


class _Lookups:
    """The plan's themes, agencies, actions and milestones, read once for the whole file."""

    def __init__(self, plan: ActionPlan) -> None:
        self.plan = plan
        themes = Theme.objects.filter(priority=plan.priority, retired_at__isnull=True).order_by("pk")
        self.themes: dict[str, Theme] = {}
        for theme in themes:
            self.themes.setdefault(theme.text.lower(), theme)
        self.agencies: dict[str, Agency] = {}
        for agency in Agency.objects.order_by("pk"):
            self.agencies.setdefault(agency.name.lower(), agency)
        for agency in Agency.objects.exclude(short_name="").order_by("pk"):
            self.agencies.setdefault(agency.short_name.lower(), agency)
        self.owners: dict[str, User | None] = {}
        self.actions = {a.reference: a for a in Action.objects.filter(plan=plan)}
        self.actions_by_key = {reference.lower(): a for reference, a in self.actions.items()}
        self.milestones = {(m.action_id, m.title): m for m in Milestone.objects.filter(action__plan=plan)}

    def owner(self, email: str) -> User | None:
        if email.lower() not in self.owners:
            # Owners are people of the plan's partnership: anyone else is "no such person".
            people = User.objects.filter(
                is_active=True, memberships__partnership_id=self.plan.partnership_id, memberships__ended_at__isnull=True
            )
            self.owners[email.lower()] = people.filter(email__iexact=email).distinct().first()
        return self.owners[email.lower()]


def _date(value: Any, name: str, errors: dict[str, list[str]]) -> Any:
    if cell_text(value) == "":
        return None
    try:
        return date_read(value)
    except ValueError:
        errors[name] = [f"{cell_text(value)!r} is not a date: write it as 2024-03-31 or 31/03/2024"]
        return None


def _values(record: Model, names: list[str]) -> list[Any]:
    attnames = {f.name: f.attname for f in record._meta.concrete_fields}
    return [getattr(record, attnames[name]) for name in names]


def _action(lookups: _Lookups, cells: dict[str, Any], errors: dict[str, list[str]]) -> tuple[Action, Action | None]:
    """The action the row describes, and the one it updates as it was before (if any)."""
    reference = cell_text(cells["reference"])
    existing = lookups.actions.get(reference)
    before = (
        Action(**{f.attname: getattr(existing, f.attname) for f in Action._meta.concrete_fields}) if existing else None
    )
    action = existing or Action(plan=lookups.plan)
    action.reference = reference
    action.title = cell_text(cells["title"])
    if "description" in cells:
        action.description = cell_text(cells["description"])
    theme = cell_text(cells["theme"])
    found_theme = lookups.themes.get(theme.lower()) if theme else None
    action.theme = found_theme  # type: ignore[assignment]
    if theme and found_theme is None:
        errors["theme"] = [f"no theme of this priority called {theme!r}"]
    agency = cell_text(cells["lead_agency"])
    found_agency = lookups.agencies.get(agency.lower()) if agency else None
    action.lead_agency = found_agency  # type: ignore[assignment]
    if agency and found_agency is None:
        errors["lead_agency"] = [f"no agency called {agency!r}"]
    if "owner_email" in cells:
        email = cell_text(cells["owner_email"])
        action.owner = lookups.owner(email) if email else None
        if email and action.owner is None:
            errors["owner"] = [f"no person with the email called {email!r}"]
    action.start_date = _date(cells["start_date"], "start_date", errors)
    action.due_date = _date(cells["due_date"], "due_date", errors)
    # A blank state leaves an existing action's state alone; a new action is open.
    state = cell_text(cells.get("state")).lower()
    action.state = state or (existing.state if existing else Action.State.OPEN)
    return action, before


def _milestone(
    lookups: _Lookups, cells: dict[str, Any], errors: dict[str, list[str]]
) -> tuple[Milestone | None, Milestone | None]:
    """The milestone the row describes (None if its action is not in the plan), and the one
    it updates as it was before (if any)."""
    reference = cell_text(cells["action_reference"])
    action = lookups.actions_by_key.get(reference.lower()) if reference else None
    if reference and action is None:
        return None, None
    title = cell_text(cells["milestone"])
    existing = lookups.milestones.get((action.pk, title)) if action else None
    before = (
        Milestone(**{f.attname: getattr(existing, f.attname) for f in Milestone._meta.concrete_fields})
        if existing
        else None
    )
    milestone = existing or Milestone(action=action, title=title)
    milestone.due_date = _date(cells["due_date"], "due_date", errors)
    if "completed_on" in cells:
        milestone.completed_on = _date(cells["completed_on"], "completed_on", errors)
    return milestone, before


def rows_check(*, plan: ActionPlan, kind: str, table: Table) -> ImportReport:
    """Check a table of actions or milestones for one plan, row by row; write nothing."""
    report = ImportReport()
    headers = [header.strip().lower() for header in table.headers]
    repeated = repeated_headings(headers)
    if repeated:
        report.problems.append(Problem(1, f"the column {', '.join(repeated)} appears more than once"))
        return report
    missing = REQUIRED_COLUMNS[kind] - set(headers)
    if missing:
        other = "milestones" if kind == "actions" else "actions"
        report.problems.append(
            Problem(
                1,
                f"missing columns: {', '.join(sorted(missing))}. If this is a file of {other}, choose {other} instead.",
            )
        )
        return report
    unnamed = unnamed_column_problem(Table(headers=headers, rows=table.rows))
    if unnamed:
        report.problems.append(unnamed)
        return report

    rows = [(line, dict(zip(headers, values, strict=True))) for line, values in data_rows(table, report.problems, [])]
    key_columns = KEY_COLUMNS[kind]
    seen: dict[tuple[str, ...], int] = {}
    for line, cells in rows:
        first = cells[key_columns[0]]
        if isinstance(first, int | float) and not isinstance(first, bool):
            # Excel turns 1.10 into the number 1.1: a reference must be stored as text.
            report.problems.append(
                Problem(
                    line,
                    f"{key_columns[0].replace('_', ' ')} {first!r} is a number; "
                    "format the column as Text in Excel so that 1.10 stays 1.10",
                )
            )
        key = tuple(cell_text(cells[column]).lower() for column in key_columns)
        if all(key) and key in seen:
            report.problems.append(Problem(line, f"repeats line {seen[key]} ({', '.join(key_columns)} must be unique)"))
        seen.setdefault(key, line)

    lookups = _Lookups(plan)
    for line, cells in rows:
        errors: dict[str, list[str]] = {}
        record: Action | Milestone | None
        original: Action | Milestone | None
        if kind == "actions":
            record, original = _action(lookups, cells, errors)
        else:
            record, original = _milestone(lookups, cells, errors)
            if record is None:
                reference = cell_text(cells["action_reference"])
                report.problems.append(Problem(line, f"no action in this plan has the reference {reference!r}"))
                continue
        try:
            record.full_clean(exclude=list(errors))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        for name, messages in errors.items():
            where = "" if name == NON_FIELD_ERRORS else f"{name.replace('_', ' ')}: "
            report.problems += [Problem(line, f"{where}{message}") for message in messages]
        if errors:
            continue
        if original is None:
            change = "new"
        else:
            report.versions[str(original.pk)] = original.version
            names = FIELDS[kind]
            change = "skip" if _values(original, names) == _values(record, names) else "update"
        report.rows.append(Row(line, record, change))
    report.problems = problems_sorted(report.problems)
    report.new = sum(row.change == "new" for row in report.rows)
    report.updated = sum(row.change == "update" for row in report.rows)
    report.unchanged = sum(row.change == "skip" for row in report.rows)
    return report


def export_actions(plan: ActionPlan) -> tablib.Dataset:
    """The plan's actions in the same columns the importer reads (`download` makes them inert)."""
    exported = tablib.Dataset(headers=EXPORT_COLUMNS, title="Actions")
    for action in plan.actions.select_related("theme", "lead_agency", "owner").order_by("reference"):
        exported.append(
            [
                action.reference,
                action.title,
                action.description,
                action.theme.text,
                action.lead_agency.name,
                action.owner.email if action.owner else "",
                action.start_date.isoformat(),
                action.due_date.isoformat(),
                action.state,
            ]
        )
    return exported
