"""The consultation form pages and sign-in: the title starts "Error: " exactly when the page shows an error summary."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultations.models import Consultation, ResponseImport
from tests.helpers import BEDFORD, client_for, title_of

pytestmark = pytest.mark.django_db

GOOD = "Respondent ID,Ward,Age,Q1 Confidence\r\nR1,Castle,25-34,Very confident\r\n"


def test_sign_in_says_error_only_after_a_refused_attempt(client) -> None:
    url = reverse("accounts:login")

    assert title_of(client.get(url)) == "Sign in"
    assert title_of(client.post(url, {"username": "nobody@example.com", "password": "wrong"})) == "Error: Sign in"


def test_the_upload_and_feed_forms_say_error_when_refused(survey: Consultation, csp_admin) -> None:
    admin = client_for(csp_admin)
    upload_url = reverse("consultations:import", args=[BEDFORD, survey.slug])
    feed_url = reverse("consultations:feed", args=[BEDFORD, survey.slug])

    assert title_of(admin.get(upload_url)) == "Import responses – CSP Consultation 2022"
    assert (
        title_of(admin.post(upload_url, {"tool": "SmartSurvey"})) == "Error: Import responses – CSP Consultation 2022"
    )
    assert title_of(admin.get(feed_url)) == "Feed an indicator – CSP Consultation 2022"
    assert title_of(admin.post(feed_url, {"question": ""})) == "Error: Feed an indicator – CSP Consultation 2022"


def test_the_mapping_page_says_error_only_when_the_check_finds_problems(survey: Consultation, csp_admin) -> None:
    admin = client_for(csp_admin)

    def map_url(text: str) -> str:
        file = SimpleUploadedFile("export.csv", text.encode("utf-8"), "text/csv")
        admin.post(reverse("consultations:import", args=[BEDFORD, survey.slug]), {"tool": "SmartSurvey", "file": file})
        return reverse("consultations:import_map", args=[BEDFORD, survey.slug, ResponseImport.objects.latest("pk").pk])

    good = map_url(GOOD)
    guessed = {name: field.initial for name, field in admin.get(good).context["form"].fields.items()}
    assert title_of(admin.get(good)) == "Map the columns – CSP Consultation 2022"
    assert title_of(admin.post(good, {**guessed, "check": "1"})) == "Map the columns – CSP Consultation 2022"
    # A forged mapping (not one of the choices) shows no summary, so the title does not say error.
    forged = admin.post(good, {**guessed, "column_1": "forged", "check": "1"})
    assert forged.context["form"].errors
    assert title_of(forged) == "Map the columns – CSP Consultation 2022"
    bad = map_url(GOOD + "R2,Atlantis,25-34,Very confident\r\n")
    assert title_of(admin.post(bad, {**guessed, "check": "1"})) == "Error: Map the columns – CSP Consultation 2022"
