from __future__ import annotations

from typing import Any

from django import template

from consultations.stats import THRESHOLD
from consultations.stats import hidden_reason as _hidden_reason

register = template.Library()


@register.filter
def hidden_reason(threshold: int | None) -> str:
    """Why a suppressed group shows no figure (see `stats.hidden_reason`); a breakdown
    frozen without its threshold was suppressed at the standing one."""
    return _hidden_reason(threshold or THRESHOLD)


@register.filter
def summarised(breakdown: dict[str, Any]) -> dict[str, Any]:
    """A breakdown as the report shows it: only the groups with figures as rows, and how many
    are not shown, for one sentence in place of a page of blank rows."""
    rows = breakdown["rows"]
    shown = [row for row in rows if not row["suppressed"]]
    return {"shown": shown, "hidden": len(rows) - len(shown), "total": len(rows)}
