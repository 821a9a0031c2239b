from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class PortalAdminSite(admin.AdminSite):
    """The community safety team's admin: open to CSP admins only, whatever `is_staff` says."""

    site_header = "CSP portal administration"
    site_title = "CSP portal admin"
    index_title = "Manage the partnership's plan"

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.has_perm("accounts.use_admin"))
