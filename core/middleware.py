"""Response rules for every page: what browsers may keep, which features a page may use,
how long a session may last however active it is, and what happens to a form sent after
its session has ended."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.crypto import salted_hmac

SESSION_STARTED = "portal_session_started"
# When the session row was last written, so its idle end is this plus SESSION_COOKIE_AGE.
SESSION_SAVED = "portal_session_saved"


def renewal_seconds() -> int:
    """How stale a session's idle end may grow before a request writes it again: at most
    SESSION_RENEW_SECONDS, and a tenth of the idle limit for short sessions."""
    return min(settings.SESSION_RENEW_SECONDS, settings.SESSION_COOKIE_AGE // 10)


def _renews(session: Any, now: float) -> bool:
    saved = session.get(SESSION_SAVED)
    return session.modified or saved is None or now - saved >= renewal_seconds()


def renew_session(request: HttpRequest) -> None:
    """Write this session at the end of the request, whatever else it did ("Stay signed in")."""
    request.session.modified = True


def session_timing(request: HttpRequest) -> dict[str, int]:
    """For a signed-in page's timeout warning: the seconds a session lasts without a request
    and how many of them are left (the session is written at most once a renewal interval,
    so its idle end can be a little sooner than a full idle time after this request), how long
    before its end the warning shows, and the seconds left before its absolute end."""
    now = time.time()
    started = request.session.get(SESSION_STARTED, int(now))
    idle = settings.SESSION_COOKIE_AGE
    idle_left = idle if _renews(request.session, now) else int(request.session[SESSION_SAVED] + idle - now)
    return {
        "idle_seconds": idle,
        "idle_seconds_left": max(0, idle_left),
        "warning_seconds": min(settings.SESSION_WARNING_SECONDS, settings.SESSION_COOKIE_AGE // 2),
        "absolute_seconds_left": max(0, int(started + settings.SESSION_ABSOLUTE_SECONDS - time.time())),
    }


class SessionRenewalMiddleware:
    """An active session is kept alive by writing its row again, but not on every request:
    at most once a renewal interval (`renewal_seconds`), or whenever the request changed the
    session anyway. Writing it on every request was a database write and commit for every
    page, a third of a trivial signed-in page's time under load. The idle end is then
    between `SESSION_COOKIE_AGE - renewal_seconds()` and `SESSION_COOKIE_AGE` after the last
    request, and the timeout warning is told the seconds left, not the idle limit.

    Just after SessionMiddleware, so this runs before it decides whether to save."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An empty session (never made, or flushed by signing out) is not brought to life.
        if session is not None and not session.is_empty():
            now = time.time()
            if _renews(session, now):
                session[SESSION_SAVED] = int(now)
        return response


