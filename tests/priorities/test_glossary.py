"""The acronyms every page marks up: the current plan's glossary, in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from priorities.glossary import abbreviations_for_current_plan
from priorities.models import GlossaryTerm, Partnership, StrategicPlan

pytestmark = pytest.mark.django_db


def test_the_acronyms_are_the_current_plans_upper_case_terms_read_in_one_query(plan) -> None:
    GlossaryTerm.objects.create(partnership=plan.partnership, term="Safer Streets", description="A fund")
    other = Partnership.objects.create(name="Elsewhere CSP", short_name="Elsewhere", vision="Safe")
    StrategicPlan.objects.create(partnership=other, title="Old plan", starts="2010-04-01", ends="2014-03-31")
    GlossaryTerm.objects.create(partnership=other, term="ZZZ", description="Not ours")

    with CaptureQueriesContext(connection) as captured:
        meanings = abbreviations_for_current_plan().meanings

    assert len(captured) == 1
    assert meanings["MARAC"] == "Multi Agency Risk Assessment Conference"
    assert "ZZZ" not in meanings
    assert "Safer Streets" not in meanings
    assert all(GlossaryTerm(term=term).is_acronym for term in meanings)
