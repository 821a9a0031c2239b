from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from priorities.models import (
    ExpectedOutcome,
    GlossaryTerm,
    KeyIssue,
    Partnership,
    PartnershipAim,
    Priority,
    StrategicPlan,
    Theme,
)
from priorities.plan_file import PlanFileError, parse_plan
from tests.factories import UserFactory
from tests.helpers import SHIPPED_PLAN

pytestmark = pytest.mark.django_db

HISTORIES = [Partnership, StrategicPlan, Priority, Theme, KeyIssue, PartnershipAim, ExpectedOutcome, GlossaryTerm]


def _raw() -> dict:
    return yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _history_counts() -> dict[str, int]:
    return {model.__name__: model.history.count() for model in HISTORIES}


def test_it_imports_every_part_of_the_shipped_plan() -> None:
    out = StringIO()
    call_command("import_plan", str(SHIPPED_PLAN), stdout=out)

    plan = StrategicPlan.objects.current()
    assert plan is not None
    assert plan.title == "Community Safety Partnership Strategic Plan 2020 – 2024"
    assert plan.based_on is not None
    assert plan.based_on.year == 2022
    assert [p.title for p in plan.priorities.all()] == [
        "High Harm & Violence",
        "Hidden Harms & Exploitation",
        "Building Community Confidence",
    ]
    assert plan.partnership.responsible_authorities().count() == 5
    assert Theme.objects.count() == 13
    assert KeyIssue.objects.filter(parent__isnull=True).count() == 20
    assert KeyIssue.objects.filter(parent__isnull=False).count() == 5
    assert PartnershipAim.objects.count() == 13
    assert ExpectedOutcome.objects.count() == 14
    assert GlossaryTerm.objects.count() == 36
    assert "created 3 priorities" in out.getvalue()


def test_a_second_import_of_the_same_file_changes_nothing() -> None:
    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())
    before = _history_counts()
    out = StringIO()

    call_command("import_plan", str(SHIPPED_PLAN), stdout=out)

    assert _history_counts() == before
    assert "No changes" in out.getvalue()


def test_an_edited_file_updates_what_changed_and_history_records_it(tmp_path: Path) -> None:
    # The 2020 plan called priority three "Public Perceptions"; the 2022 refresh renamed it.
    earlier = _raw()
    earlier["plan"]["priorities"][2]["title"] = "Public Perceptions"
    call_command("import_plan", str(_write(tmp_path, earlier)), stdout=StringIO())
    priority = Priority.objects.get(number=3)
    untouched = Priority.objects.get(number=1).history.count()

    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())

    priority.refresh_from_db()
    assert priority.title == "Building Community Confidence"
    titles = [record.title for record in priority.history.order_by("history_date")]
    assert titles == ["Public Perceptions", "Building Community Confidence"]
    assert priority.history.latest().history_change_reason == f"Imported from {SHIPPED_PLAN.name}"
    assert Priority.objects.get(number=1).history.count() == untouched


def test_lines_the_file_drops_are_retired_not_deleted(tmp_path: Path) -> None:
    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())
    shorter = _raw()
    dropped = shorter["plan"]["priorities"][0]["aims"].pop()

    call_command("import_plan", str(_write(tmp_path, shorter)), stdout=StringIO())

    aim = PartnershipAim.objects.get(text=dropped["text"])
    assert aim.retired_at is not None
    assert PartnershipAim.objects.current().filter(priority__number=1).count() == 4

    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())
    aim.refresh_from_db()
    assert aim.retired_at is None


def test_the_import_records_the_person_named_with_user() -> None:
    person = UserFactory(email="team@example.org")

    call_command("import_plan", str(SHIPPED_PLAN), "--user", "Team@Example.org", stdout=StringIO())

    assert Priority.history.filter(history_user=person).count() == 3


def test_a_broken_file_names_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    broken = _raw()
    broken["plan"]["priorities"][2]["aims"][1]["text"] = "  "
    broken["plan"]["priorities"][0]["number"] = 2
    del broken["plan"]["priorities"][1]["title"]
    broken["glossary"][3]["description"] = ""
    broken["plan"]["based_on"] = 2018
    broken["plan"]["priorities"][0]["colour"] = "red"
    err = StringIO()

    with pytest.raises(CommandError, match="6 problems found; nothing was imported"):
        call_command("import_plan", str(_write(tmp_path, broken)), stdout=StringIO(), stderr=err)

    reported = err.getvalue()
    for expected in [
        "plan.priorities[2].aims[1].text: is empty",
        "plan.priorities[1]: title is missing",
        "plan.priorities: number 2 appears more than once",
        "glossary[3].description: is empty",
        "plan.based_on: no assessment for 2018 in assessments",
        "plan.priorities[0]: unknown key 'colour'",
    ]:
        assert expected in reported
    assert Partnership.objects.count() == 0
    assert Priority.objects.count() == 0


def test_a_broken_file_leaves_an_imported_plan_as_it_was(tmp_path: Path) -> None:
    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())
    before = _history_counts()
    broken = _raw()
    broken["plan"]["priorities"][0]["title"] = "Renamed"
    broken["plan"]["ends"] = "not a date"

    with pytest.raises(CommandError):
        call_command("import_plan", str(_write(tmp_path, broken)), stdout=StringIO(), stderr=StringIO())

    assert Priority.objects.get(number=1).title == "High Harm & Violence"
    assert _history_counts() == before


