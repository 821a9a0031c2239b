"""Publishing with care: the confirmation page names exactly who will be emailed and
changes nothing; the POST publishes once; the email's link is the portal's real address;
while a report compiles, its page says how to see the result and offers a status to poll."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from priorities.models import Membership, Partnership
from reports.models import QuarterlyReport
from reports.services import board_recipients, report_compile, reports_publish_due
from tests.factories import UserFactory
from tests.helpers import BEDFORD, CENTRAL, client_for

pytestmark = pytest.mark.django_db

SITE_URL = "https://csp-portal.example.gov.uk"


def _ready(quarter, version: int = 1) -> QuarterlyReport:
    report = QuarterlyReport.objects.create(period=quarter, version=version)
    assert report_compile(report_id=report.pk)
    report.refresh_from_db()
    return report


@pytest.fixture
def board(quarter, board_member, police):
    """Bedford's board: James Whitfield (council) and Olu Adeyemi (police). Not on it: a
    former member whose role has ended, a deactivated member, an officer, and a board member
    of another partnership."""
    second = UserFactory(full_name="Olu Adeyemi", agency=police, roles=[Role.BOARD_MEMBER])
    former = UserFactory(full_name="Former Member", roles=[Role.BOARD_MEMBER])
    Membership.objects.filter(user=former).update(ended_at=timezone.now())
    UserFactory(full_name="Deactivated Member", roles=[Role.BOARD_MEMBER], is_active=False)
    central = Partnership.objects.create(
        name="Central Bedfordshire Community Safety Partnership", short_name="Central Bedfordshire CSP", slug=CENTRAL
    )
    UserFactory(full_name="Central Member", roles=[Role.BOARD_MEMBER], roles__partnership=central)
    return [board_member, second]


def _publish_url(report: QuarterlyReport) -> str:
    return reverse("reports:publish", args=[BEDFORD, report.pk])


def test_the_confirmation_names_exactly_who_will_be_emailed_and_publishes_nothing(
    quarter, board, csp_admin, officer, django_capture_on_commit_callbacks
) -> None:
    report = _ready(quarter)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(csp_admin).get(_publish_url(report))

    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot be undone" in html
    assert "2 board members will be emailed" in html
    rows = [
        (m.full_name, m.email, m.agency.name) for m in sorted(board, key=lambda m: m.full_name)
    ]  # by name, as shown
    assert list(response.context["recipients"].values_list("full_name", "email", "agency__name")) == rows
    for name, email, agency in rows:
        assert f'<td class="govuk-table__cell">{name}</td><td class="govuk-table__cell">{email}</td>' in html
        assert agency in html
    for absent in ("Former Member", "Deactivated Member", "Central Member", officer.full_name, csp_admin.full_name):
        assert absent not in html.split("<main")[1]
    assert f'href="{report.get_absolute_url()}">Cancel</a>' in html
    assert '<button type="submit" class="govuk-button govuk-button--warning"' in html
    report.refresh_from_db()
    assert not report.is_published
    assert mail.outbox == []


def test_the_page_and_the_email_go_by_the_same_list(quarter, board) -> None:
    assert list(board_recipients(quarter.partnership)) == sorted(board, key=lambda m: m.full_name)


def test_the_report_page_links_to_the_confirmation_rather_than_publishing(quarter, csp_admin) -> None:
    report = _ready(quarter)

    html = client_for(csp_admin).get(report.get_absolute_url()).content.decode()

    assert f'href="{_publish_url(report)}">Publish to the board</a>' in html
    assert f'action="{_publish_url(report)}"' not in html


def test_publishing_publishes_once_and_emails_each_member_a_link_to_the_real_site(
    quarter, board, csp_admin, settings, django_capture_on_commit_callbacks
) -> None:
    """The link is SITE_URL's even when the request came in by another name (a Host header
    the publisher's browser, a proxy or an attacker set)."""
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "internal-name.example"]
    report = _ready(quarter)
    client = client_for(csp_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_publish_url(report), HTTP_HOST="internal-name.example")

    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    report.refresh_from_db()
    first_published_at = report.published_at
    assert report.is_published
    assert report.published_by == csp_admin
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in board)
    for message in mail.outbox:
        assert f"{SITE_URL}{report.get_absolute_url()}" in message.body
        assert "internal-name.example" not in message.body

    # Twice is refused: no second email, and the first publication stands.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(_publish_url(report), follow=True)
    assert "This report is already published." in again.content.decode()
    assert len(mail.outbox) == len(board)
    report.refresh_from_db()
    assert report.published_at == first_published_at


