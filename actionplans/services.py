"""Writes that touch several action-plan records, or that must refuse a stale edit."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core import periods
from core.imports import Problem
from core.models import StaleEdit, changes_since
from core.queue import queue_after_commit
from core.services import uploads_expire
from core.tables import read_rows
from priorities.models import Partnership, PlanRevision, Priority, StrategicPlan, Theme
from priorities.revisions import draft_diff, plan_as_draft, retired_theme_keys
from priorities.services import revision_apply

from .imports import ImportReport, rows_check
from .models import (
    Action,
    ActionImport,
    ActionPlan,
    ActionUpdate,
    IndicatorValue,
    Milestone,
    ReminderSent,
    ReportingPeriod,
)

logger = logging.getLogger(__name__)


class UpdateLocked(Exception):
    """The update cannot be edited now; the message says why, in words for the officer."""


@dataclass(frozen=True)
class IndicatorEntry:
    value: Decimal | None
    provisional: bool
    note: str
    version: int | None = None  # the value's version when the form was opened; None if it had none


@dataclass(frozen=True)
class UpdateInput:
    """What the update form collected."""

    rag: str
    progress: str
    issues_and_risks: str
    support_requested: str
    milestones_completed: dict[int, dt.date]
    indicator_values: dict[int, IndicatorEntry]


def update_save(
    *, update: ActionUpdate, user: User, data: UpdateInput, expected_version: int | None, submit: bool, today: dt.date
) -> ActionUpdate:
    """Save the quarter's update with its milestones and indicator values in one go."""
    locked = update.lock_reason(user, today)
    if locked is not None:
        raise UpdateLocked(locked)
    with transaction.atomic():
        if update.pk is None:
            if expected_version:
                # The form was opened on a saved update: someone else's, or the version was tampered with.
                saved = ActionUpdate.objects.filter(action=update.action, period=update.period).first()
                raise changes_since(saved, 0) if saved is not None else StaleEdit(current=update)
        else:
            update.claim(expected_version or 0)
        update.rag = data.rag
        update.progress = data.progress
        update.issues_and_risks = data.issues_and_risks
        update.support_requested = data.support_requested
        update.saved_by = user
        if submit:
            update.status = ActionUpdate.Status.SUBMITTED
            update.submitted_by = user
            update.submitted_at = timezone.now()
            update.reopened_for = None
            update.reopened_until = None
        elif update.status == ActionUpdate.Status.RETURNED:
            update.status = ActionUpdate.Status.DRAFT
        update._history_user = user  # type: ignore[attr-defined]
        # Two people may be writing the first draft at once: the other one's is kept.
        update.clean_and_save(together=ActionUpdate.UNIQUE_TOGETHER, known=("saved_by", "submitted_by"))

        _milestones_complete(update.action, data.milestones_completed, user)
        indicator_values_save(period=update.period, entries=data.indicator_values, user=user)
    return update


def _milestones_complete(action: Action, completed: dict[int, dt.date], user: User) -> None:
    """Mark the milestones ticked as completed: one read, one claim, one write and one
    history insert, however many (a milestone already completed is left as it was)."""
    milestones = list(action.milestones.filter(pk__in=completed, completed_on__isnull=True))
    if not milestones:
        return
    for milestone in milestones:
        milestone.completed_on = completed[milestone.pk]
        milestone._history_user = user  # type: ignore[attr-defined]
        milestone.full_clean(exclude=["action"])  # the action is the one read, not typed
    Milestone.claim_all(milestones)  # nobody may slip a change in between read and write
    Milestone.objects.bulk_update(milestones, ["completed_on"])
    Milestone.history.bulk_history_create(milestones, update=True, default_user=user)


def indicator_value_save(
    *, indicator_id: int, period: ReportingPeriod, entry: IndicatorEntry, user: User | None
) -> IndicatorValue | None:
    """Write (or clear) one indicator value: `indicator_values_save` for one."""
    return indicator_values_save(period=period, entries={indicator_id: entry}, user=user)[indicator_id]


