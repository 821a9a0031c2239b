from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer every app builds on."""

    default = True
    name = "core"
    verbose_name = "Portal core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .generation import install

        # After every migrate (all tables exist by then): SQLite's generation triggers.
        post_migrate.connect(install, sender=self, dispatch_uid="core.generation.install")
