"""The shipped Central Bedfordshire plan says only what the council's press release says,
and sits beside Bedford Borough's plan without disturbing it."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from accounts.models import Agency
from priorities.models import ExpectedOutcome, KeyIssue, Partnership, PartnershipAim, Priority, StrategicPlan, Theme
from priorities.plan_file import parse_plan
from tests.helpers import CENTRAL_BEDS_PLAN, CENTRAL_BEDS_SOURCE, SHIPPED_PLAN

LINES = [Priority, Theme, KeyIssue, PartnershipAim, ExpectedOutcome]


def _normalise(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for name, item in value.items() if name not in {"key", "slug", "short_name"} for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_every_text_of_the_file_is_the_press_releases_own_words() -> None:
    source = _normalise(CENTRAL_BEDS_SOURCE.read_text(encoding="utf-8"))
    raw = yaml.safe_load(CENTRAL_BEDS_PLAN.read_text(encoding="utf-8"))
    # Named in the file's comments as ours: the partnership's full name, two titles, and
    # an agency the release calls "Bedfordshire's Clinical Commissioning Group".
    editorial = {
        "csp-plan/2",
        "Central Bedfordshire Community Safety Partnership",
        "Community Safety Partnership Strategy 2021–2024",
        "2020 Safer Central Survey",
        "Bedfordshire Clinical Commissioning Group",
    }
    sentences = [
        sentence for text in _strings(raw) if text not in editorial for sentence in re.split(r"(?<=\.) ", text)
    ]
    assert [s for s in sentences if _normalise(s).rstrip(".") not in source] == []


def test_it_has_the_three_priorities_and_invents_no_key_issue_or_outcome() -> None:
    plan_file = parse_plan(CENTRAL_BEDS_PLAN.read_text(encoding="utf-8"))

    assert [(p.key, p.number, p.title) for p in plan_file.priorities] == [
        ("county-lines", 1, "Identifying and disrupting County Lines drug dealing"),
        ("domestic-abuse", 2, "Domestic abuse"),
        ("cyber-crime", 3, "Cyber crime"),
    ]
    assert [len(p.themes) for p in plan_file.priorities] == [5, 1, 1]
    assert [[k.text for k in p.key_issues] for p in plan_file.priorities] == [
        [
            "Drug dealing was highlighted as the biggest concern for residents who took part in the 2020 Safer "
            "Central Survey"
        ],
        [],
        [],
    ]
    assert [p.outcomes for p in plan_file.priorities] == [[], [], []]
    assert (plan_file.starts.isoformat(), plan_file.ends.isoformat()) == ("2021-04-01", "2024-03-31")
    assert [a.name for a in plan_file.responsible_authorities] == [
        "Bedfordshire Police",
        "Central Bedfordshire Council",
        "Bedfordshire Fire and Rescue Service",
        "National Probation Service",
        "Bedfordshire Clinical Commissioning Group",
    ]


@pytest.mark.django_db
def test_both_shipped_plans_import_side_by_side_and_bedfords_lines_all_remain() -> None:
    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())
    bedford = {model: set(model.objects.current().values_list("pk", flat=True)) for model in LINES}

    call_command("import_plan", str(CENTRAL_BEDS_PLAN), stdout=StringIO())
    out = StringIO()
    call_command("import_plan", str(SHIPPED_PLAN), stdout=out)

    assert "No changes" in out.getvalue()
    for model, pks in bedford.items():
        assert pks <= set(model.objects.current().values_list("pk", flat=True))
    assert Theme.objects.current().count() == 13 + 7
    assert StrategicPlan.objects.count() == 2
    central = Partnership.objects.get(slug="central-bedfordshire")
    assert central.responsible_authorities().count() == 5
    # Three of its five are Bedford Borough's agencies, shared, not copied.
    assert Agency.objects.count() == 7
    assert Agency.objects.get(name="Bedfordshire Police").partnerships.count() == 2
