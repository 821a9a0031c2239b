from __future__ import annotations

from django import template

from consultations.stats import THRESHOLD
from consultations.stats import hidden_reason as _hidden_reason

register = template.Library()


@register.filter
def hidden_reason(threshold: int | None) -> str:
    """Why a suppressed group shows no figure (see `stats.hidden_reason`); a breakdown
    frozen without its threshold was suppressed at the standing one."""
    return _hidden_reason(threshold or THRESHOLD)
