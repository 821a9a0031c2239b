"""The yearly revision in a real browser: an admin records the new assessment, opens a
draft, rewords a theme, retires one from the middle and adds one at the top, sees the
difference, decides for the stranded action, publishes, and carries the open actions
forward; the previous quarter's dashboard still reads as it did. Axe on every page; the
same journey without JavaScript."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from actionplans.models import Action, ActionPlan, Milestone, ReportingPeriod
from core import periods
from priorities.models import Priority, Theme
from reports.quarter import quarter_priority
from tests.browser.test_plan_journey import sign_in
from tests.helpers import BEDFORD, assert_accessible, bedford

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_TITLE = "Serious Violence and Violence against Women"


@pytest.fixture
def last_quarter(plan) -> ReportingPeriod:  # type: ignore[no-untyped-def]
    """The quarter before this one, closed, with the plan's history going back before it."""
    fy, quarter = periods.previous_quarter(*periods.quarter_of(timezone.localdate()))
    opens, closes = periods.default_window(fy, quarter)
    for model in (Priority, Theme):
        model.history.update(history_date=dt.datetime(2020, 4, 1, tzinfo=dt.UTC))
    return ReportingPeriod.objects.create(
        partnership=bedford(), financial_year=fy, quarter=quarter, window_opens=opens, window_closes=closes
    )


@pytest.fixture
def robbery_action(plan, csp_admin: User, last_quarter: ReportingPeriod) -> Action:  # type: ignore[no-untyped-def]
    priority = plan.priorities.get(key="high-harm")
    action_plan = ActionPlan.objects.create(
        partnership=plan.partnership, priority=priority, financial_year=last_quarter.financial_year
    )
    action = Action.objects.create(
        plan=action_plan,
        reference="1.1",
        title="Street robbery patrols",
        theme=priority.themes.get(key="robbery"),
        lead_agency=csp_admin.agency,
        owner=csp_admin,
        start_date=periods.quarter_start(last_quarter.financial_year, 1),
        due_date=periods.quarter_end(last_quarter.financial_year + 1, 4),
    )
    Milestone.objects.create(action=action, title="Patrol plan agreed", due_date=last_quarter.ends)
    # It was on Robbery all through the last quarter.
    Action.history.update(history_date=dt.datetime(2020, 4, 1, tzinfo=dt.UTC))
    return action


def _revise_and_publish(page: Page, base: str, *, check: bool) -> None:
    def accessible() -> None:
        if check:
            assert_accessible(page)

    page.goto(f"{base}{reverse('priorities:home', args=[BEDFORD])}")
    page.get_by_role("link", name="Plan revisions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan revisions")
    accessible()
    page.get_by_role("link", name="Start a revision").click()
    accessible()
    page.get_by_role("button", name="Open the draft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the title")
    accessible()
    page.get_by_label("Year of the assessment").fill("2025")
    page.get_by_label("Title of the assessment").fill("Bedford CSP Strategic Assessment 2025")
    page.get_by_label("What it found").fill("Robbery fell; violence against women and girls rose.")
    page.get_by_role("button", name="Open the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft revision")
    expect(page.locator("main")).to_contain_text("No changes yet")
    accessible()

    page.get_by_role("link", name="Edit priority 1: High Harm & Violence").click()
    accessible()
    page.get_by_label("Title", exact=True).fill(NEW_TITLE)
    page.get_by_label("Theme 1", exact=True).fill("Knife crime and youth violence")
    page.get_by_label("Theme 2", exact=True).fill("")
    page.get_by_label("New theme").first.fill("Violence against women and girls")
    page.get_by_label("Place of the new theme").first.fill("1")
    page.get_by_role("button", name="Save this priority").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Priority 1 saved in the draft")
    main = page.locator("main")
    expect(main).to_contain_text("Violence against women and girls")
    expect(main).to_contain_text("Knife Crime & Youth Violence")
    expect(main).to_contain_text("1 open action sits on a theme the draft retires")
    accessible()

    page.get_by_role("link", name="Publish the revision").click()
    page.get_by_role("button", name="Publish the revision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Decide what happens to action 1.1")
    accessible()
    page.get_by_role("link", name="Decide what happens to action 1.1", exact=False).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions on retired themes")
    accessible()
    page.get_by_label("Move it to the theme “Violence against women and girls”").check()
    page.get_by_role("button", name="Save the decisions").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Decisions saved")

    page.get_by_role("link", name="Publish the revision").click()
    accessible()
    page.get_by_role("button", name="Publish the revision").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Revision published")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revision of")
    accessible()


def _carry_forward(page: Page, base: str, from_year: int, *, check: bool) -> None:
    page.goto(f"{base}{reverse('actionplans:plans', args=[BEDFORD])}")
    page.get_by_role("link", name="Carry open actions forward").click()
    page.get_by_label("Carry the open actions of").select_option(str(from_year))
    page.get_by_label("Into the action plans of").select_option(str(from_year + 1))
    page.get_by_role("button", name="Show what will move").click()
    expect(page.locator("main")).to_contain_text("1.1 Street robbery patrols")
    if check:
        assert_accessible(page)
    page.get_by_role("button", name="Carry these actions forward").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("1 open action carried forward")


def _check_the_past_still_reads_as_it_did(page: Page, base: str, action: Action, period: ReportingPeriod) -> None:
    action.refresh_from_db()
    assert action.plan.financial_year == period.financial_year + 1
    assert action.theme.text == "Violence against women and girls"
    assert action.theme.priority.key == "high-harm"
    assert action.milestones.count() == 1
    assert Theme.objects.get(priority=action.theme.priority, key="robbery").retired_at is not None
    # The previous quarter reads in the wording of its end, its action still on Robbery.
    page.goto(f"{base}{reverse('reports:dashboard', args=[BEDFORD])}?period={period.pk}")
    expect(page.locator("main")).to_contain_text("High Harm & Violence")
    expect(page.locator("main")).not_to_contain_text(NEW_TITLE)
    data = quarter_priority(period, action.theme.priority_id)
    assert data is not None
    rows = [row for p in data["priorities"] for row in p["actions"] if row["id"] == action.pk]
    assert [row["theme"] for row in rows] == ["Robbery"]
    # Today's plan reads as published.
    page.goto(f"{base}{reverse('priorities:home', args=[BEDFORD])}")
    expect(page.locator("main")).to_contain_text(NEW_TITLE)


def test_an_admin_revises_the_plan_publishes_and_carries_the_actions_forward(
    live_server, page: Page, csp_admin: User, robbery_action: Action, last_quarter: ReportingPeriod
) -> None:
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    _revise_and_publish(page, base, check=True)
    _carry_forward(page, base, last_quarter.financial_year, check=True)
    _check_the_past_still_reads_as_it_did(page, base, robbery_action, last_quarter)
    assert_accessible(page)


def test_the_revision_and_carry_forward_work_without_javascript(
    live_server, no_js_page: Page, csp_admin: User, robbery_action: Action, last_quarter: ReportingPeriod
) -> None:
    base = live_server.url
    sign_in(no_js_page, base, csp_admin, check=False)
    _revise_and_publish(no_js_page, base, check=False)
    _carry_forward(no_js_page, base, last_quarter.financial_year, check=False)
    _check_the_past_still_reads_as_it_did(no_js_page, base, robbery_action, last_quarter)
