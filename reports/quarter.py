"""Everything the board reads about one quarter, as plain data.

The quarter is built in named steps, each from the same starting point (`quarter_scope`:
the period, the plan and its priorities) and, for the steps about actions, from the actions
that ran in it (`actions_running`): `action_rows`, `exception_runs`,
`changes_since_last_quarter`, `headline` and `indicator_rows`. Each takes a fixed number
of queries, however much data there is.

A compiled report freezes the whole quarter (`report_build`, which composes every step as
`quarter_build` does) into `QuarterlyReport.snapshot` and renders only from that frozen
copy, so later edits never change a published report. Each dashboard page builds live only
the steps it shows (`quarter_overview`, `quarter_priority`, `quarter_exceptions`,
`quarter_indicator`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Any, TypeVar

from django.db.models import Exists, OuterRef
from django.utils import timezone

from actionplans.models import (
    RAG_DEFINITIONS,
    Action,
    ActionUpdate,
    Indicator,
    IndicatorValue,
    Milestone,
    Rag,
    ReportingPeriod,
)
from consultations.models import IndicatorFeed
from consultations.results import report_section
from core import periods
from core.generation import built
from priorities.as_at import Wording, end_of, wording_as_at
from priorities.models import GlossaryTerm, Priority, StrategicPlan

from .judgements import Direction, TargetStatus, direction, target_status

EXCEPTION_RAGS = {Rag.RED.value, Rag.AMBER.value}
# Labels by value, read once: `get_*_display` hashes every choice on each call (hundreds a page).
# A value no longer among the choices (in an old history row) reads as itself.
ACTION_STATES: dict[str, str] = dict(Action.State.choices)
UPDATE_STATUSES: dict[str, str] = dict(ActionUpdate.Status.choices)
Row = dict[str, Any]
P = TypeVar("P", int, None)
V = TypeVar("V")


def snapshot_date(value: str | None) -> dt.date | None:
    """A day the snapshot holds as ISO text, as a date: a date as it is, a moment (when the
    figures were frozen) as the day it was in the portal's time zone, so the report's cover and
    the spreadsheet appendix name the same day. None for none (a milestone not done)."""
    if not value:
        return None
    if "T" not in value:
        return dt.date.fromisoformat(value)
    moment = dt.datetime.fromisoformat(value)
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _period_key(financial_year: int, quarter: int) -> str:
    return periods.period_label(financial_year, quarter)


def milestone_state(milestone: Milestone, as_of: dt.date) -> str:
    """A milestone as it stood on a day: "complete" if done by then, "overdue" if due before
    then and not done by then, else "on_time" (so a later completion never rewrites a
    past quarter's figures)."""
    if milestone.completed_on is not None and milestone.completed_on <= as_of:
        return "complete"
    if milestone.due_date < as_of:
        return "overdue"
    return "on_time"


def _milestone_counts(milestones: list[Milestone], as_of: dt.date) -> dict[str, int]:
    counts = {"complete": 0, "overdue": 0, "on_time": 0}
    for milestone in milestones:
        counts[milestone_state(milestone, as_of)] += 1
    return counts


def _reported(update: ActionUpdate | None) -> ActionUpdate | None:
    """The update if it speaks for its action (`ActionUpdate.is_reported`), else None."""
    return update if update is not None and update.is_reported else None


def _rag(update: ActionUpdate | None) -> str:
    return update.rag if update and update.rag else ""


# The starting point -------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What every step starts from: the period, the plan in force, the priorities that
    year's action plans served, and the day the figures stand at."""

    period: ReportingPeriod
    plan: StrategicPlan
    priorities: list[Priority]
    as_of: dt.date

    @property
    def priority_ids(self) -> list[int]:
        return [p.pk for p in self.priorities]

    @cached_property
    def wording(self) -> Wording:
        """Priority titles and theme texts as they stood at the quarter's end, so a past
        quarter reads as it did after the plan is revised (two queries, once); a quarter
        still running reads as the plan does now."""
        if self.as_of >= timezone.localdate():
            return Wording(priorities={}, themes={})
        return wording_as_at(priority_ids=self.priority_ids, day=self.as_of)

    @property
    def previous_label(self) -> str:
        return _period_key(*periods.previous_quarter(self.period.financial_year, self.period.quarter))


def quarter_scope(period: ReportingPeriod) -> Scope | None:
    """The quarter's starting point (its partnership's plan and priorities), or None when
    the partnership has no plan yet."""
    plan = StrategicPlan.objects.filter(partnership_id=period.partnership_id).current()
    if plan is None:
        return None
    # The priorities that year's action plans served, retired or not; else today's.
    priorities = list(
        Priority.objects.filter(
            action_plans__partnership_id=period.partnership_id, action_plans__financial_year=period.financial_year
        )
        .distinct()
        .order_by("number", "pk")
    ) or list(plan.priorities.current().order_by("number"))
    # Figures as they stood at the quarter's end (or today, for a quarter still running).
    return Scope(period=period, plan=plan, priorities=priorities, as_of=min(period.ends, timezone.localdate()))


@dataclass(frozen=True)
class Running:
    """The actions that ran in the quarter, each with its milestones and its updates by
    period label."""

    actions: list[Action]
    milestones: dict[int, list[Milestone]]
    updates: dict[int, dict[str, ActionUpdate]]
    # For a past quarter, the theme each action was on at the quarter's end, by action id.
    themes_then: dict[int, int]

    def theme(self, action: Action, wording: Wording) -> str:
        """The action's theme, worded as at the quarter's end."""
        theme_id = self.themes_then.get(action.pk, action.theme_id)
        if theme_id == action.theme_id:
            return wording.theme(action.theme)
        return wording.themes.get(theme_id, action.theme.text)

    def reported(self, action: Action, label: str) -> ActionUpdate | None:
        """The action's return for a period, if it was submitted or approved."""
        return _reported(self.updates[action.pk].get(label))

    def overdue(self, action: Action, as_of: dt.date) -> list[dict[str, str]]:
        return [
            {"title": m.title, "due": m.due_date.isoformat()}
            for m in self.milestones[action.pk]
            if milestone_state(m, as_of) == "overdue"
        ]


def actions_running(scope: Scope) -> Running:
    """The actions of the year's plans that ran in the quarter (started by its end, due
    after its start), with their milestones and updates: three queries. An action since
    carried forward into a later year's plan of the same priority ran in it too, so the
    quarter still shows it."""
    period = scope.period
    actions = list(
        Action.objects.running_in(period)
        .filter(plan__priority__in=scope.priority_ids, plan__financial_year__gte=period.financial_year)
        .select_related("plan__priority", "lead_agency", "owner", "theme")
        .order_by("plan__priority__number", "reference")
    )
    action_ids = [a.pk for a in actions]
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for milestone in Milestone.objects.filter(action_id__in=action_ids):
        milestones[milestone.action_id].append(milestone)
    updates: dict[int, dict[str, ActionUpdate]] = defaultdict(dict)
    for found in ActionUpdate.objects.filter(action_id__in=action_ids).select_related("period"):
        updates[found.action_id][found.period.label] = found
    themes_then: dict[int, int] = {}
    if scope.as_of < timezone.localdate():
        # One query: what the history says each action was on by the quarter's end.
        records = Action.history.filter(id__in=action_ids, history_date__lt=end_of(scope.as_of))
        for action_id, theme_id in records.order_by("history_date", "history_id").values_list("id", "theme_id"):
            themes_then[action_id] = theme_id
    return Running(actions=actions, milestones=milestones, updates=updates, themes_then=themes_then)


# Action rows --------------------------------------------------------------------------


def priority_heads(scope: Scope) -> list[Row]:
    """Each priority's number, title and summary: what the dashboard's tabs need."""
    wording = scope.wording
    return [
        {"id": p.pk, "number": p.number, "title": wording.title(p), "summary": wording.summary(p)}
        for p in scope.priorities
    ]


def _action_row(action: Action, running: Running, scope: Scope) -> Row:
    this = scope.period.label
    update = running.reported(action, this)
    milestones = running.milestones[action.pk]
    if update:
        update_status = UPDATE_STATUSES.get(update.status, update.status)
    else:
        update_status = "Not submitted" if running.updates[action.pk].get(this) else "Not started"
    return {
        "id": action.pk,
        "reference": action.reference,
        "title": action.title,
        "theme": running.theme(action, scope.wording),
        "lead": action.lead_agency.name,
        "lead_short": action.lead_agency.short_name,
        "owner": str(action.owner or ""),
        "due": action.due_date.isoformat(),
        "state": ACTION_STATES.get(action.state, action.state),
        "rag": _rag(update),
        "update_status": update_status,
        "commentary": update.progress if update else "",
        "issues": update.issues_and_risks if update else "",
        "support": update.support_requested if update else "",
        "milestones": _milestone_counts(milestones, scope.as_of),
        "overdue_milestones": running.overdue(action, scope.as_of),
        "milestone_list": [
            {
                "title": m.title,
                "due": m.due_date.isoformat(),
                "completed": m.completed_on.isoformat() if m.completed_on and m.completed_on <= scope.as_of else "",
                "state": milestone_state(m, scope.as_of).replace("_", " "),
            }
            for m in milestones
        ],
        "illustrative": action.is_illustrative,
    }


def action_rows(scope: Scope, running: Running) -> list[Row]:
    """Each priority with its actions' rows and its counts of RAG ratings and milestones."""
    rows: dict[int, Row] = {
        head["id"]: {
            **head,
            "rag": {"red": 0, "amber": 0, "green": 0, "none": 0},
            "milestones": {"complete": 0, "overdue": 0, "on_time": 0},
            "actions": [],
        }
        for head in priority_heads(scope)
    }
    for action in running.actions:
        row = _action_row(action, running, scope)
        priority = rows[action.plan.priority_id]
        priority["rag"][row["rag"] or "none"] += 1
        for key, count in row["milestones"].items():
            priority["milestones"][key] += count
        priority["actions"].append(row)
    return list(rows.values())


def support_asked(scope: Scope, running: Running) -> list[Row]:
    """What action owners asked of the board in this quarter's returns."""
    asked = []
    for action in running.actions:
        update = running.reported(action, scope.period.label)
        if update is not None and update.support_requested.strip():
            asked.append({"reference": action.reference, "title": action.title, "support": update.support_requested})
    return asked


def missing_returns(scope: Scope, running: Running) -> list[Row]:
    """The actions with no submitted or approved return this quarter."""
    return [
        {"reference": action.reference, "title": action.title, "lead": action.lead_agency.name}
        for action in running.actions
        if running.reported(action, scope.period.label) is None
    ]


def headline(priorities: list[Row], running: Running) -> Row:
    """The counts over every priority (from `action_rows`)."""
    return {
        "actions": len(running.actions),
        "rag": {key: sum(p["rag"][key] for p in priorities) for key in ("red", "amber", "green", "none")},
        "milestones": {
            key: sum(p["milestones"][key] for p in priorities) for key in ("complete", "overdue", "on_time")
        },
    }


# Exception runs -----------------------------------------------------------------------


def _quarters_as_exception(action: Action, running: Running, scope: Scope) -> int:
    """Consecutive quarters, back from this one, in which the action was an exception (rated
    red or amber in its return, or a milestone overdue at the quarter's end)."""
    quarters, cursor = 0, (scope.period.financial_year, scope.period.quarter)
    while periods.quarter_end(*cursor) >= action.start_date:
        earlier = running.reported(action, _period_key(*cursor))
        end = min(periods.quarter_end(*cursor), scope.as_of)
        late = any(milestone_state(m, end) == "overdue" for m in running.milestones[action.pk])
        if not ((earlier and earlier.rag in EXCEPTION_RAGS) or late):
            break
        quarters += 1
        cursor = periods.previous_quarter(*cursor)
    return quarters


def exception_runs(scope: Scope, running: Running) -> list[Row]:
    """The actions rated red or amber, or with a milestone overdue, and for how long."""
    exceptions = []
    for action in running.actions:
        update = running.reported(action, scope.period.label)
        rag = _rag(update)
        overdue = running.overdue(action, scope.as_of)
        if rag not in EXCEPTION_RAGS and not overdue:
            continue
        exceptions.append(
            {
                "action_id": action.pk,
                "reference": action.reference,
                "title": action.title,
                "priority": action.plan.priority.number,
                "priority_id": action.plan.priority_id,
                "lead": action.lead_agency.name,
                "rag": rag,
                "overdue_milestones": overdue,
                "corrective_action": (update.issues_and_risks if update else "") or "None recorded.",
                "support": update.support_requested if update else "",
                "quarters": _quarters_as_exception(action, running, scope),
            }
        )
    return exceptions


# Changes since the last quarter -------------------------------------------------------


def _rag_moves(scope: Scope, running: Running) -> list[Row]:
    moves = []
    for action in running.actions:
        rag = _rag(running.reported(action, scope.period.label))
        before = running.reported(action, scope.previous_label)
        if before and before.rag and rag and before.rag != rag:
            moves.append({"reference": action.reference, "title": action.title, "from": before.rag, "to": rag})
    return moves


def _history_window(period: ReportingPeriod) -> tuple[dt.datetime, dt.datetime]:
    """Since the last report: from the day after the previous window closed to this one's close."""
    previous_period = ReportingPeriod.objects.filter(
        partnership_id=period.partnership_id,
        financial_year=periods.previous_quarter(period.financial_year, period.quarter)[0],
        quarter=periods.previous_quarter(period.financial_year, period.quarter)[1],
    ).first()
    since = previous_period.window_closes + dt.timedelta(days=1) if previous_period else period.starts
    return (
        timezone.make_aware(dt.datetime.combine(since, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(period.window_closes, dt.time.max)),
    )


def _action_changes(action_ids: list[int], start: dt.datetime, end: dt.datetime) -> tuple[list[Row], ...]:
    """Actions added, closed and with their due date slipped in the window, from history."""
    added, closed, slipped = [], [], []
    previous_record: dict[int, Any] = {}
    earlier = Action.history.filter(id__in=action_ids, history_date__lt=start).order_by("id", "-history_id")
    for record in earlier.distinct("id") if _supports_distinct_on() else _latest_each(earlier):
        previous_record[record.id] = record
    in_window = Action.history.filter(id__in=action_ids, history_date__range=(start, end)).order_by("id", "history_id")
    for record in in_window:
        prior = previous_record.get(record.id)
        if record.history_type == "+":
            added.append({"reference": record.reference, "title": record.title})
        elif prior is not None:
            if prior.state == Action.State.OPEN and record.state != Action.State.OPEN:
                closed.append(
                    {
                        "reference": record.reference,
                        "title": record.title,
                        "state": ACTION_STATES.get(record.state, record.state),
                    }
                )
            if record.due_date > prior.due_date:
                slipped.append(
                    {
                        "what": f"Action {record.reference}",
                        "from": prior.due_date.isoformat(),
                        "to": record.due_date.isoformat(),
                    }
                )
        previous_record[record.id] = record
    return added, closed, slipped


def _milestone_slips(action_ids: list[int], start: dt.datetime, end: dt.datetime) -> list[Row]:
    """Milestones whose due date was moved later in the window, from history."""
    records: dict[int, list[Any]] = defaultdict(list)
    for record in Milestone.history.filter(action_id__in=action_ids, history_date__lte=end).order_by(
        "id", "history_id"
    ):
        records[record.id].append(record)
    slipped = []
    for versions in records.values():
        for before, after in pairwise(versions):
            moved_now = after.history_type == "~" and after.history_date >= start
            if moved_now and after.due_date > before.due_date:
                slipped.append(
                    {
                        "what": f"Milestone “{after.title}”",
                        "from": before.due_date.isoformat(),
                        "to": after.due_date.isoformat(),
                    }
                )
    return slipped


def changes_since_last_quarter(scope: Scope, running: Running) -> Row:
    """RAG moves against the last quarter's returns, and, from history since the last
    report, actions added, closed and dates slipped."""
    start, end = _history_window(scope.period)
    action_ids = [a.pk for a in running.actions]
    added, closed, slipped = _action_changes(action_ids, start, end)
    return {
        "rag_moves": _rag_moves(scope, running),
        "slipped": slipped + _milestone_slips(action_ids, start, end),
        "added": added,
        "closed": closed,
    }


# Indicators ---------------------------------------------------------------------------


def _direction(indicator: Indicator, current: IndicatorValue | None, earlier: IndicatorValue | None) -> str:
    return direction(
        current.value if current else None,
        earlier.value if earlier else None,
        higher_is_better=indicator.higher_is_better,
        unit=indicator.unit,
        tolerance=indicator.tolerance,
    ).value


def _indicator_row(
    indicator: Indicator, series: dict[str, IndicatorValue], period: ReportingPeriod, *, fed: bool
) -> Row:
    this = period.label
    last = _period_key(*periods.previous_quarter(period.financial_year, period.quarter))
    last_year = _period_key(period.financial_year - 1, period.quarter)
    current = series.get(this)

    def figure(label: str) -> float | None:
        found = series.get(label)
        return _number(found.value) if found else None

    return {
        "id": indicator.pk,
        "title": indicator.title,
        "priority": indicator.priority.number,
        "priority_id": indicator.priority_id,
        "unit": indicator.unit,
        "higher_is_better": indicator.higher_is_better,
        "baseline": _number(indicator.baseline),
        "baseline_label": indicator.baseline_label,
        "target": _number(indicator.target),
        "tolerance": _number(indicator.tolerance),
        "source": indicator.data_source,
        "supplier": indicator.supplying_agency.name if indicator.supplying_agency else "",
        "this_quarter": figure(this),
        "last_quarter": figure(last),
        "same_quarter_last_year": figure(last_year),
        "provisional": bool(current and current.provisional),
        "note": current.note if current else "",
        "status": target_status(
            current.value if current else None,
            indicator.target,
            indicator.tolerance,
            indicator.higher_is_better,
        ).value,
        "direction_last_quarter": _direction(indicator, current, series.get(last)),
        "direction_last_year": _direction(indicator, current, series.get(last_year)),
        "series": [
            [label, _number(series[label].value)]
            for label in sorted(series, key=lambda lab: periods.parse_period_label(lab))
            if periods.parse_period_label(label) <= (period.financial_year, period.quarter)
        ],
        "is_perception": "survey" in indicator.data_source.lower() or fed,
    }


def indicator_rows(scope: Scope, *, priority: int | None = None, pk: int | None = None) -> list[Row]:
    """The indicators of the quarter's priorities (or of one priority, or one indicator)
    against baseline and target, with their series up to the quarter: two queries."""
    found = Indicator.objects.filter(priority_id__in=scope.priority_ids)
    if priority is not None:
        found = found.filter(priority_id=priority)
    if pk is not None:
        found = found.filter(pk=pk)
    indicators = list(
        found.select_related("priority", "supplying_agency")
        # Fed by a consultation: a perception measure whatever its source says.
        .annotate(fed=Exists(IndicatorFeed.objects.filter(indicator=OuterRef("pk"))))
    )
    values: dict[int, dict[str, IndicatorValue]] = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__in=indicators).select_related("period"):
        values[value.indicator_id][value.period.label] = value
    return [
        _indicator_row(indicator, values[indicator.pk], scope.period, fed=indicator.fed) for indicator in indicators
    ]


# The whole quarter, and each page's part ----------------------------------------------


def _empty(period: ReportingPeriod) -> Row:
    """The quarter before there is a plan."""
    return {"period": {"label": period.label}, "priorities": [], "indicators": []}


def _frame(scope: Scope) -> Row:
    period = scope.period
    return {
        "period": {
            "label": period.label,
            "starts": period.starts.isoformat(),
            "ends": period.ends.isoformat(),
            "window_closes": period.window_closes.isoformat(),
            "previous": scope.previous_label,
            "same_last_year": _period_key(period.financial_year - 1, period.quarter),
        },
        "partnership": scope.plan.partnership.name,
        "board": scope.plan.partnership.board,
        "plan": scope.plan.title,
    }


def _with_indicators(priorities: list[Row], indicators: list[Row]) -> list[Row]:
    for row in priorities:
        row["indicators"] = [i for i in indicators if i["priority_id"] == row["id"]]
    return priorities


def _glossary(plan: StrategicPlan) -> list[list[str]]:
    return [
        [term, description]
        for term, description in GlossaryTerm.objects.filter(partnership=plan.partnership).values_list(
            "term", "description"
        )
    ]


def quarter_build(period: ReportingPeriod) -> Row:
    """The whole quarter as plain, JSON-ready data: every step (see the module docstring)."""
    scope = quarter_scope(period)
    if scope is None:
        return _empty(period)
    running = actions_running(scope)
    indicators = indicator_rows(scope)
    priorities = _with_indicators(action_rows(scope, running), indicators)
    return {
        **_frame(scope),
        "built_at": timezone.now().isoformat(),
        "headline": headline(priorities, running),
        "priorities": priorities,
        "indicators": indicators,
        "exceptions": exception_runs(scope, running),
        "support_asked": support_asked(scope, running),
        "perception_count": sum(1 for i in indicators if i["is_perception"]),
        "changes": changes_since_last_quarter(scope, running),
        "data_quality": {
            "provisional": [i["title"] for i in indicators if i["provisional"]],
            "missing_values": [i["title"] for i in indicators if i["this_quarter"] is None],
            "missing_returns": missing_returns(scope, running),
        },
        "rag_key": [{"rag": rag.value, "label": rag.label, "meaning": RAG_DEFINITIONS[rag]} for rag in Rag],
        "judgement_key": {
            "status": [s.value for s in TargetStatus],
            "direction": [d.value for d in Direction],
        },
        "glossary": _glossary(scope.plan),
    }


def report_build(period: ReportingPeriod) -> Row:
    """What a compiled report freezes: the whole quarter, plus the latest consultation
    closed by its end (which the live dashboards don't need)."""
    quarter = quarter_build(period)
    quarter["consultation"] = report_section(partnership_id=period.partnership_id, as_of=period.ends)
    return quarter


def _kept(name: str, period: ReportingPeriod, pk: P, build: Callable[[ReportingPeriod, P], V]) -> V:
    """A dashboard page's build, kept until the database changes (core.generation) or the
    day does (what is overdue, and whether the quarter is still running, follow the date)."""
    return built(f"quarter.{name}", [period.pk, pk, timezone.localdate()], lambda: build(period, pk))


def quarter_overview(period: ReportingPeriod) -> Row:
    """The dashboard: each priority's counts, the exceptions, the indicators and what changed."""
    return _kept("overview", period, None, _overview)


def _overview(period: ReportingPeriod, _pk: None) -> Row:
    scope = quarter_scope(period)
    if scope is None:
        return _empty(period)
    running = actions_running(scope)
    return {
        **_frame(scope),
        "priorities": action_rows(scope, running),
        "indicators": indicator_rows(scope),
        "exceptions": exception_runs(scope, running),
        "changes": changes_since_last_quarter(scope, running),
    }


def quarter_priority(period: ReportingPeriod, pk: int) -> Row | None:
    """One priority's page: its actions and its indicators (the others only as tabs), or
    None if the quarter has no such priority."""
    return _kept("priority", period, pk, _priority)


def _priority(period: ReportingPeriod, pk: int) -> Row | None:
    scope = quarter_scope(period)
    if scope is None or pk not in scope.priority_ids:
        return None
    priorities = action_rows(scope, actions_running(scope))
    _with_indicators(priorities, indicator_rows(scope, priority=pk))
    return {**_frame(scope), "priorities": priorities}


def quarter_exceptions(period: ReportingPeriod) -> Row:
    """The exceptions page: the exception runs, and the priorities as tabs and filter."""
    return _kept("exceptions", period, None, _exceptions)


def _exceptions(period: ReportingPeriod, _pk: None) -> Row:
    scope = quarter_scope(period)
    if scope is None:
        return _empty(period)
    return {
        **_frame(scope),
        "priorities": priority_heads(scope),
        "exceptions": exception_runs(scope, actions_running(scope)),
    }


def quarter_indicator(period: ReportingPeriod, pk: int) -> Row | None:
    """One indicator of the quarter's priorities, or None if it is not one of them."""
    return _kept("indicator", period, pk, _indicator)


def _indicator(period: ReportingPeriod, pk: int) -> Row | None:
    scope = quarter_scope(period)
    if scope is None:
        return None
    return next(iter(indicator_rows(scope, pk=pk)), None)


def _supports_distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _latest_each(queryset: Any) -> list[Any]:
    """The newest record of each object, for databases without DISTINCT ON (SQLite)."""
    latest: dict[int, Any] = {}
    for record in queryset:
        latest.setdefault(record.id, record)
    return list(latest.values())
