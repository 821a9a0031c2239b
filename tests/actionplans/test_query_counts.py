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
EXPECTED = {"my_actions": 12, "action": 17, "update_form": 13, "plan": 11, "reviews": 11, "history": 32}


def test_pages_cost_the_same_queries_at_ten_times_the_data(plan, officer, csp_admin) -> None:
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
