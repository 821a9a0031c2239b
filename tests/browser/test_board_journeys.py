"""The board's side in a real browser: dashboard → priority → action → PDF, and an admin
compiling a report through a real worker; axe on every page, the HTML report included."""

from __future__ import annotations

import os
import re
import time
from urllib.parse import urlsplit

import docx
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import User
from actionplans.demo import demo_load
from actionplans.models import ReportingPeriod
from reports.models import QuarterlyReport
from reports.services import report_compile, report_publish
from tests.browser.test_plan_journey import sign_in
from tests.factories import PASSWORD
from tests.helpers import assert_accessible, bedford
from tests.worker import running_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(plan, officer: User) -> None:
    demo_load(today=timezone.localdate(), scale=1)


def test_a_board_member_reads_the_quarter_and_downloads_the_pdf(
    live_server, page: Page, board_member: User, csp_admin: User, demo
) -> None:
    from django.test import RequestFactory

    from reports.views import _period

    period = _period(RequestFactory().get("/"), bedford())
    report = QuarterlyReport.objects.create(period=period, version=1)
    report_compile(report_id=report.pk)
    report.refresh_from_db()
    report_publish(report=report, user=csp_admin)
    base = live_server.url

    sign_in(page, base, board_member, check=False)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(period.label)
    assert_accessible(page)
    page.get_by_role("link", name="Exceptions").first.click()
    assert_accessible(page)
    page.get_by_label("RAG").select_option("red")
    page.get_by_role("button", name="Show").click()
    assert_accessible(page)
    page.get_by_role("link", name="Priority 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Priority 1")
    assert_accessible(page)
    page.locator("table a.govuk-link").first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Dashboard").click()
    page.locator("#main-content table a.govuk-link").first.click()
    expect(page.locator("figure img")).to_have_attribute("alt", re.compile(r"^Line chart of "))
    assert_accessible(page)

    page.get_by_role("link", name="Reports").click()
    assert_accessible(page)
    page.get_by_role("link", name=f"{period.label}, version 1").click()
    expect(page.locator("#exceptions")).to_be_visible()
    assert_accessible(page)  # the HTML report itself
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_an_admin_compiles_a_report_and_sees_it_become_ready(
    live_server, page: Page, csp_admin: User, board_member: User, demo
) -> None:
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    page.get_by_role("link", name="Dashboard").click()
    # The board paper's words first: the summary and a priority's commentary.
    page.get_by_role("link", name=re.compile("Write the board paper")).click()
    assert_accessible(page)
    page.get_by_role("link", name="Write Summary").click()
    assert_accessible(page)
    page.get_by_label("Summary").fill("Burglary fell for the third quarter running.\n\nDomestic abuse referrals rose.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Summary saved")
    page.get_by_role("link", name=re.compile("^Write Commentary on priority 1")).click()
    page.get_by_role("textbox").fill("Priority one is on track.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("main")).to_contain_text(f"Written by {csp_admin.full_name}")
    page.get_by_role("link", name=re.compile("Back to the .* dashboard")).click()
    page.get_by_role("button", name="Compile report").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is queued")
    assert_accessible(page)
    report = QuarterlyReport.objects.get()
    assert report.status == "queued"
    # The queued report's page says how to see the result, and its script watches for it.
    page.goto(f"{base}{report.get_absolute_url()}")
    status = page.locator("#report-status")
    expect(status.get_by_role("link", name="Refresh this page")).to_be_visible()
    assert_accessible(page)

    worker_env = {"MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    if os.environ.get("CELERY_BROKER_URL"):
        worker_env["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"]
    with running_worker(worker_env, name="browser"):
        deadline = time.monotonic() + 90
        while QuarterlyReport.objects.get(pk=report.pk).status in {"queued", "running"}:
            assert time.monotonic() < deadline, "the worker did not compile the report"
            time.sleep(0.3)

    # No reload: the status region (aria-live) changes in place once the poll sees it.
    expect(status).to_contain_text("The report is ready", timeout=15_000)
    expect(status.locator(".govuk-tag")).to_have_text("Ready")
    status.get_by_role("link", name="Show the report").click()
    expect(page.get_by_role("button", name="Publish to the board")).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("Burglary fell for the third quarter running.")
    expect(page.locator("#priority-1")).to_contain_text("Priority one is on track.")
    assert_accessible(page)
    page.get_by_role("button", name="Publish to the board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish the {report.period.label} report to the board?")
    expect(page.locator("main")).to_contain_text("cannot be undone")
    assert_accessible(page)
    assert QuarterlyReport.objects.get(pk=report.pk).published_at is None  # asking changes nothing
    page.get_by_role("button", name="Publish to the board").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")

    # The board member's email link works, and the report reads the same as a web page, a
    # PDF and a Word file.
    [email] = [message for message in mail.outbox if message.to == [board_member.email]]
    link = re.search(r"https?://\S+", email.body)[0]
    page.context.clear_cookies()
    page.goto(f"{base}{urlsplit(link).path}")
    page.get_by_label("Email address").fill(board_member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#summary")).to_contain_text("Burglary fell for the third quarter running.")
    assert_accessible(page)
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download the PDF").click()
    pdf_text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(pdf.value.path()).pages)
    with page.expect_download() as word:
        page.get_by_role("link", name="Download as Word (.docx)").click()
    word_text = "\n".join(p.text for p in docx.Document(str(word.value.path())).paragraphs)
    for words in ("Burglary fell for the third quarter running.", "Priority one is on track."):
        assert words in pdf_text
        assert words in word_text


def test_an_admin_who_signed_in_long_ago_confirms_the_password_before_publishing(
    live_server, page: Page, csp_admin: User, demo, settings
) -> None:
    # `settings` here is pytest-django's fixture (it restores what the test changes); the
    # live server runs in this process, so it sees the changes at once.
    period = ReportingPeriod.objects.closed_by(timezone.localdate()).first()
    report = QuarterlyReport.objects.create(period=period, version=1)
    report_compile(report_id=report.pk)
    base = live_server.url
    sign_in(page, base, csp_admin, check=False)
    page.goto(f"{base}{report.get_absolute_url()}")
    page.get_by_role("button", name="Publish to the board").click()  # the page that asks first
    # As if the sign-in were long ago: every password check counts as too old.
    settings.REAUTH_SECONDS = -1

    page.get_by_role("button", name="Publish to the board").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your password")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Nothing was done")
    assert QuarterlyReport.objects.get(pk=report.pk).published_at is None
    assert_accessible(page)
    settings.REAUTH_SECONDS = 15 * 60

    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Confirm password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The password is not correct")
    expect(page).to_have_title(re.compile(r"^Error: Confirm your password"))
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm password").click()

    # Back on the page that asked, the list of who will be emailed.
    expect(page).to_have_url(f"{base}{reverse('reports:publish', args=[report.period.partnership.slug, report.pk])}")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("now press Publish to the board again")
    page.get_by_role("button", name="Publish to the board").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")
    assert QuarterlyReport.objects.get(pk=report.pk).published_at is not None
