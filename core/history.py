"""Reading django-simple-history records as people read changes: who, when, old → new.

Everything is loaded in a fixed number of queries per model, however long the history:
related names in one query per related model, many-to-many rows in one query per field.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone

# Bookkeeping, not content: never shown as a change.
HIDDEN_FIELDS = {"version", "saved_by"}


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
    label = str(getattr(model._meta.get_field(name), "verbose_name", name))
    return label[:1].upper() + label[1:]  # "RAG rating" keeps its capitals


class _Names:
    """Shows stored values as people read them: choice labels, names instead of ids."""

    def __init__(self, model: type[models.Model], records: list[Any], m2m_ids: dict[str, set[int]]) -> None:
        self.model = model
        self.related: dict[str, dict[Any, Any]] = {}
        wanted: dict[str, set[Any]] = defaultdict(set)
        for model_field in model._meta.concrete_fields:
            if model_field.is_relation and model_field.name not in HIDDEN_FIELDS:
                for record in records:
                    value = getattr(record, model_field.attname)
                    if value is not None:
                        wanted[model_field.name].add(value)
        for name, ids in {**wanted, **m2m_ids}.items():
            related_model = model._meta.get_field(name).related_model
            assert related_model is not None
            assert not isinstance(related_model, str)
            self.related[name] = related_model._default_manager.in_bulk(ids)

    def show(self, name: str, value: Any) -> str:
        model_field = self.model._meta.get_field(name)
        if value in (None, "") or value == set():
            return "(blank)"
        if isinstance(value, set):
            return ", ".join(sorted(str(self.related[name].get(pk, pk)) for pk in value))
        if name in self.related:
            return str(self.related[name].get(value, value))
        if getattr(model_field, "choices", None):
            return str(dict(model_field.flatchoices).get(value, value))  # type: ignore[union-attr]
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, dt.datetime):
            return f"{timezone.localtime(value):%-d %B %Y, %H:%M}"
        if isinstance(value, dt.date):
            return f"{value:%-d %B %Y}"
        return str(value)


def _m2m_rows(model: type[models.Model], records: list[Any], fields: list[str]) -> dict[str, dict[int, set[int]]]:
    """For each many-to-many field, each history record's set of related ids: one query a field."""
    rows: dict[str, dict[int, set[int]]] = {}
    if not records:
        return rows
    historical = type(records[0])
    history_ids = [record.history_id for record in records]
    for name in fields:
        # simple-history keeps each many-to-many field's rows in "Historical<Model>_<field>".
        through = next(
            rel.related_model
            for rel in historical._meta.related_objects
            if rel.related_model.__name__ == f"{historical.__name__}_{name}"
        )
        target = model._meta.get_field(name).m2m_reverse_field_name()  # type: ignore[union-attr]
        per_record: dict[int, set[int]] = defaultdict(set)
        for history_id, target_id in through._default_manager.filter(history_id__in=history_ids).values_list(
            "history_id", f"{target}_id"
        ):
            per_record[history_id].add(target_id)
        rows[name] = per_record
    return rows


def history_entries(
    model: type[models.Model], records: list[Any], subject: Callable[[Any], str], m2m_fields: list[str] | None = None
) -> list[HistoryEntry]:
    """Entries for one model's historical records, given oldest first."""
    m2m_fields = m2m_fields or []
    m2m = _m2m_rows(model, records, m2m_fields)
    names = _Names(model, records, {name: {pk for ids in m2m[name].values() for pk in ids} for name in m2m_fields})
    excluded = sorted(HIDDEN_FIELDS | set(m2m_fields))
    previous: dict[Any, Any] = {}
    entries = []
    for record in records:
        before = previous.get(record.id)
        previous[record.id] = record
        entry = HistoryEntry(
            at=record.history_date,
            by=str(record.history_user) if record.history_user else "the system",
            subject=subject(record),
            kind={"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
            reason=record.history_change_reason or "",
            order=record.history_id,
        )
        if before is not None and record.history_type == "~":
            delta = record.diff_against(before, excluded_fields=excluded)
            entry.changes = [
                Change(_label(model, c.field), names.show(c.field, c.old), names.show(c.field, c.new))
                for c in delta.changes
            ]
            for name in m2m_fields:
                old, new = m2m[name].get(before.history_id, set()), m2m[name].get(record.history_id, set())
                if old != new:
                    entry.changes.append(Change(_label(model, name), names.show(name, old), names.show(name, new)))
            if not entry.changes and not entry.reason:
                continue
        entries.append(entry)
    return entries
