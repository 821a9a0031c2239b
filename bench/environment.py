"""Where each bench database lives and the environment a bench process runs Django in.

One database per data set (1x, 10x, 300 partnerships, the import, the profiler's): SQLite
files under var/bench/, or, when BENCH_DATABASE_URL names a PostgreSQL database, databases
beside it on the same server named after it (`bench` gives `bench_1x`, `bench_10x`, ...).
The named database itself is only connected to for creating and dropping the others.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
# One key for every process of a run: a session made by the builder must still be valid in gunicorn.
SECRET_KEY = secrets.token_urlsafe(50)


def database_url(tag: str) -> str:
    """The URL of the bench database `tag` (e.g. "1x"), SQLite unless BENCH_DATABASE_URL is set."""
    base = os.environ.get("BENCH_DATABASE_URL")
    if not base:
        return f"sqlite:///{WORK / f'bench-{tag}.sqlite3'}"
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{tag}"))


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def database_drop(url: str) -> None:
    """Remove the bench database at `url`, so that the next migrate starts from nothing."""
    if is_sqlite(url):
        Path(urlsplit(url).path).unlink(missing_ok=True)
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = os.environ["BENCH_DATABASE_URL"]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_create(url: str, template: str | None = None) -> None:
    """A fresh bench database at `url`: empty, or a copy of the database at `template` (one
    already migrated: migrating takes most of a minute on a busy machine)."""
    database_drop(url)
    if is_sqlite(url):
        WORK.mkdir(parents=True, exist_ok=True)
        if template:
            shutil.copyfile(urlsplit(template).path, urlsplit(url).path)
        return
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    copy = f' TEMPLATE "{urlsplit(template).path.lstrip("/")}"' if template else ""
    with psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')


def database_exists(url: str) -> bool:
    if is_sqlite(url):
        return Path(urlsplit(url).path).exists()
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def bench_env(url: str) -> dict[str, str]:
    """The environment of a bench process (builder, gunicorn, profiler) on the database at `url`:
    production settings (DEBUG off) with the bench's trivial view, on loopback."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        STATIC_MANIFEST="false",
        CELERY_DATA_DIR=str(WORK / "celery"),
        MEDIA_ROOT=str(WORK / "media"),  # the charts the pages draw
    )
    return env
