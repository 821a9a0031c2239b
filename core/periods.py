"""Financial years and quarters, as pure functions.

A financial year runs 1 April to 31 March and is named by the year it starts in:
financial year 2023 is "2023-24". Quarters: Q1 Apr–Jun, Q2 Jul–Sep, Q3 Oct–Dec, Q4 Jan–Mar.
"""

from __future__ import annotations

import datetime as dt
import re

QUARTER_START_MONTHS = {1: 4, 2: 7, 3: 10, 4: 1}
DEFAULT_OPENS_BEFORE_END = dt.timedelta(days=14)
DEFAULT_CLOSES_AFTER_END = dt.timedelta(days=15)


def financial_year_of(day: dt.date) -> int:
    """The financial year a day falls in, named by its starting year."""
    return day.year if day.month >= 4 else day.year - 1


def quarter_of(day: dt.date) -> tuple[int, int]:
    """(financial year, quarter 1–4) of a day."""
    quarter = ((day.month - 4) % 12) // 3 + 1
    return financial_year_of(day), quarter


def quarter_start(financial_year: int, quarter: int) -> dt.date:
    _check(quarter)
    year = financial_year + 1 if quarter == 4 else financial_year
    return dt.date(year, QUARTER_START_MONTHS[quarter], 1)


def quarter_end(financial_year: int, quarter: int) -> dt.date:
    if quarter == 4:
        return dt.date(financial_year + 1, 3, 31)
    next_fy, next_q = (financial_year, quarter + 1)
    return quarter_start(next_fy, next_q) - dt.timedelta(days=1)


def financial_year_label(financial_year: int) -> str:
    """2023 → "2023-24"."""
    return f"{financial_year}-{(financial_year + 1) % 100:02d}"


def period_label(financial_year: int, quarter: int) -> str:
    """(2023, 3) → "2023-24 Q3"."""
    _check(quarter)
    return f"{financial_year_label(financial_year)} Q{quarter}"


LABEL = re.compile(r"^\s*(\d{4})-(\d{2})\s+Q([1-4])\s*$", re.IGNORECASE)


def parse_period_label(label: str) -> tuple[int, int]:
    """ "2023-24 Q3" → (2023, 3); ValueError for anything else."""
    match = LABEL.match(label)
    if not match or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"{label!r} is not a period such as 2023-24 Q3")
    return int(match.group(1)), int(match.group(3))


def default_window(financial_year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """The update window: opens 14 days before the quarter ends, closes 15 days after."""
    end = quarter_end(financial_year, quarter)
    return end - DEFAULT_OPENS_BEFORE_END, end + DEFAULT_CLOSES_AFTER_END


def previous_quarter(financial_year: int, quarter: int) -> tuple[int, int]:
    return (financial_year, quarter - 1) if quarter > 1 else (financial_year - 1, 4)


def next_quarter(financial_year: int, quarter: int) -> tuple[int, int]:
    return (financial_year, quarter + 1) if quarter < 4 else (financial_year + 1, 1)


def _check(quarter: int) -> None:
    if quarter not in QUARTER_START_MONTHS:
        raise ValueError(f"quarter must be 1 to 4, not {quarter}")
