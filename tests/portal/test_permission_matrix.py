"""Every URL pattern, tried signed out, as an officer, as a board member and as an admin of
Bedford Borough, and as an officer and an admin of the other partnership (Central
Bedfordshire), who must learn nothing of Bedford's: every Bedford page is 404 to them,
GET and POST, and nothing changes.

A new pattern without an expectation here fails `test_every_url_pattern_has_an_expectation`,
so no page can ship without someone deciding who may see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from actionplans.models import Action, ActionPlan, ActionUpdate, Milestone, ReportingPeriod
from core import periods
from priorities.models import Priority
from reports.files import report_dir
from reports.models import QuarterlyReport
from tests.helpers import BEDFORD, CENTRAL, bedford, client_for

pytestmark = pytest.mark.django_db

ROLES = ("signed_out", "officer", "board_member", "admin")
OUTSIDERS = ("outsider_officer", "outsider_admin")

# Pages of no one partnership: everything else outside the admin is under /<partnership>/.
PORTAL_WIDE_APPS = {"priorities", "actionplans", "reports", "consultations"}
PORTAL_WIDE = {
    "priorities:partnerships",
    "actionplans:my_actions",
    "actionplans:whats_due",
    "actionplans:calendar_feed",
}


def is_partnership_page(name: str) -> bool:
    return name.split(":")[0] in PORTAL_WIDE_APPS and name not in PORTAL_WIDE


def _iter_patterns(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _iter_patterns(entry, inner)
        elif entry.name:
            yield f"{namespace}{entry.name}", entry


def all_url_names() -> set[str]:
    return {name for name, _ in _iter_patterns(get_resolver())}


# What each viewer gets. "login" means a redirect to the sign-in page.
SIGN_IN = "login"


@dataclass(frozen=True)
class Expect:
    signed_out: int | str
    officer: int | str
    board_member: int | str
    admin: int | str
    kwargs: Callable[[], dict[str, Any]] | None = None
    method: str = "get"


READER = Expect(SIGN_IN, 200, 200, 200)
PUBLIC = Expect(200, 200, 200, 200)


def _priority() -> dict[str, Any]:
    return {"pk": Priority.objects.get(number=1).pk}


def _police_action() -> Action:
    """A police-led action owned by the standing officer, with a submitted update in an open window."""
    action = Action.objects.filter(reference="M.1").first()
    if action is not None:
        return action
    today = timezone.localdate()
    fy, quarter = periods.quarter_of(today)
    period = ReportingPeriod.objects.create(
        partnership=bedford(),
        financial_year=fy,
        quarter=quarter,
        window_opens=today - dt.timedelta(days=3),
        window_closes=today + dt.timedelta(days=3),
    )
    plan = ActionPlan.objects.create(
        partnership=Priority.objects.get(number=1).plan.partnership,
        priority=Priority.objects.get(number=1),
        financial_year=fy,
    )
    officer = User.objects.get(full_name="Priya Shah")
    action = Action.objects.create(
        plan=plan,
        reference="M.1",
        title="Matrix action",
        theme=plan.priority.themes.first(),
        lead_agency=officer.agency,
        owner=officer,
        start_date=periods.quarter_start(fy, 1),
        due_date=periods.quarter_end(fy, 4),
    )
    Milestone.objects.create(action=action, title="First", due_date=today)
    ActionUpdate.objects.create(action=action, period=period, rag="green", progress="p", status="submitted")
    return action


def _action() -> dict[str, Any]:
    return {"pk": _police_action().pk}


def _plan() -> dict[str, Any]:
    return {"pk": _police_action().plan_id}


def _plan_create() -> dict[str, Any]:
    return {"plan_pk": _police_action().plan_id}


def _milestone() -> dict[str, Any]:
    return {"pk": _police_action().milestones.get().pk}


def _update() -> dict[str, Any]:
    action = _police_action()
    return {"pk": action.pk, "period_pk": action.updates.get().period_id}


def _review() -> dict[str, Any]:
    return {"pk": _police_action().updates.get().pk}


def _feed() -> dict[str, Any]:
    from actionplans.calendar import feed_token

    return {"token": feed_token(User.objects.get(full_name="Priya Shah"))}


# Each file a report offers for download, as the published report below holds it.
REPORT_FILES = {"pdf": b"%PDF-1.7 matrix", "xlsx": b"PK matrix", "html": b"<!DOCTYPE html>", "docx": b"PK matrix"}


def _published_report() -> QuarterlyReport:
    report = QuarterlyReport.objects.filter(version=1).first()
    if report is None:
        period = _police_action().updates.get().period
        report = QuarterlyReport.objects.create(
            period=period,
            version=1,
            status="ready",
            snapshot=None,
            published_at=timezone.now(),
            **{f"{fmt}_file": f"r.{fmt}" for fmt in REPORT_FILES},
        )
        report_dir(report.pk).mkdir(parents=True, exist_ok=True)
        for fmt, content in REPORT_FILES.items():
            (report_dir(report.pk) / f"r.{fmt}").write_bytes(content)
    return report


def _report() -> dict[str, Any]:
    return {"pk": _published_report().pk}


def _unpublished_report() -> dict[str, Any]:
    """A ready version not yet published: what the publish page asks about."""
    report = _published_report()
    draft, _ = QuarterlyReport.objects.get_or_create(
        period=report.period, version=2, defaults={"status": "ready", "pdf_file": "r.pdf"}
    )
    return {"pk": draft.pk}


def _download() -> dict[str, Any]:
    return {"pk": _published_report().pk, "fmt": "pdf"}


def _paper_period() -> dict[str, Any]:
    return {"period": _police_action().updates.get().period_id}


def _dashboard_priority() -> dict[str, Any]:
    return {"pk": _police_action().plan.priority_id}


def _indicator() -> dict[str, Any]:
    action = _police_action()
    indicator = action.plan.priority.indicators.first() or action.plan.priority.indicators.create(
        title="Matrix indicator", unit="offences", higher_is_better=False
    )
    return {"pk": indicator.pk}


def _chart() -> dict[str, Any]:
    from core.charts import trend_chart

    return {"key": trend_chart(title="Matrix", unit="x", series=[["2023-24 Q1", 1]], target=None).key}


def _export() -> dict[str, Any]:
    return {"pk": _police_action().plan_id, "fmt": "csv"}


def _survey() -> Any:
    """The shipped 2022 consultation, with an upload, a saved mapping and an indicator feed."""
    from consultations.models import ColumnMapping, Consultation, IndicatorFeed, ResponseImport
    from consultations.seed import consultations_load
    from tests.helpers import CONSULTATIONS_FILE

    survey = Consultation.objects.filter(slug="csp-consultation-2022").first()
    if survey is not None:
        return survey
    consultations_load(CONSULTATIONS_FILE)
    survey = Consultation.objects.get(slug="csp-consultation-2022")
    ResponseImport.objects.create(
        consultation=survey, tool="Matrix", file_name="m.csv", content=b"id,q1\r\n1,Very confident\r\n", sha256="0"
    )
    ColumnMapping.objects.create(consultation=survey, tool="Matrix", columns={"id": "response_id", "q1": "question 1"})
    action = _police_action()
    indicator = action.plan.priority.indicators.create(title="Matrix confidence", unit="%", higher_is_better=True)
    IndicatorFeed.objects.create(
        question=survey.questions.get(number=1),
        indicator=indicator,
        period=action.updates.get().period,
        value=34,
        respondents=448,
    )
    return survey


def _consultation() -> dict[str, Any]:
    return {"slug": _survey().slug}


def _question() -> dict[str, Any]:
    return {"slug": _survey().slug, "number": 1}


def _free_text_question() -> dict[str, Any]:
    return {"slug": _survey().slug, "number": 2}


def _results_export() -> dict[str, Any]:
    return {"slug": _survey().slug, "fmt": "xlsx"}


def _upload() -> dict[str, Any]:
    survey = _survey()
    return {"slug": survey.slug, "pk": survey.imports.get().pk}


def _draft_revision() -> Any:
    """A draft revision of the shipped plan, opened by the standing admin."""
    from priorities.models import PlanRevision, StrategicPlan
    from priorities.services import revision_open

    draft = PlanRevision.objects.filter(status="draft").first()
    if draft is not None:
        return draft
    plan = StrategicPlan.objects.filter(partnership=bedford()).current()
    assert plan is not None
    return revision_open(plan=plan, user=User.objects.get(full_name="Aisha Khan"), year=2023, title="Matrix 2023")


def _revision() -> dict[str, Any]:
    return {"pk": _draft_revision().pk}


def _revision_priority() -> dict[str, Any]:
    return {"pk": _draft_revision().pk, "key": "high-harm"}


EXPECTATIONS: dict[str, Expect] = {
    # One partnership each: straight to it.
    "priorities:partnerships": Expect(SIGN_IN, 302, 302, 302),
    "priorities:home": READER,
    "priorities:priority": Expect(SIGN_IN, 200, 200, 200, kwargs=_priority),
    "priorities:glossary": READER,
    # A partnership's people: its CSP admins alone.
    "priorities:people": Expect(SIGN_IN, 403, 403, 200),
    "priorities:people_invite": Expect(SIGN_IN, 403, 403, 200),
    "priorities:people_bulk": Expect(SIGN_IN, 403, 403, 200),
    "priorities:people_remove": Expect(
        SIGN_IN, 403, 403, 200, kwargs=lambda: {"pk": User.objects.get(full_name="Priya Shah").pk}
    ),
    # The plan's revision history is read by everyone; a draft, and revising, by admins only.
    "priorities:revisions": READER,
    "priorities:revision_new": Expect(SIGN_IN, 403, 403, 200),
    "priorities:revision": Expect(SIGN_IN, 403, 403, 200, kwargs=_revision),
    "priorities:revision_priority": Expect(SIGN_IN, 403, 403, 200, kwargs=_revision_priority),
    "actionplans:revision_decisions": Expect(SIGN_IN, 403, 403, 200, kwargs=_revision),
    "actionplans:revision_publish": Expect(SIGN_IN, 403, 403, 200, kwargs=_revision),
    "accounts:login": Expect(200, 302, 302, 302),
    # Signing out is POST only, and open to the signed-out (their session may just have ended).
    "accounts:logout": Expect(405, 405, 405, 405),
    # Asking for the password again before a sensitive action: anyone signed in.
    "accounts:confirm_password": READER,
    # Forgotten and changed passwords (Django's views): the reset pages work signed out; this
    # reset link is no real token, so the page says it no longer works.
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_sent": PUBLIC,
    "accounts:password_reset_confirm": Expect(
        200, 200, 200, 200, kwargs=lambda: {"uidb64": "MQ", "token": "bad-token"}
    ),
    "accounts:password_change": READER,
    # Your account, and two-factor sign-in: each person's own (no one reaches another's). The
    # admin is required to use it, and client_for has given their code; the officer and the
    # board member have not turned it on. With it on, as an officer: tests/accounts/test_two_factor.py.
    "accounts:account": READER,
    # The code page sends on anyone with nothing to enter: no app, or the code already given.
    "accounts:two_factor": Expect(SIGN_IN, 302, 302, 302),
    # Anyone may set up an app; an admin who has one sets up a new one (a new phone).
    "accounts:two_factor_set_up": READER,
    # Recovery codes need an app first (sent to set one up).
    "accounts:recovery_codes": Expect(SIGN_IN, 302, 302, 200),
    # Nothing to turn off without an app; an admin may not turn it off.
    "accounts:two_factor_turn_off": Expect(SIGN_IN, 302, 302, 403),
    # An invitation's link works signed out; this one is no real token, so it says so.
    "accounts:set_password": Expect(404, 404, 404, 404, kwargs=lambda: {"uidb64": "MQ", "token": "bad-token"}),
    "accessibility": PUBLIC,
    "healthz": PUBLIC,
    # Public, like /healthz; no worker runs during this test, so it says so.
    "healthz_worker": Expect(503, 503, 503, 503),
    # "Stay signed in" on the timeout warning: 401 once the session has ended, never a redirect.
    "session_extend": Expect(401, 200, 200, 200, method="post"),
    # Action plans: everyone signed in reads; the police officer owns the matrix action.
    "actionplans:my_actions": READER,
    "actionplans:whats_due": READER,
    # A calendar app cannot sign in: the signed address is the proof (a bad one is 404, tests/actionplans).
    "actionplans:calendar_feed": Expect(200, 200, 200, 200, kwargs=_feed),
    "actionplans:plans": READER,
    "actionplans:plan": Expect(SIGN_IN, 200, 200, 200, kwargs=_plan),
    "actionplans:action": Expect(SIGN_IN, 200, 200, 200, kwargs=_action),
    "actionplans:action_history": Expect(SIGN_IN, 200, 200, 200, kwargs=_action),
    "actionplans:export": Expect(SIGN_IN, 200, 200, 200, kwargs=_export),
    "actionplans:action_create": Expect(SIGN_IN, 200, 403, 200, kwargs=_plan_create),
    "actionplans:action_edit": Expect(SIGN_IN, 200, 403, 200, kwargs=_action),
    "actionplans:milestone_create": Expect(SIGN_IN, 200, 403, 200, kwargs=_action),
    "actionplans:milestone_edit": Expect(SIGN_IN, 200, 403, 200, kwargs=_milestone),
    # The update is submitted, so its page shows it read-only (200) to those who may edit.
    "actionplans:update": Expect(SIGN_IN, 200, 403, 200, kwargs=_update),
    "actionplans:update_reopen": Expect(SIGN_IN, 403, 403, 200, kwargs=_update),
    "actionplans:import": Expect(SIGN_IN, 403, 403, 200, kwargs=_plan),
    "actionplans:carry_forward": Expect(SIGN_IN, 403, 403, 200, kwargs=lambda: (_police_action(), {})[1]),
    "actionplans:reviews": Expect(SIGN_IN, 403, 403, 200),
    # An officer who leads no priority is an outsider to reviews (404); a board member is read-only (403).
    "actionplans:update_review": Expect(SIGN_IN, 404, 403, 200, kwargs=_review),
    # Dashboards: everyone signed in. Reports and their files: board members and admins.
    "reports:dashboard": Expect(SIGN_IN, 200, 200, 200, kwargs=lambda: (_police_action(), {})[1]),
    "reports:priority": Expect(SIGN_IN, 200, 200, 200, kwargs=_dashboard_priority),
    "reports:exceptions": Expect(SIGN_IN, 200, 200, 200, kwargs=lambda: (_police_action(), {})[1]),
    "reports:indicator": Expect(SIGN_IN, 200, 200, 200, kwargs=_indicator),
    "chart": Expect(SIGN_IN, 200, 200, 200, kwargs=_chart),
    # Consultations: everyone signed in reads results; only admins import, code free text and feed indicators.
    "consultations:list": Expect(SIGN_IN, 200, 200, 200, kwargs=lambda: (_survey(), {})[1]),
    "consultations:consultation": Expect(SIGN_IN, 200, 200, 200, kwargs=_consultation),
    "consultations:question": Expect(SIGN_IN, 200, 200, 200, kwargs=_question),
    "consultations:export": Expect(SIGN_IN, 200, 200, 200, kwargs=_results_export),
    "consultations:coding": Expect(SIGN_IN, 403, 403, 200, kwargs=_free_text_question),
    "consultations:import": Expect(SIGN_IN, 403, 403, 200, kwargs=_consultation),
    "consultations:import_map": Expect(SIGN_IN, 403, 403, 200, kwargs=_upload),
    "consultations:feed": Expect(SIGN_IN, 403, 403, 200, kwargs=_consultation),
    "reports:archive": Expect(SIGN_IN, 403, 200, 200),
    "reports:report": Expect(SIGN_IN, 403, 200, 200, kwargs=_report),
    # The PDF; the spreadsheet, web page and Word document: test_each_report_file_downloads_as_the_pdf_does.
    "reports:download": Expect(SIGN_IN, 403, 200, 200, kwargs=_download),
    # The status the report page polls while it compiles: whoever reads the report.
    "reports:status": Expect(SIGN_IN, 403, 200, 200, kwargs=_report),
    # POST only: a GET is refused; the writes are tried in tests/reports.
    "reports:compile": Expect(SIGN_IN, 405, 405, 405),
    # GET asks (naming who will be emailed) and changes nothing; the POST is tried in tests/reports.
    "reports:publish": Expect(SIGN_IN, 403, 403, 200, kwargs=_unpublished_report),
    # The board paper's words: the team writes them (a priority lead, their own commentary,
    # is tried in tests/reports/test_board_paper.py); officers and board members do not.
    "reports:paper": Expect(SIGN_IN, 403, 403, 200, kwargs=_paper_period),
    "reports:paper_meeting": Expect(SIGN_IN, 403, 403, 200, kwargs=_paper_period),
    "reports:paper_part": Expect(SIGN_IN, 403, 403, 200, kwargs=lambda: {**_paper_period(), "part": "summary"}),
    "reports:paper_commentary": Expect(
        SIGN_IN, 403, 403, 200, kwargs=lambda: {**_paper_period(), "priority": _dashboard_priority()["pk"]}
    ),
}

# The admin is for CSP admins alone: signed out, you are sent to sign in; signed in
# without the role, you are refused, whatever the page.
ADMIN_EXPECTATION = Expect(SIGN_IN, 403, 403, 200)
ADMIN_OVERRIDES: dict[str, Expect] = {
    # An admin who is already signed in is sent on to the admin index.
    "admin:login": Expect(SIGN_IN, 403, 403, 302),
    # Signing out is POST only.
    "admin:logout": Expect(SIGN_IN, 403, 403, 405),
    # Redirects to the object's page in the portal.
    "admin:view_on_site": Expect(SIGN_IN, 403, 403, 302),
    # Needs query parameters naming a field; without them it refuses.
    "admin:autocomplete": Expect(SIGN_IN, 403, 403, 403),
    # Lockout records are made by sign-in attempts, never by hand.
    "admin:axes_accessattempt_add": Expect(SIGN_IN, 403, 403, 403),
    "admin:axes_accesslog_add": Expect(SIGN_IN, 403, 403, 403),
    "admin:axes_accessfailurelog_add": Expect(SIGN_IN, 403, 403, 403),
    # A new partnership is the portal operator's (a superuser's), not a CSP admin's.
    "admin:priorities_partnership_add": Expect(SIGN_IN, 403, 403, 403),
    # Uploads are made by the import page, never by hand.
    "admin:consultations_responseimport_add": Expect(SIGN_IN, 403, 403, 403),
}


def expectation_for(name: str) -> Expect | None:
    if name in EXPECTATIONS:
        return EXPECTATIONS[name]
    if name.startswith("admin:"):
        if name.endswith("_delete") and _deletes_nothing_with_history(name):
            # Records with history are retired or deactivated, never deleted (RecordAdmin).
            return Expect(SIGN_IN, 403, 403, 403)
        return ADMIN_OVERRIDES.get(name, ADMIN_EXPECTATION)
    return None


def _deletes_nothing_with_history(name: str) -> bool:
    """Whether the admin URL is the delete page of a model with history."""
    return any(
        name == f"admin:{model._meta.app_label}_{model._meta.model_name}_delete" and hasattr(model, "history")
        for model in apps.get_models()
    )


def _admin_arguments(name: str, pattern: URLPattern) -> tuple[list[Any], dict[str, Any]]:
    """Fill an admin URL's arguments with a real object of the model the URL is for."""
    wanted = set(pattern.pattern.regex.groupindex)
    kwargs: dict[str, Any] = {}
    model = None
    for candidate in apps.get_models():
        prefix = f"admin:{candidate._meta.app_label}_{candidate._meta.model_name}_"
        if name.startswith(prefix):
            model = candidate
    if name == "admin:auth_user_password_change":
        # Django's UserAdmin names this URL after auth.User whatever the user model.
        model = apps.get_model("accounts", "User")
    if model is not None and model._meta.app_label == "actionplans":
        from actionplans.models import IndicatorValue, ReminderSent

        action = _police_action()
        indicator = action.plan.priority.indicators.first() or action.plan.priority.indicators.create(
            title="Matrix indicator", unit="offences", higher_is_better=False
        )
        period = action.updates.get().period
        IndicatorValue.objects.get_or_create(indicator=indicator, period=period, defaults={"value": 1})
        ReminderSent.objects.get_or_create(
            recipient=action.owner, sent_on=timezone.localdate(), period=period, actions=1
        )
    if model is not None and model._meta.app_label == "consultations":
        _survey()
    if name.endswith("_simple_history"):
        # django-simple-history's "see this version" page: positional object id and version.
        assert model is not None
        obj = model._default_manager.order_by("pk").first()
        return [obj.pk, obj.history.latest().history_id], {}
    if "content_type_id" in wanted:
        priority = Priority.objects.first()
        assert priority is not None
        return [], {"content_type_id": ContentType.objects.get_for_model(Priority).pk, "object_id": priority.pk}
    if "app_label" in wanted:
        kwargs["app_label"] = "priorities"

    if "object_id" in wanted or "id" in wanted:
        assert model is not None, name
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"no {model.__name__} to try {name} with"
        kwargs["object_id" if "object_id" in wanted else "id"] = str(obj.pk)
    return [], kwargs


