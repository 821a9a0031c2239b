"""My actions, the action page and the update form cost the same queries at ten times the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans.demo import demo_load
from actionplans.models import Action, ReportingPeriod
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 3, 25)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _urls(officer) -> dict[str, str]:
    action = Action.objects.filter(
        lead_agency=officer.agency, plan__financial_year=2023, reference__regex=r"^\d\.\d$"
    ).first()
    assert action is not None
    period = ReportingPeriod.objects.current(TODAY)
    assert period is not None
    return {
        "my_actions": reverse("actionplans:my_actions"),
        "action": action.get_absolute_url(),
        "update_form": reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk]),
        "plan": action.plan.get_absolute_url(),
        "history": reverse("actionplans:action_history", args=[BEDFORD, action.pk]),
        "reviews": reverse("actionplans:reviews", args=[BEDFORD]),
    }


def _grow(action: Action, officer) -> None:
    """Ten times the measured action's own data too: milestones, indicators, values, history."""
    from actionplans.models import Indicator, IndicatorValue, Milestone

    for n in range(20):
        milestone = Milestone.objects.create(action=action, title=f"Extra {n}", due_date=TODAY)
        milestone.title = f"Extra {n} renamed"
        milestone._history_user = officer
        milestone.save()
    action.indicators.add(*Indicator.objects.filter(priority=action.plan.priority))
    for period in ReportingPeriod.objects.all():
        for indicator in action.indicators.all():
            IndicatorValue.objects.get_or_create(indicator=indicator, period=period, defaults={"value": 1})
    for n in range(5):
        action.title = f"Renamed {n}"
        action.supporting_agencies.set(action.supporting_agencies.all()[: n % 2])
        action._history_user = officer
        action.save()


# The page, and the queries it costs (pinned). Reviews: two for its filters' choices (quarters,
# priorities), and one for the admin's authenticator app (django-otp: the session gave its code).
EXPECTED = {"my_actions": 9, "action": 14, "update_form": 10, "plan": 8, "reviews": 8, "history": 29}


def test_pages_cost_the_same_queries_at_ten_times_the_data(plan, officer, csp_admin, settings) -> None:
    # What the pages cost to build; a kept my-actions page is tested in test_whats_due.py.
    settings.BUILT_CACHE_SECONDS = 0
    officer_client, admin_client = client_for(officer), client_for(csp_admin)
    demo_load(today=TODAY, scale=1)
    urls = _urls(officer)
    officer_client.get(urls["my_actions"])
    admin_client.get(urls["reviews"])

    def measure() -> dict[str, int]:
        pages = ["my_actions", "action", "update_form", "plan", "history"]
        counts = {name: _queries(officer_client, urls[name]) for name in pages}
        counts["reviews"] = _queries(admin_client, urls["reviews"])
        return counts

    at_one = measure()
    demo_load(today=TODAY, scale=10)
    assert Action.objects.count() == 13 * 2 * 10
    _grow(Action.objects.get(pk=urls["action"].split("/")[-2]), officer)
    at_ten = measure()

    assert at_one == EXPECTED
    assert at_ten == EXPECTED


def _action_with(police_action: Action, milestones: int, indicators: int) -> Action:
    """A copy of the fixture's action with this many open milestones and indicators of its own."""
    from actionplans.models import Indicator, Milestone

    action = Action.objects.create(
        plan=police_action.plan,
        reference=f"1.{milestones}",
        title=f"An action with {milestones} milestones",
        theme=police_action.theme,
        lead_agency=police_action.lead_agency,
        owner=police_action.owner,
        start_date=police_action.start_date,
        due_date=police_action.due_date,
    )
    for n in range(milestones):
        Milestone.objects.create(action=action, title=f"Step {n}", due_date=dt.date(2024, 3, 1))
    for n in range(indicators):
        action.indicators.add(
            Indicator.objects.create(
                priority=police_action.plan.priority,
                title=f"Figure {milestones}.{n}",
                unit="cases",
                higher_is_better=True,
            )
        )
    return action


def _posted(action: Action, period: ReportingPeriod, button: str, figure: int) -> dict[str, str]:
    """The form as the browser sends it: every open milestone ticked, every figure typed."""
    from actionplans.models import ActionUpdate, IndicatorValue

    update = ActionUpdate.objects.filter(action=action, period=period).first()
    data = {"version": str(update.version) if update else "", "rag": "amber", "progress": "Done.", button: ""}
    values = {v.indicator_id: v.version for v in IndicatorValue.objects.filter(period=period)}
    for indicator in action.indicators.all():
        prefix = f"indicator_{indicator.pk}"
        data.update({f"{prefix}_value": str(figure), f"{prefix}_confirm": "on"})
        if indicator.pk in values:
            data[f"{prefix}_version"] = str(values[indicator.pk])
    for milestone in action.milestones.filter(completed_on__isnull=True):
        data[f"milestone_{milestone.pk}"] = "on"
    return data


# A first draft (the update made, every milestone completed, every figure new), a second
# draft (every figure changed) and the submit (nothing else changed), each with its
# history rows. The same whatever the milestones and indicators: each kind of row is
# read once, claimed once, written once and its history inserted once.
EXPECTED_WRITES = {"first_draft": 27, "second_draft": 21, "submit": 18}


def test_saving_and_submitting_cost_the_same_queries_with_twice_the_milestones_and_indicators(
    police_action, period, officer
) -> None:
    client = client_for(officer)

    def measure(action: Action) -> dict[str, int]:
        url = reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk])
        client.get(url)
        counts = {}
        for step, button, figure in [
            ("first_draft", "save_draft", 58),
            ("second_draft", "save_draft", 59),
            ("submit", "submit_update", 59),
        ]:
            data = _posted(action, period, button, figure)
            with CaptureQueriesContext(connection) as captured:
                response = client.post(url, data)
            assert response.status_code == 302, step
            counts[step] = len(captured)
        return counts

    small, large = _action_with(police_action, 3, 2), _action_with(police_action, 6, 4)
    assert measure(small) == EXPECTED_WRITES
    assert measure(large) == EXPECTED_WRITES
    assert not large.milestones.filter(completed_on__isnull=True).exists()
    assert large.updates.get(period=period).status == "submitted"
    assert sorted(large.indicators.values_list("values__value", flat=True)) == [59] * 4
