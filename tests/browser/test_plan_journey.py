"""Sign in, read the plan, sign out: with JavaScript and without, axe on every page."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.two_factor import two_factor_required
from priorities.plan_file import PlanFile
from tests.factories import PASSWORD
from tests.helpers import assert_accessible, authenticator_app_for, code_from_app

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str, user: User, *, check: bool = True) -> None:
    """Sign in as a person does: the password, then, for a CSP admin (given an authenticator
    app here if they have none) or anyone with an app, the code the app shows."""
    app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if app is None and two_factor_required(user):
        app = authenticator_app_for(user)
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    if check:
        assert_accessible(page)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if app is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
        if check:
            assert_accessible(page)
        page.get_by_label("Code", exact=True).fill(code_from_app(app))
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Strategic Plan")


def test_an_admin_signs_in_reads_the_whole_plan_and_signs_out(
    live_server, page: Page, csp_admin: User, shipped_plan_file: PlanFile
) -> None:
    base = live_server.url
    sign_in(page, base, csp_admin)
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text(shipped_plan_file.vision)

    for priority in shipped_plan_file.priorities:
        page.get_by_role("link", name=f"Priority {priority.number}: {priority.title}").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text(priority.title)
        expect(page.locator("main")).to_contain_text(priority.aims[0].text)
        assert_accessible(page)
        page.get_by_role("link", name="Strategic plan").first.click()

    page.get_by_role("link", name="Glossary").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Glossary of terms")
    expect(page.locator("[aria-current=page]")).to_have_text("Glossary")
    assert_accessible(page)

    page.get_by_role("link", name="Accessibility statement").click()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    page.goto(f"{base}/bedford-borough/glossary/")
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next=/bedford-borough/glossary/"))


def test_the_same_journey_works_without_javascript(
    live_server, no_js_page: Page, officer: User, shipped_plan_file: PlanFile
) -> None:
    page = no_js_page
    sign_in(page, live_server.url, officer, check=False)
    third = shipped_plan_file.priorities[2]
    page.get_by_role("link", name=f"Priority 3: {third.title}").first.click()
    expect(page.locator("main")).to_contain_text(third.key_issues[0].sub_points[0].text)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))


def test_error_and_refusal_pages_are_accessible(live_server, page: Page, officer: User) -> None:
    base = live_server.url
    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)

    sign_in(page, base, officer, check=False)
    page.goto(f"{base}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do that")
    assert_accessible(page)
    page.goto(f"{base}/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)


def test_the_plan_can_be_read_by_keyboard_alone(live_server, page: Page, board_member: User) -> None:
    sign_in(page, live_server.url, board_member, check=False)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Enter")
    # Tab on from the main content until the first priority link has focus, then follow it.
    for _ in range(15):
        page.keyboard.press("Tab")
        if (page.evaluate("() => document.activeElement.textContent") or "").strip().startswith("Priority 1"):
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("High Harm & Violence")


def test_an_admin_edits_a_priority_in_the_admin_and_history_records_who(
    live_server, page: Page, csp_admin: User
) -> None:
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    page.get_by_role("link", name="Admin").click()
    assert_accessible(page)
    page.get_by_role("link", name="Priorities").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="3", exact=True).click()
    expect(page.locator("#id_title")).to_have_value("Building Community Confidence")
    assert_accessible(page)

    page.locator("#id_title").fill("Building Community Confidence Together")
    page.locator("#id_key_issues-0-text").fill("Residents raised concerns")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(f"{base}/")
    expect(page.locator("main")).to_contain_text("Priority 3: Building Community Confidence Together")
    page.goto(f"{base}/admin/priorities/priority/")
    page.get_by_role("link", name="3", exact=True).click()
    page.get_by_role("link", name="History").click()
    expect(page.locator("#change-history")).to_contain_text(csp_admin.full_name)
    assert_accessible(page)

    from priorities.models import KeyIssue, Priority

    priority = Priority.objects.get(number=3)
    record = priority.history.latest()
    assert (record.history_user, record.prev_record.title) == (csp_admin, "Building Community Confidence")
    issue = KeyIssue.objects.get(priority=priority, parent=None, position=1)
    assert issue.history.latest().history_user == csp_admin
    assert issue.history.latest().prev_record.text.startswith("Respondents to the CSP Survey")


def test_people_admin_pages_are_accessible(live_server, page: Page, csp_admin: User) -> None:
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    for path in ["/admin/accounts/user/", f"/admin/accounts/user/{csp_admin.pk}/change/", "/admin/accounts/user/add/"]:
        page.goto(f"{base}{path}")
        assert_accessible(page)
