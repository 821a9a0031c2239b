"""The update form shows last quarter's update beside each field and copies its text on request."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionplans.models import ActionUpdate, Indicator, IndicatorValue
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

# The editable update form (the pin in test_query_counts.py reads a submitted, locked one):
# two of these read last quarter's update and values.
UPDATE_FORM_QUERIES = 12


@pytest.fixture
def last_quarter(police_action, closed_period, indicator) -> ActionUpdate:
    IndicatorValue.objects.create(indicator=indicator, period=closed_period, value=61)
    return ActionUpdate.objects.create(
        action=police_action,
        period=closed_period,
        rag="amber",
        progress="Four sessions delivered.\nSchools {{ booked }} for spring.",
        issues_and_risks="Exam season <b>limits</b> school time.",
        support_requested="",
        status="approved",
    )


def _url(action, period) -> str:
    return reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk])


def test_last_quarters_rag_words_and_values_show_beside_each_field(
    police_action, period, officer, last_quarter
) -> None:
    html = client_for(officer).get(_url(police_action, period)).content.decode()

    assert html.count("Last quarter (2023-24 Q3):") == 4  # RAG, progress, issues, the indicator
    assert "Four sessions delivered.<br>Schools {{ booked }} for spring." in html  # as typed, not a template
    assert "Exam season &lt;b&gt;limits&lt;/b&gt; school time." in html
    assert "61 offences" in html
    assert "Copy last quarter's text into the empty boxes</button>" in html


def test_copying_fills_only_the_empty_boxes_and_saves_nothing(police_action, period, officer, last_quarter) -> None:
    response = client_for(officer).post(
        _url(police_action, period),
        {"version": "", "rag": "", "progress": "", "issues_and_risks": "My own words.", "copy_last": ""},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(
        r'name="progress"[^>]*>\s*Four sessions delivered.\nSchools \{\{ booked \}\} for spring.</textarea>', html
    )
    assert re.search(r'name="issues_and_risks"[^>]*>\s*My own words.</textarea>', html)  # kept, not overwritten
    assert "nothing is saved yet" in html
    assert not ActionUpdate.objects.filter(period=period).exists()


def test_with_no_update_last_quarter_the_form_says_nothing_of_it(police_action, period, officer) -> None:
    html = client_for(officer).get(_url(police_action, period)).content.decode()

    assert "Last quarter (" not in html
    assert "copy_last" not in html


def test_the_form_with_last_quarter_costs_the_same_queries_with_more_indicators(
    police_action, period, closed_period, officer, last_quarter, priority_one
) -> None:
    client, url = client_for(officer), _url(police_action, period)
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        more = Indicator.objects.create(priority=priority_one, title=f"Indicator {n}", unit="%", higher_is_better=True)
        police_action.indicators.add(more)
        IndicatorValue.objects.create(indicator=more, period=closed_period, value=10 + n)
    after = queries()

    assert before == after == UPDATE_FORM_QUERIES
