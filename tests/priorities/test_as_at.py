"""The plan read as at a day: the wording that stood then, with a banner saying so, and a
past quarter's live dashboard in the wording of that quarter's end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from priorities.as_at import priorities_as_at
from priorities.models import Priority, StrategicPlan, Theme
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _reword(plan: StrategicPlan, on: dt.datetime) -> tuple[Priority, Theme]:
    """Push the import's history back to 2023, then reword priority 3 and a theme on `on`."""
    for model in (Priority, Theme):
        model.history.filter(history_date__gte=dt.datetime(2024, 1, 1, tzinfo=UTC)).update(
            history_date=dt.datetime(2023, 1, 2, tzinfo=UTC)
        )
    priority = plan.priorities.get(key="community-confidence")
    theme = plan.priorities.get(key="high-harm").themes.get(key="robbery")
    with time_machine.travel(on, tick=False):
        priority.title = "Safer, more confident communities"
        priority.save()
        theme.text = "Robbery and theft from the person"
        theme.save()
    return priority, theme


def test_the_plan_as_at_a_day_has_the_wording_of_that_day(plan: StrategicPlan) -> None:
    _reword(plan, dt.datetime(2024, 4, 10, 12, tzinfo=UTC))
    before = {p.number: p.title for p in priorities_as_at(plan, dt.date(2024, 4, 9))}
    after = {p.number: p.title for p in priorities_as_at(plan, dt.date(2024, 4, 10))}
    assert before[3] == "Building Community Confidence"
    assert after[3] == "Safer, more confident communities"


def test_the_plan_pages_read_as_at_a_day_with_a_banner_and_a_way_back(plan: StrategicPlan, officer: Any) -> None:
    _reword(plan, dt.datetime(2024, 4, 10, 12, tzinfo=UTC))
    client = client_for(officer)
    home = client.get(reverse("priorities:home", args=[BEDFORD]), {"as_at": "2024-04-09"}).content.decode()
    assert "You are reading the plan as it stood on 9 April 2024" in home
    assert "Building Community Confidence" in home
    assert "Safer, more confident communities" not in home
    page = client.get(
        reverse("priorities:priority", args=[BEDFORD, plan.priorities.get(key="high-harm").pk]), {"as_at": "2024-04-09"}
    ).content.decode()
    assert "Robbery and theft from the person" not in page
    assert "<li>Robbery</li>" in page
    assert "Read the plan as it is today" in page
    today = client.get(reverse("priorities:home", args=[BEDFORD])).content.decode()
    assert "Safer, more confident communities" in today
    assert "You are reading the plan as it stood" not in today


def test_a_day_that_is_not_a_date_is_said_to_be_wrong(plan: StrategicPlan, officer: Any) -> None:
    page = client_for(officer).get(reverse("priorities:home", args=[BEDFORD]), {"as_at": "3 April"}).content.decode()
    assert "Enter a day before today" in page
