"""An action plan on deadline day: 25 March 2024, the 2023-24 Q4 window open (17 March to 15 April)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import Agency, Role, User
from actionplans.models import Action, ActionPlan, Indicator, Milestone, ReportingPeriod
from priorities.models import Priority
from tests.factories import UserFactory
from tests.helpers import make_period


@pytest.fixture(autouse=True)
def _deadline_day() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2024, 3, 25, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.fixture
def period(plan) -> ReportingPeriod:
    return make_period(2023, 4)


@pytest.fixture
def closed_period(plan) -> ReportingPeriod:
    return make_period(2023, 3)


@pytest.fixture
def priority_one(plan) -> Priority:
    return Priority.objects.get(plan=plan, number=1)


@pytest.fixture
def action_plan(priority_one: Priority) -> ActionPlan:
    return ActionPlan.objects.create(
        partnership=priority_one.plan.partnership,
        priority=priority_one,
        financial_year=2023,
        status=ActionPlan.Status.APPROVED,
    )


@pytest.fixture
def indicator(priority_one: Priority, police: Agency) -> Indicator:
    return Indicator.objects.create(
        priority=priority_one,
        title="Recorded knife crime offences",
        unit="offences",
        higher_is_better=False,
        baseline=62,
        target=55,
        tolerance=4,
        supplying_agency=police,
    )


@pytest.fixture
def police_action(action_plan: ActionPlan, police: Agency, officer: User, indicator: Indicator) -> Action:
    action = Action.objects.create(
        plan=action_plan,
        reference="1.1",
        title="Run knife-crime awareness sessions in schools",
        theme=action_plan.priority.themes.get(position=1),
        lead_agency=police,
        owner=officer,
        start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31),
    )
    action.indicators.add(indicator)
    Milestone.objects.create(action=action, title="Agree the sessions with schools", due_date=dt.date(2023, 9, 1))
    Milestone.objects.create(action=action, title="Deliver ten sessions", due_date=dt.date(2024, 3, 31))
    return action


@pytest.fixture
def council_officer(council: Agency) -> User:
    return UserFactory(full_name="Olu Adeyemi", agency=council, roles=[Role.OFFICER])


@pytest.fixture
def priority_lead(police: Agency, priority_one: Priority) -> User:
    lead = UserFactory(full_name="Maria Santos", agency=police, roles=[Role.OFFICER, Role.PRIORITY_LEAD])
    priority_one.lead = lead
    priority_one.save()
    return lead
