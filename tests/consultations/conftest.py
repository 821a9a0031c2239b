"""The shipped consultations (2019 and 2022, with their published headlines), the 27 wards
and the theme tags, loaded from the data file as `make run` loads them."""

from __future__ import annotations

import pytest

from consultations.models import Consultation
from consultations.seed import consultations_load
from tests.helpers import CONSULTATIONS_FILE


@pytest.fixture
def consultations(plan) -> dict[int, Consultation]:
    """Both consultations by year, with no responses yet."""
    consultations_load(CONSULTATIONS_FILE)
    return {c.year: c for c in Consultation.objects.all()}


@pytest.fixture
def survey(consultations: dict[int, Consultation]) -> Consultation:
    """The 2022 consultation, with no responses yet."""
    return consultations[2022]
