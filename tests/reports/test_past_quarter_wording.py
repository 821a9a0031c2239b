"""A past quarter's live dashboard reads in the wording that stood at that quarter's end;
the quarter still running reads as the plan does now."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from actionplans.models import Action, ReportingPeriod
from priorities.models import Priority, Theme
from reports.quarter import quarter_priority
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db


def test_a_past_quarter_keeps_the_wording_of_its_end(quarter: ReportingPeriod, csp_admin: Any) -> None:
    for model in (Priority, Theme):
        model.history.update(history_date=dt.datetime(2023, 1, 2, tzinfo=dt.UTC))
    action = Action.objects.filter(plan__financial_year=2023).select_related("theme__priority").first()
    assert action is not None
    priority, theme = action.theme.priority, action.theme
    old_title, old_theme = priority.title, theme.text
    priority.title = "Reworded after the quarter"
    priority.save()
    theme.text = "A theme reworded after the quarter"
    theme.save()

    client = client_for(csp_admin)
    past = client.get(reverse("reports:dashboard", args=[BEDFORD]), {"period": quarter.pk}).content.decode()
    assert old_title.replace("&", "&amp;") in past
    assert "Reworded after the quarter" not in past
    data = quarter_priority(quarter, priority.pk)
    assert data is not None
    rows = next(p for p in data["priorities"] if p["id"] == priority.pk)["actions"]
    assert {row["theme"] for row in rows if row["id"] == action.pk} == {old_theme}

    running = ReportingPeriod.objects.get(financial_year=2024, quarter=1)
    now = client.get(reverse("reports:dashboard", args=[BEDFORD]), {"period": running.pk}).content.decode()
    assert "Reworded after the quarter" in now
