"""The Bedford plan's own revision before the portal, recorded from the published plan:
the 2020-23 plan refreshed after the 2022 Strategic Assessment, extended to March 2024,
priority three renamed from "Public Perceptions" to "Building Community Confidence"."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from priorities.models import PlanRevision
from priorities.services import plan_history_import
from tests.helpers import BEDFORD, PLAN_SOURCE, SHIPPED_PLAN, client_for

BEDFORD_NAME = "Bedford Borough Community Safety Partnership"

pytestmark = pytest.mark.django_db

HISTORY = SHIPPED_PLAN.with_name("bedford-borough-2020-2024.history.yaml")


def test_the_history_records_the_2022_refresh_as_the_source_tells_it(plan: Any) -> None:
    assert plan_history_import(text=HISTORY.read_text(encoding="utf-8"), partnership_name=BEDFORD_NAME) == 1
    revision = PlanRevision.objects.get()
    assert revision.status == "published"
    assert revision.kind == "refresh"
    assert revision.assessment.year == 2022
    assert revision.effective_on is None  # the source gives no day
    assert (revision.summary["old_ends"], revision.summary["new_ends"]) == ("2023-03-31", "2024-03-31")
    [renamed] = revision.summary["priorities"]
    assert (renamed["number"], renamed["old_title"], renamed["title"]) == (
        3,
        "Public Perceptions",
        "Building Community Confidence",
    )
    assert revision.recorded_from.startswith("Recorded from the published plan")


def test_every_quoted_phrase_and_title_is_in_the_source() -> None:
    source = " ".join(PLAN_SOURCE.read_text(encoding="utf-8").split())
    assert "PRIORITY THREE – Public Perceptions" in source
    assert "PRIORITY THREE – Building Community Confidence" in source
    assert (
        "originally developed to cover the period 2020-2023, has been refreshed and extended for an additional year"
        in source
    )
    assert "Findings in the most recent assessment, completed in 2022, has been used refresh this plan" in source


def test_recording_it_again_changes_nothing(plan: Any) -> None:
    plan_history_import(text=HISTORY.read_text(encoding="utf-8"), partnership_name=BEDFORD_NAME)
    assert plan_history_import(text=HISTORY.read_text(encoding="utf-8"), partnership_name=BEDFORD_NAME) == 0
    assert PlanRevision.objects.count() == 1


def test_import_plan_records_the_history_beside_the_plan_file(db: None) -> None:
    call_command("import_plan", str(SHIPPED_PLAN))
    assert PlanRevision.objects.filter(recorded_from__startswith="Recorded").count() == 1


def test_the_revisions_page_shows_it_to_every_member(plan: Any, board_member: Any) -> None:
    plan_history_import(text=HISTORY.read_text(encoding="utf-8"), partnership_name=BEDFORD_NAME)
    client = client_for(board_member)
    page = client.get(reverse("priorities:revisions", args=[BEDFORD])).content.decode()
    assert "After the Bedford CSP Strategic Assessment 2022 (no day given)" in page
    assert "Recorded from the published plan" in page
    detail = client.get(PlanRevision.objects.get().get_absolute_url()).content.decode()
    assert "Renamed from “Public Perceptions”" in detail
    assert "31 March 2023 → 31 March 2024" in detail
