from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from actionplans.models import Action, ActionPlan, ActionUpdate, Indicator, IndicatorValue, Milestone, ReportingPeriod
from consultations.demo import CONFIDENCE_INDICATOR
from consultations.models import IndicatorFeed
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db


def test_history_shows_who_when_and_old_and_new_values(police_action, period, officer, csp_admin) -> None:
    milestone = police_action.milestones.get(title="Deliver ten sessions")
    client_for(csp_admin).post(
        reverse("actionplans:milestone_edit", args=[BEDFORD, milestone.pk]),
        {
            "version": "1",
            "title": "Deliver twelve sessions",
            "due_date_0": "30",
            "due_date_1": "4",
            "due_date_2": "2024",
        },
    )
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    client_for(officer).post(url, {"rag": "amber", "progress": "Started", "save_draft": ""})
    client_for(officer).post(url, {"version": "1", "rag": "red", "progress": "Stalled", "save_draft": ""})

    html = (
        client_for(officer)
        .get(reverse("actionplans:action_history", args=[BEDFORD, police_action.pk]))
        .content.decode()
    )

    assert "Milestone: Deliver twelve sessions changed" in html
    assert "by Aisha Khan" in html
    assert "Deliver ten sessions</td>" in html
    assert "31 March 2024</td>" in html
    assert "30 April 2024</td>" in html
    assert "by Priya Shah" in html
    assert "Amber</td>" in html
    assert "Red</td>" in html
    assert "Started</td>" in html
    assert "Stalled</td>" in html
    assert '<time datetime="2024-03-25T10:00:00+00:00">25 March 2024 at 10:00</time>' in html


def test_history_names_agencies_and_indicator_values_not_ids(
    police_action, period, officer, council, indicator
) -> None:
    police_action.supporting_agencies.add(council)
    police_action._history_user = officer
    police_action.save()
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    client_for(officer).post(
        url, {"rag": "amber", "progress": "x", f"indicator_{indicator.pk}_value": "41", "save_draft": ""}
    )

    html = (
        client_for(officer)
        .get(reverse("actionplans:action_history", args=[BEDFORD, police_action.pk]))
        .content.decode()
    )

    cells = '<td class="govuk-table__cell">(blank)</td><td class="govuk-table__cell">Bedford Borough Council</td>'
    assert f"Supporting agencies</th>{cells}" in html
    assert "Value of Recorded knife crime offences for 2023-24 Q4 created" in html


def test_load_demo_makes_every_state_for_two_years_once(plan, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo_users", stdout=None)
    call_command("load_demo")
    counts = (Action.objects.count(), ActionUpdate.objects.count(), IndicatorValue.objects.count())
    call_command("load_demo")

    assert (Action.objects.count(), ActionUpdate.objects.count(), IndicatorValue.objects.count()) == counts
    assert set(ReportingPeriod.objects.values_list("financial_year", flat=True)) == {2022, 2023}
    assert ActionPlan.objects.count() == 6
    themes = set(Action.objects.values_list("theme__text", flat=True))
    assert len(themes) == 13
    assert Action.objects.values("lead_agency").distinct().count() == 5
    assert not Action.objects.filter(is_illustrative=False).exists()
    assert set(ActionUpdate.objects.values_list("status", flat=True)) == {"draft", "submitted", "approved", "returned"}
    assert Indicator.objects.count() == 12
    assert Action.objects.exclude(owner=None).count() == Action.objects.count()
    current = ReportingPeriod.objects.current(dt.date(2024, 3, 25))
    assert current is not None
    assert current.is_open(dt.date(2024, 3, 25))


def test_load_demo_scales_everything_under_the_actions(plan, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    one = (Action.objects.count(), Milestone.objects.count(), ActionUpdate.objects.count())
    call_command("load_demo", "--scale", "3")
    three = (Action.objects.count(), Milestone.objects.count(), ActionUpdate.objects.count())
    assert three[:2] == (3 * one[0], 3 * one[1])
    # Each copy cycles through the update states from a different start, so about three times.
    assert 2.9 * one[2] <= three[2] <= 3.1 * one[2]


def test_load_demo_is_refused_without_debug(plan, settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only made when DEBUG is on"):
        call_command("load_demo")


def test_illustrative_actions_are_labelled_on_every_page_that_shows_them(plan, settings, officer) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    action = Action.objects.filter(lead_agency=officer.agency, plan__financial_year=2023).first()
    client = client_for(officer)
    tag = '<strong class="govuk-tag govuk-tag--purple">Illustrative</strong>'
    for url in [action.get_absolute_url(), action.plan.get_absolute_url(), reverse("actionplans:my_actions")]:
        assert tag in client.get(url).content.decode(), url


def test_demo_figures_are_ones_a_board_would_believe(plan, settings) -> None:
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")  # a second run invents nothing beside the survey's figure

    values = IndicatorValue.objects.select_related("indicator")
    counts = [v for v in values if v.indicator.is_count]
    assert counts
    assert all(v.value == v.value.to_integral_value() for v in counts), "a count is a whole number"
    confidence = Indicator.objects.get(title=CONFIDENCE_INDICATOR)
    fed = IndicatorFeed.objects.get(indicator=confidence)
    assert list(IndicatorValue.objects.filter(indicator=confidence).values_list("period", "value")) == [
        (fed.period_id, fed.value)
    ]
