"""Consultations in a real browser: an admin imports a survey tool's export (a bad row
first, then the corrected file), codes free-text answers by keyboard and without
JavaScript, and a board member reads the results without unpublished free text; axe on
every page."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from actionplans.models import Indicator
from consultations.demo import CONFIDENCE_INDICATOR
from consultations.demo import demo_load as consultation_demo_load
from consultations.models import Answer, ColumnMapping, Consultation, ResponseImport, ThemeTag
from consultations.seed import SHIPPED_FILE, consultations_load
from priorities.models import Priority
from tests.browser.test_plan_journey import sign_in
from tests.helpers import BEDFORD, assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOOL = "SmartSurvey"
HEADERS = ["Respondent ID", "Ward", "Your age", "Confidence", "Q2 Safe and unsafe", "Email"]
CONFIDENCE = ["Very confident"] * 3 + ["Fairly confident"] * 4 + ["Not very confident"] * 3 + ["Don't know"] * 2
WARDS = ["Castle", "Harpur", "De Parys", "Brickhill", "Putnoe", "Goldington"]
AGES = ["25 to 34", "45-54", "65 to 74", ""]
BAD_LINE = 6  # the heading is line 1, so the fifth response is on line 6
BAD_WARD = "Atlantis"


@pytest.fixture
def survey(plan) -> Consultation:
    """The 2022 consultation, with no responses yet."""
    consultations_load(SHIPPED_FILE)
    return Consultation.objects.get(year=2022)


@pytest.fixture
def demo(plan) -> Consultation:
    """The 2022 consultation with its 448 illustrative responses, feeding a % indicator."""
    Indicator.objects.create(
        priority=Priority.objects.get(number=3), title=CONFIDENCE_INDICATOR, unit="%", higher_is_better=True
    )
    consultation_demo_load()
    return Consultation.objects.get(year=2022)


def export_file(folder: Path, *, bad_ward: bool) -> Path:
    """A survey tool's export of twelve responses; the fifth names a ward that does not exist."""
    path = folder / f"smartsurvey-{'bad' if bad_ward else 'fixed'}.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        for index, confidence in enumerate(CONFIDENCE):
            ward = WARDS[index % len(WARDS)]
            if bad_ward and index + 2 == BAD_LINE:
                ward = BAD_WARD
            text = "Neighbours look out for each other." if index % 3 == 0 else ""
            writer.writerow(
                [f"SS-{index + 1:03d}", ward, AGES[index % len(AGES)], confidence, text, f"person{index}@example.com"]
            )
    return path


def upload(page: Page, path: Path, *, check: bool = True) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Import responses")
    if check:  # axe needs JavaScript
        assert_accessible(page)
    page.get_by_label("Which survey tool made the file?").fill(TOOL)
    page.get_by_label("File", exact=True).set_input_files(path)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Map the columns of {path.name}")


def map_columns(page: Page) -> None:
    """Check the guessed columns, and choose the two the importer cannot guess."""
    expect(page.get_by_label("Respondent ID")).to_have_value("response_id")
    expect(page.get_by_label("Ward")).to_have_value("ward")
    expect(page.get_by_label("Q2 Safe and unsafe")).to_have_value("question 2")
    expect(page.get_by_label("Email")).to_have_value("ignore")
    expect(page.get_by_label("Your age")).to_have_value("ignore")
    expect(page.get_by_label("Confidence")).to_have_value("ignore")
    page.get_by_label("Your age").select_option(label="Age band")
    page.get_by_label("Confidence").select_option("question 1")


