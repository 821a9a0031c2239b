"""Trend charts as SVG made on the server: the same file in the page and in the PDF.

A chart's file name is the hash of its data, so drawing the same figures twice reuses the
file, and changed figures can never show an old chart.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
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


def trend_chart(*, title: str, unit: str, series: list[list[Any]], target: float | None) -> Chart:
    """The indicator's figures by quarter, with its target as a dashed line."""
    data = {"title": title, "unit": unit, "series": series, "target": target, "style": 1}
    key = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]
    path = chart_dir() / f"{key}.svg"
    if not path.exists():
        _draw(path, title=title, unit=unit, series=series, target=target)
    return Chart(key=key, path=path, alt=_alt(title, unit, series, target))


def _draw(path: Path, *, title: str, unit: str, series: list[list[Any]], target: float | None) -> None:
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
    labels = [label for label, _ in series]
    values = [value for _, value in series]
    figure, axes = plt.subplots(figsize=(6.4, 2.8))
    axes.plot(labels, values, marker="o", color="#1d70b8", linewidth=2, label=title)
    if target is not None:
        axes.axhline(target, color="#505a5f", linestyle="--", linewidth=1.5, label=f"Target {target:g}")
    axes.set_ylabel(unit)
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(axis="x", labelrotation=30)
    axes.legend(frameon=False, loc="best")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written beside its final name and moved into place: a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".svg.tmp")
    with os.fdopen(handle, "wb") as out:
        figure.savefig(out, format="svg", metadata={"Date": None})
    plt.close(figure)
    os.replace(temporary, path)
