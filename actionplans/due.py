"""What a person has due, across their partnerships: for the What's due page and the
calendar feed. Each read costs the same few queries however much there is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.urls import reverse

from accounts.models import User
from priorities.models import Partnership

from .models import Action, ActionUpdate, Milestone, ReportingPeriod

DUE_MILESTONE = {Milestone.Status.OVERDUE, Milestone.Status.DUE_SOON, Milestone.Status.ON_TRACK}


@dataclass(frozen=True)
class DueItem:
    """An update owed or a milestone due, with its deadline."""

    kind: str  # "update" or "milestone"
    deadline: dt.date
    overdue: bool
    action: Action
    title: str
    state: str
    url: str
    returned: str = ""  # the reviewer's reason, for an update returned to the officer


@dataclass
class DueSection:
    partnership: Partnership
    period: ReportingPeriod | None
    items: list[DueItem] = field(default_factory=list)


def officer_partnerships(user: User) -> list[Partnership]:
    """The partnerships the person is now an officer of (or admin of), by name."""
    return [
        p for p in Partnership.objects.of_user(user).order_by("name") if user.has_perm("actionplans.create_action", p)
    ]


def my_open_actions(user: User, partnerships: list[Partnership]) -> Any:
    """Open actions of mine (my agency leads them or I own them) in these partnerships."""
    return Action.objects.open().for_officer(user).filter(plan__partnership__in=partnerships)


def whats_due(user: User, today: dt.date) -> list[DueSection]:
    """Every update owed this quarter and every milestone due this quarter or overdue, of the
    person's open actions, by partnership (by name), each sorted by deadline. An update's
    deadline is the close of its partnership's update window; a milestone's, its due date."""
    partnerships = officer_partnerships(user)
    current = ReportingPeriod.objects.filter(partnership__in=partnerships).current_each(today)
    actions = (
        my_open_actions(user, partnerships)
        .select_related("plan__priority", "plan__partnership")
        .prefetch_related(
            Prefetch(
                "updates", queryset=ActionUpdate.objects.filter(period__in=current.values()), to_attr="this_quarter"
            ),
            Prefetch(
                "milestones", queryset=Milestone.objects.filter(completed_on__isnull=True), to_attr="open_milestones"
            ),
        )
    )
    sections = {p.pk: DueSection(partnership=p, period=current.get(p.pk)) for p in partnerships}
    for action in actions:
        section = sections[action.plan.partnership_id]
        slug = section.partnership.slug
        period = section.period
        updates: list[ActionUpdate] = getattr(action, "this_quarter")  # noqa: B009 (prefetched)
        update = updates[0] if updates else None
        if period is not None and action.runs_in(period) and (update is None or not update.is_reported):
            returned = update.review_comment if update and update.status == ActionUpdate.Status.RETURNED else ""
            section.items.append(
                DueItem(
                    kind="update",
                    deadline=period.window_closes,
                    overdue=period.window_closes < today,
                    action=action,
                    title=f"{period.label} update",
                    state=update.get_status_display() if update else "Not started",
                    url=reverse("actionplans:update", args=[slug, action.pk, period.pk]),
                    returned=returned,
                )
            )
        milestones: list[Milestone] = getattr(action, "open_milestones")  # noqa: B009 (prefetched)
        for milestone in milestones:
            status = milestone.status(today)
            if status in DUE_MILESTONE:
                section.items.append(
                    DueItem(
                        kind="milestone",
                        deadline=milestone.due_date,
                        overdue=status == Milestone.Status.OVERDUE,
                        action=action,
                        title=milestone.title,
                        state=status.label,
                        url=reverse("actionplans:action", args=[slug, action.pk]),
                    )
                )
    for section in sections.values():
        section.items.sort(key=lambda item: (item.deadline, item.kind != "update", item.action.reference, item.title))
    return list(sections.values())
