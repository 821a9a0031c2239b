"""Sensitive actions ask for the password again when it was given too long ago.

Publishing a report, reopening an update and changing someone's roles in the admin: a
person who signed in longer ago than REAUTH_SECONDS is sent to confirm their password,
nothing is done, and once they have confirmed they are back on the page and the action works.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import Agency, Role, User
from accounts.reauth import confirm_password_url
from actionplans.models import Action, ActionPlan, ActionUpdate, ReportingPeriod
from priorities.models import Priority
from reports.models import QuarterlyReport
from tests.factories import PASSWORD
from tests.helpers import (
    BEDFORD,
    authenticator_app_for,
    client_for,
    code_given_now,
    code_typed,
    make_period,
    title_of,
)

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture(autouse=True)
def _deadline_day() -> Iterator[None]:
    # The 2023-24 Q3 window has closed, so its update can be reopened until 31 March.
    with time_machine.travel(dt.datetime(2024, 3, 25, 10, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.fixture
def report(plan) -> QuarterlyReport:
    return QuarterlyReport.objects.create(period=make_period(2023, 4), version=1, status=QuarterlyReport.Status.READY)


@pytest.fixture
def closed_period(db: None) -> ReportingPeriod:
    return make_period(2023, 3)


@pytest.fixture
def police_action(plan, police: Agency, officer: User) -> Action:
    priority = Priority.objects.get(plan=plan, number=1)
    action_plan = ActionPlan.objects.create(
        partnership=priority.plan.partnership, priority=priority, financial_year=2023, status=ActionPlan.Status.APPROVED
    )
    return Action.objects.create(
        plan=action_plan,
        reference="1.1",
        title="Run knife-crime awareness sessions in schools",
        theme=priority.themes.get(position=1),
        lead_agency=police,
        owner=officer,
        start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31),
    )


def _long_after_sign_in() -> time_machine.travel:
    """A minute past REAUTH_SECONDS after now, well within the session's idle limit."""
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.REAUTH_SECONDS + 60), tick=False)


def _confirm(client: Client, confirm_url: str, *, returns_to: str) -> str:
    """Give a wrong password (the error summary says so), then the right one; return the
    page the person lands on."""
    wrong = client.post(confirm_url, {"password": "not my password", "next": returns_to})
    html = wrong.content.decode()
    assert wrong.status_code == 200
    assert "govuk-error-summary" in html
    assert "The password is not correct" in html
    assert title_of(wrong) == "Error: Confirm your password"

    right = client.post(confirm_url, {"password": PASSWORD, "next": returns_to})
    assert right.status_code == 302
    assert right["Location"] == returns_to
    return client.get(returns_to).content.decode()


def test_publishing_long_after_sign_in_asks_for_the_password_and_publishes_only_after_it(report, csp_admin) -> None:
    client = client_for(csp_admin)
    report_page = reverse("reports:report", args=[BEDFORD, report.pk])
    publish = reverse("reports:publish", args=[BEDFORD, report.pk])

    with _long_after_sign_in():
        refused = client.post(publish, headers={"referer": SITE + report_page})
        report.refresh_from_db()
        assert report.published_at is None
        assert refused.status_code == 302
        assert refused["Location"] == confirm_password_url(report_page)
        confirm_page = client.get(refused["Location"]).content.decode()
        assert "Nothing was done" in confirm_page
        assert "Confirm your password, then press Publish to the board again" in confirm_page

        back = _confirm(client, refused["Location"], returns_to=report_page)
        assert "Password confirmed: now press Publish to the board again" in back
        assert client.post(publish, headers={"referer": SITE + report_page})["Location"] == report_page

    report.refresh_from_db()
    assert report.published_at is not None


def test_a_refused_press_without_a_referer_returns_to_the_reports_after_confirming(report, csp_admin) -> None:
    client = client_for(csp_admin)

    with _long_after_sign_in():
        refused = client.post(reverse("reports:publish", args=[BEDFORD, report.pk]))

    assert refused["Location"] == confirm_password_url(reverse("reports:archive", args=[BEDFORD]))


def test_reopening_long_after_sign_in_asks_for_the_password_and_reopens_only_after_it(
    police_action, closed_period, officer, csp_admin
) -> None:
    client = client_for(csp_admin)
    reopen = reverse("actionplans:update_reopen", args=[BEDFORD, police_action.pk, closed_period.pk])
    form = {"officer": officer.pk, "until_0": "31", "until_1": "3", "until_2": "2024", "reason": "Figures arrived late"}

    with _long_after_sign_in():
        asked = client.get(reopen)
        assert asked["Location"] == confirm_password_url(reopen)

        refused = client.post(reopen, form, headers={"referer": SITE + reopen})
        assert not ActionUpdate.objects.exists()
        assert refused["Location"] == confirm_password_url(reopen)
        confirm_page = client.get(refused["Location"]).content.decode()
        assert "Nothing was done" in confirm_page
        assert "fill in the reopening form again and press Reopen update" in confirm_page

        back = _confirm(client, refused["Location"], returns_to=reopen)
        assert "Reopen update" in back
        assert client.post(reopen, form).status_code == 302

    update = ActionUpdate.objects.get(action=police_action, period=closed_period)
    assert (update.reopened_for, update.reopened_until) == (officer, dt.date(2024, 3, 31))


