from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from rules.permissions import ObjectPermissionBackend

from .demo import is_demo_account
from .rules import is_csp_admin


class RulesBackend(ObjectPermissionBackend):
    """The `rules` permission backend, plus the admin's per-app check.

    Django's admin asks `has_module_perms(app_label)` before it lists an app; rules answers
    only `has_perm`, so without this the admin would show CSP admins an empty index.
    """

    def has_module_perms(self, user: Any, app_label: str) -> bool:
        return bool(is_csp_admin(user))


class PasswordBackend(ModelBackend):
    """Checks email and password, and nothing else.

    Every permission lives in a `rules.py`; Django's per-user permission table is not used,
    so this backend answers no permission question (and costs no query on each page).
    Demo accounts (whose password is published) never sign in, and lose any session they
    had, whenever DEBUG is off.
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if not settings.DEBUG and is_demo_account(getattr(user, "email", "")):
            return False
        return super().user_can_authenticate(user)

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return False

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return False
