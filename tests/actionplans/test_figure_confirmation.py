"""A figure far from last quarter's is questioned, and saved only once confirmed or corrected."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from actionplans.forms import far_from_last
from actionplans.models import ActionUpdate, Indicator, IndicatorValue
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

ASKED = escape(
    "112 for Recorded knife crime offences is 4 times last quarter's 28: check it, then tick to confirm it is right"
)


@pytest.fixture
def last_value(indicator, closed_period) -> IndicatorValue:
    return IndicatorValue.objects.create(indicator=indicator, period=closed_period, value=28)


def _url(action, period) -> str:
    return reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk])


def _post(officer, action, period, indicator, typed: str, button: str = "save_draft", **more: str):
    data = {
        "version": "",
        "rag": "amber",
        "progress": "Four sessions delivered, words not to lose.",
        f"indicator_{indicator.pk}_value": typed,
        button: "",
        **more,
    }
    return client_for(officer).post(_url(action, period), data)


def _saved(indicator, period) -> Decimal | None:
    value = IndicatorValue.objects.filter(indicator=indicator, period=period).first()
    return value.value if value else None


@pytest.mark.parametrize("button", ["save_draft", "submit_update"])
def test_a_far_high_figure_is_questioned_kept_and_nothing_is_saved(
    police_action, period, officer, indicator, last_value, button: str
) -> None:
    response = _post(officer, police_action, period, indicator, "112", button)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(ASKED) == 2  # once in the error summary, once by the box
    assert f'<a href="#id_indicator_{indicator.pk}_value">{ASKED}</a>' in html  # the summary goes to the figure
    confirm = re.search(rf'<input type="checkbox" name="indicator_{indicator.pk}_confirm"[^>]*>', html)
    assert confirm is not None
    assert 'value="112"' in confirm.group()  # it vouches for the figure it is shown beside
    assert "checked" not in confirm.group()
    assert "This figure is right" in html
    assert 'value="112"' in html
    assert "Four sessions delivered, words not to lose." in html  # nobody's words lost
    assert not ActionUpdate.objects.exists()
    assert _saved(indicator, period) is None


def test_a_far_low_figure_is_questioned_too(police_action, period, officer, indicator, last_value) -> None:
    html = _post(officer, police_action, period, indicator, "9").content.decode()

    assert escape("9 for Recorded knife crime offences is under a third of last quarter's 28") in html
    assert _saved(indicator, period) is None


@pytest.mark.parametrize("button", ["save_draft", "submit_update"])
def test_a_far_figure_confirmed_is_saved(police_action, period, officer, indicator, last_value, button: str) -> None:
    response = _post(
        officer, police_action, period, indicator, "112", button, **{f"indicator_{indicator.pk}_confirm": "112"}
    )

    assert response.status_code == 302
    assert _saved(indicator, period) == 112


def test_a_far_figure_corrected_is_saved_without_confirming(
    police_action, period, officer, indicator, last_value
) -> None:
    assert _post(officer, police_action, period, indicator, "112").status_code == 200

    assert _post(officer, police_action, period, indicator, "12").status_code == 302
    assert _saved(indicator, period) == 12


@pytest.mark.parametrize("typed", ["84", "10", "28", "9.34"])
def test_a_figure_within_three_times_either_way_is_saved_and_never_asked(
    police_action, period, officer, indicator, last_value, typed: str
) -> None:
    response = _post(officer, police_action, period, indicator, typed)

    assert response.status_code == 302
    assert _saved(indicator, period) == Decimal(typed)


def test_the_confirm_box_is_not_on_the_form_until_a_figure_is_questioned(
    police_action, period, officer, indicator, last_value
) -> None:
    html = client_for(officer).get(_url(police_action, period)).content.decode()

    assert f"indicator_{indicator.pk}_value" in html
    assert "_confirm" not in html


@pytest.mark.parametrize("last", [None, 0])
def test_with_no_or_a_zero_last_quarter_nothing_is_asked(
    police_action, period, closed_period, officer, indicator, last: int | None
) -> None:
    if last is not None:
        IndicatorValue.objects.create(indicator=indicator, period=closed_period, value=last)

    response = _post(officer, police_action, period, indicator, "5000")

    assert response.status_code == 302
    assert _saved(indicator, period) == 5000


def test_a_confirmed_draft_figure_submits_without_a_second_ask(
    police_action, period, officer, indicator, last_value
) -> None:
    confirm = {f"indicator_{indicator.pk}_confirm": "112"}
    assert _post(officer, police_action, period, indicator, "112", **confirm).status_code == 302
    version = str(IndicatorValue.objects.get(indicator=indicator, period=period).version)
    update_version = str(ActionUpdate.objects.get().version)

    response = _post(
        officer,
        police_action,
        period,
        indicator,
        "112",
        "submit_update",
        version=update_version,
        **{f"indicator_{indicator.pk}_version": version},
    )

    assert response.status_code == 302
    assert ActionUpdate.objects.get().status == "submitted"


def test_a_box_ticked_for_one_figure_does_not_vouch_for_another(
    police_action, period, officer, indicator, last_value
) -> None:
    response = _post(officer, police_action, period, indicator, "1120", **{f"indicator_{indicator.pk}_confirm": "112"})

    html = response.content.decode()
    assert escape("1120 for Recorded knife crime offences is 40 times last quarter's 28") in html
    confirm = re.search(rf'<input type="checkbox" name="indicator_{indicator.pk}_confirm"[^>]*>', html)
    assert confirm is not None
    assert 'value="1120"' in confirm.group()  # it now vouches for the figure shown
    assert "checked" not in confirm.group()
    assert _saved(indicator, period) is None


def test_a_ticked_box_stays_ticked_when_the_form_is_refused_for_something_else(
    police_action, period, officer, indicator, last_value
) -> None:
    response = _post(
        officer,
        police_action,
        period,
        indicator,
        "112",
        "submit_update",
        rag="",
        **{f"indicator_{indicator.pk}_confirm": "112"},
    )

    html = response.content.decode()
    assert "Select a RAG rating to submit the update" in html
    assert ASKED not in html
    assert re.search(rf'name="indicator_{indicator.pk}_confirm"[^>]*checked', html)


def test_questioning_figures_costs_no_query_per_indicator(
    police_action, period, closed_period, officer, indicator, last_value, priority_one
) -> None:
    def queries() -> int:
        typed = {f"indicator_{i.pk}_value": "999" for i in police_action.indicators.all()}
        client = client_for(officer)  # signing in is not the form's cost
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                _url(police_action, period), {"version": "", "rag": "amber", "progress": "x", "save_draft": "", **typed}
            )
        assert response.status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        more = Indicator.objects.create(
            priority=priority_one, title=f"Indicator {n}", unit="offences", higher_is_better=False
        )
        police_action.indicators.add(more)
        IndicatorValue.objects.create(indicator=more, period=closed_period, value=10 + n)

    assert queries() == before


@pytest.mark.parametrize(
    ("value", "last", "words"),
    [
        ("112", "28", "4 times"),
        ("100", "28", "about 4 times"),
        ("85", "28", "about 3 times"),
        ("84", "28", None),
        ("9", "28", "under a third of"),
        ("0", "28", "under a third of"),
        ("10", "28", None),
        ("5", "0", None),
    ],
)
def test_how_far_a_figure_is_is_said_in_words(value: str, last: str, words: str | None) -> None:
    assert far_from_last(Decimal(value), Decimal(last)) == words
