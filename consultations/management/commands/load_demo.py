from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from actionplans.demo import demo_load
from consultations.demo import consultation_demo_load


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
        try:
            summary = demo_load(today=timezone.localdate(), scale=scale)
            consultation_summary = consultation_demo_load(scale=scale)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Illustrative demo data: {summary}.")
        self.stdout.write(f"Illustrative consultation: {consultation_summary}.")
