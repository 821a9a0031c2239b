"""The board paper's own words: what the community safety team and the priority leads write
for a quarter (a summary, recommendations, the decisions sought and a commentary on each
priority, and the date of the board meeting), how each is saved, and how compiling freezes
them into the report.

Each part is a `BoardPaperPart` with its own optimistic lock, so two people writing
different parts at once never collide and two writing the same part cannot overwrite each
other; its history keeps every draft with who wrote it and when.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from actionplans.models import ReportingPeriod
from priorities.models import Priority

from .models import BoardPaper, BoardPaperPart
from .quarter import quarter_scope

Part = BoardPaperPart.Part

# The parts written once for the whole paper, in the order the report shows them.
WHOLE_PAPER_PARTS = [Part.SUMMARY, Part.RECOMMENDATIONS, Part.DECISIONS]

# What each part is for, as its page says.
PART_HINTS = {
    Part.SUMMARY: "The chair's or manager's summary of the quarter: what the board most needs to know.",
    Part.RECOMMENDATIONS: "What the report recommends the board does.",
    Part.DECISIONS: "The decisions the board is asked to make at this meeting.",
    Part.COMMENTARY: "The priority lead's view of the quarter for this priority: progress, risks and what comes next.",
}


@dataclass(frozen=True)
class Slot:
    """A part of the paper as a page lists it: written (`written` holds it) or not yet.
    `draft` is the part to check permissions against and to edit: the saved row, or an
    unsaved one naming the paper's period and the priority."""

    part: str
    priority: Priority | None
    written: BoardPaperPart | None
    draft: BoardPaperPart

    @property
    def label(self) -> str:
        if self.priority is not None:
            return f"Commentary on priority {self.priority.number}: {self.priority.title}"
        return Part(self.part).label

    @property
    def hint(self) -> str:
        return PART_HINTS[Part(self.part)]


def paragraphs_of(text: str | None) -> list[str]:
    """Someone's words as the paragraphs they wrote: a blank line (spaces on it or not)
    starts a new one; single line breaks stay inside. The web page, the PDF and the Word
    file all split them here, so they break the same text the same way."""
    blocks = re.split(r"\n[ \t]*\n", (text or "").replace("\r\n", "\n"))
    return [block.strip("\n") for block in blocks if block.strip()]


def paper_of(period: ReportingPeriod) -> BoardPaper:
    """The period's paper, saved or (before anyone has written) a blank unsaved one."""
    try:
        return period.board_paper
    except BoardPaper.DoesNotExist:
        return BoardPaper(period=period)


def paper_priorities(period: ReportingPeriod) -> list[Priority]:
    """The priorities a commentary may be written on: those the quarter reports."""
    scope = quarter_scope(period)
    return scope.priorities if scope is not None else []


def paper_slots(period: ReportingPeriod) -> list[Slot]:
    """Every part of the period's paper, written or not: the whole-paper parts, then one
    commentary per priority (two queries)."""
    paper = paper_of(period)
    saved: dict[tuple[str, int | None], BoardPaperPart] = {}
    if paper.pk is not None:
        for row in paper.parts.select_related("written_by__agency"):
            saved[(row.part, row.priority_id)] = row
    wanted: list[tuple[str, Priority | None]] = [(part.value, None) for part in WHOLE_PAPER_PARTS]
    wanted += [(Part.COMMENTARY.value, priority) for priority in paper_priorities(period)]
    slots = []
    for part, priority in wanted:
        written = saved.get((part, priority.pk if priority else None))
        draft = written or BoardPaperPart(paper=paper, part=part, priority=priority)
        if written is not None:
            written.paper = paper  # the period and partnership, for permission checks
        slots.append(Slot(part=part, priority=priority, written=written, draft=draft))
    return slots


def paper_slot(period: ReportingPeriod, part: str, priority_pk: int | None = None) -> Slot | None:
    """One part of the paper, or None when there is no such part (a priority the quarter
    does not report, a commentary without a priority)."""
    for slot in paper_slots(period):
        if slot.part == part and (slot.priority.pk if slot.priority else None) == priority_pk:
            return slot
    return None


def _saved_paper(period: ReportingPeriod) -> BoardPaper:
    paper, _ = BoardPaper.objects.get_or_create(period=period)
    return paper


def paper_part_save(*, slot: Slot, text: str, expected_version: int, user: User) -> BoardPaperPart:
    """Save a part's text, unless someone saved the same part after the form was opened at
    `expected_version` (0 for a part not written then): then nothing is saved and StaleEdit
    says who changed what. Two people writing the first draft of a part at once: one wins,
    the other is told."""
    with transaction.atomic():
        paper = _saved_paper(slot.draft.paper.period)
        part = BoardPaperPart.objects.filter(paper=paper, part=slot.part, priority=slot.priority).first()
        if part is None:
            part = BoardPaperPart(paper=paper, part=slot.part, priority=slot.priority)
        else:
            part.claim(expected_version)
        part.text = text
        part.written_by = user
        part.written_at = timezone.now()
        part._history_user = user  # type: ignore[attr-defined]
        together = ("paper", "priority") if slot.priority is not None else ("paper", "part")
        part.clean_and_save(together=together if part.pk is None else ())
    return part


# The version a paper has when first saved (by whoever writes first, a part or the date).
NEW_PAPER_VERSION = 1


def paper_meeting_version(period: ReportingPeriod) -> int:
    """The version the meeting-date form is opened at: a paper not yet saved will be
    saved at version 1, so a date set meanwhile by someone else is still noticed."""
    paper = paper_of(period)
    return paper.version if paper.pk is not None else NEW_PAPER_VERSION


def paper_meeting_save(
    *, period: ReportingPeriod, meeting_on: dt.date | None, expected_version: int, user: User
) -> BoardPaper:
    """Set the date of the board meeting the paper goes to, refusing a stale edit. Only this
    raises the paper's own version: parts have their own locks."""
    with transaction.atomic():
        paper = _saved_paper(period)
        paper.claim(expected_version)
        paper.meeting_on = meeting_on
        paper._history_user = user  # type: ignore[attr-defined]
        paper.save()
    return paper


def _frozen(part: BoardPaperPart | None) -> dict[str, Any] | None:
    if part is None or not part.text.strip():
        return None
    author = part.written_by
    by = ""
    if author is not None:
        by = f"{author.full_name} ({author.agency.name})" if author.agency is not None else author.full_name
    return {"text": part.text, "by": by, "at": part.written_at.isoformat() if part.written_at else None}


def paper_snapshot(period: ReportingPeriod) -> dict[str, Any]:
    """The paper as compiling freezes it: each part's words with who last wrote them and
    when, and the commentaries by priority id (for the report's priorities)."""
    paper = paper_of(period)
    frozen: dict[str, Any] = {"meeting_on": paper.meeting_on.isoformat() if paper.meeting_on else None}
    commentaries: dict[str, Any] = {}
    for slot in paper_slots(period):
        if slot.priority is None:
            frozen[slot.part] = _frozen(slot.written)
        else:
            commentaries[str(slot.priority.pk)] = _frozen(slot.written)
    frozen["commentaries"] = commentaries
    return frozen


def paper_freeze(snapshot: dict[str, Any], period: ReportingPeriod) -> None:
    """Put the paper into a report's snapshot: `paper` for the whole-paper parts and each
    priority row's `commentary`."""
    paper = paper_snapshot(period)
    commentaries = paper.pop("commentaries")
    snapshot["paper"] = paper
    for row in snapshot.get("priorities", []):
        row["commentary"] = commentaries.get(str(row.get("id")))
