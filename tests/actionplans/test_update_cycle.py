"""The officer's quarter: My actions, draft, submit, read-only, review, window, reopen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from actionplans.models import ActionUpdate, IndicatorValue, Milestone
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db


def _update_url(action, period) -> str:
    return reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk])


def _form(**extra: str) -> dict[str, str]:
    data = {
        "version": "",
        "rag": "amber",
        "progress": "Six sessions delivered; four schools booked for April.",
        "issues_and_risks": "Exam season limits school time.",
        "support_requested": "",
    }
    data.update(extra)
    return data


def test_my_actions_lists_the_agencys_actions_that_owe_an_update(
    police_action, period, officer, council_officer
) -> None:
    mine = client_for(officer).get(reverse("actionplans:my_actions")).content.decode()
    theirs = client_for(council_officer).get(reverse("actionplans:my_actions")).content.decode()

    assert "1.1 Run knife-crime awareness sessions in schools" in mine
    assert "2023-24 Q4" in mine
    assert "15 April 2024" in mine
    assert "Priority 1: High Harm &amp; Violence" in mine
    assert "Run knife-crime awareness sessions" not in theirs
    assert "You have no open actions in Bedford Borough CSP this quarter" in theirs


def test_an_officer_saves_a_draft_comes_back_and_submits(police_action, period, officer, indicator) -> None:
    client = client_for(officer)
    url = _update_url(police_action, period)
    first_milestone = police_action.milestones.get(title="Agree the sessions with schools")

    response = client.post(
        url,
        _form(**{f"indicator_{indicator.pk}_value": "58", f"milestone_{first_milestone.pk}": "on", "save_draft": ""}),
    )

    assert response.status_code == 302
    update = ActionUpdate.objects.get(action=police_action, period=period)
    assert (update.status, update.rag, update.version) == ("draft", "amber", 1)
    first_milestone.refresh_from_db()
    assert first_milestone.completed_on == dt.date(2024, 3, 25)
    assert IndicatorValue.objects.get(indicator=indicator, period=period).value == 58

    page = client.get(url).content.decode()
    assert "Six sessions delivered" in page
    assert 'name="version" value="1"' in page

    kept = {f"indicator_{indicator.pk}_value": "58", f"indicator_{indicator.pk}_version": "1"}
    response = client.post(url, _form(version="1", submit_update="", **kept))

    update.refresh_from_db()
    assert response.status_code == 302
    assert (update.status, update.submitted_by, update.version) == ("submitted", officer, 2)
    locked = client.get(url).content.decode()
    assert "can no longer be changed" in locked
    assert "<textarea" not in locked
    assert client.post(url, _form(version="2", save_draft="")).status_code == 409
    update.refresh_from_db()
    assert update.status == "submitted"


def test_submitting_needs_a_rating_and_progress_and_keeps_what_was_typed(police_action, period, officer) -> None:
    response = client_for(officer).post(
        _update_url(police_action, period), _form(rag="", progress="", issues_and_risks="Kept text", submit_update="")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Select a RAG rating to submit the update" in html
    assert "Describe the progress this quarter to submit the update" in html
    assert "Kept text" in html
    assert not ActionUpdate.objects.exists()


def test_a_bad_indicator_value_is_an_error_in_the_summary(police_action, period, officer, indicator) -> None:
    response = client_for(officer).post(
        _update_url(police_action, period), _form(**{f"indicator_{indicator.pk}_value": "lots", "save_draft": ""})
    )
    assert "Enter the figure for Recorded knife crime offences as a number" in response.content.decode()
    assert not ActionUpdate.objects.exists()


def test_a_closed_window_refuses_the_form(police_action, closed_period, officer) -> None:
    client = client_for(officer)
    url = _update_url(police_action, closed_period)

    page = client.get(url).content.decode()
    response = client.post(url, _form(save_draft=""))

    assert "Updates for 2023-24 Q3 closed on 15 January 2024" in page
    assert response.status_code == 409
    assert not ActionUpdate.objects.exists()


def test_an_admin_reopens_one_update_for_one_officer_and_history_records_it(
    police_action, closed_period, officer, csp_admin, police
) -> None:
    from tests.factories import UserFactory

    other_police_officer = UserFactory(agency=police, roles=[Role.OFFICER])
    admin = client_for(csp_admin)
    reopen_url = reverse("actionplans:update_reopen", args=[BEDFORD, police_action.pk, closed_period.pk])

    response = admin.post(
        reopen_url,
        {"officer": officer.pk, "until_0": "31", "until_1": "3", "until_2": "2024", "reason": "Figures arrived late"},
    )

    assert response.status_code == 302
    update = ActionUpdate.objects.get(action=police_action, period=closed_period)
    assert (update.reopened_for, update.reopened_until) == (officer, dt.date(2024, 3, 31))
    record = update.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        csp_admin,
        f"Reopened for {officer}: Figures arrived late",
    )

    url = _update_url(police_action, closed_period)
    assert client_for(other_police_officer).post(url, _form(save_draft="")).status_code == 409
    assert client_for(officer).post(url, _form(version=str(update.version), submit_update="")).status_code == 302
    update.refresh_from_db()
    assert update.status == "submitted"
    history = (
        client_for(officer)
        .get(reverse("actionplans:action_history", args=[BEDFORD, police_action.pk]))
        .content.decode()
    )
    assert "Reopened for Priya Shah: Figures arrived late" in history


def test_a_priority_lead_approves_or_returns_with_a_comment(police_action, period, officer, priority_lead) -> None:
    client_for(officer).post(_update_url(police_action, period), _form(submit_update=""))
    update = ActionUpdate.objects.get()
    lead = client_for(priority_lead)
    review_url = reverse("actionplans:update_review", args=[BEDFORD, update.pk])

    assert (
        "1.1 Run knife-crime awareness sessions"
        in lead.get(reverse("actionplans:reviews", args=[BEDFORD])).content.decode()
    )
    empty_comment = lead.post(review_url, {"version": update.version, "decision": "return", "comment": ""})
    assert "Say what the officer needs to change" in empty_comment.content.decode()

    lead.post(review_url, {"version": update.version, "decision": "return", "comment": "Add the school names"})

    update.refresh_from_db()
    assert (update.status, update.reviewed_by, update.review_comment) == (
        "returned",
        priority_lead,
        "Add the school names",
    )
    mine = client_for(officer).get(reverse("actionplans:my_actions")).content.decode()
    assert "1 update returned to you" in mine
    assert "Add the school names" in mine

    client_for(officer).post(_update_url(police_action, period), _form(version=str(update.version), submit_update=""))
    update.refresh_from_db()
    lead.post(review_url, {"version": update.version, "decision": "approve", "comment": ""})
    update.refresh_from_db()
    assert update.status == "approved"


def test_a_lead_of_another_priority_cannot_review_it(police_action, period, officer, council) -> None:
    from priorities.models import Priority
    from tests.factories import UserFactory

    other_lead = UserFactory(agency=council, roles=[Role.OFFICER, Role.PRIORITY_LEAD])
    Priority.objects.filter(number=2).update(lead=other_lead)
    client_for(officer).post(_update_url(police_action, period), _form(submit_update=""))
    update = ActionUpdate.objects.get()

    response = client_for(other_lead).post(
        reverse("actionplans:update_review", args=[BEDFORD, update.pk]),
        {"version": update.version, "decision": "approve"},
    )

    assert response.status_code == 403
    update.refresh_from_db()
    assert update.status == "submitted"
    assert (
        "Nothing is waiting for review"
        in client_for(other_lead).get(reverse("actionplans:reviews", args=[BEDFORD])).content.decode()
    )


def test_green_with_an_overdue_milestone_is_flagged_on_the_page_and_in_lists(police_action, period, officer) -> None:
    client = client_for(officer)
    client.post(_update_url(police_action, period), _form(rag="green", save_draft=""))
    warning = "Rated green with an overdue milestone"

    assert warning in client.get(police_action.get_absolute_url()).content.decode()
    assert warning in client.get(reverse("actionplans:my_actions")).content.decode()
    assert warning in client.get(police_action.plan.get_absolute_url()).content.decode()

    Milestone.objects.filter(title="Agree the sessions with schools").update(completed_on=dt.date(2023, 8, 30))
    assert warning not in client.get(police_action.get_absolute_url()).content.decode()


def test_a_refused_post_shows_back_what_was_typed(police_action, closed_period, officer) -> None:
    response = client_for(officer).post(
        _update_url(police_action, closed_period), _form(progress="Typed after the deadline", save_draft="")
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "What you typed (not saved)" in html
    assert "Typed after the deadline" in html


def test_an_edit_in_the_admin_makes_open_forms_stale(police_action, officer, csp_admin) -> None:
    milestone = police_action.milestones.get(title="Deliver ten sessions")
    client_for(csp_admin).post(
        reverse("admin:actionplans_milestone_change", args=[milestone.pk]),
        {"action": police_action.pk, "title": "ADMIN CORRECTION", "due_date": "2024-03-31", "completed_on": ""},
    )
    milestone.refresh_from_db()
    assert (milestone.title, milestone.version) == ("ADMIN CORRECTION", 2)

    response = client_for(officer).post(
        reverse("actionplans:milestone_edit", args=[BEDFORD, milestone.pk]),
        {"version": "1", "title": "Officer's stale title", "due_date_0": "31", "due_date_1": "3", "due_date_2": "2024"},
    )

    assert "Someone else saved this while you were editing" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.title == "ADMIN CORRECTION"


def test_a_closed_quarter_can_be_reopened_from_the_action_page_and_the_officer_finds_it(
    police_action, period, closed_period, officer, csp_admin
) -> None:
    page = client_for(csp_admin).get(police_action.get_absolute_url()).content.decode()
    reopen_url = reverse("actionplans:update_reopen", args=[BEDFORD, police_action.pk, closed_period.pk])
    assert f'href="{reopen_url}"' in page
    assert "Open the 2023-24 Q3 update for an officer" in page

    client_for(csp_admin).post(
        reopen_url,
        {"officer": officer.pk, "until_0": "31", "until_1": "3", "until_2": "2024", "reason": "Late figures"},
    )

    mine = client_for(officer).get(reverse("actionplans:my_actions")).content.decode()
    assert "Reopened for you" in mine
    assert reverse("actionplans:update", args=[BEDFORD, police_action.pk, closed_period.pk]) in mine
    action_page = client_for(officer).get(police_action.get_absolute_url()).content.decode()
    assert "(reopened until 31 March)" in action_page
