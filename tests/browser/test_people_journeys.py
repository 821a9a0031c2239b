"""Onboarding in a real browser: an admin invites an officer, who sets a password from the
emailed link, signs in and writes an update. With JavaScript (axe on every page) and without."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from actionplans.models import Action, ActionUpdate
from tests.browser.test_plan_journey import sign_in
from tests.browser.test_update_journeys import police_action  # noqa: F401 (a fixture)
from tests.helpers import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a long and unusual passphrase 42"


def _journey(page: Page, base: str, admin: User, action: Action, *, check: bool) -> None:
    def scan() -> None:
        if check:
            assert_accessible(page)

    sign_in(page, base, admin, check=False)
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    scan()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter their email address")
    scan()
    page.get_by_label("Email address").fill("nia.roberts@example.org")
    page.get_by_label("Full name").fill("Nia Roberts")
    page.get_by_label("Agency").select_option(label="Bedfordshire Police")
    page.get_by_label("Officer", exact=True).check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("main")).to_contain_text("Invitation sent to nia.roberts@example.org")
    expect(page.locator("main")).to_contain_text("Invited")
    scan()

    invited = User.objects.get(email="nia.roberts@example.org")
    Action.objects.filter(pk=action.pk).update(owner=invited)  # the admin gives them the action
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/set-password/\S+/", message.body)
    assert link is not None
    path = "/accounts/" + link.group(0).split("/accounts/", 1)[1]

    page.context.clear_cookies()  # the officer's own browser
    page.goto(f"{base}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set your password")
    scan()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    page.get_by_label("Email address").fill("nia.roberts@example.org")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Strategic Plan")

    page.goto(f"{base}{path}")  # the link worked once
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    page.goto(f"{base}/")
    page.get_by_role("link", name="My actions").click()
    page.get_by_role("link", name="Write update for 1.1").click()
    page.get_by_label("Amber").check()
    page.get_by_label("Progress this quarter").fill("Two sessions booked.")
    page.get_by_role("button", name="Submit update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted for review")
    scan()
    update = ActionUpdate.objects.get()
    assert (update.status, update.rag) == ("submitted", "amber")


def test_an_invited_officer_sets_a_password_and_submits_an_update(
    live_server,
    page: Page,
    csp_admin: User,
    police_action: Action,  # noqa: F811
) -> None:
    _journey(page, live_server.url, csp_admin, police_action, check=True)


def test_the_invitation_journey_works_without_javascript(
    live_server,
    no_js_page: Page,
    csp_admin: User,
    police_action: Action,  # noqa: F811
) -> None:
    _journey(no_js_page, live_server.url, csp_admin, police_action, check=False)
