"""My actions, the action page and the update form cost the same queries at ten times the data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans.demo import demo_load
from actionplans.models import Action, ReportingPeriod
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 3, 25)


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _urls(officer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    action = Action.objects.filter(
        lead_agency=officer.agency, plan__financial_year=2023, reference__regex=r"^\d\.\d$"
    ).first()
    assert action is not None
    period = ReportingPeriod.objects.current(TODAY)
    assert period is not None
    return {
        "my_actions": reverse("actionplans:my_actions"),
        "action": action.get_absolute_url(),
        "update_form": reverse("actionplans:update", args=[action.pk, period.pk]),
        "plan": action.plan.get_absolute_url(),
        "history": reverse("actionplans:action_history", args=[action.pk]),
        "reviews": reverse("actionplans:reviews"),
    }


# The page, and the queries it costs (pinned).
EXPECTED = {"my_actions": 10, "action": 16, "update_form": 12, "plan": 10, "reviews": 7}


def test_pages_cost_the_same_queries_at_ten_times_the_data(plan, officer, csp_admin) -> None:  # type: ignore[no-untyped-def]
    officer_client, admin_client = client_for(officer), client_for(csp_admin)
    demo_load(today=TODAY, scale=1)
    urls = _urls(officer)
    officer_client.get(urls["my_actions"])
    admin_client.get(urls["reviews"])

    def measure() -> dict[str, int]:
        counts = {
            name: _queries(officer_client, urls[name]) for name in ["my_actions", "action", "update_form", "plan"]
        }
        counts["reviews"] = _queries(admin_client, urls["reviews"])
        return counts

    at_one = measure()
    demo_load(today=TODAY, scale=10)
    assert Action.objects.count() == 13 * 2 * 10
    at_ten = measure()

    assert at_one == EXPECTED
    assert at_ten == EXPECTED
