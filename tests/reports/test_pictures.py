"""Pictures on the dashboard and in the report: direction of travel as an arrow only for a real
change, "better" or "worse" in words and the whole judgement for assistive technology; a
stacked bar of each priority's actions and milestones with every count in its text alternative;
each indicator's trend as a line over its target band, broken where a quarter has no figure;
and how long each exception has run, in words with a dot a quarter."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from actionplans.models import Indicator
from reports.files import render_html
from reports.quarter import report_build, snapshot_date
from reports.templatetags.report_tags import long_date
from tests.helpers import BEDFORD, client_for, priority_pk

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


def _sparkline(series: list[tuple[str, float]], **row: object) -> str:
    row = {"unit": "offences", "higher_is_better": False, "target": 90.0, "tolerance": 5.0, "series": series} | row
    return Template("{% load report_tags %}{% sparkline row %}").render(Context({"row": row}))


def _lines(svg: str) -> list[list[tuple[float, float]]]:
    return [
        [(float(x), float(y)) for x, y in (point.split(",") for point in points.split())]
        for points in re.findall(r'<polyline points="([^"]+)"', svg)
    ]


YEARS = ["2022-23 Q1", "2022-23 Q2", "2022-23 Q3", "2022-23 Q4", "2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4"]


def test_the_sparkline_follows_the_figures_lowest_drawn_lowest() -> None:
    values = [98, 95, 100, 90, 80, 88, 86, 84]
    [line] = _lines(_sparkline(list(zip(YEARS, values, strict=True))))

    assert len(line) == 8
    assert [x for x, _ in line] == sorted(x for x, _ in line)
    heights = [y for _, y in line]  # SVG's y grows downwards
    assert heights.index(max(heights)) == values.index(min(values))
    assert heights.index(min(heights)) == values.index(max(values))
    assert sorted(range(8), key=lambda i: heights[i]) == sorted(range(8), key=lambda i: -values[i])


def test_a_quarter_with_no_figure_breaks_the_line_and_is_named() -> None:
    series = [(YEARS[0], 98), (YEARS[1], 95), (YEARS[3], 90), (YEARS[4], 80), (YEARS[6], 86)]
    svg = _sparkline(series)

    lines = _lines(svg)
    assert [len(line) for line in lines] == [2, 2]
    assert lines[0][-1][0] < lines[1][0][0]  # no segment bridges 2022-23 Q3
    dots = re.findall(r'<circle cx="([\d.]+)"', svg)
    assert len(dots) == 1  # 2023-24 Q3 stands alone, and is also the latest
    assert "no figure for 2022-23 Q3, 2023-24 Q2;" in svg


def test_the_target_line_and_near_target_band_are_drawn_at_the_target() -> None:
    # Lower is better: 90 is the target and up to 95 is still near it.
    svg = _sparkline(list(zip(YEARS[:4], [100, 95, 90, 80], strict=True)))
    [line] = _lines(svg)
    at_95, at_90 = line[1][1], line[2][1]

    target_y = float(re.search(r'<line class="app-sparkline__target" x1="0" y1="([\d.]+)"', svg).group(1))
    band = re.search(r'<rect class="app-sparkline__band" x="0" y="([\d.]+)" width="120" height="([\d.]+)"', svg)
    assert target_y == at_90
    assert float(band.group(1)) == at_95
    assert float(band.group(1)) + float(band.group(2)) == pytest.approx(at_90, abs=0.11)

    no_tolerance = _sparkline(list(zip(YEARS[:4], [100, 95, 90, 80], strict=True)), tolerance=0)
    assert "app-sparkline__band" not in no_tolerance
    assert "app-sparkline__target" in no_tolerance
    assert "app-sparkline__target" not in _sparkline([(YEARS[0], 5)], target=None)


def test_the_sparkline_is_named_by_its_quarters_first_and_last_figures_and_target() -> None:
    svg = _sparkline(list(zip(YEARS, [98, 95, 100, 90, 80, 88, 86, 84], strict=True)))

    name = "Quarterly figures from 2022-23 Q1 to 2023-24 Q4: 98 to 84; target 90 or fewer (near target up to 95)"
    assert f'<svg class="app-sparkline" role="img" aria-label="{name}"' in svg
    assert f"<title>{name}</title>" in svg
    percent = _sparkline([(YEARS[7], 36.6)], unit="%", higher_is_better=True, target=40.0, tolerance=0)
    assert 'aria-label="Quarterly figure for 2023-24 Q4: 36.6 %; target 40 % or higher"' in percent
    assert "No figures yet" in _sparkline([])


def test_in_the_pdf_the_sparkline_is_the_same_drawing_smaller() -> None:
    row = {"unit": "%", "higher_is_better": True, "target": 40.0, "series": [(YEARS[0], 30), (YEARS[1], 35)]}
    render = Template("{% load report_tags %}{% sparkline row %}").render

    assert 'viewBox="0 0 120 32" width="120" height="32"' in render(Context({"row": row}))
    assert 'viewBox="0 0 120 32" width="72" height="19.2"' in render(Context({"row": row, "for_print": True}))


def test_the_sparkline_shows_the_last_two_years_only() -> None:
    earlier = [("2021-22 Q3", 500), ("2021-22 Q4", 400)]
    svg = _sparkline(earlier + list(zip(YEARS, [98, 95, 100, 90, 80, 88, 86, 84], strict=True)))

    assert [len(line) for line in _lines(svg)] == [8]
    assert "from 2022-23 Q1 to 2023-24 Q4: 98 to 84" in svg


def test_every_indicator_row_has_its_trend_on_the_dashboard_and_the_priority_page(quarter, officer) -> None:
    client = client_for(officer)
    dashboard = reverse("reports:dashboard", args=[BEDFORD])
    priority = reverse("reports:priority", args=[BEDFORD, priority_pk(1)])
    for url, indicators in (
        (dashboard, Indicator.objects.count()),
        (priority, Indicator.objects.filter(priority_id=priority_pk(1)).count()),
    ):
        html = client.get(url, {"period": quarter.pk}).content.decode()

        assert '<th scope="col" class="govuk-table__header">Trend</th>' in html
        rows = [row for row in re.findall(r"<tr .*?</tr>", html, re.S) if "app-trend app-trend--" in row]
        assert len(rows) == indicators > 0
        for row in rows:
            assert row.count('<svg class="app-sparkline" role="img" aria-label="Quarterly figures from ') == 1, row


@pytest.mark.parametrize(
    ("quarters", "words", "dots"),
    [
        (1, "New this quarter", 1),
        (2, "2nd quarter running", 2),
        (3, "3rd quarter running", 3),
        (11, "11th quarter running", 8),
        (22, "22nd quarter running", 8),
    ],
)
def test_an_exception_run_is_said_in_words_with_a_dot_a_quarter(quarters, words, dots) -> None:
    html = Template("{% load report_tags %}{% exception_run n %}").render(Context({"n": quarters}))

    assert f'<span class="govuk-body-s">{words}</span>' in html
    assert html.count("<circle ") == dots
    assert 'aria-hidden="true"' in html


def test_the_exceptions_page_and_the_report_say_how_long_each_exception_has_run(quarter, officer) -> None:
    exceptions = reverse("reports:exceptions", args=[BEDFORD])
    page = client_for(officer).get(exceptions, {"period": quarter.pk}).content.decode()
    report = render_html(report_build(quarter), version=1, charts={}, for_print=True)

    for html in (page, report):
        runs = re.findall(
            r'>(\d+)<br><span class="app-exception-run">.*?<span class="govuk-body-s">([^<]+)</span>', html
        )
        assert runs
        for number, words in runs:
            assert words == ("New this quarter" if number == "1" else f"{number}{words[len(number) :]}")
            assert words == "New this quarter" or words.endswith(" quarter running")
        assert {words for _, words in runs} > {"New this quarter"}
