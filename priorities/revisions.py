"""A plan revision's draft and what it changes, as plain data.

A draft is the plan file's `plan` section as a dict: title, starts, ends and priorities,
each priority with its key, number, title, summary and its lines (themes, key issues with
their sub-points, aims, outcomes), each line `{"key": ..., "text": ...}`. `plan_as_draft`
reads one from the database; `draft_diff` compares two drafts. Both are pure of requests;
only `plan_as_draft` reads the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from .models import StrategicPlan
from .plan_file import KeyIssueData, LineData, PriorityData

# The kinds of line a priority has, in the order pages show them, with their names.
LINE_KINDS = {
    "themes": "Theme",
    "key_issues": "Key issue",
    "aims": "Partnership aim",
    "outcomes": "Expected outcome",
}

Draft = dict[str, Any]


def _lines(rows: Any) -> list[dict[str, str]]:
    return [{"key": row.key, "text": row.text} for row in rows]


def plan_as_draft(plan: StrategicPlan) -> Draft:
    """The plan's current priorities and lines, in the draft's shape."""
    priorities = []
    for priority in plan.priorities.current().with_parts().order_by("number"):
        priorities.append(
            {
                "key": priority.key,
                "number": priority.number,
                "title": priority.title,
                "summary": priority.summary,
                "themes": _lines(priority.themes.all()),
                "key_issues": [
                    {"key": issue.key, "text": issue.text, "sub_points": _lines(issue.sub_points.all())}
                    for issue in priority.top_key_issues  # type: ignore[attr-defined]
                ],
                "aims": _lines(priority.aims.all()),
                "outcomes": _lines(priority.outcomes.all()),
            }
        )
    return {
        "title": plan.title,
        "starts": plan.starts.isoformat(),
        "ends": plan.ends.isoformat(),
        "priorities": priorities,
    }


def draft_priorities(draft: Draft) -> list[PriorityData]:
    """The draft's priorities as the importer's sync takes them."""

    def lines(raw: list[dict[str, str]]) -> list[LineData]:
        return [LineData(line["key"], line["text"]) for line in raw]

    return [
        PriorityData(
            key=p["key"],
            number=p["number"],
            title=p["title"],
            summary=p.get("summary", ""),
            themes=lines(p.get("themes", [])),
            key_issues=[
                KeyIssueData(issue["key"], issue["text"], lines(issue.get("sub_points", [])))
                for issue in p.get("key_issues", [])
            ],
            aims=lines(p.get("aims", [])),
            outcomes=lines(p.get("outcomes", [])),
        )
        for p in draft.get("priorities", [])
    ]


@dataclass(frozen=True)
class LineChange:
    """One line added, reworded, retired or moved."""

    change: str  # added | reworded | retired | moved
    kind: str  # Theme, Key issue, ...
    key: str
    old: str = ""
    new: str = ""
    old_position: int | None = None
    new_position: int | None = None


@dataclass
class PriorityChange:
    """What the revision does to one priority."""

    key: str
    number: int
    title: str
    change: str = "changed"  # added | retired | changed | unchanged
    old_title: str = ""
    old_number: int | None = None
    summary_changed: bool = False
    lines: list[LineChange] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "reworded": 0, "retired": 0, "moved": 0}
        for line in self.lines:
            counts[line.change] += 1
        return counts


@dataclass
class PlanDiff:
    """Everything a revision changes, priority by priority."""

    priorities: list[PriorityChange]
    old_title: str = ""
    new_title: str = ""
    old_ends: str = ""
    new_ends: str = ""

    @property
    def changed(self) -> list[PriorityChange]:
        return [p for p in self.priorities if p.change != "unchanged"]

    @property
    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "reworded": 0, "retired": 0, "moved": 0}
        for priority in self.priorities:
            if priority.change in {"added", "retired"}:
                counts[priority.change] += 1
            for name, count in priority.counts.items():
                counts[name] += count
            if priority.old_title and priority.change == "changed":
                counts["reworded"] += 1
        return counts

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = self.counts
        return data


def _moved(before: list[str], after: list[str]) -> set[str]:
    """Keys in both lists whose order relative to the others changed: those outside the
    longest run kept in the same order. A line added at the top moves nothing else."""
    common = [key for key in after if key in set(before)]
    place = {key: i for i, key in enumerate(key for key in before if key in set(after))}
    sequence = [place[key] for key in common]
    # Longest increasing subsequence, kept with its members (n is a priority's lines: small).
    best: list[list[int]] = []
    for i, value in enumerate(sequence):
        longest = max((run for j, run in enumerate(best) if sequence[j] < value), key=len, default=[])
        best.append([*longest, i])
    kept = {common[i] for i in max(best, key=len, default=[])}
    return set(common) - kept


def _line_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[LineChange]:
    changes: list[LineChange] = []
    for kind, label in LINE_KINDS.items():
        old = (before or {}).get(kind, [])
        new = (after or {}).get(kind, [])
        changes.extend(_kind_changes(label, old, new))
        if kind == "key_issues":
            old_issues = {issue["key"]: issue for issue in old}
            for issue in new:
                was = old_issues.get(issue["key"])
                changes.extend(
                    _kind_changes(
                        "Sub-point", (was or {}).get("sub_points", []) if was else [], issue.get("sub_points", [])
                    )
                )
    return changes


def _kind_changes(label: str, old: list[dict[str, str]], new: list[dict[str, str]]) -> list[LineChange]:
    old_by_key = {line["key"]: (i, line) for i, line in enumerate(old, start=1)}
    new_keys = {line["key"] for line in new}
    moved = _moved([line["key"] for line in old], [line["key"] for line in new])
    changes = []
    for position, line in enumerate(new, start=1):
        found = old_by_key.get(line["key"])
        if found is None:
            changes.append(LineChange("added", label, line["key"], new=line["text"], new_position=position))
            continue
        old_position, old_line = found
        if old_line["text"] != line["text"]:
            changes.append(
                LineChange("reworded", label, line["key"], old_line["text"], line["text"], old_position, position)
            )
        if line["key"] in moved:
            changes.append(
                LineChange("moved", label, line["key"], old_line["text"], line["text"], old_position, position)
            )
    for key, (old_position, old_line) in old_by_key.items():
        if key not in new_keys:
            changes.append(LineChange("retired", label, key, old=old_line["text"], old_position=old_position))
    return changes


def draft_diff(before: Draft, after: Draft) -> PlanDiff:
    """What turning `before` into `after` changes: per priority, lines added, reworded
    (old → new), retired and moved, matched by key."""
    old = {p["key"]: p for p in before.get("priorities", [])}
    new_keys = {p["key"] for p in after.get("priorities", [])}
    result = []
    for priority in after.get("priorities", []):
        was = old.get(priority["key"])
        change = PriorityChange(key=priority["key"], number=priority["number"], title=priority["title"])
        if was is None:
            change.change = "added"
        else:
            if was["title"] != priority["title"]:
                change.old_title = was["title"]
            if was["number"] != priority["number"]:
                change.old_number = was["number"]
            change.summary_changed = was.get("summary", "") != priority.get("summary", "")
        change.lines = _line_changes(was, priority)
        if was is not None and not (change.lines or change.old_title or change.old_number or change.summary_changed):
            change.change = "unchanged"
        result.append(change)
    for key, was in old.items():
        if key not in new_keys:
            retired = PriorityChange(key=key, number=was["number"], title=was["title"], change="retired")
            retired.lines = []
            result.append(retired)
    diff = PlanDiff(priorities=result)
    if before.get("title") != after.get("title"):
        diff.old_title, diff.new_title = before.get("title", ""), after.get("title", "")
    if before.get("ends") != after.get("ends"):
        diff.old_ends, diff.new_ends = before.get("ends", ""), after.get("ends", "")
    return diff


def retired_theme_keys(before: Draft, after: Draft) -> dict[str, set[str]]:
    """Per priority key of `before`, the theme keys `after` no longer has (all of them if
    the priority itself is gone): the lines an open action would be left on."""
    new = {p["key"]: {t["key"] for t in p.get("themes", [])} for p in after.get("priorities", [])}
    gone = {}
    for priority in before.get("priorities", []):
        themes = {t["key"] for t in priority.get("themes", [])}
        left = themes - new.get(priority["key"], set())
        if left:
            gone[priority["key"]] = left
    return gone


def parse_day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)
