"""Two-factor sign-in: required of CSP admins and superusers, offered to everyone else.

These tests sign in the long way (password, then code); client_for, used everywhere else,
gives admins an app and its code at once."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import TwoFactorChange, User
from accounts.two_factor import HAS_APP, recovery_codes_make
from tests.factories import PASSWORD, UserFactory
from tests.helpers import (
    BEDFORD,
    authenticator_app_for,
    client_for,
    code_from_app,
    code_typed,
    password_given_now,
    title_of,
)

pytestmark = pytest.mark.django_db

SET_UP = reverse("accounts:two_factor_set_up")
CODE_PAGE = reverse("accounts:two_factor")


def _password_only(user: User) -> Client:
    """Signed in with the password through the sign-in page, and no code yet."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _set_up_page_secret(html: str) -> str:
    found = re.search(r'<p class="govuk-body govuk-!-font-size-24 app-secret-key"><code>([A-Z2-7 ]+)</code>', html)
    assert found, "the set-up page shows no key to type"
    return found.group(1).replace(" ", "")


def test_an_admin_without_an_app_is_sent_to_set_one_up_from_every_page(plan, csp_admin) -> None:
    client = Client()
    client.force_login(csp_admin)
    password_given_now(client)
    pages = [
        reverse("priorities:home", args=[BEDFORD]),
        reverse("actionplans:my_actions"),
        reverse("admin:index"),
        reverse("admin:accounts_user_changelist"),
        reverse("accounts:account"),
        reverse("accounts:password_change"),
        reverse("accounts:confirm_password"),
        CODE_PAGE,
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == f"{SET_UP}?next={quote(page)}", page
    # A POST is refused the same way, before the view runs.
    assert client.post(reverse("accounts:password_change"), {})["Location"].startswith(SET_UP)

    # Public pages, set-up itself and signing out stay open.
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("accessibility")).status_code == 200
    assert client.get(SET_UP).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_superuser_must_set_it_up_too(plan) -> None:
    operator = User.objects.create_superuser("operator@example.org", PASSWORD, full_name="Op Erator")
    client = _password_only(operator)

    assert client.get(reverse("admin:index"))["Location"].startswith(SET_UP)


