"""Importing actions and milestones from CSV or Excel, and exporting a plan's actions.

All or nothing: a file with any bad row imports nothing, and every bad row is reported
with its line number. The format is documented in docs/action-import.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.db.models import Q, QuerySet
from import_export import fields, resources, widgets

from accounts.models import Agency, User
from core.tables import Table
from priorities.models import Theme

from .models import Action, ActionPlan, Milestone

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y")


class _Lookup(widgets.ForeignKeyWidget):
    """Finds a related row by name, case-insensitively, and says plainly when it can't."""

    what = "value"
    missing = "no {what} called {value!r}"

    def lookup(self, value: str) -> Any:
        raise NotImplementedError

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = str(value or "").strip()
        if not text:
            return None
        found = self.lookup(text)
        if found is None:
            raise ValueError(self.missing.format(what=self.what, value=text))
        return found

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return "" if value is None else str(getattr(value, self.field))


class ThemeWidget(_Lookup):
    what = "theme of this priority"

    def __init__(self, plan: ActionPlan) -> None:
        super().__init__(Theme, "text")
        self.plan = plan

    def lookup(self, value: str) -> Any:
        return Theme.objects.filter(priority=self.plan.priority, text__iexact=value, retired_at__isnull=True).first()


class AgencyWidget(_Lookup):
    what = "agency"

    def __init__(self) -> None:
        super().__init__(Agency, "name")

    def lookup(self, value: str) -> Any:
        return Agency.objects.filter(Q(name__iexact=value) | Q(short_name__iexact=value)).first()


class OwnerWidget(_Lookup):
    what = "person with the email"

    def __init__(self) -> None:
        super().__init__(User, "email")

    def lookup(self, value: str) -> Any:
        return User.objects.filter(email__iexact=value, is_active=True).first()


class ActionWidget(_Lookup):
    missing = "no action in this plan has the reference {value!r}"

    def __init__(self, plan: ActionPlan) -> None:
        super().__init__(Action, "reference")
        self.plan = plan

    def lookup(self, value: str) -> Any:
        return Action.objects.filter(plan=self.plan, reference__iexact=value).first()


class DateWidget(widgets.DateWidget):
    """Dates as typed (2024-03-31, 31/03/2024) or as Excel stores them."""

    def __init__(self) -> None:
        super().__init__(format=DATE_FORMATS[0])
        self.formats = DATE_FORMATS

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        for fmt in self.formats:
            try:
                return dt.datetime.strptime(str(value).strip(), fmt).date()
            except ValueError:
                continue
        raise ValueError(f"{value!r} is not a date: write it as 2024-03-31 or 31/03/2024")


class _PlanResource(resources.ModelResource):
    """A resource bound to one action plan: rows can only touch that plan."""

    def __init__(self, plan: ActionPlan) -> None:
        self.plan = plan
        super().__init__()

    def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        if instance.pk:
            instance.version += 1  # an import is an edit: open forms become stale


class ActionResource(_PlanResource):
    reference = fields.Field(attribute="reference", column_name="reference")
    title = fields.Field(attribute="title", column_name="title")
    description = fields.Field(attribute="description", column_name="description")
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=DateWidget())
    due_date = fields.Field(attribute="due_date", column_name="due_date", widget=DateWidget())
    state = fields.Field(attribute="state", column_name="state")
    lead_agency = fields.Field(attribute="lead_agency", column_name="lead_agency", widget=AgencyWidget())
    owner = fields.Field(attribute="owner", column_name="owner_email", widget=OwnerWidget())

    class Meta:
        model = Action
        import_id_fields = ["reference"]
        fields = [
            "reference",
            "title",
            "description",
            "theme",
            "lead_agency",
            "owner",
            "start_date",
            "due_date",
            "state",
        ]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, plan: ActionPlan) -> None:
        super().__init__(plan)
        self.fields["theme"] = fields.Field(attribute="theme", column_name="theme", widget=ThemeWidget(plan))

    def get_queryset(self) -> QuerySet[Action]:
        return Action.objects.filter(plan=self.plan)

    def init_instance(self, row: Any = None) -> Action:
        return Action(plan=self.plan)

    def before_import_row(self, row: Any, **kwargs: Any) -> None:
        state = str(row.get("state") or "").strip().lower()
        if not state:
            # A blank state leaves an existing action's state alone; a new action is open.
            existing = Action.objects.filter(plan=self.plan, reference__iexact=str(row.get("reference") or "").strip())
            state = existing.values_list("state", flat=True).first() or Action.State.OPEN
        row["state"] = state


class MilestoneResource(_PlanResource):
    action = fields.Field(attribute="action", column_name="action_reference")
    title = fields.Field(attribute="title", column_name="milestone")
    due_date = fields.Field(attribute="due_date", column_name="due_date", widget=DateWidget())
    completed_on = fields.Field(attribute="completed_on", column_name="completed_on", widget=DateWidget())

    class Meta:
        model = Milestone
        import_id_fields = ["action", "title"]
        fields = ["action", "title", "due_date", "completed_on"]
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, plan: ActionPlan) -> None:
        super().__init__(plan)
        self.fields["action"].widget = ActionWidget(plan)

    def get_queryset(self) -> QuerySet[Milestone]:
        return Milestone.objects.filter(action__plan=self.plan)


