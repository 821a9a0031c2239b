"""Plan lines keep their identity: the importer matches priorities and lines by key."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import importlib
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import CharField, Value
from django.db.models.functions import Concat

from accounts.models import Agency
from actionplans.models import Action, ActionPlan
from priorities.models import KeyIssue, Partnership, PartnershipAim, Priority, Theme
from priorities.plan_file import FORMAT, PlanFileError, add_keys, parse_plan
from priorities.services import plan_import
from tests.helpers import SHIPPED_PLAN

pytestmark = pytest.mark.django_db


def _raw() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))


def _text(raw: dict[str, Any]) -> str:
    return yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)


def _import(raw: dict[str, Any]) -> str:
    return plan_import(plan_file=parse_plan(_text(raw))).summary()


def _positional(raw: dict[str, Any]) -> dict[str, Any]:
    """The shipped plan as a csp-plan/1 file: no keys, lines as bare text."""
    old = copy.deepcopy(raw)
    old["format"] = "csp-plan/1"
    for priority in old["plan"]["priorities"]:
        del priority["key"]
        for name in ["themes", "aims", "outcomes"]:
            priority[name] = [line["text"] for line in priority[name]]
        issues = []
        for issue in priority["key_issues"]:
            if "sub_points" in issue:
                issues.append({"text": issue["text"], "sub_points": [p["text"] for p in issue["sub_points"]]})
            else:
                issues.append(issue["text"])
        priority["key_issues"] = issues
    return old


def _action(priority: Priority, theme: Theme, reference: str) -> Action:
    action_plan, _ = ActionPlan.objects.get_or_create(
        partnership=priority.plan.partnership, priority=priority, financial_year=2023
    )
    action = Action.objects.create(
        plan=action_plan,
        reference=reference,
        title=f"Action on {theme.text}",
        theme=theme,
        lead_agency=Agency.objects.get(name="Bedfordshire Police"),
        start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31),
    )
    action.aims.set(priority.aims.all())
    return action


def _actions_on_every_theme() -> dict[int, tuple[int, set[int]]]:
    """An action on every theme of the plan, serving every aim of its priority: action → lines."""
    for priority in Priority.objects.all():
        for theme in priority.themes.all():
            _action(priority, theme, f"{priority.number}.{theme.position}")
    return {
        action.pk: (action.theme_id, set(action.aims.values_list("pk", flat=True))) for action in Action.objects.all()
    }


def _lines_of_actions() -> dict[int, tuple[int, set[int]]]:
    return {
        action.pk: (action.theme_id, set(action.aims.values_list("pk", flat=True))) for action in Action.objects.all()
    }


def test_retiring_a_middle_line_and_adding_one_at_the_top_leaves_every_action_on_its_own_line() -> None:
    raw = _raw()
    _import(raw)
    before = _actions_on_every_theme()
    themes = raw["plan"]["priorities"][0]["themes"]
    del themes[1]  # Robbery, the second of four
    themes.insert(0, {"key": "violence-against-women", "text": "Male Violence Against Women and Girls"})
    aims = raw["plan"]["priorities"][0]["aims"]
    del aims[2]
    aims.insert(0, {"key": "new-aim", "text": "A new first aim"})

    summary = _import(raw)

    assert _lines_of_actions() == before
    robbery = Theme.objects.get(key="robbery")
    assert robbery.retired_at is not None
    assert Action.objects.get(theme=robbery).theme == robbery
    assert [(t.key, t.position) for t in Theme.objects.current().filter(priority__key="high-harm")] == [
        ("violence-against-women", 1),
        ("knife-crime-youth-violence", 2),
        ("domestic-abuse", 3),
        ("serious-sexual-offences", 4),
    ]
    assert Theme.objects.filter(retired_at__isnull=False).count() == 1
    assert PartnershipAim.objects.filter(retired_at__isnull=False).get().key == "identify-early"
    assert (
        summary == "created 1 partnership aims; created 1 themes; updated 2 partnership aims; updated 1 themes; "
        "retired 1 partnership aims; retired 1 themes."
    )


def test_a_reworded_line_keeps_its_row_and_its_history_shows_the_old_text() -> None:
    raw = _raw()
    _import(raw)
    theme = Theme.objects.get(key="robbery")
    action = _action(theme.priority, theme, "1.9")
    raw["plan"]["priorities"][0]["themes"][1]["text"] = "Robbery and Theft from the Person"

    _import(raw)

    reworded = Theme.objects.get(key="robbery")
    assert reworded.pk == theme.pk
    assert reworded.retired_at is None
    action.refresh_from_db()
    assert action.theme_id == theme.pk
    assert [record.text for record in reworded.history.order_by("history_date")] == [
        "Robbery",
        "Robbery and Theft from the Person",
    ]


def test_a_retired_line_the_file_names_again_is_reinstated_and_the_summary_says_so() -> None:
    raw = _raw()
    _import(raw)
    shorter = copy.deepcopy(raw)
    del shorter["plan"]["priorities"][1]["outcomes"][0]
    _import(shorter)

    summary = _import(raw)

    outcome = Priority.objects.get(key="hidden-harms").outcomes.get(key="record-and-share-risks")
    assert outcome.retired_at is None
    assert outcome.position == 1
    assert "reinstated 1 expected outcomes" in summary


def test_renumbering_priorities_keeps_each_one_and_a_priority_left_out_is_retired_alone() -> None:
    raw = _raw()
    _import(raw)
    ids = dict(Priority.objects.values_list("key", "pk"))
    priorities = raw["plan"]["priorities"]
    priorities[0]["number"], priorities[1]["number"] = 2, 1
    del priorities[2]

    _import(raw)

    assert dict(Priority.objects.values_list("key", "pk")) == ids
    assert dict(Priority.objects.current().values_list("key", "number")) == {"high-harm": 2, "hidden-harms": 1}
    retired = Priority.objects.get(key="community-confidence")
    assert retired.retired_at is not None
    assert retired.themes.current().count() == 4


def test_a_new_key_is_a_new_line_even_with_the_old_text() -> None:
    raw = _raw()
    _import(raw)
    theme = Theme.objects.get(key="robbery")
    raw["plan"]["priorities"][0]["themes"][1]["key"] = "robberies"

    _import(raw)

    assert Theme.objects.get(pk=theme.pk).retired_at is not None
    assert Theme.objects.get(key="robberies").text == "Robbery"


def test_the_same_key_may_name_lines_of_different_kinds_and_different_priorities() -> None:
    raw = _raw()
    raw["plan"]["priorities"][0]["aims"][0]["key"] = "robbery"
    raw["plan"]["priorities"][1]["themes"][0]["key"] = "robbery"

    _import(raw)

    assert Theme.objects.filter(key="robbery").count() == 2
    assert PartnershipAim.objects.filter(key="robbery").count() == 1


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda p: p["themes"][1].update(key="knife-crime-youth-violence"),
            "plan.priorities[0].themes: key 'knife-crime-youth-violence' appears more than once",
        ),
        (lambda p: p["themes"][1].update(key="Robbery"), "plan.priorities[0].themes[1].key: “Robbery” must be"),
        (lambda p: p["themes"][1].pop("key"), "plan.priorities[0].themes[1]: key is missing"),
        (lambda p: p["themes"].__setitem__(1, "Robbery"), "plan.priorities[0].themes[1]: must be a mapping with key"),
        (lambda p: p.pop("key"), "plan.priorities[0]: key is missing"),
        (lambda p: p.update(themes=[]), "plan.priorities[0].themes: is empty"),
        (
            lambda p: p["key_issues"][0].update(sub_points=[{"key": "a", "text": "x"}, {"key": "a", "text": "y"}]),
            "plan.priorities[0].key_issues[0].sub_points: key 'a' appears more than once",
        ),
    ],
)
def test_bad_keys_are_reported_with_their_place(change, problem) -> None:
    raw = _raw()
    change(raw["plan"]["priorities"][0])

    with pytest.raises(PlanFileError) as caught:
        parse_plan(_text(raw))

    assert [p for p in caught.value.problems if p.startswith(problem)], caught.value.problems


def test_two_priorities_may_not_share_a_key() -> None:
    raw = _raw()
    raw["plan"]["priorities"][1]["key"] = "high-harm"
    with pytest.raises(PlanFileError) as caught:
        parse_plan(_text(raw))
    assert caught.value.problems == ["plan.priorities: key 'high-harm' appears more than once"]


def test_a_positional_file_still_creates_a_plan_keyed_by_kind_and_place() -> None:
    _import(_positional(_raw()))

    assert list(Priority.objects.values_list("key", flat=True)) == ["priority-1", "priority-2", "priority-3"]
    assert list(Theme.objects.filter(priority__number=1).values_list("key", flat=True)) == [
        "theme-1",
        "theme-2",
        "theme-3",
        "theme-4",
    ]
    survey = KeyIssue.objects.get(priority__number=3, key="key-issue-1")
    assert list(survey.sub_points.values_list("key", flat=True)) == [f"sub-point-{n}" for n in range(1, 6)]


def test_a_positional_file_over_an_existing_plan_is_refused_with_how_to_convert_it(tmp_path: Path) -> None:
    _import(_raw())
    path = tmp_path / "old.yaml"
    old = _positional(_raw())
    old["plan"]["priorities"][0]["title"] = "Renamed"
    path.write_text(_text(old), encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match="1 problem found; nothing was imported"):
        call_command("import_plan", str(path), stdout=StringIO(), stderr=err)

    assert "names its lines only by position" in err.getvalue()
    assert "python manage.py add_plan_keys FILE" in err.getvalue()
    assert Priority.objects.get(key="high-harm").title == "High Harm & Violence"


def test_the_converter_keys_a_positional_file_as_the_portal_keyed_its_rows(tmp_path: Path) -> None:
    old = _text(_positional(_raw()))
    _import(_positional(_raw()))
    path = tmp_path / "plan.yaml"
    path.write_text(old, encoding="utf-8")

    call_command("add_plan_keys", str(path), stdout=StringIO())
    converted = path.read_text(encoding="utf-8")

    assert converted.startswith(f"format: {FORMAT}\n")
    read = parse_plan(converted)
    assert read == dataclasses.replace(parse_plan(old), format=FORMAT)
    assert plan_import(plan_file=read).summary() == "No changes: the portal already matches the file."


def test_the_converter_keeps_the_comments_outside_the_plan_section() -> None:
    old = _text(_positional(_raw()))
    commented = "# Where this plan came from.\n" + old.replace("partnership:\n", "partnership:\n  # Our board.\n", 1)

    converted = add_keys(commented)

    assert converted.startswith("# Where this plan came from.\nformat: csp-plan/2\n")
    assert "partnership:\n  # Our board.\n" in converted


def test_the_converter_refuses_a_file_that_has_keys_already(tmp_path: Path) -> None:
    err = StringIO()
    with pytest.raises(CommandError, match="not converted"):
        call_command("add_plan_keys", str(SHIPPED_PLAN), stdout=StringIO(), stderr=err)
    assert "only a csp-plan/1 file needs keys added" in err.getvalue()


def test_the_migration_gives_existing_rows_the_keys_the_converter_writes() -> None:
    _import(_positional(_raw()))
    keys = {
        model: dict(model.objects.values_list("pk", "key")) for model in [Priority, Theme, KeyIssue, PartnershipAim]
    }
    for model in keys:
        model.objects.update(key=Concat(Value("unkeyed-"), "pk", output_field=CharField()))
    migration = importlib.import_module("priorities.migrations.0006_plan_keys")

    migration.fill_keys(apps, None)

    assert {model: dict(model.objects.values_list("pk", "key")) for model in keys} == keys


def test_a_portal_keyed_by_the_migration_takes_the_shipped_files_readable_keys_keeping_every_row() -> None:
    # Rows imported from the csp-plan/1 file are keyed by place, as migration 0006 keys them.
    _import(_positional(_raw()))
    before = _actions_on_every_theme()
    rows = {model: set(model.objects.values_list("pk", flat=True)) for model in [Priority, Theme, KeyIssue]}

    summary = _import(_raw())

    assert "retired" not in summary
    assert "created" not in summary
    assert {model: set(model.objects.values_list("pk", flat=True)) for model in rows} == rows
    assert _lines_of_actions() == before
    assert Theme.objects.get(key="robbery").priority.key == "high-harm"
    assert not Theme.objects.filter(key__startswith="theme-").exists()


# Agencies, which every partnership shares.


def _other_partnership(*authorities: dict[str, str]) -> dict[str, Any]:
    raw = _raw()
    raw["partnership"].update(name="Other Community Safety Partnership", short_name="Other CSP", slug="other")
    raw["partnership"]["responsible_authorities"] = list(authorities)
    raw["plan"]["title"] = "Other plan"
    raw["glossary"] = []
    return raw


def test_a_new_agency_name_within_a_typo_of_an_existing_one_is_refused() -> None:
    _import(_raw())
    other = _other_partnership(
        {"name": "Luton Borough Council", "short_name": "LBC"},
        {"name": "Bedfordshire Polce", "short_name": "Police"},
    )

    with pytest.raises(PlanFileError) as caught:
        _import(other)

    assert caught.value.problems == [
        "partnership.responsible_authorities[1].name: “Bedfordshire Polce” is within a typo of the existing agency "
        "“Bedfordshire Police”; use that exact name, or, if it is another body, add it in the admin first"
    ]
    assert not Partnership.objects.filter(slug="other").exists()
    assert not Agency.objects.filter(name="Luton Borough Council").exists()


def test_a_file_with_any_problem_changes_nothing_even_its_good_lines() -> None:
    _import(_raw())
    raw = _raw()
    raw["plan"]["priorities"][0]["themes"][1]["text"] = "Robbery reworded"
    raw["partnership"]["responsible_authorities"][1]["name"] = "Bedfordshire Polic"

    with pytest.raises(PlanFileError):
        _import(raw)

    assert Theme.objects.get(key="robbery").text == "Robbery"
    assert Theme.history.count() == 13


def test_agency_names_match_whatever_their_case_and_spacing() -> None:
    _import(_raw())
    other = _other_partnership({"name": "bedfordshire  POLICE", "short_name": "Beds Police"})

    _import(other)

    assert Agency.objects.filter(name__iexact="bedfordshire police").count() == 1
    assert Partnership.objects.get(slug="other").members.get().name == "Bedfordshire Police"


def test_an_import_never_changes_an_agency_another_partnership_has() -> None:
    _import(_raw())
    police = Agency.objects.get(name="Bedfordshire Police")
    police_history = police.history.count()
    other = _other_partnership({"name": "Bedfordshire Police", "short_name": "BP"})

    _import(other)

    police.refresh_from_db()
    assert police.short_name == "Police"
    assert police.history.count() == police_history
    assert set(police.partnerships.values_list("slug", flat=True)) == {"bedford-borough", "other"}


def test_an_agency_only_this_partnership_has_takes_the_files_short_name() -> None:
    _import(_raw())
    raw = _raw()
    raw["partnership"]["responsible_authorities"][1]["short_name"] = "Beds Police"

    _import(raw)

    assert Agency.objects.get(name="Bedfordshire Police").short_name == "Beds Police"


def test_the_example_in_the_format_docs_is_a_valid_file() -> None:
    docs = (SHIPPED_PLAN.parents[2] / "docs" / "plan-format.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]

    plan_file = parse_plan(example)

    assert plan_file.format == FORMAT
    assert plan_file.priorities[0].key_issues[1].sub_points[0].key == "unsafe-in-the-park"
