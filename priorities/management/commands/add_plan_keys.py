from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from priorities.plan_file import FORMAT, PlanFileError, add_keys


class Command(BaseCommand):
    help = (
        "Rewrite a csp-plan/1 plan file as csp-plan/2, keying every priority and line by its kind and place "
        "(priority-1, theme-2, …) as the portal keyed the rows imported from it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--output", type=Path, help="Write the new file here instead of over PATH.")

    def handle(self, *args: Any, path: Path, output: Path | None, **options: Any) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the file ({exc})") from exc
        try:
            converted = add_keys(text)
        except PlanFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path}: {problem}")
            raise CommandError("The file was not converted.") from exc
        target = output or path
        target.write_text(converted, encoding="utf-8")
        self.stdout.write(f"Wrote {target} ({FORMAT}). Give lines readable keys if you like, keeping their text.")
