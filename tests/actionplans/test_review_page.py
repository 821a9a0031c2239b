"""Reviewing an update: the page shows what is being approved, a returned update emails its
officer once, and the queue narrows by quarter and priority (its own partnership's only)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction
from django.urls import reverse
from kombu.exceptions import OperationalError

from actionplans.models import Action, ActionPlan, ActionUpdate, IndicatorValue
from actionplans.services import update_review
from actionplans.tasks import send_returned_email
from priorities.models import Priority
from priorities.plan_file import parse_plan
from priorities.services import plan_import
from tests.helpers import BEDFORD, CENTRAL, CENTRAL_BEDS_PLAN, client_for

pytestmark = pytest.mark.django_db


def _submit(action, period, officer) -> ActionUpdate:
    response = client_for(officer).post(
        reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk]),
        {"version": "", "rag": "amber", "progress": "Six sessions delivered.", "submit_update": ""},
    )
    assert response.status_code == 302
    return ActionUpdate.objects.get(action=action, period=period)


def _review_url(update: ActionUpdate) -> str:
    return reverse("actionplans:update_review", args=[BEDFORD, update.pk])


def test_the_review_page_shows_last_quarters_value_the_target_the_milestones_and_the_overdue_flag(
    police_action, period, closed_period, indicator, officer, priority_lead
) -> None:
    update = _submit(police_action, period, officer)
    IndicatorValue.objects.create(indicator=indicator, period=closed_period, value=61)
    IndicatorValue.objects.create(indicator=indicator, period=period, value=58)

    page = client_for(priority_lead).get(_review_url(update)).content.decode()

    assert "Last quarter (2023-24 Q3)" in page
    assert "61 offences" in page  # last quarter's value
    assert "58 offences" in page  # this quarter's
    assert "55 offences" in page  # the target
    assert "Agree the sessions with schools" in page
    assert "1 September 2023" in page
    assert "Deliver ten sessions" in page
    assert "31 March 2024" in page
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong> 1 milestone overdue' in page


def test_returning_an_update_emails_its_officer_once_with_the_reason_and_a_link(
    police_action, period, officer, priority_lead, django_capture_on_commit_callbacks
) -> None:
    update = _submit(police_action, period, officer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(priority_lead).post(
            _review_url(update), {"version": update.version, "decision": "return", "comment": "Add the school names"}
        )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [officer.email]
    assert message.subject == "Returned: your 2023-24 Q4 update for action 1.1"
    assert "Add the school names" in message.body
    link = f"{settings.SITE_URL}{reverse('actionplans:update', args=[BEDFORD, police_action.pk, period.pk])}"
    assert link in message.body
    assert "15 April 2024" in message.body


def test_approving_sends_no_email(police_action, period, officer, priority_lead, django_capture_on_commit_callbacks):
    update = _submit(police_action, period, officer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(priority_lead).post(_review_url(update), {"version": update.version, "decision": "approve"})

    update.refresh_from_db()
    assert update.status == "approved"
    assert mail.outbox == []


def test_a_returned_update_is_still_emailed_when_the_task_queue_refuses_it(
    police_action, period, officer, priority_lead, monkeypatch, django_capture_on_commit_callbacks, settings
) -> None:
    update = _submit(police_action, period, officer)
    mail.outbox.clear()
    settings.TASKS_IN_PROCESS = False  # the real hand-over, to a broker that refuses

    def broker_down(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(send_returned_email, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(priority_lead).post(
            _review_url(update), {"version": update.version, "decision": "return", "comment": "Add the school names"}
        )

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [officer.email]
    assert "Add the school names" in message.body


def test_a_return_rolled_back_sends_nothing(
    police_action, period, officer, priority_lead, django_capture_on_commit_callbacks
) -> None:
    update = _submit(police_action, period, officer)
    version = update.version
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True), contextlib.suppress(RuntimeError), transaction.atomic():
        update_review(update=update, reviewer=priority_lead, approve=False, comment="No", expected_version=version)
        raise RuntimeError("something after the return failed")

    update.refresh_from_db()
    assert update.status == "submitted"
    assert mail.outbox == []


@pytest.fixture
def queue(police_action, period, closed_period, police, officer):
    """Three submitted updates: priority 1 in Q4 and Q3, priority 2 in Q4."""
    priority_two = Priority.objects.get(plan=police_action.plan.priority.plan, number=2)
    plan_two = ActionPlan.objects.create(
        partnership=priority_two.plan.partnership, priority=priority_two, financial_year=2023, status="approved"
    )
    other = Action.objects.create(
        plan=plan_two,
        reference="2.1",
        title="Map the county lines",
        theme=priority_two.themes.first(),
        lead_agency=police,
        owner=officer,
        start_date=dt.date(2023, 4, 1),
        due_date=dt.date(2024, 3, 31),
    )
    for action, when in [(police_action, period), (police_action, closed_period), (other, period)]:
        ActionUpdate.objects.create(action=action, period=when, rag="green", progress="p", status="submitted")
    return {"priority_one": police_action.plan.priority, "priority_two": priority_two}


def _rows(client, **params) -> tuple[int, str]:
    response = client.get(reverse("actionplans:reviews", args=[BEDFORD]), params)
    html = response.content.decode()
    return response.status_code, html


def _reviews_shown(html: str) -> list[str]:
    return sorted(re.findall(r'<span class="govuk-visually-hidden"> ([\d.]+ \d{4}-\d\d Q\d)</span>', html))


def test_the_queue_filters_narrow_it_by_quarter_and_by_priority(queue, period, closed_period, csp_admin) -> None:
    client = client_for(csp_admin)

    assert _reviews_shown(_rows(client)[1]) == ["1.1 2023-24 Q3", "1.1 2023-24 Q4", "2.1 2023-24 Q4"]
    assert _reviews_shown(_rows(client, period=period.pk)[1]) == ["1.1 2023-24 Q4", "2.1 2023-24 Q4"]
    assert _reviews_shown(_rows(client, period=closed_period.pk)[1]) == ["1.1 2023-24 Q3"]
    assert _reviews_shown(_rows(client, priority=queue["priority_two"].pk)[1]) == ["2.1 2023-24 Q4"]
    both = _rows(client, period=closed_period.pk, priority=queue["priority_two"].pk)[1]
    assert _reviews_shown(both) == []
    assert "Nothing is waiting for review in this quarter and priority" in both


def test_a_priority_of_another_partnership_is_refused(queue, csp_admin) -> None:
    plan_import(plan_file=parse_plan(CENTRAL_BEDS_PLAN.read_text(encoding="utf-8")), source=CENTRAL_BEDS_PLAN.name)
    theirs = Priority.objects.filter(plan__partnership__slug=CENTRAL).first()
    assert theirs is not None

    status, html = _rows(client_for(csp_admin), priority=theirs.pk)

    assert status == 200
    assert "<title>Error: Updates to review" in html
    assert "govuk-error-summary" in html
    assert theirs.title not in html
    # Refused, not applied: the queue is not narrowed to the other partnership's priority.
    assert _reviews_shown(html) == ["1.1 2023-24 Q3", "1.1 2023-24 Q4", "2.1 2023-24 Q4"]
