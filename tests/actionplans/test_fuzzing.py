"""What holds for anything at all typed into the officer's forms or put in an action file:
control characters, huge values, any Unicode. The answer is a clear error with nothing
saved, or a save of exactly what was meant; never a server error, never a half save."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplans.imports import rows_check
from actionplans.models import Action, ActionUpdate
from actionplans.services import action_upload_save, actions_import
from core.forms import NARRATIVE_LIMIT
from core.tables import TableError, read_rows
from core.text import UNSAFE, clean_text
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Any character at all, the control characters Word and other tools paste most of all.
PASTED = st.text(st.characters(codec="utf-8") | st.sampled_from("\v\f\x1b\x08\t\r\n\u2028\x00"), max_size=60)
HUGE = st.just("x" * (NARRATIVE_LIMIT + 1)) | st.just("é" * NARRATIVE_LIMIT)
TYPED = PASTED | HUGE


@contextmanager
def _rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _meant(text: str) -> str:
    """What a form stores of a typed text: trimmed, then made safe (core.text)."""
    return clean_text(text.strip())


@FUZZ
@given(
    progress=TYPED,
    issues=TYPED,
    rag=st.sampled_from(["", "green", "amber", "red", "mauve", "\x00"]),
    version=st.sampled_from(["", "1", "x", "-3", "²"]),
)
def test_any_update_typed_is_saved_as_meant_or_refused_with_nothing_saved(  # type: ignore[no-untyped-def]
    police_action, period, officer, progress: str, issues: str, rag: str, version: str
) -> None:
    client = client_for(officer)
    url = reverse("actionplans:update", args=[BEDFORD, police_action.pk, period.pk])
    with _rolled_back():
        data = {"version": version, "rag": rag, "progress": progress, "issues_and_risks": issues, "save_draft": ""}

        response = client.post(url, data)

        assert response.status_code in {200, 302, 409}, response.status_code
        saved = ActionUpdate.objects.filter(action=police_action, period=period).first()
        if response.status_code == 302:
            assert saved is not None
            assert (saved.progress, saved.issues_and_risks) == (_meant(progress), _meant(issues))
            assert not UNSAFE.search(saved.progress + saved.issues_and_risks)
        else:
            assert saved is None
            assert "govuk-error-summary" in response.content.decode() or response.status_code == 409


@FUZZ
@given(title=TYPED, description=TYPED, reference=st.sampled_from(["1.5", " 1.5 ", "", "1.1", "x" * 30]))
def test_any_action_file_is_imported_as_meant_or_refused_with_nothing_saved(  # type: ignore[no-untyped-def]
    police_action, csp_admin, title: str, description: str, reference: str
) -> None:
    plan = police_action.plan
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        [
            ["reference", "title", "description", "theme", "lead_agency", "start_date", "due_date"],
            [reference, title, description, "Robbery", "Bedfordshire Police", "2023-04-01", "2024-03-31"],
        ]
    )
    content = out.getvalue().encode("utf-8", "surrogatepass")
    with _rolled_back():
        before = sorted(Action.objects.values_list("reference", "title", "description", "version"))
        try:
            table, refused = read_rows("actions.csv", content), ""
        except TableError as exc:
            table, refused = None, str(exc)
        if table is None:
            assert refused  # a file that is not a table is refused, saying why
            return
        report = rows_check(plan=plan, kind="actions", table=table)
        if not report.ok:
            assert all(str(problem) for problem in report.problems)
            assert sorted(Action.objects.values_list("reference", "title", "description", "version")) == before
            return
        upload = action_upload_save(
            plan=plan, kind="actions", name="actions.csv", content=content, user=csp_admin, report=report
        )
        done = actions_import(upload=upload, user=csp_admin)

        assert done.ok, done.problems
        action = Action.objects.get(plan=plan, reference=reference.strip())
        assert (action.title, action.description) == (clean_text(title).strip(), clean_text(description).strip())
        assert not UNSAFE.search(action.title + action.description)
