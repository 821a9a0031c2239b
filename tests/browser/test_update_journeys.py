"""The quarterly cycle in a real browser: officer, priority lead, a stale edit; axe on every page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from accounts.models import Role, User
from actionplans.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Indicator,
    IndicatorValue,
    Milestone,
    ReportingPeriod,
)
from core import periods
from priorities.models import Priority
from tests.browser.test_plan_journey import sign_in
from tests.factories import PASSWORD, UserFactory
from tests.helpers import assert_accessible, bedford

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def police_action(plan, officer: User) -> Action:
    today = timezone.localdate()
    fy, quarter = periods.quarter_of(today)
    ReportingPeriod.objects.create(
        partnership=bedford(),
        financial_year=fy,
        quarter=quarter,
        window_opens=today - dt.timedelta(days=5),
        window_closes=today + dt.timedelta(days=10),
    )
    priority = Priority.objects.get(number=1)
    action_plan = ActionPlan.objects.create(partnership=priority.plan.partnership, priority=priority, financial_year=fy)
    action = Action.objects.create(
        plan=action_plan,
        reference="1.1",
        title="Run knife-crime awareness sessions in schools",
        theme=priority.themes.get(position=1),
        lead_agency=officer.agency,
        owner=officer,
        start_date=periods.quarter_start(fy, 1),
        due_date=periods.quarter_end(fy, 4),
    )
    indicator = Indicator.objects.create(
        priority=priority, title="Recorded knife crime offences", unit="offences", higher_is_better=False
    )
    action.indicators.add(indicator)
    Milestone.objects.create(
        action=action, title="Agree the sessions with schools", due_date=today - dt.timedelta(days=20)
    )
    return action


def test_an_officer_saves_a_draft_submits_and_sees_it_read_only(
    live_server, page: Page, officer: User, police_action: Action
) -> None:
    base = live_server.url
    sign_in(page, base, officer, check=False)
    page.get_by_role("link", name="My actions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My actions")
    assert_accessible(page)

    page.get_by_role("link", name="Write update for 1.1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("update")
    assert_accessible(page)

    page.get_by_role("button", name="Submit update").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a RAG rating to submit the update")
    assert_accessible(page)

    page.get_by_label("Amber").check()
    page.get_by_label("Progress this quarter").fill("Six sessions delivered; four schools booked.")
    page.get_by_label("Agree the sessions with schools").check()
    page.get_by_label("Value (offences)").fill("58")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    expect(page.get_by_label("Progress this quarter")).to_have_value("Six sessions delivered; four schools booked.")

    page.get_by_role("button", name="Submit update").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("submitted for review")
    assert_accessible(page)
    update = ActionUpdate.objects.get()
    assert (update.status, update.rag) == ("submitted", "amber")

    page.get_by_role("link", name=re.compile("View .* update")).click()
    expect(page.locator("#locked-message")).to_contain_text("can no longer be changed")
    expect(page.locator("textarea")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Back to the action").click()
    page.get_by_role("link", name="History").click()
    expect(page.locator(".moj-timeline")).to_contain_text("Priya Shah")
    assert_accessible(page)


def test_enter_in_a_box_saves_a_draft_and_never_submits(
    live_server, page: Page, officer: User, police_action: Action
) -> None:
    sign_in(page, live_server.url, officer, check=False)
    page.goto(f"{live_server.url}/bedford-borough/actions/{police_action.pk}/")
    page.get_by_role("link", name=re.compile("update", re.I)).first.click()
    page.get_by_label("Green").check()
    page.get_by_label("Progress this quarter").fill("All sessions delivered.")
    page.get_by_label("Value (offences)").fill("41")
    page.get_by_label("Value (offences)").press("Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    update = ActionUpdate.objects.get()
    assert (update.status, update.rag, update.progress) == ("draft", "green", "All sessions delivered.")
    assert_accessible(page)


@pytest.mark.parametrize("scripts", [True, False])
def test_a_figure_far_from_last_quarters_is_questioned_and_saved_once_ticked(
    live_server, page: Page, no_js_page: Page, officer: User, police_action: Action, scripts: bool
) -> None:
    browser_page = page if scripts else no_js_page  # the server asks: no script needed
    period = ReportingPeriod.objects.get()
    fy, quarter = periods.previous_quarter(period.financial_year, period.quarter)
    before = ReportingPeriod.objects.create(
        partnership=period.partnership,
        financial_year=fy,
        quarter=quarter,
        window_opens=period.window_opens - dt.timedelta(days=91),
        window_closes=period.window_closes - dt.timedelta(days=91),
    )
    indicator = police_action.indicators.get()
    IndicatorValue.objects.create(indicator=indicator, period=before, value=28)
    sign_in(browser_page, live_server.url, officer, check=False)
    browser_page.goto(f"{live_server.url}/bedford-borough/actions/{police_action.pk}/updates/{period.pk}/")
    browser_page.get_by_label("Progress this quarter").fill("Six sessions delivered.")
    browser_page.get_by_label("Value (offences)").fill("112")
    browser_page.get_by_role("button", name="Save draft").click()

    summary = browser_page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("112 for Recorded knife crime offences is 4 times last quarter's 28")
    expect(browser_page.get_by_label("Progress this quarter")).to_have_value("Six sessions delivered.")
    if scripts:
        assert_accessible(browser_page)
        summary.get_by_role("link").click()
        assert browser_page.evaluate("document.activeElement.id") == f"id_indicator_{indicator.pk}_value"
    assert not IndicatorValue.objects.filter(period=period).exists()

    browser_page.get_by_label("This figure is right").check()
    browser_page.get_by_role("button", name="Save draft").click()
    expect(browser_page.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    assert IndicatorValue.objects.get(period=period).value == 112
    expect(browser_page.get_by_label("This figure is right")).to_have_count(0)  # saved: not asked again


def test_a_priority_lead_returns_an_update_and_the_officer_sees_it(
    live_server, browser: Browser, page: Page, officer: User, police_action: Action
) -> None:
    lead = UserFactory(full_name="Maria Santos", agency=officer.agency, roles=[Role.OFFICER, Role.PRIORITY_LEAD])
    Priority.objects.filter(number=1).update(lead=lead)
    period = ReportingPeriod.objects.get()
    ActionUpdate.objects.create(
        action=police_action, period=period, rag="green", progress="All done", status="submitted"
    )
    base = live_server.url

    sign_in(page, base, lead, check=False)
    page.get_by_role("link", name="Reviews").click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Review 1.1")).click()
    assert_accessible(page)
    page.get_by_label("Return to the officer").check()
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what the officer needs to change")
    assert_accessible(page)
    page.get_by_label("Return to the officer").check()
    page.get_by_label("Comment").fill("Name the schools")
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("returned to the officer")

    officer_context = browser.new_context()
    officer_page = officer_context.new_page()
    sign_in(officer_page, base, officer, check=False)
    officer_page.get_by_role("link", name="My actions").click()
    expect(officer_page.locator("main")).to_contain_text("1 update returned to you")
    expect(officer_page.locator("main")).to_contain_text("Name the schools")
    officer_context.close()


def test_a_stale_edit_is_refused_in_the_browser_and_nothing_typed_is_lost(
    live_server, browser: Browser, page: Page, officer: User, police_action: Action
) -> None:
    colleague = UserFactory(full_name="Sam Patel", agency=officer.agency, roles=[Role.OFFICER])
    base = live_server.url
    url = f"{base}/bedford-borough/actions/{police_action.pk}/updates/{ReportingPeriod.objects.get().pk}/"
    other_context = browser.new_context()
    other = other_context.new_page()
    sign_in(page, base, officer, check=False)
    sign_in(other, base, colleague, check=False)
    page.goto(url)
    other.goto(url)

    other.get_by_label("Red").check()
    other.get_by_label("Progress this quarter").fill("Colleague's newer text")
    other.get_by_role("button", name="Save draft").click()
    expect(other.locator(".govuk-notification-banner")).to_contain_text("Draft saved")

    page.get_by_label("Green").check()
    page.get_by_label("Progress this quarter").fill("My stale text")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator(".govuk-error-summary")).to_contain_text("Someone else saved this while you were editing")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Colleague's newer text")
    expect(page.get_by_label("Progress this quarter")).to_have_value("My stale text")
    assert_accessible(page)
    assert ActionUpdate.objects.get().progress == "Colleague's newer text"
    other_context.close()


def test_every_action_plan_page_and_form_error_is_accessible(
    live_server, page: Page, csp_admin: User, police_action: Action
) -> None:
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    plan = police_action.plan
    period = ReportingPeriod.objects.get()
    milestone = police_action.milestones.get()
    for path in [
        "/bedford-borough/action-plans/",
        f"/bedford-borough/action-plans/{plan.pk}/",
        f"/bedford-borough/actions/{police_action.pk}/",
        f"/bedford-borough/actions/{police_action.pk}/history/",
        "/bedford-borough/reviews/",
    ]:
        page.goto(f"{base}{path}")
        assert_accessible(page)

    forms = [
        (f"/bedford-borough/action-plans/{plan.pk}/actions/new/", "Save action", "Enter a reference"),
        (f"/bedford-borough/actions/{police_action.pk}/edit/", None, None),
        (f"/bedford-borough/actions/{police_action.pk}/milestones/new/", "Save milestone", "Enter the milestone"),
        (f"/bedford-borough/milestones/{milestone.pk}/edit/", None, None),
        (
            f"/bedford-borough/actions/{police_action.pk}/updates/{period.pk}/reopen/",
            "Reopen update",
            "Give the reason for reopening",
        ),
        (f"/bedford-borough/action-plans/{plan.pk}/import/", "Check the file", "Choose a file to upload"),
    ]
    for path, button, error in forms:
        page.goto(f"{base}{path}")
        assert_accessible(page)
        if button:
            page.get_by_role("button", name=button).click()
            expect(page.locator(".govuk-error-summary")).to_contain_text(error)
            assert_accessible(page)

    page.goto(f"{base}/bedford-borough/action-plans/{plan.pk}/import/")
    page.get_by_label("Actions", exact=True).check()
    page.get_by_label("File").set_input_files(
        files=[
            {
                "name": "actions.csv",
                "mimeType": "text/csv",
                "buffer": (
                    b"reference,title,theme,lead_agency,start_date,due_date\n"
                    b"1.2,Patrols,Nowhere,Police,2024-04-01,2025-03-31\n"
                ),
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Line 2: theme")
    assert_accessible(page)


def test_every_error_summary_link_moves_focus_to_a_box_of_its_field(
    live_server, page: Page, csp_admin: User, police_action: Action
) -> None:
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    plan = police_action.plan
    period = ReportingPeriod.objects.get()
    forms = [
        (f"/bedford-borough/action-plans/{plan.pk}/actions/new/", "Save action"),  # dates, selects
        (f"/bedford-borough/actions/{police_action.pk}/milestones/new/", "Save milestone"),  # a date
        (f"/bedford-borough/actions/{police_action.pk}/updates/{period.pk}/reopen/", "Reopen update"),
        (f"/bedford-borough/actions/{police_action.pk}/updates/{period.pk}/", "Submit update"),  # RAG radios
        (f"/bedford-borough/action-plans/{plan.pk}/import/", "Check the file"),  # the kind radios, a file
    ]
    clicked = 0
    for path, button in forms:
        page.goto(f"{base}{path}")
        page.get_by_role("button", name=button).click()
        links = page.locator(".govuk-error-summary__list a")
        expect(links.first).to_be_visible()
        for index in range(links.count()):
            link = links.nth(index)
            target = (link.get_attribute("href") or "").removeprefix("#")
            link.click()
            focused = page.evaluate("[document.activeElement.id, document.activeElement.tagName]")
            assert focused[0] == target, (path, link.inner_text(), focused)
            assert focused[1] in {"INPUT", "SELECT", "TEXTAREA"}, (path, link.inner_text(), focused)
            clicked += 1
    assert clicked >= 8  # every form above has at least one error, the action form several


def test_the_timeout_warning_keeps_an_officer_signed_in_and_an_ended_session_loses_no_words(
    live_server, page: Page, officer: User, police_action: Action, settings
) -> None:
    # A six-second session: the warning opens three seconds after the last request.
    settings.SESSION_COOKIE_AGE = 6
    settings.SESSION_WARNING_SECONDS = 3
    base = live_server.url
    sign_in(page, base, officer, check=False)
    update_url = f"{base}/bedford-borough/actions/{police_action.pk}/"
    page.goto(update_url)
    page.get_by_role("link", name=re.compile("update", re.I)).first.click()
    form_url = page.url
    warning = page.get_by_role("dialog", name="You're about to be signed out")

    expect(warning).to_be_visible()
    expect(warning.get_by_role("heading", name="You're about to be signed out")).to_be_focused()
    expect(warning).to_contain_text("we will sign you out in")
    assert_accessible(page)
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()

    # Left alone, it warns again, then says the session has ended and leaves the page as it is.
    expect(warning).to_be_visible()
    # The dialog is now named for what it says.
    ended = page.get_by_role("dialog", name="You have been signed out").get_by_role(
        "heading", name="You have been signed out"
    )
    expect(ended).to_be_visible()
    expect(ended).to_be_focused()
    assert_accessible(page)
    page.get_by_role("button", name="Back to the page").click()
    expect(ended).to_be_hidden()

    page.get_by_label("Amber").check()
    page.get_by_label("Progress this quarter").fill("Half an hour of words, “curly quotes” and all – kept.")
    settings.SESSION_COOKIE_AGE = 30 * 60  # the officer now takes their time to sign in
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("What you sent is kept")
    assert not ActionUpdate.objects.exists()
    assert_accessible(page)

    page.get_by_label("Email address").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send what you typed before you were signed out?")
    expect(page.locator("main")).to_contain_text("Half an hour of words")
    assert not ActionUpdate.objects.exists()  # nothing is sent unseen
    assert_accessible(page)
    page.get_by_role("button", name="Send it now").click()
    expect(page).to_have_url(form_url)
    expect(page.locator("main")).to_contain_text("Draft saved")
    expect(page.get_by_label("Progress this quarter")).to_have_value(
        "Half an hour of words, “curly quotes” and all – kept."
    )
    update = ActionUpdate.objects.get()
    assert (update.status, update.rag) == ("draft", "amber")