def check_shows_the_bad_row(page: Page) -> None:
    page.get_by_role("button", name="Check the file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The file has 1 problem: nothing was imported")
    problems = page.locator("#problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first.locator("td").first).to_have_text(str(BAD_LINE))
    expect(problems.first).to_contain_text(f"“{BAD_WARD}” is not a ward")
    expect(page).to_have_title(re.compile(r"^Error: "))


def test_an_admin_imports_a_file_fixes_its_bad_row_and_imports_it_again(
    live_server, page: Page, csp_admin: User, survey: Consultation, tmp_path: Path
) -> None:
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    page.goto(f"{base}{reverse('consultations:list', args=[BEDFORD])}")
    page.get_by_role("link", name=survey.title).click()
    page.get_by_role("link", name="Import responses").click()

    upload(page, export_file(tmp_path, bad_ward=True))
    assert_accessible(page)
    map_columns(page)
    check_shows_the_bad_row(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    assert survey.responses.count() == 0
    assert ColumnMapping.objects.get(consultation=survey, tool=TOOL).columns["Confidence"] == "question 1"

    page.get_by_role("link", name="upload it again").click()
    upload(page, export_file(tmp_path, bad_ward=False))
    expect(page.locator("main")).to_contain_text(f"The mapping saved for {TOOL} is filled in")
    expect(page.get_by_label("Your age")).to_have_value("age_band")
    expect(page.get_by_label("Confidence")).to_have_value("question 1")
    expect(page.get_by_label("Email")).to_have_value("ignore")
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#check-result")).to_contain_text("12 new responses to add")
    assert_accessible(page)

    page.get_by_role("button", name="Import 12 responses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Imported 12 responses from smartsurvey-fixed.csv."
    )
    answers = page.get_by_role("table", name="Answers to question 1")
    expect(answers.get_by_role("row", name=re.compile(r"^Very confident"))).to_contain_text("3")
    expect(answers.get_by_role("row", name=re.compile(r"^Fairly confident"))).to_contain_text("4")
    expect(answers.get_by_role("row", name=re.compile(r"^Don't know"))).to_contain_text("2")
    assert_accessible(page)
    assert survey.responses.count() == 12
    assert ResponseImport.objects.get(file_name="smartsurvey-fixed.csv").responses_added == 12
    assert sorted(survey.responses.values_list("external_id", flat=True))[:2] == ["SS-001", "SS-002"]

    page.get_by_role("link", name="Question 1 by ward and age band").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 1")
    assert_accessible(page)


def test_the_import_works_without_javascript(
    live_server, no_js_page: Page, csp_admin: User, survey: Consultation, tmp_path: Path
) -> None:
    page = no_js_page
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    page.goto(f"{base}{reverse('consultations:import', args=[BEDFORD, survey.slug])}")
    upload(page, export_file(tmp_path, bad_ward=True), check=False)
    map_columns(page)
    check_shows_the_bad_row(page)

    page.get_by_role("link", name="upload it again").click()
    upload(page, export_file(tmp_path, bad_ward=False), check=False)
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#check-result")).to_contain_text("12 new responses to add")
    page.get_by_role("button", name="Import 12 responses").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Imported 12 responses")
    assert survey.responses.count() == 12


def test_every_consultation_page_is_accessible_and_a_board_member_sees_only_quotable_answers(
    live_server, browser: Browser, page: Page, csp_admin: User, board_member: User, demo: Consultation
) -> None:
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    page.get_by_role("link", name="Consultations").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultations")
    assert_accessible(page)

    page.get_by_role("link", name="CSP Consultation 2019").click()
    expect(page.locator("main")).to_contain_text("41%")
    assert_accessible(page)
    page.get_by_role("link", name="Question 1 by ward and age band").click()
    assert_accessible(page)

    page.goto(f"{base}{demo.get_absolute_url()}")
    expect(page.get_by_role("link", name=CONFIDENCE_INDICATOR)).to_be_visible()
    expect(page.locator(".govuk-summary-list__row", has_text="Responses held")).to_contain_text("448")
    assert_accessible(page)
    for number in range(1, 5):
        page.goto(f"{base}{reverse('consultations:question', args=[BEDFORD, demo.slug, number])}")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Question {number}")
        assert_accessible(page)

    page.goto(f"{base}{demo.get_absolute_url()}")
    page.get_by_role("link", name="Code the answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Code answers to question 2")
    assert_accessible(page)

    page.get_by_role("link", name=demo.title).click()
    page.get_by_role("link", name="Feed an indicator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feed an indicator")
    assert_accessible(page)
    # A choice that went away while the form was open (another tab, a deleted indicator).
    page.locator("#id_indicator option").first.evaluate("option => { option.value = '999999'; }")
    page.get_by_role("button", name="Feed the indicator").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose one of the indicators listed")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)

    page.goto(f"{base}{reverse('consultations:import', args=[BEDFORD, demo.slug])}")
    assert_accessible(page)

    quotable = set(Answer.objects.filter(option__isnull=True, publishable=True).values_list("text", flat=True))
    private = set(Answer.objects.filter(option__isnull=True, publishable=False).values_list("text", flat=True))
    # A one-sentence answer can be the start of a two-sentence quote: look only for those that are not.
    private = {text for text in private if not any(text in quote for quote in quotable)}
    assert quotable
    assert private

    board = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    try:
        board_page = board.new_page()
        sign_in(board_page, base, board_member, check=False)
        board_page.goto(f"{base}{demo.get_absolute_url()}")
        expect(board_page.get_by_role("heading", level=1)).to_have_text(demo.title)
        assert_accessible(board_page)
        for name in ("Import responses", "Feed an indicator", "Code the answers"):
            expect(board_page.get_by_role("link", name=name)).to_have_count(0)
        shown = board_page.locator("main").inner_text()
        assert not [text for text in private if text in shown]

        board_page.get_by_role("link", name="Question 2: themes and quotes").click()
        expect(board_page.get_by_role("heading", level=1)).to_have_text("Question 2")
        assert_accessible(board_page)
        expect(board_page.get_by_role("link", name="Code the answers")).to_have_count(0)
        quotes = board_page.locator("main .govuk-list--bullet li").all_inner_texts()
        assert quotes
        assert {quote.strip("“”") for quote in quotes} <= quotable
        shown = board_page.locator("main").inner_text()
        assert not [text for text in private if text in shown]

        # On a narrow screen (or at 400 % zoom) wide tables scroll in regions a keyboard can reach.
        board_page.set_viewport_size({"width": 320, "height": 800})
        for url in [
            demo.get_absolute_url(),
            *(reverse("consultations:question", args=[BEDFORD, demo.slug, n]) for n in (1, 2)),
        ]:
            board_page.goto(f"{base}{url}")
            assert_accessible(board_page)
    finally:
        board.close()


def test_answers_are_coded_by_keyboard_and_without_javascript(
    live_server, browser: Browser, page: Page, csp_admin: User, demo: Consultation
) -> None:
    base = live_server.url
    coding = f"{base}{reverse('consultations:coding', args=[BEDFORD, demo.slug, 2])}"
    tags = list(ThemeTag.objects.all())
    # The demo marks a dozen answers fit to quote, some not yet coded: start them all unticked.
    Answer.objects.filter(question__consultation=demo, tags__isnull=True).update(publishable=False)
    sign_in(page, base, csp_admin, check=False)
    page.goto(coding)

    answer = page.locator("[data-coding-answer]").first
    answer_id = int(answer.locator("input[name=answer]").get_attribute("value") or "")
    first_tag = answer.locator("input[data-coding-tag]").first
    quote = answer.locator("input[data-coding-quote]")
    # The form opens with a skip link to its Save button, past every answer's boxes.
    page.get_by_role("link", name="Show all answers").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to save")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#coding-save")).to_be_focused()
    page.get_by_role("link", name="Show all answers").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(first_tag).to_be_focused()
    page.keyboard.press("1")
    expect(first_tag).to_be_checked()
    page.keyboard.press("q")
    expect(quote).to_be_checked()
    expect(page.locator("[data-coding-status]")).to_have_text("Q · Fit to quote: ticked")
    expect(first_tag).to_be_focused()
    page.keyboard.press("2")
    page.keyboard.press("2")  # a second press unticks
    expect(answer.locator("input[data-coding-tag]").nth(1)).not_to_be_checked()
    page.get_by_role("button", name=re.compile(r"^Save 20 answers")).focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Saved 1 answer.")
    assert_accessible(page)

    coded = Answer.objects.get(pk=answer_id)
    assert set(coded.tags.all()) == {tags[0]}
    assert coded.publishable
    assert coded.history.first().history_user == csp_admin

    no_js = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = no_js.new_page()
        sign_in(page, base, csp_admin, check=False)
        page.goto(coding)
        answer = page.locator("[data-coding-answer]").first
        next_id = int(answer.locator("input[name=answer]").get_attribute("value") or "")
        assert next_id != answer_id  # the coded answer has left the "not yet coded" list
        answer.get_by_label(re.compile(rf"^3 · {re.escape(tags[2].name)}")).check()
        answer.get_by_label("Q · Fit to quote").focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name=re.compile(r"^Save 20 answers")).click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Saved 1 answer.")
    finally:
        no_js.close()

    coded = Answer.objects.get(pk=next_id)
    assert set(coded.tags.all()) == {tags[2]}
    assert coded.publishable
    assert coded.history.first().history_user == csp_admin