def test_set_up_refuses_a_wrong_code_in_the_error_summary_and_a_right_one_turns_it_on(plan, csp_admin) -> None:
    client = _password_only(csp_admin)
    glossary = reverse("priorities:glossary", args=[BEDFORD])
    page = client.get(f"{SET_UP}?next={glossary}")
    html = page.content.decode()
    assert '<svg role="img" aria-label="QR code to scan with your authenticator app"' in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    secret = _set_up_page_secret(html)
    device = TOTPDevice.objects.get(user=csp_admin, confirmed=False)
    assert secret in device.config_url  # the key typed by hand is the one in the QR code
    assert client.get(SET_UP).content.decode().count(secret.replace(" ", "")[:4]) >= 1  # a reload keeps it

    wrong = client.post(SET_UP, {"code": _wrong(code_from_app(device)), "next": glossary})
    assert wrong.status_code == 200
    assert title_of(wrong) == "Error: Set up two-factor sign-in"
    assert "govuk-error-summary" in wrong.content.decode()
    assert "The code is not right" in wrong.content.decode()
    empty = client.post(SET_UP, {"code": "", "next": glossary})
    assert "Enter the 6-digit code from your authenticator app" in empty.content.decode()

    device.throttle_reset()  # django-otp makes a second try wait a second after a wrong code
    right = client.post(SET_UP, {"code": code_from_app(device), "next": glossary})

    assert right["Location"] == f"{reverse('accounts:recovery_codes')}?next={quote(glossary)}"
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(right["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{4} [a-z2-7]{4})</code></li>", codes_page)
    assert len(codes) == 10
    assert f'href="{glossary}"' in codes_page
    # Shown once: the page then offers to make new ones instead.
    again = client.get(reverse("accounts:recovery_codes")).content.decode()
    assert not re.search(r"<li><code>", again)
    assert "Make new recovery codes" in again
    # Signed in fully now: every page opens.
    assert client.get(glossary).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
    kinds = set(TwoFactorChange.objects.filter(user=csp_admin, changed_by=csp_admin).values_list("kind", flat=True))
    assert kinds == {"app_added", "recovery_codes_made"}


def test_signing_in_asks_for_the_code_and_keeps_where_you_were_going(plan, csp_admin) -> None:
    app = authenticator_app_for(csp_admin)
    client = Client()
    glossary = reverse("priorities:glossary", args=[BEDFORD])
    to_sign_in = client.get(glossary)["Location"]

    after_password = client.post(to_sign_in, {"username": csp_admin.email, "password": PASSWORD, "next": glossary})
    assert after_password["Location"] == glossary
    to_code = client.get(glossary)
    assert to_code["Location"] == f"{CODE_PAGE}?next={quote(glossary)}"
    page = client.get(to_code["Location"])
    assert title_of(page) == "Enter your code"
    assert 'autocomplete="one-time-code"' in page.content.decode()
    # No other app can be added before the code is given.
    assert client.get(SET_UP)["Location"].startswith(CODE_PAGE)

    done = client.post(CODE_PAGE, {"code": code_from_app(app), "next": glossary})

    assert done["Location"] == glossary
    assert client.get(glossary).status_code == 200


def test_a_code_page_returns_only_to_this_site(plan, csp_admin) -> None:
    app = authenticator_app_for(csp_admin)
    client = _password_only(csp_admin)

    response = client.post(CODE_PAGE, {"code": code_from_app(app), "next": "https://evil.example/steal"})

    assert response["Location"] == reverse("priorities:partnerships")


def test_a_wrong_code_is_refused_and_counts_towards_the_lockout(plan, csp_admin, settings) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own wait between tries, off to count quickly
    app = authenticator_app_for(csp_admin)
    client = _password_only(csp_admin)
    wrong_code = _wrong(code_from_app(app))

    wrong = client.post(CODE_PAGE, {"code": wrong_code})

    assert wrong.status_code == 200
    assert title_of(wrong) == "Error: Enter your code"
    assert "The code is not right" in wrong.content.decode()
    attempt = AccessAttempt.objects.get(username=csp_admin.email)
    assert attempt.failures_since_start == 1
    assert wrong_code not in attempt.post_data  # the code typed is not kept
    assert client.get(reverse("admin:index"))["Location"].startswith(CODE_PAGE)

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        last = client.post(CODE_PAGE, {"code": wrong_code})

    assert "Sign-in locked" in last.content.decode()
    assert "_auth_user_id" not in client.session  # signed out
    # Even the password is refused now.
    again = Client().post(reverse("accounts:login"), {"username": csp_admin.email, "password": PASSWORD})
    assert again.status_code != 302 or "_auth_user_id" not in again.client.session


def test_a_recovery_code_works_once(plan, csp_admin) -> None:
    authenticator_app_for(csp_admin)
    codes = recovery_codes_make(csp_admin, by=csp_admin)
    client = _password_only(csp_admin)

    # Typed as shown (two groups) and in capitals, it still counts.
    used = client.post(CODE_PAGE, {"code": f"{codes[0][:4]} {codes[0][4:]}".upper()})

    assert used["Location"] == reverse("priorities:partnerships")
    assert client.get(reverse("admin:index")).status_code == 200
    assert StaticToken.objects.filter(device__user=csp_admin).count() == 9
    assert TwoFactorChange.objects.filter(user=csp_admin, kind="recovery_code_used").count() == 1

    later = _password_only(csp_admin)
    refused = later.post(CODE_PAGE, {"code": codes[0]})
    assert refused.status_code == 200
    assert "The code is not right" in refused.content.decode()


def test_new_recovery_codes_need_the_password_and_replace_the_old(plan, csp_admin) -> None:
    old = recovery_codes_make(csp_admin, by=csp_admin)
    client = client_for(csp_admin)
    url = reverse("accounts:recovery_codes")

    wrong = client.post(url, {"password": "not it"})
    assert title_of(wrong) == "Error: Make new recovery codes"
    assert "The password is not correct" in wrong.content.decode()
    assert AccessAttempt.objects.get(username=csp_admin.email).failures_since_start == 1

    made = client.post(url, {"password": PASSWORD})
    shown = client.get(made["Location"]).content.decode()

    new = [code.replace(" ", "") for code in re.findall(r"<li><code>([a-z2-7 ]{9})</code></li>", shown)]
    assert len(new) == 10
    assert set(StaticToken.objects.filter(device__user=csp_admin).values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


def test_officers_are_not_asked_and_may_turn_it_on_and_off(plan, officer) -> None:
    client = client_for(officer)
    assert client.get(reverse("priorities:home", args=[BEDFORD])).status_code == 200
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Set up two-factor sign-in" in account
    assert client.get(reverse("accounts:recovery_codes"))["Location"].startswith(SET_UP)

    client.get(SET_UP)
    app = TOTPDevice.objects.get(user=officer, confirmed=False)
    turned_on = client.post(SET_UP, {"code": code_from_app(app)})
    assert turned_on["Location"].startswith(reverse("accounts:recovery_codes"))
    assert "Turn off two-factor sign-in" in client.get(reverse("accounts:account")).content.decode()

    # From now on, the officer's sign-in asks for the code.
    later = _password_only(officer)
    assert later.get(reverse("priorities:home", args=[BEDFORD]))["Location"].startswith(CODE_PAGE)
    code_typed(later, app)
    assert later.get(reverse("priorities:home", args=[BEDFORD])).status_code == 200

    turn_off = reverse("accounts:two_factor_turn_off")
    assert later.get(turn_off).status_code == 200
    assert "The password is not correct" in later.post(turn_off, {"password": "not it"}).content.decode()
    assert later.post(turn_off, {"password": PASSWORD})["Location"] == reverse("accounts:account")
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert TwoFactorChange.objects.filter(user=officer, kind="turned_off", changed_by=officer).exists()
    assert _password_only(officer).get(reverse("priorities:home", args=[BEDFORD])).status_code == 200


def test_an_admin_cannot_turn_it_off_but_can_move_to_a_new_phone(plan, csp_admin) -> None:
    client = client_for(csp_admin)
    old = TOTPDevice.objects.get(user=csp_admin)

    assert client.get(reverse("accounts:two_factor_turn_off")).status_code == 403
    assert client.post(reverse("accounts:two_factor_turn_off"), {"password": PASSWORD}).status_code == 403
    assert "must keep two-factor sign-in on" in client.get(reverse("accounts:account")).content.decode()

    assert "Set up your authenticator app again" in client.get(SET_UP).content.decode()
    new = TOTPDevice.objects.get(user=csp_admin, confirmed=False)
    client.post(SET_UP, {"code": code_from_app(new)})

    assert list(TOTPDevice.objects.filter(user=csp_admin)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    kinds = list(TwoFactorChange.objects.filter(user=csp_admin).values_list("kind", flat=True))
    assert kinds == ["recovery_codes_made", "app_added", "app_removed"]  # newest first


def test_the_operator_turns_off_a_lost_phone_and_the_admin_sets_up_again(plan, csp_admin, capsys) -> None:
    signed_in = client_for(csp_admin)
    assert signed_in.get(reverse("admin:index")).status_code == 200
    recovery_codes_make(csp_admin, by=csp_admin)

    call_command("two_factor_reset", csp_admin.email.upper())

    # A session that gave the old app's code is asked to set up a new one, not for a code.
    assert signed_in.get(reverse("admin:index"))["Location"].startswith(SET_UP)
    # So is one that had been told it has an app: the code page looks again and sends it on.
    session = signed_in.session
    session[HAS_APP] = True
    session.save()
    to_code = signed_in.get(reverse("admin:index"))["Location"]
    assert to_code.startswith(CODE_PAGE)
    assert signed_in.get(to_code)["Location"] == reverse("admin:index")
    assert signed_in.get(reverse("admin:index"))["Location"].startswith(SET_UP)

    assert "set it up again" in capsys.readouterr().out
    assert not TOTPDevice.objects.filter(user=csp_admin).exists()
    assert not StaticToken.objects.filter(device__user=csp_admin).exists()
    change = TwoFactorChange.objects.get(user=csp_admin, kind="turned_off")
    assert change.changed_by is None
    assert _password_only(csp_admin).get(reverse("admin:index"))["Location"].startswith(SET_UP)
    assert "operator" in client_for(csp_admin).get(reverse("accounts:account")).content.decode()


def test_someone_elses_codes_do_not_sign_you_in(plan, csp_admin, council) -> None:
    other = UserFactory(agency=council)
    other_app = authenticator_app_for(other)
    authenticator_app_for(csp_admin)
    client = _password_only(csp_admin)

    assert client.post(CODE_PAGE, {"code": code_from_app(other_app)}).status_code == 200
    assert client.get(reverse("admin:index"))["Location"].startswith(CODE_PAGE)


def test_the_demo_admins_have_the_published_authenticator_key(plan, settings) -> None:
    from accounts.demo import DEMO_AUTHENTICATOR_KEY, demo_users_load

    settings.DEBUG = True
    demo_users_load(password=PASSWORD)
    demo_users_load(password=PASSWORD)

    admin = User.objects.get(email__startswith="admin@")
    app = TOTPDevice.objects.get(user=admin)
    assert f"secret={DEMO_AUTHENTICATOR_KEY}" in app.config_url
    assert not TOTPDevice.objects.filter(user__email__startswith="officer.").exists()
