"""The database's generation (core.generation) moves with every kind of committed write,
and with nothing else, so a value kept under it is never served after its rows changed."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.template import Context, Template

from accounts.models import Agency
from core.generation import CACHE, built, generation

# Committed writes: what other requests see. On PostgreSQL the generation is the snapshot,
# which only moves when a transaction commits, so these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


def _table() -> str:
    return connection.ops.quote_name(Agency._meta.db_table)


WRITES = {
    "save": lambda agency: Agency.objects.create(name="Fire and Rescue", short_name="Fire"),
    "save_again": lambda agency: (setattr(agency, "short_name", "BP"), agency.save()),
    "queryset_update": lambda agency: Agency.objects.filter(pk=agency.pk).update(short_name="B. Police"),
    "bulk_create": lambda agency: Agency.objects.bulk_create([Agency(name="Probation", short_name="PS")]),
    "delete": lambda agency: agency.delete(),
    "raw_sql": lambda agency: connection.cursor().execute(
        f"UPDATE {_table()} SET short_name = %s WHERE id = %s",  # noqa: S608 (the model's own table)
        ["Raw", agency.pk],
    ),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_every_kind_of_write_moves_the_generation_and_a_read_does_not(write) -> None:
    agency = Agency.objects.create(name="Bedfordshire Police", short_name="Police")
    before = generation()
    assert before is not None
    list(Agency.objects.all())
    assert generation() == before

    write(agency)

    assert generation() not in {None, before}


def test_a_kept_value_is_built_once_until_a_write_and_then_again() -> None:
    caches[CACHE].clear()
    Agency.objects.create(name="Bedfordshire Police", short_name="Police")
    names = lambda: sorted(Agency.objects.values_list("short_name", flat=True))  # noqa: E731

    assert built("agencies", [1], names) == ["Police"]
    with transaction.atomic():
        Agency.objects.update(short_name="BP")
        # Inside the writing transaction, PostgreSQL cannot trust its snapshot: built afresh.
        # SQLite's counter has moved already. Either way it reads its own write.
        assert built("agencies", [1], names) == ["BP"]
    assert built("agencies", [1], names) == ["BP"]

    calls = []
    assert built("agencies", [1], lambda: calls.append(1) or ["never"]) == ["BP"]  # kept: not built
    assert built("agencies", [2], lambda: calls.append(1) or ["other"]) == ["other"]  # its parts differ
    assert calls == [1]


def test_a_write_that_is_rolled_back_leaves_what_was_kept_right() -> None:
    caches[CACHE].clear()
    Agency.objects.create(name="Bedfordshire Police", short_name="Police")
    names = lambda: sorted(Agency.objects.values_list("short_name", flat=True))  # noqa: E731
    before = built("agencies", [], names)

    seen_inside = []

    def write_then_fail() -> None:
        with transaction.atomic():
            Agency.objects.update(short_name="Never")
            seen_inside.extend(built("agencies", [], names))  # its own write, seen inside
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()

    assert seen_inside == ["Never"]

    assert built("agencies", [], names) == before == ["Police"]


def test_the_kept_tag_keeps_its_html_until_a_write(settings) -> None:
    caches[CACHE].clear()
    agency = Agency.objects.create(name="Bedfordshire Police", short_name="Police")
    page = Template('{% load core_tags %}{% kept "agency" pk %}<b>{{ a.short_name }}</b>{% endkept %}')

    def render(shown: Agency) -> str:
        return page.render(Context({"a": shown, "pk": agency.pk}))

    assert render(agency) == "<b>Police</b>"
    # Kept: the same HTML whatever the context, until the database changes.
    assert render(Agency(short_name="not read")) == "<b>Police</b>"
    agency.short_name = "<BP>"
    agency.save()
    assert render(agency) == "<b>&lt;BP&gt;</b>"  # built again, and escaped as ever
    settings.BUILT_CACHE_SECONDS = 0
    assert render(Agency(short_name="fresh")) == "<b>fresh</b>"
