"""Nobody edits what isn't theirs: 404 for an officer of another agency, 403 for read-only members."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actionplans.models import ActionUpdate, Milestone
from tests.helpers import BEDFORD, WHOLE_YEAR, client_for

pytestmark = pytest.mark.django_db


def _edit_urls(action, period) -> list[str]:
    milestone = Milestone.objects.filter(action=action).first()
    assert milestone is not None
    return [
        reverse("actionplans:action_edit", args=[BEDFORD, action.pk]),
        reverse("actionplans:milestone_create", args=[BEDFORD, action.pk]),
        reverse("actionplans:milestone_edit", args=[BEDFORD, milestone.pk]),
        reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk]),
    ]


def test_an_officer_of_another_agency_gets_404_on_every_edit_url_and_nothing_changes(
    police_action, period, council_officer
) -> None:
    client = client_for(council_officer)
    before = (police_action.title, police_action.version, list(Milestone.objects.values_list("title", "version")))

    for url in _edit_urls(police_action, period):
        assert client.get(url).status_code == 404, url
        assert (
            client.post(url, {"title": "Hijacked", "rag": "green", "progress": "x", "submit_update": ""}).status_code
            == 404
        ), url

    police_action.refresh_from_db()
    after = (police_action.title, police_action.version, list(Milestone.objects.values_list("title", "version")))
    assert after == before
    assert not ActionUpdate.objects.exists()


def test_a_board_member_reads_but_gets_403_on_edit_urls(police_action, period, board_member) -> None:
    client = client_for(board_member)
    assert client.get(police_action.get_absolute_url()).status_code == 200
    for url in _edit_urls(police_action, period):
        assert client.post(url, {"title": "Changed"}).status_code == 403, url
    police_action.refresh_from_db()
    assert police_action.title == "Run knife-crime awareness sessions in schools"


def test_the_owner_from_another_agency_may_edit(police_action, period, council_officer) -> None:
    police_action.owner = council_officer
    police_action.save()
    assert (
        client_for(council_officer)
        .get(reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk]))
        .status_code
        == 200
    )


def test_an_officer_adds_actions_only_for_their_own_agency(action_plan, council_officer, police) -> None:
    url = reverse("actionplans:action_create", args=[BEDFORD, action_plan.pk])
    theme = action_plan.priority.themes.get(position=2)
    data = {
        "reference": "1.9",
        "title": "Robbery patrols",
        "theme": theme.pk,
        "lead_agency": police.pk,
        "state": "open",
        **WHOLE_YEAR,
    }

    refused = client_for(council_officer).post(url, data)
    assert "Select a valid choice" in refused.content.decode()

    response = client_for(council_officer).post(url, {**data, "lead_agency": council_officer.agency_id})
    assert response.status_code == 302
    assert action_plan.actions.get(reference="1.9").lead_agency == council_officer.agency


def test_only_admins_reopen_and_import(police_action, closed_period, officer, board_member, priority_lead) -> None:
    urls = [
        reverse("actionplans:update_reopen", args=[BEDFORD, police_action.pk, closed_period.pk]),
        reverse("actionplans:import", args=[BEDFORD, police_action.plan.pk]),
    ]
    for person in (officer, board_member, priority_lead):
        for url in urls:
            assert client_for(person).get(url).status_code == 403


def test_an_owner_from_another_agency_keeps_the_lead_agency_when_editing(
    police_action, council_officer, police
) -> None:
    police_action.owner = council_officer
    police_action.save()
    url = reverse("actionplans:action_edit", args=[BEDFORD, police_action.pk])
    form = client_for(council_officer).get(url).context["form"]
    data = {name: form[name].value() for name in ["reference", "title", "description", "theme", "owner", "state"]}
    data.update(
        version="1",
        lead_agency=police.pk,
        **WHOLE_YEAR,
        title="Renamed by its owner",
    )

    response = client_for(council_officer).post(url, data)

    assert response.status_code == 302
    police_action.refresh_from_db()
    assert (police_action.title, police_action.lead_agency) == ("Renamed by its owner", police)


def test_a_board_member_has_no_actions_to_update(police_action, period, board_member) -> None:
    html = client_for(board_member).get(reverse("actionplans:my_actions")).content.decode()
    assert "has no actions to update" in html
    assert "Write update" not in html


def test_an_officer_cannot_link_indicators_or_change_the_lead(police_action, officer, council, indicator) -> None:
    from actionplans.models import Indicator

    other = Indicator.objects.create(priority=indicator.priority, title="Other", unit="x", higher_is_better=True)
    url = reverse("actionplans:action_edit", args=[BEDFORD, police_action.pk])
    form = client_for(officer).get(url).context["form"]
    data = {name: form[name].value() for name in ["reference", "title", "description", "theme", "owner", "state"]}
    data.update(
        version="1",
        lead_agency=council.pk,
        indicators=[other.pk],
        **WHOLE_YEAR,
    )

    assert client_for(officer).post(url, data).status_code == 302

    police_action.refresh_from_db()
    assert police_action.lead_agency.name == "Bedfordshire Police"
    assert list(police_action.indicators.all()) == [indicator]


def test_a_duplicate_reference_is_a_form_error_not_a_crash(police_action, csp_admin) -> None:
    url = reverse("actionplans:action_create", args=[BEDFORD, police_action.plan.pk])
    data = {
        "reference": "1.1",
        "title": "Again",
        "theme": police_action.theme_id,
        "lead_agency": police_action.lead_agency_id,
        "state": "open",
        **WHOLE_YEAR,
    }
    response = client_for(csp_admin).post(url, data)
    assert "The plan already has an action 1.1" in response.content.decode()


def test_a_priority_lead_cannot_approve_their_own_update(police_action, period, priority_lead) -> None:
    police_action.owner = priority_lead
    police_action.save()
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    client_for(priority_lead).post(url, {"rag": "green", "progress": "Mine", "submit_update": ""})
    update = ActionUpdate.objects.get()

    response = client_for(priority_lead).post(
        reverse("actionplans:update_review", args=[BEDFORD, update.pk]),
        {"version": update.version, "decision": "approve"},
    )

    assert response.status_code == 403
    update.refresh_from_db()
    assert update.status == "submitted"
