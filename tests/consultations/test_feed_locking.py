"""Feeding an indicator writes through the one lock every writer takes: a feed started from
an older value is refused, and an officer's form opened before a feed is refused too."""

from __future__ import annotations

from decimal import Decimal

import pytest

from actionplans.models import Indicator, IndicatorValue, ReportingPeriod
from actionplans.services import IndicatorEntry, indicator_value_save
from consultations.demo import demo_load as consultation_demo_load
from consultations.models import Consultation
from consultations.services import indicator_feed
from core.models import StaleEdit
from tests.helpers import bedford

pytestmark = pytest.mark.django_db


@pytest.fixture
def fed(survey: Consultation, plan, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    consultation_demo_load()
    indicator = Indicator.objects.create(
        priority=plan.priorities.get(number=3), title="Residents confident", unit="%", higher_is_better=True
    )
    period = ReportingPeriod.objects.create(
        partnership=bedford(), financial_year=2023, quarter=2, window_opens="2023-09-16", window_closes="2023-10-15"
    )
    return survey, indicator, period


def _officer_writes(indicator: Indicator, period: ReportingPeriod, value: str, version: int | None, user) -> None:
    indicator_value_save(
        indicator_id=indicator.pk,
        period=period,
        entry=IndicatorEntry(value=Decimal(value), provisional=False, note="officer", version=version),
        user=user,
    )


def test_a_feed_from_an_older_version_is_refused_and_the_newer_value_kept(fed, officer, csp_admin) -> None:
    survey, indicator, period = fed
    _officer_writes(indicator, period, "40", None, officer)
    seen = IndicatorValue.objects.get(indicator=indicator, period=period).version
    _officer_writes(indicator, period, "41", seen, officer)  # changed after the admin looked

    with pytest.raises(StaleEdit):
        indicator_feed(
            question=survey.headline_question, indicator=indicator, period=period, user=csp_admin, expected_version=seen
        )

    value = IndicatorValue.objects.get(indicator=indicator, period=period)
    assert value.value == Decimal("41.00")
    assert value.note == "officer"


def test_a_feed_makes_a_form_opened_before_it_stale(fed, officer, csp_admin) -> None:
    survey, indicator, period = fed
    _officer_writes(indicator, period, "40", None, officer)
    opened = IndicatorValue.objects.get(indicator=indicator, period=period).version

    indicator_feed(question=survey.headline_question, indicator=indicator, period=period, user=csp_admin)

    with pytest.raises(StaleEdit):
        _officer_writes(indicator, period, "45", opened, officer)
    value = IndicatorValue.objects.get(indicator=indicator, period=period)
    assert value.value == Decimal("33.90")
    assert value.version == opened + 1
