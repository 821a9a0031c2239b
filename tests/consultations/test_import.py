"""Importing a survey tool's export: every bad row named by its line, all or nothing, and a
second import of the same file adds nothing."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from consultations.demo import HEADERS, MAPPING, demo_csv
from consultations.imports import (
    ImportCheck,
    Mapping,
    MappingError,
    TableError,
    guess_mapping,
    mapping_from_file,
    read_table,
    responses_check,
)
from consultations.models import AgeBand, Answer, ColumnMapping, Consultation, Response, ResponseImport
from consultations.services import mapping_save, responses_import, upload_save
from tests.helpers import BEDFORD, ROOT, client_for

pytestmark = pytest.mark.django_db

EXAMPLE_MAPPING = ROOT / "data" / "consultations" / "example-mapping.yaml"
Q1_OPTIONS = "Very confident, Fairly confident, Not very confident, Not at all confident, Don't know"
AGE_BANDS = "Under 18, 18 to 24, 25 to 34, 35 to 44, 45 to 54, 55 to 64, 65 to 74, 75 or over, Prefer not to say"


def _row(response_id: str, **cells: object) -> list[object]:
    """A row of the demo export (HEADERS): a good answer in every column unless given."""
    row = {
        "date": "01/07/2022",
        "ward": "Castle",
        "age": "25 to 34",
        "q1": "Very confident",
        "q2": "",
        "q3": "",
        "q4": "",
    } | cells
    return [response_id, row["date"], row["ward"], row["age"], row["q1"], row["q2"], row["q3"], row["q4"]]


def _csv(*rows: list[object], headers: list[str] = HEADERS, newline: str = "\r\n", bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows([headers, *rows])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def _xlsx(*rows: list[object], headers: list[str] = HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Responses"
    for row in [headers, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _check(
    survey: Consultation, content: bytes, *, name: str = "export.csv", mapping: Mapping = MAPPING
) -> ImportCheck:
    return responses_check(consultation=survey, table=read_table(name, content), mapping=mapping)


def _import(
    survey: Consultation, content: bytes, *, name: str = "export.csv", mapping: Mapping = MAPPING
) -> ImportCheck:
    return responses_import(consultation=survey, table=read_table(name, content), mapping=mapping, user=None)


def _answers(survey: Consultation, response_id: str, number: int) -> list[str]:
    answers = Answer.objects.filter(response__consultation=survey, response__external_id=response_id)
    return [str(answer) for answer in answers.filter(question__number=number).order_by("option__position")]


# A good file ---------------------------------------------------------------------------


def test_it_imports_every_row_of_a_good_export(survey: Consultation) -> None:
    text, _ = demo_csv()

    check = _import(survey, text.encode("utf-8"))

    assert check.ok
    assert check.added == Response.objects.filter(consultation=survey).count() == 448
    assert Answer.objects.filter(question__number=1).count() == 448
    assert not Response.objects.filter(submitted_on__isnull=True).exists()


def test_it_stores_each_column_of_a_row_where_it_belongs(survey: Consultation) -> None:
    row = _row(
        "R1",
        date="2022-07-31",
        ward="Queens Park",
        age="75+",
        q1="Fairly confident",
        q2="  Street lights are out  ",
        q3="Alcohol; Drugs",
        q4="None",
    )

    _import(survey, _csv(row))

    response = Response.objects.select_related("ward").get(external_id="R1")
    assert (str(response.ward), response.age_band, response.submitted_on) == (
        "Queens Park",
        AgeBand.AGE_75_PLUS,
        dt.date(2022, 7, 31),
    )
    assert _answers(survey, "R1", 1) == ["Fairly confident"]
    assert _answers(survey, "R1", 2) == ["Street lights are out"]
    assert _answers(survey, "R1", 3) == ["Alcohol", "Drugs"]
    assert _answers(survey, "R1", 4) == ["None"]


def test_it_leaves_out_columns_that_are_not_answered(survey: Consultation) -> None:
    _import(survey, _csv(_row("R1", date="", ward="", age="", q1="", q4="Some")))

    response = Response.objects.get(external_id="R1")
    assert (response.ward_id, response.age_band, response.submitted_on) == (None, "", None)
    assert [str(a) for a in response.answers.all()] == ["Some"]


# Bad rows ------------------------------------------------------------------------------


def test_it_imports_nothing_when_one_row_is_bad_and_names_that_row(survey: Consultation) -> None:
    content = _csv(_row("R1"), _row("R2"), _row("R3", q1="Maybe"), _row("R4"))

    check = _import(survey, content)

    assert check.messages() == [f"Line 4: “Maybe” is not an answer question 1 offers ({Q1_OPTIONS})"]
    assert check.added == 0
    assert not Response.objects.exists()
    assert not Answer.objects.exists()


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_it_names_every_bad_row_by_its_line_even_after_answers_on_several_lines(
    survey: Consultation, newline: str
) -> None:
    content = _csv(
        _row("R1"),  # line 2
        _row("R2", ward="Atlantis"),  # line 3
        _row("R3", q2="Street lights\nare out\non our road"),  # lines 4 to 6
        _row("R4", age="ancient"),  # line 7
        _row("R5", q2="Two\r\nlines", q1="Maybe"),  # lines 8 and 9
        _row("R6", date="yesterday", q4="Heaps"),  # line 10
        newline=newline,
    )

    check = _import(survey, content)

    assert check.messages() == [
        "Line 3: “Atlantis” is not a ward of the 2011–2023 boundaries",
        f"Line 7: “ancient” is not an age band ({AGE_BANDS})",
        f"Line 8: “Maybe” is not an answer question 1 offers ({Q1_OPTIONS})",
        "Line 10: date submitted “yesterday” is not a date: write it as 2022-07-31 or 31/07/2022",
        "Line 10: “Heaps” is not an answer question 4 offers (A lot, Some, A little, None, No opinion, Don't know)",
    ]
    assert not Response.objects.exists()


def test_it_refuses_a_row_without_a_response_id_or_without_answers(survey: Consultation) -> None:
    content = _csv(_row(""), _row("R2", q1=""), _row("x" * 65))

    check = _check(survey, content)

    assert check.messages() == [
        "Line 2: the response id is empty",
        "Line 3: the row has a response id but no answers",
        "Line 4: the response id is longer than 64 characters",
    ]


def test_it_refuses_a_row_with_more_cells_than_headings(survey: Consultation) -> None:
    content = _csv(_row("R1"), [*_row("R2"), "Jo Bloggs"], [*_row("R3"), ""])

    check = _check(survey, content)

    assert check.messages() == ["Line 3: the row has 9 cells but there are 8 headings"]


def test_it_refuses_an_answer_a_question_does_not_offer(survey: Consultation) -> None:
    check = _check(survey, _csv(_row("R1", q3="Alcohol; Fireworks")))

    assert check.messages() == [
        "Line 2: “Fireworks” is not an answer question 3 offers "
        "(Alcohol, Drugs, Groups of young people, Rough sleeping and begging, Poor lighting, None of these)"
    ]


def test_it_matches_answers_whatever_their_case_and_apostrophes(survey: Consultation) -> None:
    _import(survey, _csv(_row("R1", q1="DON’T KNOW", q3="alcohol;ROUGH SLEEPING AND BEGGING")))

    assert _answers(survey, "R1", 1) == ["Don't know"]
    assert _answers(survey, "R1", 3) == ["Alcohol", "Rough sleeping and begging"]


def test_it_refuses_a_response_id_that_appears_twice_in_the_file(survey: Consultation) -> None:
    content = _csv(_row("R1"), _row("R2"), _row(" R1 ", q1="Fairly confident"))

    check = _import(survey, content)

    assert check.messages() == ["Line 4: the response id “R1” is already on line 2"]
    assert not Response.objects.exists()


def test_it_skips_and_counts_empty_rows(survey: Consultation) -> None:
    content = _csv(_row("R1"), [], ["", " ", "", "", "", "", "", ""], _row("R2"))

    check = _import(survey, content)

    assert check.ok
    assert check.blank_lines == [3, 4]
    assert check.added == 2


def test_it_refuses_a_file_with_headings_but_no_responses(survey: Consultation) -> None:
    check = _check(survey, _csv([], [""] * 8))

    assert check.messages() == ["The file has a heading row but no responses"]


# Wards ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["Queens Park", "Queen's Park", "Queen’s Park", "QUEENS  PARK", "queens park ward"]
)
def test_it_matches_a_ward_whatever_its_case_spacing_and_apostrophes(survey: Consultation, spelling: str) -> None:
    _import(survey, _csv(_row("R1", ward=spelling)))

    assert str(Response.objects.get(external_id="R1").ward) == "Queens Park"


def test_it_refuses_an_unknown_ward_and_suggests_a_near_miss(survey: Consultation) -> None:
    check = _check(survey, _csv(_row("R1", ward="Qeens Park"), _row("R2", ward="Atlantis")))

    assert check.messages() == [
        "Line 2: “Qeens Park” is not a ward of the 2011–2023 boundaries; did you mean “Queens Park”?",
        "Line 3: “Atlantis” is not a ward of the 2011–2023 boundaries",
    ]


# Age bands and dates -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spelling", "band"),
    [
        ("18 to 24", AgeBand.AGE_18_24),
        ("18-24", AgeBand.AGE_18_24),
        ("18–24", AgeBand.AGE_18_24),
        ("Under 18", AgeBand.UNDER_18),
        ("0-17", AgeBand.UNDER_18),
        ("75 or over", AgeBand.AGE_75_PLUS),
        ("75+", AgeBand.AGE_75_PLUS),
        ("Prefer not to say", AgeBand.PREFER_NOT),
        ("rather not say", AgeBand.PREFER_NOT),
    ],
)
def test_it_reads_the_usual_spellings_of_an_age_band(survey: Consultation, spelling: str, band: str) -> None:
    _import(survey, _csv(_row("R1", age=spelling)))

    assert Response.objects.get(external_id="R1").age_band == band


@pytest.mark.parametrize(
    "written", ["2022-07-21", "21/07/2022", "21/07/22", "21-07-2022", "21 July 2022", "21 Jul 2022", "21/07/2022 14:05"]
)
def test_it_reads_the_usual_ways_of_writing_a_date(survey: Consultation, written: str) -> None:
    _import(survey, _csv(_row("R1", date=written)))

    assert Response.objects.get(external_id="R1").submitted_on == dt.date(2022, 7, 21)


@pytest.mark.parametrize("serial", ["44763", "44763.6042"])
def test_it_reads_an_excel_serial_number_in_a_csv_as_a_date(survey: Consultation, serial: str) -> None:
    _import(survey, _csv(_row("R1", date=serial)))

    assert Response.objects.get(external_id="R1").submitted_on == dt.date(2022, 7, 21)


def test_it_reads_excel_date_cells_and_serial_numbers_in_the_date_column(survey: Consultation) -> None:
    content = _xlsx(_row("R1", date=dt.datetime(2022, 7, 21, 14, 5)), _row("R2", date=44764))

    check = _import(survey, content, name="export.xlsx")

    assert check.ok
    assert dict(Response.objects.values_list("external_id", "submitted_on")) == {
        "R1": dt.date(2022, 7, 21),
        "R2": dt.date(2022, 7, 22),
    }


def test_it_refuses_an_age_band_or_an_answer_that_excel_turned_into_a_date(survey: Consultation) -> None:
    # Excel reads “18-24” and “1-5” as dates unless the column is formatted as text.
    content = _xlsx(_row("R1", age=dt.datetime(2024, 1, 18)), _row("R2", q4=dt.datetime(2022, 5, 1)))

    check = _import(survey, content, name="export.xlsx")

    assert check.messages() == [
        "Line 2: the age band is the date 18 Jan 2024: Excel turned the answer into a date. "
        "Format the column as Text in Excel and export it again",
        "Line 3: the answer to question 4 is the date 01 May 2022: Excel turned the answer into a date. "
        "Format the column as Text in Excel and export it again",
    ]
    assert not Response.objects.exists()


# Reading the file ----------------------------------------------------------------------


def test_it_reads_a_file_with_a_byte_order_mark(survey: Consultation) -> None:
    content = _csv(_row("R1"), bom=True)

    check = _import(survey, content)

    assert read_table("export.csv", content).headers == HEADERS
    assert check.added == 1


def test_it_reads_windows_line_endings_as_it_reads_unix_ones(survey: Consultation) -> None:
    rows = [_row("R1", q2="One\ntwo"), _row("R2")]

    windows = read_table("export.csv", _csv(*rows, newline="\r\n"))
    unix = read_table("export.csv", _csv(*rows, newline="\n"))

    assert windows.rows == unix.rows == [(2, _row("R1", q2="One\ntwo")), (4, _row("R2"))]


def test_it_refuses_a_file_that_is_not_utf8_and_names_the_line_of_the_first_bad_byte(survey: Consultation) -> None:
    text = _csv(_row("R1"), _row("R2", q1="Don’t know")).decode("utf-8")

    with pytest.raises(TableError, match=r"^Line 3: the file is not UTF-8 text") as raised:
        read_table("export.csv", text.encode("cp1252"))

    assert "CSV UTF-8 (Comma delimited)" in str(raised.value)


def test_it_counts_lines_from_the_start_of_the_file_when_it_has_a_byte_order_mark() -> None:
    content = codecs.BOM_UTF8 + b"Response ID,Ward\r\nR1,Castle\r\n\xe9R2,Castle\r\n"

    with pytest.raises(TableError, match=r"^Line 3: "):
        read_table("export.csv", content)


def test_it_refuses_a_file_that_is_neither_csv_nor_xlsx() -> None:
    with pytest.raises(TableError, match=r"\.csv or \.xlsx"):
        read_table("export.xls", b"")


def test_it_refuses_a_workbook_with_data_on_two_sheets() -> None:
    book = openpyxl.Workbook()
    book.active.title = "Responses"
    book.active.append(HEADERS)
    book.active.append(_row("R1"))
    summary = book.create_sheet("Summary")
    summary.append(["Responses", 1])
    summary.append(["Wards", 1])
    book.create_sheet("Notes")  # empty sheets don't count
    out = io.BytesIO()
    book.save(out)

    with pytest.raises(TableError, match=r"^The workbook has data on 2 sheets \(Responses, Summary\): keep one sheet"):
        read_table("export.xlsx", out.getvalue())


def test_it_refuses_a_file_that_is_not_a_workbook() -> None:
    with pytest.raises(TableError, match="could not be opened as an Excel workbook"):
        read_table("export.xlsx", b"Response ID,Ward\r\n")


@pytest.mark.parametrize("repeat", ["Ward", "Ward ", " Ward"])
def test_it_refuses_repeated_headings(repeat: str) -> None:
    with pytest.raises(TableError, match=r"^Line 1: the heading “Ward” appears more than once: rename one of them"):
        read_table("export.csv", _csv(_row("R1"), headers=[*HEADERS[:-1], repeat]))


def test_it_refuses_a_column_with_data_but_no_heading() -> None:
    with pytest.raises(TableError, match=r"^Line 1: column 9 has data but no heading"):
        read_table("export.csv", _csv([*_row("R1"), "extra"], headers=[*HEADERS, ""]))


# Multiple choice ----------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["Alcohol; Drugs;Poor lighting", "Alcohol\nDrugs\nPoor lighting"])
def test_it_splits_a_multiple_choice_answer_into_its_options(survey: Consultation, answer: str) -> None:
    _import(survey, _csv(_row("R1", q3=answer)))

    assert _answers(survey, "R1", 3) == ["Alcohol", "Drugs", "Poor lighting"]


def test_it_gathers_a_multiple_choice_answer_spread_over_several_columns(survey: Consultation) -> None:
    # Some tools give each option of a multiple-choice question its own column.
    headers = ["Response ID", "Q1", "Town centre: Alcohol", "Town centre: Drugs", "Town centre: Lighting"]
    mapping = Mapping({"Response ID": "response_id", "Q1": "question 1"})
    mapping.columns |= {heading: "question 3" for heading in headers[2:]}
    content = _csv(
        ["R1", "Very confident", "Alcohol", "", "Poor lighting"],
        ["R2", "", "", "Drugs", ""],
        headers=headers,
    )

    check = _import(survey, content, mapping=mapping)

    assert check.added == 2
    assert _answers(survey, "R1", 3) == ["Alcohol", "Poor lighting"]
    assert _answers(survey, "R2", 3) == ["Drugs"]


# Mappings ------------------------------------------------------------------------------


def test_it_refuses_two_columns_for_a_single_choice_question(survey: Consultation) -> None:
    headers = [*HEADERS, "Q1 again"]
    mapping = Mapping(MAPPING.columns | {"Q1 again": "question 1"})

    check = _import(survey, _csv([*_row("R1"), "Very confident"], headers=headers), mapping=mapping)

    assert check.messages() == [
        "Question 1 takes one answer, but 2 columns are mapped to it: "
        "Q1 How confident are you that agencies work together, Q1 again"
    ]
    assert not Response.objects.exists()


def test_it_refuses_a_mapping_without_a_response_id_column(survey: Consultation) -> None:
    mapping = Mapping(MAPPING.columns | {"Response ID": "ignore"})

    check = _import(survey, _csv(_row("R1")), mapping=mapping)

    assert check.messages() == [
        "Choose the column that holds each response's id: it is how a second import knows a response"
    ]
    assert not Response.objects.exists()


def test_it_refuses_a_mapping_that_does_not_fit_the_file_or_the_consultation(survey: Consultation) -> None:
    mapping = Mapping(
        MAPPING.columns | {"Ward": "postcode", "Q4 Modern slavery": "question 9", "Q5 Not in the file": "ignore"}
    )

    check = _check(survey, _csv(_row("R1")), mapping=mapping)

    assert check.problems == [
        (0, "The mapping names columns the file does not have: Q5 Not in the file"),
        (0, "Column “Ward”: “postcode” is not something a column can hold"),
        (0, "Column “Q4 Modern slavery”: this consultation has no question 9"),
    ]


def test_it_guesses_what_each_column_holds_from_its_heading(survey: Consultation) -> None:
    headers = [
        "Respondent ID",
        "Date submitted",
        "Ward",
        "Age group",
        "Q1. How confident are you?",
        "What makes your local area a safe and unsafe place?",
        "Question 3 - town centre",
        "Email address",
    ]

    assert guess_mapping(headers, survey).columns == {
        "Respondent ID": "response_id",
        "Date submitted": "submitted_on",
        "Ward": "ward",
        "Age group": "age_band",
        "Q1. How confident are you?": "question 1",
        "What makes your local area a safe and unsafe place?": "question 2",
        "Question 3 - town centre": "question 3",
        "Email address": "ignore",
    }


def test_it_never_guesses_that_a_date_of_birth_is_the_date_submitted(survey: Consultation) -> None:
    guess = guess_mapping(["Response ID", "Date of birth", "Q1"], survey)

    assert guess.columns == {"Response ID": "response_id", "Date of birth": "ignore", "Q1": "question 1"}


def test_it_offers_a_saved_mapping_again_for_the_next_file_from_the_same_tool(
    survey: Consultation, csp_admin: User
) -> None:
    headers = ["Respondent ID", "Where do you live", "Q1", "Your name"]
    chosen = {"Respondent ID": "response_id", "Where do you live": "ward", "Q1": "question 1", "Your name": "ignore"}
    content = _csv(["R1", "Castle", "Very confident", ""], headers=headers)
    mapping_save(consultation=survey, tool="SmartSurvey", mapping=Mapping(chosen), user=csp_admin)
    client = client_for(csp_admin)

    def offered(tool: str) -> dict[str, object]:
        upload = client.post(
            reverse("consultations:import", args=[BEDFORD, survey.slug]),
            {"tool": tool, "file": SimpleUploadedFile("export.csv", content)},
            follow=True,
        )
        form = upload.context["form"]
        return {header: field.initial for header, field in form.pairs()}

    assert offered("SmartSurvey") == chosen
    assert offered("Microsoft Forms") == {
        "Respondent ID": "response_id",
        "Where do you live": "ignore",
        "Q1": "question 1",
        "Your name": "ignore",
    }


def test_it_keeps_one_saved_mapping_for_each_tool(survey: Consultation) -> None:
    mapping_save(consultation=survey, tool="SmartSurvey", mapping=MAPPING, user=None)
    mapping_save(consultation=survey, tool="SmartSurvey", mapping=Mapping({"Ref": "response_id"}), user=None)

    assert list(ColumnMapping.objects.values_list("tool", "columns")) == [("SmartSurvey", {"Ref": "response_id"})]


def test_it_reads_a_mapping_file_with_question_numbers_in_either_form() -> None:
    tool, mapping = mapping_from_file(
        "tool: SmartSurvey\ncolumns:\n  Response ID: response_id\n  Q1: question 1\n  Q2:   2\n  Name: Ignore\n"
    )

    assert tool == "SmartSurvey"
    assert mapping.columns == {"Response ID": "response_id", "Q1": "question 1", "Q2": "question 2", "Name": "ignore"}


def test_it_reads_question_03_in_a_mapping_file_as_question_3(survey: Consultation) -> None:
    _, single = mapping_from_file("columns:\n  ID: response_id\n  A: question 1\n  B: Question 01\n")
    _, multiple = mapping_from_file("columns:\n  ID: response_id\n  A: question 3\n  B: question 03\n")

    refused = _import(survey, _csv(["R1", "Very confident", "Don't know"], headers=["ID", "A", "B"]), mapping=single)
    _import(survey, _csv(["R2", "Alcohol", "Drugs"], headers=["ID", "A", "B"]), mapping=multiple)

    assert refused.messages() == ["Question 1 takes one answer, but 2 columns are mapped to it: A, B"]
    assert _answers(survey, "R2", 3) == ["Alcohol", "Drugs"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: [", "The mapping file is not valid YAML"),
        ("tool: SmartSurvey\n", "The mapping file needs “columns:”"),
        ("columns:\n  - Response ID: response_id\n", "The mapping file needs “columns:”"),
        ("columns: {ID: response_id}\nsheet: 1\n", "The mapping file has keys it does not use: sheet"),
    ],
)
def test_it_refuses_a_mapping_file_it_cannot_use(text: str, message: str) -> None:
    with pytest.raises(MappingError, match=f"^{message}"):
        mapping_from_file(text)


# Importing again -----------------------------------------------------------------------


def test_it_adds_nothing_when_the_same_file_is_imported_again(survey: Consultation) -> None:
    content = _csv(_row("R1", q2="Lights out"), _row("R2", q3="Alcohol; Drugs"))
    _import(survey, content)
    answers = Answer.objects.count()

    again = _import(survey, content)

    assert (again.ok, again.added, again.already) == (True, 0, 2)
    assert Response.objects.count() == 2
    assert Answer.objects.count() == answers


def test_it_adds_only_the_new_rows_of_a_longer_export(survey: Consultation) -> None:
    _import(survey, _csv(_row("R1"), _row("R2")))

    later = _import(survey, _csv(_row("R1"), _row("R2"), _row("R3")))

    assert (later.added, later.already) == (1, 2)
    assert sorted(Response.objects.values_list("external_id", flat=True)) == ["R1", "R2", "R3"]


def test_it_knows_a_response_again_when_it_is_spelled_differently(survey: Consultation) -> None:
    _import(survey, _csv(_row("R1", ward="Queens Park", age="18-24", date="2022-07-21", q3="Alcohol; Drugs")))

    again = _import(
        survey, _csv(_row("R1", ward="Queen's Park", age="18 to 24", date="21/07/2022", q3="drugs;alcohol"))
    )

    assert (again.ok, again.already) == (True, 1)


def test_it_refuses_a_response_imported_before_with_different_answers(survey: Consultation) -> None:
    _import(survey, _csv(_row("R1"), _row("R2")))

    again = _import(survey, _csv(_row("R1", q1="Not very confident"), _row("R2"), _row("R3")))

    assert again.messages() == [
        "Line 2: response “R1” was imported before with different answers; "
        "an import never changes a response, so remove this row or correct it to match"
    ]
    assert _answers(survey, "R1", 1) == ["Very confident"]
    assert not Response.objects.filter(external_id="R3").exists()


def test_it_keeps_an_upload_until_it_is_imported_then_keeps_only_the_record(
    survey: Consultation, csp_admin: User
) -> None:
    content = _csv(_row("R1"), _row("R2"))
    upload = upload_save(consultation=survey, tool="SmartSurvey", name="export.csv", content=content, user=csp_admin)
    assert bytes(ResponseImport.objects.get().content) == content

    check = responses_import(
        consultation=survey, table=read_table("export.csv", content), mapping=MAPPING, user=csp_admin, upload=upload
    )

    upload.refresh_from_db()
    assert (check.added, upload.responses_added, bytes(upload.content)) == (2, 2, b"")
    assert upload.imported_at is not None
    assert set(upload.responses.values_list("external_id", flat=True)) == {"R1", "R2"}


def test_it_keeps_no_upload_that_does_not_read_as_a_table(survey: Consultation, csp_admin: User) -> None:
    with pytest.raises(TableError):
        upload_save(consultation=survey, tool="SmartSurvey", name="export.csv", content=b"\xff\xfe", user=csp_admin)

    assert not ResponseImport.objects.exists()


# The import_responses command ---------------------------------------------------------


def _command(*args: str | Path, **options: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_responses", *[str(arg) for arg in args], stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(_csv(_row("R1"), [], _row("R2", q3="Drugs")))
    return path


def test_the_command_imports_an_export_with_a_mapping_file(survey: Consultation, export: Path) -> None:
    out, _ = _command(survey.slug, export, "--mapping", EXAMPLE_MAPPING)
    again, _ = _command(survey.slug, export, "--mapping", EXAMPLE_MAPPING)

    assert out == "Imported 2 responses; 0 already imported; 1 empty rows skipped.\n"
    assert again == "Imported 0 responses; 2 already imported; 1 empty rows skipped.\n"
    assert Response.objects.count() == 2
    assert ColumnMapping.objects.get(tool="Demo export").columns == MAPPING.columns


def test_the_command_takes_the_mapping_as_a_keyword_from_code(survey: Consultation, export: Path) -> None:
    out, _ = _command(survey.slug, export, mapping=str(EXAMPLE_MAPPING))

    assert out.startswith("Imported 2 responses")


def test_the_command_saves_nothing_on_a_dry_run_and_says_so(survey: Consultation, export: Path) -> None:
    out, _ = _command(survey.slug, export, "--mapping", EXAMPLE_MAPPING, "--dry-run")

    assert out == (
        "Dry run: 2 responses would be added, 0 already imported; 1 empty rows skipped. Nothing was saved.\n"
    )
    assert not Response.objects.exists()
    assert not ColumnMapping.objects.exists()


def test_the_command_fails_on_a_bad_row_and_prints_every_problem(survey: Consultation, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(_csv(_row("R1"), _row("R2", ward="Atlantis"), _row("R3"), _row("R4", q1="Maybe")))
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"export\.csv: 2 problems; nothing was imported\.$"):
        call_command("import_responses", survey.slug, str(export), "--mapping", str(EXAMPLE_MAPPING), stderr=err)

    assert err.getvalue().splitlines() == [
        "Line 3: “Atlantis” is not a ward of the 2011–2023 boundaries",
        f"Line 5: “Maybe” is not an answer question 1 offers ({Q1_OPTIONS})",
    ]
    assert not Response.objects.exists()


def test_the_command_names_an_unknown_consultation_and_the_known_ones(
    consultations: dict[int, Consultation], export: Path
) -> None:
    with pytest.raises(
        CommandError,
        match=r"^No consultation 'csp-2021' \(known: bedford-borough/csp-consultation-2022, "
        r"bedford-borough/csp-consultation-2019\)$",
    ):
        _command("csp-2021", export, "--mapping", EXAMPLE_MAPPING)


def test_the_command_says_which_file_is_missing(survey: Consultation, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"^No such file: .*missing\.csv$"):
        _command(survey.slug, tmp_path / "missing.csv", "--mapping", EXAMPLE_MAPPING)


def test_the_command_reports_a_file_it_cannot_read(survey: Consultation, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes("Response ID,Ward\r\nR1,Café\r\n".encode("cp1252"))

    with pytest.raises(CommandError, match=r"^Line 2: the file is not UTF-8 text"):
        _command(survey.slug, export, "--mapping", EXAMPLE_MAPPING)


# The example mapping file --------------------------------------------------------------


def test_the_example_mapping_file_maps_every_column_of_the_demo_export(survey: Consultation) -> None:
    tool, mapping = mapping_from_file(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    text, _ = demo_csv()

    check = _import(survey, text.encode("utf-8"), mapping=mapping)

    assert tool == "Demo export"
    assert mapping.columns == MAPPING.columns
    assert (check.ok, check.added) == (True, 448)


def test_the_worked_example_in_the_docs_does_what_the_docs_say(survey: Consultation, tmp_path: Path) -> None:
    docs = (ROOT / "docs" / "consultation-import.md").read_text(encoding="utf-8").split("## A worked example")[1]
    export = tmp_path / "export.csv"
    export.write_text(docs.split("```text\n")[1].split("```")[0], encoding="utf-8")
    said = [line.strip() for line in docs.splitlines() if line.startswith("    ") and line.strip()[:1] not in "$-"]
    err = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_responses", survey.slug, str(export), "--mapping", str(EXAMPLE_MAPPING), stderr=err)
    export.write_text(export.read_text().replace("Atlantis", "Harpur").replace(",Maybe,", ",Not very confident,"))
    dry_run, _ = _command(survey.slug, export, "--mapping", EXAMPLE_MAPPING, "--dry-run")
    imported, _ = _command(survey.slug, export, "--mapping", EXAMPLE_MAPPING)
    again, _ = _command(survey.slug, export, "--mapping", EXAMPLE_MAPPING)

    assert [*err.getvalue().splitlines(), f"CommandError: {refused.value}"] == [
        *said[:2],
        said[2].replace("export.csv", str(export)),
    ]
    assert [dry_run.strip(), imported.strip(), again.strip()] == said[3:]
    shown = docs.split("```yaml\n")[1].split("```")[0]
    assert mapping_from_file(shown) == mapping_from_file(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    assert Response.objects.get(external_id="D22-0002").submitted_on == dt.date(2022, 7, 22)


# Spellings and layouts people send ----------------------------------------------------


def test_an_age_band_with_spaces_round_its_dash_is_read(survey: Consultation) -> None:
    check = _import(survey, _csv(_row("R1", age="18 - 24"), _row("R2", age="65 – 74")))

    assert check.ok, check.messages()
    assert sorted(Response.objects.values_list("age_band", flat=True)) == [AgeBand.AGE_18_24, AgeBand.AGE_65_74]


def test_a_file_starting_with_a_blank_line_says_where_its_headings_should_be() -> None:
    with pytest.raises(TableError, match="Line 1 is empty"):
        read_table("export.csv", b"\r\n" + _csv(_row("R1")))


def test_a_free_text_answer_of_0_is_kept(survey: Consultation) -> None:
    check = _import(survey, _xlsx(_row("R1", q2=0)), name="export.xlsx")

    assert check.ok, check.messages()
    assert _answers(survey, "R1", 2) == ["0"]
