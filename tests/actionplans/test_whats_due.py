"""What's due (/whats-due/) across both shipped partnerships, and its calendar feed
(/calendar/<token>.ics): RFC 5545's line ends, folding and escaping, and a secret address
that stops working when a new one is made."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from actionplans.calendar import feed_token
from actionplans.models import Action, ActionPlan, Milestone
from priorities.models import Partnership, Priority
from priorities.plan_file import parse_plan
from priorities.services import plan_import
from tests.factories import UserFactory, give_roles
from tests.helpers import CENTRAL, CENTRAL_BEDS_PLAN, client_for, make_period

pytestmark = pytest.mark.django_db

WHATS_DUE = "/whats-due/"


@pytest.fixture
def central(plan) -> Partnership:
    plan_import(plan_file=parse_plan(CENTRAL_BEDS_PLAN.read_text(encoding="utf-8")), source=CENTRAL_BEDS_PLAN.name)
    return Partnership.objects.get(slug=CENTRAL)


def _central_action(central: Partnership, police, reference: str = "1.1", title: str = "Patrol the A5 corridor"):
    priority = Priority.objects.filter(plan__partnership=central, retired_at__isnull=True).order_by("number").first()
    assert priority is not None
    action_plan, _ = ActionPlan.objects.get_or_create(
        partnership=central, priority=priority, financial_year=2023, defaults={"status": ActionPlan.Status.APPROVED}
    )
    return Action.objects.create(
        plan=action_plan,
        reference=reference,
        title=title,
        theme=priority.themes.first(),
        lead_agency=police,
        start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31),
    )


@pytest.fixture
def both(central, police_action, period, police, officer):
    """The officer is an officer of both partnerships; each has an action of police's with
    an overdue milestone and an update owed this quarter."""
    give_roles(officer, central, Role.OFFICER)
    make_period(2023, 4, central)
    theirs = _central_action(central, police)
    Milestone.objects.create(
        action=theirs, title="Brief the parish councils, then the press", due_date=dt.date(2024, 2, 1)
    )
    return {"bedford": police_action, "central": theirs}


def test_whats_due_lists_updates_owed_and_overdue_milestones_in_both_partnerships(both, officer) -> None:
    response = client_for(officer).get(WHATS_DUE)
    html = response.content.decode()

    assert response.status_code == 200
    assert response.resolver_match.view_name == "actionplans:whats_due"
    bedford_at, central_at = (
        html.index('<h2 class="govuk-heading-l">Bedford Borough'),
        html.index('<h2 class="govuk-heading-l">Central Bedfordshire'),
    )
    assert bedford_at < central_at  # by partnership name
    bedford_part, central_part = html[bedford_at:central_at], html[central_at:]
    # Bedford: the overdue milestone (1 September 2023) before the update due 15 April 2024.
    assert "1 September 2023" in bedford_part
    assert bedford_part.index("Agree the sessions with schools") < bedford_part.index("2023-24 Q4 update")
    assert "15 April 2024" in bedford_part
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in bedford_part
    assert "1.1 Run knife-crime awareness sessions in schools" in bedford_part
    # Central Bedfordshire: its own milestone and update.
    assert "1 February 2024" in central_part
    assert "Brief the parish councils, then the press" in central_part
    assert "2023-24 Q4 update" in central_part
    assert "Patrol the A5 corridor" in central_part
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in central_part
    assert "What&#x27;s due" in html  # in the navigation


def test_whats_due_shows_nothing_of_a_partnership_the_person_is_not_in(both, police) -> None:
    bedford_only = UserFactory(agency=police, roles=[Role.OFFICER])  # same agency, Bedford only

    html = client_for(bedford_only).get(WHATS_DUE).content.decode()

    assert "Agree the sessions with schools" in html
    assert "Central Bedfordshire" not in html
    assert "Patrol the A5 corridor" not in html
    assert "Brief the parish councils" not in html


def _feed_url(user) -> str:
    return reverse("actionplans:calendar_feed", args=[feed_token(user)])


def test_the_feed_is_rfc_5545_calendar_text(both, officer) -> None:
    Milestone.objects.create(
        action=both["central"],
        title="Agree the data-sharing protocol – police, council, fire and probation – with every partner agency",
        due_date=dt.date(2024, 3, 1),
    )
    response = client_for(None).get(_feed_url(officer))  # a calendar app is never signed in
    body = response.content

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)  # CRLF only
    assert max(len(line) for line in lines) <= 75  # octets, folded
    assert any(line.startswith(b" ") for line in lines)  # the long summary was folded
    text = body.decode("utf-8").replace("\r\n ", "")  # unfolded
    assert "SUMMARY:Central Bedfordshire CSP: milestone due: Brief the parish councils\\, then the press" in text
    assert "police\\, council\\, fire and probation" in text
    assert "DTSTART;VALUE=DATE:20240201" in text
    assert "SUMMARY:Bedford Borough CSP: 2023-24 Q4 updates due" in text
    assert "DTSTART;VALUE=DATE:20240415" in text


def test_a_bad_or_old_address_is_not_found_and_a_new_one_works(both, officer) -> None:
    old = _feed_url(officer)
    page = client_for(officer).get(WHATS_DUE).content.decode()
    assert old in page
    assert "Make a new address" in page

    response = client_for(officer).post(WHATS_DUE)

    assert response.status_code == 302
    new = _feed_url(officer)
    assert new != old
    anonymous = client_for(None)
    assert anonymous.get(old).status_code == 404
    assert anonymous.get(new).status_code == 200
    assert new in client_for(officer).get(WHATS_DUE).content.decode()
    assert anonymous.get("/calendar/nonsense.ics").status_code == 404
    forged = new.replace(f"/{officer.pk}.", f"/{officer.pk + 1}.")
    assert anonymous.get(forged).status_code == 404


def test_a_deactivated_persons_feed_is_not_found(both, officer) -> None:
    url = _feed_url(officer)
    officer.is_active = False
    officer.save()

    assert client_for(None).get(url).status_code == 404


# Queries the page costs (pinned): the same at one action each and at ten.
WHATS_DUE_QUERIES = 9


def test_whats_due_costs_the_same_queries_with_more_data(both, central, police, officer, django_assert_num_queries):
    client = client_for(officer)
    client.get(WHATS_DUE)
    with django_assert_num_queries(WHATS_DUE_QUERIES):
        assert client.get(WHATS_DUE).status_code == 200

    for n in range(10):
        action = _central_action(central, police, reference=f"1.{n + 2}", title=f"Extra action {n}")
        for m in range(3):
            Milestone.objects.create(action=action, title=f"Extra milestone {n}.{m}", due_date=dt.date(2024, 1, 1 + m))

    with django_assert_num_queries(WHATS_DUE_QUERIES):
        html = client.get(WHATS_DUE).content.decode()
    assert "Extra milestone 9.2" in html


@pytest.mark.django_db(transaction=True)
def test_my_actions_is_kept_for_each_person_and_shows_an_edit_at_once(both, council, officer) -> None:
    """The page's content is kept per person (core.generation): another officer never gets
    it, and a change to one of the actions is on the next request."""
    other = UserFactory(agency=council, roles=[Role.OFFICER], roles__partnership=both["bedford"].plan.partnership)
    url = reverse("actionplans:my_actions")
    mine, theirs = client_for(officer), client_for(other)

    assert "Patrol the A5 corridor" in mine.get(url).content.decode()
    assert "Patrol the A5 corridor" not in theirs.get(url).content.decode()
    assert "Patrol the A5 corridor" in mine.get(url).content.decode()

    Action.objects.filter(pk=both["central"].pk).update(title="Patrol the A6 corridor")

    page = mine.get(url).content.decode()
    assert "Patrol the A6 corridor" in page
    assert "Patrol the A5 corridor" not in page


@pytest.mark.django_db(transaction=True)
def test_the_action_page_is_kept_for_each_reader_and_shows_an_edit_at_once(police_action, period, board_member) -> None:
    """The action page's content is kept per reader (core.generation): the owner's edit
    links never reach a reader who may not edit, and a change is on the next request."""
    from actionplans.models import ActionUpdate

    owner, reader = client_for(police_action.owner), client_for(board_member)
    url = police_action.get_absolute_url()
    edit = reverse("actionplans:action_edit", args=[police_action.plan.partnership.slug, police_action.pk])

    assert edit in owner.get(url).content.decode()
    assert edit not in reader.get(url).content.decode()
    assert edit in owner.get(url).content.decode()
    assert "Agree the sessions with schools" in reader.get(url).content.decode()

    Milestone.objects.filter(action=police_action).update(title="Agree the sessions with every school")
    page = reader.get(url).content.decode()
    assert "Agree the sessions with every school" in page
    assert "Agree the sessions with schools<" not in page

    ActionUpdate.objects.create(action=police_action, period=period, rag="red", progress="Two schools said no.")
    assert "Two schools said no." in owner.get(url).content.decode()
