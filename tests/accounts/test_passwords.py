"""Forgotten and changed passwords: Django's own views, in GOV.UK pages."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

NEW = "a-long-new-passphrase-for-bedford"


def _link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+/accounts/reset-password/\S+/", message.body)
    assert found, message.body
    return found.group(0)


def _path(link: str) -> str:
    return urlsplit(link).path


@override_settings(SITE_URL="https://portal.example.org")
def test_a_forgotten_password_is_reset_from_a_link_that_works_once(officer: User) -> None:
    client = Client()
    response = client.post(reverse("accounts:password_reset"), {"email": officer.email.upper()})
    assert response["Location"] == reverse("accounts:password_reset_sent")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [officer.email]
    link = _link_in(mail.outbox[0])
    assert link.startswith("https://portal.example.org/accounts/reset-password/")  # the real address

    page = client.get(_path(link), follow=True)
    assert "Choose a new password" in page.content.decode()
    done = client.post(page.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("accounts:login")
    officer.refresh_from_db()
    assert officer.check_password(NEW)

    again = Client().get(_path(link), follow=True).content.decode()
    assert "This link no longer works" in again


def test_the_reset_page_says_the_same_whether_an_account_exists_or_not(officer: User) -> None:
    known = Client().post(reverse("accounts:password_reset"), {"email": officer.email}, follow=True)
    unknown = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.org"}, follow=True)

    assert known.content.decode().replace(officer.email, "") == unknown.content.decode().replace(
        "nobody@example.org", ""
    )
    assert len(mail.outbox) == 1


def test_a_reset_refuses_a_common_password_in_words(officer: User) -> None:
    Client().post(reverse("accounts:password_reset"), {"email": officer.email})
    client = Client()
    page = client.get(_path(_link_in(mail.outbox[0])), follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": "password1234", "new_password2": "password1234"}
    )

    html = response.content.decode()
    assert "This password is too common" in html
    assert "govuk-error-summary" in html
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_changing_the_password_ends_other_sessions_and_keeps_this_one(officer: User) -> None:
    here, elsewhere = client_for(officer), client_for(officer)
    url = reverse("accounts:password_change")

    wrong = here.post(url, {"old_password": "not it", "new_password1": NEW, "new_password2": NEW})
    assert "Your current password is not correct" in wrong.content.decode()

    response = here.post(url, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302
    assert here.get(reverse("actionplans:my_actions")).status_code == 200
    assert elsewhere.get(reverse("actionplans:my_actions")).status_code == 302  # sent to sign in
    officer.refresh_from_db()
    assert officer.check_password(NEW)


def test_the_sign_in_page_offers_the_reset_and_your_account_the_change(officer: User) -> None:
    assert reverse("accounts:password_reset") in Client().get(reverse("accounts:login")).content.decode()
    client = client_for(officer)
    assert reverse("accounts:account") in client.get(reverse("actionplans:my_actions")).content.decode()
    assert reverse("accounts:password_change") in client.get(reverse("accounts:account")).content.decode()
