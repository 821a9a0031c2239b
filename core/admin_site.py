"""The community safety team's admin site: CSP admins only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from simple_history.admin import SimpleHistoryAdmin


class PortalAdminSite(admin.AdminSite):
    """The community safety team's admin: CSP admins only.

    People signed out go to the portal's one sign-in page; people signed in without the
    admin role get the portal's 403 page rather than the admin's own sign-in form.
    """

    site_header = "CSP portal administration"
    site_title = "CSP portal admin"
    index_title = "Manage the partnership's plan"
    site_url = "/"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disable_action("delete_selected")  # nothing with history is deleted (RecordAdmin)

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.has_perm("accounts.use_admin"))

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        # Django's admin sets inline style attributes (and hidden inline-form rows rely on
        # them); its pages alone may apply inline styles. Scripts stay 'self' everywhere.
        inner = csp_update({"style-src": ["'unsafe-inline'"]})(super().admin_view(view, cacheable))

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded

    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not request.user.is_authenticated:
            query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
            return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
        if not self.has_permission(request):
            raise PermissionDenied
        return super().login(request, extra_context)


class RecordAdmin(SimpleHistoryAdmin):
    """The admin of a record people edit, with its history. Such a record is retired
    (plan lines), closed or cancelled (actions), or deactivated (people), never deleted:
    a delete would blank who did what in every history, submission and report."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordInline(admin.StackedInline):
    """An inline of records with history: edited in place, never deleted from the form."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PortalAdminConfig(AdminConfig):
    """The admin, served by our own site class so that only CSP admins get in."""

    default_site = "core.admin_site.PortalAdminSite"
