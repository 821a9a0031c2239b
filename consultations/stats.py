"""The few statistics a consultation needs, as pure functions with their rules in words.

- A proportion's 95 % interval is Wilson's score interval: unlike "p ± 1.96·SE" it never
  leaves 0–100 % and stays honest for small groups.
- Two surveys' proportions differ significantly (95 %, two-sided) when the pooled
  two-proportion z statistic exceeds 1.96. Where one survey's sample size is not known
  the change cannot be tested, and we say so; we also say the smallest sample that
  would have made the change significant, which is the most the figures allow.
- Small numbers are suppressed: see `suppress`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
THRESHOLD = 10  # no group or cell of fewer respondents than this is ever shown


def wilson(positives: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The 95 % Wilson score interval of positives/n, as proportions (0–1)."""
    if n <= 0:
        raise ValueError("an interval needs at least one respondent")
    if not 0 <= positives <= n:
        raise ValueError("positives must be between 0 and n")
    p = positives / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    # Clamped to hold p itself: at 0 or n, rounding can otherwise leave p a hair outside.
    return min(p, max(0.0, centre - half)), max(p, min(1.0, centre + half))


@dataclass(frozen=True)
class Comparison:
    """Whether the change between an earlier and a later survey is statistically significant."""

    earlier: float  # proportions, 0–1
    later: float
    earlier_n: int | None
    later_n: int | None
    testable: bool
    significant: bool | None
    p_value: float | None
    # When the earlier (or later) n is unknown: the smallest n for it that would make the
    # change significant, given the other survey's n. None if no n could.
    smallest_n_for_significance: int | None

    @property
    def change_points(self) -> float:
        return (self.later - self.earlier) * 100

    def sentence(self, earlier_name: str, later_name: str) -> str:
        """The comparison in plain words, for the page and the report."""
        direction = "fall" if self.later < self.earlier else "rise" if self.later > self.earlier else "no change"
        points = abs(self.change_points)
        what = f"The {direction} of {points:.0f} percentage points from {earlier_name} to {later_name}"
        if self.later == self.earlier:
            return f"There is no change from {earlier_name} to {later_name}."
        if not self.testable:
            unknown = earlier_name if self.earlier_n is None else later_name
            text = (
                f"{what} cannot be tested for significance: {unknown}'s number of respondents was not published, "
                "so its margin of error is unknown."
            )
            if self.smallest_n_for_significance is not None:
                text += (
                    f" Taking the published percentages as exact, it would be significant at 95 % if {unknown} "
                    f"had at least {self.smallest_n_for_significance:,} respondents, and could be chance with fewer."
                )
            return text
        assert self.p_value is not None
        if self.significant:
            p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
            return f"{what} is statistically significant at 95 % ({p}): unlikely to be chance alone."
        return (
            f"{what} is not statistically significant at 95 % (p = {self.p_value:.2f}): "
            "with these numbers of respondents it could be chance."
        )


