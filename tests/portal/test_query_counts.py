"""Each page costs the same number of queries with the shipped plan and with ten times as much."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from priorities.models import Priority
from priorities.scale import plan_scale_up
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db


def _first_priority() -> str:
    return Priority.objects.get(number=1).get_absolute_url()


# (page, URL, the queries it costs)
PAGES: list[tuple[str, Callable[[], str], int]] = [
    ("home", lambda: reverse("priorities:home", args=[BEDFORD]), 10),
    ("priority", _first_priority, 13),
    ("glossary", lambda: reverse("priorities:glossary", args=[BEDFORD]), 6),
    ("accessibility", lambda: reverse("accessibility"), 3),
]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(("page", "url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_costs_the_same_queries_at_ten_times_the_data(plan, officer, page, url, expected) -> None:
    client = client_for(officer)
    client.get(url())  # the first request of a session saves it; measure the steady state

    at_shipped_size = _queries(client, url())
    plan_scale_up(plan=plan, factor=10)
    assert Priority.objects.count() == 30
    at_ten_times = _queries(client, url())

    assert (at_shipped_size, at_ten_times) == (expected, expected)
