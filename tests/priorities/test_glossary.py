"""The acronyms every page marks up: its partnership's glossary, in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from priorities.glossary import abbreviations_of
from priorities.models import GlossaryTerm, Partnership, StrategicPlan

pytestmark = pytest.mark.django_db


def test_the_acronyms_are_the_partnerships_upper_case_terms_read_in_one_query(plan) -> None:
    GlossaryTerm.objects.create(partnership=plan.partnership, term="Safer Streets", description="A fund")
    other = Partnership.objects.create(name="Elsewhere CSP", short_name="Elsewhere", slug="elsewhere", vision="Safe")
    StrategicPlan.objects.create(partnership=other, title="Newer plan", starts="2024-04-01", ends="2028-03-31")
    GlossaryTerm.objects.create(partnership=other, term="ZZZ", description="Not ours")

    with CaptureQueriesContext(connection) as captured:
        meanings = abbreviations_of(plan.partnership_id).meanings

    assert len(captured) == 1
    assert meanings["MARAC"] == "Multi Agency Risk Assessment Conference"
    assert "ZZZ" not in meanings
    assert "Safer Streets" not in meanings
    assert all(GlossaryTerm(term=term).is_acronym for term in meanings)
