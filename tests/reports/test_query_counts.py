"""The dashboard and report pages cost the same queries at ten times the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans.demo import demo_load
from actionplans.models import Action, Indicator
from priorities.models import StrategicPlan
from priorities.scale import plan_scale_up
from reports.models import QuarterlyReport
from reports.services import report_compile
from tests.conftest import client_for
from tests.reports.conftest import REPORT_DAY

pytestmark = pytest.mark.django_db

EXPECTED = {"dashboard": 19, "priority": 20, "exceptions": 20, "indicator": 18, "archive": 7, "report": 7}


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_dashboard_and_report_pages_cost_the_same_at_ten_times_the_data(quarter, csp_admin) -> None:  # type: ignore[no-untyped-def]
    client = client_for(csp_admin)
    indicator = Indicator.objects.order_by("pk").first()
    report = QuarterlyReport.objects.create(period=quarter, version=1)
    report_compile(report_id=report.pk)
    urls = {
        "dashboard": reverse("reports:dashboard"),
        "priority": reverse("reports:priority", args=[1]),
        "exceptions": reverse("reports:exceptions"),
        "indicator": reverse("reports:indicator", args=[indicator.pk]),
        "archive": reverse("reports:archive"),
        "report": report.get_absolute_url(),
    }
    client.get(urls["dashboard"])

    at_one = {name: _count(client, url) for name, url in urls.items()}
    plan_scale_up(plan=StrategicPlan.objects.current(), factor=10)
    demo_load(today=REPORT_DAY, scale=1)
    assert Action.objects.count() >= 10 * 26
    big = QuarterlyReport.objects.create(period=quarter, version=2)
    report_compile(report_id=big.pk)
    urls["report"] = big.get_absolute_url()
    at_ten = {name: _count(client, url) for name, url in urls.items()}

    assert at_one == EXPECTED
    assert at_ten == EXPECTED
