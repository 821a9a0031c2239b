"""Every partnership's page is under /<partnership-slug>/; this resolves the slug once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from accounts.rules import is_member

from .models import Partnership


class PartnershipMiddleware:
    """For a view whose URL names a partnership, load it, refuse (404) anyone who holds no
    role in it, and hand the view the partnership itself in place of its slug, also as
    `request.partnership`. A person of another partnership learns nothing, not even that
    the address exists. Runs after the sign-in check, so strangers are sent to sign in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.partnership = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: dict[str, Any]
    ) -> None:
        slug = view_kwargs.get("partnership")
        if not isinstance(slug, str):
            return
        partnership = Partnership.objects.filter(slug=slug).first()
        if partnership is None or not is_member(request.user, partnership):
            raise Http404("No such partnership.")
        request.partnership = partnership  # type: ignore[attr-defined]
        view_kwargs["partnership"] = partnership
