"""A partnership with a year of illustrative data, on 20 April 2024: the 2023-24 Q4 window
closed on 15 April, so that quarter is the latest closed one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from actionplans.demo import demo_load
from actionplans.models import ReportingPeriod
from tests.helpers import REPORT_DAY


@pytest.fixture(autouse=True)
def _report_day() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2024, 4, 20, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def quarter(plan, officer) -> ReportingPeriod:
    """Demo data for 2023-24 and 2024-25; returns 2023-24 Q4."""
    demo_load(today=REPORT_DAY, scale=1)
    return ReportingPeriod.objects.get(financial_year=2023, quarter=4)
