"""Admins import actions and milestones from CSV or Excel: preview, every bad row named, all or nothing."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplans.imports import rows_check
from actionplans.models import Action, ActionImport, Milestone
from actionplans.services import action_upload_save, actions_import
from core.models import StaleEdit
from core.services import versioned_save
from core.tables import read_rows
from core.tasks import expire_uploads
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db

HEADER = ["reference", "title", "theme", "lead_agency", "owner_email", "start_date", "due_date", "state"]
GOOD = [
    ["1.2", "Robbery hotspot patrols", "Robbery", "Bedfordshire Police", "", "2023-04-01", "2024-03-31", "open"],
    ["1.3", "Review repeat MARAC cases", "Domestic Abuse", "BBC", "", "01/04/2023", "31/03/2024", ""],
]


def _csv(rows: list[list[str]], *, bom: bool = False, newline: str = "\r\n") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([HEADER, *rows])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _upload(client, plan, content: bytes, name: str = "actions.csv", kind: str = "actions"):
    return client.post(
        reverse("actionplans:import", args=[BEDFORD, plan.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


def _confirm(client, plan, response):
    context = response.context
    return client.post(
        reverse("actionplans:import", args=[BEDFORD, plan.pk]),
        {"confirm": "", "token": context["token"]},
    )


def test_a_good_csv_is_previewed_then_imported_on_confirm(action_plan, csp_admin) -> None:
    client = client_for(csp_admin)

    preview = _upload(client, action_plan, _csv(GOOD, bom=True))

    html = preview.content.decode()
    assert "2 to add, 0 to update" in html
    assert not Action.objects.exists()

    done = _confirm(client, action_plan, preview)

    assert done.status_code == 302
    assert list(Action.objects.order_by("reference").values_list("reference", "lead_agency__name")) == [
        ("1.2", "Bedfordshire Police"),
        ("1.3", "Bedford Borough Council"),
    ]
    assert Action.history.filter(history_user=csp_admin).count() == 2


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(action_plan, csp_admin) -> None:
    rows = [
        *GOOD,
        ["1.4", "Knife sessions", "Not a theme", "Bedfordshire Police", "", "2023-04-01", "2024-03-31", "open"],
        ["", "", "", "", "", "", "", ""],
        ["1.5", "Hate crime centres", "Robbery", "Nobody Agency", "", "2023-04-01", "31/02/2024", "open"],
        ["1.2", "Duplicate", "Robbery", "Bedfordshire Police", "", "2023-04-01", "2024-03-31", "open"],
    ]

    response = _upload(client_for(csp_admin), action_plan, _csv(rows, newline="\n"))

    html = response.content.decode()
    assert "nothing was imported" in html
    assert "Line 4: theme: no theme of this priority called &#x27;Not a theme&#x27;" in html
    assert "Line 6: lead agency: no agency called &#x27;Nobody Agency&#x27;" in html
    assert "Line 6: due date: &#x27;31/02/2024&#x27; is not a date" in html
    assert "Line 7: repeats line 2" in html
    assert "Line 5" not in html  # an empty row is skipped, not an error
    assert not Action.objects.exists()


def test_a_bad_row_after_a_title_over_two_lines_is_named_by_its_own_line(action_plan, csp_admin) -> None:
    rows = [
        [
            "1.2",
            "Robbery hotspot patrols,\nin two parts",
            "Robbery",
            "Bedfordshire Police",
            "",
            "2023-04-01",
            "2024-03-31",
            "",
        ],
        ["1.4", "Knife sessions", "Not a theme", "Bedfordshire Police", "", "2023-04-01", "2024-03-31", "open"],
    ]

    response = _upload(client_for(csp_admin), action_plan, _csv(rows))

    assert "Line 4: theme: no theme of this priority called &#x27;Not a theme&#x27;" in response.content.decode()
    assert not Action.objects.exists()


def test_rows_that_pass_alone_but_fail_together_still_import_nothing(action_plan, csp_admin) -> None:
    rows = [*GOOD, ["1.6", "Ends before it starts", "Robbery", "Police", "", "2024-03-31", "2023-04-01", "open"]]
    response = _upload(client_for(csp_admin), action_plan, _csv(rows))
    assert "Line 4" in response.content.decode()
    assert not Action.objects.exists()


def test_an_xlsx_with_excel_dates_imports_and_a_second_run_changes_nothing(action_plan, csp_admin) -> None:
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(
        [
            "1.2",
            "Robbery hotspot patrols",
            "Robbery",
            "Police",
            "",
            dt.datetime(2023, 4, 1),
            dt.datetime(2024, 3, 31),
            "open",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    client = client_for(csp_admin)

    _confirm(client, action_plan, _upload(client, action_plan, buffer.getvalue(), name="actions.xlsx"))
    again = _upload(client, action_plan, buffer.getvalue(), name="actions.xlsx")

    assert Action.objects.get().due_date == dt.date(2024, 3, 31)
    assert "0 to add, 0 to update, 1 unchanged" in again.content.decode()


def test_milestones_import_against_the_plans_actions(police_action, csp_admin) -> None:
    content = (
        b"action_reference,milestone,due_date,completed_on\r\n"
        b"1.1,Book the hall,2024-02-01,2024-01-30\r\n"
        b"9.9,Orphan,2024-02-01,\r\n"
    )
    client = client_for(csp_admin)

    refused = _upload(client, police_action.plan, content, name="m.csv", kind="milestones")
    assert "Line 3: no action in this plan has the reference &#x27;9.9&#x27;" in refused.content.decode()

    fixed = content.replace(b"9.9,Orphan,2024-02-01,\r\n", b"")
    _confirm(client, police_action.plan, _upload(client, police_action.plan, fixed, name="m.csv", kind="milestones"))
    assert Milestone.objects.get(title="Book the hall").completed_on.isoformat() == "2024-01-30"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("actions.csv", "reference,title\n1.1,ça\n".encode("latin-1"), "not UTF-8 text"),
        ("actions.txt", b"reference\n", "must be a .csv or .xlsx file"),
        ("actions.xlsx", b"not really a spreadsheet", "could not be read as a table"),
        ("actions.csv", b"title,theme\nA,Robbery\n", "missing columns: due_date, lead_agency, reference, start_date"),
    ],
)
def test_an_unreadable_file_gets_a_clear_error(action_plan, csp_admin, name, content, message) -> None:
    response = _upload(client_for(csp_admin), action_plan, content, name=name)
    assert message in response.content.decode()
    assert not Action.objects.exists()


def test_a_forged_confirm_token_is_refused(action_plan, csp_admin) -> None:
    response = client_for(csp_admin).post(
        reverse("actionplans:import", args=[BEDFORD, action_plan.pk]),
        {"confirm": "", "token": "../../etc/passwd", "kind": "actions", "suffix": ".csv"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_any_reader_exports_a_plans_actions_in_the_import_columns(police_action, board_member, fmt) -> None:
    response = client_for(board_member).get(reverse("actionplans:export", args=[BEDFORD, police_action.plan.pk, fmt]))

    assert response.status_code == 200
    assert f"actions-2023-24-priority-1.{fmt}" in response["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
        assert set(HEADER) <= set(rows[0])
        assert rows[1][rows[0].index("title")] == "Run knife-crime awareness sessions in schools"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.cell(row=2, column=[c.value for c in sheet[1]].index("reference") + 1).value == "1.1"


def test_a_blank_state_leaves_an_existing_action_as_it_is(police_action, csp_admin) -> None:
    police_action.state = "completed"
    police_action.save()
    content = (
        b"reference,title,theme,lead_agency,start_date,due_date\r\n"
        b"1.1,Renamed,Knife Crime & Youth Violence,Police,2023-04-01,2024-03-31\r\n"
    )
    client = client_for(csp_admin)

    _confirm(client, police_action.plan, _upload(client, police_action.plan, content))

    police_action.refresh_from_db()
    assert (police_action.title, police_action.state) == ("Renamed", "completed")


def test_excel_traps_are_refused(action_plan, csp_admin) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append([1.10, "Number reference", "Robbery", "Police", "", "2023-04-01", "2024-03-31", "open"])
    second = book.create_sheet("More")
    second.append(HEADER)
    second.append(["1.2", "Hidden row", "Robbery", "Police", "", "2023-04-01", "2024-03-31", "open"])
    buffer = io.BytesIO()
    book.save(buffer)

    two_sheets = _upload(client_for(csp_admin), action_plan, buffer.getvalue(), name="a.xlsx").content.decode()
    assert "The workbook has data on 2 sheets" in two_sheets

    book.remove(second)
    buffer = io.BytesIO()
    book.save(buffer)
    number = _upload(client_for(csp_admin), action_plan, buffer.getvalue(), name="a.xlsx").content.decode()
    assert "Line 2: reference 1.1 is a number" in number
    repeated = _upload(client_for(csp_admin), action_plan, b"reference,title,title\r\n1.1,a,b\r\n").content.decode()
    assert "the column title appears more than once" in repeated
    assert not Action.objects.exists()


def test_exports_never_carry_a_live_formula(police_action, board_member) -> None:
    police_action.title = '=HYPERLINK("http://evil.example","Click")'
    police_action.save()
    response = client_for(board_member).get(reverse("actionplans:export", args=[BEDFORD, police_action.plan.pk, "csv"]))
    assert "'=HYPERLINK" in response.content.decode()
    xlsx = client_for(board_member).get(reverse("actionplans:export", args=[BEDFORD, police_action.plan.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    titles = [c.value for c in sheet[2]]
    assert '\'=HYPERLINK("http://evil.example","Click")' in titles


def test_an_edit_between_check_and_confirm_stops_the_import(police_action, csp_admin) -> None:
    content = (
        b"reference,title,theme,lead_agency,start_date,due_date\r\n"
        b"1.1,From the file,Knife Crime & Youth Violence,Police,2023-04-01,2024-03-31\r\n"
    )
    client = client_for(csp_admin)
    preview = _upload(client, police_action.plan, content)
    Action.objects.filter(pk=police_action.pk).update(title="Edited meanwhile", version=5)

    response = _confirm(client, police_action.plan, preview)

    assert response.status_code == 302
    police_action.refresh_from_db()
    assert police_action.title == "Edited meanwhile"
    follow = client.get(response["Location"]).content.decode()
    assert "were changed by someone after you checked it" in follow


def _staged(plan, user, content: bytes, kind: str = "actions") -> ActionImport:
    report = rows_check(plan=plan, kind=kind, table=read_rows("a.csv", content))
    assert report.ok, report.problems
    return action_upload_save(plan=plan, kind=kind, name="a.csv", content=content, user=user, report=report)


def test_an_action_saved_through_its_form_between_check_and_confirm_refuses_the_whole_import(
    police_action, csp_admin
) -> None:
    content = (
        b"reference,title,theme,lead_agency,start_date,due_date\r\n"
        b"1.1,From the file,Knife Crime & Youth Violence,Police,2023-04-01,2024-03-31\r\n"
        b"1.2,Added by the file,Robbery,Police,2023-04-01,2024-03-31\r\n"
    )
    upload = _staged(police_action.plan, csp_admin, content)
    police_action.title = "Edited meanwhile"
    versioned_save(instance=police_action, expected_version=police_action.version, user=csp_admin)

    with pytest.raises(StaleEdit):
        actions_import(upload=upload, user=csp_admin)

    police_action.refresh_from_db()
    assert police_action.title == "Edited meanwhile"
    assert not Action.objects.filter(reference="1.2").exists()  # all or nothing: the new row is not added either
    assert ActionImport.objects.get().imported_at is None


def test_a_milestone_changed_between_check_and_confirm_refuses_the_import(police_action, csp_admin) -> None:
    milestone = Milestone.objects.create(action=police_action, title="Book the hall", due_date="2024-02-01")
    content = b"action_reference,milestone,due_date,completed_on\r\n1.1,Book the hall,2024-02-01,2024-01-30\r\n"
    upload = _staged(police_action.plan, csp_admin, content, kind="milestones")
    milestone.due_date = "2024-02-15"
    versioned_save(instance=milestone, expected_version=milestone.version, user=csp_admin)

    with pytest.raises(StaleEdit):
        actions_import(upload=upload, user=csp_admin)

    milestone.refresh_from_db()
    assert (milestone.due_date.isoformat(), milestone.completed_on) == ("2024-02-15", None)


def test_an_import_raises_the_version_of_what_it_changes_so_an_open_form_is_stale(police_action, csp_admin) -> None:
    opened_at = police_action.version
    content = (
        b"reference,title,theme,lead_agency,start_date,due_date\r\n"
        b"1.1,From the file,Knife Crime & Youth Violence,Police,2023-04-01,2024-03-31\r\n"
    )

    report = actions_import(upload=_staged(police_action.plan, csp_admin, content), user=csp_admin)

    assert (report.ok, report.updated) == (True, 1)
    police_action.refresh_from_db()
    assert (police_action.title, police_action.version) == ("From the file", opened_at + 1)
    police_action.title = "From a form opened before the import"
    with pytest.raises(StaleEdit):
        versioned_save(instance=police_action, expected_version=opened_at, user=csp_admin)


def test_a_second_confirm_of_the_same_upload_imports_nothing_more(action_plan, csp_admin) -> None:
    client = client_for(csp_admin)
    preview = _upload(client, action_plan, _csv(GOOD))
    _confirm(client, action_plan, preview)

    again = _confirm(client, action_plan, preview)

    assert Action.objects.count() == 2
    assert "That upload has expired" in client.get(again["Location"]).content.decode()
    assert bytes(ActionImport.objects.get().content) == b""  # the file is not kept once imported


def test_someone_elses_upload_cannot_be_confirmed(action_plan, csp_admin, django_user_model) -> None:
    preview = _upload(client_for(csp_admin), action_plan, _csv(GOOD))
    colleague = django_user_model.objects.create_user(email="colleague@example.org", password="x", is_superuser=True)

    response = _confirm(client_for(colleague), action_plan, preview)

    assert response.status_code == 404
    assert not Action.objects.exists()


def test_the_daily_task_drops_action_uploads_never_confirmed(action_plan, csp_admin) -> None:
    import datetime as dt

    from django.utils import timezone

    client = client_for(csp_admin)
    old = _upload(client, action_plan, _csv(GOOD))
    fresh = _upload(client, action_plan, _csv(GOOD))
    ActionImport.objects.filter(pk=old.context["token"]).update(uploaded_at=timezone.now() - dt.timedelta(days=8))

    assert expire_uploads() == 1

    assert bytes(ActionImport.objects.get(pk=fresh.context["token"]).content) != b""
    expired = _confirm(client, action_plan, old)
    assert "That upload has expired" in client.get(expired["Location"]).content.decode()
    assert not Action.objects.exists()


def test_dates_follow_the_one_rule_every_import_reads(action_plan, csp_admin) -> None:
    rows = [["1.2", "Short years", "Robbery", "Police", "", "01/04/23", "31 March 2024", "open"]]
    client = client_for(csp_admin)

    _confirm(client, action_plan, _upload(client, action_plan, _csv(rows)))

    action = Action.objects.get()
    assert (action.start_date.isoformat(), action.due_date.isoformat()) == ("2023-04-01", "2024-03-31")


def test_the_upload_limit_is_the_one_every_import_has(action_plan, csp_admin, settings) -> None:
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    response = _upload(client_for(csp_admin), action_plan, _csv(GOOD) + b" " * (1024 * 1024))
    assert "The file must be smaller than 1 MB" in response.content.decode()
    assert not ActionImport.objects.exists()
