"""Start-up checks for people and accounts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register
from django.db import DatabaseError

from .demo import DEMO_DOMAIN


@register("accounts")
def demo_accounts_check(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Warning]:
    """With DEBUG off, say so when demo accounts exist: they are refused at sign-in, but
    they should be deactivated. Runs where checks may query the database (migrate,
    `check --database default`)."""
    if settings.DEBUG or not databases:
        return []
    from .models import User

    try:
        count = User.objects.filter(email__iendswith="@" + DEMO_DOMAIN, is_active=True).count()
    except DatabaseError:
        return []  # a database not migrated yet (the first migrate runs this check) has no accounts
    if not count:
        return []
    return [
        Warning(
            f"{count} demo account{'s' if count != 1 else ''} (@{DEMO_DOMAIN}) exist with DEBUG off; "
            "they cannot sign in, because their password is published.",
            hint="Deactivate them in the admin, or run this database with DEBUG on for a demo.",
            id="accounts.W001",
        )
    ]
