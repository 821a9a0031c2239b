"""Who may do what with people and agencies. Other apps build on these predicates.

Roles are held per partnership (a `priorities.Membership` each). A role predicate asked
about an object answers for the object's partnership: a partnership itself, or anything
with a `partnership_id`. Asked with no object, it answers whether the person holds the
role in any partnership: only the portal-wide pages (My actions, the navigation) ask so;
every partnership's page asks about its partnership. Superusers are CSP admins everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules

from .models import Role

is_signed_in = rules.is_authenticated & rules.is_active


def roles_by_partnership(user: Any) -> dict[int, frozenset[str]]:
    """The person's current roles in each partnership (see `User.partnership_roles`)."""
    if not user.is_authenticated:
        return {}
    return user.partnership_roles()


def partnership_id_of(obj: Any) -> int | None:
    if obj is None:
        return None
    if getattr(getattr(obj, "_meta", None), "label", "") == "priorities.Partnership":
        return obj.pk
    return obj.partnership_id


def holds(user: Any, role: Role, obj: Any = None) -> bool:
    roles = roles_by_partnership(user)
    partnership_id = partnership_id_of(obj)
    if partnership_id is None:
        return any(role.value in held for held in roles.values())
    return role.value in roles.get(partnership_id, frozenset())


def _role_predicate(role: Role) -> rules.Predicate:
    @rules.predicate(name=f"holds_{role.name.lower()}")
    def predicate(user: Any, obj: Any = None) -> bool:
        return bool(user.is_authenticated and holds(user, role, obj))

    return predicate


is_board_member = _role_predicate(Role.BOARD_MEMBER)
is_officer = _role_predicate(Role.OFFICER)
is_priority_lead = _role_predicate(Role.PRIORITY_LEAD)
is_csp_admin = rules.is_superuser | _role_predicate(Role.CSP_ADMIN)
is_member = is_signed_in & (
    rules.is_superuser | is_board_member | is_officer | is_priority_lead | _role_predicate(Role.CSP_ADMIN)
)


def add_admin_only_model_perms(app_label: str, model_names: Iterable[str]) -> None:
    """Give CSP admins the admin's add/change/delete/view permissions on these models (the
    admin's querysets then keep each admin to their own partnerships)."""
    for model_name in model_names:
        for action in ("add", "change", "delete", "view"):
            rules.add_perm(f"{app_label}.{action}_{model_name}", is_csp_admin)


rules.add_perm("accounts.use_admin", is_csp_admin)
add_admin_only_model_perms("accounts", ["user", "agency"])
# Admins see and clear sign-in lockouts.
add_admin_only_model_perms("axes", ["accessattempt", "accesslog", "accessfailurelog"])
