"""The plan as it stood on a day, read from its history (django-simple-history).

Every priority and line keeps a history record of each change, so the wording that stood
at any moment is the latest record made by then. A row whose latest record by then says
it was retired (or that has no record yet) was not in the plan that day. Each read is a
fixed number of queries, however long the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from .models import ExpectedOutcome, KeyIssue, PartnershipAim, Priority, StrategicPlan, Theme


def end_of(day: dt.date) -> dt.datetime:
    """The first moment after the day, in the portal's time zone: `as at 3 April` includes
    everything done on 3 April."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _latest(model: type[Any], when: dt.datetime, **filters: Any) -> dict[int, Any]:
    """Each row's latest history record made before `when`, by row id (one query)."""
    latest: dict[int, Any] = {}
    records = model.history.filter(history_date__lt=when, **filters).order_by("history_date", "history_id")
    for record in records:
        latest[record.id] = record
    return latest


def _standing(records: dict[int, Any], when: dt.datetime) -> list[Any]:
    return [
        record
        for record in records.values()
        if record.history_type != "-" and (record.retired_at is None or record.retired_at >= when)
    ]


class Lines(list):
    """Lines as they stood, read by templates as a related manager is (`lines.all`)."""

    def all(self) -> Lines:
        return self


@dataclass
class PriorityAsAt:
    """A priority as it stood: what its page shows, from history records."""

    pk: int
    number: int
    title: str
    summary: str
    themes: Lines = field(default_factory=Lines)
    top_key_issues: list[Any] = field(default_factory=list)
    aims: Lines = field(default_factory=Lines)
    outcomes: Lines = field(default_factory=Lines)


@dataclass(frozen=True)
class IssueAsAt:
    text: str
    sub_points: Lines


def plan_in_force_on(plans: Any, day: dt.date) -> StrategicPlan | None:
    """Of one partnership's plans, the one in force on the day: the latest to have started
    by then (a plan superseded later was still in force), else the current one."""
    started = plans.filter(starts__lte=day).order_by("-starts", "-pk").first()
    return started or plans.current()


def priorities_as_at(plan: StrategicPlan, day: dt.date, *, parts: bool = False) -> list[PriorityAsAt]:
    """The plan's priorities as they stood at the end of the day, by number; with `parts`,
    each with its lines too (four more queries)."""
    when = end_of(day)
    priorities = sorted(_standing(_latest(Priority, when, plan_id=plan.pk), when), key=lambda p: (p.number, p.id))
    result = [PriorityAsAt(p.id, p.number, p.title, p.summary) for p in priorities]
    if not parts or not result:
        return result
    by_id = {p.pk: p for p in result}
    ids = list(by_id)

    def lines(model: type[Any]) -> dict[int, Lines]:
        grouped: dict[int, Lines] = {pk: Lines() for pk in ids}
        for record in sorted(_standing(_latest(model, when, priority_id__in=ids), when), key=lambda r: r.position):
            if getattr(record, "parent_id", None) is None:
                grouped[record.priority_id].append(record)
        return grouped

    for name, model in (("themes", Theme), ("aims", PartnershipAim), ("outcomes", ExpectedOutcome)):
        for pk, found in lines(model).items():
            setattr(by_id[pk], name, found)
    issues = sorted(_standing(_latest(KeyIssue, when, priority_id__in=ids), when), key=lambda r: r.position)
    points: dict[int, Lines] = {}
    for record in issues:
        if record.parent_id is not None:
            points.setdefault(record.parent_id, Lines()).append(record)
    for record in issues:
        if record.parent_id is None:
            by_id[record.priority_id].top_key_issues.append(IssueAsAt(record.text, points.get(record.id, Lines())))
    return result


def records_begin(plan: StrategicPlan) -> dt.date | None:
    """The day the portal's history of the plan's priorities begins."""
    first = Priority.history.filter(plan_id=plan.pk).order_by("history_date").first()
    return timezone.localdate(first.history_date) if first else None


@dataclass(frozen=True)
class Wording:
    """Priority titles and summaries, and theme texts, as they stood at a moment, by id;
    what is missing had no record by then and reads as it does now."""

    priorities: dict[int, tuple[str, str]]
    themes: dict[int, str]

    def title(self, priority: Priority) -> str:
        return self.priorities.get(priority.pk, (priority.title, priority.summary))[0]

    def summary(self, priority: Priority) -> str:
        return self.priorities.get(priority.pk, (priority.title, priority.summary))[1]

    def theme(self, theme: Theme) -> str:
        return self.themes.get(theme.pk, theme.text)


def wording_as_at(*, priority_ids: list[int], day: dt.date) -> Wording:
    """The wording of these priorities and their themes at the end of the day: two queries."""
    when = end_of(day)
    priorities = _latest(Priority, when, id__in=priority_ids)
    themes = _latest(Theme, when, priority_id__in=priority_ids)
    return Wording(
        priorities={pk: (r.title, r.summary) for pk, r in priorities.items() if r.history_type != "-"},
        themes={pk: r.text for pk, r in themes.items() if r.history_type != "-"},
    )
