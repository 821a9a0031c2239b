"""Only quarters that can be reported: a closed quarter compiles as the report, the running one
only as a draft marked as one, a quarter not started never; the quarter picker offers the
quarters with something to show. The day is 20 April 2024 (conftest): 2023-24 Q4 is over,
2024-25 Q1 runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from pypdf import PdfReader

from actionplans.models import ReportingPeriod
from reports.files import report_dir
from reports.models import QuarterlyReport
from reports.services import report_compile
from tests.helpers import BEDFORD, bedford, client_for

pytestmark = pytest.mark.django_db


def _dashboard(client, period: ReportingPeriod) -> str:
    return client.get(f"{reverse('reports:dashboard', args=[BEDFORD])}?period={period.pk}").content.decode()


def _period(fy: int, quarter: int) -> ReportingPeriod:
    return ReportingPeriod.objects.get(partnership=bedford(), financial_year=fy, quarter=quarter)


def test_a_closed_quarter_offers_its_report(quarter, csp_admin) -> None:
    html = _dashboard(client_for(csp_admin), quarter)

    assert "Compile report for 2023-24 Q4</button>" in html
    assert "draft" not in html.lower().split("<main")[1].split("</form>")[0]


def test_the_running_quarter_offers_only_a_draft_and_says_why(quarter, csp_admin) -> None:
    html = _dashboard(client_for(csp_admin), _period(2024, 1))

    assert "Compile a draft report for 2024-25 Q1</button>" in html
    assert "2024-25 Q1 runs until 30 June 2024: a report compiled now is a draft" in html
    assert "Compile report for" not in html


def test_a_quarter_not_started_offers_nothing_and_refuses_a_compile(quarter, csp_admin) -> None:
    later = _period(2024, 3)
    client = client_for(csp_admin)

    html = _dashboard(client, later)
    response = client.post(reverse("reports:compile", args=[BEDFORD]), {"period": later.pk}, follow=True)

    assert "Compile" not in html.split("<main")[1].split("Exceptions")[0]
    assert "2024-25 Q3 starts on 1 October 2024: its report can be compiled once it has started." in html
    assert "2024-25 Q3 has not started yet: there is nothing to report." in response.content.decode()
    assert not QuarterlyReport.objects.exists()


def test_a_draft_report_is_marked_as_one_on_its_cover_its_page_and_in_the_list(quarter, csp_admin) -> None:
    running = _period(2024, 1)
    draft = QuarterlyReport.objects.create(period=running, version=1, requested_by=csp_admin)
    final = QuarterlyReport.objects.create(period=quarter, version=1, requested_by=csp_admin)
    assert report_compile(report_id=draft.pk)
    draft.refresh_from_db()
    client = client_for(csp_admin)

    pdf_text = "".join(page.extract_text() for page in PdfReader(report_dir(draft.pk) / draft.pdf_file).pages[:1])
    detail = client.get(draft.get_absolute_url()).content.decode()
    archive = client.get(reverse("reports:archive", args=[BEDFORD])).content.decode()

    assert (draft.is_draft, final.is_draft) == (True, False)
    assert draft.snapshot["is_draft"] is True
    assert "Draft. Compiled before the quarter ended" in pdf_text
    assert "A draft: compiled before 2024-25 Q1 ended" in detail
    assert archive.count('govuk-tag--yellow">Draft</strong>') == 1
    assert "2024-25 Q1, version 1</a> <strong" in archive


def test_the_quarter_picker_lists_quarters_with_data_and_the_one_on_screen(quarter, csp_admin) -> None:
    empty = ReportingPeriod.objects.create(
        partnership=bedford(),
        financial_year=2019,
        quarter=1,
        window_opens=dt.date(2019, 7, 1),
        window_closes=dt.date(2019, 7, 15),
    )
    client = client_for(csp_admin)

    elsewhere = _dashboard(client, quarter)
    on_screen = _dashboard(client, empty)

    assert ">2023-24 Q4</option>" in elsewhere
    assert "2019-20 Q1" not in elsewhere.split('id="period-picker"')[1].split("</select>")[0]
    assert f'<option value="{empty.pk}" selected>2019-20 Q1</option>' in on_screen