def test_it_rejects_text_that_is_not_yaml_with_the_line() -> None:
    with pytest.raises(PlanFileError) as caught:
        parse_plan("format: csp-plan/1\npartnership: [unclosed\n")
    assert caught.value.problems[0].startswith("line 3: not valid YAML")


def test_it_rejects_another_format_version() -> None:
    raw = _raw()
    raw["format"] = "csp-plan/9"
    with pytest.raises(PlanFileError) as caught:
        parse_plan(yaml.safe_dump(raw))
    assert caught.value.problems == ["format: must be 'csp-plan/2'"]


def test_dry_run_checks_the_file_and_writes_nothing() -> None:
    out = StringIO()
    call_command("import_plan", str(SHIPPED_PLAN), "--dry-run", stdout=out)
    assert "the file is valid (3 priorities)" in out.getvalue()
    assert Partnership.objects.count() == 0


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read the file"):
        call_command("import_plan", str(tmp_path / "nope.yaml"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda raw: raw["plan"].update(starts="2020-02-30"), "not a real date"),
        (lambda raw: raw["plan"]["priorities"][0].update(number=-1), "plan.priorities[0].number: must be from 1 to 99"),
        (lambda raw: raw["plan"]["priorities"][0].update(title="x" * 201), "the most is 200"),
        (lambda raw: raw["glossary"][0].update(term="T" * 101), "glossary[0].term: is 101 characters long"),
        (
            lambda raw: raw["assessments"][1].update(url="javascript:alert(1)"),
            "must be a web address starting https://",
        ),
        (lambda raw: raw["plan"].update(supersedes=raw["plan"]["title"]), "a plan cannot supersede itself"),
        (lambda raw: raw["assessments"][0].update(year=10**6), "assessments[0].year: must be from 1990 to 2100"),
        (lambda raw: raw["plan"]["priorities"].__setitem__(1, "Hidden Harms"), "plan.priorities[1]: must be a mapping"),
    ],
)
def test_bad_values_are_reported_with_their_place_never_a_crash(tmp_path: Path, change, problem) -> None:
    raw = _raw()
    change(raw)
    text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False).replace("'2020-02-30'", "2020-02-30")
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    err = StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_plan", str(path), stdout=StringIO(), stderr=err)

    assert problem in err.getvalue()
    assert err.getvalue().count("\n") <= 2  # one problem, not a cascade
    assert Partnership.objects.count() == 0


def test_superseding_a_plan_twice_is_refused(tmp_path: Path) -> None:
    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())
    first, second = _raw(), _raw()
    first["plan"].update(title="Refresh A", supersedes=_raw()["plan"]["title"])
    second["plan"].update(title="Refresh B", supersedes=_raw()["plan"]["title"])
    call_command("import_plan", str(_write(tmp_path, first, "a.yaml")), stdout=StringIO())
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("import_plan", str(_write(tmp_path, second, "b.yaml")), stdout=StringIO(), stderr=err)

    assert "is already superseded by 'Refresh A'" in err.getvalue()
    assert StrategicPlan.objects.current().title == "Refresh A"


def test_a_retired_key_issue_takes_its_sub_points_with_it(tmp_path: Path) -> None:
    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())
    raw = _raw()
    del raw["plan"]["priorities"][2]["key_issues"][0]

    call_command("import_plan", str(_write(tmp_path, raw)), stdout=StringIO())

    dropped = KeyIssue.objects.get(priority__number=3, parent=None, key="survey-concerns")
    assert dropped.retired_at is not None
    assert dropped.sub_points.count() == 5
    assert dropped.sub_points.current().count() == 0
    assert KeyIssue.objects.current().filter(priority__number=3, parent__isnull=False).count() == 0


def test_a_responsible_authority_the_file_drops_leaves_the_partnership(tmp_path: Path) -> None:
    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())
    raw = _raw()
    raw["partnership"]["responsible_authorities"].pop()

    call_command("import_plan", str(_write(tmp_path, raw)), stdout=StringIO())

    partnership = Partnership.objects.get()
    assert partnership.responsible_authorities().count() == 4
    assert "Bedfordshire Clinical Commissioning Group" not in {a.name for a in partnership.members.all()}


def test_dry_run_rehearses_the_whole_import(tmp_path: Path) -> None:
    call_command("import_plan", str(SHIPPED_PLAN), stdout=StringIO())
    raw = _raw()
    raw["plan"]["priorities"][0]["title"] = "Violence"
    out = StringIO()

    call_command("import_plan", str(_write(tmp_path, raw)), "--dry-run", stdout=out)

    assert "An import would have: updated 1 priorities." in out.getvalue()
    assert Priority.objects.get(number=1).title == "High Harm & Violence"


def test_the_summary_names_only_what_changed() -> None:
    out = StringIO()
    call_command("import_plan", str(SHIPPED_PLAN), stdout=out)
    assert " 0 " not in out.getvalue()