def _check(response: HttpResponse, expected: int | str, url: str) -> None:
    if expected == SIGN_IN:
        # Admin pages go by the admin's sign-in URL, which forwards to the portal's.
        assert response.status_code == 302, url
        assert response["Location"].startswith((reverse("accounts:login"), reverse("admin:login"))), url
    else:
        assert response.status_code == expected, (url, response.status_code)


def test_every_url_pattern_has_an_expectation() -> None:
    assert sorted(name for name in all_url_names() if expectation_for(name) is None) == []


@pytest.mark.parametrize("name", sorted(all_url_names()))
def test_each_url_answers_each_viewer_as_expected(name: str, plan, people, outsiders) -> None:
    expect = expectation_for(name)
    assert expect is not None
    pattern = dict(_iter_patterns(get_resolver()))[name]
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    if expect.kwargs is not None:
        kwargs = expect.kwargs()
    elif name.startswith("admin:"):
        args, kwargs = _admin_arguments(name, pattern)
    if is_partnership_page(name):
        kwargs = {"partnership": BEDFORD, **kwargs}
    url = reverse(name, args=args or None, kwargs=kwargs or None)
    for role in ROLES:
        response = getattr(client_for(people[role]), expect.method)(url)
        _check(response, getattr(expect, role), f"{role} {url}")
    if is_partnership_page(name):
        # Another partnership's people: not found, whatever they try, and nothing changes.
        clients = {role: client_for(outsiders[role]) for role in OUTSIDERS}  # signing in is recorded
        before = _history_rows()
        for role, client in clients.items():
            assert client.get(url).status_code == 404, f"{role} GET {url}"
            assert client.post(url, {"version": "1", "title": "Taken over"}).status_code == 404, f"{role} POST {url}"
        assert _history_rows() == before


