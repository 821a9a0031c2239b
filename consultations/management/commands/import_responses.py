from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from consultations.imports import (
    MappingError,
    TableError,
    mapping_from_file,
    read_table,
    responses_check,
)
from consultations.models import Consultation
from consultations.services import mapping_save, responses_import


class Command(BaseCommand):
    help = (
        "Import a survey tool's export of responses into a consultation, all or nothing. "
        "The mapping file format is in docs/consultation-import.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "consultation",
            help="The consultation: PARTNERSHIP/SLUG (e.g. bedford-borough/csp-consultation-2022), "
            "or its slug alone when no other partnership has one of that name.",
        )
        parser.add_argument("file", type=Path, help="The export: .csv (UTF-8) or .xlsx.")
        parser.add_argument("--mapping", type=Path, required=True, help="The column mapping (YAML).")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; save nothing.")

    def handle(self, *args: Any, consultation: str, file: Path, mapping: Path, dry_run: bool, **options: Any) -> None:
        partnership, _, slug = consultation.rpartition("/")
        found = Consultation.objects.filter(slug=slug)
        if partnership:
            found = found.filter(partnership__slug=partnership)
        matches = list(found.select_related("partnership")[:2])
        if len(matches) != 1:
            known = (
                ", ".join(f"{p}/{c}" for p, c in Consultation.objects.values_list("partnership__slug", "slug"))
                or "none yet"
            )
            reason = "Name its partnership: more than one has" if matches else "No"
            raise CommandError(f"{reason} consultation {consultation!r} (known: {known})")
        target = matches[0]
        # call_command(mapping="x.yaml") passes the option as given, without argparse's type.
        file, mapping = Path(file), Path(mapping)
        for path in (file, mapping):
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        try:
            table = read_table(file.name, file.read_bytes())
            tool, columns = mapping_from_file(mapping.read_text(encoding="utf-8"))
        except (TableError, MappingError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        if len(tool) > 80:
            raise CommandError(f"{mapping}: the tool's name is longer than 80 characters")
        if dry_run:
            check = responses_check(consultation=target, table=table, mapping=columns)
        else:
            check = responses_import(consultation=target, table=table, mapping=columns, user=None)
        if not check.ok:
            for message in check.messages():
                self.stderr.write(message)
            count = len(check.problems)
            raise CommandError(f"{file}: {count} problem{'s' if count != 1 else ''}; nothing was imported.")
        if not dry_run:
            mapping_save(consultation=target, tool=tool, mapping=columns, user=None)
        blank = f"; {len(check.blank_lines)} empty rows skipped" if check.blank_lines else ""
        if dry_run:
            self.stdout.write(
                f"Dry run: {len(check.to_add)} responses would be added, {check.already} already imported{blank}. "
                "Nothing was saved."
            )
        else:
            self.stdout.write(f"Imported {check.added} responses; {check.already} already imported{blank}.")
