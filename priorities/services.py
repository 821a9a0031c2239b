"""Writes that touch several plan models at once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import Agency, User
from core.upsert import upsert

from .models import (
    ExpectedOutcome,
    GlossaryTerm,
    KeyIssue,
    Partnership,
    PartnershipAim,
    Priority,
    StrategicAssessment,
    StrategicPlan,
    Theme,
)
from .plan_file import PlanFile, PlanFileError, PriorityData

M = TypeVar("M", bound=models.Model)


@dataclass
class ImportResult:
    """What an import did, counted by model and by kind of change."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    retired: Counter[str] = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)

    def summary(self) -> str:
        if not self.changed:
            return "No changes: the portal already matches the file."
        parts = []
        for verb, counts in (("created", self.created), ("updated", self.updated), ("retired", self.retired)):
            for name, count in sorted(counts.items()):
                parts.append(f"{verb} {count} {name}")
        return "; ".join(parts) + "."


class _Writer:
    """Creates or updates one row at a time, saving only what differs, so history stays true."""

    def __init__(self, *, user: User | None, reason: str) -> None:
        self.user = user
        self.reason = reason
        self.result = ImportResult()

    def _save(self, obj: models.Model) -> None:
        obj._history_user = self.user  # type: ignore[attr-defined]
        obj._change_reason = self.reason  # type: ignore[attr-defined]
        try:
            obj.full_clean(validate_constraints=False)
        except ValidationError as exc:
            # The file checker should have caught this; if not, report it, never crash.
            what = f"{obj._meta.verbose_name} {str(obj)[:60]!r}"
            raise PlanFileError(
                [f"{what}: {field}: {message}" for field, messages in exc.message_dict.items() for message in messages]
            ) from exc
        obj.save()

    def sync(self, model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
        obj, state = upsert(model, lookup, values, save=lambda record, _fields: self._save(record))
        name = str(model._meta.verbose_name_plural)
        if state == "new":
            self.result.created[name] += 1
        elif state == "changed":
            self.result.updated[name] += 1
        return obj

    def retire(self, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset.filter(retired_at__isnull=True):
            obj.retired_at = timezone.now()
            self._save(obj)
            self.result.retired[str(obj._meta.verbose_name_plural)] += 1

    def sync_lines(self, model: type[M], parent: dict[str, Any], texts: list[str]) -> list[M]:
        """Lines of a priority keep their place: line n of the file updates line n in the portal."""
        rows = [
            self.sync(model, {**parent, "position": position}, {"text": text, "retired_at": None})
            for position, text in enumerate(texts, start=1)
        ]
        dropped = model._default_manager.filter(**parent, position__gt=len(texts))
        if model is KeyIssue:
            # A retired key issue takes its sub-points with it.
            self.retire(KeyIssue.objects.filter(parent__in=dropped))
        self.retire(dropped)
        return rows


def _sync_priority(writer: _Writer, plan: StrategicPlan, data: PriorityData) -> None:
    priority = writer.sync(
        Priority,
        {"plan": plan, "number": data.number},
        {"title": data.title, "summary": data.summary, "retired_at": None},
    )
    writer.sync_lines(Theme, {"priority": priority}, data.themes)
    writer.sync_lines(PartnershipAim, {"priority": priority}, data.aims)
    writer.sync_lines(ExpectedOutcome, {"priority": priority}, data.outcomes)
    issues = writer.sync_lines(
        KeyIssue, {"priority": priority, "parent": None}, [issue.text for issue in data.key_issues]
    )
    for issue, issue_data in zip(issues, data.key_issues, strict=True):
        writer.sync_lines(KeyIssue, {"priority": priority, "parent": issue}, issue_data.sub_points)


class _DryRun(Exception):
    """Rolls back an import that was only a rehearsal."""


def plan_import(
    *, plan_file: PlanFile, user: User | None = None, source: str = "plan file", dry_run: bool = False
) -> ImportResult:
    """Make the portal match the plan file, in one transaction, changing only what differs.

    Priorities are matched by number and their lines by position; what the file no longer
    has is retired, not deleted, so actions that refer to it and the history keep it.
    """
    writer = _Writer(user=user, reason=f"Imported from {source}")
    try:
        with transaction.atomic():
            _import(writer, plan_file, user)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return writer.result


def _import(writer: _Writer, plan_file: PlanFile, user: User | None) -> None:
    """The import itself; the caller owns the transaction."""
    partnership = writer.sync(
        Partnership,
        {"name": plan_file.partnership_name},
        {
            "short_name": plan_file.partnership_short_name,
            "slug": plan_file.partnership_slug,
            "board_name": plan_file.board_name,
            "strapline": plan_file.strapline,
            "vision": plan_file.vision,
        },
    )
    agencies = [
        writer.sync(
            Agency,
            {"name": agency.name},
            {"short_name": agency.short_name, "kind": Agency.Kind.RESPONSIBLE_AUTHORITY},
        )
        for agency in plan_file.responsible_authorities
    ]
    members = set(partnership.members.all())
    missing = [agency for agency in agencies if agency not in members]
    # A responsible authority the file no longer names leaves the partnership (other
    # partners, added in the admin, are not the file's to remove).
    departed = [agency for agency in members if agency.is_responsible_authority and agency not in set(agencies)]
    if missing or departed:
        partnership._history_user = user  # type: ignore[attr-defined]
        partnership.members.add(*missing)
        partnership.members.remove(*departed)
        if missing:
            writer.result.created["partnership memberships"] += len(missing)
        if departed:
            writer.result.retired["partnership memberships"] += len(departed)

    assessments = {
        data.year: writer.sync(
            StrategicAssessment,
            {"partnership": partnership, "year": data.year},
            {"title": data.title, "findings": data.findings, "url": data.url},
        )
        for data in plan_file.assessments
    }
    supersedes = None
    if plan_file.supersedes:
        supersedes = StrategicPlan.objects.filter(partnership=partnership, title=plan_file.supersedes).first()
        if supersedes is None:
            raise PlanFileError([f"plan.supersedes: no plan called {plan_file.supersedes!r} in the portal"])
        successor = StrategicPlan.objects.filter(supersedes=supersedes).exclude(title=plan_file.plan_title).first()
        if successor is not None:
            raise PlanFileError([f"plan.supersedes: {supersedes.title!r} is already superseded by {successor.title!r}"])
    plan = writer.sync(
        StrategicPlan,
        {"partnership": partnership, "title": plan_file.plan_title},
        {
            "starts": plan_file.starts,
            "ends": plan_file.ends,
            "based_on": assessments.get(plan_file.based_on) if plan_file.based_on else None,
            "supersedes": supersedes,
        },
    )
    for priority_data in plan_file.priorities:
        _sync_priority(writer, plan, priority_data)
    writer.retire(Priority.objects.filter(plan=plan).exclude(number__in=[p.number for p in plan_file.priorities]))

    for term, description in plan_file.glossary.items():
        writer.sync(GlossaryTerm, {"partnership": partnership, "term": term}, {"description": description})
    for stale in GlossaryTerm.objects.filter(partnership=partnership).exclude(term__in=plan_file.glossary):
        stale._history_user = user  # type: ignore[attr-defined]
        stale._change_reason = writer.reason  # type: ignore[attr-defined]
        stale.delete()
        writer.result.retired["glossary terms"] += 1
