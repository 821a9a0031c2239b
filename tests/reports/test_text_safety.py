"""A control character in an officer's words (what Word pastes for Shift+Enter) never fails
the quarterly report, even in text saved before text was cleaned where it entered."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest

from actionplans.models import ActionUpdate
from reports.files import report_dir
from reports.models import QuarterlyReport
from reports.services import report_compile

pytestmark = pytest.mark.django_db


def test_a_vertical_tab_in_a_progress_narrative_compiles_and_reads_as_a_new_line(quarter) -> None:
    reported = ActionUpdate.objects.filter(period=quarter, status__in=["submitted", "approved"]).first()
    assert reported is not None
    ActionUpdate.objects.filter(pk=reported.pk).update(progress="Sessions delivered.\vSchools booked.")
    report = QuarterlyReport.objects.create(period=quarter, version=1)

    assert report_compile(report_id=report.pk)

    report.refresh_from_db()
    assert report.status == "ready"
    book = openpyxl.load_workbook(io.BytesIO((report_dir(report.pk) / report.xlsx_file).read_bytes()))
    texts = [cell.value for row in book["Actions"].iter_rows() for cell in row]
    assert "Sessions delivered.\nSchools booked." in texts
    document = docx.Document(io.BytesIO((report_dir(report.pk) / report.docx_file).read_bytes()))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Sessions delivered.\nSchools booked." in cells  # a line break in Word
