"""Pages that belong to the portal as a whole rather than to one app."""

from __future__ import annotations

import re
import sys

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .charts import chart_dir
from .middleware import renew_session, session_timing
from .queue import broker_answers


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and operators: 200 when the database and broker answer, else 503."""
    checks = {"database": _database_ok(), "broker": broker_answers()}
    ok = all(checks.values())
    body = {"status": "ok" if ok else "unavailable", **{k: "ok" if v else "unavailable" for k, v in checks.items()}}
    return JsonResponse(body, status=200 if ok else 503)


@login_not_required
@require_GET
@never_cache
def healthz_worker(request: HttpRequest) -> JsonResponse:
    """For operators' monitoring: 200 when at least one Celery worker answers a ping within
    two seconds, else 503. Kept apart from /healthz so that web servers stay in the load
    balancer while workers restart: pages do not need a worker, compiling does."""
    from celery import current_app

    try:
        replies = current_app.control.ping(timeout=2.0)
    except Exception:
        replies = []
    ok = bool(replies)
    body = {"status": "ok" if ok else "unavailable", "workers": len(replies)}
    return JsonResponse(body, status=200 if ok else 503)


@login_not_required
@require_POST
@never_cache
def session_extend(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in" on the timeout warning: the session is written now, a full idle time
    from now, and the page is told how long it has. 401 once it has ended, so the page can
    say so rather than follow a redirect to the sign-in page."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    renew_session(request)
    # Signing in again in another tab changes the CSRF token: the page takes the current one,
    # so its forms still send.
    return JsonResponse({"signed_in": True, "csrf_token": get_token(request), **session_timing(request)})


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; a 503 page when the database cannot be reached (it says to try again
    and that nothing saved is lost). Rendered without the request: nothing here may need
    the database."""
    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError) or (
        isinstance(exception, DatabaseError) and not _database_ok()
    ):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


def chart(request: HttpRequest, key: str) -> FileResponse:
    """A chart drawn for a page or a report; everyone signed in may see one."""
    if not re.fullmatch(r"[0-9a-f]{32}", key):
        raise Http404("No such chart")
    path = chart_dir() / f"{key}.svg"
    if not path.exists():
        raise Http404("No such chart")
    response = FileResponse(path.open("rb"), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=31536000, immutable"  # the name is the data's hash
    return response
