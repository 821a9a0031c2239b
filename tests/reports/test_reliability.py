"""The report queue when things go wrong: Redis down, and a worker killed mid-compile."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest

from reports.models import QuarterlyReport
from tests.helpers import BEDFORD, ROOT, authenticator_app_for, client_for
from tests.worker import children_of, client_app, require_redis, running_worker, worker_database_url


@pytest.mark.django_db(transaction=True)
def test_with_redis_down_compile_says_so_and_every_page_still_works(quarter, csp_admin) -> None:
    app = authenticator_app_for(csp_admin)  # a CSP admin signs in with a code as well
    # A real Django process whose broker is a closed port on this machine.
    script = f"""
import django; django.setup()
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from accounts.models import User
from reports.models import QuarterlyReport
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(pk={csp_admin.pk}))
session = client.session
session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(pk={app.pk}).persistent_id  # the code given
session.save()
for url in ["/bedford-borough/", "/bedford-borough/dashboard/", "/bedford-borough/reports/", "/my-actions/",
            "/bedford-borough/action-plans/"]:
    assert client.get(url).status_code == 200, url
response = client.post("/bedford-borough/reports/compile/", {{"period": {quarter.pk}}}, follow=True)
print(response.status_code)
print("not answering" in response.content.decode())
print(QuarterlyReport.objects.count())
"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "csp_portal.settings",
        "DATABASE_URL": worker_database_url(),
        "CELERY_BROKER_URL": "redis://127.0.0.1:9/0",
        "MEDIA_ROOT": str(ROOT / "var" / "test-media"),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["200", "True", "0"]  # refused, and no failed version left behind


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_compile_still_ends_in_exactly_one_ready_version(quarter, tmp_path) -> None:
    url = require_redis()
    worker_env = {
        "CELERY_BROKER_URL": url,
        # Redelivery of an unacknowledged task after its worker dies, in seconds, not an hour.
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "REPORT_LEASE_SECONDS": "3",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    app = client_app(url, url, broker_transport_options={"visibility_timeout": 3})
    report = QuarterlyReport.objects.create(period=quarter, version=1)

    with running_worker(worker_env, name="doomed") as worker:
        app.send_task("reports.compile_report", args=[report.pk])
        deadline = time.monotonic() + 60
        while QuarterlyReport.objects.get(pk=report.pk).status != "running":
            assert time.monotonic() < deadline, "the worker never started compiling"
            time.sleep(0.02)
        os.killpg(worker.pid, signal.SIGKILL)  # mid-compile: no chance to acknowledge or clean up
        worker.wait(timeout=10)
    assert QuarterlyReport.objects.get(pk=report.pk).status == "running"
    # Past the visibility timeout, so the next worker takes the orphaned task back at start.
    time.sleep(4)

    with running_worker(worker_env, name="rescuer"):
        deadline = time.monotonic() + 120
        while QuarterlyReport.objects.get(pk=report.pk).status != "ready":
            assert time.monotonic() < deadline, "the task was never redelivered"
            time.sleep(0.2)

    reports = list(QuarterlyReport.objects.values_list("version", "status", "attempts"))
    assert reports == [(1, "ready", 2)]
    assert sorted(p.suffix for p in (tmp_path / "media" / "reports" / str(report.pk)).iterdir()) == [
        ".docx",
        ".html",
        ".pdf",
        ".xlsx",
    ]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_child_killed_mid_compile_ends_in_one_ready_version_within_the_visibility_timeout(
    quarter, tmp_path
) -> None:
    url = require_redis()
    visibility = 120
    worker_env = {
        "CELERY_BROKER_URL": url,
        "CELERY_VISIBILITY_TIMEOUT": str(visibility),
        "REPORT_LEASE_SECONDS": "3",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    app = client_app(url, url, broker_transport_options={"visibility_timeout": visibility})
    report = QuarterlyReport.objects.create(period=quarter, version=1)

    with running_worker(worker_env, name="prefork", pool="prefork") as worker:
        started = time.monotonic()
        app.send_task("reports.compile_report", args=[report.pk])
        while QuarterlyReport.objects.get(pk=report.pk).status != "running":
            assert time.monotonic() - started < 60, "the worker never started compiling"
            time.sleep(0.02)
        children = children_of(worker.pid)
        assert len(children) == 1
        # The child alone dies: the main process sees it lost and puts the task back at once,
        # while the report still says "running" with a fresh start time.
        os.kill(children[0], signal.SIGKILL)
        while QuarterlyReport.objects.get(pk=report.pk).status != "ready":
            assert time.monotonic() - started < visibility, "not ready within the visibility timeout"
            time.sleep(0.2)

    assert list(QuarterlyReport.objects.values_list("version", "status", "attempts")) == [(1, "ready", 2)]


@pytest.mark.django_db
def test_a_double_clicked_compile_makes_one_version(quarter, csp_admin) -> None:
    from django.urls import reverse

    client = client_for(csp_admin)
    first = client.post(reverse("reports:compile", args=[BEDFORD]), {"period": quarter.pk})
    second = client.post(reverse("reports:compile", args=[BEDFORD]), {"period": quarter.pk})

    assert (first.status_code, second.status_code) == (302, 302)
    assert QuarterlyReport.objects.filter(period=quarter).count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_compile_side_by_side_each_version_exactly_once(quarter, tmp_path) -> None:
    """Scale-out is more workers against the one PostgreSQL and Redis: nothing else is shared."""
    from actionplans.models import ReportingPeriod

    url = require_redis()
    worker_env = {"CELERY_BROKER_URL": url, "MEDIA_ROOT": str(tmp_path / "media")}
    app = client_app(url, url)
    periods = list(ReportingPeriod.objects.filter(window_closes__lt=quarter.window_closes + dt.timedelta(days=1)))[:2]
    reports = [
        QuarterlyReport.objects.create(period=period, version=version) for period in periods for version in (1, 2)
    ]

    with running_worker(worker_env, name="first"), running_worker(worker_env, name="second"):
        for report in reports:
            app.send_task("reports.compile_report", args=[report.pk])
        deadline = time.monotonic() + 240
        while QuarterlyReport.objects.exclude(status="ready").exists():
            assert not QuarterlyReport.objects.filter(status="failed").exists()
            assert time.monotonic() < deadline, "not every version compiled"
            time.sleep(0.2)

    assert len(reports) == 4
    assert sorted(QuarterlyReport.objects.values_list("attempts", flat=True)) == [1, 1, 1, 1]
    for report in reports:  # its HTML, PDF, spreadsheet and Word document
        assert len(list((tmp_path / "media" / "reports" / str(report.pk)).iterdir())) == 4
