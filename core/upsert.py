"""Bringing a record up to date from a data file, writing only what differs, so that
history shows a change only where there was one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def _plain_save(obj: models.Model, fields: list[str] | None) -> None:
    obj.save(update_fields=fields)


def upsert(
    model: type[M],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    save: Callable[[M, list[str] | None], None] = _plain_save,
) -> tuple[M, str]:
    """Create, or update only the fields that differ: "new", "changed" or "same".

    `save(obj, fields)` writes the record (fields is None for a new one); by default a
    plain save of just those fields."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        save(obj, None)
        return obj, "new"
    differs = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in differs:
        setattr(obj, name, values[name])
    if differs:
        save(obj, differs)
    return obj, "changed" if differs else "same"
