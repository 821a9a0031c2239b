"""Everything the board reads about one quarter, as plain data.

`quarter_build(period)` gathers it in a fixed number of queries, however much data there
is. The dashboard renders it live; a compiled report freezes it (`QuarterlyReport.snapshot`)
and renders only from the frozen copy, so later edits never change a published report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from itertools import pairwise
from typing import Any

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
from priorities.models import GlossaryTerm, Priority, StrategicPlan

from .judgements import Direction, TargetStatus, direction, target_status

EXCEPTION_RAGS = {Rag.RED.value, Rag.AMBER.value}


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


REPORTED = {ActionUpdate.Status.SUBMITTED, ActionUpdate.Status.APPROVED}


def _reported(update: ActionUpdate | None) -> ActionUpdate | None:
    """Only a submitted or approved update speaks for an action; a draft or a returned one
    is the officer's work in progress, not a return."""
    return update if update is not None and update.status in REPORTED else None


def _direction(indicator: Indicator, current: IndicatorValue | None, earlier: IndicatorValue | None) -> str:
    return direction(
        current.value if current else None,
        earlier.value if earlier else None,
        higher_is_better=indicator.higher_is_better,
        unit=indicator.unit,
        tolerance=indicator.tolerance,
    ).value


def _indicators(period: ReportingPeriod, priority_ids: list[int]) -> list[dict[str, Any]]:
    indicators = list(
        Indicator.objects.filter(priority_id__in=priority_ids)
        .select_related("priority", "supplying_agency")
        # Fed by a consultation: a perception measure whatever its source says.
        .annotate(fed=Exists(IndicatorFeed.objects.filter(indicator=OuterRef("pk"))))
    )
    values: dict[int, dict[str, IndicatorValue]] = defaultdict(dict)
    for value in IndicatorValue.objects.filter(indicator__in=indicators).select_related("period"):
        values[value.indicator_id][value.period.label] = value
    this = period.label
    last = _period_key(*periods.previous_quarter(period.financial_year, period.quarter))
    last_year = _period_key(period.financial_year - 1, period.quarter)
    rows = []
    for indicator in indicators:
        series = values[indicator.pk]
        current = series.get(this)

        def figure(label: str, series: dict[str, IndicatorValue] = series) -> float | None:
            found = series.get(label)
            return _number(found.value) if found else None

        rows.append(
            {
                "id": indicator.pk,
                "title": indicator.title,
                "priority": indicator.priority.number,
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
                "is_perception": "survey" in indicator.data_source.lower() or indicator.fed,
            }
        )
    return rows


def report_build(period: ReportingPeriod) -> dict[str, Any]:
    """What a compiled report freezes: the quarter, plus the latest consultation closed by
    its end (which the live dashboards don't need)."""
    quarter = quarter_build(period)
    plan = StrategicPlan.objects.current()
    quarter["consultation"] = (
        report_section(partnership_id=plan.partnership_id, as_of=period.ends) if plan is not None else None
    )
    return quarter


