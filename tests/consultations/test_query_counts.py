"""The consultation pages cost the same queries at ten times the responses."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.demo import RESPONDENTS
from consultations.demo import demo_load as consultation_demo_load
from consultations.models import Consultation, Response
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

# The page, and the queries it costs an admin (pinned). None depends on the number of
# responses: the results pages read the stored results (results.results_read), and the
# coding screen reads one page of answers. One of each is django-otp's: the admin's
# authenticator app, read to know the session gave its code.
EXPECTED = {
    "list": 6,
    "consultation": 8,
    "question_1": 7,
    "question_2": 7,
    "question_3": 7,
    "coding_2": 12,
    "export_csv": 6,
}


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _urls(survey: Consultation) -> dict[str, str]:
    slug = survey.slug
    return {
        "list": reverse("consultations:list", args=[BEDFORD]),
        "consultation": reverse("consultations:consultation", args=[BEDFORD, slug]),
        "question_1": reverse("consultations:question", args=[BEDFORD, slug, 1]),
        "question_2": reverse("consultations:question", args=[BEDFORD, slug, 2]),
        "question_3": reverse("consultations:question", args=[BEDFORD, slug, 3]),
        "coding_2": reverse("consultations:coding", args=[BEDFORD, slug, 2]),
        "export_csv": reverse("consultations:export", args=[BEDFORD, slug, "csv"]),
    }


def test_pages_cost_the_same_queries_at_ten_times_the_responses(survey, csp_admin, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path  # the charts are SVG files written there
    # What the pages cost to build; kept builds are pinned in tests/portal/test_kept_builds.py.
    settings.BUILT_CACHE_SECONDS = 0
    client = client_for(csp_admin)
    consultation_demo_load(scale=1)
    assert Response.objects.filter(consultation=survey).count() == RESPONDENTS
    urls = _urls(survey)
    for url in urls.values():
        client.get(url)  # draws the charts and fills per-process caches, which later requests reuse

    def measure() -> dict[str, int]:
        return {name: _queries(client, url) for name, url in urls.items()}

    at_one = measure()
    consultation_demo_load(scale=10)
    assert Response.objects.filter(consultation=survey).count() == 10 * RESPONDENTS
    at_ten = measure()

    assert at_one == EXPECTED
    assert at_ten == EXPECTED
