from __future__ import annotations

import datetime as dt

import pytest

from core.periods import (
    default_window,
    financial_year_label,
    financial_year_of,
    next_quarter,
    parse_period_label,
    period_label,
    previous_quarter,
    quarter_end,
    quarter_of,
    quarter_start,
)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2024, 3, 31), (2023, 4)),
        (dt.date(2024, 4, 1), (2024, 1)),
        (dt.date(2024, 6, 30), (2024, 1)),
        (dt.date(2024, 7, 1), (2024, 2)),
        (dt.date(2024, 9, 30), (2024, 2)),
        (dt.date(2024, 10, 1), (2024, 3)),
        (dt.date(2024, 12, 31), (2024, 3)),
        (dt.date(2025, 1, 1), (2024, 4)),
        (dt.date(2024, 2, 29), (2023, 4)),
    ],
)
def test_a_day_falls_in_its_financial_year_and_quarter(day: dt.date, expected: tuple[int, int]) -> None:
    assert quarter_of(day) == expected
    assert financial_year_of(day) == expected[0]


def test_quarters_start_and_end_on_their_edges() -> None:
    assert (quarter_start(2023, 1), quarter_end(2023, 1)) == (dt.date(2023, 4, 1), dt.date(2023, 6, 30))
    assert (quarter_start(2023, 3), quarter_end(2023, 3)) == (dt.date(2023, 10, 1), dt.date(2023, 12, 31))
    assert (quarter_start(2023, 4), quarter_end(2023, 4)) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))


def test_every_day_of_a_leap_financial_year_is_in_exactly_one_quarter() -> None:
    day = dt.date(2023, 4, 1)
    while day <= dt.date(2024, 3, 31):
        fy, q = quarter_of(day)
        assert quarter_start(fy, q) <= day <= quarter_end(fy, q)
        day += dt.timedelta(days=1)


def test_labels_read_as_the_partnership_writes_them() -> None:
    assert period_label(2023, 3) == "2023-24 Q3"
    assert financial_year_label(1999) == "1999-00"
    assert parse_period_label("2023-24 Q3") == (2023, 3)
    assert parse_period_label(" 2099-00 q1 ") == (2099, 1)


@pytest.mark.parametrize("label", ["2023-25 Q3", "2023-24 Q5", "2023 Q3", "Q3 2023-24", ""])
def test_a_malformed_label_is_refused(label: str) -> None:
    with pytest.raises(ValueError, match="is not a period"):
        parse_period_label(label)


def test_the_default_window_opens_14_days_before_the_end_and_closes_15_after() -> None:
    assert default_window(2023, 4) == (dt.date(2024, 3, 17), dt.date(2024, 4, 15))
    assert default_window(2023, 3) == (dt.date(2023, 12, 17), dt.date(2024, 1, 15))


def test_quarters_step_across_the_year_end() -> None:
    assert next_quarter(2023, 4) == (2024, 1)
    assert previous_quarter(2024, 1) == (2023, 4)
    assert next_quarter(2023, 2) == (2023, 3)


def test_a_quarter_outside_one_to_four_is_refused() -> None:
    with pytest.raises(ValueError, match="quarter must be 1 to 4"):
        quarter_start(2023, 0)
