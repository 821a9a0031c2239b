from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultations.seed import SHIPPED_FILE, SeedError, consultations_load


class Command(BaseCommand):
    help = "Load the partnership's consultations (published headlines), wards and theme tags; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, default=SHIPPED_FILE)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        try:
            summary = consultations_load(file)
        except (SeedError, KeyError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        self.stdout.write(f"Consultations loaded from {file}: {summary}.")
