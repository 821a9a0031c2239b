"""A real task through a real worker: on Redis, and on the embedded filesystem transport."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.worker import client_app, require_redis, running_worker

pytestmark = pytest.mark.worker


def test_a_task_goes_through_a_real_worker_on_redis() -> None:
    url = require_redis()
    app = client_app(url, url)

    with running_worker({"CELERY_BROKER_URL": url}, name="redis-test"):
        answer = app.send_task("csp_portal.ping").get(timeout=60)

    assert answer.startswith("pong from ")


def test_a_task_goes_through_a_real_worker_on_the_embedded_filesystem_transport(tmp_path: Path, monkeypatch) -> None:
    # Celery lets CELERY_BROKER_URL in the environment win over the app's own setting; CI
    # sets it to Redis, so take it away for this client.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    data = tmp_path / "celery"
    folders = {name: data / name for name in ("queue", "processed", "results", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    app = client_app(
        "filesystem://",
        f"file://{folders['results']}",
        broker_transport_options={
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
        },
    )

    with running_worker({"CELERY_DATA_DIR": str(data)}, name="fs-test"):
        answer = app.send_task("csp_portal.ping").get(timeout=60)

    assert answer.startswith("pong from ")
