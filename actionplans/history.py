"""The History tab: who changed what on an action, its milestones, its updates and the
values of its indicators, old → new."""

from __future__ import annotations

from core.history import HistoryEntry, history_entries

from .models import Action, ActionUpdate, Indicator, IndicatorValue, Milestone, ReportingPeriod


def action_history(action: Action) -> list[HistoryEntry]:
    """Every recorded change, newest first, in a fixed number of queries."""
    periods = {p.pk: p.label for p in ReportingPeriod.objects.filter(partnership_id=action.plan.partnership_id)}
    indicators = {i.pk: i.title for i in Indicator.objects.filter(actions=action)}

    def records(queryset):  # type: ignore[no-untyped-def]
        return list(queryset.select_related("history_user").order_by("history_id"))

    entries = [
        *history_entries(
            Action,
            records(Action.history.filter(id=action.pk)),
            lambda r: f"Action {r.reference}",
            m2m_fields=["aims", "outcomes", "supporting_agencies", "indicators"],
        ),
        *history_entries(
            Milestone,
            records(Milestone.history.filter(action_id=action.pk)),
            lambda r: f"Milestone: {r.title}",
        ),
        *history_entries(
            ActionUpdate,
            records(ActionUpdate.history.filter(action_id=action.pk)),
            lambda r: f"Update for {periods.get(r.period_id, 'a period')}",
        ),
        *history_entries(
            IndicatorValue,
            records(IndicatorValue.history.filter(indicator_id__in=indicators)),
            lambda r: f"Value of {indicators.get(r.indicator_id)} for {periods.get(r.period_id, 'a period')}",
        ),
    ]
    return sorted(entries, key=lambda e: (e.at, e.order), reverse=True)
