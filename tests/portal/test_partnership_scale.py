"""A partnership's pages cost the same queries in a portal of ten partnerships, each with
its own plan and demo data, as in a portal of one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from actionplans.demo import demo_load
from actionplans.models import Action, ReportingPeriod
from priorities.models import Partnership, Priority
from priorities.services import plan_import
from tests.factories import give_roles
from tests.helpers import BEDFORD, DEADLINE_DAY, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deadline_day() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2024, 3, 25, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


def _urls(partnership: Partnership, officer) -> dict[str, str]:  # type: ignore[no-untyped-def]
    action = Action.objects.filter(plan__partnership=partnership, owner=officer, plan__financial_year=2023).first()
    assert action is not None
    period = ReportingPeriod.objects.filter(partnership=partnership).current(DEADLINE_DAY)
    assert period is not None
    priority = Priority.objects.filter(plan__partnership=partnership, number=1).get()
    return {
        "home": reverse("priorities:home", args=[BEDFORD]),
        "priority": priority.get_absolute_url(),
        "glossary": reverse("priorities:glossary", args=[BEDFORD]),
        "my_actions": reverse("actionplans:my_actions"),
        "plans": reverse("actionplans:plans", args=[BEDFORD]),
        "action": action.get_absolute_url(),
        "update_form": reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk]),
        "dashboard": reverse("reports:dashboard", args=[BEDFORD]),
        "exceptions": reverse("reports:exceptions", args=[BEDFORD]),
        "consultations": reverse("consultations:list", args=[BEDFORD]),
    }


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_a_partnerships_pages_cost_the_same_queries_among_ten_partnerships(plan, officer, shipped_plan_file) -> None:
    demo_load(today=DEADLINE_DAY, scale=1)
    urls = _urls(plan.partnership, officer)
    client = client_for(officer)
    client.get(urls["home"])
    alone = {name: _count(client, url) for name, url in urls.items()}

    for n in range(2, 11):
        plan_import(
            plan_file=replace(
                shipped_plan_file,
                partnership_name=f"Partnership {n} Community Safety Partnership",
                partnership_short_name=f"Partnership {n} CSP",
                partnership_slug=f"partnership-{n}",
            )
        )
    demo_load(today=DEADLINE_DAY, scale=1)
    # The officer sits on a second partnership too: My actions then has two sections.
    give_roles(officer, Partnership.objects.get(slug="partnership-2"), Role.OFFICER)
    assert Partnership.objects.count() == 10
    assert Action.objects.count() >= 10 * Action.objects.filter(plan__partnership=plan.partnership).count()
    among_ten = {name: _count(client, url) for name, url in urls.items()}

    assert among_ten == alone
