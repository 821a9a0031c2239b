"""The portal as production runs it: DEBUG off, manifest static files collected, gunicorn,
a real Celery worker on Redis, and the database CI uses (PostgreSQL there). A CSP admin
signs in, every page reachable from the navigation answers 200 with its static files, and
a report compiles on the worker and downloads. `check --deploy` cannot see a broken
static build or a page that only fails with DEBUG off; this can."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from html import unescape

import pytest
from django_otp.oath import totp

from tests.worker import ROOT, require_redis, running_worker

pytestmark = pytest.mark.worker

ADMIN_EMAIL = "boot.admin@example.org"
ADMIN_PASSWORD = secrets.token_urlsafe(16)
# The admin's authenticator app (CSP admins must give a code after the password).
ADMIN_APP_KEY = secrets.token_hex(20)
MAX_PAGES = 400
# Links that change state or end the session; every other link is walked.
NOT_WALKED = re.compile(r"^/(accounts/sign-out|admin/logout|admin/.*/delete/|static/|media/)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own: PostgreSQL when the suite runs on it (as in CI), else SQLite."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        yield f"sqlite:///{tmp_path_factory.mktemp('boot') / 'portal.sqlite3'}"
        return
    import psycopg

    name = f"csp_boot_{os.getpid()}"
    server = configured.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def production_env(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("production")
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="csp_portal.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_MANIFEST="true",
        STATIC_ROOT=str(base / "static"),
        MEDIA_ROOT=str(base / "media"),
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=require_redis(),
        BEHIND_TLS_PROXY="true",  # the test speaks plain HTTP to gunicorn, as a TLS proxy would
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.fixture(scope="module")
def portal(production_env: dict[str, str]) -> Iterator[str]:
    """Set up as docs say a council does, then serve with gunicorn and a worker."""
    env = production_env
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    for plan in sorted(p for p in (ROOT / "data" / "plans").glob("*.yaml") if not p.name.endswith(".history.yaml")):
        _manage(env, "import_plan", str(plan))
    _manage(env, "load_consultations")
    # Illustrative actions and updates to walk through: the demo needs DEBUG for its own
    # safety, and writes only data (no accounts), so it runs once with DEBUG on.
    _manage({**env, "DEBUG": "true"}, "load_demo")
    _manage(
        env,
        "shell",
        "-c",
        "from accounts.models import Role, User; from priorities.models import Membership, Partnership; "
        f"u = User.objects.create_user(email={ADMIN_EMAIL!r}, password={ADMIN_PASSWORD!r}, full_name='Boot Admin'); "
        "[Membership.objects.create(partnership=p, user=u, role=Role.CSP_ADMIN) for p in Partnership.objects.all()]; "
        "from django_otp.plugins.otp_totp.models import TOTPDevice; "
        f"TOTPDevice.objects.create(user=u, key={ADMIN_APP_KEY!r}, name='Boot app', confirmed=True)",
    )
    port = _free_port()
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "csp_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        with running_worker(env, name="boot"):
            deadline = time.monotonic() + 60
            while True:
                try:
                    if Browser(port).get("/healthz").status == 200:
                        break
                except OSError:
                    pass
                assert web.poll() is None, "gunicorn exited at start-up"
                assert time.monotonic() < deadline, "the portal did not answer /healthz within 60 s"
                time.sleep(0.25)
            yield str(port)
    finally:
        web.terminate()
        web.wait(timeout=30)


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Browser:
    """Just enough of a browser: cookies (Secure ones too: a TLS proxy is in front), CSRF."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Page:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1{path}"
            headers["Origin"] = "https://127.0.0.1"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        page = Page(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return page

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, form: dict[str, str]) -> Page:
        return self.request("POST", path, {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})


def _links(html: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="([^"#]+)', html):
        url = unescape(href)
        if url.startswith("/") and not url.startswith("//"):
            found.add(url)
    return found


def _nests_forms(html: str) -> bool:
    """Whether a <form> opens inside another (browsers drop the inner one's attributes)."""
    depth = 0
    for tag in re.findall(r"<(/?)form\b", html):
        depth += -1 if tag else 1
        if depth > 1:
            return True
    return False


def _assets(html: str) -> set[str]:
    return {unescape(src) for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', html)}


@pytest.fixture(scope="module")
def admin(portal: str) -> Browser:
    browser = Browser(int(portal))
    browser.get("/accounts/sign-in/")
    signed_in = browser.post("/accounts/sign-in/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert signed_in.status == 302, signed_in.text[:2000]
    to_code = browser.get("/")
    assert to_code.headers["location"].startswith("/accounts/two-factor/?next="), to_code.headers
    assert browser.get("/accounts/two-factor/").status == 200
    code = f"{totp(bytes.fromhex(ADMIN_APP_KEY)):06d}"
    verified = browser.post("/accounts/two-factor/", {"code": code})
    assert verified.status == 302, verified.text[:2000]
    return browser


def test_every_page_reachable_from_the_navigation_answers_with_debug_off(admin: Browser) -> None:
    seen: set[str] = set()
    queue = ["/"]
    failures = []
    nested = []
    assets: set[str] = set()
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page = admin.get(path)
        if page.status in {301, 302}:
            target = urllib.parse.urlparse(page.headers["location"])
            assert target.netloc in {"", "127.0.0.1"}, f"{path} redirects off the site"
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
            continue
        if page.status != 200:
            failures.append(f"{path}: {page.status}")
            continue
        if "text/html" in page.headers.get("content-type", ""):
            assets |= _assets(page.text)
            if _nests_forms(page.text):
                nested.append(path)
            queue += sorted(link for link in _links(page.text) - seen if not NOT_WALKED.match(link))
    assert failures == []
    assert nested == []
    assert len(seen) > 40, f"only {len(seen)} pages were reachable: {sorted(seen)}"
    assert any(p.startswith("/admin/") for p in seen)
    assert any(p.startswith("/bedford-borough/dashboard/") for p in seen)
    broken_assets = [a for a in sorted(assets) if admin.get(a).status != 200]
    assert broken_assets == []
    assert any(re.search(r"/static/build/css/app\.[0-9a-f]{12}\.css$", a) for a in assets), "not manifest files"


def test_a_report_compiles_on_the_worker_and_downloads(admin: Browser) -> None:
    dashboard = admin.get("/bedford-borough/dashboard/").text
    period = re.search(r'name="period" value="(\d+)"', dashboard)
    assert period, "the dashboard offers no compile button"

    queued = admin.post("/bedford-borough/reports/compile/", {"period": period.group(1)})
    assert queued.status == 302

    match = re.search(r'href="(/bedford-borough/reports/\d+/)"', admin.get("/bedford-borough/reports/").text)
    assert match, "the archive lists no report"
    report_path = match.group(1)
    deadline = time.monotonic() + 240
    while f'href="{report_path}download.pdf"' not in (detail := admin.get(report_path).text):
        assert 'govuk-tag--red">Failed' not in detail, detail
        assert time.monotonic() < deadline, "the report did not compile within 240 s"
        time.sleep(0.5)
    for fmt, kind in (
        ("pdf", "application/pdf"),
        ("xlsx", "spreadsheetml"),
        ("docx", "wordprocessingml"),
        ("html", "text/html"),  # last: its body is read below
    ):
        download = admin.get(f"{report_path}download.{fmt}")
        assert download.status == 200, fmt
        assert kind in download.headers["content-type"]
        assert len(download.body) > 1000
    assert download.body.count(b"Priority") >= 3
