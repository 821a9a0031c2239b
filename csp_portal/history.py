"""Reading django-simple-history records as people read changes: who, when, old → new."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models

# Bookkeeping, not content: never shown as a change.
HIDDEN_FIELDS = ["version", "saved_by"]


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    at: dt.datetime
    by: str
    subject: str
    kind: str  # "created", "changed", "deleted"
    reason: str = ""
    changes: list[Change] = field(default_factory=list)
    order: int = 0  # the history row's id: breaks ties between changes made in the same instant


def _label(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()


class _Display:
    """Shows stored values as people read them: choice labels, names instead of ids."""

    def __init__(self, model: type[models.Model], records: list[Any]) -> None:
        self.model = model
        self.related: dict[str, dict[Any, Any]] = {}
        ids: dict[str, set[Any]] = defaultdict(set)
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation and model_field.name not in HIDDEN_FIELDS:
                for record in records:
                    value = getattr(record, model_field.attname)
                    if value is not None:
                        ids[model_field.name].add(value)
        for name, wanted in ids.items():
            related_model = model._meta.get_field(name).related_model
            assert related_model is not None
            assert not isinstance(related_model, str)
            self.related[name] = related_model._default_manager.in_bulk(wanted)

    def show(self, name: str, value: Any) -> str:
        model_field = self.model._meta.get_field(name)
        if value in (None, "") or value == []:
            return "(blank)"
        if name in self.related:
            return str(self.related[name].get(value, value))
        if getattr(model_field, "choices", None):
            return str(dict(model_field.flatchoices).get(value, value))  # type: ignore[union-attr]
        if isinstance(value, list):  # many-to-many: a list of through rows
            return ", ".join(str(item) for item in value) or "(blank)"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return str(value)


def history_entries(model: type[models.Model], subject_prefix: str, records: list[Any]) -> list[HistoryEntry]:
    """Entries for one model's historical records (oldest first in, any order out)."""
    display = _Display(model, records)
    previous: dict[Any, Any] = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        entry = HistoryEntry(
            at=record.history_date,
            by=str(record.history_user) if record.history_user else "the system",
            subject=f"{subject_prefix}: {record.instance}",
            kind={"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
            reason=record.history_change_reason or "",
            order=record.history_id,
        )
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=HIDDEN_FIELDS)
            entry.changes = [
                Change(_label(model, c.field), display.show(c.field, c.old), display.show(c.field, c.new))
                for c in delta.changes
                if model._meta.get_field(c.field).concrete
            ]
            if not entry.changes and not entry.reason:
                previous[record.id] = record
                continue
        entries.append(entry)
        previous[record.id] = record
    return entries
