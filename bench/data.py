"""Build a benchmark database at a given scale and measure each page in-process.

Run as `python -m bench.data SCALE [PARTNERSHIPS]`; prints one JSON object. With
PARTNERSHIPS above 1 the portal holds that many partnerships in all (copies of Bedford's,
demo data included, under other names), and the pages measured are still Bedford's. The caller sets the
environment (settings module, database) before this process starts Django.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

import django
from django.utils import timezone

from .environment import ROOT

if TYPE_CHECKING:
    from django.db.models import Field, Model
    from django.test import Client

BEDFORD = "bedford-borough"
USER = "bench@example.org"
# Measured as someone not signed in: signed in, the sign-in page sends you on.
SIGNED_OUT = frozenset({"healthz", "sign_in"})


def build(scale: int, partnerships: int = 1) -> None:
    """Fill the (migrated, empty) database: Bedford's plan at `scale`, the other partnerships,
    the bench officer, the demo data and the 2022 consultation's responses at `scale`."""
    from accounts.models import Agency, Role, User
    from actionplans.demo import demo_load
    from consultations.demo import demo_load as consultation_demo_load
    from priorities.models import Membership, StrategicPlan
    from priorities.plan_file import parse_plan
    from priorities.scale import plan_scale_up
    from priorities.services import plan_import

    plan_import(plan_file=parse_plan((ROOT / "data/plans/bedford-borough-2020-2024.yaml").read_text()))
    plan = StrategicPlan.objects.filter(partnership__slug=BEDFORD).current()
    assert plan is not None
    if scale > 1:
        plan_scale_up(plan=plan, factor=scale)
    user = User.objects.create_user(USER, "bench-password-not-secret", full_name="Bench Officer")
    user.agency = Agency.objects.get(name="Bedfordshire Police")
    user.save()
    Membership.objects.create(partnership=plan.partnership, user=user, role=Role.OFFICER.value)
    # Illustrative actions under every theme (ten times the themes at 10x), with their
    # milestones, updates and indicator values, owned by the bench officer where police-led.
    demo_load(today=timezone.localdate(), scale=1)
    _other_partnerships(partnerships - 1)
    # The 2022 consultation with its illustrative responses: 448 at 1x, 4,480 at 10x.
    consultation_demo_load(scale=scale)


def pages() -> dict[str, str]:
    """The pages measured, by name: Bedford's, as the bench officer sees them (the two in
    SIGNED_OUT as someone signed out)."""
    from django.urls import reverse

    from actionplans.models import Action, ReportingPeriod
    from consultations.demo import SLUG
    from priorities.models import Priority, StrategicPlan

    today = timezone.localdate()
    plan = StrategicPlan.objects.filter(partnership__slug=BEDFORD).current()
    assert plan is not None
    action = Action.objects.filter(owner__email=USER).order_by("-plan__financial_year", "reference").first()
    period = ReportingPeriod.objects.filter(partnership=plan.partnership).current(today)
    assert action is not None
    assert period is not None
    return {
        "healthz": reverse("healthz"),
        "trivial": "/bench/trivial/",
        "sign_in": reverse("accounts:login"),
        "home": reverse("priorities:home", args=[BEDFORD]),
        "priority": Priority.objects.get(plan=plan, number=1).get_absolute_url(),
        "glossary": reverse("priorities:glossary", args=[BEDFORD]),
        "accessibility": reverse("accessibility"),
        "my_actions": reverse("actionplans:my_actions"),
        "action": action.get_absolute_url(),
        "update_form": reverse("actionplans:update", args=[BEDFORD, action.pk, period.pk]),
        "dashboard": reverse("reports:dashboard", args=[BEDFORD]),
        "exceptions": reverse("reports:exceptions", args=[BEDFORD]),
        "consultation": reverse("consultations:consultation", args=[BEDFORD, SLUG]),
        "question_1": reverse("consultations:question", args=[BEDFORD, SLUG, 1]),
    }


def client_for(*, signed_in: bool) -> Client:
    """A test client signed in as the bench officer, or not signed in."""
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    if signed_in:
        client.force_login(User.objects.get(email=USER))
    return client


def main(scale: int, partnerships: int = 1) -> None:
    """Build the database, then measure each page in-process: queries, median ms of 40."""
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from actionplans.models import Action, ReportingPeriod
    from consultations.demo import SLUG
    from consultations.models import Response
    from priorities.models import Partnership, Priority

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    build(scale, partnerships)
    build_s = time.perf_counter() - start
    results = {}
    clients = {signed_in: client_for(signed_in=signed_in) for signed_in in (True, False)}
    for name, url in pages().items():
        client = clients[name not in SIGNED_OUT]
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
        results[name] = {
            "url": url,
            "queries": queries,
            "median_ms": statistics.median(timings),
            "signed_in": name not in SIGNED_OUT,
        }
    # Compiling the latest closed quarter's report, in this process (what the worker does).
    from reports.models import QuarterlyReport
    from reports.services import report_compile

    today = timezone.localdate()
    closed = ReportingPeriod.objects.filter(partnership__slug=BEDFORD).closed_by(today).first()
    assert closed is not None
    compile_ms = []
    for version in (1, 2, 3):
        report = QuarterlyReport.objects.create(period=closed, version=version)
        start = time.perf_counter()
        report_compile(report_id=report.pk)
        compile_ms.append((time.perf_counter() - start) * 1000)

    counts = {
        "actions": Action.objects.count(),
        "priorities": Priority.objects.count(),
        "partnerships": Partnership.objects.count(),
        "responses": Response.objects.filter(consultation__slug=SLUG).count(),
    }
    print(
        json.dumps(
            {
                "scale": scale,
                "build_s": build_s,
                "pages": results,
                "compile_report_ms": statistics.median(compile_ms),
                "counts": counts,
                "session": clients[True].cookies["sessionid"].value,
            }
        )
    )


