"""Text pasted from Word keeps its words and loses the control characters that break
spreadsheets and documents: cleaned once where it enters, safe in every output."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from actionplans.models import Action, ActionUpdate
from core.tables import read_rows
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

# Shift+Enter in Word pastes a vertical tab, a page break a form feed; other tools escape codes.
PASTED = "Six sessions delivered.\vFour schools booked.\x0cSee notes.\x1b\x08"
KEPT = "Six sessions delivered.\nFour schools booked.\nSee notes."


def test_an_update_pasted_from_word_keeps_its_words_without_control_characters(police_action, period, officer) -> None:
    response = client_for(officer).post(
        reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk]),
        {"version": "", "rag": "amber", "progress": PASTED, "issues_and_risks": "Tab\tstays", "save_draft": ""},
    )

    assert response.status_code == 302
    update = ActionUpdate.objects.get(action=police_action, period=period)
    assert update.progress == KEPT
    assert update.issues_and_risks == "Tab\tstays"


def test_the_plan_export_opens_even_with_text_saved_before_it_was_cleaned(police_action, officer) -> None:
    # Written past validation, as rows saved before this change were.
    Action.objects.filter(pk=police_action.pk).update(description=PASTED)

    response = client_for(officer).get(reverse("actionplans:export", args=[BEDFORD, police_action.plan.pk, "xlsx"]))

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert KEPT in [cell.value for row in sheet.iter_rows() for cell in row]


def test_an_uploaded_table_loses_control_characters_in_every_cell() -> None:
    table = read_rows("actions.csv", f'reference,title\r\n1.1,"{PASTED}"\r\n'.encode())

    assert table.rows == [(2, ["1.1", KEPT])]
