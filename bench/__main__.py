"""`make bench`: how the pages hold up as data and users grow, relative to /healthz in the same run.

Builds four databases (1x and 10x the shipped plan, BENCH_PARTNERSHIPS partnerships, and one
for importing a survey export), measures each page in-process on each (queries, median ms),
then serves 1x and 10x with gunicorn and loads the pages of TABLE from CLIENTS keep-alive
clients for SECONDS each, RUNS times (the median kept, p95 over all requests); then has
officers save update drafts at once against the 10x database (bench/writes.py). Prints the
tables and writes everything as JSON to var/bench/bench-<commit>.json (BENCH_JSON=path), for
`python -m bench --compare A.json B.json`.

Everything runs on this machine, on loopback, with bounded request counts and durations.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .environment import ROOT, WORK, bench_env, database_create, database_drop, database_url, is_sqlite
from .writes import p95

CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", str(os.cpu_count() or 2)))
# England has about 300 community safety partnerships: the portal with them all.
PARTNERSHIPS = int(os.environ.get("BENCH_PARTNERSHIPS", "300"))
# The pages loaded under gunicorn at 1x and 10x, /healthz first: the yardstick.
TABLE = ("healthz", "trivial", "sign_in", "my_actions", "action", "dashboard", "exceptions", "consultation")

Result = dict[str, Any]


def _migrated() -> str:
    """A database migrated once, which each bench database starts as a copy of."""
    url = database_url("migrated")
    database_create(url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=bench_env(url), check=True
    )
    return url


def _run(module: str, tag: str, *args: str, template: str) -> tuple[Result, dict[str, str]]:
    """Run a bench module on its own fresh database `tag`; its last line of output is JSON."""
    url = database_url(tag)
    database_create(url, template)
    env = bench_env(url)
    start = time.perf_counter()
    result = _output([sys.executable, "-m", module, *args], env)
    result["wall_s"] = time.perf_counter() - start
    return result, env


def _output(command: list[str], env: dict[str, str]) -> Result:
    """The JSON a bench module prints last; what it said on stderr if it failed."""
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command[1:])} failed:\n{done.stderr[-3000:]}")
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serve(env: dict[str, str]) -> Iterator[int]:
    """gunicorn serving the portal with `env`'s database, WORKERS workers; yields its port."""
    port = _free_port()
    command = ["gunicorn", "csp_portal.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [sys.executable, "-m", *command, "--workers", str(WORKERS), "--log-level", "warning"], cwd=ROOT, env=env
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def _load(port: int, path: str, session: str | None) -> tuple[float, list[float]]:
    """Requests a second from CLIENTS keep-alive connections for SECONDS, and each one's ms."""
    done = [0] * CLIENTS
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    deadline = time.monotonic() + SECONDS

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": "127.0.0.1"}
        if session:
            headers["Cookie"] = f"sessionid={session}"
        while time.monotonic() < deadline:
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies[index].append((time.perf_counter() - start) * 1000)
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
    return sum(done) / (time.monotonic() - start), [ms for each in latencies for ms in each]


def _warm(port: int, path: str, session: str | None) -> None:
    """Ask for the page until every worker has answered it: gunicorn listens before its
    workers have loaded the portal, and a worker's first request of a page is slow."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": "127.0.0.1", **({"Cookie": f"sessionid={session}"} if session else {})}
    for _ in range(4 * WORKERS):
        conn.request("GET", path, headers=headers)
        conn.getresponse().read()
    conn.close()


def _throughput(result: Result, port: int) -> dict[str, dict[str, float]]:
    """Each page of TABLE loaded RUNS times: the median req/s, and the p95 over all its requests."""
    pages: dict[str, dict[str, Any]] = result["pages"]
    found = {}
    for name in TABLE:
        page = pages[name]
        session = str(result["session"]) if page["signed_in"] else None
        _warm(port, str(page["url"]), session)
        runs = [_load(port, str(page["url"]), session) for _ in range(RUNS)]
        found[name] = {
            "req_s": statistics.median(rate for rate, _ in runs),
            "p95_ms": p95([ms for _, latencies in runs for ms in latencies]),
        }
    return found


def _commit() -> str:
    sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    return (sha.strip() or "unknown") + ("-dirty" if dirty.stdout.strip() else "")


def run() -> Result:
    """Build, measure, load: the whole result."""
    WORK.mkdir(parents=True, exist_ok=True)
    migrated = _migrated()
    one, env_one = _run("bench.data", "1x", "1", template=migrated)
    ten, env_ten = _run("bench.data", "10x", "10", template=migrated)
    many, _ = _run("bench.data", f"{PARTNERSHIPS}p", "1", str(PARTNERSHIPS), template=migrated)
    imported, _ = _run("bench.imports", "import", template=migrated)
    with _serve(env_one) as port:
        one["load"] = _throughput(one, port)
    with _serve(env_ten) as port:
        ten["load"] = _throughput(ten, port)
        writes = _output(
            [sys.executable, "-m", "bench.writes", str(port), str(CLIENTS), str(SECONDS), str(WORKERS)], env_ten
        )
    for tag in ("migrated", "1x", "10x", f"{PARTNERSHIPS}p", "import"):
        if not is_sqlite(database_url(tag)):
            database_drop(database_url(tag))  # PostgreSQL's bench databases are not left about
    return {
        "commit": _commit(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "setup": {
            "cores": os.cpu_count(),
            "workers": WORKERS,
            "clients": CLIENTS,
            "seconds": SECONDS,
            "runs": RUNS,
            "database": database_url("1x").split(":")[0],
        },
        "1x": one,
        "10x": ten,
        "partnerships": many,
        "import": imported,
        "writes": writes,
    }


def report(result: Result) -> str:
    """The result as the tables people read."""
    setup = result["setup"]
    one, ten, many = result["1x"], result["10x"], result["partnerships"]
    lines = [
        f"CSP portal benchmark at {result['commit']}: {setup['cores']} cores, gunicorn {setup['workers']} workers, "
        f"{setup['clients']} keep-alive clients, {setup['seconds']:g} s a page, median of {setup['runs']}, "
        f"database {setup['database']}",
        f"data: 1x = {_data(one)}; 10x = {_data(ten)}",
        "",
        f"{'page':<14}{'req/s at 1x':>12}{'at 10x':>9}{'10x/1x':>8}{'share of /healthz':>19}{'p95 ms (10x)':>14}",
    ]
    healthz = ten["load"]["healthz"]["req_s"]
    for name in TABLE:
        a, b = one["load"][name], ten["load"][name]
        lines.append(
            f"{name:<14}{a['req_s']:>12.0f}{b['req_s']:>9.0f}{b['req_s'] / a['req_s']:>8.0%}"
            f"{b['req_s'] / healthz:>19.0%}{b['p95_ms']:>14.0f}"
        )
    lines += ["", "in-process, one request at a time (queries, median ms of 40):"]
    lines.append(
        f"{'page':<14}{'queries 1x':>11}{'10x':>6}{f'{PARTNERSHIPS}p':>7}{'ms 1x':>9}{'10x':>8}{f'{PARTNERSHIPS}p':>8}"
    )
    for name, page in one["pages"].items():
        at_ten, at_many = ten["pages"][name], many["pages"][name]
        lines.append(
            f"{name:<14}{page['queries']:>11}{at_ten['queries']:>6}{at_many['queries']:>7}"
            f"{page['median_ms']:>9.1f}{at_ten['median_ms']:>8.1f}{at_many['median_ms']:>8.1f}"
        )
    counts = many["counts"]
    lines += [
        f"{PARTNERSHIPS}p = {counts['partnerships']} partnerships, {counts['actions']:,} actions in all "
        f"(Bedford's pages); built in {many['build_s']:.0f} s",
        "",
        _compile_line(one, ten),
        _import_line(result["import"]),
        _writes_line(result["writes"]),
    ]
    return "\n".join(lines)


def _data(result: Result) -> str:
    counts = result["counts"]
    return (
        f"{counts['priorities']} priorities, {counts['actions']} actions, "
        f"{counts['responses']:,} consultation responses"
    )


def _compile_line(one: Result, ten: Result) -> str:
    small, large = one["compile_report_ms"], ten["compile_report_ms"]
    verdict = "within" if large <= 10 * small else "MORE THAN"
    return (
        f"compile report (median of 3): {small / 1000:.2f} s at 1x, {large / 1000:.2f} s at 10x: "
        f"{large / small:.1f} times, {verdict} the 10x allowed"
    )


def _import_line(figures: Result) -> str:
    rows, first, again = int(figures["rows"]), figures["first_s"], figures["again_s"]
    return (
        f"import {rows:,} responses (read_table + responses_import, fresh 2022 consultation): "
        f"{first:.2f} s, {rows / first:,.0f} rows/s; the same file again: {again:.2f} s, "
        f"{figures['again_added']:.0f} added, {figures['again_already']:,.0f} already there"
    )


def _writes_line(writes: Result) -> str:
    idle, load = writes["idle"], writes["load"]

    def ratio(run: Result) -> float:
        return float(run["p95_ms"]) / idle["p95_ms"] if idle["p95_ms"] else float("nan")

    errors = sum(writes[run]["errors"] for run in ("idle", "busy", "load") if run in writes)
    line = (
        f"deadline day, {load['clients']} officers saving drafts at once for {SECONDS:g} s: "
        f"{load['saves']} saves ({load['saves_per_s']:.0f}/s), p95 {load['p95_ms']:.0f} ms under load / "
        f"idle p95 {idle['p95_ms']:.0f} ms = {ratio(load):.1f}; errors {errors}"
        f"{' ' + str(load['error_kinds']) if load['errors'] else ''}; lost updates {writes['lost_updates']}"
    )
    if "busy" in writes:  # results written before the busy run was added have none
        busy = writes["busy"]
        line += (
            f"\n  as many officers as workers ({busy['clients']}, none queued): {busy['saves']} saves "
            f"({busy['saves_per_s']:.0f}/s), p95 {busy['p95_ms']:.0f} ms = {ratio(busy):.1f} times idle"
        )
    return line


def compare(a: Result, b: Result) -> str:
    """Two results side by side: each figure in A, in B, and B/A."""
    lines = [f"A = {a['commit']} ({a['when']}), B = {b['commit']} ({b['when']})"]
    lines.append(f"{'figure':<34}{'A':>10}{'B':>10}{'B/A':>8}")

    def row(label: str, x: float, y: float) -> None:
        lines.append(f"{label:<34}{x:>10.1f}{y:>10.1f}{(y / x if x else float('nan')):>8.2f}")

    for scale in ("1x", "10x"):
        for name, figures in a[scale]["load"].items():
            if name in b[scale]["load"]:
                row(f"{name} req/s at {scale}", figures["req_s"], b[scale]["load"][name]["req_s"])
                row(f"{name} p95 ms at {scale}", figures["p95_ms"], b[scale]["load"][name]["p95_ms"])
    for scale in ("1x", "10x", "partnerships"):
        for name, page in a[scale]["pages"].items():
            if name in b[scale]["pages"]:
                row(f"{name} queries ({scale})", page["queries"], b[scale]["pages"][name]["queries"])
                row(f"{name} median ms ({scale})", page["median_ms"], b[scale]["pages"][name]["median_ms"])
    row("compile report ms at 10x", a["10x"]["compile_report_ms"], b["10x"]["compile_report_ms"])
    row("import s", a["import"]["first_s"], b["import"]["first_s"])
    row("writes p95 ms under load", a["writes"]["load"]["p95_ms"], b["writes"]["load"]["p95_ms"])
    if "busy" in a["writes"] and "busy" in b["writes"]:
        row("writes p95 ms, busy", a["writes"]["busy"]["p95_ms"], b["writes"]["busy"]["p95_ms"])
    row("writes errors", a["writes"]["load"]["errors"], b["writes"]["load"]["errors"])
    row("lost updates", a["writes"]["lost_updates"], b["writes"]["lost_updates"])
    return "\n".join(lines)


def main() -> None:
    if sys.argv[1:2] == ["--compare"]:
        if len(sys.argv) != 4:
            raise SystemExit("python -m bench --compare A.json B.json")
        a, b = (json.loads(Path(p).read_text()) for p in sys.argv[2:4])
        print(compare(a, b))
        return
    result = run()
    path = Path(os.environ.get("BENCH_JSON") or WORK / f"bench-{result['commit']}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(report(result))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
