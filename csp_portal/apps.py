from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """The admin, served by our own site class so that only CSP admins get in."""

    default_site = "csp_portal.admin.PortalAdminSite"
