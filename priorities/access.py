"""Who may open a plan revision, for the revision pages of this app and of actionplans
(whose pages decide for actions and publish)."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from .models import Partnership, PlanRevision


def require_reviser(request: HttpRequest, partnership: Partnership) -> None:
    """Only the partnership's CSP admins revise its plan; its other members are refused
    (403); people of other partnerships never get this far (the middleware's 404)."""
    if not request.user.has_perm("priorities.revise_plan", partnership):
        raise PermissionDenied


def revision_for(request: HttpRequest, partnership: Partnership, pk: int, *, draft: bool = False) -> PlanRevision:
    """The partnership's revision: a published one for every member to read, a draft for
    its admins alone (and, with `draft`, only a draft)."""
    revision = get_object_or_404(
        PlanRevision.objects.select_related("plan", "assessment", "created_by", "published_by"),
        partnership=partnership,
        pk=pk,
    )
    if revision.is_draft or draft:
        require_reviser(request, partnership)
    if draft and not revision.is_draft:
        messages.info(request, "That revision is published: it can no longer be changed.")
        raise Redirect(revision.get_absolute_url())
    return revision


class Redirect(Exception):
    def __init__(self, to: str) -> None:
        self.to = to


def redirecting(view: Any) -> Any:
    """Turn a `Redirect` raised by a helper into the redirect."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(*args, **kwargs)
        except Redirect as go:
            return redirect(go.to)

    return wrapped
