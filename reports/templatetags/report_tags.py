from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def figure(value: Any, unit: str = "") -> str:
    """A figure as the board reads it: 34 %, 58, or a dash when there is none."""
    if value is None or value == "":
        return "–"
    number = float(value)
    text = f"{number:,.0f}" if number == int(number) else f"{number:,.1f}"
    return f"{text} %" if unit == "%" else text


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None
