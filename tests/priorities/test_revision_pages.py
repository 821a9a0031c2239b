"""The revision pages: an admin opens a draft, edits a priority, sees the difference,
decides for a stranded action and publishes; a stale save is refused with what was typed kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from actionplans.models import Action, ActionPlan
from priorities.models import PlanRevision, Theme
from tests.factories import gds_date
from tests.helpers import BEDFORD, client_for, title_of

pytestmark = pytest.mark.django_db


def _open(client: Any) -> PlanRevision:
    response = client.post(
        reverse("priorities:revision_new", args=[BEDFORD]),
        {"year": "2023", "title": "Strategic Assessment 2023", "findings": "Robbery fell", "kind": "refresh"},
    )
    assert response.status_code == 302
    return PlanRevision.objects.get()


def _priority_form(revision: PlanRevision, **changes: str) -> dict[str, str]:
    """The high-harm priority's form as the page posts it, with some boxes changed."""
    priority = revision.draft_priority("high-harm")
    assert priority is not None
    data = {"version": str(revision.version), "title": priority["title"], "summary": priority["summary"]}
    for kind in ("themes", "key_issues", "aims", "outcomes"):
        for i, line in enumerate(priority[kind], start=1):
            data[f"{kind}-{i}-text"] = line["text"]
            data[f"{kind}-{i}-place"] = str(i)
    data.update(changes)
    return data


@pytest.fixture
def admin(csp_admin: Any) -> Any:
    return client_for(csp_admin)


@pytest.fixture
def robbery_action(plan: Any, csp_admin: Any) -> Action:
    priority = plan.priorities.get(key="high-harm")
    action_plan = ActionPlan.objects.create(partnership=plan.partnership, priority=priority, financial_year=2023)
    return Action.objects.create(
        plan=action_plan,
        reference="1.1",
        title="Robbery patrols",
        theme=priority.themes.get(key="robbery"),
        lead_agency=csp_admin.agency,
        start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31),
    )


def test_an_admin_revises_a_priority_and_sees_the_difference(admin: Any, plan: Any) -> None:
    revision = _open(admin)
    url = reverse("priorities:revision_priority", args=[BEDFORD, revision.pk, "high-harm"])
    response = admin.post(
        url,
        _priority_form(
            revision,
            **{
                "themes-1-text": "Knife crime and youth violence",
                "themes-2-text": "",
                "themes-5-text": "Violence against women and girls",
                "themes-5-place": "1",
            },
        ),
    )
    assert response.status_code == 302
    themes = PlanRevision.objects.get().draft_priority("high-harm")["themes"]  # type: ignore[index]
    assert [t["text"] for t in themes] == [
        "Violence against women and girls",
        "Knife crime and youth violence",
        "Domestic Abuse",
        "Serious Sexual Offences",
    ]
    page = admin.get(reverse("priorities:revision", args=[BEDFORD, revision.pk])).content.decode()
    assert "Reworded" in page
    assert "Retired" in page
    assert "Added" in page
    assert "Moved" not in page
    # Nothing is published yet.
    assert Theme.objects.get(priority__plan=plan, key="robbery").retired_at is None


def test_a_priority_left_without_themes_is_refused_with_the_error_summary(admin: Any, plan: Any) -> None:
    revision = _open(admin)
    url = reverse("priorities:revision_priority", args=[BEDFORD, revision.pk, "high-harm"])
    blank = {f"themes-{i}-text": "" for i in range(1, 5)}
    response = admin.post(url, _priority_form(revision, **blank))
    assert response.status_code == 200
    assert title_of(response).startswith("Error: ")
    assert "govuk-error-summary" in response.content.decode()
    assert "at least one theme" in response.content.decode()


def test_a_stale_save_is_refused_showing_what_the_other_admin_saved_and_keeping_the_text(
    admin: Any, plan: Any, csp_admin: Any
) -> None:
    revision = _open(admin)
    url = reverse("priorities:revision_priority", args=[BEDFORD, revision.pk, "high-harm"])
    opened = _priority_form(revision)
    other = client_for(csp_admin)
    assert other.post(url, {**opened, "title": "Violence and harm"}).status_code == 302
    response = admin.post(url, {**opened, "themes-1-text": "My typed wording"})
    page = response.content.decode()
    assert response.status_code == 200
    assert title_of(response).startswith("Error: ")
    assert "Someone else saved this while you were editing" in page
    assert "Violence and harm" in page
    assert "My typed wording" in page
    assert PlanRevision.objects.get().draft_priority("high-harm")["title"] == "Violence and harm"  # type: ignore[index]


def test_publishing_is_refused_until_the_stranded_action_is_decided(
    admin: Any, plan: Any, robbery_action: Action
) -> None:
    revision = _open(admin)
    admin.post(
        reverse("priorities:revision_priority", args=[BEDFORD, revision.pk, "high-harm"]),
        _priority_form(revision, **{"themes-2-text": ""}),
    )
    revision.refresh_from_db()
    publish = reverse("actionplans:revision_publish", args=[BEDFORD, revision.pk])
    form = {
        "version": str(revision.version),
        "kind": "refresh",
        "title": revision.title,
        **gds_date("starts", revision.starts),
        **gds_date("ends", dt.date(2025, 3, 31)),
        **gds_date("effective_on", dt.date(2024, 4, 1)),
    }
    refused = admin.post(publish, form)
    assert refused.status_code == 200
    assert title_of(refused).startswith("Error: ")
    assert "Decide what happens to action 1.1" in refused.content.decode()
    assert PlanRevision.objects.get().is_draft

    revision.refresh_from_db()
    decided = admin.post(
        reverse("actionplans:revision_decisions", args=[BEDFORD, revision.pk]),
        {"version": str(revision.version), f"action-{robbery_action.pk}": "close"},
    )
    assert decided.status_code == 302
    revision.refresh_from_db()
    published = admin.post(publish, {**form, "version": str(revision.version)})
    assert published.status_code == 302
    robbery_action.refresh_from_db()
    assert robbery_action.state == "cancelled"
    revision.refresh_from_db()
    assert revision.status == "published"
    assert revision.effective_on == dt.date(2024, 4, 1)
    history = client_for(None)
    assert history.get(reverse("priorities:revisions", args=[BEDFORD])).status_code == 302
    listing = admin.get(reverse("priorities:revisions", args=[BEDFORD])).content.decode()
    assert "1 April 2024" in listing
    assert "0 added, 0 reworded, 1 retired, 0 moved" in listing


def test_a_published_revision_is_read_by_every_member_and_edited_by_none(admin: Any, plan: Any, officer: Any) -> None:
    revision = _open(admin)
    PlanRevision.objects.filter(pk=revision.pk).update(status="published", summary={"counts": {}, "priorities": []})
    reader = client_for(officer)
    assert reader.get(reverse("priorities:revision", args=[BEDFORD, revision.pk])).status_code == 200
    edit = reverse("priorities:revision_priority", args=[BEDFORD, revision.pk, "high-harm"])
    assert reader.get(edit).status_code == 403
    assert admin.get(edit).status_code == 302
