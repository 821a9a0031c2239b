"""Two people, one record: the later, stale save is refused and the newer data stays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from actionplans.models import ActionUpdate, Milestone
from tests.factories import UserFactory
from tests.helpers import BEDFORD, WHOLE_YEAR, client_for

pytestmark = pytest.mark.django_db


def test_a_stale_update_save_is_refused_and_shows_what_changed(police_action, period, officer, police) -> None:
    colleague = UserFactory(full_name="Sam Patel", agency=police, roles=[Role.OFFICER])
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    mine, theirs = client_for(officer), client_for(colleague)
    mine.post(url, {"rag": "amber", "progress": "First draft", "save_draft": ""})
    # Both open the form at version 1.
    assert 'name="version" value="1"' in mine.get(url).content.decode()
    assert 'name="version" value="1"' in theirs.get(url).content.decode()

    theirs.post(url, {"version": "1", "rag": "red", "progress": "Colleague's newer text", "save_draft": ""})
    response = mine.post(url, {"version": "1", "rag": "green", "progress": "My stale text", "save_draft": ""})

    html = response.content.decode()
    update = ActionUpdate.objects.get()
    assert response.status_code == 200
    assert (update.rag, update.progress, update.version) == ("red", "Colleague's newer text", 2)
    assert "Someone else saved this while you were editing" in html
    assert "Sam Patel saved it" in html
    assert "Colleague&#x27;s newer text" in html  # what changed meanwhile
    assert "My stale text" in html  # nothing typed is lost
    assert 'name="version" value="2"' in html  # saving again is now a deliberate choice


def test_two_first_drafts_at_once_keep_the_first(police_action, period, officer, police) -> None:
    colleague = UserFactory(agency=police, roles=[Role.OFFICER])
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])

    client_for(colleague).post(url, {"version": "", "rag": "red", "progress": "First", "save_draft": ""})
    response = client_for(officer).post(url, {"version": "", "rag": "green", "progress": "Second", "save_draft": ""})

    assert "Someone else saved this while you were editing" in response.content.decode()
    assert ActionUpdate.objects.get().progress == "First"


def test_a_stale_milestone_edit_is_refused(police_action, officer, csp_admin) -> None:
    milestone = police_action.milestones.get(title="Deliver ten sessions")
    url = reverse("actionplans:milestone_edit", args=[BEDFORD, milestone.pk])
    form = {
        "version": "1",
        "title": "Deliver twelve sessions",
        "due_date_0": "31",
        "due_date_1": "3",
        "due_date_2": "2024",
    }

    assert client_for(csp_admin).post(url, form).status_code == 302
    stale = client_for(officer).post(url, {**form, "title": "Deliver eight sessions"})

    milestone.refresh_from_db()
    assert milestone.title == "Deliver twelve sessions"
    assert milestone.version == 2
    html = stale.content.decode()
    assert "Aisha Khan saved it" in html
    assert "Deliver ten sessions" in html  # before
    assert "Deliver twelve sessions" in html  # now


def test_a_stale_action_edit_is_refused(police_action, officer, csp_admin) -> None:
    url = reverse("actionplans:action_edit", args=[BEDFORD, police_action.pk])
    page = client_for(officer).get(url)
    form = page.context["form"]
    data = {
        name: form[name].value()
        for name in ["reference", "title", "description", "theme", "lead_agency", "owner", "state"]
    }
    data.update(
        version="1",
        **WHOLE_YEAR,
    )

    assert client_for(csp_admin).post(url, {**data, "title": "Admin's title"}).status_code == 302
    response = client_for(officer).post(url, {**data, "title": "Officer's title"})

    police_action.refresh_from_db()
    assert police_action.title == "Admin's title"
    assert "Someone else saved this while you were editing" in response.content.decode()


def test_the_service_refuses_a_stale_claim_whatever_the_form(police_action) -> None:
    from core.models import StaleEdit
    from core.services import versioned_save

    milestone = Milestone.objects.get(title="Deliver ten sessions")
    first, second = Milestone.objects.get(pk=milestone.pk), Milestone.objects.get(pk=milestone.pk)
    first.title, second.title = "A", "B"
    versioned_save(instance=first, expected_version=1, user=police_action.owner)

    with pytest.raises(StaleEdit):
        versioned_save(instance=second, expected_version=1, user=police_action.owner)
    assert Milestone.objects.get(pk=milestone.pk).title == "A"
    assert Milestone.objects.get(pk=milestone.pk).due_date == dt.date(2024, 3, 31)


def test_claiming_several_at_once_refuses_them_all_when_one_changed_after_the_read(police_action) -> None:
    """What a submit does for its milestones: one statement, and still no write over a change
    made between the read and the write."""
    from django.db import transaction

    from core.models import StaleEdit

    read = list(police_action.milestones.all())
    changed = Milestone.objects.get(title="Deliver ten sessions")
    changed.claim(changed.version)  # someone else's write, after the read

    with pytest.raises(StaleEdit), transaction.atomic():
        Milestone.claim_all(read)
    assert sorted(police_action.milestones.values_list("version", flat=True)) == [1, 2]

    Milestone.claim_all(list(police_action.milestones.all()))
    assert sorted(police_action.milestones.values_list("version", flat=True)) == [2, 3]


def test_a_stale_indicator_value_is_refused(police_action, period, officer, police, indicator) -> None:
    from actionplans.models import IndicatorValue

    colleague = UserFactory(full_name="Sam Patel", agency=police, roles=[Role.OFFICER])
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    value = f"indicator_{indicator.pk}_value"
    version = f"indicator_{indicator.pk}_version"
    client_for(officer).post(url, {"rag": "amber", "progress": "x", value: "10", "save_draft": ""})
    client_for(colleague).post(
        url, {"version": "1", "rag": "amber", "progress": "x", value: "20", version: "1", "save_draft": ""}
    )

    response = client_for(officer).post(
        url, {"version": "2", "rag": "amber", "progress": "x", value: "10", version: "1", "save_draft": ""}
    )

    assert "Someone else saved this while you were editing" in response.content.decode()
    assert IndicatorValue.objects.get().value == 20


def test_clearing_an_indicator_value_deletes_it_and_history_keeps_it(police_action, period, officer, indicator) -> None:
    from actionplans.models import IndicatorValue

    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    value, version = f"indicator_{indicator.pk}_value", f"indicator_{indicator.pk}_version"
    client_for(officer).post(url, {"rag": "amber", "progress": "x", value: "10", "save_draft": ""})
    client_for(officer).post(
        url, {"version": "1", "rag": "amber", "progress": "x", value: "", version: "1", "save_draft": ""}
    )

    assert not IndicatorValue.objects.exists()
    assert IndicatorValue.history.filter(history_type="-").get().value == 10


def test_a_note_without_a_value_is_an_error_not_silently_dropped(police_action, period, officer, indicator) -> None:
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    response = client_for(officer).post(
        url, {"rag": "amber", "progress": "x", f"indicator_{indicator.pk}_note": "Awaiting data", "save_draft": ""}
    )
    assert (
        "Enter the figure for Recorded knife crime offences, or clear its note and untick “provisional”"
        in response.content.decode()
    )
    assert not ActionUpdate.objects.exists()
