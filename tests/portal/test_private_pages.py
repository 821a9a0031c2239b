"""What browsers may keep and use, how long a session lasts, and what people see when the
database or the workers are down."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
import time_machine
from django.urls import reverse

from tests.helpers import BEDFORD, ROOT, bedford, client_for, production_env
from tests.worker import running_worker

pytestmark = pytest.mark.django_db


def test_signed_in_pages_and_downloads_are_never_stored(plan, officer) -> None:
    from actionplans.models import ActionPlan, ReportingPeriod

    client = client_for(officer)
    ReportingPeriod.objects.create(
        partnership=bedford(), financial_year=2024, quarter=1, window_opens="2024-06-16", window_closes="2024-07-15"
    )
    action_plan = ActionPlan.objects.create(
        partnership=plan.priorities.get(number=1).plan.partnership,
        priority=plan.priorities.get(number=1),
        financial_year=2024,
    )

    page = client.get(reverse("priorities:home", args=[BEDFORD]))
    download = client.get(reverse("actionplans:export", args=[BEDFORD, action_plan.pk, "csv"]))

    assert page["Cache-Control"] == "no-store"
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"


def test_every_response_limits_the_browser_features_pages_may_use(client, db) -> None:
    for url in (reverse("accounts:login"), reverse("healthz"), reverse("accessibility")):
        policy = client.get(url)["Permissions-Policy"]
        assert "camera=()" in policy
        assert "geolocation=()" in policy
        assert "microphone=()" in policy


def test_an_active_session_still_ends_after_a_working_day(plan, officer) -> None:
    client = client_for(officer)
    home = reverse("priorities:home", args=[BEDFORD])
    start = dt.datetime.now(dt.UTC)
    # A request every 20 minutes keeps the idle timeout away for eleven and a half hours.
    for minutes in range(0, 12 * 60 - 20, 20):
        with time_machine.travel(start + dt.timedelta(minutes=minutes), tick=False):
            assert client.get(home).status_code == 200, minutes
    with time_machine.travel(start + dt.timedelta(hours=12, minutes=10), tick=False):
        response = client.get(home)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_healthz_worker_is_503_with_no_worker_and_200_with_one(client, db) -> None:  # type: ignore[no-untyped-def]
    # The worker uses the broker the portal uses here: Redis in CI, the embedded queue by default.
    broker = {"CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"]} if os.environ.get("CELERY_BROKER_URL") else {}
    alone = client.get(reverse("healthz_worker"))
    with running_worker(broker, name="health"):
        for _ in range(60):
            answered = client.get(reverse("healthz_worker"))
            if answered.status_code == 200:
                break

    assert alone.status_code == 503
    assert alone.json() == {"status": "unavailable", "workers": 0}
    assert answered.status_code == 200
    assert answered.json() == {"status": "ok", "workers": 1}


def test_with_the_database_down_a_page_is_a_503_that_says_to_try_again() -> None:
    env = production_env(
        SECURE_SSL_REDIRECT="false",
        # Port 9 on loopback: nothing listens, so every connection is refused at once.
        DATABASE_URL="postgres://nobody@127.0.0.1:9/portal",
        DJANGO_SETTINGS_MODULE="csp_portal.settings",
    )
    script = (
        "import django; django.setup(); from django.test import Client; "
        "c = Client(HTTP_HOST='csp.example.org', raise_request_exception=False); "
        "c.cookies['sessionid'] = 'x' * 32; r = c.get('/'); "
        "print(r.status_code); print(r.get('Retry-After')); print(r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    status, retry, html = result.stdout.split("\n", 2)
    assert status == "503"
    assert retry == "60"
    assert "Sorry, the portal is unavailable" in html
    assert "Nothing you saved before this has been lost" in html
