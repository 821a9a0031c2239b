from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from reports.judgements import Direction
from reports.quarter import snapshot_date

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


# Direction of travel as the indicator table shows it: an arrow for the way the figure moved
# only when the change is real (reports.judgements.direction), with "better" or "worse" in
# words beside it (colour is never the only sign), and in full for assistive technology.
_TREND_SHOWN: dict[str, tuple[str, str, str]] = {
    Direction.NO_REAL_CHANGE: ("–", "", "No real change"),
    Direction.NOT_COMPARABLE: ("", "n/a", "Not comparable"),
}


@register.inclusion_tag("reports/_trend.html", takes_context=True)
def trend(context: template.Context, direction: str, higher_is_better: bool) -> dict[str, Any]:
    """In the PDF (`for_print`) the words are the tagged text itself: a PDF has no hidden text."""
    shown: dict[str, Any] = {"for_print": context.get("for_print", False)}
    if direction in {Direction.IMPROVING, Direction.WORSENING}:
        improving = direction == Direction.IMPROVING
        rose = improving == higher_is_better
        return shown | {
            "kind": direction,
            "arrow": "▲" if rose else "▼",
            "shown": "better" if improving else "worse",
            "said": f"{direction.capitalize()}: the figure {'rose' if rose else 'fell'}",
        }
    arrow, words, said = _TREND_SHOWN.get(direction, ("", direction, direction))
    if shown["for_print"] and not words:
        words = said
    return shown | {"kind": "none", "arrow": arrow, "shown": words, "said": said}


# A priority's actions by RAG, or its milestones by state, as one stacked bar: (key, label, fill).
_BAR_PARTS = {
    "actions": [
        ("red", "red", "#d4351c"),
        ("amber", "amber", "#f47738"),
        ("green", "green", "#00703c"),
        ("none", "not rated", "#b1b4b6"),
    ],
    "milestones": [
        ("overdue", "overdue", "#d4351c"),
        ("on_time", "on time", "#1d70b8"),
        ("complete", "done", "#00703c"),
    ],
}


@register.inclusion_tag("reports/_rag_bar.html")
def rag_bar(counts: dict[str, int], kind: str) -> dict[str, Any]:
    """An SVG bar of the counts, each part as wide as its share, with a white gap between parts
    so neighbours never rely on colour alone to be told apart; its text alternative says every
    count (the card or table beside it gives the same figures as text)."""
    parts = [(label, fill, int(counts.get(key) or 0)) for key, label, fill in _BAR_PARTS[kind]]
    total = sum(n for _, _, n in parts)
    segments, x = [], 0.0
    for label, fill, n in parts:
        if n:
            width = 100 * n / total
            segments.append({"x": f"{x:.2f}", "width": f"{width:.2f}", "fill": fill, "label": label, "n": n})
            x += width
    said = ", ".join(f"{n} {label}" for label, _, n in parts if n) or "none"
    return {"segments": segments, "alt": f"{kind.capitalize()}: {said}", "total": total}


@register.filter
def long_date(value: Any) -> Any:
    """A date as GOV.UK writes it, "31 March 2027", from a date, a datetime or the ISO text a
    frozen report holds; anything else is shown as it is."""
    if isinstance(value, str):
        try:
            value = snapshot_date(value)
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return value


@register.filter
def moment(value: dt.datetime) -> str:
    """A moment as GOV.UK writes it, in the portal's time: "9:30am on 14 May 2024"."""
    local = timezone.localtime(value)
    return f"{local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'} on {long_date(local)}"


@register.filter
def paragraphs(text: str | None) -> SafeString:
    """Plain text someone wrote in the portal (a board paper's part) as GOV.UK paragraphs:
    a blank line starts a new one, a single line break stays a line break. Escaped."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    lines = (format_html_join(mark_safe("<br>"), "{}", ((line,) for line in block.split("\n"))) for block in blocks)
    return format_html_join("", '<p class="govuk-body">{}</p>', ((block,) for block in lines if block))