def test_there_is_nothing_to_confirm_for_a_published_or_unready_report(quarter, csp_admin) -> None:
    client = client_for(csp_admin)
    published = _ready(quarter)
    QuarterlyReport.objects.filter(pk=published.pk).update(published_at=timezone.now(), published_by=csp_admin)
    queued = QuarterlyReport.objects.create(period=quarter, version=2)

    for report, reason in ((published, "already published"), (queued, "Only a ready report")):
        response = client.get(_publish_url(report), follow=True)
        assert response.redirect_chain == [(report.get_absolute_url(), 302)]
        assert reason in response.content.decode()
    queued.refresh_from_db()
    assert not queued.is_published


def test_only_admins_see_the_confirmation(quarter, board_member, officer) -> None:
    report = _ready(quarter)

    for person in (board_member, officer):
        assert client_for(person).get(_publish_url(report)).status_code == 403


def test_the_confirmation_asks_for_the_password_when_it_was_given_long_ago(quarter, csp_admin, settings) -> None:
    report = _ready(quarter)
    settings.REAUTH_SECONDS = -1

    response = client_for(csp_admin).get(_publish_url(report))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:confirm_password"))


def test_while_compiling_the_page_offers_a_refresh_link_and_a_status_to_poll(quarter, csp_admin) -> None:
    report = QuarterlyReport.objects.create(period=quarter, version=1)
    status_url = reverse("reports:status", args=[BEDFORD, report.pk])

    html = client_for(csp_admin).get(report.get_absolute_url()).content.decode()

    assert 'aria-live="polite"' in html
    assert f'data-status-url="{status_url}"' in html
    assert f'<a class="govuk-link" href="{report.get_absolute_url()}">Refresh this page</a>' in html
    assert "<script>" not in html  # the strict CSP allows no inline script: app.mjs does it


def test_a_ready_report_has_nothing_to_poll(quarter, csp_admin) -> None:
    report = _ready(quarter)

    html = client_for(csp_admin).get(report.get_absolute_url()).content.decode()

    assert "data-status-url" not in html
    assert "Refresh this page" not in html


def test_the_status_says_whether_compiling_is_done(quarter, csp_admin) -> None:
    report = QuarterlyReport.objects.create(period=quarter, version=1)
    url = reverse("reports:status", args=[BEDFORD, report.pk])
    client = client_for(csp_admin)

    queued = client.get(url)
    assert queued["Content-Type"] == "application/json"
    assert queued["Cache-Control"] == "no-store"
    assert json.loads(queued.content) == {"status": "queued", "label": "Queued", "done": False}
    QuarterlyReport.objects.filter(pk=report.pk).update(status="running")
    assert json.loads(client.get(url).content) == {"status": "running", "label": "Compiling", "done": False}
    QuarterlyReport.objects.filter(pk=report.pk).update(status="ready")
    assert json.loads(client.get(url).content) == {"status": "ready", "label": "Ready", "done": True}
    QuarterlyReport.objects.filter(pk=report.pk).update(status="failed")
    assert json.loads(client.get(url).content) == {"status": "failed", "label": "Failed", "done": True}


def test_a_drafts_status_is_the_teams_alone(quarter, board_member, officer) -> None:
    report = QuarterlyReport.objects.create(period=quarter, version=1)
    url = reverse("reports:status", args=[BEDFORD, report.pk])

    assert client_for(officer).get(url).status_code == 403
    assert client_for(board_member).get(url).status_code == 404  # unpublished
    QuarterlyReport.objects.filter(pk=report.pk).update(status="ready", published_at=timezone.now())
    assert json.loads(client_for(board_member).get(url).content)["status"] == "ready"


def test_agency_less_members_are_listed_too(quarter, csp_admin) -> None:
    member = UserFactory(full_name="No Agency", agency=None, roles=[Role.BOARD_MEMBER])
    report = _ready(quarter)

    html = client_for(csp_admin).get(_publish_url(report)).content.decode()

    assert member.email in html
    assert "No agency" in html


def _later(day: str = "21", at: str = "09:30") -> dict[str, str]:
    return {"when": "later", "on_0": day, "on_1": "4", "on_2": "2024", "at": at}


def test_a_report_set_to_publish_later_is_published_then_and_not_before(
    quarter, csp_admin, board, django_capture_on_commit_callbacks
) -> None:
    report = _ready(quarter)
    client = client_for(csp_admin)
    response = client.post(_publish_url(report), _later(), follow=True)
    report.refresh_from_db()
    assert not report.is_published
    assert timezone.localtime(report.publish_at).isoformat() == "2024-04-21T09:30:00+01:00"
    assert report.publish_set_by == csp_admin
    assert "will be published to the board at 9:30am on 21 April 2024" in response.content.decode()
    assert "Set to be published to the board at 9:30am on 21 April 2024" in response.content.decode()
    assert mail.outbox == []
    assert reports_publish_due(now=report.publish_at - dt.timedelta(seconds=1)) == []
    assert mail.outbox == []
    at = report.publish_at
    with django_capture_on_commit_callbacks(execute=True):
        published = reports_publish_due(now=at)
    assert [r.pk for r in published] == [report.pk]
    report.refresh_from_db()
    assert report.is_published
    assert report.published_by == csp_admin
    assert report.publish_at is None  # spent
    assert sorted(m.to[0] for m in mail.outbox) == sorted(member.email for member in board)
    assert reports_publish_due(now=at) == []  # once
    assert len(mail.outbox) == len(board)


