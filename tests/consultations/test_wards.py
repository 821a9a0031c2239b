"""The wards a consultation's responses may name, loaded once for all its breakdowns."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.models import Consultation, Ward

pytestmark = pytest.mark.django_db


def test_a_consultation_names_its_own_boundary_sets_wards_by_name_loaded_once(survey: Consultation) -> None:
    Ward.objects.create(partnership=survey.partnership, name="Aardvark Ward", boundaries="1999-2010")
    survey = Consultation.objects.get(pk=survey.pk)

    with CaptureQueriesContext(connection) as captured:
        first = survey.ward_list
        again = survey.ward_list
    assert len(captured) == 1
    assert first is again
    assert len(first) == 27
    assert "Aardvark Ward" not in [w.name for w in first]
    assert [w.name for w in first] == sorted(w.name for w in first)


def test_a_consultation_without_a_boundary_set_names_every_ward_of_its_partnership(survey: Consultation) -> None:
    Ward.objects.create(partnership=survey.partnership, name="Aardvark Ward", boundaries="1999-2010")
    Consultation.objects.filter(pk=survey.pk).update(ward_boundaries="")

    wards = Ward.objects.named_by(Consultation.objects.get(pk=survey.pk))

    assert wards.count() == 28