def indicator_values_save(
    *, period: ReportingPeriod, entries: dict[int, IndicatorEntry], user: User | None
) -> dict[int, IndicatorValue | None]:
    """Write (or clear) the period's values of these indicators, refusing them all
    (StaleEdit) if someone changed one after its `entry.version` was read. Every writer of a
    value comes here: the update form, and a consultation feeding its headline. A value
    typed as it already was is left alone (no new version, no history row). The cost is
    a handful of queries however many values: one read, one claim, one write and one
    history insert for the changed, one insert and one history insert for the new. Returns
    each value as saved, None if cleared or never given."""
    existing = {v.indicator_id: v for v in IndicatorValue.objects.filter(indicator_id__in=entries, period=period)}
    saved: dict[int, IndicatorValue | None] = {}
    new: list[IndicatorValue] = []
    changed: list[IndicatorValue] = []
    cleared: list[IndicatorValue] = []
    for indicator_id, entry in entries.items():
        value = existing.get(indicator_id)
        if value is not None and (value.value, value.provisional, value.note) == (
            entry.value,
            entry.provisional,
            entry.note,
        ):
            saved[indicator_id] = value
            continue
        if value is None:
            if entry.version:
                raise StaleEdit(current=IndicatorValue(indicator_id=indicator_id, period=period))
            saved[indicator_id] = None
            if entry.value is None:
                continue
            value = IndicatorValue(indicator_id=indicator_id, period=period)
            new.append(value)
        elif value.version != (entry.version or 0):
            raise changes_since(value, entry.version or 0)
        elif entry.value is None:
            cleared.append(value)
            saved[indicator_id] = None
            continue
        else:
            changed.append(value)
        value._history_user = user  # type: ignore[attr-defined]
        value.value = entry.value
        value.provisional = entry.provisional
        value.note = entry.note
        value.entered_by = user
        # The indicator, period and person are this code's own, not typed: no query to check them.
        value.full_clean(exclude=["indicator", "period", "entered_by"], validate_unique=False)
        saved[indicator_id] = value
    # Nobody may slip a change in between the read above and the writes below.
    IndicatorValue.claim_all(changed + cleared)
    for value in cleared:
        value._history_user = user  # type: ignore[attr-defined]
        value.delete()  # cleared on purpose: the history keeps what it was
    if changed:
        IndicatorValue.objects.bulk_update(changed, ["value", "provisional", "note", "entered_by"])
        IndicatorValue.history.bulk_history_create(changed, update=True, default_user=user)
    if new:
        try:
            with transaction.atomic():
                IndicatorValue.objects.bulk_create(new)
        except IntegrityError as exc:
            # A shared indicator's first value, written by someone else at this very moment.
            winner = IndicatorValue.objects.filter(indicator_id__in=[v.indicator_id for v in new], period=period)
            raise changes_since(winner.first() or new[0], 0) from exc
        IndicatorValue.history.bulk_history_create(new, default_user=user)
    return saved


def update_review(*, update: ActionUpdate, reviewer: User, approve: bool, comment: str, expected_version: int) -> None:
    """Approve a submitted update, or return it to the officer with a comment."""
    if update.status != ActionUpdate.Status.SUBMITTED:
        raise UpdateLocked("Only a submitted update can be reviewed.")
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Say what the officer needs to change"})
    with transaction.atomic():
        update.claim(expected_version)
        update.status = ActionUpdate.Status.APPROVED if approve else ActionUpdate.Status.RETURNED
        update.reviewed_by = reviewer
        update.reviewed_at = timezone.now()
        update.review_comment = comment.strip()
        update._history_user = reviewer  # type: ignore[attr-defined]
        update.clean_and_save()
        if not approve:
            from .tasks import send_returned_email

            queue_after_commit(send_returned_email, update.pk)


