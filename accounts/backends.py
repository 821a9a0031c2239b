from __future__ import annotations

from typing import Any

from rules.permissions import ObjectPermissionBackend

from .rules import is_csp_admin


class RulesBackend(ObjectPermissionBackend):  # type: ignore[misc]
    """The `rules` permission backend, plus the admin's per-app check.

    Django's admin asks `has_module_perms(app_label)` before it lists an app; rules answers
    only `has_perm`, so without this the admin would show CSP admins an empty index.
    """

    def has_module_perms(self, user: Any, app_label: str) -> bool:
        return bool(is_csp_admin(user))
