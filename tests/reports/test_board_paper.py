"""The board paper's own words: who may write which part, how a stale save is refused
without losing anyone's words, and how compiling freezes them into the report."""

from __future__ import annotations

import docx
import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import Role
from priorities.models import Priority
from reports.files import report_dir
from reports.models import BoardPaper, BoardPaperPart, QuarterlyReport
from reports.services import report_compile
from tests.factories import UserFactory
from tests.helpers import BEDFORD, client_for, make_period, priority_pk, title_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(plan):
    return make_period(2023, 4)


@pytest.fixture
def lead(police):
    """The lead of priority 1 (and of no other)."""
    person = UserFactory(full_name="Maria Santos", agency=police, roles=[Role.OFFICER, Role.PRIORITY_LEAD])
    Priority.objects.filter(pk=priority_pk(1)).update(lead=person)
    return person


def _part_url(period, part: str) -> str:
    return reverse("reports:paper_part", args=[BEDFORD, period.pk, part])


def _commentary_url(period, number: int) -> str:
    return reverse("reports:paper_commentary", args=[BEDFORD, period.pk, priority_pk(number)])


def test_an_admin_writes_the_summary_and_the_page_says_who_and_when(period, csp_admin) -> None:
    client = client_for(csp_admin)
    form = client.get(_part_url(period, "summary"))
    assert form.status_code == 200
    assert 'name="version" value="0"' in form.content.decode()
    text = "Burglary fell for the third quarter.\n\nDomestic abuse referrals rose \u2013 see \u201cpriority 2\u201d."
    response = client.post(_part_url(period, "summary"), {"version": "0", "text": text})
    assert response.status_code == 302
    part = BoardPaperPart.objects.get(paper__period=period, part="summary")
    assert part.text == text  # curly quotes and the dash kept
    assert part.written_by == csp_admin
    assert part.history.first().history_user == csp_admin
    page = client.get(reverse("reports:paper", args=[BEDFORD, period.pk])).content.decode()
    assert "Burglary fell for the third quarter." in page
    assert f"Written by {csp_admin.full_name}" in page


def test_a_second_draft_is_kept_in_the_history(period, csp_admin) -> None:
    client = client_for(csp_admin)
    client.post(_part_url(period, "recommendations"), {"version": "0", "text": "First draft"})
    client.post(_part_url(period, "recommendations"), {"version": "1", "text": "Second draft"})
    part = BoardPaperPart.objects.get(paper__period=period, part="recommendations")
    assert part.text == "Second draft"
    assert [h.text for h in part.history.order_by("history_id")] == ["First draft", "Second draft"]


def test_a_stale_save_is_refused_and_both_texts_are_kept(period, csp_admin, board_member) -> None:
    other = UserFactory(full_name="Sam Other", agency=csp_admin.agency, roles=[Role.CSP_ADMIN])
    mine, theirs = client_for(csp_admin), client_for(other)
    mine.get(_part_url(period, "decisions"))  # both open the empty form at version 0
    theirs.post(_part_url(period, "decisions"), {"version": "0", "text": "Their decisions"})
    response = mine.post(_part_url(period, "decisions"), {"version": "0", "text": "My decisions"})
    assert response.status_code == 200
    page = response.content.decode()
    assert title_of(response).startswith("Error: ")
    assert "Someone else saved this while you were editing" in page
    assert "Their decisions" in page  # what they saved, to compare
    assert "My decisions" in page  # what I typed, still in the box
    assert 'name="version" value="1"' in page  # saving again is a deliberate choice
    assert BoardPaperPart.objects.get(paper__period=period, part="decisions").text == "Their decisions"
    again = mine.post(_part_url(period, "decisions"), {"version": "1", "text": "My decisions"})
    assert again.status_code == 302
    assert BoardPaperPart.objects.get(paper__period=period, part="decisions").text == "My decisions"


def test_text_over_the_limit_is_refused_with_the_error_summary_and_kept(period, csp_admin) -> None:
    response = client_for(csp_admin).post(_part_url(period, "summary"), {"version": "0", "text": "x" * 5001})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "must be 5,000 characters or fewer" in page
    assert "x" * 5001 in page
    assert not BoardPaperPart.objects.exists()


def test_a_priority_lead_writes_only_their_own_priority_commentary(period, lead) -> None:
    client = client_for(lead)
    assert client.get(reverse("reports:paper", args=[BEDFORD, period.pk])).status_code == 200
    assert client.post(_commentary_url(period, 1), {"version": "0", "text": "On track."}).status_code == 302
    assert BoardPaperPart.objects.get(priority_id=priority_pk(1)).written_by == lead
    assert client.get(_commentary_url(period, 2)).status_code == 403
    assert client.post(_commentary_url(period, 2), {"version": "0", "text": "Not mine"}).status_code == 403
    assert client.post(_part_url(period, "summary"), {"version": "0", "text": "Not mine"}).status_code == 403
    meeting = reverse("reports:paper_meeting", args=[BEDFORD, period.pk])
    assert client.get(meeting).status_code == 403
    assert BoardPaperPart.objects.count() == 1


