from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultations.seed import SeedError, consultations_load, shipped_files


class Command(BaseCommand):
    help = (
        "Load partnerships' consultations (published headlines), wards and theme tags from a file, "
        "or from every *-consultations.yaml in data/consultations; idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path)

    def handle(self, *args: Any, file: Path | None, **options: Any) -> None:
        files = [file] if file is not None else shipped_files()
        for path in files:
            if not path.exists():
                raise CommandError(f"No such file: {path}")
            try:
                summary = consultations_load(path)
            except (SeedError, KeyError, ValueError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            self.stdout.write(f"Consultations loaded from {path}: {summary}.")