def test_giving_a_role_long_after_sign_in_asks_for_the_password_and_gives_it_only_after_it(csp_admin, officer) -> None:
    from priorities.models import Membership

    client = client_for(csp_admin)
    add = reverse("admin:priorities_membership_add")
    held = Membership.objects.filter(user=officer).first()
    assert held is not None
    change = reverse("admin:priorities_membership_change", args=[held.pk])
    form = {"partnership": held.partnership_id, "user": officer.pk, "role": Role.CSP_ADMIN.value, "_save": "Save"}

    with _long_after_sign_in():
        assert client.get(change)["Location"] == confirm_password_url(change)
        assert client.get(add)["Location"] == confirm_password_url(add)

        refused = client.post(add, form, headers={"referer": SITE + add})
        assert set(officer.role_names()) == {Role.OFFICER.value}
        assert refused["Location"] == confirm_password_url(add)
        assert "make your changes again and press Save" in client.get(refused["Location"]).content.decode()

        back = _confirm(client, refused["Location"], returns_to=add)
        assert "Add membership" in back
        assert client.post(add, form).status_code == 302

    assert set(officer.role_names()) == {Role.OFFICER.value, Role.CSP_ADMIN.value}


def test_adding_a_person_long_after_sign_in_adds_no_one(csp_admin, council) -> None:
    client = client_for(csp_admin)
    add = reverse("admin:accounts_user_add")
    form = {
        "email": "new.person@council.gov.uk",
        "full_name": "New Person",
        "agency": council.pk,
        "password1": "a-new-long-password",
        "password2": "a-new-long-password",
        "_save": "Save",
    }

    with _long_after_sign_in():
        refused = client.post(add, form, headers={"referer": SITE + add})

    assert refused["Location"] == confirm_password_url(add)
    assert not User.objects.filter(email="new.person@council.gov.uk").exists()


def test_right_after_signing_in_no_confirmation_is_asked_until_reauth_seconds_pass(
    report, csp_admin, police_action, closed_period, client
) -> None:
    app = authenticator_app_for(csp_admin)
    signed_in = client.post(reverse("accounts:login"), {"username": csp_admin.email, "password": PASSWORD})
    assert signed_in.status_code == 302
    code_typed(client, app)
    reopen = reverse("actionplans:update_reopen", args=[BEDFORD, police_action.pk, closed_period.pk])
    change = reverse("admin:accounts_user_change", args=[csp_admin.pk])

    assert client.get(reopen).status_code == 200
    assert client.get(change).status_code == 200
    assert client.post(reverse("reports:publish", args=[BEDFORD, report.pk]))["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    assert report.published_at is not None

    with _long_after_sign_in():
        assert client.get(reopen)["Location"] == confirm_password_url(reopen)


def test_a_session_with_no_password_check_recorded_must_confirm(csp_admin, police_action, closed_period) -> None:
    client = Client()
    client.force_login(csp_admin)  # not through the sign-in page: no time recorded
    code_given_now(client, authenticator_app_for(csp_admin))
    reopen = reverse("actionplans:update_reopen", args=[BEDFORD, police_action.pk, closed_period.pk])

    assert client.get(reopen)["Location"] == confirm_password_url(reopen)


def test_the_confirm_page_returns_only_to_this_site(csp_admin) -> None:
    client = client_for(csp_admin)

    response = client.post(
        reverse("accounts:confirm_password"), {"password": PASSWORD, "next": "https://evil.example/steal"}
    )

    assert response["Location"] == reverse("priorities:partnerships")


def test_an_empty_password_is_named_in_the_error_summary(csp_admin) -> None:
    response = client_for(csp_admin).post(reverse("accounts:confirm_password"), {"password": ""})

    assert "Enter your password" in response.content.decode()
    assert title_of(response) == "Error: Confirm your password"


def test_wrong_passwords_on_the_confirm_page_count_towards_the_lockout(csp_admin) -> None:
    client = client_for(csp_admin)
    url = reverse("accounts:confirm_password")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"password": "wrong password"})

    response = client.post(url, {"password": PASSWORD})

    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    locked_out = Client().post(reverse("accounts:login"), {"username": csp_admin.email, "password": PASSWORD})
    assert locked_out.status_code == 429