def update_returned_email(*, update_id: int) -> None:
    """Tell the officer who submitted the update (else the action's owner) why it came back."""
    update = ActionUpdate.objects.select_related("submitted_by", "action__owner", "period__partnership").get(
        pk=update_id
    )
    officer = update.submitted_by or update.action.owner
    if officer is None or not officer.email:
        return
    action, period = update.action, update.period
    link = reverse("actionplans:update", args=[period.partnership.slug, action.pk, period.pk])
    context = {
        "officer": officer,
        "update": update,
        "action": action,
        "period": period,
        "update_url": f"{settings.SITE_URL}{link}",
        "my_actions_url": f"{settings.SITE_URL}{reverse('actionplans:my_actions')}",
    }
    send_mail(
        f"Returned: your {period.label} update for action {action.reference}",
        render_to_string("actionplans/email/returned.txt", context),
        None,
        [officer.email],
    )


def update_reopen(*, update: ActionUpdate, admin: User, officer: User, until: dt.date, reason: str) -> ActionUpdate:
    """Let one officer edit one update after its window closed (or after submitting), until a date."""
    with transaction.atomic():
        if update.pk is not None:
            update.claim(update.version)
        update.reopened_for = officer
        update.reopened_until = until
        update.reopen_reason = reason
        if update.status != ActionUpdate.Status.DRAFT:
            update.status = ActionUpdate.Status.RETURNED
            update.review_comment = f"Reopened: {reason}"
        update._history_user = admin  # type: ignore[attr-defined]
        update._change_reason = f"Reopened for {officer}: {reason}"  # type: ignore[attr-defined]
        update.clean_and_save(together=ActionUpdate.UNIQUE_TOGETHER)
    return update


# Reminders -----------------------------------------------------------------------------


def _owed_actions(period: ReportingPeriod) -> models.QuerySet[Action]:
    """Open actions running in the period with no submitted or approved update for it."""
    done = ActionUpdate.objects.filter(period=period).reported().values("action_id")
    return (
        Action.objects.open()
        .filter(plan__partnership_id=period.partnership_id)
        .running_in(period)
        .filter(owner__isnull=False, owner__is_active=True)
        # An owner who has left the partnership is no longer sent its actions.
        .filter(owner__memberships__partnership_id=period.partnership_id, owner__memberships__ended_at__isnull=True)
        .distinct()
        .exclude(pk__in=done)
        .select_related("owner", "plan__priority")
    )


def reminders_send(*, today: dt.date) -> int:
    """Email each owner whose updates are due soon or overdue, by each partnership's own
    reminder days; one email a day at most, covering every partnership they report to."""
    candidates = ReportingPeriod.objects.filter(
        window_opens__lte=today, window_closes__gte=today - dt.timedelta(days=366)
    ).select_related("partnership")
    owed: dict[User, list[tuple[ReportingPeriod, Action]]] = defaultdict(list)
    for period in candidates:
        # Each partnership's own reminder days: from so many days before its window closes
        # until so many days after.
        days_left = (period.window_closes - today).days
        if not -period.partnership.remind_days_after <= days_left <= period.partnership.remind_days_before:
            continue
        for action in _owed_actions(period):
            assert action.owner is not None
            owed[action.owner].append((period, action))

    sent = 0
    for owner, items in owed.items():
        try:
            with transaction.atomic():
                # Recorded and sent together: a failed send is not counted as sent, so the
                # next run tries again; a second run the same day finds the record and skips.
                ReminderSent.objects.create(recipient=owner, sent_on=today, period=items[0][0], actions=len(items))
                _send_reminder(owner, items, today)
        except IntegrityError:
            continue  # already reminded today
        except Exception:
            logger.exception("Reminder to %s failed; will try again on the next run", owner.email)
            continue
        sent += 1
    return sent


def _send_reminder(owner: User, items: list[tuple[ReportingPeriod, Action]], today: dt.date) -> None:
    overdue = [(p, a) for p, a in items if p.window_closes < today]
    due = [(p, a) for p, a in items if p.window_closes >= today]
    context = {
        "owner": owner,
        "due": due,
        "overdue": overdue,
        "today": today,
        "my_actions_url": f"{settings.SITE_URL}{reverse('actionplans:my_actions')}",
    }
    subject = (
        f"Overdue: {len(overdue)} quarterly update{'s' if len(overdue) != 1 else ''}"
        if overdue
        else f"Due soon: {len(due)} quarterly update{'s' if len(due) != 1 else ''}"
    )
    send_mail(
        subject,
        render_to_string("actionplans/email/reminder.txt", context),
        None,
        [owner.email],
    )