class PrivatePagesMiddleware:
    """Signed-in pages and downloads are never stored by a browser or a proxy
    (`Cache-Control: no-store`, unless a view chose its own, as charts named by their hash
    do); every response says which browser features pages may not use; a session ends
    `SESSION_ABSOLUTE_SECONDS` after sign-in, however active (idle sessions end sooner)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        if signed_in:
            started = request.session.setdefault(SESSION_STARTED, int(time.time()))
            if time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)  # LoginRequiredMiddleware then asks them to sign in again
                signed_in = False
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if signed_in and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


# What a POST carried when it arrived after its session had ended, kept in the new
# (signed-out) session until the same person signs in again.
KEPT_POST = "portal_kept_post"
# Which signed-in person this browser last was: a keyed hash of their id, no personal data.
# Deleted on signing out, so a shared browser does not name the last person to leave.
OWNER_COOKIE = "portal_owner"
OWNER_COOKIE_DAYS = 30
# Beyond this, a POST is not kept (Django's own limit on a form is 2.5 MB).
KEPT_POST_MAX_CHARS = 100_000
# Never kept, whatever the view: a secret has no place in a session row.
SECRET_FIELD = re.compile(r"password|code|token|secret", re.IGNORECASE)
# Marked on a view by `keeps_late_post`.
KEEPS_LATE_POST = "keeps_late_post"

V = TypeVar("V", bound=Callable[..., Any])


def keeps_late_post(view: V) -> V:
    """Mark a view whose form is worth keeping when it arrives after the session has ended:
    the forms people type into for a while (an update, an action, a milestone, a review).
    Only these; never a password page, the admin or a button that publishes or removes."""
    setattr(view, KEEPS_LATE_POST, True)
    return view


def owner_mark(user_pk: object) -> str:
    return salted_hmac("core.kept-post.owner", str(user_pk)).hexdigest()[:32]


class KeepPostAfterTimeoutMiddleware:
    """A form sent after its session ended is kept, not dropped (WCAG 2.2.1; nobody's words
    are lost), and offered back once the same person has signed in.

    Between AuthenticationMiddleware and LoginRequiredMiddleware: when a POST arrives for a
    view marked `keeps_late_post` and nobody is signed in, its fields (never a password or a
    code) are put in the new session with the page's address and the `portal_owner` mark
    this browser had while signed in. Sign-in keeps the session's data (`login()` only
    changes its key) and returns to that page, where SendKeptPostMiddleware offers it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            mark = owner_mark(user.pk)
            if request.COOKIES.get(OWNER_COOKIE) != mark:
                response.set_cookie(
                    OWNER_COOKIE,
                    mark,
                    max_age=OWNER_COOKIE_DAYS * 24 * 60 * 60,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], *args: Any) -> None:
        if (
            getattr(view_func, "login_required", True)
            and request.method == "POST"
            and not request.user.is_authenticated
        ):
            self._keep(request, keeps=getattr(view_func, KEEPS_LATE_POST, False))
        return None

    def _keep(self, request: HttpRequest, *, keeps: bool) -> None:
        owner = request.COOKIES.get(OWNER_COOKIE, "")
        if request.FILES:
            messages.warning(
                request, "You were signed out, so your file was not uploaded: sign in and choose it again."
            )
            return
        data = {
            key: values
            for key, values in request.POST.lists()
            if key != "csrfmiddlewaretoken" and not SECRET_FIELD.search(key)
        }
        size = sum(len(key) + sum(len(value) for value in values) for key, values in data.items())
        if not keeps or not re.fullmatch(r"[0-9a-f]{32}", owner) or not data or size > KEPT_POST_MAX_CHARS:
            messages.warning(request, "You were signed out, so what you sent was not saved: sign in and send it again.")
            return
        request.session[KEPT_POST] = {
            "path": request.get_full_path(),
            "data": data,
            "owner": owner,
            "at": int(time.time()),
        }
        minutes = settings.SESSION_COOKIE_AGE // 60
        messages.warning(
            request,
            f"You were signed out after {minutes} minutes without activity. What you sent is kept: "
            "sign in and you can send it.",
        )


class SendKeptPostMiddleware:
    """The other half of KeepPostAfterTimeoutMiddleware, after every gate a signed-in request
    passes (the second factor included), so a kept form is never spent on a request that is
    turned away.

    The first GET of the kept page by the same person shows what was kept, and a form that
    sends it (a fresh CSRF token, the fields as hidden inputs) or a link not to. Nothing is
    sent for them unseen: a form planted at a shared browser, or a GET from another site,
    cannot act in their name. Sent, the view does what it would have done: it saves, or
    shows its errors and the text, or refuses a stale edit. A kept form of someone else, or
    older than the signed-out session could have lasted, is dropped at the first request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], *args: Any) -> HttpResponse | None:
        if not request.user.is_authenticated or KEPT_POST not in request.session:
            return None
        kept = request.session[KEPT_POST]
        stale = time.time() - kept.get("at", 0) > 2 * settings.SESSION_COOKIE_AGE
        if kept.get("owner") != owner_mark(request.user.pk) or stale:
            del request.session[KEPT_POST]  # another person's words, or too old: never shown here
            return None
        if request.method != "GET" or kept.get("path") != request.get_full_path():
            return None  # kept until that page is next asked for
        if not getattr(view_func, KEEPS_LATE_POST, False):
            return None
        del request.session[KEPT_POST]
        fields = [(key, value) for key, values in kept["data"].items() for value in values]
        typed = [
            (key.replace("_", " ").capitalize(), value)
            for key, value in fields
            if value.strip() and not key.endswith("version")
        ]
        return render(request, "kept_post.html", {"path": kept["path"], "fields": fields, "typed": typed})
