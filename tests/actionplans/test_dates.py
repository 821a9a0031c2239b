"""Dates typed into the GOV.UK day, month and year boxes: a bad one gets one plain message
in the error summary, never Python's words or a server error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actionplans.models import Action
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db


def _action_post(action_plan, officer, day: str, month: str, year: str):
    data = {
        "reference": "1.9",
        "title": "Robbery patrols",
        "theme": action_plan.priority.themes.get(position=2).pk,
        "lead_agency": officer.agency_id,
        "state": "open",
        "start_date_0": "1",
        "start_date_1": "4",
        "start_date_2": "2023",
        "due_date_0": day,
        "due_date_1": month,
        "due_date_2": year,
    }
    return client_for(officer).post(reverse("actionplans:action_create", args=[BEDFORD, action_plan.pk]), data)


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2024", "Due date must be a real date, for example 27 3 2027"),
        ("0", "3", "2024", "Due date must be a real date, for example 27 3 2027"),
        ("1", "13", "2024", "Due date must be a real date, for example 27 3 2027"),
        ("1", "3", "2" * 20, "Due date: the year must have 4 numbers, for example 2027"),
        ("1", "3", "24", "Due date: the year must have 4 numbers, for example 2027"),
        ("1", "3", "9999", "Due date must be between 1990 and 2100"),
    ],
)
def test_a_bad_date_gets_one_plain_message(action_plan, officer, day, month, year, message) -> None:
    response = _action_post(action_plan, officer, day, month, year)

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert html.count(message) >= 1
    assert "out of range" not in html
    assert "must be in" not in html
    assert not Action.objects.filter(reference="1.9").exists()


def test_a_closed_update_is_reopened_for_90_days_at_most(police_action, closed_period, csp_admin, officer) -> None:
    url = reverse("actionplans:update_reopen", args=[BEDFORD, police_action.pk, closed_period.pk])

    response = client_for(csp_admin).post(
        url, {"officer": officer.pk, "until_0": "31", "until_1": "12", "until_2": "2099", "reason": "Late figures"}
    )

    assert response.status_code == 200
    assert "Reopen it for 90 days at most" in response.content.decode()
