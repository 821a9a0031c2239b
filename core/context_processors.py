"""The navigation every page's layout shows. Sections are named by URL, not imported.

On a partnership's page (`request.partnership`, set by the partnership middleware) the
navigation is that partnership's, and its links and permissions are asked about it; the
portal-wide pages (My actions, the list of partnerships) show only the portal-wide links.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from .middleware import session_timing

# (label, URL name, the views that belong to the section, the permission it needs)
NAVIGATION = [
    ("Strategic plan", "priorities:home", {"priorities:home", "priorities:priority"}, None),
    (
        "Dashboard",
        "reports:dashboard",
        {"reports:dashboard", "reports:priority", "reports:exceptions", "reports:indicator"},
        None,
    ),
    (
        "Consultations",
        "consultations:list",
        {
            "consultations:list",
            "consultations:consultation",
            "consultations:question",
            "consultations:coding",
            "consultations:import",
            "consultations:import_map",
            "consultations:feed",
        },
        None,
    ),
    ("Reports", "reports:archive", {"reports:archive", "reports:report"}, "reports.read_reports"),
    (
        "My actions",
        "actionplans:my_actions",
        {"actionplans:my_actions", "actionplans:update"},
        "actionplans.create_action",
    ),
    (
        "What's due",
        "actionplans:whats_due",
        {"actionplans:whats_due"},
        "actionplans.create_action",
    ),
    (
        "Action plans",
        "actionplans:plans",
        {
            "actionplans:plans",
            "actionplans:plan",
            "actionplans:action",
            "actionplans:action_history",
            "actionplans:action_edit",
            "actionplans:action_create",
            "actionplans:milestone_create",
            "actionplans:milestone_edit",
            "actionplans:import",
            "actionplans:update_reopen",
        },
        None,
    ),
    (
        "Reviews",
        "actionplans:reviews",
        {"actionplans:reviews", "actionplans:update_review"},
        "actionplans.review_updates",
    ),
    ("Glossary", "priorities:glossary", {"priorities:glossary"}, None),
]


# Pages of no one partnership: they take no slug.
PORTAL_WIDE = {"actionplans:my_actions", "actionplans:whats_due"}


def navigation(request: HttpRequest) -> dict[str, object]:
    """The layout's navigation, marked with where you are; sections need a permission."""
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else ""
    user = getattr(request, "user", None)
    partnership = getattr(request, "partnership", None)
    signed_in = bool(user is not None and user.is_authenticated)
    nav_items = []
    for text, name, section, permission in NAVIGATION:
        wide = name in PORTAL_WIDE
        if not signed_in or (partnership is None and not wide):
            continue
        if permission is not None and not user.has_perm(permission, None if wide else partnership):  # type: ignore[union-attr]
            continue
        href = reverse(name) if wide else reverse(name, args=[partnership.slug])  # type: ignore[union-attr]
        nav_items.append({"text": text, "href": href, "active": here in section, "current": here == name})
    if signed_in and user.has_perm("accounts.use_admin"):  # type: ignore[union-attr]
        nav_items.append({"text": "Admin", "href": reverse("admin:index"), "active": False, "current": False})
    return {"nav_items": nav_items, "partnership": partnership}


def session_timeout(request: HttpRequest) -> dict[str, object]:
    """The timings the timeout warning (templates/includes/_timeout_warning.html) counts down
    from, on signed-in pages only."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(request, "session"):
        return {}
    return {"session_timeout": session_timing(request)}
