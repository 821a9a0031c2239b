"""A real Celery worker in a child process, for tests that need one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import Celery
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def redis_url() -> str:
    """The Redis the tests use: CI's CELERY_BROKER_URL when it is Redis, else the local one."""
    configured = os.environ.get("CELERY_BROKER_URL", "")
    return configured if configured.startswith("redis://") else "redis://127.0.0.1:6379/15"


def require_redis() -> str:
    """The Redis URL, flushed for the test; fails (never skips) when Redis is not answering."""
    import pytest
    import redis

    url = redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.ConnectionError as exc:  # pragma: no cover - a machine without Redis
        pytest.fail(f"Redis is not answering at {url}: start it (see README, make test does) — {exc}")
    redis.Redis.from_url(url).flushdb()
    return url


def worker_database_url() -> str:
    """The database of the running test session, so a worker sees what the test wrote."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db.get('USER') or ''}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextmanager
def running_worker(
    env_overrides: dict[str, str], *, name: str = "test", pool: str = "solo"
) -> Iterator[subprocess.Popen[bytes]]:
    """A worker process; `pool="prefork"` runs the task in a child process, as production does."""
    env = {key: value for key, value in os.environ.items() if key != "CELERY_BROKER_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "csp_portal.settings", "DATABASE_URL": worker_database_url()})
    env.update(env_overrides)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "csp_portal",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
            f"--hostname={name}@%h",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def client_app(broker_url: str, backend_url: str, **conf: object) -> Celery:
    """A Celery app that only sends: the test's side of the queue."""
    app = Celery("test-client", broker=broker_url, backend=backend_url, set_as_current=False)
    app.conf.update(broker_connection_timeout=3, broker_connection_retry_on_startup=False, **conf)
    options = app.conf.broker_transport_options
    if broker_url.startswith("filesystem://") and "control_folder" not in options:
        # Beside the queue, not in the working directory (kombu's default).
        options["control_folder"] = str(Path(options["data_folder_in"]).parent / "control")
    return app


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a prefork worker's pool children), from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children
