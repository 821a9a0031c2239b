"""Standing fixtures: the shipped plan, and one person for each way of seeing it.

Every view is tried signed out, as an officer, as a board member and as an admin.
"""

from __future__ import annotations

import pytest

from accounts.models import Agency, Role, User
from priorities.plan_file import PlanFile, parse_plan
from priorities.services import plan_import
from tests.factories import UserFactory
from tests.helpers import BEDFORD, SHIPPED_PLAN


@pytest.fixture(scope="session")
def shipped_plan_file() -> PlanFile:
    return parse_plan(SHIPPED_PLAN.read_text(encoding="utf-8"))


@pytest.fixture
def plan(db: None, shipped_plan_file: PlanFile):
    from priorities.models import StrategicPlan

    plan_import(plan_file=shipped_plan_file, source=SHIPPED_PLAN.name)
    return StrategicPlan.objects.filter(partnership__slug=BEDFORD).current()


@pytest.fixture
def police(plan) -> Agency:
    return Agency.objects.get(name="Bedfordshire Police")


@pytest.fixture
def council(plan) -> Agency:
    return Agency.objects.get(name="Bedford Borough Council")


@pytest.fixture
def officer(police: Agency) -> User:
    return UserFactory(full_name="Priya Shah", agency=police, roles=[Role.OFFICER])


@pytest.fixture
def board_member(council: Agency) -> User:
    return UserFactory(full_name="James Whitfield", agency=council, roles=[Role.BOARD_MEMBER])


@pytest.fixture
def csp_admin(council: Agency) -> User:
    return UserFactory(full_name="Aisha Khan", agency=council, roles=[Role.CSP_ADMIN])


@pytest.fixture
def people(officer: User, board_member: User, csp_admin: User) -> dict[str, User | None]:
    """The four standing viewers, by name."""
    return {"signed_out": None, "officer": officer, "board_member": board_member, "admin": csp_admin}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    # Real hashing costs a quarter of a second a user; the tests are not about hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _tasks_run_in_the_test(settings) -> None:
    """A task handed over from a request (core.queue.queue: the emails) runs at once in the
    test's own process, so what it sends lands in Django's outbox. Compiling a report is
    still queued: the tests that start a worker (tests/worker.py) try the real queue."""
    settings.TASKS_IN_PROCESS = True
