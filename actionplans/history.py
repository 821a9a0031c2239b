"""The History tab: who changed what on an action, its milestones and its updates, old → new."""

from __future__ import annotations

from typing import Any

from django.db import models

from csp_portal.history import HistoryEntry, history_entries

from .models import Action, ActionUpdate, Milestone


def action_history(action: Action) -> list[HistoryEntry]:
    """Every recorded change to the action, its milestones and its updates, newest first."""
    sources: list[tuple[type[models.Model], str, Any]] = [
        (Action, "Action", Action.history.filter(id=action.pk)),
        (Milestone, "Milestone", Milestone.history.filter(action_id=action.pk)),
        (ActionUpdate, "Update", ActionUpdate.history.filter(action_id=action.pk)),
    ]
    entries: list[HistoryEntry] = []
    for model, prefix, queryset in sources:
        records = list(queryset.select_related("history_user").order_by("history_id"))
        entries.extend(history_entries(model, prefix, records))
    return sorted(entries, key=lambda e: (e.at, e.order), reverse=True)
