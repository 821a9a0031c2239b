from __future__ import annotations

from django.apps import AppConfig


class ActionPlansConfig(AppConfig):
    name = "actionplans"
    verbose_name = "Action plans and quarterly updates"
