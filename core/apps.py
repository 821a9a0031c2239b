from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The bottom layer every app builds on."""

    default = True
    name = "core"
    verbose_name = "Portal core"
