"""A Bedfordshire Police officer who sits on two partnerships, in a real browser: one My
actions for both, each update form naming whose plan it is; with and without JavaScript,
axe on every page (of the run with JavaScript: axe is a script)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role, User
from actionplans.demo import demo_load
from actionplans.models import Action, ActionUpdate
from priorities.models import Partnership
from priorities.plan_file import parse_plan
from priorities.services import plan_import
from tests.factories import PASSWORD, give_roles
from tests.helpers import CENTRAL, CENTRAL_BEDS_PLAN, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_partnerships(plan, officer: User) -> Action:
    """Both shipped plans with this year's demo data; the officer is an officer of both.
    Returns one of the officer's Central Bedfordshire actions owing an update now."""
    plan_import(plan_file=parse_plan(CENTRAL_BEDS_PLAN.read_text(encoding="utf-8")), source=CENTRAL_BEDS_PLAN.name)
    central = Partnership.objects.get(slug=CENTRAL)
    give_roles(officer, central, Role.OFFICER)
    today = timezone.localdate()
    demo_load(today=today, scale=1)
    owed = Action.objects.filter(
        plan__partnership=central, owner=officer, start_date__lte=today, due_date__gte=today, state="open"
    )
    action = owed.order_by("reference").first()
    assert action is not None
    ActionUpdate.objects.filter(action=action).delete()  # a fresh update to write
    return action


def _sign_in(page: Page, base: str, user: User) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _journey(page: Page, base: str, officer: User, action: Action, *, scripts: bool = True) -> None:
    check = assert_accessible if scripts else (lambda page: None)  # axe itself is a script
    _sign_in(page, base, officer)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your partnerships")
    check(page)
    expect(page.get_by_role("link", name="Central Bedfordshire Community Safety Partnership")).to_be_visible()

    page.get_by_role("link", name="My actions").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    check(page)
    headings = page.get_by_role("heading", level=2).all_inner_texts()
    assert headings.index("Bedford Borough Community Safety Partnership") < headings.index(
        "Central Bedfordshire Community Safety Partnership"
    )

    page.locator(f'a[href^="/{CENTRAL}/actions/{action.pk}/updates/"]').first.click()
    expect(page.locator(".govuk-caption-l")).to_contain_text("Central Bedfordshire Community Safety Partnership")
    check(page)
    page.get_by_label("Progress this quarter").fill("Two exploitation awareness sessions held with schools.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    expect(page).to_have_url(re.compile(rf"/{CENTRAL}/actions/{action.pk}/updates/\d+/$"))
    check(page)


def test_an_officer_on_two_partnerships_writes_an_update_from_one_my_actions(
    live_server, page: Page, officer: User, two_partnerships: Action
) -> None:
    _journey(page, live_server.url, officer, two_partnerships)
    update = ActionUpdate.objects.get(action=two_partnerships)
    assert update.progress == "Two exploitation awareness sessions held with schools."


def test_the_same_journey_works_without_javascript(
    live_server, no_js_page: Page, officer: User, two_partnerships: Action
) -> None:
    _journey(no_js_page, live_server.url, officer, two_partnerships, scripts=False)
    assert ActionUpdate.objects.get(action=two_partnerships).status == "draft"
