"""Daily reminders: owners whose update is due within 5 days or overdue, at most once a day."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from actionplans.models import ActionUpdate, ReminderSent
from actionplans.services import reminders_send
from actionplans.tasks import send_update_reminders
from tests.helpers import make_period

pytestmark = pytest.mark.django_db


def test_no_reminder_while_the_deadline_is_more_than_5_days_away(police_action, period) -> None:
    # 25 March; the window closes 15 April.
    assert reminders_send(today=dt.date(2024, 3, 25)) == 0
    assert mail.outbox == []


def test_an_owner_is_reminded_5_days_before_and_only_once_a_day(police_action, period, officer) -> None:
    assert reminders_send(today=dt.date(2024, 4, 10)) == 1
    assert reminders_send(today=dt.date(2024, 4, 10)) == 0  # a re-run sends nothing twice

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [officer.email]
    assert message.subject == "Due soon: 1 quarterly update"
    assert "1.1 Run knife-crime awareness sessions in schools (2023-24 Q4, due by 15 April 2024)" in message.body
    assert "/my-actions/" in message.body
    assert ReminderSent.objects.get().sent_on == dt.date(2024, 4, 10)

    assert reminders_send(today=dt.date(2024, 4, 11)) == 1  # the next day, again


def test_an_overdue_update_is_chased_after_the_window_closes(police_action, period, officer) -> None:
    reminders_send(today=dt.date(2024, 4, 20))
    assert mail.outbox[0].subject == "Overdue: 1 quarterly update"
    assert "closed 15 April 2024" in mail.outbox[0].body


def test_a_submitted_update_stops_the_reminders(police_action, period, officer) -> None:
    ActionUpdate.objects.create(action=police_action, period=period, rag="green", progress="Done", status="submitted")
    assert reminders_send(today=dt.date(2024, 4, 12)) == 0


def test_a_draft_does_not_stop_the_reminders(police_action, period, officer) -> None:
    ActionUpdate.objects.create(action=police_action, period=period, rag="green", progress="Half", status="draft")
    assert reminders_send(today=dt.date(2024, 4, 12)) == 1


def test_one_email_lists_every_action_owed_across_periods(police_action, period, officer) -> None:
    earlier = make_period(2023, 3)
    earlier.window_closes = dt.date(2024, 4, 1)
    earlier.save()

    reminders_send(today=dt.date(2024, 4, 12))

    assert len(mail.outbox) == 1
    assert "2023-24 Q3" in mail.outbox[0].body
    assert "2023-24 Q4" in mail.outbox[0].body


def test_the_daily_task_uses_today(police_action, period) -> None:
    with time_machine.travel(dt.datetime(2024, 4, 12, 7, 0), tick=False):
        assert send_update_reminders() == 1


def test_the_beat_schedule_runs_the_reminders_daily(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["update-reminders"]
    assert entry["task"] == "actionplans.send_update_reminders"
    assert entry["schedule"].hour == {7}


def test_a_failed_send_is_not_recorded_and_does_not_stop_the_others(
    police_action, period, officer, council_officer, settings
) -> None:
    from actionplans.models import Action

    other = Action.objects.create(
        plan=police_action.plan,
        reference="1.2",
        title="Other",
        theme=police_action.theme,
        lead_agency=council_officer.agency,
        owner=council_officer,
        start_date=police_action.start_date,
        due_date=police_action.due_date,
    )
    assert other.pk
    officer.email = "bad address\n@example.org"  # the mail backend refuses a header with a newline
    officer.save()

    assert reminders_send(today=dt.date(2024, 4, 10)) == 1

    assert [m.to for m in mail.outbox] == [[council_officer.email]]
    assert list(ReminderSent.objects.values_list("recipient", flat=True)) == [council_officer.pk]
