"""Each dashboard page builds only its part of the quarter, and that part is what the
compiled report freezes from the whole build."""

from __future__ import annotations

from typing import Any

import pytest

from actionplans.models import Indicator, ReportingPeriod
from priorities.models import Priority
from reports.quarter import (
    quarter_build,
    quarter_exceptions,
    quarter_indicator,
    quarter_overview,
    quarter_priority,
)

pytestmark = pytest.mark.django_db

FRAME = ("period", "partnership", "board", "plan")


def _without_indicators(priorities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in row.items() if key != "indicators"} for row in priorities]


def test_the_overview_shows_the_same_counts_exceptions_indicators_and_changes_as_the_report(quarter) -> None:
    whole, overview = quarter_build(quarter), quarter_overview(quarter)

    assert set(overview) == {*FRAME, "priorities", "exceptions", "indicators", "changes"}
    for key in (*FRAME, "exceptions", "indicators", "changes"):
        assert overview[key] == whole[key], key
    assert overview["priorities"] == _without_indicators(whole["priorities"])
    assert whole["exceptions"]
    assert whole["changes"]["rag_moves"]


def test_a_priority_page_shows_its_actions_and_only_its_own_indicators(quarter) -> None:
    whole = quarter_build(quarter)
    second = Priority.objects.get(plan__partnership=quarter.partnership, number=2)
    page = quarter_priority(quarter, second.pk)

    assert page is not None
    assert set(page) == {*FRAME, "priorities"}
    shown = next(p for p in page["priorities"] if p["number"] == 2)
    expected = next(p for p in whole["priorities"] if p["number"] == 2)
    assert shown == expected
    assert shown["actions"]
    assert shown["indicators"]
    assert all(not p["indicators"] for p in page["priorities"] if p["number"] != 2)
    assert quarter_priority(quarter, 10**9) is None


def test_the_exceptions_page_shows_the_reports_exceptions_with_the_priorities_as_tabs(quarter) -> None:
    whole = quarter_build(quarter)
    page = quarter_exceptions(quarter)

    assert set(page) == {*FRAME, "priorities", "exceptions"}
    assert page["exceptions"] == whole["exceptions"]
    assert [(p["number"], p["title"]) for p in page["priorities"]] == [
        (p["number"], p["title"]) for p in whole["priorities"]
    ]


def test_an_indicator_page_shows_the_reports_row_for_it_and_nothing_for_an_unknown_one(quarter) -> None:
    whole = quarter_build(quarter)

    for row in whole["indicators"]:
        assert quarter_indicator(quarter, row["id"]) == row
    assert quarter_indicator(quarter, max(Indicator.objects.values_list("pk", flat=True)) + 1) is None


def test_every_page_part_is_empty_before_there_is_a_plan(db) -> None:
    import datetime as dt

    from priorities.models import Partnership

    period = ReportingPeriod.objects.create(
        partnership=Partnership.objects.create(name="New CSP", short_name="New", slug="new", vision=""),
        financial_year=2023,
        quarter=1,
        window_opens=dt.date(2023, 7, 1),
        window_closes=dt.date(2023, 7, 15),
    )

    assert quarter_build(period) == {"period": {"label": period.label}, "priorities": [], "indicators": []}
    assert quarter_overview(period)["priorities"] == []
    assert quarter_exceptions(period)["priorities"] == []
    assert quarter_priority(period, 1) is None
    assert quarter_indicator(period, 1) is None
