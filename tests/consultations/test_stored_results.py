"""A consultation's results are computed once per change and stored: every change to what
they hold shows on the results page at once, and the page never reads an answer."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.demo import MAPPING, demo_csv
from consultations.imports import read_table
from consultations.models import Answer, Consultation, ConsultationResults, ThemeTag
from consultations.seed import consultations_load
from consultations.services import responses_import
from tests.helpers import BEDFORD, CONSULTATIONS_FILE, client_for

pytestmark = pytest.mark.django_db

ANSWERS_TABLE = Answer._meta.db_table  # its tags table and history table start with it too
ADMIN_FIELDS = ["title", "slug", "year", "method", "ward_boundaries", "headline_label", "published_source"]


@pytest.fixture(autouse=True)
def _charts_in_tmp(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the pages draw their charts there


def _import(survey: Consultation, first: int, count: int) -> None:
    """Import `count` of the demo's illustrative responses, from the `first`th on."""
    lines = demo_csv()[0].split("\r\n")
    part = "\r\n".join([lines[0], *lines[1 + first : 1 + first + count]]) + "\r\n"
    check = responses_import(
        consultation=survey, table=read_table("part.csv", part.encode()), mapping=MAPPING, user=None
    )
    assert (check.ok, check.added) == (True, count)


def _page(client, survey: Consultation) -> dict[str, Any]:
    response = client.get(survey.get_absolute_url())
    assert response.status_code == 200
    return response.context["r"]


def _question(results: dict[str, Any], number: int) -> dict[str, Any]:
    return next(row for row in results["questions"] if row["number"] == number)


def _theme_count(row: dict[str, Any], name: str) -> int:
    return next(theme["count"] for theme in row["themes"] if theme["name"] == name)


def test_importing_more_responses_changes_the_headline_at_once(survey, board_member) -> None:
    client = client_for(board_member)
    _import(survey, 0, 20)
    before = _page(client, survey)

    _import(survey, 20, 200)
    after = _page(client, survey)

    assert (before["responses"], before["headline"]["n"]) == (20, 20)
    assert (after["responses"], after["headline"]["n"]) == (220, 220)
    assert _question(after, 1)["respondents"] == 220


def test_coding_an_answer_changes_its_theme_count_and_quotes_at_once(survey, board_member, csp_admin) -> None:
    _import(survey, 0, 20)
    reader = client_for(board_member)
    speeding = ThemeTag.objects.get(partnership=survey.partnership, name="Speeding")
    answer = Answer.objects.filter(question__consultation=survey, option__isnull=True).first()
    assert answer is not None
    before = _question(_page(reader, survey), 2)

    client_for(csp_admin).post(
        reverse("consultations:coding", args=[BEDFORD, survey.slug, 2]),
        {
            "answer": [answer.pk],
            f"version_{answer.pk}": answer.version,
            f"tags_{answer.pk}": [speeding.pk],
            f"publishable_{answer.pk}": "yes",
        },
    )
    after = _question(_page(reader, survey), 2)

    assert (_theme_count(before, "Speeding"), _theme_count(after, "Speeding")) == (0, 1)
    assert (before["coded"], after["coded"]) == (0, 1)
    assert answer.text not in before["quotes"]
    assert answer.text in after["quotes"]


