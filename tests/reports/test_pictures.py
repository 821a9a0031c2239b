"""Pictures on the dashboard and in the report: direction of travel as an arrow only for a real
change, "better" or "worse" in words and the whole judgement for assistive technology; a
stacked bar of each priority's actions and milestones with every count in its text alternative."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from reports.files import render_html
from reports.quarter import report_build, snapshot_date
from reports.templatetags.report_tags import long_date
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db


def _trend(direction: str, higher_is_better: bool, *, for_print: bool = False) -> str:
    template = Template("{% load report_tags %}{% trend direction higher %}")
    return template.render(Context({"direction": direction, "higher": higher_is_better, "for_print": for_print}))


@pytest.mark.parametrize(
    ("direction", "higher_is_better", "arrow", "words", "said"),
    [
        ("improving", True, "▲", "better", "Improving: the figure rose"),
        ("improving", False, "▼", "better", "Improving: the figure fell"),
        ("worsening", True, "▼", "worse", "Worsening: the figure fell"),
        ("worsening", False, "▲", "worse", "Worsening: the figure rose"),
    ],
)
def test_a_real_change_has_an_arrow_the_way_the_figure_moved(direction, higher_is_better, arrow, words, said) -> None:
    html = _trend(direction, higher_is_better)

    assert f'<span aria-hidden="true"><span class="app-trend__arrow">{arrow}</span> {words}</span>' in html
    assert f'<span class="govuk-visually-hidden">{said}</span>' in html
    assert f"app-trend--{direction}" in html


def test_no_real_change_has_no_arrow() -> None:
    html = _trend("no real change", True)

    assert "▲" not in html
    assert "▼" not in html
    assert '<span aria-hidden="true"><span class="app-trend__arrow">–</span> </span>' in html
    assert '<span class="govuk-visually-hidden">No real change</span>' in html


def test_in_the_pdf_the_words_are_the_text_itself() -> None:
    assert "visually-hidden" not in _trend("worsening", False, for_print=True)
    assert "No real change" in _trend("no real change", True, for_print=True)


def test_the_dashboard_shows_arrows_with_a_key_not_a_sentence_per_row(quarter, officer) -> None:
    dashboard = reverse("reports:dashboard", args=[BEDFORD])
    html = client_for(officer).get(dashboard, {"period": quarter.pk}).content.decode()

    assert "Against last quarter:" not in html
    assert "Direction of travel: " in html  # the key
    assert ">Since last quarter</th>" in html
    assert ">Since last year</th>" in html
    assert len(re.findall(r'class="app-trend app-trend--', html)) >= 2


def test_each_priority_card_has_a_bar_of_its_actions_and_milestones_saying_every_count(quarter, officer) -> None:
    dashboard = reverse("reports:dashboard", args=[BEDFORD])
    html = client_for(officer).get(dashboard, {"period": quarter.pk}).content.decode()

    bars = re.findall(r'<svg class="app-rag-bar" role="img" aria-label="([^"]+)"', html)
    assert any(label.startswith("Actions: ") for label in bars)
    assert any(label.startswith("Milestones: ") for label in bars)
    for label in bars:
        assert re.fullmatch(r"(Actions|Milestones): \d+ [a-z ]+(, \d+ [a-z ]+)*", label), label


def test_a_bar_is_as_wide_as_each_share_and_names_only_the_parts_there_are() -> None:
    html = Template('{% load report_tags %}{% rag_bar counts "actions" %}').render(
        Context({"counts": {"red": 1, "amber": 0, "green": 3, "none": 0}})
    )

    assert 'aria-label="Actions: 1 red, 3 green"' in html
    assert '<rect x="0.00" y="0" width="25.00"' in html
    assert '<rect x="25.00" y="0" width="75.00"' in html
    nothing = Template('{% load report_tags %}{% rag_bar counts "actions" %}').render(Context({"counts": {}}))
    assert not nothing.strip()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2027-03-31", "31 March 2027"),
        ("2024-04-20T09:00:00+01:00", "20 April 2024"),
        (dt.date(2024, 6, 1), "1 June 2024"),
        ("not a date", "not a date"),
        (None, None),
    ],
)
def test_report_dates_are_written_as_gov_uk_writes_them(value, shown) -> None:
    assert long_date(value) == shown


def test_the_report_writes_no_iso_dates(quarter, csp_admin) -> None:
    html = render_html(report_build(quarter), version=1, charts={}, for_print=False)

    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", re.sub(r"<[^>]+>", " ", html))
    assert "1 January 2024 to 31 March 2024" in html


def test_the_cover_and_the_appendix_name_the_same_frozen_day() -> None:
    # 23:30 UTC on 31 March 2024 is already 1 April in London (British Summer Time).
    frozen = "2024-03-31T23:30:00+00:00"

    assert snapshot_date(frozen) == dt.date(2024, 4, 1)
    assert long_date(frozen) == "1 April 2024"
