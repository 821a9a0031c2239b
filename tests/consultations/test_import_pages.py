"""The import pages: upload, map, check, confirm; the mapping remembered per tool; old uploads dropped."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consultations.imports import Mapping, read_table
from consultations.models import ColumnMapping, Consultation, Response, ResponseImport
from consultations.services import responses_import
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

GOOD = (
    "Respondent ID,Ward,Age,Q1 Confidence\r\n"
    "R1,Castle,25-34,Very confident\r\n"
    "R2,Queens Park,18 to 24,Not very confident\r\n"
)


def _upload(client, survey: Consultation, text: str, tool: str = "SmartSurvey") -> ResponseImport:
    response = client.post(
        reverse("consultations:import", args=[BEDFORD, survey.slug]),
        {"tool": tool, "file": SimpleUploadedFile("export.csv", text.encode("utf-8-sig"), "text/csv")},
    )
    assert response.status_code == 302
    return ResponseImport.objects.latest("pk")


def test_an_admin_uploads_maps_checks_and_imports(survey: Consultation, csp_admin) -> None:
    client = client_for(csp_admin)
    record = _upload(client, survey, GOOD)
    url = reverse("consultations:import_map", args=[BEDFORD, survey.slug, record.pk])

    page = client.get(url)
    guessed = {name: page.context["form"][name].value() for name in page.context["form"].fields}
    assert list(guessed.values()) == ["response_id", "ward", "age_band", "question 1"]
    checked = client.post(url, {**guessed, "check": "1"})
    assert checked.context["check"].ok
    assert Response.objects.count() == 0  # checking saves nothing
    done = client.post(url, {**guessed, "confirm": "1", "token": checked.context["token"]})

    assert done.status_code == 302
    assert Response.objects.filter(consultation=survey).count() == 2
    record.refresh_from_db()
    assert record.imported_at is not None
    assert record.responses_added == 2
    assert bytes(record.content) == b""  # the file is not kept once imported


def test_a_confirm_for_a_mapping_changed_after_the_check_only_checks_again(survey: Consultation, csp_admin) -> None:
    client = client_for(csp_admin)
    record = _upload(client, survey, GOOD)
    url = reverse("consultations:import_map", args=[BEDFORD, survey.slug, record.pk])
    guessed = {name: field.initial for name, field in client.get(url).context["form"].fields.items()}
    token = client.post(url, {**guessed, "check": "1"}).context["token"]

    changed = {**guessed, "column_2": "ignore"}
    response = client.post(url, {**changed, "confirm": "1", "token": token})

    assert response.status_code == 200
    assert Response.objects.count() == 0


def test_a_bad_row_is_named_and_nothing_is_imported(survey: Consultation, csp_admin) -> None:
    client = client_for(csp_admin)
    record = _upload(client, survey, GOOD + "R3,Atlantis,25-34,Very confident\r\n")
    url = reverse("consultations:import_map", args=[BEDFORD, survey.slug, record.pk])
    guessed = {name: field.initial for name, field in client.get(url).context["form"].fields.items()}

    response = client.post(url, {**guessed, "check": "1"})

    page = response.content.decode()
    assert "The file has 1 problem: nothing was imported" in page
    assert "“Atlantis” is not a ward" in page
    assert response.context["check"].problems[0][0] == 4
    assert "Import 3" not in page
    assert Response.objects.count() == 0


def test_the_mapping_is_offered_again_for_the_next_file_from_the_same_tool(survey: Consultation, csp_admin) -> None:
    client = client_for(csp_admin)
    text = "Ref no,Where,How old,Agencies\r\nR1,Castle,25-34,Very confident\r\n"
    record = _upload(client, survey, text, tool="Paper forms")
    url = reverse("consultations:import_map", args=[BEDFORD, survey.slug, record.pk])
    chosen = {"column_0": "response_id", "column_1": "ward", "column_2": "age_band", "column_3": "question 1"}
    client.post(url, {**chosen, "check": "1"})
    assert ColumnMapping.objects.get(consultation=survey, tool="Paper forms").columns["Agencies"] == "question 1"

    second = _upload(client, survey, text.replace("R1", "R2"), tool="Paper forms")
    form = client.get(reverse("consultations:import_map", args=[BEDFORD, survey.slug, second.pk])).context["form"]

    assert {name: field.initial for name, field in form.fields.items()} == chosen


def test_an_upload_never_imported_is_dropped_after_a_week(survey: Consultation, csp_admin) -> None:
    client = client_for(csp_admin)
    old = _upload(client, survey, GOOD)
    ResponseImport.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=8))

    _upload(client, survey, GOOD)

    old.refresh_from_db()
    assert bytes(old.content) == b""
    response = client.get(reverse("consultations:import_map", args=[BEDFORD, survey.slug, old.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:import", args=[BEDFORD, survey.slug])


def test_a_file_that_is_not_a_table_is_refused_on_the_upload_form(survey: Consultation, csp_admin) -> None:
    response = client_for(csp_admin).post(
        reverse("consultations:import", args=[BEDFORD, survey.slug]),
        {"tool": "x", "file": SimpleUploadedFile("export.csv", "caf\xe9,1\r\n".encode("cp1252"), "text/csv")},
    )

    assert response.status_code == 200
    assert "not UTF-8" in response.content.decode()
    assert not ResponseImport.objects.exists()


def test_pressing_import_twice_adds_the_file_once_and_keeps_the_record(survey: Consultation, csp_admin) -> None:
    client = client_for(csp_admin)
    record = _upload(client, survey, GOOD)
    url = reverse("consultations:import_map", args=[BEDFORD, survey.slug, record.pk])
    guessed = {name: field.initial for name, field in client.get(url).context["form"].fields.items()}
    token = client.post(url, {**guessed, "check": "1"}).context["token"]
    client.post(url, {**guessed, "confirm": "1", "token": token})
    table = read_table("export.csv", GOOD.encode())

    again = responses_import(
        consultation=survey,
        table=table,
        mapping=Mapping(dict(zip(table.headers, guessed.values(), strict=True))),
        user=None,
        upload=record,
    )

    assert not again.ok
    assert "was imported already" in again.messages()[0]
    record.refresh_from_db()
    assert record.responses_added == 2
    assert Response.objects.count() == 2


def test_a_mapping_that_does_not_fit_is_not_saved_over_the_good_one(survey: Consultation, csp_admin) -> None:
    client = client_for(csp_admin)
    record = _upload(client, survey, GOOD)
    url = reverse("consultations:import_map", args=[BEDFORD, survey.slug, record.pk])
    good = {"column_0": "response_id", "column_1": "ward", "column_2": "age_band", "column_3": "question 1"}
    client.post(url, {**good, "check": "1"})

    client.post(url, {**good, "column_0": "ignore", "check": "1"})  # no response id: refused

    assert ColumnMapping.objects.get(tool="SmartSurvey").columns["Respondent ID"] == "response_id"


def test_the_daily_task_drops_old_uploads_never_imported(survey: Consultation, csp_admin) -> None:
    from core.tasks import expire_uploads

    client = client_for(csp_admin)
    old, fresh = _upload(client, survey, GOOD), _upload(client, survey, GOOD)
    ResponseImport.objects.filter(pk=old.pk).update(uploaded_at=timezone.now() - dt.timedelta(days=8))

    assert expire_uploads() == 1

    old.refresh_from_db()
    fresh.refresh_from_db()
    assert bytes(old.content) == b""
    assert bytes(fresh.content) != b""


def test_an_unclosed_quote_is_named_not_swallowed() -> None:
    from consultations.imports import TableError

    with pytest.raises(TableError, match="could not be read as CSV"):
        read_table("export.csv", b'id,q1\r\nR1,"Very confident\r\nR2,Fairly confident\r\n')


def test_an_imported_upload_says_so_instead_of_offering_the_mapping_again(survey: Consultation, csp_admin) -> None:
    client = client_for(csp_admin)
    record = _upload(client, survey, GOOD)
    url = reverse("consultations:import_map", args=[BEDFORD, survey.slug, record.pk])
    guessed = {name: field.initial for name, field in client.get(url).context["form"].fields.items()}
    token = client.post(url, {**guessed, "check": "1"}).context["token"]
    client.post(url, {**guessed, "confirm": "1", "token": token})

    page = client.get(url)

    assert "consultations/import_done.html" in [t.name for t in page.templates]
    assert "2 responses added" in page.content.decode()


def test_one_daily_task_drops_abandoned_uploads_of_both_imports(survey: Consultation, csp_admin, plan) -> None:
    from actionplans.models import ActionImport, ActionPlan
    from core.tasks import expire_uploads

    action_plan = ActionPlan.objects.create(
        partnership=plan.priorities.get(number=1).plan.partnership,
        priority=plan.priorities.get(number=1),
        financial_year=2023,
    )
    actions = ActionImport(plan=action_plan, kind="actions", uploaded_by=csp_admin)
    actions.hold("actions.csv", b"reference,title\r\n")
    actions.save()
    responses = _upload(client_for(csp_admin), survey, GOOD)
    week_ago = timezone.now() - dt.timedelta(days=8)
    ActionImport.objects.update(uploaded_at=week_ago)
    ResponseImport.objects.update(uploaded_at=week_ago)

    assert expire_uploads() == 2

    actions.refresh_from_db()
    responses.refresh_from_db()
    assert (bytes(actions.content), bytes(responses.content)) == (b"", b"")
    assert (actions.expired, responses.expired) == (True, True)
