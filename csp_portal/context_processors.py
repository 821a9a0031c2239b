from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from priorities.glossary import Abbreviations, abbreviations_for_current_plan

# (label, URL name, the views that belong to the section)
NAVIGATION = [
    ("Strategic plan", "priorities:home", {"priorities:home", "priorities:priority"}),
    ("Glossary", "priorities:glossary", {"priorities:glossary"}),
]


def portal(request: HttpRequest) -> dict[str, object]:
    """What every page's layout needs: navigation marked with where you are, and the
    glossary for <abbr> markup (loaded only on pages that use it)."""
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else ""
    nav_items = [
        {"text": text, "href": reverse(name), "active": here in section, "current": here == name}
        for text, name, section in NAVIGATION
    ]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.has_perm("accounts.use_admin"):
        nav_items.append({"text": "Admin", "href": reverse("admin:index"), "active": False, "current": False})
    abbreviations: Abbreviations = SimpleLazyObject(abbreviations_for_current_plan)  # type: ignore[assignment]
    return {"abbreviations": abbreviations, "nav_items": nav_items}
