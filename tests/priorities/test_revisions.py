"""The yearly revision: open a draft after an assessment, edit it, see the difference,
publish it as a refresh or as a new plan, decide for the actions it would strand, and
carry the open actions into the next year."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import User
from actionplans.models import Action, ActionPlan, Milestone
from actionplans.services import actions_carry_forward, revision_affected_actions, revision_publish
from core.models import StaleEdit
from priorities.models import PlanRevision, Priority, StrategicPlan, Theme
from priorities.revisions import draft_diff, plan_as_draft
from priorities.services import revision_open, revision_save

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 3, 25)


def _line(key: str, text: str) -> dict[str, str]:
    return {"key": key, "text": text}


def _priority(key: str, number: int, themes: list[dict[str, str]], title: str = "T") -> dict:
    return {"key": key, "number": number, "title": title, "summary": "", "themes": themes, "key_issues": []}


def test_the_diff_names_lines_added_reworded_retired_and_moved() -> None:
    before = {"priorities": [_priority("p", 1, [_line("a", "A"), _line("b", "B"), _line("c", "C"), _line("d", "D")])]}
    after = {"priorities": [_priority("p", 1, [_line("new", "N"), _line("a", "A2"), _line("d", "D"), _line("c", "C")])]}
    changes = {(c.change, c.key) for c in draft_diff(before, after).priorities[0].lines}
    assert changes == {("added", "new"), ("reworded", "a"), ("retired", "b"), ("moved", "c")} or changes == {
        ("added", "new"),
        ("reworded", "a"),
        ("retired", "b"),
        ("moved", "d"),
    }


def test_a_line_added_at_the_top_moves_nothing_else() -> None:
    before = {"priorities": [_priority("p", 1, [_line("a", "A"), _line("b", "B")])]}
    after = {"priorities": [_priority("p", 1, [_line("new", "N"), _line("a", "A"), _line("b", "B")])]}
    assert [(c.change, c.key) for c in draft_diff(before, after).priorities[0].lines] == [("added", "new")]


def test_the_diff_names_priorities_added_retired_and_renamed() -> None:
    before = {"priorities": [_priority("p", 1, [], "Public Perceptions"), _priority("q", 2, [])]}
    after = {"priorities": [_priority("p", 1, [], "Building Community Confidence"), _priority("r", 2, [])]}
    diff = draft_diff(before, after)
    by_key = {p.key: p for p in diff.priorities}
    assert by_key["p"].old_title == "Public Perceptions"
    assert by_key["r"].change == "added"
    assert by_key["q"].change == "retired"


@pytest.fixture
def revision(plan: StrategicPlan, csp_admin: User) -> PlanRevision:
    return revision_open(plan=plan, user=csp_admin, year=2023, title="Strategic Assessment 2023", findings="More ASB")


@pytest.fixture
def action(plan: StrategicPlan, csp_admin: User) -> Action:
    priority = plan.priorities.get(key="high-harm")
    action_plan = ActionPlan.objects.create(partnership=plan.partnership, priority=priority, financial_year=2023)
    action = Action.objects.create(
        plan=action_plan,
        reference="1.1",
        title="Robbery patrols",
        theme=priority.themes.get(key="robbery"),
        lead_agency=csp_admin.agency,
        owner=csp_admin,
        start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31),
    )
    Milestone.objects.create(action=action, title="Patrol plan agreed", due_date=dt.date(2024, 6, 1))
    return action


def _edit(revision: PlanRevision, key: str, change) -> dict:  # type: ignore[no-untyped-def]
    priority = copy.deepcopy(revision.draft_priority(key))
    change(priority)
    return priority


def _retire_robbery_and_reword(priority: dict) -> None:
    priority["themes"] = [
        _line("new-top", "Violence against women and girls"),
        *[
            {**t, "text": "Knife crime and youth violence"} if t["key"] == "knife-crime-youth-violence" else t
            for t in priority["themes"]
            if t["key"] != "robbery"
        ],
    ]


def test_opening_a_revision_records_the_assessment_and_starts_from_the_plan(revision, plan) -> None:
    assert revision.assessment.year == 2023
    assert revision.assessment.findings == "More ASB"
    assert revision.draft == plan_as_draft(plan)
    assert draft_diff(plan_as_draft(plan), revision.draft).changed == []


def test_only_one_draft_is_open_per_plan(revision, plan, csp_admin) -> None:
    with pytest.raises(ValidationError):
        revision_open(plan=plan, user=csp_admin, year=2023, title="Again")


def test_a_stale_save_is_refused_and_names_what_the_other_admin_saved(revision, csp_admin) -> None:
    first = _edit(revision, "high-harm", lambda p: p.update(title="Violence"))
    revision_save(revision=revision, expected_version=1, user=csp_admin, priority=first)
    late = _edit(PlanRevision.objects.get(pk=revision.pk), "high-harm", lambda p: p.update(summary="Mine"))
    with pytest.raises(StaleEdit) as refused:
        revision_save(
            revision=PlanRevision.objects.get(pk=revision.pk), expected_version=1, user=csp_admin, priority=late
        )
    assert [(c.field, c.after) for c in refused.value.changes] == [("Title", "Violence")]
    assert PlanRevision.objects.get(pk=revision.pk).draft_priority("high-harm")["title"] == "Violence"


def test_publishing_is_refused_while_an_open_action_sits_on_a_retired_line(revision, action, csp_admin) -> None:
    priority = _edit(revision, "high-harm", _retire_robbery_and_reword)
    revision_save(revision=revision, expected_version=1, user=csp_admin, priority=priority)
    assert revision_affected_actions(revision) == [action]
    with pytest.raises(ValidationError) as refused:
        revision_publish(revision=revision, user=csp_admin, today=TODAY)
    assert "1.1" in str(refused.value)
    assert Theme.objects.get(key="robbery", priority=action.theme.priority).retired_at is None


def test_a_refresh_keeps_ids_retires_only_the_retired_line_and_moves_the_action(
    revision, action, plan, csp_admin
) -> None:
    themes_before = dict(plan.priorities.get(key="high-harm").themes.values_list("key", "pk"))
    priority = _edit(revision, "high-harm", _retire_robbery_and_reword)
    revision_save(revision=revision, expected_version=1, user=csp_admin, priority=priority)
    revision_save(
        revision=revision,
        expected_version=2,
        user=csp_admin,
        ends=dt.date(2025, 3, 31),
        decisions={str(action.pk): "move:new-top"},
    )
    result = revision_publish(revision=revision, user=csp_admin, today=TODAY)
    assert result.pk == plan.pk
    assert result.ends == dt.date(2025, 3, 31)
    themes = {t.key: t for t in Theme.objects.filter(priority__key="high-harm", priority__plan=plan)}
    assert {k: themes[k].pk for k in themes_before} == themes_before
    assert [k for k, t in themes.items() if t.retired_at] == ["robbery"]
    assert themes["knife-crime-youth-violence"].text == "Knife crime and youth violence"
    action.refresh_from_db()
    assert action.theme.key == "new-top"
    assert action.history.first().history_change_reason.startswith("Plan revision")
    revision.refresh_from_db()
    assert revision.status == "published"
    assert revision.summary["counts"] == {"added": 1, "reworded": 1, "retired": 1, "moved": 0}


def test_closing_an_action_cancels_it_and_keeping_leaves_it_on_its_retired_line(revision, action, csp_admin) -> None:
    other = Action.objects.create(
        plan=action.plan,
        reference="1.2",
        title="Kept",
        theme=action.theme,
        lead_agency=action.lead_agency,
        start_date=action.start_date,
        due_date=action.due_date,
    )
    priority = _edit(revision, "high-harm", _retire_robbery_and_reword)
    revision_save(
        revision=revision,
        expected_version=1,
        user=csp_admin,
        priority=priority,
        decisions={str(action.pk): "close", str(other.pk): "keep"},
    )
    revision_publish(revision=revision, user=csp_admin, today=TODAY)
    action.refresh_from_db()
    other.refresh_from_db()
    assert action.state == "cancelled"
    assert other.state == "open"
    assert other.theme.key == "robbery"
    assert other.theme.retired_at is not None


def test_a_new_plan_supersedes_the_old_and_carries_the_leads(revision, plan, csp_admin) -> None:
    Priority.objects.filter(pk=plan.priorities.get(key="high-harm").pk).update(lead=csp_admin)
    revision_save(
        revision=revision,
        expected_version=1,
        user=csp_admin,
        kind="new_plan",
        title="Community Safety Plan 2024 – 2027",
        starts=dt.date(2024, 4, 1),
        ends=dt.date(2027, 3, 31),
        effective_on=dt.date(2024, 4, 1),
    )
    new = revision_publish(revision=revision, user=csp_admin, today=TODAY)
    assert new.pk != plan.pk
    assert new.supersedes == plan
    assert StrategicPlan.objects.filter(partnership=plan.partnership).current() == new
    assert new.priorities.get(key="high-harm").lead == csp_admin
    assert sorted(new.priorities.values_list("key", flat=True)) == sorted(plan.priorities.values_list("key", flat=True))


def test_carrying_forward_moves_open_actions_with_their_milestones_once(action, plan, csp_admin) -> None:
    done = Action.objects.create(
        plan=action.plan,
        reference="1.9",
        title="Done",
        theme=action.theme,
        lead_agency=action.lead_agency,
        start_date=action.start_date,
        due_date=action.due_date,
        state="completed",
    )
    assert actions_carry_forward(partnership=plan.partnership, from_year=2023, to_year=2024, user=csp_admin) == 1
    action.refresh_from_db()
    assert action.plan.financial_year == 2024
    assert action.plan.priority == action.theme.priority
    assert action.milestones.count() == 1
    assert action.owner == csp_admin
    assert action.history.first().history_change_reason == "Carried forward from 2023-24 to 2024-25"
    done.refresh_from_db()
    assert done.plan.financial_year == 2023
    assert actions_carry_forward(partnership=plan.partnership, from_year=2023, to_year=2024, user=csp_admin) == 0


def test_carrying_forward_into_a_new_plan_puts_actions_on_the_same_line_of_it(
    revision, action, plan, csp_admin
) -> None:
    revision_save(
        revision=revision,
        expected_version=1,
        user=csp_admin,
        kind="new_plan",
        title="Community Safety Plan 2024 – 2027",
        starts=dt.date(2024, 4, 1),
        ends=dt.date(2027, 3, 31),
    )
    new = revision_publish(revision=revision, user=csp_admin, today=TODAY)
    actions_carry_forward(partnership=plan.partnership, from_year=2023, to_year=2024, user=csp_admin)
    action.refresh_from_db()
    assert action.plan.priority.plan == new
    assert action.theme.priority.plan == new
    assert action.theme.key == "robbery"
