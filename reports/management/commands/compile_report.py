from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from actionplans.models import ReportingPeriod
from core.periods import parse_period_label
from priorities.models import Partnership
from reports.models import QuarterlyReport
from reports.services import QUEUE_DOWN, QueueDown, report_compile, report_request


class Command(BaseCommand):
    help = (
        "Compile the quarterly report for PERIOD (e.g. '2023-24 Q3'; "
        "default: the latest period whose window has closed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("partnership", help="The partnership's slug, e.g. bedford-borough")
        parser.add_argument("period", nargs="?", help="A period such as 2023-24 Q3")
        parser.add_argument("--sync", action="store_true", help="Compile here and now instead of queuing the task.")

    def handle(self, *args: Any, partnership: str, period: str | None, sync: bool, **options: Any) -> None:
        periods = ReportingPeriod.objects.filter(partnership__slug=partnership)
        if not Partnership.objects.filter(slug=partnership).exists():
            known = ", ".join(Partnership.objects.values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No partnership {partnership!r} (known: {known})")
        if period:
            try:
                financial_year, quarter = parse_period_label(period)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            found = periods.filter(financial_year=financial_year, quarter=quarter).first()
            if found is None:
                raise CommandError(f"There is no reporting period {period}.")
        else:
            found = periods.closed_by(timezone.localdate()).first()
            if found is None:
                raise CommandError("No period's update window has closed yet; name a period.")
        if sync:
            report = report_request(period=found, user=None, queue=False)
            report_compile(report_id=report.pk)
            report.refresh_from_db()
            self.stdout.write(f"{report}: {report.get_status_display().lower()}.")
            return
        try:
            report = report_request(period=found, user=None)
        except QueueDown as exc:
            raise CommandError(str(exc)) from exc
        report.refresh_from_db()
        if report.status == QuarterlyReport.Status.FAILED:
            raise CommandError(QUEUE_DOWN)
        self.stdout.write(f"{report}: queued.")
