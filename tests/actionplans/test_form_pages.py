"""The action-plan form pages: the title starts "Error: " exactly when the page shows an error summary."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from actionplans.models import ActionUpdate
from tests.factories import UserFactory
from tests.helpers import BEDFORD, client_for, title_of

pytestmark = pytest.mark.django_db

MILESTONE = {
    "version": "1",
    "title": "Deliver twelve sessions",
    "due_date_0": "31",
    "due_date_1": "3",
    "due_date_2": "2024",
}
ACTIONS_CSV = (
    "reference,title,theme,lead_agency,owner_email,start_date,due_date,state\r\n"
    "1.2,Robbery hotspot patrols,Robbery,Bedfordshire Police,,2023-04-01,2024-03-31,open\r\n"
)


def test_the_action_form_says_error_only_once_it_refuses_what_was_posted(action_plan, csp_admin) -> None:
    url = reverse("actionplans:action_create", args=[BEDFORD, action_plan.pk])
    admin = client_for(csp_admin)

    assert title_of(admin.get(url)) == "Add an action"
    assert title_of(admin.post(url, {"title": ""})) == "Error: Add an action"


def test_a_stale_milestone_edit_says_error_in_the_title(police_action, officer, csp_admin) -> None:
    milestone = police_action.milestones.get(title="Deliver ten sessions")
    url = reverse("actionplans:milestone_edit", args=[BEDFORD, milestone.pk])
    assert title_of(client_for(officer).get(url)) == "Edit milestone"
    client_for(csp_admin).post(url, MILESTONE)

    stale = client_for(officer).post(url, {**MILESTONE, "title": "Deliver eight sessions"})

    assert "Someone else saved this while you were editing" in stale.content.decode()
    assert title_of(stale) == "Error: Edit milestone"


def test_the_update_form_says_error_when_a_submit_is_incomplete_or_stale(
    police_action, period, officer, police
) -> None:
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    mine = client_for(officer)
    colleague = client_for(UserFactory(agency=police, roles=[Role.OFFICER]))

    assert title_of(mine.get(url)) == "2023-24 Q4 update for action 1.1"
    incomplete = mine.post(url, {"version": "", "rag": "", "progress": "", "submit_update": ""})
    assert title_of(incomplete) == "Error: 2023-24 Q4 update for action 1.1"
    mine.post(url, {"version": "", "rag": "amber", "progress": "Mine", "save_draft": ""})
    colleague.post(url, {"version": "1", "rag": "red", "progress": "Theirs", "save_draft": ""})
    stale = mine.post(url, {"version": "1", "rag": "green", "progress": "Mine again", "save_draft": ""})
    assert title_of(stale) == "Error: 2023-24 Q4 update for action 1.1"


def test_the_reopen_and_review_forms_say_error_when_refused(
    police_action, period, closed_period, officer, csp_admin, priority_lead
) -> None:
    reopen_url = reverse("actionplans:update_reopen", args=[BEDFORD, police_action.pk, closed_period.pk])
    admin = client_for(csp_admin)
    assert title_of(admin.get(reopen_url)) == "Reopen the 2023-24 Q3 update for action 1.1"
    assert title_of(admin.post(reopen_url, {"reason": ""})) == "Error: Reopen the 2023-24 Q3 update for action 1.1"

    update_url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    client_for(officer).post(update_url, {"version": "", "rag": "amber", "progress": "Done", "submit_update": ""})
    update = ActionUpdate.objects.get(period=period)
    review_url = reverse("actionplans:update_review", args=[BEDFORD, update.pk])
    lead = client_for(priority_lead)
    assert title_of(lead.get(review_url)) == "Review 2023-24 Q4 update for action 1.1"
    returned = lead.post(review_url, {"version": update.version, "decision": "return", "comment": ""})
    assert title_of(returned) == "Error: Review 2023-24 Q4 update for action 1.1"


def test_the_import_pages_say_error_for_a_refused_upload_or_a_file_with_problems(action_plan, csp_admin) -> None:
    url = reverse("actionplans:import", args=[BEDFORD, action_plan.pk])
    admin = client_for(csp_admin)

    def upload(text: str):
        return admin.post(url, {"kind": "actions", "file": SimpleUploadedFile("actions.csv", text.encode())})

    assert title_of(admin.get(url)) == "Import into the 2023-24 action plan"
    assert title_of(admin.post(url, {"kind": "actions"})) == "Error: Import into the 2023-24 action plan"
    assert title_of(upload(ACTIONS_CSV)) == "Check the import"
    assert title_of(upload(ACTIONS_CSV + "1.3,,Robbery,Nowhere,,x,y,open\r\n")) == "Error: Check the import"
