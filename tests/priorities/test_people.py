"""Inviting, listing and removing a partnership's people in the portal's own pages."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Agency, Role, User
from priorities.models import Invitation, Membership
from tests.factories import UserFactory
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

STRONG = "a long and unusual passphrase 42"


def _url(name: str, *args: object) -> str:
    return reverse(f"priorities:{name}", args=[BEDFORD, *args])


def _invite(client, police: Agency, email: str = "new.officer@example.org", roles=("Officer",)):
    return client.post(
        _url("people_invite"),
        {"email": email, "full_name": "Nia Roberts", "agency": police.pk, "roles": list(roles)},
    )


def _link(message) -> str:
    match = re.search(r"https?://\S+/accounts/set-password/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_the_invite_form_names_each_missing_answer(csp_admin, police) -> None:
    response = client_for(csp_admin).post(_url("people_invite"), {"email": "not an address"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    for message in (
        "Enter a valid email address",
        "Enter their full name",
        "Choose their agency",
        "Choose at least one role",
    ):
        assert message in page
    assert not User.objects.filter(full_name="Nia Roberts").exists()
    assert mail.outbox == []


def test_inviting_makes_an_account_gives_roles_records_who_and_emails_a_site_link(
    csp_admin, police, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://csp.example.gov.uk"
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(client_for(csp_admin), police, roles=["Officer", "Priority lead"])
    assert response.status_code == 302
    user = User.objects.get(email="new.officer@example.org")
    assert not user.has_usable_password()
    assert set(user.memberships.current().values_list("role", flat=True)) == {"Officer", "Priority lead"}
    assert Membership.history.filter(user=user).first().history_user == csp_admin
    assert Invitation.objects.get(user=user).invited_by == csp_admin
    assert Invitation.history.get().history_user == csp_admin
    [message] = mail.outbox
    assert message.to == ["new.officer@example.org"]
    assert _link(message).startswith("https://csp.example.gov.uk/accounts/set-password/")


def test_inviting_an_existing_person_only_adds_the_roles(csp_admin, officer, police) -> None:
    _invite(client_for(csp_admin), police, email=officer.email.upper(), roles=["Officer", "Board member"])
    assert User.objects.filter(email=officer.email).count() == 1
    roles = list(officer.memberships.current().values_list("role", flat=True))
    assert sorted(roles) == ["Board member", "Officer"]
    officer.refresh_from_db()
    assert officer.has_usable_password()


def test_the_link_sets_a_password_once_and_the_validators_apply(
    client, csp_admin, police, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client_for(csp_admin), police)
    link = _link(mail.outbox[0])
    path = link.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path
    weak = client.post(path, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200
    assert "govuk-error-summary" in weak.content.decode()
    assert client.post(path, {"new_password1": STRONG, "new_password2": STRONG}).status_code == 302
    user = User.objects.get(email="new.officer@example.org")
    assert user.check_password(STRONG)
    assert client.get(path).status_code == 404  # used: it no longer works
    assert client.post(path, {"new_password1": STRONG + "x", "new_password2": STRONG + "x"}).status_code == 404


def test_the_link_expires_after_the_invitation_days(
    client, csp_admin, police, settings, django_capture_on_commit_callbacks
) -> None:
    settings.INVITATION_DAYS = 7
    with time_machine.travel("2026-01-01 09:00", tick=False), django_capture_on_commit_callbacks(execute=True):
        _invite(client_for(csp_admin), police)
    path = "/" + _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    with time_machine.travel("2026-01-07 09:00", tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel("2026-01-08 09:01", tick=False):
        assert client.get(path).status_code == 404


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("odg.csv", text.encode(), content_type="text/csv")


def test_a_file_with_any_bad_row_invites_nobody_and_names_every_bad_row(csp_admin, police) -> None:
    csv = (
        "email,name,agency,roles\n"
        "good@example.org,Good Person,Bedfordshire Police,Officer\n"
        "not-an-address,Bad Email,Bedfordshire Police,Officer\n"
        "third@example.org,Third Person,Nowhere Agency,Officer\n"
        "fourth@example.org,,Bedfordshire Police,Wizard\n"
        "good@example.org,Again,Bedfordshire Police,Officer\n"
    )
    response = client_for(csp_admin).post(_url("people_bulk"), {"file": _upload(csv)})
    page = response.content.decode()
    assert response.status_code == 200
    assert "nobody was invited" in page
    for expected in ("Line 3:", "Line 4:", "Nowhere Agency", "Line 5: the name is empty", "Wizard", "Line 6:"):
        assert expected in page
    assert "Line 2:" not in page
    assert not User.objects.filter(email__in=["good@example.org", "third@example.org"]).exists()
    assert mail.outbox == []


def test_a_good_file_invites_everyone(csp_admin, police, django_capture_on_commit_callbacks) -> None:
    csv = (
        "email,name,agency,roles\n"
        "one@example.org,One Person,Bedfordshire Police,Officer\n"
        "two@example.org,Two Person,bedfordshire police,Officer; Priority lead\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(csp_admin).post(_url("people_bulk"), {"file": _upload(csv)})
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["one@example.org", "two@example.org"]
    assert User.objects.get(email="two@example.org").memberships.current().count() == 2


def test_removing_ends_roles_keeps_records_and_blocks_access(csp_admin, officer) -> None:
    admin = client_for(csp_admin)
    officer_client = client_for(officer)
    assert officer_client.get(reverse("priorities:home", args=[BEDFORD])).status_code == 200
    confirm = admin.get(_url("people_remove", officer.pk))
    assert confirm.status_code == 200
    assert "Remove" in confirm.content.decode()
    assert admin.post(_url("people_remove", officer.pk)).status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    membership = Membership.objects.get(user=officer)
    assert membership.ended_at is not None  # kept, ended
    assert Membership.history.filter(user=officer).latest().history_user == csp_admin
    assert User.objects.filter(pk=officer.pk).exists()
    response = officer_client.get(reverse("priorities:home", args=[BEDFORD]))
    assert response.status_code == 302  # no longer signed in


def test_removing_someone_with_a_role_elsewhere_keeps_them_active(csp_admin, officer, shipped_plan_file) -> None:
    from priorities.models import Partnership
    from tests.factories import give_roles

    central = Partnership.objects.create(name="Central", short_name="Central", slug="central")
    give_roles(officer, central, Role.OFFICER)
    client_for(csp_admin).post(_url("people_remove", officer.pk))
    officer.refresh_from_db()
    assert officer.is_active
    assert officer.memberships.current().get().partnership == central


def test_the_members_page_lists_and_filters_with_flat_queries(
    csp_admin, officer, board_member, police, django_assert_num_queries
) -> None:
    client = client_for(csp_admin)
    client.get(_url("people"))  # the session and the partnership, warm
    with django_assert_num_queries(8) as small:  # one is the admin's authenticator app (django-otp)
        page = client.get(_url("people")).content.decode()
    assert officer.full_name in page
    assert board_member.full_name in page
    for _n in range(30):
        UserFactory(agency=police, roles=[Role.OFFICER, Role.PRIORITY_LEAD])
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(_url("people"))
    police_only = client.get(_url("people"), {"agency": police.pk}).content.decode()
    assert officer.full_name in police_only
    assert board_member.full_name not in police_only
    boards = client.get(_url("people"), {"role": "Board member"}).content.decode()
    assert board_member.full_name in boards
    assert officer.full_name not in boards


def test_the_members_page_shows_who_is_still_invited(csp_admin, officer, police) -> None:
    client = client_for(csp_admin)
    _invite(client, police)
    page = client.get(_url("people")).content.decode()
    assert "Nia Roberts" in page
    assert "Invited" in page


def test_a_member_who_is_not_an_admin_cannot_invite_or_remove(officer, board_member, police) -> None:
    for person in (officer, board_member):
        client = client_for(person)
        assert _invite(client, police).status_code == 403
        assert client.post(_url("people_remove", officer.pk)).status_code == 403
    assert not User.objects.filter(email="new.officer@example.org").exists()
    assert officer.memberships.current().exists()


def test_the_only_csp_admin_cannot_be_removed_and_the_page_says_why(csp_admin) -> None:
    admin = client_for(csp_admin)

    confirm = admin.get(_url("people_remove", csp_admin.pk)).content.decode()
    refused = admin.post(_url("people_remove", csp_admin.pk), follow=True).content.decode()

    assert "is the only CSP admin of" in confirm
    assert 'type="submit" class="govuk-button govuk-button--warning"' not in confirm
    assert "make someone else an admin first" in refused
    assert Membership.objects.current().filter(user=csp_admin, role=Role.CSP_ADMIN).exists()
    csp_admin.refresh_from_db()
    assert csp_admin.is_active


def test_with_a_second_admin_either_may_be_removed(csp_admin, police) -> None:
    other = UserFactory(agency=police, roles=[Role.CSP_ADMIN])

    client_for(other).post(_url("people_remove", csp_admin.pk))

    assert not Membership.objects.current().filter(user=csp_admin).exists()
    refused = client_for(other).get(_url("people_remove", other.pk)).content.decode()
    assert "is the only CSP admin of" in refused