# Importing actions and milestones -----------------------------------------------------


def action_upload_save(
    *, plan: ActionPlan, kind: str, name: str, content: bytes, user: User, report: ImportReport
) -> ActionImport:
    """Keep a checked file for the confirm step, with the version of each record it touches
    as `report` found it. Files never imported are dropped after a week (`uploads_expire`)."""
    uploads_expire()
    upload = ActionImport(plan=plan, kind=kind, uploaded_by=user, versions=report.versions)
    upload.hold(name, content)
    upload.full_clean()
    upload.save()
    return upload


def actions_import(*, upload: ActionImport, user: User | None) -> ImportReport:
    """Check the uploaded file again and, only if every row is good, write it in one
    transaction, all or nothing. Every existing action or milestone it changes is written
    through `claim` from the version it had when the file was checked: if any changed
    since (or one the file would add appeared), StaleEdit is raised and nothing is saved."""
    with transaction.atomic():
        upload = ActionImport.objects.select_for_update().select_related("plan__priority").get(pk=upload.pk)
        if upload.imported_at is not None:  # a second press of the button
            return ImportReport(
                problems=[Problem(0, f"{upload.file_name} was imported already: nothing more was added")]
            )
        table = read_rows(upload.file_name, bytes(upload.content))
        report = rows_check(plan=upload.plan, kind=upload.kind, table=table)
        if not report.ok:
            return report
        for row in report.rows:
            if row.change == "skip":
                continue
            if row.change == "update":
                row.record.claim(upload.versions.get(str(row.record.pk), 0))
            row.record._history_user = user  # type: ignore[union-attr]
            row.record.save()
        upload.mark_imported()
    return report


# Publishing a plan revision, and carrying actions forward ------------------------------


def revision_affected_actions(revision: PlanRevision) -> list[Action]:
    """The open actions of the revised plan whose theme the draft retires (or whose
    priority it drops): each needs a decision before the revision is published."""
    gone = retired_theme_keys(plan_as_draft(revision.plan), revision.draft)
    if not gone:
        return []
    lines = models.Q()
    for priority_key, theme_keys in gone.items():
        lines |= models.Q(theme__priority__key=priority_key, theme__key__in=theme_keys)
    return list(
        Action.objects.open()
        .filter(plan__priority__plan=revision.plan)
        .filter(lines)
        .select_related("plan__priority", "theme")
        .order_by("plan__financial_year", "reference")
    )


def revision_publish(*, revision: PlanRevision, user: User, today: dt.date) -> StrategicPlan:
    """Publish the draft: refused (ValidationError naming each action) while an open action
    would be left on a retired line without a decision. Then the plan is refreshed or
    superseded (`revision_apply`) and each decision applied, with history naming the
    revision: keep leaves the action on its retired line, move puts it on another theme
    of its priority, close cancels it. The difference is frozen in `summary`."""
    with transaction.atomic():
        revision = PlanRevision.objects.select_for_update().select_related("plan__partnership").get(pk=revision.pk)
        if not revision.is_draft:
            raise ValidationError("This revision is already published.")
        affected = revision_affected_actions(revision)
        undecided = [action for action in affected if str(action.pk) not in revision.decisions]
        if undecided:
            raise ValidationError(
                [
                    f"Decide what happens to action {action.reference} “{action.title}”: its theme "
                    f"“{action.theme.text}” is retired by this revision"
                    for action in undecided
                ]
            )
        before = plan_as_draft(revision.plan)
        plan = revision_apply(revision=revision, user=user)
        reason = f"Plan revision “{revision.title}” published on {today:%-d %B %Y}"
        for action in affected:
            decision = revision.decisions[str(action.pk)]
            if decision == "close":
                action.state = Action.State.CANCELLED
            elif decision.startswith("move:") and revision.kind == PlanRevision.Kind.REFRESH:
                action.theme = action.plan.priority.themes.current().get(key=decision.removeprefix("move:"))
            else:
                continue  # kept on its retired line (a new plan's move is made when carried forward)
            action.claim(action.version)
            action._history_user = user  # type: ignore[attr-defined]
            action._change_reason = reason  # type: ignore[attr-defined]
            action.full_clean()
            action.save()
        revision.claim(revision.version)
        revision.status = PlanRevision.Status.PUBLISHED
        revision.result = plan
        revision.effective_on = revision.effective_on or today
        revision.published_by = user
        revision.published_at = timezone.now()
        revision.summary = draft_diff(before, revision.draft).as_json()
        revision._history_user = user  # type: ignore[attr-defined]
        revision.full_clean()
        revision.save()
    return plan


