"""Two people writing a record that does not exist yet, at the same moment: the first
update of an action, the first value of a shared indicator. The loser is refused as a stale
edit (what they typed is shown again), never a server error, and the winner's words stay."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction

from actionplans.models import ActionUpdate, IndicatorValue
from actionplans.services import IndicatorEntry, UpdateInput, indicator_value_save, update_save
from core.models import StaleEdit
from tests.helpers import DEADLINE_DAY

pytestmark = pytest.mark.django_db(transaction=True)


def _typed(progress: str) -> UpdateInput:
    return UpdateInput(
        rag="green",
        progress=progress,
        issues_and_risks="",
        support_requested="",
        milestones_completed={},
        indicator_values={},
    )


def test_the_second_first_update_of_an_action_is_a_stale_edit(police_action, period, officer) -> None:
    # Both opened the form while there was no update; the other one saved first.
    mine = ActionUpdate.objects.for_quarter(action=police_action, period=period)
    theirs = ActionUpdate.objects.for_quarter(action=police_action, period=period)
    update_save(
        update=theirs, user=officer, data=_typed("Theirs"), expected_version=None, submit=False, today=DEADLINE_DAY
    )

    with pytest.raises(StaleEdit) as refused:
        update_save(
            update=mine, user=officer, data=_typed("Mine"), expected_version=None, submit=False, today=DEADLINE_DAY
        )

    assert refused.value.current.progress == "Theirs"
    assert "Progress" in {change.field for change in refused.value.changes}
    assert ActionUpdate.objects.get(action=police_action, period=period).progress == "Theirs"


def _blocked_on_a_lock() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite queues whole transactions: the second starts after the first commits
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        return bool(cursor.fetchone()[0])


def test_two_first_values_of_a_shared_indicator_at_once_keep_one_and_refuse_the_other(
    indicator, period, officer
) -> None:
    first_written = threading.Event()
    release = threading.Event()
    outcome: dict[str, object] = {}

    def write(name: str, value: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                indicator_value_save(
                    indicator_id=indicator.pk,
                    period=period,
                    entry=IndicatorEntry(value=Decimal(value), provisional=False, note=name, version=None),
                    user=officer,
                )
                if hold:
                    first_written.set()
                    release.wait(timeout=60)  # keep the row uncommitted while the other writes
            outcome[name] = "saved"
        except StaleEdit as stale:
            outcome[name] = stale
        except Exception as exc:  # what used to happen: an IntegrityError, a 500
            outcome[name] = exc
        finally:
            connection.close()

    first = threading.Thread(target=write, args=("first", "10", True))
    first.start()
    assert first_written.wait(timeout=60)
    second = threading.Thread(target=write, args=("second", "20", False))
    second.start()
    deadline = time.monotonic() + 30
    while not _blocked_on_a_lock():  # the second insert waits on the first's uncommitted row
        assert time.monotonic() < deadline, "the second writer never reached the insert"
        time.sleep(0.01)
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)

    assert outcome["first"] == "saved"
    assert isinstance(outcome["second"], StaleEdit), outcome["second"]
    value = IndicatorValue.objects.get(indicator=indicator, period=period)
    assert (value.value, value.note) == (Decimal("10.00"), "first")