def test_an_admin_edit_of_a_theme_or_an_earlier_headline_shows_at_once(consultations, board_member, csp_admin) -> None:
    survey, earlier = consultations[2022], consultations[2019]
    _import(survey, 0, 20)
    reader, admin = client_for(board_member), client_for(csp_admin)
    tag = ThemeTag.objects.get(partnership=survey.partnership, name="Speeding")
    assert "Speeding" in [theme["name"] for theme in _question(_page(reader, survey), 2)["themes"]]
    assert _page(reader, earlier)["headline"]["percent"] == 41.0

    renamed = admin.post(
        reverse("admin:consultations_themetag_change", args=[tag.pk]),
        {
            "partnership": tag.partnership_id,
            "name": "Speeding vehicles",
            "feeling": tag.feeling,
            "position": tag.position,
        },
    )
    question = earlier.questions.get()
    published = admin.post(
        reverse("admin:consultations_consultation_change", args=[earlier.pk]),
        {
            **{name: getattr(earlier, name) for name in ADMIN_FIELDS},
            "published_respondents": "",
            "partnership": earlier.partnership_id,
            "opens_on": "",
            "closes_on": "",
            "headline_question": question.pk,
            "published_percent": "45",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "1",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
            "questions-0-id": question.pk,
            "questions-0-consultation": earlier.pk,
            "questions-0-number": question.number,
            "questions-0-text": question.text,
            "questions-0-kind": question.kind,
        },
    )

    assert (renamed.status_code, published.status_code) == (302, 302)
    themes = [theme["name"] for theme in _question(_page(reader, survey), 2)["themes"]]
    assert "Speeding vehicles" in themes
    assert "Speeding" not in themes
    assert _page(reader, earlier)["headline"]["percent"] == 45.0
    assert _page(reader, survey)["comparison"]["earlier_percent"] == 45.0


def test_loading_the_data_file_again_refreshes_what_it_changed(survey, board_member, tmp_path: Path) -> None:
    _import(survey, 0, 20)
    client = client_for(board_member)
    assert _page(client, survey)["title"] == "CSP Consultation 2022"
    edited = tmp_path / CONSULTATIONS_FILE.name
    shutil.copytree(CONSULTATIONS_FILE.parent, tmp_path, dirs_exist_ok=True)
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("title: CSP Consultation 2022", "title: Residents' Survey 2022"), encoding="utf-8")

    consultations_load(edited)

    assert _page(client, survey)["title"] == "Residents' Survey 2022"


def _results_page_queries(client, survey: Consultation) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(survey.get_absolute_url()).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_results_page_costs_the_same_queries_at_10_and_200_responses_and_reads_no_answer(
    survey, board_member
) -> None:
    client = client_for(board_member)
    _import(survey, 0, 10)
    client.get(survey.get_absolute_url())  # fills per-process caches, which later requests reuse
    at_10 = _results_page_queries(client, survey)

    _import(survey, 10, 190)
    at_200 = _results_page_queries(client, survey)

    assert _page(client, survey)["responses"] == 200
    assert len(at_10) == len(at_200)
    assert not [sql for sql in at_10 + at_200 if ANSWERS_TABLE in sql]


def test_results_stored_before_this_release_are_computed_once_on_first_reading(survey, board_member) -> None:
    _import(survey, 0, 20)
    client = client_for(board_member)
    ConsultationResults.objects.filter(consultation=survey).delete()

    first = _results_page_queries(client, survey)
    second = _results_page_queries(client, survey)

    assert ConsultationResults.objects.get(consultation=survey).data["responses"] == 20
    assert [sql for sql in first if ANSWERS_TABLE in sql]
    assert not [sql for sql in second if ANSWERS_TABLE in sql]


@pytest.mark.django_db(transaction=True)
def test_the_kept_results_html_follows_an_import_and_who_is_reading(survey, board_member, csp_admin) -> None:
    """The page's breakdowns and questions are kept as HTML (core.generation), keyed by
    whether the reader may code answers: never one person's links on another's page."""
    _import(survey, 0, 20)
    admin, reader = client_for(csp_admin), client_for(board_member)

    def questions(client) -> str:
        html = client.get(survey.get_absolute_url()).content.decode()
        return html[html.index(">Questions</h2>") : html.index("</main>")]

    assert "Code the answers" in questions(admin)
    before = questions(reader)
    assert "Code the answers" not in before
    assert questions(reader) == before  # kept

    _import(survey, 20, 20)

    after = questions(reader)
    assert after != before
    assert "Code the answers" not in after
    assert "Code the answers" in questions(admin)