def test_officers_and_board_members_cannot_see_or_write_the_paper(period, officer, board_member) -> None:
    for person in (officer, board_member):
        client = client_for(person)
        assert client.get(reverse("reports:paper", args=[BEDFORD, period.pk])).status_code == 403
        assert client.post(_part_url(period, "summary"), {"version": "0", "text": "x"}).status_code == 403
    assert not BoardPaper.objects.exists()


def test_a_priority_the_quarter_does_not_report_has_no_commentary(period, csp_admin) -> None:
    url = reverse("reports:paper_commentary", args=[BEDFORD, period.pk, 999999])
    assert client_for(csp_admin).get(url).status_code == 404


def test_the_meeting_date_is_set_and_a_stale_date_refused(period, csp_admin) -> None:
    other = UserFactory(agency=csp_admin.agency, roles=[Role.CSP_ADMIN])
    url = reverse("reports:paper_meeting", args=[BEDFORD, period.pk])
    mine, theirs = client_for(csp_admin), client_for(other)
    # Someone writing a part (which saves the paper) does not make my date stale.
    theirs.post(_part_url(period, "summary"), {"version": "0", "text": "Summary"})
    date = {"meeting_on_0": "14", "meeting_on_1": "5", "meeting_on_2": "2024"}
    assert mine.post(url, {"version": "1", **date}).status_code == 302
    assert str(BoardPaper.objects.get(period=period).meeting_on) == "2024-05-14"
    refused = theirs.post(url, {"version": "1", "meeting_on_0": "21", "meeting_on_1": "5", "meeting_on_2": "2024"})
    assert refused.status_code == 200
    assert "Someone else saved this while you were editing" in refused.content.decode()
    assert str(BoardPaper.objects.get(period=period).meeting_on) == "2024-05-14"


def test_compiling_freezes_the_words_with_who_wrote_them(quarter, csp_admin, lead) -> None:
    admin, leader = client_for(csp_admin), client_for(lead)
    admin.post(_part_url(quarter, "summary"), {"version": "0", "text": "A quarter of steady progress."})
    admin.post(_part_url(quarter, "decisions"), {"version": "0", "text": "Agree the new hate crime plan."})
    leader.post(_commentary_url(quarter, 1), {"version": "0", "text": "Priority one is on track."})
    admin.post(
        reverse("reports:paper_meeting", args=[BEDFORD, quarter.pk]),
        {"version": "1", "meeting_on_0": "14", "meeting_on_1": "5", "meeting_on_2": "2024"},
    )
    report = QuarterlyReport.objects.create(period=quarter, version=1, requested_by=csp_admin)
    assert report_compile(report_id=report.pk)
    report.refresh_from_db()
    paper = report.snapshot["paper"]
    assert paper["meeting_on"] == "2024-05-14"
    assert paper["summary"]["text"] == "A quarter of steady progress."
    assert paper["summary"]["by"] == f"{csp_admin.full_name} ({csp_admin.agency.name})"
    assert paper["recommendations"] is None  # not written: left out
    commentaries = {row["number"]: row["commentary"] for row in report.snapshot["priorities"]}
    assert commentaries[1]["text"] == "Priority one is on track."
    assert commentaries[1]["by"].startswith("Maria Santos")
    assert commentaries[2] is None
    # Later edits go into the next version only.
    admin.post(_part_url(quarter, "summary"), {"version": "1", "text": "Rewritten after compiling."})
    report.refresh_from_db()
    assert report.snapshot["paper"]["summary"]["text"] == "A quarter of steady progress."
    # The same words in the PDF and the Word file of that version.
    pdf = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(report_dir(report.pk) / report.pdf_file).pages
    )
    word = docx.Document(str(report_dir(report.pk) / report.docx_file))
    word_text = "\n".join(p.text for p in word.paragraphs)
    for text in ("A quarter of steady progress.", "Priority one is on track.", "Agree the new hate crime plan."):
        assert text in pdf
        assert text in word_text
    assert "Board meeting: 14 May 2024" in pdf
    page = admin.get(report.get_absolute_url()).content.decode()
    assert "A quarter of steady progress." in page
    assert "Rewritten after compiling." not in page
    assert "Priority one is on track." in page
    assert "Agree the new hate crime plan." in page
    assert "Written by Maria Santos" in page


def test_the_paper_page_costs_the_same_however_many_parts_are_written(period, csp_admin) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(csp_admin)
    url = reverse("reports:paper", args=[BEDFORD, period.pk])
    client.post(_part_url(period, "summary"), {"version": "0", "text": "The summary."})
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for part in ("recommendations", "decisions"):
        client.post(_part_url(period, part), {"version": "0", "text": f"The {part}."})
    for number in (1, 2, 3):
        client.post(_commentary_url(period, number), {"version": "0", "text": f"Commentary {number}."})
    with CaptureQueriesContext(connection) as written:
        page = client.get(url).content.decode()
    assert "Commentary 3." in page
    assert len(written) == len(one)
