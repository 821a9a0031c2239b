"""Charts as SVG made on the server: the same file in the page and in the PDF.

A chart's file name is the hash of its data, so drawing the same figures twice reuses the
file, and changed figures can never show an old chart. Every chart has a text
alternative, and every page that shows one also shows its figures as a table.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

CHART_DIR = "charts"


@dataclass(frozen=True)
class Chart:
    key: str
    path: Path
    alt: str


def chart_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / CHART_DIR


def _alt(title: str, unit: str, series: list[list[Any]], target: float | None) -> str:
    points = [(label, value) for label, value in series if value is not None]
    if not points:
        return f"Line chart of {title}: no figures yet."
    (first_label, first), (last_label, last) = points[0], points[-1]
    text = f"Line chart of {title} ({unit}), {first_label} to {last_label}: from {first:g} to {last:g}"
    return text + (f"; target {target:g}." if target is not None else ".")


def _stored(data: dict[str, Any], draw: Callable[[Any], None], alt: str) -> Chart:
    key = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
    path = chart_dir() / f"{key}.svg"
    if not path.exists():
        _save(path, draw)
    return Chart(key=key, path=path, alt=alt)


def trend_chart(*, title: str, unit: str, series: list[list[Any]], target: float | None) -> Chart:
    """The indicator's figures by quarter, with its target as a dashed line."""
    data = {"title": title, "unit": unit, "series": series, "target": target, "style": 1}

    def draw(axes: Any) -> None:
        labels = [label for label, _ in series]
        values = [value for _, value in series]
        axes.plot(labels, values, marker="o", color="#1d70b8", linewidth=2, label=title)
        if target is not None:
            axes.axhline(target, color="#505a5f", linestyle="--", linewidth=1.5, label=f"Target {target:g}")
        axes.set_ylabel(unit)
        axes.tick_params(axis="x", labelrotation=30)
        axes.legend(frameon=False, loc="best")

    return _stored(data, draw, _alt(title, unit, series, target))


def bar_chart(*, title: str, bars: list[tuple[str, float]]) -> Chart:
    """Horizontal bars of percentages, one per answer, in the order the survey asked them."""
    data = {"title": title, "bars": bars, "style": "bar-1"}

    def draw(axes: Any) -> None:
        labels = [label if len(label) <= 40 else label[:39] + "…" for label, _ in bars]
        values = [value for _, value in bars]
        positions = list(range(len(bars)))
        axes.barh(positions, values, color="#1d70b8")
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlim(0, max([100.0, *values]))
        axes.set_xlabel("% of respondents")
        for position, value in zip(positions, values, strict=True):
            axes.text(value + 1, position, f"{value:.0f}%", va="center")

    parts = "; ".join(f"{label} {value:.0f}%" for label, value in bars)
    alt = f"Bar chart of answers to “{title}”: {parts}." if bars else f"Bar chart of “{title}”: no answers yet."
    return _stored(data, draw, alt)


def _save(path: Path, draw: Callable[[Any], None]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "font.family": ["Liberation Sans", "Arial", "DejaVu Sans"],
            "font.size": 10,
            "text.parse_math": False,  # a "$" in a title is a dollar, not mathematics
        }
    )
    figure, axes = plt.subplots(figsize=(6.4, 2.8))
    draw(axes)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside its final name and moved into place: a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".svg.tmp")
    with os.fdopen(handle, "wb") as out:
        figure.savefig(out, format="svg", metadata={"Date": None})
    plt.close(figure)
    os.replace(temporary, path)