@dataclass(frozen=True)
class CarryMove:
    """One open action to carry into the next year's action plan."""

    action: Action
    priority: Priority
    theme: Theme


def _successor_plan(plan: StrategicPlan) -> StrategicPlan:
    """The plan in force that the given plan's line of succession leads to."""
    seen = set()
    while plan.pk not in seen:
        seen.add(plan.pk)
        following = StrategicPlan.objects.filter(supersedes=plan).first()
        if following is None:
            return plan
        plan = following
    return plan


def carry_forward_moves(*, partnership: Partnership, from_year: int) -> list[CarryMove]:
    """Where each open action of `from_year` would go: its priority, or the priority of the
    same key in the plan now in force, and its theme, or that plan's theme of the same key
    (or the line the revision's decision moved it to); a theme with no successor stays."""
    actions = list(
        Action.objects.open()
        .filter(plan__partnership=partnership, plan__financial_year=from_year)
        .select_related("plan__priority__plan", "theme")
        .prefetch_related("milestones")
        .order_by("plan__priority__number", "reference")
    )
    moves = []
    for action in actions:
        old_priority = action.plan.priority
        plan = _successor_plan(old_priority.plan)
        priority = plan.priorities.current().filter(key=old_priority.key).first() or old_priority
        theme = action.theme
        if priority.pk != old_priority.pk:
            decision = (
                PlanRevision.objects.filter(plan=old_priority.plan, status=PlanRevision.Status.PUBLISHED)
                .values_list("decisions", flat=True)
                .first()
                or {}
            ).get(str(action.pk), "")
            key = decision.removeprefix("move:") if decision.startswith("move:") else action.theme.key
            theme = priority.themes.current().filter(key=key).first() or action.theme
        moves.append(CarryMove(action, priority, theme))
    return moves


def actions_carry_forward(*, partnership: Partnership, from_year: int, to_year: int, user: User) -> int:
    """Carry every open action of `from_year` into the `to_year` action plan of its priority
    (or its successor's), making the plan if missing, in one transaction. Milestones,
    owner, indicators and updates stay with the action; each move is in its history.
    Carrying again finds nothing left in `from_year` and does nothing."""
    if to_year <= from_year:
        raise ValidationError("Carry actions forward into a later year")
    years = f"{periods.financial_year_label(from_year)} to {periods.financial_year_label(to_year)}"
    reason = f"Carried forward from {years}"
    moved = 0
    with transaction.atomic():
        for move in carry_forward_moves(partnership=partnership, from_year=from_year):
            target, _ = ActionPlan.objects.get_or_create(
                priority=move.priority, financial_year=to_year, defaults={"partnership": partnership}
            )
            action = move.action
            if Action.objects.filter(plan=target, reference=action.reference).exists():
                raise ValidationError(
                    f"The {target.year_label} plan already has an action {action.reference}: rename one first"
                )
            new_plan = move.priority.pk != action.plan.priority_id
            action.claim(action.version)
            action.plan = target
            action.theme = move.theme
            if new_plan:
                # Aims and outcomes follow by key to the new plan's lines where they have one.
                action.aims.set(move.priority.aims.current().filter(key__in=action.aims.values("key")))
                action.outcomes.set(move.priority.outcomes.current().filter(key__in=action.outcomes.values("key")))
            action._history_user = user  # type: ignore[attr-defined]
            action._change_reason = reason  # type: ignore[attr-defined]
            action.full_clean()
            action.save()
            moved += 1
    return moved
