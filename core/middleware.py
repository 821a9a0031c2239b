"""Response rules for every page: what browsers may keep, which features a page may use,
and how long a session may last however active it is."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_STARTED = "portal_session_started"


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
