from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from priorities.plan_file import PlanFileError, parse_plan
from priorities.services import plan_history_import, plan_import


class Command(BaseCommand):
    help = (
        "Import a strategic plan file (format csp-plan/2; a csp-plan/1 file only as a new plan); "
        "checks the whole file before writing anything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", help="Email of the person the change is recorded against in history.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and rehearse the import; write nothing."
        )

    def handle(self, *args: Any, path: Path, user: str | None, dry_run: bool, **options: Any) -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot read the file ({exc})") from exc
        history_user = None
        if user:
            history_user = User.objects.filter(email__iexact=user).first()
            if history_user is None:
                raise CommandError(f"--user: no user with the email {user}")
        try:
            plan_file = parse_plan(text)
            result = plan_import(plan_file=plan_file, user=history_user, source=path.name, dry_run=dry_run)
        except PlanFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path}: {problem}")
            noun = "problem" if len(exc.problems) == 1 else "problems"
            raise CommandError(f"{len(exc.problems)} {noun} found; nothing was imported.") from exc
        if dry_run:
            self.stdout.write(f"{path}: the file is valid ({len(plan_file.priorities)} priorities). Nothing written.")
            self.stdout.write(f"An import would have: {result.summary()}")
            return
        self.stdout.write(result.summary())
        # The plan's revisions before the portal, if a history file sits beside it.
        history = path.with_name(path.name.removesuffix(".yaml") + ".history.yaml")
        if history.exists():
            try:
                recorded = plan_history_import(
                    text=history.read_text(encoding="utf-8"), partnership_name=plan_file.partnership_name
                )
            except PlanFileError as exc:
                raise CommandError(f"{history}: {'; '.join(exc.problems)}") from exc
            self.stdout.write(f"{history.name}: recorded {recorded} earlier revision{'s' if recorded != 1 else ''}.")
