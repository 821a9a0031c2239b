from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import PASSWORD
from tests.helpers import BEDFORD

pytestmark = pytest.mark.django_db


def test_the_four_role_groups_exist_from_the_migrations() -> None:
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}


def test_a_user_signs_in_with_their_email_in_any_case_and_lands_on_the_plan(plan, officer, client) -> None:
    response = client.post(reverse("accounts:login"), {"username": officer.email.upper(), "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("priorities:partnerships")
    # One partnership: straight to its plan.
    assert client.get(response["Location"])["Location"] == reverse("priorities:home", args=[BEDFORD])
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_a_wrong_password_shows_the_error_summary(plan, officer, client) -> None:
    response = client.post(reverse("accounts:login"), {"username": officer.email, "password": "not it"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter a correct email address and password" in html
    assert "<title>Error: Sign in" in html


def test_empty_fields_are_each_named_in_the_error_summary(client, db) -> None:
    html = client.post(reverse("accounts:login"), {"username": "", "password": ""}).content.decode()

    assert "Enter your email address" in html
    assert "Enter your password" in html


def test_signing_out_ends_the_session(plan, officer, client) -> None:
    client.force_login(officer)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("priorities:home", args=[BEDFORD])).status_code == 302


def test_the_sign_in_page_returns_you_where_you_were_going(plan, officer, client) -> None:
    glossary = reverse("priorities:glossary", args=[BEDFORD])
    redirect = client.get(glossary)
    assert redirect["Location"] == f"{reverse('accounts:login')}?next={glossary}"

    response = client.post(redirect["Location"], {"username": officer.email, "password": PASSWORD, "next": glossary})

    assert response["Location"] == glossary


def test_demo_accounts_are_refused_when_debug_is_off(db, settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only made when DEBUG is on"):
        call_command("load_demo_users")
    assert User.objects.count() == 0


def test_demo_accounts_are_made_once_with_their_roles(plan, settings, capsys) -> None:
    settings.DEBUG = True
    call_command("load_demo_users")
    call_command("load_demo_users")

    # Central Bedfordshire's demo people exist too, with roles there once its plan is loaded.
    assert User.objects.count() == 10
    officers = User.objects.holding(Role.OFFICER, plan.partnership).filter(agency__kind="responsible_authority")
    assert officers.values("agency").distinct().count() == 5
    admin = User.objects.get(email__startswith="admin@")
    assert admin.has_perm("accounts.use_admin")
    assert "board@" in capsys.readouterr().out


def test_an_officer_cannot_open_the_admin_and_a_board_member_cannot_edit(plan, officer, board_member, client) -> None:
    from priorities.models import Priority

    priority = Priority.objects.get(number=1)
    change_url = reverse("admin:priorities_priority_change", args=[priority.pk])
    for person in (officer, board_member):
        client.force_login(person)
        assert client.get(reverse("admin:index")).status_code == 403
        assert client.post(change_url, {"title": "Changed"}).status_code == 403
    priority.refresh_from_db()
    assert priority.title == "High Harm & Violence"


def test_an_email_saved_with_capitals_still_signs_in(plan, client) -> None:
    from accounts.models import Agency

    person = User.objects.create_user("Jane.Mixed@Council.gov.uk", PASSWORD, full_name="Jane Mixed")
    User.objects.filter(pk=person.pk).update(email="Jane.Mixed@Council.gov.uk")  # as an old admin form saved it
    person.agency = Agency.objects.first()

    response = client.post(reverse("accounts:login"), {"username": "jane.mixed@council.gov.uk", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)


def test_giving_someone_a_role_is_recorded_in_history(plan, csp_admin, officer, client) -> None:
    from priorities.models import Membership

    membership = Membership.objects.create(partnership=plan.partnership, user=officer, role=Role.CSP_ADMIN.value)

    record = membership.history.latest()
    assert (record.user_id, record.role, record.history_type) == (officer.pk, Role.CSP_ADMIN.value, "+")


def test_with_debug_off_a_demo_account_cannot_sign_in_and_loses_its_session(plan, client, settings) -> None:
    from accounts.demo import demo_users_load

    settings.DEBUG = True
    demo_users_load(password=PASSWORD)
    admin = User.objects.get(email="admin@demo.csp-portal.test")
    client.force_login(admin)
    settings.DEBUG = False

    signed_in = client.get(reverse("priorities:home", args=[BEDFORD]))
    fresh = client.post(reverse("accounts:login"), {"username": admin.email, "password": PASSWORD})

    assert signed_in.status_code == 302
    assert signed_in["Location"].startswith(reverse("accounts:login"))
    assert fresh.status_code == 200
    assert "Enter a correct email address and password" in fresh.content.decode()


def test_with_debug_off_a_real_account_still_signs_in(plan, officer, client, settings) -> None:
    settings.DEBUG = False

    response = client.post(reverse("accounts:login"), {"username": officer.email, "password": PASSWORD})

    assert response.status_code == 302


def test_start_up_says_when_demo_accounts_exist_with_debug_off(db, settings) -> None:
    from accounts.checks import demo_accounts_check
    from accounts.demo import demo_users_load

    settings.DEBUG = True
    demo_users_load(password=PASSWORD)
    assert demo_accounts_check(databases=["default"]) == []
    settings.DEBUG = False

    warnings = demo_accounts_check(databases=["default"])

    assert [w.id for w in warnings] == ["accounts.W001"]
    assert "10 demo accounts" in warnings[0].msg


@pytest.mark.parametrize("length", [255, 300, 320])
def test_an_overlong_email_is_a_form_error_not_a_server_error(client, db, length: int) -> None:
    email = "a" * (length - len("@example.org")) + "@example.org"

    response = client.post(reverse("accounts:login"), {"username": email, "password": "whatever it is"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Email address must be 254 characters or fewer" in html