@pytest.mark.parametrize("fmt", [fmt for fmt in REPORT_FILES if fmt != "pdf"])
def test_each_report_file_downloads_as_the_pdf_does(fmt: str, plan, people, outsiders) -> None:
    """The spreadsheet, the web page and the Word document answer each viewer as the
    "reports:download" row says the PDF does."""
    expect = EXPECTATIONS["reports:download"]
    url = reverse("reports:download", kwargs={"partnership": BEDFORD, "pk": _published_report().pk, "fmt": fmt})
    for role in ROLES:
        response = client_for(people[role]).get(url)
        _check(response, getattr(expect, role), f"{role} {url}")
        if response.status_code == 200:
            assert b"".join(response.streaming_content) == REPORT_FILES[fmt]
    for role in OUTSIDERS:
        assert client_for(outsiders[role]).get(url).status_code == 404, f"{role} GET {url}"


def _history_rows() -> int:
    """Every change ever recorded, counted across all history tables."""
    return sum(model.objects.count() for model in apps.get_models() if model.__name__.startswith("Historical"))


@pytest.fixture
def outsiders(plan, shipped_plan_file) -> dict[str, User]:
    """An officer of Bedfordshire Police and an admin of Central Bedfordshire only."""
    from accounts.models import Agency, Role
    from priorities.models import Partnership
    from tests.factories import UserFactory

    central = Partnership.objects.create(
        name="Central Bedfordshire Community Safety Partnership", short_name="Central Bedfordshire CSP", slug=CENTRAL
    )
    police = Agency.objects.get(name="Bedfordshire Police")
    return {
        "outsider_officer": UserFactory(agency=police, roles=[Role.OFFICER], roles__partnership=central),
        "outsider_admin": UserFactory(agency=police, roles=[Role.CSP_ADMIN], roles__partnership=central),
    }


