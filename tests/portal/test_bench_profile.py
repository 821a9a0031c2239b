"""`make profile` (bench/profile.py): one request's time split into its parts, on a page
made in the test, with the SQL it counts the same as Django's own capture counts."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from bench.profile import Profile, profile_page, timers
from priorities.models import StrategicPlan
from tests.helpers import client_for


def test_profile_of_a_priority(plan: StrategicPlan, officer: User) -> None:
    client = client_for(officer)
    url = plan.priorities.get(number=1).get_absolute_url()
    profile = profile_page(client, url)

    assert profile.status == 200
    assert "priorities/priority_detail.html" in profile.templates
    assert profile.total_ms >= profile.handler_ms >= profile.view_ms > 0
    assert 0 < profile.template_ms < profile.view_ms
    assert profile.sql_ms > 0
    assert profile.abbr_calls > 0  # the priorities' text, marked up from the plan's glossary
    report = profile.report()
    for part in ("total", "SQL", "template rendering", "glossary abbr markup", "crispy forms", "middleware"):
        assert f"  {part} " in report, part
    assert f"({profile.queries} queries)" in report

    again = Profile(path=url, status=0)
    with CaptureQueriesContext(connection) as captured, timers(again):
        client.get(url)
    assert again.queries == len(captured) > 0


def test_profile_of_a_crispy_form_rendered_after_its_view(db: None) -> None:
    # The sign-in page is a class-based view's TemplateResponse, rendered after the view returns.
    profile = profile_page(client_for(None), reverse("accounts:login"))
    assert profile.status == 200
    assert profile.crispy_calls == 1
    assert 0 < profile.crispy_ms <= profile.template_ms <= profile.view_ms
