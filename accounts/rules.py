"""Who may do what with people and agencies. Other apps build on these predicates."""

from __future__ import annotations

from collections.abc import Iterable

import rules

from .models import Role

is_csp_admin = rules.is_superuser | rules.is_group_member(Role.CSP_ADMIN.value)
is_board_member = rules.is_group_member(Role.BOARD_MEMBER.value)
is_officer = rules.is_group_member(Role.OFFICER.value)
is_priority_lead = rules.is_group_member(Role.PRIORITY_LEAD.value)
is_signed_in = rules.is_authenticated & rules.is_active


def add_admin_only_model_perms(app_label: str, model_names: Iterable[str]) -> None:
    """Give CSP admins the admin's add/change/delete/view permissions on these models."""
    for model_name in model_names:
        for action in ("add", "change", "delete", "view"):
            rules.add_perm(f"{app_label}.{action}_{model_name}", is_csp_admin)


rules.add_perm("accounts.use_admin", is_csp_admin)
add_admin_only_model_perms("accounts", ["user", "agency"])
# Admins see and clear sign-in lockouts.
add_admin_only_model_perms("axes", ["accessattempt", "accesslog", "accessfailurelog"])