def _z_test(p1: float, n1: int, p2: float, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z test."""
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0 if p1 == p2 else 0.0
    z = abs(p2 - p1) / se
    return math.erfc(z / math.sqrt(2))


def _smallest_n(p_unknown: float, p_known: float, n_known: int, limit: int = 1_000_000) -> int | None:
    """The smallest n for the survey of unknown size at which the difference is significant."""
    if p_unknown == p_known or _z_test(p_unknown, limit, p_known, n_known) >= 0.05:
        return None
    low, high = 1, limit
    while low < high:  # the p-value falls as n grows
        middle = (low + high) // 2
        if _z_test(p_unknown, middle, p_known, n_known) < 0.05:
            high = middle
        else:
            low = middle + 1
    return low


def compare(*, earlier: float, earlier_n: int | None, later: float, later_n: int | None) -> Comparison:
    """Compare two proportions (0–1), each with its number of respondents where known."""
    if earlier_n and later_n:
        p_value = _z_test(earlier, earlier_n, later, later_n)
        return Comparison(earlier, later, earlier_n, later_n, True, p_value < 0.05, p_value, None)
    smallest = None
    if earlier_n is None and later_n:
        smallest = _smallest_n(earlier, later, later_n)
    elif later_n is None and earlier_n:
        smallest = _smallest_n(later, earlier, earlier_n)
    return Comparison(earlier, later, earlier_n, later_n, False, None, None, smallest)


def suppress(rows: list[list[int]], *, threshold: int = THRESHOLD) -> list[list[bool]]:
    """Which cells of a breakdown to hide, so that no group or count of fewer than
    `threshold` respondents can be seen or worked out from what is shown.

    Each row is one group, ``[respondents, count 1, count 2, …]``; every group is a row
    ("not stated" too), so each column adds up to a total shown elsewhere. The rules,
    applied until nothing changes:

    1. a group of 1 to `threshold` - 1 respondents is hidden whole (an empty group names
       nobody and is shown as 0);
    2. a count of 1 to `threshold` - 1 is hidden (a percentage of a known group size is a
       count in disguise, so it goes too);
    3. a row with exactly one hidden count hides its next smallest count as well, or the
       hidden one would be the group's size minus the others;
    4. a column with exactly one hidden cell hides that column in the next smallest group
       as well, or it would be the column's total minus the others; in the respondents
       column that hides the whole group.

    Returns a mask of the same shape: True where the cell is hidden.
    """
    hidden = _small_cells(rows, threshold)
    changed = True
    while changed:
        by_row = _hide_second_cells_in_rows(rows, hidden)
        by_column = _hide_second_cells_in_columns(rows, hidden)
        changed = by_row or by_column
    return hidden


def _small_cells(rows: list[list[int]], threshold: int) -> list[list[bool]]:
    """Rules 1 and 2: small groups hidden whole, and small counts."""
    hidden = [[False] * len(row) for row in rows]
    for r, row in enumerate(rows):
        if 0 < row[0] < threshold:
            hidden[r] = [True] * len(row)
        for c in range(1, len(row)):
            if 0 < row[c] < threshold:
                hidden[r][c] = True
    return hidden


def _hide_second_cells_in_rows(rows: list[list[int]], hidden: list[list[bool]]) -> bool:
    """Rule 3, once over every row; says whether it hid anything."""
    changed = False
    for r, row in enumerate(rows):
        if all(hidden[r]):
            continue
        counts = [c for c in range(1, len(row)) if hidden[r][c]]
        if len(counts) == 1:
            others = [c for c in range(1, len(row)) if not hidden[r][c]]
            if others:
                hidden[r][min(others, key=lambda c: (row[c], c))] = True
            else:
                hidden[r] = [True] * len(row)
            changed = True
    return changed


def _hide_second_cells_in_columns(rows: list[list[int]], hidden: list[list[bool]]) -> bool:
    """Rule 4, once over every column; says whether it hid anything."""
    changed = False
    width = max((len(row) for row in rows), default=0)
    for c in range(width):
        in_column = [r for r in range(len(rows)) if c < len(rows[r]) and hidden[r][c]]
        if len(in_column) != 1:
            continue
        # The next smallest group that has someone in it: hiding a known zero hides nothing.
        candidates = [r for r in range(len(rows)) if c < len(rows[r]) and not hidden[r][c] and rows[r][0] > 0]
        if not candidates:
            continue
        smallest = min(candidates, key=lambda r: (rows[r][c], rows[r][0], r))
        if c == 0:
            hidden[smallest] = [True] * len(rows[smallest])
        else:
            hidden[smallest][c] = True
        changed = True
    return changed


def hidden_reason(threshold: int = THRESHOLD) -> str:
    """Why a group's figures are not shown: the one wording for the pages and the export."""
    return f"fewer than {threshold} respondents, or hidden to protect a smaller group"
