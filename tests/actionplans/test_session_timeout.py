"""A session that ends mid-update loses nothing: the form sent after it ended is kept and,
once the same person signs in, offered back to send with one press; never sent unseen, never
to anyone else. The timeout warning's timings and its "Stay signed in" endpoint."""

from __future__ import annotations

import html
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from actionplans.models import ActionUpdate
from core.middleware import KEPT_POST, OWNER_COOKIE, SESSION_STARTED
from tests.factories import PASSWORD
from tests.helpers import BEDFORD, client_for, code_from_app

pytestmark = pytest.mark.django_db

TYPED = "Thirty minutes of careful words, with “curly quotes” and a dash – pasted from Word."


def _url(action, period) -> str:
    return reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk])


def _signed_in_then_timed_out(user, url: str) -> Client:
    """A browser that opened the form while signed in, then sat idle past the session's end
    (the session is gone from the server; the browser still sends its cookies)."""
    client = client_for(user)
    assert client.get(url).status_code == 200
    assert OWNER_COOKIE in client.cookies
    Session.objects.all().delete()
    return client


def _sign_in(client: Client, user, next_url: str):
    return client.post(
        f"{reverse('accounts:login')}?next={next_url}",
        {"username": user.email, "password": PASSWORD, "next": next_url},
    )


def _offered(client: Client, url: str) -> dict[str, list[str]]:
    """The kept form as the page after sign-in offers it: its hidden fields, to send as is."""
    page = client.get(url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Send what you typed before you were signed out?" in text
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text):
        if name != "csrfmiddlewaretoken":
            fields.setdefault(html.unescape(name), []).append(html.unescape(value))
    return fields


def test_an_update_sent_after_the_session_ended_is_saved_after_signing_in(police_action, period, officer) -> None:
    url = _url(police_action, period)
    client = _signed_in_then_timed_out(officer, url)

    response = client.post(url, {"version": "", "rag": "amber", "progress": TYPED, "save_draft": ""})

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not ActionUpdate.objects.filter(period=period).exists()
    sign_in_page = client.get(response.url).content.decode()
    assert "What you sent is kept: sign in and you can send it." in sign_in_page

    signed_in = _sign_in(client, officer, url)
    assert signed_in.status_code == 302
    assert signed_in.url == url
    offered = _offered(client, url)
    assert not ActionUpdate.objects.exists()  # nothing is sent unseen

    client.post(url, offered)

    update = ActionUpdate.objects.get(period=period, action=police_action)
    assert (update.progress, update.rag, update.status) == (TYPED, "amber", "draft")
    assert KEPT_POST not in client.session
    # Offered once: asking for the page again shows the form, and saves nothing more.
    assert "Send what you typed" not in client.get(url).content.decode()
    assert ActionUpdate.objects.filter(period=period).count() == 1


def test_the_offer_shows_what_was_typed_and_can_be_refused(police_action, period, officer) -> None:
    url = _url(police_action, period)
    client = _signed_in_then_timed_out(officer, url)
    client.post(url, {"version": "", "rag": "amber", "progress": TYPED, "save_draft": ""})
    _sign_in(client, officer, url)

    page = client.get(url).content.decode()

    assert TYPED in page
    assert f'<a class="govuk-link" href="{url}">Do not send it: go to the form</a>' in page
    assert "Send what you typed" not in client.get(url).content.decode()
    assert not ActionUpdate.objects.exists()


def test_a_kept_form_with_an_error_comes_back_with_its_text_and_the_error(police_action, period, officer) -> None:
    url = _url(police_action, period)
    client = _signed_in_then_timed_out(officer, url)
    client.post(url, {"version": "", "rag": "", "progress": TYPED, "submit_update": ""})  # no RAG

    _sign_in(client, officer, url)
    page = client.post(url, _offered(client, url)).content.decode()

    assert "govuk-error-summary" in page
    assert "Thirty minutes of careful words, with “curly quotes” and a dash – pasted from Word." in page
    assert not ActionUpdate.objects.filter(period=period, status="submitted").exists()


