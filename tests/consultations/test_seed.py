"""The shipped consultations, wards and theme tags, loaded from the data file."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from consultations.models import Consultation, ThemeTag, Ward
from consultations.seed import consultations_load
from tests.helpers import CONSULTATIONS_FILE

pytestmark = pytest.mark.django_db


def test_it_ships_27_wards_of_the_2011_boundaries_the_plans_headlines_and_its_ten_themes(consultations) -> None:
    wards = Ward.objects.filter(boundaries="2011–2023")

    assert wards.count() == 27
    assert {"Queens Park", "Cauldwell", "Bromham and Biddenham", "Kempston Central and East"} <= set(
        wards.values_list("name", flat=True)
    )
    assert all(code.startswith("E0500") for code in wards.values_list("code", flat=True))
    assert (float(consultations[2019].published_percent), consultations[2019].published_respondents) == (41.0, None)
    assert (float(consultations[2022].published_percent), consultations[2022].published_respondents) == (34.0, 448)
    assert consultations[2022].headline_question.number == 1
    assert ThemeTag.objects.filter(feeling="safe").count() == 4
    assert ThemeTag.objects.filter(feeling="unsafe").count() == 6


def test_loading_again_changes_nothing_and_writes_no_history(consultations) -> None:
    history = Consultation.history.count()

    summary = consultations_load(CONSULTATIONS_FILE)

    assert str(summary) == "0 wards, 0 theme tags, 0 consultations, 0 questions, 0 options added; 0 changed"
    assert Consultation.history.count() == history


def test_the_command_needs_the_plan_first(db) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="import its plan first"):
        call_command("load_consultations", stdout=io.StringIO())
