"""The second factor, asked for before any page once the password is given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from .two_factor import has_authenticator, is_verified, two_factor_required

# Pages a signed-in person reaches before giving their code: the code page and sign-out
# always; the set-up pages only while they have no app (else an app of someone who knows
# only the password could be added).
BEFORE_THE_CODE = {"accounts:two_factor", "accounts:logout"}
WHILE_SETTING_UP = {"accounts:two_factor_set_up", "accounts:recovery_codes", "accounts:logout"}


class TwoFactorMiddleware:
    """After sign-in, a person with an authenticator app is sent to type its code, and one
    who must use two-factor sign-in (superusers, CSP admins) and has no app yet is sent to
    set one up: from every page, the admin's too, keeping where they were going in `next`.
    Public pages (views marked login_not_required: sign-in, the accessibility statement,
    /healthz) stay open. Placed after LoginRequiredMiddleware, which deals with people
    signed out first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if not request.user.is_authenticated or not getattr(view_func, "login_required", True):
            return None
        if is_verified(request):
            return None
        match = request.resolver_match
        name = match.view_name if match else ""
        if has_authenticator(request):
            return None if name in BEFORE_THE_CODE else _to("accounts:two_factor", request)
        if two_factor_required(request.user):
            return None if name in WHILE_SETTING_UP else _to("accounts:two_factor_set_up", request)
        return None


def _to(url_name: str, request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()}, safe='/')}")
