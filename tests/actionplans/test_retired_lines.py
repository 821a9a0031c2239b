"""An action keeps a plan line the plan has since retired; no action takes one anew."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.template.loader import render_to_string

from accounts.models import Agency
from actionplans.forms import ActionForm
from actionplans.models import Action, ActionPlan
from priorities.models import PartnershipAim, Priority, Theme
from priorities.plan_file import parse_plan
from priorities.services import plan_import
from tests.factories import UserFactory
from tests.helpers import SHIPPED_PLAN, WHOLE_YEAR

pytestmark = pytest.mark.django_db

RETIRED_ON = dt.datetime(2024, 4, 3, 9, 30, tzinfo=ZoneInfo("Europe/London"))


def _import(raw: dict[str, Any]) -> None:
    plan_import(plan_file=parse_plan(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)))


@pytest.fixture
def shipped() -> dict[str, Any]:
    raw = yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))
    _import(raw)
    return raw


@pytest.fixture
def priority(shipped: dict[str, Any]) -> Priority:
    return Priority.objects.get(key="high-harm")


@pytest.fixture
def action(priority: Priority) -> Action:
    """An action on Robbery serving the aim "Ensure early identification…"."""
    action_plan = ActionPlan.objects.create(
        partnership=priority.plan.partnership, priority=priority, financial_year=2023
    )
    action = Action.objects.create(
        plan=action_plan,
        reference="1.1",
        title="Target robbery hotspots",
        theme=priority.themes.get(key="robbery"),
        lead_agency=Agency.objects.get(name="Bedfordshire Police"),
        start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31),
    )
    action.aims.set([priority.aims.get(key="identify-early")])
    return action


@pytest.fixture
def retired(shipped: dict[str, Any], action: Action) -> None:
    """The plan revised on 3 April 2024 drops Robbery and "Ensure early identification…"."""
    revised = copy.deepcopy(shipped)
    high_harm = revised["plan"]["priorities"][0]
    high_harm["themes"] = [t for t in high_harm["themes"] if t["key"] != "robbery"]
    high_harm["aims"] = [a for a in high_harm["aims"] if a["key"] != "identify-early"]
    with time_machine.travel(RETIRED_ON, tick=False):
        _import(revised)


def _form(priority: Priority, instance: Action | None = None, data: dict[str, Any] | None = None) -> ActionForm:
    return ActionForm(
        data=data,
        instance=instance,
        user=UserFactory(),
        plan_priority_id=priority.pk,
        can_choose_agency=True,
    )


def _posted(action: Action, **changes: Any) -> dict[str, Any]:
    """The action's form as its page shows it, posted unchanged but for `changes`."""
    return {
        "reference": action.reference,
        "title": action.title,
        "theme": action.theme_id,
        "aims": [aim.pk for aim in action.aims.all()],
        "lead_agency": action.lead_agency_id,
        "state": action.state,
        **WHOLE_YEAR,
        **changes,
    }


def _labels(form: ActionForm, name: str) -> list[str]:
    return [label for _, label in form.fields[name].choices]


def test_an_action_on_a_retired_theme_is_offered_it_labelled_retired_beside_the_current_themes(
    priority: Priority, action: Action, retired: None
) -> None:
    form = _form(priority, instance=action)

    assert _labels(form, "theme") == [
        "Knife Crime & Youth Violence",
        "Robbery (retired)",
        "Domestic Abuse",
        "Serious Sexual Offences",
    ]
    assert "Ensure early identification of those involved in violence (retired)" in _labels(form, "aims")


def test_saving_an_action_unchanged_keeps_its_retired_theme_and_aim(
    priority: Priority, action: Action, retired: None
) -> None:
    form = _form(priority, instance=action, data=_posted(action))

    assert form.is_valid(), form.errors
    saved = form.save()

    assert saved.theme == Theme.objects.get(key="robbery", retired_at__isnull=False)
    assert list(saved.aims.all()) == [PartnershipAim.objects.get(key="identify-early")]


def test_a_new_action_cannot_pick_a_retired_theme_nor_is_it_offered_one(
    priority: Priority, action: Action, retired: None
) -> None:
    robbery = Theme.objects.get(key="robbery")
    form = _form(priority, data=_posted(action, reference="1.2", aims=[]) | {"theme": robbery.pk})

    assert "Robbery (retired)" not in _labels(form, "theme")
    assert not form.is_valid()
    assert "theme" in form.errors


def test_another_action_cannot_move_onto_a_retired_theme(priority: Priority, action: Action, retired: None) -> None:
    other = Action.objects.create(
        plan=action.plan,
        reference="1.2",
        title="Knife amnesty",
        theme=priority.themes.get(key="knife-crime-youth-violence"),
        lead_agency=action.lead_agency,
        start_date=action.start_date,
        due_date=action.due_date,
    )
    form = _form(priority, instance=other, data=_posted(other, theme=action.theme_id))

    assert not form.is_valid()
    assert "theme" in form.errors


def test_an_action_on_current_lines_is_offered_only_current_lines(priority: Priority, action: Action) -> None:
    form = _form(priority, instance=action)

    assert not [label for label in _labels(form, "theme") if "retired" in label]
    assert len(_labels(form, "theme")) == 4


def test_the_action_page_says_when_a_line_it_keeps_was_retired(action: Action, retired: None) -> None:
    action.theme.refresh_from_db()

    html = render_to_string("includes/_retired_on.html", {"line": action.theme})

    assert "retired on 3 April 2024" in html
    assert (
        render_to_string("includes/_retired_on.html", {"line": Theme.objects.get(key="domestic-abuse")}).strip() == ""
    )
