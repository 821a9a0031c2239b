"""`make bench`: queries and median latency per page at 1x and 10x data, then throughput
under concurrent load against gunicorn, relative to a trivial view in the same run; the
consultation results pages under load at 10x responses too, and the time to import a
10,000-row survey export.

Everything runs on this machine, on loopback, with bounded request counts and durations.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(os.cpu_count() or 2)))
# The portal with this many partnerships, each with its own plan and demo data.
PARTNERSHIPS = int(os.environ.get("BENCH_PARTNERSHIPS", "10"))
# Served again at 10x, where the data they read is ten times the responses.
RESULTS_PAGES = ("consultation", "question_1")


def _env(db_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{db_path}"),
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        STATIC_MANIFEST="false",
        CELERY_DATA_DIR=str(WORK / "celery"),
        MEDIA_ROOT=str(WORK / "media"),  # the charts the pages draw
    )
    return env


def _run(module: str, db_name: str, *args: str) -> tuple[dict[str, object], dict[str, str]]:
    """Run a bench module on its own fresh database; its last line of output is JSON."""
    db_path = WORK / db_name
    db_path.unlink(missing_ok=True)
    env = _env(db_path)
    out = subprocess.run(
        [sys.executable, "-m", module, *args, str(db_path)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1]), env


def _build(scale: int, partnerships: int = 1) -> tuple[dict[str, object], dict[str, str]]:
    if partnerships > 1:
        return _run("bench.data", f"bench-{partnerships}p.sqlite3", str(scale), str(partnerships))
    return _run("bench.data", f"bench-{scale}x.sqlite3", str(scale))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _load(port: int, path: str, session: str) -> float:
    """Requests a second from CLIENTS keep-alive connections for SECONDS."""
    done = [0] * CLIENTS
    deadline = time.monotonic() + SECONDS

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Cookie": f"sessionid={session}", "Host": "127.0.0.1"}
        while time.monotonic() < deadline:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path} answered {response.status}")
            done[index] += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.monotonic() - start)


def _throughput(
    result: dict[str, object], env: dict[str, str], only: tuple[str, ...] | None = None
) -> dict[str, float]:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "csp_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        pages: dict[str, dict[str, object]] = result["pages"]  # type: ignore[assignment]
        session = str(result["session"])
        return {
            name: _load(port, str(page["url"]), session)
            for name, page in pages.items()
            if page["url"] and (only is None or name in only)
        }
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    one, env_one = _build(1)
    ten, env_ten = _build(10)
    many, _ = _build(1, partnerships=PARTNERSHIPS)
    imported, _ = _run("bench.imports", "bench-import.sqlite3")
    rates = _throughput(one, env_one)
    rates_ten = _throughput(ten, env_ten, only=(*RESULTS_PAGES, "trivial"))

    print(
        f"CSP portal benchmark: {os.cpu_count()} cores, gunicorn {WORKERS} workers, {CLIENTS} clients, "
        f"{SECONDS:g} s per page, database {env_one['DATABASE_URL'].split(':')[0]}"
    )
    header = (
        f"{'page':<14}{'queries 1x':>11}{'queries 10x':>12}"
        f"{'median ms 1x':>14}{'median ms 10x':>15}{'req/s':>9}{'vs trivial':>12}"
    )
    print(f"data: 1x = {_data(one)}; 10x = {_data(ten)}")
    print(header)
    print("-" * len(header))
    one_pages: dict[str, dict[str, float]] = one["pages"]  # type: ignore[assignment]
    ten_pages: dict[str, dict[str, float]] = ten["pages"]  # type: ignore[assignment]
    for name in one_pages:
        if name == "compile_report":
            continue
        print(
            f"{name:<14}{one_pages[name]['queries']:>11}{ten_pages[name]['queries']:>12}"
            f"{one_pages[name]['median_ms']:>14.2f}{ten_pages[name]['median_ms']:>15.2f}"
            f"{rates[name]:>9.0f}{rates[name] / rates['trivial']:>11.0%}"
        )
    print(_compile_line(one_pages, ten_pages))
    print(_partnerships_table(one_pages, many))
    print(_results_line(rates_ten, ten))
    print(_import_line(imported))


def _partnerships_table(one: dict[str, dict[str, float]], many: dict[str, object]) -> str:
    """Bedford's pages in a portal of one partnership and of many: queries and median ms."""
    counts: dict[str, int] = many["counts"]  # type: ignore[assignment]
    pages: dict[str, dict[str, float]] = many["pages"]  # type: ignore[assignment]
    lines = [
        f"with {counts['partnerships']} partnerships ({counts['actions']} actions in all), Bedford's pages:",
        f"{'page':<14}{'queries 1':>10}{'queries many':>13}{'median ms 1':>13}{'median ms many':>15}",
    ]
    for name, page in pages.items():
        if name in {"compile_report", "trivial"}:
            continue
        lines.append(
            f"{name:<14}{one[name]['queries']:>10}{page['queries']:>13}"
            f"{one[name]['median_ms']:>13.2f}{page['median_ms']:>15.2f}"
        )
    return "\n".join(lines)


def _compile_line(one: dict[str, dict[str, float]], ten: dict[str, dict[str, float]]) -> str:
    small, large = one["compile_report"]["median_ms"], ten["compile_report"]["median_ms"]
    verdict = "within" if large <= 10 * small else "MORE THAN"
    return (
        f"compile report (median of 3): {small / 1000:.2f} s at 1x, {large / 1000:.2f} s at 10x: "
        f"{large / small:.1f} times, {verdict} the 10x allowed"
    )


def _data(result: dict[str, object]) -> str:
    counts: dict[str, int] = result["counts"]  # type: ignore[assignment]
    return (
        f"{counts['priorities']} priorities, {counts['actions']} actions, "
        f"{counts['responses']:,} consultation responses"
    )


def _results_line(rates: dict[str, float], ten: dict[str, object]) -> str:
    counts: dict[str, int] = ten["counts"]  # type: ignore[assignment]
    pages = ", ".join(
        f"{name} {rates[name]:.0f} req/s ({rates[name] / rates['trivial']:.0%} of trivial)" for name in RESULTS_PAGES
    )
    return f"results pages under load at 10x ({counts['responses']:,} responses): {pages}"


def _import_line(imported: dict[str, object]) -> str:
    figures: dict[str, float] = imported  # type: ignore[assignment]
    rows, first, again = int(figures["rows"]), figures["first_s"], figures["again_s"]
    return (
        f"import {rows:,} responses (read_table + responses_import, fresh 2022 consultation): "
        f"{first:.2f} s, {rows / first:,.0f} rows/s; the same file again: {again:.2f} s, "
        f"{figures['again_added']:.0f} added, {figures['again_already']:,.0f} already there"
    )


if __name__ == "__main__":
    main()
