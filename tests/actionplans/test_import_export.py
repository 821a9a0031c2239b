"""Admins import actions and milestones from CSV or Excel: preview, every bad row named, all or nothing."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from actionplans.models import Action, Milestone
from tests.helpers import client_for

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


def _upload(client, plan, content: bytes, name: str = "actions.csv", kind: str = "actions"):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("actionplans:import", args=[plan.pk]), {"kind": kind, "file": SimpleUploadedFile(name, content)}
    )


def _confirm(client, plan, response):  # type: ignore[no-untyped-def]
    context = response.context
    return client.post(
        reverse("actionplans:import", args=[plan.pk]),
        {"confirm": "", "token": context["token"], "kind": context["kind"], "suffix": context["suffix"]},
    )


def test_a_good_csv_is_previewed_then_imported_on_confirm(action_plan, csp_admin) -> None:  # type: ignore[no-untyped-def]
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


def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(action_plan, csp_admin) -> None:  # type: ignore[no-untyped-def]
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


def test_a_bad_row_after_a_title_over_two_lines_is_named_by_its_own_line(action_plan, csp_admin) -> None:  # type: ignore[no-untyped-def]
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


def test_rows_that_pass_alone_but_fail_together_still_import_nothing(action_plan, csp_admin) -> None:  # type: ignore[no-untyped-def]
    rows = [*GOOD, ["1.6", "Ends before it starts", "Robbery", "Police", "", "2024-03-31", "2023-04-01", "open"]]
    response = _upload(client_for(csp_admin), action_plan, _csv(rows))
    assert "Line 4" in response.content.decode()
    assert not Action.objects.exists()


def test_an_xlsx_with_excel_dates_imports_and_a_second_run_changes_nothing(action_plan, csp_admin) -> None:  # type: ignore[no-untyped-def]
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


def test_milestones_import_against_the_plans_actions(police_action, csp_admin) -> None:  # type: ignore[no-untyped-def]
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
def test_an_unreadable_file_gets_a_clear_error(action_plan, csp_admin, name, content, message) -> None:  # type: ignore[no-untyped-def]
    response = _upload(client_for(csp_admin), action_plan, content, name=name)
    assert message in response.content.decode()
    assert not Action.objects.exists()


def test_a_forged_confirm_token_is_refused(action_plan, csp_admin) -> None:  # type: ignore[no-untyped-def]
    response = client_for(csp_admin).post(
        reverse("actionplans:import", args=[action_plan.pk]),
        {"confirm": "", "token": "../../etc/passwd", "kind": "actions", "suffix": ".csv"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_any_reader_exports_a_plans_actions_in_the_import_columns(police_action, board_member, fmt) -> None:  # type: ignore[no-untyped-def]
    response = client_for(board_member).get(reverse("actionplans:export", args=[police_action.plan.pk, fmt]))

    assert response.status_code == 200
    assert f"actions-2023-24-priority-1.{fmt}" in response["Content-Disposition"]
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
        assert set(HEADER) <= set(rows[0])
        assert rows[1][rows[0].index("title")] == "Run knife-crime awareness sessions in schools"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.cell(row=2, column=[c.value for c in sheet[1]].index("reference") + 1).value == "1.1"


def test_a_blank_state_leaves_an_existing_action_as_it_is(police_action, csp_admin) -> None:  # type: ignore[no-untyped-def]
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


def test_excel_traps_are_refused(action_plan, csp_admin) -> None:  # type: ignore[no-untyped-def]
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


def test_exports_never_carry_a_live_formula(police_action, board_member) -> None:  # type: ignore[no-untyped-def]
    police_action.title = '=HYPERLINK("http://evil.example","Click")'
    police_action.save()
    response = client_for(board_member).get(reverse("actionplans:export", args=[police_action.plan.pk, "csv"]))
    assert "'=HYPERLINK" in response.content.decode()
    xlsx = client_for(board_member).get(reverse("actionplans:export", args=[police_action.plan.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    titles = [c.value for c in sheet[2]]
    assert '\'=HYPERLINK("http://evil.example","Click")' in titles


def test_an_edit_between_check_and_confirm_stops_the_import(police_action, csp_admin) -> None:  # type: ignore[no-untyped-def]
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
