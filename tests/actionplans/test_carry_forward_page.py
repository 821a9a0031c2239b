"""The carry-forward page: choose the years, see what will move, confirm."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from actionplans.models import Action, ActionPlan, Milestone
from tests.helpers import BEDFORD, client_for, title_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def action(plan: Any, csp_admin: Any) -> Action:
    priority = plan.priorities.get(key="high-harm")
    action_plan = ActionPlan.objects.create(partnership=plan.partnership, priority=priority, financial_year=2023)
    action = Action.objects.create(
        plan=action_plan,
        reference="1.1",
        title="Robbery patrols",
        theme=priority.themes.get(key="robbery"),
        lead_agency=csp_admin.agency,
        start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31),
    )
    Milestone.objects.create(action=action, title="Plan agreed", due_date=dt.date(2024, 5, 1))
    return action


def test_the_page_shows_what_will_move_and_moves_it_on_confirm(action: Action, csp_admin: Any) -> None:
    client = client_for(csp_admin)
    url = reverse("actionplans:carry_forward", args=[BEDFORD])
    preview = client.get(url, {"from_year": "2023", "to_year": "2024"})
    assert preview.status_code == 200
    assert "1.1 Robbery patrols" in preview.content.decode()
    assert "into 2024-25" in preview.content.decode()
    assert client.post(url, {"from_year": "2023", "to_year": "2024"}).status_code == 302
    action.refresh_from_db()
    assert action.plan.financial_year == 2024
    assert action.milestones.count() == 1


def test_carrying_into_an_earlier_year_is_refused_with_the_error_summary(action: Action, csp_admin: Any) -> None:
    response = client_for(csp_admin).get(
        reverse("actionplans:carry_forward", args=[BEDFORD]), {"from_year": "2023", "to_year": "2023"}
    )
    assert title_of(response).startswith("Error: ")
    assert "Choose a year after" in response.content.decode()
