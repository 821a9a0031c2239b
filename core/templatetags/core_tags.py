"""Template filters every app's pages may use."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def duration_in_words(value: dt.timedelta | None) -> str:
    """A length of time as people say it: "30 minutes", "1 hour and 15 minutes", "2 days"."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = max(int(value.total_seconds() // 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n
    ]
    return " and ".join(parts) if len(parts) <= 2 else f"{parts[0]}, {parts[1]} and {parts[2]}"