def test_a_set_time_must_be_whole_and_ahead_and_can_be_cancelled(quarter, csp_admin) -> None:
    report = _ready(quarter)
    client = client_for(csp_admin)
    for data, error in (
        ({"when": "later", "at": "09:30"}, "Enter the date to publish"),
        (_later(at="9 o'clock"), "Enter the time to publish as hours and minutes"),
        (_later(day="19"), "The time to publish must be in the future"),
        ({**_later(), "on_1": "12"}, "The time to publish must be within 92 days"),
    ):
        response = client.post(_publish_url(report), data)
        assert response.status_code == 200
        assert "govuk-error-summary" in response.content.decode()
        assert error in response.content.decode()
    report.refresh_from_db()
    assert report.publish_at is None
    client.post(_publish_url(report), _later())
    client.post(_publish_url(report), {"cancel_set_time": "1"})
    report.refresh_from_db()
    assert report.publish_at is None
    assert not report.is_published


def test_the_beat_runs_the_publishing_of_due_reports_every_minute(settings) -> None:
    from reports.tasks import publish_due

    entry = settings.CELERY_BEAT_SCHEDULE["publish-due-reports"]
    assert entry["task"] == publish_due.name
    assert entry["schedule"].minute == set(range(60))


def test_a_date_typed_with_now_chosen_publishes_nothing(quarter, csp_admin) -> None:
    report = _ready(quarter)
    response = client_for(csp_admin).post(_publish_url(report), {**_later(), "when": "now"})
    assert response.status_code == 200
    assert "You gave a date or time: choose At a set time" in response.content.decode()
    report.refresh_from_db()
    assert not report.is_published
    assert report.publish_at is None


def test_setting_and_cancelling_a_time_are_in_the_history(quarter, csp_admin) -> None:
    report = _ready(quarter)
    client = client_for(csp_admin)
    client.post(_publish_url(report), _later())
    client.post(_publish_url(report), {"cancel_set_time": "1"})
    rows = list(report.history.order_by("history_id").values_list("publish_at", "history_user"))
    assert rows[-2][0] is not None
    assert rows[-1][0] is None
    assert {user for _, user in rows[-2:]} == {csp_admin.pk}


def test_a_set_time_is_spent_once_any_version_of_the_quarter_is_published(
    quarter, csp_admin, board, django_capture_on_commit_callbacks
) -> None:
    first, second = _ready(quarter), _ready(quarter, version=2)
    client = client_for(csp_admin)
    client.post(_publish_url(first), _later())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_publish_url(second), {"when": "now"})
    first.refresh_from_db()
    assert first.publish_at is None
    emailed = len(mail.outbox)
    assert emailed == len(board)
    assert reports_publish_due(now=timezone.now() + dt.timedelta(days=2)) == []
    assert len(mail.outbox) == emailed


def test_a_set_time_is_held_back_when_its_admin_may_no_longer_publish(quarter, csp_admin) -> None:
    report = _ready(quarter)
    client_for(csp_admin).post(_publish_url(report), _later())
    Membership.objects.filter(user=csp_admin).update(ended_at=timezone.now())
    other = UserFactory(roles=[Role.CSP_ADMIN])
    later = timezone.now() + dt.timedelta(days=2)
    assert reports_publish_due(now=later) == []
    report.refresh_from_db()
    assert not report.is_published
    with time_machine.travel(later, tick=False):
        page = client_for(other).get(report.get_absolute_url()).content.decode()
    assert "It was not published at that time: the admin who set the time can no longer publish" in page


def test_moments_are_written_in_govuk_style() -> None:
    from zoneinfo import ZoneInfo

    from reports.templatetags.report_tags import moment

    london = ZoneInfo("Europe/London")
    assert moment(dt.datetime(2024, 4, 21, 9, 30, tzinfo=london)) == "9:30am on 21 April 2024"
    assert moment(dt.datetime(2024, 4, 21, 12, 0, tzinfo=london)) == "midday on 21 April 2024"
    assert moment(dt.datetime(2024, 4, 21, 0, 0, tzinfo=london)) == "midnight on 21 April 2024"
    assert moment(dt.datetime(2024, 4, 21, 23, 5, tzinfo=dt.UTC)) == "12:05am on 22 April 2024"


def test_a_time_the_clocks_skip_is_refused(quarter, csp_admin) -> None:
    from reports.forms import PublishForm

    with time_machine.travel(dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        form = PublishForm({"when": "later", "on_0": "30", "on_1": "3", "on_2": "2025", "at": "01:30"})
        assert not form.is_valid()
        assert "when the clocks go forward" in str(form.errors["at"])
