from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
import time_machine
from django.urls import reverse

from tests.factories import PASSWORD
from tests.helpers import BEDFORD, ROOT, client_for, production_env

pytestmark = pytest.mark.django_db


def _in_production(script: str) -> subprocess.CompletedProcess[str]:
    """Run a Python snippet in a fresh process with production settings."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.test import Client; " + script],
        cwd=ROOT,
        env=production_env(DJANGO_SETTINGS_MODULE="csp_portal.settings"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_responses_carry_hsts_and_secure_cookies() -> None:
    result = _in_production(
        "r = Client(HTTP_HOST='csp.example.org').get('/accounts/sign-in/', secure=True);"
        "print(r.status_code); print(r['Strict-Transport-Security']);"
        "print(r.cookies['csrftoken']['secure'])"
    )
    assert result.returncode == 0, result.stderr
    status, hsts, secure_cookie = result.stdout.split("\n")[:3]
    assert status == "200"
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert secure_cookie == "True"


def test_pages_send_a_content_security_policy_without_inline_script(client) -> None:
    response = client.get(reverse("accounts:login"))

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_no_page_has_an_inline_script_or_style(plan, csp_admin) -> None:
    client = client_for(csp_admin)
    for url in [
        reverse("priorities:home", args=[BEDFORD]),
        reverse("priorities:glossary", args=[BEDFORD]),
        reverse("accessibility"),
    ]:
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script\b([^>]*)>", html)
        assert scripts, url
        assert all("src=" in attrs for attrs in scripts), url
        assert "<style" not in html, url
        assert " style=" not in html, url


def test_a_session_ends_after_30_minutes_without_a_request(plan, officer) -> None:
    client = client_for(officer)
    home = reverse("priorities:home", args=[BEDFORD])
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start + dt.timedelta(minutes=25), tick=False):
        assert client.get(home).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=50), tick=False):
        # 25 minutes after the last request: still signed in, because each request renews it.
        assert client.get(home).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=81), tick=False):
        response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_repeated_failed_sign_ins_lock_the_account(plan, officer, client) -> None:
    url = reverse("accounts:login")
    for _ in range(5):
        response = client.post(url, {"username": officer.email, "password": "wrong password"})
        assert response.status_code in {200, 429}

    response = client.post(url, {"username": officer.email, "password": PASSWORD})

    assert response.status_code == 429
    assert "Sign-in locked" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_healthz_reports_the_database_and_the_broker(client) -> None:
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_says_when_the_broker_is_down(client, settings) -> None:
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


def test_healthz_says_when_the_embedded_queue_folder_is_missing(client, settings, tmp_path) -> None:
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(tmp_path / "gone"),
        "data_folder_out": str(tmp_path / "gone"),
        "processed_folder": str(tmp_path),
    }
    assert client.get(reverse("healthz")).json()["broker"] == "unavailable"
    (tmp_path / "gone").mkdir()
    assert client.get(reverse("healthz")).json()["broker"] == "ok"


def test_healthz_answers_plain_http_probes_in_production() -> None:
    result = _in_production("print(Client(HTTP_HOST='csp.example.org').get('/healthz').status_code)")
    assert result.stdout.strip().splitlines()[-1] in {"200", "503"}, result.stderr


def test_only_the_admin_may_apply_inline_styles_and_nowhere_inline_script(plan, csp_admin) -> None:
    client = client_for(csp_admin)
    portal = client.get(reverse("priorities:home", args=[BEDFORD]))["Content-Security-Policy"]
    admin = client.get(reverse("admin:index"))["Content-Security-Policy"]

    assert "style-src 'self';" in portal + ";"
    assert "style-src 'self' 'unsafe-inline'" in admin
    assert "script-src 'self';" in admin + ";"
