"""The navigation every page's layout shows. Sections are named by URL, not imported."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

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


def navigation(request: HttpRequest) -> dict[str, object]:
    """The layout's navigation, marked with where you are; sections need a permission."""
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else ""
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    nav_items = [
        {"text": text, "href": reverse(name), "active": here in section, "current": here == name}
        for text, name, section, permission in NAVIGATION
        if signed_in and (permission is None or user.has_perm(permission))  # type: ignore[union-attr]
    ]
    if signed_in and user.has_perm("accounts.use_admin"):  # type: ignore[union-attr]
        nav_items.append({"text": "Admin", "href": reverse("admin:index"), "active": False, "current": False})
    return {"nav_items": nav_items}
