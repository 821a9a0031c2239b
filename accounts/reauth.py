"""Sensitive actions (publishing a report, reopening an update, changing someone's roles)
ask for the password again when it was last given more than REAUTH_SECONDS ago.

The time of the last password check, at sign-in or on the confirm page, is kept in the
session. A session without one (made some other way than the sign-in page) needs a
confirmation: the check fails closed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme

PASSWORD_CHECKED = "portal_password_checked"  # noqa: S105 (a session key, not a password)
# What to do again once the password is confirmed, for a POST that was refused.
DO_AGAIN = "portal_reauth_again"

View = Callable[..., HttpResponseBase]


def password_checked(request: HttpRequest) -> None:
    """Record that the signed-in person has just given their password."""
    request.session[PASSWORD_CHECKED] = int(time.time())


def password_checked_recently(request: HttpRequest) -> bool:
    checked = request.session.get(PASSWORD_CHECKED)
    return checked is not None and time.time() - checked <= settings.REAUTH_SECONDS


def confirm_password_url(next_url: str) -> str:
    return f"{reverse('accounts:confirm_password')}?{urlencode({'next': next_url})}"


def _page_the_form_was_on(request: HttpRequest, fallback: str | None) -> str:
    """The Referer's path when it is this site's, else the fallback."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path:
            return parts.path + (f"?{parts.query}" if parts.query else "")
    partnership = getattr(request, "partnership", None)
    if fallback and partnership is not None:
        # A partnership's page falls back to its own page of that name.
        try:
            return reverse(fallback, args=[partnership.slug])
        except NoReverseMatch:
            pass
    return resolve_url(fallback or settings.LOGIN_REDIRECT_URL)


def recent_sign_in_required(*, again: str, fallback: str | None = None) -> Callable[[View], View]:
    """Ask for the password again before a sensitive view runs, if it was given too long ago.

    A GET is sent to the confirm page, which returns to it. A POST does nothing: it is sent
    to the confirm page, which returns to the page the form was on (the Referer when it is
    this site's, else `fallback`, a URL or URL name, else the home page), with a message
    that nothing was done and what to do again (`again`, for example "press Publish again").
    Typed text is not kept, so the GET of a form page asks first, before anything is typed.
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if password_checked_recently(request):
                return view(request, *args, **kwargs)
            if request.method in {"GET", "HEAD"}:
                request.session.pop(DO_AGAIN, None)  # nothing was pressed: nothing to do again
                return HttpResponseRedirect(confirm_password_url(request.get_full_path()))
            request.session[DO_AGAIN] = again
            messages.warning(
                request,
                f"Nothing was done: it is a while since you gave your password. Confirm your password, then {again}.",
            )
            return HttpResponseRedirect(confirm_password_url(_page_the_form_was_on(request, fallback)))

        return wrapped

    return decorator
