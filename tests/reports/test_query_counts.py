"""The dashboard and report pages cost the same queries at ten times the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans.demo import demo_load
from actionplans.models import Action, Indicator
from priorities.models import Priority, StrategicPlan
from priorities.scale import plan_scale_up
from reports.models import QuarterlyReport
from reports.services import report_compile
from tests.helpers import BEDFORD, REPORT_DAY, client_for, priority_pk

pytestmark = pytest.mark.django_db

# A past quarter reads its priority titles, themes and which theme each action was on from
# history: three queries. The admin's pages read their authenticator app too (django-otp:
# the session gave its code): one query.
EXPECTED = {"dashboard": 22, "priority": 18, "exceptions": 16, "indicator": 10, "archive": 6, "report": 7}


def _more_history_and_indicators(factor: int) -> None:
    """Changes inside the quarter's "what changed" window, and indicators with values, so
    those sections grow with the data too."""
    import datetime as dt

    from actionplans.models import IndicatorValue, ReportingPeriod

    for action in Action.objects.filter(plan__financial_year=2023).order_by("pk")[: 2 * factor]:
        action.due_date += dt.timedelta(days=7)
        action.save()
    periods = list(ReportingPeriod.objects.all())
    for priority in Priority.objects.filter(indicators__isnull=True)[: 3 * factor]:
        indicator = Indicator.objects.create(
            priority=priority, title=f"Copy {priority.number}", unit="%", higher_is_better=True
        )
        IndicatorValue.objects.bulk_create(IndicatorValue(indicator=indicator, period=p, value=30) for p in periods)


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def test_dashboard_and_report_pages_cost_the_same_at_ten_times_the_data(quarter, csp_admin, settings) -> None:
    # What the pages cost to build; kept builds are pinned in tests/portal/test_kept_builds.py.
    settings.BUILT_CACHE_SECONDS = 0
    client = client_for(csp_admin)
    indicator = Indicator.objects.order_by("pk").first()
    report = QuarterlyReport.objects.create(period=quarter, version=1)
    report_compile(report_id=report.pk)
    urls = {
        "dashboard": reverse("reports:dashboard", args=[BEDFORD]),
        "priority": reverse("reports:priority", args=[BEDFORD, priority_pk(1)]),
        "exceptions": reverse("reports:exceptions", args=[BEDFORD]),
        "indicator": reverse("reports:indicator", args=[BEDFORD, indicator.pk]),
        "archive": reverse("reports:archive", args=[BEDFORD]),
        "report": report.get_absolute_url(),
    }
    _more_history_and_indicators(1)
    client.get(urls["dashboard"])

    at_one = {name: _count(client, url) for name, url in urls.items()}
    plan_scale_up(plan=StrategicPlan.objects.current(), factor=10)
    demo_load(today=REPORT_DAY, scale=1)
    assert Action.objects.count() >= 10 * 26
    _more_history_and_indicators(10)
    assert Indicator.objects.count() >= 10 * 3
    big = QuarterlyReport.objects.create(period=quarter, version=2)
    report_compile(report_id=big.pk)
    urls["report"] = big.get_absolute_url()
    at_ten = {name: _count(client, url) for name, url in urls.items()}

    assert at_one == EXPECTED
    assert at_ten == EXPECTED
