"""Deadline day: officers saving their quarterly update drafts at once, against gunicorn.

Run as `python -m bench.writes PORT CLIENTS SECONDS WORKERS` while the portal serves the bench
database on PORT (make bench uses the 10x one, which has actions enough); prints one JSON
object. Each of CLIENTS officers has their own session and their own action in Bedford's
current plan, whose quarter's window is made to close today. Each reads the update form
(for its `version` and CSRF token), saves a draft with a new progress text, and reads the
form again, flat out for SECONDS; first one officer alone (idle), then as many officers as
gunicorn has WORKERS (busy: every process at work, nobody queued behind another), then all
CLIENTS at once (load: CLIENTS / WORKERS deep in gunicorn's queue, which is what a p95 under
load mostly measures when there are more officers than processes).
Afterwards every officer's last saved text must be the one in the database: one that is
not is a lost update.
"""

from __future__ import annotations

import http.client
import json
import re
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import django

EDITABLE = ("draft", "returned")  # the update states an officer may still save
HIDDEN = re.compile(r"<input\b[^>]*\btype=\"hidden\"[^>]*>")
ATTRIBUTE = re.compile(r"\b(name|value)=\"([^\"]*)\"")


@dataclass
class Writer:
    """One officer: the form they post to, their cookies, what they last saved."""

    index: int
    url: str
    action_pk: int
    period_pk: int
    cookies: dict[str, str]
    last_saved: str = ""
    saves: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


def hidden_fields(html: str) -> dict[str, str]:
    """The form's hidden inputs (the CSRF token, the versions read), to post back as they are."""
    found = {}
    for tag in HIDDEN.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            found[attributes["name"]] = attributes.get("value", "").replace("&quot;", '"').replace("&amp;", "&")
    return found


def _request(conn: http.client.HTTPConnection, writer: Writer, method: str, body: str | None = None) -> tuple[int, str]:
    headers = {"Host": "127.0.0.1", "Cookie": "; ".join(f"{k}={v}" for k, v in writer.cookies.items())}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, writer.url, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode("utf-8", "replace")
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            writer.cookies[name] = morsel.value
    return response.status, text


def write_for(port: int, writer: Writer, seconds: float) -> None:
    """Read the form, save a draft, again, until `seconds` have passed."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, html = _request(conn, writer, "GET")
        if status != 200:
            writer.errors[f"form {status}"] += 1
            continue
        text = f"Deadline-day draft {writer.index}.{writer.saves + 1}: the work of the quarter."
        fields = {**hidden_fields(html), "rag": "amber", "progress": text, "issues_and_risks": "None this quarter."}
        start = time.perf_counter()
        status, _ = _request(conn, writer, "POST", urlencode(fields))
        writer.latencies.append((time.perf_counter() - start) * 1000)
        if status == 302:  # saved, and sent back to the form
            writer.saves += 1
            writer.last_saved = text
        else:
            writer.errors[f"save {status}"] += 1
    conn.close()


def p95(latencies: list[float]) -> float:
    if len(latencies) < 2:
        return latencies[0] if latencies else 0.0
    return statistics.quantiles(latencies, n=20, method="inclusive")[-1]


def writers(count: int) -> list[Writer]:
    """`count` officers, each owning an action of Bedford's current plan whose update for the
    current quarter is not begun or still editable, the quarter's window made to close today."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Role, User
    from actionplans.models import Action, ActionUpdate, ReportingPeriod
    from priorities.models import Membership, Partnership

    from .data import BEDFORD

    today = timezone.localdate()
    bedford = Partnership.objects.get(slug=BEDFORD)
    period = ReportingPeriod.objects.filter(partnership=bedford).current(today)
    assert period is not None
    ReportingPeriod.objects.filter(pk=period.pk).update(
        window_opens=min(period.window_opens, today), window_closes=today
    )
    done = ActionUpdate.objects.filter(period=period).exclude(status__in=EDITABLE).values("action")
    actions = list(
        Action.objects.filter(plan__partnership=bedford, plan__financial_year=period.financial_year)
        .exclude(pk__in=done)
        .order_by("pk")[:count]
    )
    if len(actions) < count:
        raise SystemExit(f"Only {len(actions)} actions can take an update for {count} writers: lower BENCH_CLIENTS")
    found = []
    for index, action in enumerate(actions):
        user = User.objects.create_user(f"writer-{index}@example.org", None, full_name=f"Writer {index}")
        Membership.objects.create(partnership=bedford, user=user, role=Role.OFFICER.value)
        Action.objects.filter(pk=action.pk).update(owner=user)
        client = Client()
        client.force_login(user)
        url = reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk])
        found.append(Writer(index, url, action.pk, period.pk, {"sessionid": client.cookies["sessionid"].value}))
    return found


def lost_updates(done: list[Writer]) -> int:
    """Officers whose last saved text is not what the database holds for their update."""
    from actionplans.models import ActionUpdate

    lost = 0
    for writer in done:
        if writer.last_saved:
            saved = ActionUpdate.objects.filter(action_id=writer.action_pk, period_id=writer.period_pk)
            lost += list(saved.values_list("progress", flat=True)) != [writer.last_saved]
    return lost


def run(port: int, group: list[Writer], seconds: float) -> dict[str, object]:
    threads = [threading.Thread(target=write_for, args=(port, writer, seconds)) for writer in group]
    saved_before = sum(writer.saves for writer in group)
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    latencies = [ms for writer in group for ms in writer.latencies]
    errors = sum((writer.errors for writer in group), Counter())
    saves = sum(writer.saves for writer in group) - saved_before
    return {
        "clients": len(group),
        "saves": saves,
        "saves_per_s": saves / elapsed,
        "p95_ms": p95(latencies),
        "median_ms": statistics.median(latencies) if latencies else 0.0,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
    }


def main(port: int, clients: int, seconds: float, workers: int) -> None:
    django.setup()
    group = writers(clients + 1)
    run(port, group, 1.0)  # warm-up: each gunicorn worker's first form and save are slow
    for writer in group:
        writer.latencies.clear()
        writer.errors.clear()
    idle = run(port, group[:1], seconds)  # the extra officer, alone, one request at a time
    busy = run(port, group[1 : 1 + min(workers, clients)], seconds)
    load = run(port, group[1:], seconds)
    print(json.dumps({"idle": idle, "busy": busy, "load": load, "lost_updates": lost_updates(group)}))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))
