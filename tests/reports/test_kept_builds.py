"""The dashboard pages keep their build and their HTML (core.generation) and show an edit
at once: the request after an edit already has it, whichever way the edit was written."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans.models import Action, ActionUpdate, Indicator, IndicatorValue, ReportingPeriod
from reports.quarter import quarter_exceptions
from tests.helpers import BEDFORD, client_for, priority_pk

# Committed edits, as another person's request would make them (on PostgreSQL the
# generation is the snapshot, which moves when a transaction commits).
pytestmark = pytest.mark.django_db(transaction=True)


def _red_counts(html: str) -> list[str]:
    return re.findall(r"<strong>Actions:</strong> (\d+) red", html)


def _dashboard(quarter: ReportingPeriod) -> tuple[str, Callable[[], str], Callable[[str], bool]]:
    """A green return made red with a queryset's `.update()` (no signal, no history row)."""
    green = ActionUpdate.objects.filter(period=quarter, rag="green", status__in=["submitted", "approved"]).first()
    assert green is not None
    url = reverse("reports:dashboard", args=[BEDFORD])
    before: list[str] = []

    def edit() -> str:
        ActionUpdate.objects.filter(pk=green.pk).update(rag="red")
        return ""

    def shown(html: str) -> bool:
        if not before:
            before.extend(_red_counts(html))
            return False
        return sum(map(int, _red_counts(html))) == sum(map(int, before)) + 1

    return url, edit, shown


def _priority(quarter: ReportingPeriod) -> tuple[str, Callable[[], str], Callable[[str], bool]]:
    """An action of the priority renamed on its form's path (a save with history)."""
    action = Action.objects.filter(plan__priority__number=1, plan__financial_year=2023).order_by("pk").first()
    assert action is not None
    url = reverse("reports:priority", args=[BEDFORD, priority_pk(1)])

    def edit() -> str:
        action.title = "Knife-crime talks in every secondary school"
        action.save()
        return action.title

    return url, edit, lambda html: "Knife-crime talks in every secondary school" in html


def _exceptions(quarter: ReportingPeriod) -> tuple[str, Callable[[], str], Callable[[str], bool]]:
    """An exception's action renamed by raw SQL, the way a data fix would be."""
    action_id = quarter_exceptions(quarter)["exceptions"][0]["action_id"]
    url = reverse("reports:exceptions", args=[BEDFORD])

    def edit() -> str:
        table = connection.ops.quote_name(Action._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET title = %s WHERE id = %s", ["Renamed by a data fix", action_id])  # noqa: S608
        return ""

    return url, edit, lambda html: "Renamed by a data fix" in html


def _indicator(quarter: ReportingPeriod) -> tuple[str, Callable[[], str], Callable[[str], bool]]:
    """The quarter's figure changed by the bulk write an officer's return makes."""
    value = IndicatorValue.objects.filter(period=quarter).select_related("indicator").first()
    assert value is not None
    indicator: Indicator = value.indicator
    url = reverse("reports:indicator", args=[BEDFORD, indicator.pk])

    def edit() -> str:
        value.value = 987
        IndicatorValue.objects.bulk_update([value], ["value"])
        return ""

    return url, edit, lambda html: "987" in html


PAGES = {"dashboard": _dashboard, "priority": _priority, "exceptions": _exceptions, "indicator": _indicator}


def _get(client, url: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(captured)


@pytest.mark.parametrize("page", PAGES.values(), ids=PAGES.keys())
def test_a_kept_dashboard_page_shows_an_edit_on_the_next_request(quarter, csp_admin, page) -> None:
    url, edit, shown = page(quarter)
    url = f"{url}?period={quarter.pk}"
    client = client_for(csp_admin)
    client.get(reverse("accessibility"))  # the session's first write, out of the counts
    first, built_queries = _get(client, url)
    assert not shown(first)

    _, kept_queries = _get(client, url)
    assert kept_queries < built_queries  # kept: the quarter is not read again

    edit()
    after, _ = _get(client, url)
    assert shown(after)