RESOURCES: dict[str, type[_PlanResource]] = {"actions": ActionResource, "milestones": MilestoneResource}
REQUIRED_COLUMNS = {
    "actions": {"reference", "title", "theme", "lead_agency", "start_date", "due_date"},
    "milestones": {"action_reference", "milestone", "due_date"},
}


@dataclass
class ImportReport:
    """What a dry run found, or what an import did."""

    problems: list[str] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    preview: list[tuple[int, str, str]] = field(default_factory=list)  # (line, new/update/skip, what)
    # The version of each record the file would update, as it was when checked.
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def import_table(*, plan: ActionPlan, kind: str, table: Table, dry_run: bool) -> ImportReport:
    """Check (dry run) or import a table of actions or milestones into one plan, all or nothing."""
    report = ImportReport()
    headers = [header.strip().lower() for header in table.headers]
    repeated = sorted({h for h in headers if h and headers.count(h) > 1})
    if repeated:
        report.problems.append(f"Line 1: the column {', '.join(repeated)} appears more than once")
        return report
    missing = REQUIRED_COLUMNS[kind] - set(headers)
    if missing:
        other = "milestones" if kind == "actions" else "actions"
        report.problems.append(
            f"Line 1: missing columns: {', '.join(sorted(missing))}. "
            f"If this is a file of {other}, choose {other} instead."
        )
        return report

    # Wholly empty rows are layout, not data (spreadsheets often end with some): drop them,
    # remembering each kept row's line in the file so that problems name the right line.
    dataset = tablib.Dataset(headers=headers)
    lines = []
    for line, values in table.rows:
        if not any(str(value or "").strip() for value in values):
            continue
        if any(str(value or "").strip() for value in values[len(headers) :]):
            report.problems.append(
                f"Line {line}: the row has {len(values)} cells but there are {len(headers)} headings"
            )
            continue
        dataset.append([*values, *[""] * (len(headers) - len(values))][: len(headers)])
        lines.append(line)

    def _line(row_number: int) -> int:
        return lines[row_number - 1]

    key_columns = ["reference"] if kind == "actions" else ["action_reference", "milestone"]
    seen: dict[tuple[str, ...], int] = {}
    for number, row in enumerate(dataset.dict, start=1):
        reference_column = key_columns[0]
        if isinstance(row.get(reference_column), int | float) and not isinstance(row.get(reference_column), bool):
            # Excel turns 1.10 into the number 1.1: a reference must be stored as text.
            report.problems.append(
                f"Line {_line(number)}: {reference_column.replace('_', ' ')} {row[reference_column]!r} is a number; "
                "format the column as Text in Excel so that 1.10 stays 1.10"
            )
        key = tuple(str(row.get(column) or "").strip().lower() for column in key_columns)
        if all(key) and key in seen:
            report.problems.append(
                f"Line {_line(number)}: repeats line {_line(seen[key])} ({', '.join(key_columns)} must be unique)"
            )
        seen.setdefault(key, number)

    resource = RESOURCES[kind](plan)
    result = resource.import_data(
        dataset,
        dry_run=dry_run or bool(report.problems),
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )
    for error in result.base_errors:
        report.problems.append(f"File: {error.error}")
    for invalid in result.invalid_rows:
        for field_name, messages in invalid.error_dict.items():
            where = "" if field_name == "__all__" else f"{field_name.replace('_', ' ')}: "
            for message in messages:
                report.problems.append(f"Line {_line(invalid.number)}: {where}{message}")
    for number, errors in result.row_errors():
        for error in errors:
            report.problems.append(f"Line {_line(number)}: {error.error}")
    report.problems.sort(key=lambda p: int(p.split(":")[0].split()[-1]) if p.startswith("Line") else 0)

    updating = [row.object_id for row in result.rows if row.import_type == "update" and row.object_id]
    model = RESOURCES[kind]._meta.model
    report.versions = {
        str(pk): version for pk, version in model.objects.filter(pk__in=updating).values_list("pk", "version")
    }
    for number, row in enumerate(result.rows, start=1):
        kind_of_change = row.import_type
        if kind_of_change == "new":
            report.new += 1
        elif kind_of_change == "update":
            report.updated += 1
        elif kind_of_change == "skip":
            report.unchanged += 1
        if kind_of_change in {"new", "update", "skip"}:
            report.preview.append((_line(number), kind_of_change, row.object_repr or ""))
    return report


def versions_changed(kind: str, versions: dict[str, int]) -> bool:
    """Whether any record the checked file would update has been edited since the check."""
    model = RESOURCES[kind]._meta.model
    now = {str(pk): version for pk, version in model.objects.filter(pk__in=list(versions)).values_list("pk", "version")}
    return now != versions


def export_actions(plan: ActionPlan) -> tablib.Dataset:
    """The plan's actions in the same columns the importer reads (`download` makes them inert)."""
    queryset = plan.actions.select_related("theme", "lead_agency", "owner").order_by("reference")
    exported = ActionResource(plan).export(queryset=queryset)
    exported.title = "Actions"
    return exported
