"""What people type is shown as text, never run as markup: the GOV.UK template pack marks
labels, hints and legends safe, so the portal escapes them."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect

import pytest
from django import forms
from django.apps import apps
from django.urls import reverse

from actionplans.models import Milestone
from core.forms import PortalFormMixin
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

PHISH = '<a href="https://evil.example/">phish</a>'


def test_a_milestone_title_and_an_indicator_title_and_unit_are_text_on_the_update_form(
    police_action, period, officer, indicator
) -> None:
    Milestone.objects.create(action=police_action, title=PHISH, due_date=dt.date(2024, 3, 20))
    indicator.title = '<img src="x" alt="title">'
    indicator.unit = "<b>unit</b>"
    indicator.save()

    html = (
        client_for(officer)
        .get(reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk]))
        .content.decode()
    )

    assert "&lt;a href=&quot;https://evil.example/&quot;&gt;phish&lt;/a&gt;" in html
    assert 'href="https://evil.example/"' not in html
    assert '<img src="x"' not in html
    assert "&lt;img src=&quot;x&quot;" in html
    assert "<b>unit</b>" not in html
    assert "&lt;b&gt;unit&lt;/b&gt;" in html


def test_every_form_of_the_portal_escapes_its_labels() -> None:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith(("core", "accounts", "priorities", "actionplans", "consultations", "reports")):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found.append(cls)

    assert len(found) >= 10
    assert [cls.__name__ for cls in found if not issubclass(cls, PortalFormMixin)] == []