def quarter_build(period: ReportingPeriod) -> dict[str, Any]:
    """The quarter as plain, JSON-ready data (see the module docstring)."""
    plan = StrategicPlan.objects.current()
    # Figures as they stood at the quarter's end (or today, for a quarter still running).
    as_of = min(period.ends, timezone.localdate())
    if plan is None:
        return {"period": {"label": period.label}, "priorities": [], "indicators": []}
    # The priorities that year's action plans served, retired or not; else today's.
    priorities = list(
        Priority.objects.filter(action_plans__financial_year=period.financial_year).distinct().order_by("number")
    ) or list(plan.priorities.current().order_by("number"))
    priority_ids = [p.pk for p in priorities]
    previous_period = ReportingPeriod.objects.filter(
        financial_year=periods.previous_quarter(period.financial_year, period.quarter)[0],
        quarter=periods.previous_quarter(period.financial_year, period.quarter)[1],
    ).first()

    actions = list(
        Action.objects.filter(
            plan__priority__in=priority_ids,
            plan__financial_year=period.financial_year,
            start_date__lte=period.ends,
            due_date__gte=period.starts,
        )
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

    this = period.label
    previous_label = _period_key(*periods.previous_quarter(period.financial_year, period.quarter))
    # Since the last report: from the day after the previous window closed.
    since = previous_period.window_closes + dt.timedelta(days=1) if previous_period else period.starts
    history_start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    history_end = timezone.make_aware(dt.datetime.combine(period.window_closes, dt.time.max))

    priority_rows: dict[int, dict[str, Any]] = {
        p.number: {
            "number": p.number,
            "title": p.title,
            "summary": p.summary,
            "rag": {"red": 0, "amber": 0, "green": 0, "none": 0},
            "milestones": {"complete": 0, "overdue": 0, "on_time": 0},
            "actions": [],
        }
        for p in priorities
    }
    exceptions = []
    missing_returns = []
    rag_moves = []
    support_asked = []
    for action in actions:
        update = _reported(updates[action.pk].get(this))
        rag = update.rag if update and update.rag else ""
        counted = _milestone_counts(milestones[action.pk], as_of)
        row = priority_rows[action.plan.priority.number]
        row["rag"][rag or "none"] += 1
        for key, count in counted.items():
            row["milestones"][key] += count
        overdue = [
            {"title": m.title, "due": m.due_date.isoformat()}
            for m in milestones[action.pk]
            if milestone_state(m, as_of) == "overdue"
        ]
        row["actions"].append(
            {
                "id": action.pk,
                "reference": action.reference,
                "title": action.title,
                "theme": action.theme.text,
                "lead": action.lead_agency.name,
                "lead_short": action.lead_agency.short_name,
                "owner": str(action.owner or ""),
                "due": action.due_date.isoformat(),
                "state": action.get_state_display(),
                "rag": rag,
                "update_status": (
                    update.get_status_display()
                    if update
                    else ("Not submitted" if updates[action.pk].get(this) else "Not started")
                ),
                "commentary": update.progress if update else "",
                "issues": update.issues_and_risks if update else "",
                "support": update.support_requested if update else "",
                "milestones": counted,
                "overdue_milestones": overdue,
                "milestone_list": [
                    {
                        "title": m.title,
                        "due": m.due_date.isoformat(),
                        "completed": m.completed_on.isoformat() if m.completed_on and m.completed_on <= as_of else "",
                        "state": milestone_state(m, as_of).replace("_", " "),
                    }
                    for m in milestones[action.pk]
                ],
                "illustrative": action.is_illustrative,
            }
        )
        if update is not None and update.support_requested.strip():
            support_asked.append(
                {"reference": action.reference, "title": action.title, "support": update.support_requested}
            )
        if update is None:
            missing_returns.append(
                {"reference": action.reference, "title": action.title, "lead": action.lead_agency.name}
            )
        if rag in EXCEPTION_RAGS or overdue:
            # How long: consecutive quarters, back from this one, in which the action was an
            # exception (rated red or amber in its return, or a milestone overdue at the end).
            quarters, cursor = 0, (period.financial_year, period.quarter)
            while periods.quarter_end(*cursor) >= action.start_date:
                earlier = _reported(updates[action.pk].get(_period_key(*cursor)))
                end = min(periods.quarter_end(*cursor), as_of)
                late = any(milestone_state(m, end) == "overdue" for m in milestones[action.pk])
                if not ((earlier and earlier.rag in EXCEPTION_RAGS) or late):
                    break
                quarters += 1
                cursor = periods.previous_quarter(*cursor)
            exceptions.append(
                {
                    "action_id": action.pk,
                    "reference": action.reference,
                    "title": action.title,
                    "priority": action.plan.priority.number,
                    "lead": action.lead_agency.name,
                    "rag": rag,
                    "overdue_milestones": overdue,
                    "corrective_action": (update.issues_and_risks if update else "") or "None recorded.",
                    "support": update.support_requested if update else "",
                    "quarters": quarters,
                }
            )
        before = _reported(updates[action.pk].get(previous_label))
        if before and before.rag and rag and before.rag != rag:
            rag_moves.append({"reference": action.reference, "title": action.title, "from": before.rag, "to": rag})

    # What changed since the last report, from history: actions added, closed, dates slipped.
    added, closed, slipped = [], [], []
    action_history = Action.history.filter(
        id__in=action_ids, history_date__range=(history_start, history_end)
    ).order_by("id", "history_id")
    previous_record: dict[int, Any] = {}
    earlier = Action.history.filter(id__in=action_ids, history_date__lt=history_start).order_by("id", "-history_id")
    for record in earlier.distinct("id") if _supports_distinct_on() else _latest_each(earlier):
        previous_record[record.id] = record
    for record in action_history:
        prior = previous_record.get(record.id)
        if record.history_type == "+":
            added.append({"reference": record.reference, "title": record.title})
        elif prior is not None:
            if prior.state == Action.State.OPEN and record.state != Action.State.OPEN:
                closed.append(
                    {"reference": record.reference, "title": record.title, "state": record.get_state_display()}
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
    milestone_records: dict[int, list[Any]] = defaultdict(list)
    for record in Milestone.history.filter(action_id__in=action_ids, history_date__lte=history_end).order_by(
        "id", "history_id"
    ):
        milestone_records[record.id].append(record)
    for records in milestone_records.values():
        for before_record, after_record in pairwise(records):
            moved_now = after_record.history_type == "~" and after_record.history_date >= history_start
            if moved_now and after_record.due_date > before_record.due_date:
                slipped.append(
                    {
                        "what": f"Milestone “{after_record.title}”",
                        "from": before_record.due_date.isoformat(),
                        "to": after_record.due_date.isoformat(),
                    }
                )

    indicators = _indicators(period, priority_ids)
    headline = {
        "actions": len(actions),
        "rag": {key: sum(p["rag"][key] for p in priority_rows.values()) for key in ("red", "amber", "green", "none")},
        "milestones": {
            key: sum(p["milestones"][key] for p in priority_rows.values()) for key in ("complete", "overdue", "on_time")
        },
    }
    for row in priority_rows.values():
        row["indicators"] = [i for i in indicators if i["priority"] == row["number"]]
    return {
        "period": {
            "label": this,
            "starts": period.starts.isoformat(),
            "ends": period.ends.isoformat(),
            "window_closes": period.window_closes.isoformat(),
            "previous": previous_label,
            "same_last_year": _period_key(period.financial_year - 1, period.quarter),
        },
        "partnership": plan.partnership.name,
        "plan": plan.title,
        "built_at": timezone.now().isoformat(),
        "headline": headline,
        "priorities": list(priority_rows.values()),
        "indicators": indicators,
        "exceptions": exceptions,
        "support_asked": support_asked,
        "perception_count": sum(1 for i in indicators if i["is_perception"]),
        "changes": {"rag_moves": rag_moves, "slipped": slipped, "added": added, "closed": closed},
        "data_quality": {
            "provisional": [i["title"] for i in indicators if i["provisional"]],
            "missing_values": [i["title"] for i in indicators if i["this_quarter"] is None],
            "missing_returns": missing_returns,
        },
        "rag_key": [{"rag": rag.value, "label": rag.label, "meaning": RAG_DEFINITIONS[rag]} for rag in Rag],
        "judgement_key": {
            "status": [s.value for s in TargetStatus],
            "direction": [d.value for d in Direction],
        },
        "glossary": [
            [term, description]
            for term, description in GlossaryTerm.objects.filter(partnership=plan.partnership).values_list(
                "term", "description"
            )
        ],
    }


def _supports_distinct_on() -> bool:
    from django.db import connection

    return connection.features.can_distinct_on_fields


def _latest_each(queryset: Any) -> list[Any]:
    """The newest record of each object, for databases without DISTINCT ON (SQLite)."""
    latest: dict[int, Any] = {}
    for record in queryset:
        latest.setdefault(record.id, record)
    return list(latest.values())
