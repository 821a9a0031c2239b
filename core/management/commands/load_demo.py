"""The project-wide demo: each installed app's `demo.demo_load`, in INSTALLED_APPS order.

Apps are found by name, not imported here, so the bottom layer never imports upwards;
INSTALLED_APPS lists them lower layer first, which is the order their data builds on."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone


def demo_loaders() -> list[tuple[str, Any]]:
    """(app label, its demo_load) for every installed app that has a demo module."""
    loaders = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.demo") is not None:
            module = import_module(f"{config.name}.demo")
            if hasattr(module, "demo_load"):
                loaders.append((config.label, module.demo_load))
    return loaders


class Command(BaseCommand):
    help = (
        "Make illustrative actions, milestones, updates, indicator values and consultation responses "
        "(DEBUG only); idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="Actions per theme per year (for benchmarks).")

    def handle(self, *args: Any, scale: int, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is only made when DEBUG is on: it is illustrative, not a partnership's plan.")
        if scale < 1:
            raise CommandError("--scale must be 1 or more")
        today = timezone.localdate()
        for label, load in demo_loaders():
            try:
                summary = load(today=today, scale=scale)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Illustrative {label} data: {summary}.")
