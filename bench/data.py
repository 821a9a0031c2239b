"""Build a benchmark database at a given scale and measure each page in-process.

Run as `python -m bench.data SCALE [PARTNERSHIPS] DB_PATH`; prints one JSON object. With
PARTNERSHIPS above 1 the portal also holds that many partnerships in all (Central
Bedfordshire's shipped plan, then copies of Bedford's under other names), each with its
own demo data, and the pages measured are still Bedford's. The caller sets the
environment (settings module, database) before this process starts Django.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import django

BEDFORD = "bedford-borough"


def main(scale: int, db_path: Path, partnerships: int = 1) -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import Agency, Role, User
    from priorities.models import Partnership, Priority, StrategicPlan
    from priorities.plan_file import parse_plan
    from priorities.scale import plan_scale_up
    from priorities.services import plan_import

    call_command("migrate", verbosity=0)
    root = Path(__file__).resolve().parent.parent
    plan_import(plan_file=parse_plan((root / "data/plans/bedford-borough-2020-2024.yaml").read_text()))
    _other_partnerships(root, partnerships - 1)
    plan = StrategicPlan.objects.filter(partnership__slug=BEDFORD).current()
    assert plan is not None
    if scale > 1:
        plan_scale_up(plan=plan, factor=scale)
    user = User.objects.create_user("bench@example.org", "bench-password-not-secret", full_name="Bench Officer")
    user.agency = Agency.objects.get(name="Bedfordshire Police")
    user.save()
    from priorities.models import Membership

    Membership.objects.create(partnership=plan.partnership, user=user, role=Role.OFFICER.value)

    # Illustrative actions under every theme (ten times the themes at 10x), with their
    # milestones, updates and indicator values, owned by the bench officer where police-led.
    from django.utils import timezone

    from actionplans.demo import demo_load
    from actionplans.models import Action, ReportingPeriod

    today = timezone.localdate()
    demo_load(today=today, scale=1)
    action = Action.objects.filter(owner=user).order_by("-plan__financial_year", "reference").first()
    periods = ReportingPeriod.objects.filter(partnership=plan.partnership)
    period = periods.current(today)
    assert action is not None
    assert period is not None

    # The 2022 consultation with its illustrative responses: 448 at 1x, 4,480 at 10x.
    from consultations.demo import SLUG
    from consultations.demo import demo_load as consultation_demo_load
    from consultations.models import Response

    consultation_demo_load(scale=scale)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    pages = {
        "home": reverse("priorities:home", args=[BEDFORD]),
        "priority": Priority.objects.get(plan=plan, number=1).get_absolute_url(),
        "glossary": reverse("priorities:glossary", args=[BEDFORD]),
        "accessibility": reverse("accessibility"),
        "my_actions": reverse("actionplans:my_actions"),
        "action": action.get_absolute_url(),
        "update_form": reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk]),
        "dashboard": reverse("reports:dashboard", args=[BEDFORD]),
        "consultation": reverse("consultations:consultation", args=[BEDFORD, SLUG]),
        "question_1": reverse("consultations:question", args=[BEDFORD, SLUG, 1]),
        "trivial": "/bench/trivial/",
    }
    results = {}
    for name, url in pages.items():
        for _ in range(5):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        queries = len(captured)  # now: later requests clear the log this reads from
        timings = []
        for _ in range(40):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        results[name] = {"url": url, "queries": queries, "median_ms": statistics.median(timings)}
    # Compiling the latest closed quarter's report, in this process (what the worker does).
    from reports.models import QuarterlyReport
    from reports.services import report_compile

    closed = periods.closed_by(today).first()
    assert closed is not None
    compile_ms = []
    for version in (1, 2, 3):
        report = QuarterlyReport.objects.create(period=closed, version=version)
        start = time.perf_counter()
        report_compile(report_id=report.pk)
        compile_ms.append((time.perf_counter() - start) * 1000)
    results["compile_report"] = {"url": "", "queries": 0, "median_ms": statistics.median(compile_ms)}

    counts = {
        "actions": Action.objects.count(),
        "priorities": Priority.objects.count(),
        "partnerships": Partnership.objects.count(),
        "responses": Response.objects.filter(consultation__slug=SLUG).count(),
    }
    print(
        json.dumps({"scale": scale, "pages": results, "counts": counts, "session": client.cookies["sessionid"].value})
    )


def _other_partnerships(root: Path, count: int) -> None:
    """`count` more partnerships: Central Bedfordshire's shipped plan first, then copies of
    Bedford's plan under other names (agencies shared, as in a county)."""
    from dataclasses import replace

    from priorities.plan_file import parse_plan
    from priorities.services import plan_import

    if count <= 0:
        return
    plan_import(plan_file=parse_plan((root / "data/plans/central-bedfordshire-2021-2024.yaml").read_text()))
    bedford = parse_plan((root / "data/plans/bedford-borough-2020-2024.yaml").read_text())
    for n in range(2, count + 1):
        plan_import(
            plan_file=replace(
                bedford,
                partnership_name=f"Bench Partnership {n} Community Safety Partnership",
                partnership_short_name=f"Bench {n} CSP",
                partnership_slug=f"bench-{n}",
            )
        )


if __name__ == "__main__":
    if len(sys.argv) == 4:
        main(int(sys.argv[1]), Path(sys.argv[3]), partnerships=int(sys.argv[2]))
    else:
        main(int(sys.argv[1]), Path(sys.argv[2]))
