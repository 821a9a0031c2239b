"""Values that are costly to build from the database, kept until the database changes and
never served stale.

A value is kept under a key that includes the database's *generation*: something that
differs whenever any transaction has committed a change since. No signal has to clear
anything, so no `.update()`, bulk write, admin edit or raw SQL can slip past; an old value
is simply never asked for again (and falls out of the cache in its own time).

- PostgreSQL: the snapshot the request reads at (`pg_current_snapshot()`: the next
  transaction id and those still running). Two reads with the same snapshot see the same
  committed rows; any commit of a change moves it. Nothing is written to keep it, so it
  costs writers nothing, and it has no ordering race (ids from sequences are handed out
  in a different order than transactions commit, so "the highest id" would have one).
- SQLite (development and the demo): a counter row given a fresh random value by a trigger
  on every write to the portal's tables. SQLite has one writer at a time, so the counter
  cannot miss a commit; a rolled-back write takes its new value back with it.

A connection inside a transaction that has written (PostgreSQL) builds afresh: its own
uncommitted rows are not in the snapshot. Values depend on the day too (what is overdue),
so callers put the date in their key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import OperationalError, connection

T = TypeVar("T")

# The cache the built values live in (settings.CACHES).
CACHE = "built"
# Tables of these apps carry the SQLite triggers: every table the portal's own pages read.
WATCHED_APPS = ("accounts", "priorities", "actionplans", "consultations", "reports", "core")
_MISSING = object()


def generation() -> str | None:
    """The committed state of the database as this connection reads it, as a short key;
    None when no key can be trusted (a PostgreSQL transaction that has written)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_current_xact_id_if_assigned(), pg_current_snapshot()::text")
            own, snapshot = cursor.fetchone()
            if own is not None:
                return None
            # xmin:xmax:running; xmin adds nothing once xmax and the running ones are known.
            state = snapshot.split(":", 1)[1]
        elif connection.vendor == "sqlite":
            try:
                cursor.execute("SELECT value FROM core_generation WHERE name = 'all'")
            except OperationalError:  # a database migrated before the triggers: not until the next migrate
                return None
            row = cursor.fetchone()
            state = "none" if row is None else str(row[0])
        else:
            return None
    return hashlib.blake2b(state.encode(), digest_size=8).hexdigest()


def built(name: str, parts: Iterable[Any], build: Callable[[], T]) -> T:
    """`build()`, kept in the cache under `name`, `parts` and the database's generation.
    Built afresh when BUILT_CACHE_SECONDS is 0 or no generation can be trusted."""
    seconds = settings.BUILT_CACHE_SECONDS
    state = generation() if seconds else None
    if state is None:
        return build()
    # Parts may be typed (a filter's value): hashed, so any text makes a short, safe key.
    varies = hashlib.blake2b(repr([str(part) for part in parts]).encode(), digest_size=16).hexdigest()
    key = f"{name}:{varies}:{state}"
    cache = caches[CACHE]
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = build()
        cache.set(key, found, seconds)
    return found


def sqlite_triggers(existing: Iterable[str]) -> list[str]:
    """The statements that make every write to a watched table (of those `existing`) give
    the counter a new value; each created if missing, after every migrate, so new tables
    and tables SQLite's schema editor rebuilt get them too."""
    bump = (
        "INSERT INTO core_generation (name, value) VALUES ('all', random()) "
        "ON CONFLICT (name) DO UPDATE SET value = excluded.value"
    )
    statements = ["CREATE TABLE IF NOT EXISTS core_generation (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"]
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in WATCHED_APPS and model._meta.managed
        }
        & set(existing)
    )
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f'CREATE TRIGGER IF NOT EXISTS "generation_{table}_{event.lower()}" AFTER {event} ON "{table}" '
                f"BEGIN {bump}; END"
            )
    return statements


def install(**kwargs: Any) -> None:
    """post_migrate: SQLite's triggers (PostgreSQL needs nothing)."""
    using = kwargs.get("using", "default")
    from django.db import connections

    target = connections[using]
    if target.vendor != "sqlite":
        return
    with target.cursor() as cursor:
        for statement in sqlite_triggers(target.introspection.table_names(cursor)):
            cursor.execute(statement)