@pytest.fixture(autouse=True)
def _lockout_records(db: None) -> None:
    """One row of each django-axes model, so its admin pages have something to show."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    fields = {
        "user_agent": "test",
        "ip_address": "127.0.0.1",
        "username": "someone@example.org",
        "http_accept": "*/*",
        "path_info": "/",
    }
    AccessAttempt.objects.create(**fields, failures_since_start=1)
    AccessLog.objects.create(**fields)
    AccessFailureLog.objects.create(**fields)


def test_the_admin_sign_in_page_sends_people_to_the_portal_sign_in(client) -> None:
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=%2Fadmin%2F"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_two_factor_pages_answer_each_person_for_their_own_sign_in(plan, people, outsiders) -> None:
    """The account pages have no object of anyone else's: each answers for the signed-in
    person's own sign-in. Their owner with an app (an officer who turned it on) reaches all
    of them; an admin of another partnership is one more admin; no one can turn off theirs."""
    from tests.helpers import authenticator_app_for

    officer = people["officer"]
    assert officer is not None
    authenticator_app_for(officer)
    owner = client_for(officer)  # has given the app's code
    for name, status in {
        "accounts:account": 200,
        "accounts:two_factor": 302,  # already given: sent on
        "accounts:two_factor_set_up": 200,  # a new phone
        "accounts:recovery_codes": 200,
        "accounts:two_factor_turn_off": 200,
    }.items():
        assert owner.get(reverse(name)).status_code == status, name
    outsider_admin = client_for(outsiders["outsider_admin"])
    assert outsider_admin.get(reverse("accounts:recovery_codes")).status_code == 200
    assert outsider_admin.get(reverse("accounts:two_factor_turn_off")).status_code == 403
    # Signed in with the password alone, the owner reaches none of them but the code page.
    from django.test import Client

    from tests.helpers import password_given_now

    half = Client()
    half.force_login(officer)
    password_given_now(half)
    assert half.get(reverse("accounts:two_factor")).status_code == 200
    for name in ("accounts:account", "accounts:two_factor_set_up", "accounts:recovery_codes"):
        assert half.get(reverse(name))["Location"].startswith(reverse("accounts:two_factor")), name