def test_someone_else_signing_in_at_the_same_browser_never_gets_the_kept_form(
    police_action, period, officer, board_member
) -> None:
    url = _url(police_action, period)
    client = _signed_in_then_timed_out(officer, url)
    client.post(url, {"version": "", "rag": "amber", "progress": TYPED, "save_draft": ""})

    _sign_in(client, board_member, url)
    response = client.get(url)

    assert TYPED not in response.content.decode()
    assert not ActionUpdate.objects.filter(period=period).exists()
    assert KEPT_POST not in client.session


def test_a_session_past_its_absolute_end_keeps_the_form_too(police_action, period, officer, settings) -> None:
    url = _url(police_action, period)
    client = client_for(officer)
    client.get(url)
    session = client.session
    session[SESSION_STARTED] = int(time.time()) - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()

    response = client.post(url, {"version": "", "rag": "green", "progress": TYPED, "save_draft": ""})
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    _sign_in(client, officer, url)
    client.post(url, _offered(client, url))

    assert ActionUpdate.objects.get(period=period).progress == TYPED


def test_a_browser_that_was_never_signed_in_has_nothing_kept(police_action, period) -> None:
    client = Client()
    url = _url(police_action, period)

    response = client.post(url, {"version": "", "rag": "amber", "progress": TYPED, "save_draft": ""}, follow=True)

    assert KEPT_POST not in client.session
    assert "what you sent was not saved: sign in and send it again" in response.content.decode()


def test_a_file_cannot_be_kept_and_the_page_says_to_choose_it_again(police_action, officer) -> None:
    url = reverse("actionplans:import", args=[BEDFORD, police_action.plan_id])
    client = _signed_in_then_timed_out(officer, reverse("actionplans:my_actions"))

    upload = SimpleUploadedFile("plan.csv", b"title\nA\n", content_type="text/csv")
    response = client.post(url, {"file": upload}, follow=True)

    assert KEPT_POST not in client.session
    assert "your file was not uploaded: sign in and choose it again" in response.content.decode()


def test_signing_out_after_the_session_ended_just_shows_the_signed_out_page(officer) -> None:
    client = client_for(officer)
    client.get(reverse("actionplans:my_actions"))
    Session.objects.all().delete()

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert KEPT_POST not in client.session


def test_signed_in_pages_carry_the_warnings_timings_and_signed_out_pages_do_not(officer, settings) -> None:
    settings.SESSION_COOKIE_AGE = 1800
    settings.SESSION_WARNING_SECONDS = 120
    html = client_for(officer).get(reverse("actionplans:my_actions")).content.decode()

    assert 'data-module="app-timeout"' in html
    assert 'data-idle-seconds="1800"' in html
    assert 'data-warning-seconds="120"' in html
    assert 'data-extend-url="/session/extend"' in html
    assert "app-timeout" not in Client().get(reverse("accounts:login")).content.decode()


def test_the_warning_never_comes_before_half_the_idle_time(officer, settings) -> None:
    settings.SESSION_COOKIE_AGE = 60
    settings.SESSION_WARNING_SECONDS = 120

    html = client_for(officer).get(reverse("actionplans:my_actions")).content.decode()

    assert 'data-warning-seconds="30"' in html


def test_stay_signed_in_renews_the_session_and_says_how_long_it_has(officer, settings) -> None:
    client = client_for(officer)
    client.get(reverse("actionplans:my_actions"))
    key = client.session.session_key
    # As if the last request was ten minutes ago.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + timedelta(minutes=20))
    before = Session.objects.get(session_key=key).expire_date

    response = client.post(reverse("session_extend"))

    assert response.status_code == 200
    body = response.json()
    assert body["csrf_token"]
    assert body["signed_in"] is True
    assert body["idle_seconds"] == settings.SESSION_COOKIE_AGE
    assert 0 < body["absolute_seconds_left"] <= settings.SESSION_ABSOLUTE_SECONDS
    assert Session.objects.get(session_key=key).expire_date > before


