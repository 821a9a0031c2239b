from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from actionplans.models import is_count
from core import periods
from reports.judgements import Direction
from reports.paper import paragraphs_of
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


# An indicator's recent quarters as a small line (about 120 × 32 px) over its target.
_SPARK_W, _SPARK_H, _SPARK_PAD = 120, 32, 3
# The PDF's indicator table has ten columns on an A4 page: there the same drawing, smaller.
_SPARK_PRINT_SCALE = 0.6
# Two years: at this size a longer run is only noise; the indicator's page charts them all.
_SPARK_QUARTERS = 8


def _quarter_index(label: str) -> int:
    financial_year, quarter = periods.parse_period_label(label)
    return financial_year * 4 + quarter - 1


def _label_of(index: int) -> str:
    return periods.period_label(index // 4, index % 4 + 1)


def _target_words(row: dict[str, Any], target: float | None, tolerance: float) -> str:
    """The target as the board would say it: "target 90 or fewer (near target up to 95)"."""
    if target is None:
        return "no target"
    unit, better = row.get("unit", ""), row.get("higher_is_better", True)
    side = ("or more" if better else "or fewer") if is_count(unit) else ("or higher" if better else "or lower")
    words = f"target {figure(target, unit)} {side}"
    if tolerance:
        near = target - tolerance if better else target + tolerance
        words += f" (near target {'down' if better else 'up'} to {figure(near, unit)})"
    return words


@register.inclusion_tag("reports/_sparkline.html", takes_context=True)
def sparkline(context: template.Context, row: dict[str, Any]) -> dict[str, Any]:
    """The indicator's last two years of quarterly figures as a line, with the band that still
    counts as near target (reports.judgements.target_status) and the target as a dashed line.
    A quarter with no figure breaks the line rather than being bridged; a figure with no
    neighbour is a dot. The text alternative names the quarters, the first and last figures
    and the target; the table row beside it holds the figures themselves."""
    figures = {_quarter_index(label): float(value) for label, value in row.get("series") or [] if value is not None}
    if not figures:
        return {"points": None}
    last = max(figures)
    first = max(min(figures), last - _SPARK_QUARTERS + 1)
    shown = {i: v for i, v in figures.items() if i >= first}
    target = row.get("target")
    tolerance = float(row.get("tolerance") or 0)
    higher_is_better = row.get("higher_is_better", True)
    near = None if target is None else (target - tolerance if higher_is_better else target + tolerance)

    scale = list(shown.values()) + ([] if target is None else [target, near])
    low, high = min(scale), max(scale)
    if high == low:
        low, high = low - 1, high + 1
    inner_w, inner_h = _SPARK_W - 2 * _SPARK_PAD, _SPARK_H - 2 * _SPARK_PAD

    def x(index: int) -> float:
        return _SPARK_PAD + (inner_w * (index - first) / (last - first) if last > first else inner_w / 2)

    def y(value: float) -> float:
        return _SPARK_PAD + inner_h * (high - value) / (high - low)

    runs: list[list[int]] = []
    for index in sorted(shown):
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    lines = [" ".join(f"{x(i):.1f},{y(shown[i]):.1f}" for i in run) for run in runs if len(run) > 1]
    dots = [{"cx": f"{x(i):.1f}", "cy": f"{y(shown[i]):.1f}"} for i in sorted(shown) if [i] in runs or i == last]

    unit = row.get("unit", "")
    if first == last:
        said = f"Quarterly figure for {_label_of(last)}: {figure(shown[last], unit)}"
    else:
        said = (
            f"Quarterly figures from {_label_of(first)} to {_label_of(last)}: "
            f"{figure(shown[first], unit)} to {figure(shown[last], unit)}"
        )
    missing = [_label_of(i) for i in range(first, last + 1) if i not in shown]
    if missing:
        said += f"; no figure for {', '.join(missing)}"
    said += f"; {_target_words(row, target, tolerance)}"

    band = None
    if target is not None and tolerance:
        top, bottom = y(max(target, near)), y(min(target, near))
        band = {"y": f"{top:.1f}", "height": f"{bottom - top:.1f}"}
    size = _SPARK_PRINT_SCALE if context.get("for_print", False) else 1
    return {
        "points": lines,
        "dots": dots,
        "band": band,
        "target_y": None if target is None else f"{y(target):.1f}",
        "width": _SPARK_W,
        "height": _SPARK_H,
        "shown_width": f"{_SPARK_W * size:g}",
        "shown_height": f"{_SPARK_H * size:g}",
        "alt": said,
    }


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# An exception's run drawn as one dot per quarter, up to two years' worth; the words say the rest.
_RUN_DOTS = 8


@register.inclusion_tag("reports/_exception_run.html")
def exception_run(quarters: int) -> dict[str, Any]:
    """How long an action has been an exception (reports.quarter.exception_runs), in words
    ("New this quarter", "3rd quarter running") with a row of dots, one a quarter, beside them.
    The dots are hidden from assistive technology: the words say the same."""
    quarters = int(quarters or 0)
    if quarters < 1:
        return {"words": ""}
    words = "New this quarter" if quarters == 1 else f"{_ordinal(quarters)} quarter running"
    shown = min(quarters, _RUN_DOTS)
    return {"words": words, "dots": [4 + 8 * i for i in range(shown)], "width": 8 * shown}


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
    if local.minute == 0 and local.hour in (0, 12):
        clock = "midnight" if local.hour == 0 else "midday"  # GOV.UK style: not 12am or 12pm
    else:
        clock = f"{local.hour % 12 or 12}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
    return f"{clock} on {long_date(local)}"


@register.filter
def paragraphs(text: str | None) -> SafeString:
    """Plain text someone wrote in the portal (a board paper's part) as GOV.UK paragraphs:
    a blank line starts a new one, a single line break stays a line break. Escaped."""
    lines = (
        format_html_join(mark_safe("<br>"), "{}", ((line,) for line in block.split("\n")))
        for block in paragraphs_of(text)
    )
    return format_html_join("", '<p class="govuk-body">{}</p>', ((block,) for block in lines if block))
