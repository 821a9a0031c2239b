"""`backup DIR`: the database and the generated files together; `backup --check FOLDER`
restores one into a scratch database and folder and compares it with its manifest;
`backup --restore FOLDER` replaces this portal's database and files with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup_check, backup_make, backup_restore


class Command(BaseCommand):
    help = "Back up the database and the generated files together; check or restore a backup."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", type=Path, help="Where to write a backup, or the backup folder to check or restore."
        )
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--check", action="store_true", help="Restore into a scratch database and compare.")
        action.add_argument("--restore", action="store_true", help="Replace this portal's database and files.")
        parser.add_argument("--yes", action="store_true", help="With --restore: do not ask for confirmation.")

    def handle(self, *args: Any, path: Path, check: bool, restore: bool, yes: bool, **options: Any) -> None:
        try:
            if check:
                result = backup_check(folder=path)
                for problem in result.problems:
                    self.stderr.write(f"Problem: {problem}")
                if not result.ok:
                    raise CommandError(
                        f"{path} does not restore as it was backed up ({len(result.problems)} problems)."
                    )
                self.stdout.write(
                    f"{path} restores: {result.tables} tables, {result.rows} rows and {result.files} files "
                    "identical to the backup."
                )
            elif restore:
                if not yes and input(f"Replace this portal's database and files with {path}? [y/N] ").lower() != "y":
                    raise CommandError("Nothing was restored.")
                backup_restore(folder=path)
                self.stdout.write(f"Restored {path}. Run `manage.py migrate` if the code is newer than the backup.")
            else:
                folder = backup_make(into=path)
                self.stdout.write(f"Backed up to {folder}")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