def test_stay_signed_in_after_the_session_ended_says_so_with_401(officer) -> None:
    client = client_for(officer)
    Session.objects.all().delete()

    response = client.post(reverse("session_extend"))

    assert response.status_code == 401
    assert response.json() == {"signed_in": False}
    assert Client().get(reverse("session_extend")).status_code == 405


def test_an_admin_gets_the_kept_form_sent_only_after_giving_their_code(police_action, period, csp_admin) -> None:
    url = _url(police_action, period)
    client = _signed_in_then_timed_out(csp_admin, url)
    app = TOTPDevice.objects.get(user=csp_admin)
    client.post(url, {"version": "", "rag": "red", "progress": TYPED, "save_draft": ""})

    _sign_in(client, csp_admin, url)
    to_code = client.get(url)  # the password alone does not send it

    assert to_code["Location"].startswith(reverse("accounts:two_factor"))
    assert KEPT_POST in client.session
    assert not ActionUpdate.objects.exists()
    client.post(reverse("accounts:two_factor"), {"code": code_from_app(app), "next": url})
    client.post(url, _offered(client, url))
    assert ActionUpdate.objects.get(period=period).progress == TYPED


def test_only_forms_people_type_into_are_kept_and_never_a_password(officer) -> None:
    change = reverse("accounts:password_change")
    client = _signed_in_then_timed_out(officer, change)

    response = client.post(
        change, {"old_password": PASSWORD, "new_password1": "x" * 20, "new_password2": "x" * 20}, follow=True
    )

    assert KEPT_POST not in client.session
    assert "what you sent was not saved: sign in and send it again" in response.content.decode()
    assert PASSWORD not in str(Session.objects.values_list("session_data", flat=True))


def test_a_password_field_is_never_kept_even_on_a_form_that_is(police_action, period, officer) -> None:
    url = _url(police_action, period)
    client = _signed_in_then_timed_out(officer, url)

    client.post(url, {"version": "", "progress": TYPED, "password": "hunter2", "save_draft": ""})

    assert "password" not in client.session[KEPT_POST]["data"]
    assert client.session[KEPT_POST]["data"]["progress"] == [TYPED]


def test_signing_out_forgets_who_this_browser_was(officer) -> None:
    client = client_for(officer)
    client.get(reverse("actionplans:my_actions"))
    assert client.cookies[OWNER_COOKIE].value

    client.post(reverse("accounts:logout"))

    assert client.cookies[OWNER_COOKIE].value == ""


def _expiry(client: Client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_an_active_session_is_written_again_once_a_minute_not_on_every_request(officer, settings) -> None:
    settings.SESSION_COOKIE_AGE = 1800
    settings.SESSION_RENEW_SECONDS = 60
    url = reverse("actionplans:my_actions")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(officer)
        client.get(url)
        first = _expiry(client)

        traveller.shift(30)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url).content.decode()
        assert _expiry(client) == first  # not written
        assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
        # The warning counts from when the session was written, not from this page.
        assert 'data-idle-seconds-left="1770"' in page

        traveller.shift(31)
        client.get(url)
        assert _expiry(client) == first + timedelta(seconds=61)


def test_stay_signed_in_writes_the_session_however_recently_it_was_written(officer) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(officer)
        client.get(reverse("actionplans:my_actions"))
        first = _expiry(client)
        traveller.shift(5)

        body = client.post(reverse("session_extend")).json()

        assert _expiry(client) == first + timedelta(seconds=5)
        assert body["idle_seconds_left"] == body["idle_seconds"]


def test_a_short_session_is_written_every_tenth_of_its_idle_time(officer, settings) -> None:
    settings.SESSION_COOKIE_AGE = 20
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client = client_for(officer)
        client.get(reverse("actionplans:my_actions"))
        first = _expiry(client)
        traveller.shift(2)
        client.get(reverse("actionplans:my_actions"))
        assert _expiry(client) == first + timedelta(seconds=2)


def test_a_visitor_who_is_not_signed_in_gets_no_session_row() -> None:
    Client().get(reverse("accounts:login"))
    Client().get("/healthz")
    assert not Session.objects.exists()
