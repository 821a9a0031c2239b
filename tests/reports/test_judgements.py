from __future__ import annotations

from decimal import Decimal

import pytest

from reports.judgements import Direction, TargetStatus, direction, target_status


@pytest.mark.parametrize(
    ("value", "target", "tolerance", "higher", "expected"),
    [
        (55, 55, 4, False, TargetStatus.ON_TARGET),  # exactly on target
        (50, 55, 4, False, TargetStatus.ON_TARGET),  # lower is better, below target
        (59, 55, 4, False, TargetStatus.NEAR_TARGET),  # within tolerance
        (59.01, 55, 4, False, TargetStatus.OFF_TARGET),
        (41, 41, 2, True, TargetStatus.ON_TARGET),
        (39, 41, 2, True, TargetStatus.NEAR_TARGET),
        (34, 41, 2, True, TargetStatus.OFF_TARGET),
        (None, 41, 2, True, TargetStatus.NO_JUDGEMENT),
        (34, None, 2, True, TargetStatus.NO_JUDGEMENT),
        (Decimal("54.5"), Decimal(55), Decimal(0), False, TargetStatus.ON_TARGET),
    ],
)
def test_status_against_target_follows_polarity_and_tolerance(value, target, tolerance, higher, expected) -> None:
    assert target_status(value, target, tolerance, higher) == expected


def test_a_change_inside_the_noise_of_a_small_count_is_not_a_trend() -> None:
    # 9 → 12 offences: the difference (3) is well inside 1.96 × √21 ≈ 9.
    assert direction(12, 9, higher_is_better=False, unit="offences", tolerance=0) == Direction.NO_REAL_CHANGE
    assert direction(40, 62, higher_is_better=False, unit="offences", tolerance=0) == Direction.IMPROVING
    assert direction(62, 40, higher_is_better=False, unit="offences", tolerance=0) == Direction.WORSENING
    assert direction(160, 140, higher_is_better=True, unit="referrals", tolerance=0) == Direction.NO_REAL_CHANGE
    assert direction(200, 140, higher_is_better=True, unit="referrals", tolerance=0) == Direction.IMPROVING


def test_percentages_change_only_beyond_their_tolerance() -> None:
    assert direction(34, 41, higher_is_better=True, unit="%", tolerance=2) == Direction.WORSENING
    assert direction(40, 41, higher_is_better=True, unit="%", tolerance=2) == Direction.NO_REAL_CHANGE
    assert direction(43.5, 41, higher_is_better=True, unit="%", tolerance=2) == Direction.IMPROVING


def test_a_missing_figure_is_not_comparable() -> None:
    assert direction(None, 4, higher_is_better=True, unit="%", tolerance=1) == Direction.NOT_COMPARABLE
    assert direction(4, None, higher_is_better=True, unit="%", tolerance=1) == Direction.NOT_COMPARABLE
