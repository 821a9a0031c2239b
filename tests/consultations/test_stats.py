"""The statistics: Wilson intervals, comparisons in plain words, and small-group suppression."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultations.stats import _z_test, compare, suppress, wilson


def test_the_2022_headline_interval_is_wilsons() -> None:
    low, high = wilson(152, 448)

    assert (round(100 * low, 1), round(100 * high, 1)) == (29.7, 38.4)


def test_an_interval_stays_within_0_and_100_at_the_edges() -> None:
    assert wilson(0, 12)[0] == 0.0
    assert wilson(12, 12)[1] == 1.0
    assert 0 < wilson(0, 12)[1] < 0.3


def test_an_interval_needs_respondents() -> None:
    with pytest.raises(ValueError, match="at least one respondent"):
        wilson(0, 0)
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson(5, 4)


@given(st.integers(min_value=1, max_value=5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_every_interval_holds_its_own_proportion(case: tuple[int, int]) -> None:
    positives, n = case
    low, high = wilson(positives, n)

    assert 0 <= low <= positives / n <= high <= 1


def test_a_fall_from_41_to_34_with_2019s_size_unknown_is_not_called_significant() -> None:
    result = compare(earlier=0.41, earlier_n=None, later=0.34, later_n=448)

    assert not result.testable
    assert result.significant is None
    sentence = result.sentence("2019", "2022")
    assert "cannot be tested for significance" in sentence
    assert "2019's number of respondents was not published" in sentence
    assert f"at least {result.smallest_n_for_significance:,} respondents" in sentence


def test_the_smallest_sample_named_is_exactly_where_the_change_becomes_significant() -> None:
    result = compare(earlier=0.41, earlier_n=None, later=0.34, later_n=448)
    n = result.smallest_n_for_significance
    assert n is not None

    assert _z_test(0.41, n, 0.34, 448) < 0.05 <= _z_test(0.41, n - 1, 0.34, 448)


def test_with_both_sizes_known_the_change_is_tested() -> None:
    big = compare(earlier=0.41, earlier_n=1000, later=0.34, later_n=448)
    small = compare(earlier=0.41, earlier_n=60, later=0.34, later_n=448)

    assert big.significant is True
    assert "is statistically significant" in big.sentence("2019", "2022")
    assert small.significant is False
    assert "could be chance" in small.sentence("2019", "2022")


def test_no_change_says_so() -> None:
    assert compare(earlier=0.3, earlier_n=100, later=0.3, later_n=100).sentence("2019", "2022") == (
        "There is no change from 2019 to 2022."
    )


def test_a_group_under_10_is_hidden_whole_and_so_is_the_next_smallest() -> None:
    hidden = suppress([[24, 12, 12], [9, 4, 5], [30, 15, 15], [12, 6, 6]])

    assert hidden[1] == [True, True, True]
    assert all(hidden[3])  # the smallest other group: the total minus the others would give it away
    assert hidden[0] == [False, False, False]
    assert hidden[2] == [False, False, False]


def test_an_empty_group_is_shown_and_protects_nothing() -> None:
    hidden = suppress([[0, 0, 0], [5, 2, 3], [50, 25, 25], [60, 30, 30]])

    assert hidden[0] == [False, False, False]
    assert all(hidden[1])
    assert all(hidden[2])


def test_a_count_under_10_is_hidden_with_another_in_its_row_and_its_column() -> None:
    hidden = suppress([[40, 3, 37], [50, 20, 30], [60, 30, 30]])

    assert hidden[0] == [False, True, True]  # 3, and 37 which is 40 minus 3
    assert hidden[1][1]  # the next smallest in the column of 3
    assert sum(hidden[r][1] for r in range(3)) >= 2


def test_groups_and_counts_of_10_or_more_are_all_shown() -> None:
    assert suppress([[10, 10, 0], [448, 200, 248]]) == [[False] * 3, [False] * 3]


@st.composite
def _breakdowns(draw: st.DrawFn) -> list[list[int]]:
    width = draw(st.integers(min_value=1, max_value=6))
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=30))):
        counts = draw(st.lists(st.integers(min_value=0, max_value=40), min_size=width, max_size=width))
        rows.append([sum(counts), *counts])
    return rows


@given(_breakdowns())
def test_no_small_number_is_shown_or_can_be_worked_out(rows: list[list[int]]) -> None:
    hidden = suppress(rows)

    for row, mask in zip(rows, hidden, strict=True):
        for value, is_hidden in zip(row, mask, strict=True):
            assert is_hidden or value == 0 or value >= 10
        if not mask[0]:  # a shown group: one hidden count could be had from its size
            assert sum(mask[1:]) != 1
    for c in range(len(rows[0])):
        column = [mask[c] for row, mask in zip(rows, hidden, strict=True) if row[0] > 0 or mask[c]]
        # one hidden cell in a column could be had from the column's total
        assert sum(column) != 1 or len(column) == 1
