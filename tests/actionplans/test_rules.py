"""The action-plan rules that live on the models: which quarters an action runs in, when a
green rating needs a second look, when an update is locked, and the update of a quarter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from actionplans.forms import UpdateForm
from actionplans.models import Action, ActionUpdate, Milestone
from actionplans.services import UpdateInput, update_review, update_save
from tests.factories import UserFactory

from .conftest import make_period

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "due", "runs"),
    [
        (dt.date(2023, 4, 1), dt.date(2024, 3, 31), True),  # the whole year
        (dt.date(2024, 3, 31), dt.date(2024, 6, 30), True),  # starts on the quarter's last day
        (dt.date(2023, 4, 1), dt.date(2024, 1, 1), True),  # due on the quarter's first day
        (dt.date(2023, 4, 1), dt.date(2023, 12, 31), False),  # done the day before it starts
        (dt.date(2024, 4, 1), dt.date(2024, 6, 30), False),  # starts the day after it ends
    ],
)
def test_an_action_runs_in_a_quarter_its_dates_overlap_and_the_query_agrees(
    police_action: Action, period, start: dt.date, due: dt.date, runs: bool
) -> None:
    Action.objects.filter(pk=police_action.pk).update(start_date=start, due_date=due)
    police_action.refresh_from_db()

    assert police_action.runs_in(period) is runs
    assert Action.objects.running_in(period).filter(pk=police_action.pk).exists() is runs


def test_green_with_an_overdue_milestone_needs_a_second_look_and_nothing_else_does(police_action, period) -> None:
    today = dt.date(2024, 3, 25)
    milestones = list(police_action.milestones.all())  # one was due on 1 September 2023
    green = ActionUpdate(action=police_action, period=period, rag="green")

    assert green.rag_needs_check(milestones, today)
    assert not ActionUpdate(action=police_action, period=period, rag="amber").rag_needs_check(milestones, today)
    assert not ActionUpdate(action=police_action, period=period, rag="").rag_needs_check(milestones, today)

    Milestone.objects.filter(action=police_action).update(completed_on=dt.date(2023, 8, 30))
    assert not green.rag_needs_check(list(police_action.milestones.all()), today)


def test_the_update_of_a_quarter_is_the_saved_one_or_a_new_unsaved_draft(police_action, period, closed_period) -> None:
    saved = ActionUpdate.objects.create(action=police_action, period=closed_period, progress="Done")

    assert ActionUpdate.objects.for_quarter(action=police_action, period=closed_period) == saved
    draft = ActionUpdate.objects.for_quarter(action=police_action, period=period)
    assert (draft.pk, draft.action, draft.period, draft.status) == (None, police_action, period, "draft")
    assert not ActionUpdate.objects.filter(period=period).exists()


def test_an_update_says_why_it_is_locked_unless_reopened_for_this_officer(
    police_action, period, closed_period, officer
) -> None:
    today = dt.date(2024, 3, 25)
    upcoming = make_period(2024, 1)

    assert ActionUpdate(action=police_action, period=period).lock_reason(officer, today) is None
    assert ActionUpdate(action=police_action, period=upcoming).lock_reason(officer, today) == (
        "Updates for 2024-25 Q1 open on 16 June 2024. You cannot write one yet."
    )
    closed = ActionUpdate(action=police_action, period=closed_period)
    assert "closed on 15 January 2024" in (closed.lock_reason(officer, today) or "")
    submitted = ActionUpdate(action=police_action, period=period, status="submitted")
    assert submitted.lock_reason(officer, today) == "This update was submitted, so it can no longer be changed."

    closed.reopened_for, closed.reopened_until = officer, today
    assert closed.lock_reason(officer, today) is None
    assert closed.lock_reason(UserFactory(), today) is not None
    assert closed.lock_reason(officer, today + dt.timedelta(days=1)) is not None


def test_a_review_does_not_approve_an_update_that_does_not_validate(police_action, period, csp_admin) -> None:
    update = ActionUpdate.objects.create(
        action=police_action, period=period, rag="blue", status="submitted"
    )  # not a RAG rating, and short enough for the column

    with pytest.raises(ValidationError):
        update_review(update=update, reviewer=csp_admin, approve=True, comment="", expected_version=update.version)

    update.refresh_from_db()
    assert (update.status, update.version, update.reviewed_by) == ("submitted", 1, None)


def test_a_milestone_that_does_not_validate_is_not_completed_and_the_update_is_not_saved(
    police_action, period, officer
) -> None:
    untitled = Milestone.objects.create(action=police_action, title="", due_date=dt.date(2024, 3, 1))
    data = UpdateInput(
        rag="amber",
        progress="Under way",
        issues_and_risks="",
        support_requested="",
        milestones_completed={untitled.pk: dt.date(2024, 3, 25)},
        indicator_values={},
    )
    update = ActionUpdate.objects.for_quarter(action=police_action, period=period)

    with pytest.raises(ValidationError):
        update_save(
            update=update, user=officer, data=data, expected_version=None, submit=False, today=dt.date(2024, 3, 25)
        )

    untitled.refresh_from_db()
    assert untitled.completed_on is None
    assert not ActionUpdate.objects.filter(action=police_action, period=period).exists()


def test_what_was_typed_is_shown_back_under_the_forms_own_labels() -> None:
    typed = UpdateForm.typed_back({"rag": "green", "progress": "  Six sessions  ", "issues_and_risks": " "})

    assert typed == [("RAG rating", "green"), ("Progress this quarter", "Six sessions")]


def test_only_submitted_and_approved_updates_are_reported_and_the_query_agrees(police_action) -> None:
    statuses = ["draft", "submitted", "approved", "returned"]
    updates = [
        ActionUpdate.objects.create(action=police_action, period=make_period(2022, q), status=status)
        for q, status in enumerate(statuses, start=1)
    ]

    assert [u.is_reported for u in updates] == [False, True, True, False]
    assert set(ActionUpdate.objects.reported().values_list("status", flat=True)) == {"submitted", "approved"}
