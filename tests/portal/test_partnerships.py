"""One portal, two partnerships: Bedford Borough and Central Bedfordshire, loaded from the
shipped plans with their demo data. Each partnership's pages, dashboard, report, reminders
and schedule are its own; a police officer who sits on both sees both on one My actions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Agency, Role, User
from actionplans.demo import demo_load
from actionplans.models import Action, ReportingPeriod
from actionplans.services import reminders_send
from priorities.models import Partnership, Priority, StrategicPlan
from priorities.plan_file import parse_plan
from priorities.services import plan_import
from reports.quarter import report_build
from reports.services import reports_schedule
from tests.factories import UserFactory, give_roles
from tests.helpers import BEDFORD, CENTRAL, CENTRAL_BEDS_PLAN, REPORT_DAY, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _report_day() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2024, 4, 20, 9, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.fixture
def central(plan) -> Partnership:
    plan_import(plan_file=parse_plan(CENTRAL_BEDS_PLAN.read_text(encoding="utf-8")), source=CENTRAL_BEDS_PLAN.name)
    return Partnership.objects.get(slug=CENTRAL)


@pytest.fixture
def both(plan, central, officer) -> dict[str, Partnership]:
    """Both partnerships with a year of demo data each; the standing police officer sits
    on both."""
    give_roles(officer, central, Role.OFFICER)
    demo_load(today=REPORT_DAY, scale=1)
    return {"bedford": plan.partnership, "central": central}


@pytest.fixture
def central_admin(central) -> User:
    council = Agency.objects.get(name="Central Bedfordshire Council")
    return UserFactory(agency=council, roles=[Role.CSP_ADMIN], roles__partnership=central)


def _titles(partnership: Partnership) -> set[str]:
    plan = StrategicPlan.objects.filter(partnership=partnership).current()
    assert plan is not None
    return set(plan.priorities.values_list("title", flat=True))


def test_each_partnerships_home_and_dashboard_show_only_its_own_plan(both, csp_admin, central_admin) -> None:
    bedford_titles, central_titles = _titles(both["bedford"]), _titles(both["central"])
    assert bedford_titles
    assert central_titles
    assert not bedford_titles & central_titles
    give_roles(csp_admin, both["central"], Role.BOARD_MEMBER)
    client = client_for(csp_admin)

    for slug, mine, theirs in ((BEDFORD, bedford_titles, central_titles), (CENTRAL, central_titles, bedford_titles)):
        for name in ("priorities:home", "reports:dashboard"):
            html = client.get(reverse(name, args=[slug])).content.decode()
            assert all(title.replace("&", "&amp;") in html for title in mine), (slug, name)
            assert not any(title.replace("&", "&amp;") in html for title in theirs), (slug, name)


def test_every_item_of_the_bedford_plan_is_still_on_bedfords_pages(both, shipped_plan_file, officer) -> None:
    client = client_for(officer)
    for priority in Priority.objects.filter(plan__partnership=both["bedford"], retired_at__isnull=True):
        html = re.sub(r"<abbr[^>]*>|</abbr>", "", client.get(priority.get_absolute_url()).content.decode())
        data = next(p for p in shipped_plan_file.priorities if p.title == priority.title)
        for line in [*data.themes, *data.key_issues, *data.aims, *data.outcomes]:
            assert escape(line.text) in html, line.text


def test_a_compiled_report_holds_only_its_partnerships_actions_and_figures(both) -> None:
    bedford_q4 = ReportingPeriod.objects.get(partnership=both["bedford"], financial_year=2023, quarter=4)
    central_q4 = ReportingPeriod.objects.get(partnership=both["central"], financial_year=2023, quarter=4)

    for period, mine in ((bedford_q4, both["bedford"]), (central_q4, both["central"])):
        snapshot = report_build(period)
        ids = {a["id"] for p in snapshot["priorities"] for a in p["actions"]}
        assert ids
        assert ids <= set(Action.objects.filter(plan__partnership=mine).values_list("pk", flat=True))
        assert {p["title"] for p in snapshot["priorities"]} == _titles(mine)
        assert snapshot["partnership"] == mine.name
    assert report_build(bedford_q4)["board"] == "the Safer Thematic Board"
    assert report_build(central_q4)["board"] == "the board"


def test_an_officer_on_two_partnerships_sees_both_on_one_my_actions(both, officer) -> None:
    html = client_for(officer).get(reverse("actionplans:my_actions")).content.decode()

    bedford_at = html.index('<h2 class="govuk-heading-l">Bedford Borough Community Safety Partnership</h2>')
    central_at = html.index('<h2 class="govuk-heading-l">Central Bedfordshire Community Safety Partnership</h2>')
    assert bedford_at < central_at  # by partnership, then by priority
    assert "Priority 1: High Harm &amp; Violence" in html[bedford_at:central_at]
    central_mine = Action.objects.filter(plan__partnership=both["central"], owner=officer, plan__financial_year=2024)
    assert central_mine.exists()
    for action in central_mine:
        assert f"/{CENTRAL}/actions/{action.pk}/" in html[central_at:]


def test_each_update_form_says_whose_plan_it_is(both, officer) -> None:
    action = Action.objects.filter(plan__partnership=both["central"], owner=officer).first()
    period = ReportingPeriod.objects.filter(partnership=both["central"]).current(dt.date(2024, 4, 20))
    assert action is not None
    assert period is not None

    html = client_for(officer).get(reverse("actionplans:update", args=[CENTRAL, action.pk, period.pk])).content
    assert "Central Bedfordshire Community Safety Partnership: action" in html.decode()


def test_a_person_on_two_partnerships_chooses_one_and_a_person_on_one_goes_straight_there(
    both, officer, board_member
) -> None:
    listing = client_for(officer).get(reverse("priorities:partnerships"))
    assert listing.status_code == 200
    assert f'href="/{BEDFORD}/"' in listing.content.decode()
    assert f'href="/{CENTRAL}/"' in listing.content.decode()

    assert client_for(board_member).get(reverse("priorities:partnerships"))["Location"] == f"/{BEDFORD}/"


def test_an_action_of_another_partnership_is_not_found_under_its_address(both, officer) -> None:
    bedford_action = Action.objects.filter(plan__partnership=both["bedford"], owner=officer).first()
    assert bedford_action is not None

    # The officer may see both partnerships, but a Bedford action is not Central Bedfordshire's.
    response = client_for(officer).get(reverse("actionplans:action", args=[CENTRAL, bedford_action.pk]))
    assert response.status_code == 404


def test_an_admin_of_one_partnership_administers_only_its_records(both, central_admin) -> None:
    client = client_for(central_admin)
    bedford_action = Action.objects.filter(plan__partnership=both["bedford"]).first()
    central_action = Action.objects.filter(plan__partnership=both["central"]).first()
    assert bedford_action is not None
    assert central_action is not None

    listing = client.get(reverse("admin:actionplans_action_changelist")).content.decode()
    assert central_action.title in listing
    assert bedford_action.title not in listing
    change = client.get(reverse("admin:actionplans_action_change", args=[bedford_action.pk]))
    assert change.status_code == 302  # "doesn't exist": back to the admin index
    add = client.get(reverse("admin:actionplans_actionplan_add")).content.decode()
    assert "High Harm" not in add  # no Bedford priority to choose
    bedford_only = UserFactory(
        full_name="Bedford Only Person", roles=[Role.OFFICER], roles__partnership=both["bedford"]
    )
    edit_central = client.get(reverse("admin:actionplans_action_change", args=[central_action.pk])).content.decode()
    assert bedford_only.full_name not in edit_central  # not offered as an owner
    periods = client.get(reverse("admin:actionplans_actionupdate_changelist")).content.decode()
    assert "Bedford Borough" not in periods
    assert client.get(reverse("admin:actionplans_action_history", args=[bedford_action.pk])).status_code == 404
    assert client.get(reverse("admin:actionplans_action_history", args=[central_action.pk])).status_code == 200


def test_one_reminder_a_day_covers_every_partnership_by_its_own_days(both, officer) -> None:
    central = both["central"]
    central.remind_days_before = 0
    central.save()
    # Both 2024-25 Q1 windows close on 15 July; on 12 July Bedford reminds (5 days before)
    # and Central Bedfordshire, which reminds only on the day, does not yet.
    reminders_send(today=dt.date(2024, 7, 12))
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert "Bedford Borough CSP:" in mail.outbox[0].body
    assert "Central Bedfordshire CSP:" not in mail.outbox[0].body

    mail.outbox.clear()
    reminders_send(today=dt.date(2024, 7, 15))
    assert "Bedford Borough CSP:" in mail.outbox[0].body
    assert "Central Bedfordshire CSP:" in mail.outbox[0].body


def test_each_partnership_compiles_its_report_on_its_own_schedule(both) -> None:
    central = both["central"]
    central.compile_days_after_close = 3
    central.save()

    first_day = reports_schedule(today=dt.date(2024, 4, 16))
    assert [r.period.partnership for r in first_day] == [both["bedford"]]
    later = reports_schedule(today=dt.date(2024, 4, 18))
    assert [r.period.partnership for r in later] == [central]


def test_an_admin_cannot_change_the_sign_in_or_agency_of_someone_of_another_partnership_too(
    both, central_admin, officer
) -> None:
    # The officer sits on both partnerships: Central Bedfordshire's admin sees them, read only.
    page = client_for(central_admin).get(reverse("admin:accounts_user_change", args=[officer.pk])).content.decode()

    assert 'name="email"' not in page
    assert 'name="agency"' not in page
    assert officer.email in page


def test_an_agency_another_partnership_has_is_not_one_partnerships_admin_to_rename(both, central_admin) -> None:
    police = Agency.objects.get(name="Bedfordshire Police")  # on both partnerships
    client = client_for(central_admin)

    client.post(
        reverse("admin:accounts_agency_change", args=[police.pk]),
        {"name": "Renamed Police", "short_name": "P", "kind": police.kind, "_save": "Save"},
    )

    police.refresh_from_db()
    assert police.name == "Bedfordshire Police"
    # Its own partnership's alone, it renames.
    own = Agency.objects.create(name="Central Street Pastors", short_name="Pastors")
    both["central"].members.add(own)
    client.post(
        reverse("admin:accounts_agency_change", args=[own.pk]),
        {"name": "Central Bedfordshire Street Pastors", "short_name": "Pastors", "kind": own.kind, "_save": "Save"},
    )
    own.refresh_from_db()
    assert own.name == "Central Bedfordshire Street Pastors"