# What a partnership's copy is made of, in the order its rows can be created (a row's
# foreign keys point at rows already copied), each with its path to the partnership.
COPIED = (
    ("priorities.Partnership", "pk"),
    ("priorities.StrategicAssessment", "partnership"),
    ("priorities.StrategicPlan", "partnership"),
    ("priorities.Priority", "plan__partnership"),
    ("priorities.Theme", "priority__plan__partnership"),
    ("priorities.KeyIssue", "priority__plan__partnership"),
    ("priorities.PartnershipAim", "priority__plan__partnership"),
    ("priorities.ExpectedOutcome", "priority__plan__partnership"),
    ("priorities.GlossaryTerm", "partnership"),
    ("actionplans.ReportingPeriod", "partnership"),
    ("actionplans.ActionPlan", "partnership"),
    ("actionplans.Indicator", "priority__plan__partnership"),
    ("actionplans.Action", "plan__partnership"),
    ("actionplans.Milestone", "action__plan__partnership"),
    ("actionplans.ActionUpdate", "action__plan__partnership"),
    ("actionplans.IndicatorValue", "indicator__priority__plan__partnership"),
)
# People are not copied: the copies' actions have no owner and their priorities no lead, so
# that the bench officer's own pages (my actions) stay Bedford's.
UNSET = {("actionplans.Action", "owner"), ("priorities.Priority", "lead")}


def _other_partnerships(count: int) -> None:
    """`count` more partnerships, each a copy of Bedford's plan, periods, actions and their
    updates under another name, written with bulk_create: importing the plan and making the
    demo data for each, row by row, would take most of an hour for 300 (agencies shared, as
    in a county). History records are not copied."""
    from django.apps import apps
    from django.db import transaction

    from priorities.models import Partnership

    if count <= 0:
        return
    source = Partnership.objects.get(slug=BEDFORD)
    rows = {}
    for label, lookup in COPIED:
        model = apps.get_model(label)
        rows[model] = list(model._default_manager.filter(**{lookup: source.pk}).order_by("pk"))
    with transaction.atomic():
        for n in range(2, count + 2):
            _copy(rows, n)


def _copy(rows: dict[Any, list[Any]], n: int) -> None:
    """One copy of the rows, partnership number `n`, its foreign keys pointing at its own rows."""
    new_pk: dict[type[Model], dict[object, object]] = {}
    for model, originals in rows.items():
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        new_pk[model] = {}
        waiting = list(originals)
        while waiting:  # rounds, for a row that points at another of its kind (a sub-point's key issue)
            ready = [r for r in waiting if all(_ready(r, f, model, new_pk) for f in fields)]
            copies = [model(**{f.attname: _value(r, f, model, new_pk) for f in fields}) for r in ready]
            if model._meta.label == "priorities.Partnership":
                for copy in copies:
                    copy.name = f"Bench Partnership {n} Community Safety Partnership"
                    copy.short_name = f"Bench {n} CSP"
                    copy.slug = f"bench-{n}"
            for original, copy in zip(ready, model._default_manager.bulk_create(copies), strict=True):
                new_pk[model][original.pk] = copy.pk
            waiting = [r for r in waiting if r.pk not in new_pk[model]]
        for field in model._meta.many_to_many:
            through: Any = field.remote_field.through
            source_column = field.m2m_field_name() + "_id"
            target_column = field.m2m_reverse_field_name() + "_id"
            targets = new_pk.get(field.related_model)
            links = through.objects.filter(**{f"{source_column}__in": list(new_pk[model])})
            through.objects.bulk_create(
                through(
                    **{
                        source_column: new_pk[model][getattr(link, source_column)],
                        target_column: targets[getattr(link, target_column)]
                        if targets is not None
                        else getattr(link, target_column),
                    }
                )
                for link in links
            )


def _ready(row: Model, field: Field, model: type[Model], new_pk: dict[type[Model], dict[object, object]]) -> bool:
    old = getattr(row, field.attname)
    return not (field.is_relation and field.related_model is model and old is not None and old not in new_pk[model])


def _value(row: Model, field: Field, model: type[Model], new_pk: dict[type[Model], dict[object, object]]) -> object:
    old = getattr(row, field.attname)
    if (model._meta.label, field.name) in UNSET:
        return None
    if field.is_relation and old is not None and field.related_model in new_pk:
        return new_pk[field.related_model][old]
    return old


if __name__ == "__main__":
    main(int(sys.argv[1]), partnerships=int(sys.argv[2]) if len(sys.argv) > 2 else 1)
