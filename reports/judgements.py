"""How the board reads a figure: status against target and direction of travel.

Pure functions, written down here because the board relies on them:

* **Status against target.** With the indicator's polarity (is higher better?), a value at
  or better than target is *on target*; a value worse than target but within the tolerance
  is *near target*; anything worse is *off target*. No target or no value: *no judgement*.
* **Direction of travel** compares this quarter with last quarter, and with the same
  quarter last year. A change counts only if it is bigger than the noise:
  - for counts (offences, referrals, people: any unit but "%"), two quarters' counts are
    taken as Poisson, and a change is real only when it exceeds 1.96 × √(a + b), the 95 %
    range of the difference of two independent counts. So 9 → 12 offences is *no real
    change*, while 62 → 40 is *improving* (or *worsening*, by polarity);
  - for percentages and rates, a change is real only when it is larger than the
    indicator's tolerance.
  Otherwise the direction is *no real change*; with either figure missing, *not comparable*.
"""

from __future__ import annotations

import math
from decimal import Decimal
from enum import StrEnum

from actionplans.models import is_count

Number = Decimal | float | int


class TargetStatus(StrEnum):
    ON_TARGET = "on target"
    NEAR_TARGET = "near target"
    OFF_TARGET = "off target"
    NO_JUDGEMENT = "no judgement"


class Direction(StrEnum):
    IMPROVING = "improving"
    WORSENING = "worsening"
    NO_REAL_CHANGE = "no real change"
    NOT_COMPARABLE = "not comparable"


def target_status(
    value: Number | None, target: Number | None, tolerance: Number, higher_is_better: bool
) -> TargetStatus:
    if value is None or target is None:
        return TargetStatus.NO_JUDGEMENT
    shortfall = (float(target) - float(value)) if higher_is_better else (float(value) - float(target))
    if shortfall <= 0:
        return TargetStatus.ON_TARGET
    if shortfall <= float(tolerance):
        return TargetStatus.NEAR_TARGET
    return TargetStatus.OFF_TARGET


def noise(previous: Number, current: Number, *, unit: str, tolerance: Number) -> float:
    """The largest change that is still within the noise (see the module's docstring)."""
    if is_count(unit):
        return 1.96 * math.sqrt(max(float(previous), 0) + max(float(current), 0))
    return float(tolerance)


def direction(
    current: Number | None, previous: Number | None, *, higher_is_better: bool, unit: str, tolerance: Number
) -> Direction:
    if current is None or previous is None:
        return Direction.NOT_COMPARABLE
    change = float(current) - float(previous)
    if abs(change) <= noise(previous, current, unit=unit, tolerance=tolerance):
        return Direction.NO_REAL_CHANGE
    better = change > 0 if higher_is_better else change < 0
    return Direction.IMPROVING if better else Direction.WORSENING
