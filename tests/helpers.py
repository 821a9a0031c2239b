"""What tests share that is not a fixture: paths, fixed days, form data, and small helpers.

The conftest files hold only fixtures; they and the tests import these from here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.reauth import PASSWORD_CHECKED
from accounts.two_factor import two_factor_required
from actionplans.models import ReportingPeriod
from consultations.seed import SHIPPED_FILE
from core import periods
from priorities.models import Partnership
from tests.factories import gds_date

if TYPE_CHECKING:
    from django.http import HttpResponse
    from playwright.sync_api import Page

    from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent

# The shipped partnerships' addresses: every partnership page is under /<slug>/.
BEDFORD = "bedford-borough"
CENTRAL = "central-bedfordshire"

# The shipped strategic plan, and the published text it was made from.
SHIPPED_PLAN = ROOT / "data" / "plans" / "bedford-borough-2020-2024.yaml"
PLAN_SOURCE = ROOT / "data" / "plans" / "sources" / "bedford-borough-strategic-plan-2020-2024.txt"
# Central Bedfordshire's 2021-24 plan, from the council's press release announcing it.
CENTRAL_BEDS_PLAN = ROOT / "data" / "plans" / "central-bedfordshire-2021-2024.yaml"
CENTRAL_BEDS_SOURCE = ROOT / "data" / "plans" / "sources" / "central-bedfordshire-press-release-2021-02-05.txt"

# The shipped consultations (2019 and 2022, with their published headlines).
CONSULTATIONS_FILE = SHIPPED_FILE

# Action-plan tests run on deadline day: the 2023-24 Q4 window is open (17 March to 15 April).
DEADLINE_DAY = dt.date(2024, 3, 25)
# Report tests run after that window closed, so 2023-24 Q4 is the latest closed quarter.
REPORT_DAY = dt.date(2024, 4, 20)

# An action running the whole 2023-24 financial year, as the action form posts it.
WHOLE_YEAR = {**gds_date("start_date", dt.date(2023, 4, 1)), **gds_date("due_date", dt.date(2024, 3, 31))}

AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def client_for(user: User | None) -> Client:
    """A test client signed in as the user, or signed out for None.

    Signed in as the sign-in page does it: the password counts as given just now, so no
    sensitive action asks for it again until REAUTH_SECONDS have passed; and fully, with
    the second factor: a CSP admin or superuser is given an authenticator app if they have
    none, and anyone with one has given its code (tests/accounts/test_two_factor.py signs in
    the long way)."""
    client = Client()
    if user is not None:
        client.force_login(user)
        password_given_now(client)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None and two_factor_required(user):
            device = authenticator_app_for(user)
        if device is not None:
            code_given_now(client, device)
    return client


def code_given_now(client: Client, device: TOTPDevice) -> None:
    """Record in the client's session that its user gave a code of the device, as the code
    page does (django_otp.login)."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def authenticator_app_for(user: User) -> TOTPDevice:
    """A confirmed authenticator app for the user, as the set-up page leaves one."""
    return TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def code_typed(client: Client, device: TOTPDevice) -> HttpResponse:
    """Type the app's code on the code page, as a person does after their password."""
    from django.urls import reverse

    response = client.post(reverse("accounts:two_factor"), {"code": code_from_app(device)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def code_from_app(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now, as they would type it.

    A code is accepted once: the portal then refuses codes of that 30-second step and
    earlier. A test that signs in twice within one step gets the next step's code (accepted
    a step early, as a phone whose clock runs a little fast), or waits for it."""
    device.refresh_from_db()
    now_step = int(time.time() - device.t0) // device.step
    step = max(now_step, device.last_t + 1)
    while step > now_step + device.tolerance:
        time.sleep(1)
        now_step = int(time.time() - device.t0) // device.step
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=step - now_step)
    return f"{code:0{device.digits}d}"


def password_given_now(client: Client) -> None:
    """Record in the client's session that its user gave their password just now, as signing
    in or confirming the password does (force_login alone does not)."""
    session = client.session
    session[PASSWORD_CHECKED] = int(time.time())
    session.save()


def title_of(response: HttpResponse) -> str:
    """The page's <title> text, without the portal's name after it."""
    match = re.search(r"<title>(.*?) – CSP portal</title>", response.content.decode(), re.S)
    assert match is not None, "the page has no portal title"
    return match.group(1)


def bedford() -> Partnership:
    """The shipped plan's partnership (the `plan` fixture imports it)."""
    return Partnership.objects.get(slug=BEDFORD)


def priority_pk(number: int) -> int:
    """The id of the shipped plan's priority of that number (dashboards name priorities by id)."""
    from priorities.models import Priority

    return Priority.objects.get(plan__partnership__slug=BEDFORD, number=number, retired_at__isnull=True).pk


def make_period(financial_year: int, quarter: int, partnership: Partnership | None = None) -> ReportingPeriod:
    """A reporting period of the partnership (Bedford's, unless named) with the default
    update window for that quarter."""
    opens, closes = periods.default_window(financial_year, quarter)
    return ReportingPeriod.objects.create(
        partnership=partnership or bedford(),
        financial_year=financial_year,
        quarter=quarter,
        window_opens=opens,
        window_closes=closes,
    )


def axe_violations(page: Page) -> list[dict[str, object]]:
    """Serious and critical WCAG 2.2 A/AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


def assert_accessible(page: Page) -> None:
    """Fail with axe's findings if the page as it is now has a serious or critical violation."""
    violations = axe_violations(page)
    assert violations == [], f"{page.url}\n{json.dumps(violations, indent=2)}"


def production_env(**extra: str) -> dict[str, str]:
    """A clean production environment for a child process: DEBUG off, a fresh secret key,
    and nothing the test session set for itself."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="csp.example.org",
        STATIC_MANIFEST="false",
        **extra,
    )
    return env
