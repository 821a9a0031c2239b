"""Bad input gets a clear message and changes nothing: never a server error, never Python's
or the database's own words."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from actionplans.models import Action, ActionUpdate, Indicator
from core.forms import NARRATIVE_LIMIT, PortalFormMixin
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("chosen", ["²", "١٢", "9" * 30, "-1", "1.0"])
def test_a_period_named_by_anything_but_a_plain_id_is_not_found(period, board_member, chosen: str) -> None:  # type: ignore[no-untyped-def]
    response = client_for(board_member).get(reverse("reports:dashboard", args=[BEDFORD]), {"period": chosen})

    assert response.status_code == 200  # not an id: the page shows its default quarter
    assert response.context["period"] == period


def test_a_compile_for_a_period_named_by_a_superscript_is_not_found(period, csp_admin) -> None:  # type: ignore[no-untyped-def]
    assert client_for(csp_admin).post(reverse("reports:compile", args=[BEDFORD]), {"period": "²"}).status_code == 404


def test_a_rule_the_database_keeps_is_said_plainly_wherever_the_record_is_saved(police_action) -> None:  # type: ignore[no-untyped-def]
    # The admin and every service validate through the model, not through the portal's form.
    police_action.due_date = police_action.start_date.replace(year=police_action.start_date.year - 1)

    with pytest.raises(ValidationError) as refused:
        police_action.full_clean()

    assert refused.value.messages == ["The due date must be the same as or after the start date"]
    assert Action.objects.get(pk=police_action.pk).due_date != police_action.due_date


def test_a_narrative_over_the_limit_is_refused_in_words_and_kept_on_the_page(police_action, period, officer) -> None:  # type: ignore[no-untyped-def]
    long = "word " * (NARRATIVE_LIMIT // 5 + 1)
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])

    response = client_for(officer).post(url, {"version": "", "rag": "amber", "progress": long, "save_draft": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Progress this quarter must be {NARRATIVE_LIMIT:,} characters or fewer" in html
    assert long.strip() in html  # what they typed is still there to shorten
    assert f'data-maxlength="{NARRATIVE_LIMIT}"' in html  # GOV.UK's character count says how far over
    assert not re.search(r"<textarea[^>]*\smaxlength", html)  # a browser would cut a paste short without a word
    assert not ActionUpdate.objects.exists()


def test_a_tampered_version_field_says_so_and_saves_nothing(police_action, period, officer) -> None:  # type: ignore[no-untyped-def]
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])

    response = client_for(officer).post(url, {"version": "abc", "rag": "amber", "progress": "Done", "save_draft": ""})

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert PortalFormMixin.TAMPERED.split(",")[0] in html
    assert not ActionUpdate.objects.exists()


def test_the_lockout_page_says_how_long_in_words(plan, officer, client) -> None:  # type: ignore[no-untyped-def]
    for _ in range(6):
        response = client.post(reverse("accounts:login"), {"username": officer.email, "password": "wrong password"})

    html = response.content.decode()
    assert response.status_code == 429
    assert "locked for 30 minutes" in html
    assert "PT30M" not in html


@pytest.mark.parametrize(
    ("unit", "typed", "message"),
    [
        ("offences", "-3", "The figure for Measured thing is a count of offences: it cannot be negative"),
        ("%", "101", "The figure for Measured thing is a percentage: enter a number from 0 to 100"),
        ("%", "-0.5", "The figure for Measured thing is a percentage: enter a number from 0 to 100"),
    ],
)
def test_a_figure_that_cannot_be_is_refused_in_words_and_kept(  # type: ignore[no-untyped-def]
    police_action, period, officer, priority_one, unit: str, typed: str, message: str
) -> None:
    measured = Indicator.objects.create(priority=priority_one, title="Measured thing", unit=unit, higher_is_better=True)
    police_action.indicators.add(measured)
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    field = f"indicator_{measured.pk}_value"

    response = client_for(officer).post(
        url, {"version": "", "rag": "amber", "progress": "x", field: typed, "save_draft": ""}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count(message) == 2  # once in the error summary, once by the box
    assert f'value="{typed}"' in html
    assert not ActionUpdate.objects.exists()


@pytest.mark.parametrize(("unit", "typed"), [("%", "100"), ("%", "0"), ("offences", "0"), ("offences", "4000")])
def test_a_figure_in_range_is_saved(police_action, period, officer, priority_one, unit: str, typed: str) -> None:  # type: ignore[no-untyped-def]
    measured = Indicator.objects.create(priority=priority_one, title="Measured thing", unit=unit, higher_is_better=True)
    police_action.indicators.add(measured)
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])

    response = client_for(officer).post(
        url, {"version": "", "rag": "amber", "progress": "x", f"indicator_{measured.pk}_value": typed, "save_draft": ""}
    )

    assert response.status_code == 302
    assert ActionUpdate.objects.get().status == "draft"
