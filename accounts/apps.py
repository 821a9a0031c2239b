from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and agencies"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the start-up checks)
            two_factor,  # noqa: F401  (its sign-in signal receiver)
        )
