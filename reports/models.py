from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import User
from actionplans.models import ReportingPeriod


class QuarterlyReport(models.Model):
    """One compiled version of a quarter's performance report: a frozen snapshot of every
    figure and word, and the HTML, PDF and spreadsheet made from it. Never overwritten:
    compiling again makes the next version."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Compiling"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, help_text="Why compiling failed, for admins.")
    attempts = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="Last sign of life from the process compiling it (every few seconds)."
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField(null=True, blank=True, help_text="Every figure and word of the report, frozen.")
    html_file = models.CharField(max_length=300, blank=True)
    pdf_file = models.CharField(max_length=300, blank=True)
    xlsx_file = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["snapshot", "heartbeat_at"])

    class Meta:
        ordering = ["-period__financial_year", "-period__quarter", "-version"]
        constraints = [models.UniqueConstraint(fields=["period", "version"], name="one_report_per_version")]

    def __str__(self) -> str:
        return f"{self.period.label} report, version {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("reports:report", args=[self.period.partnership.slug, self.pk])

    @property
    def partnership_id(self) -> int:
        return self.period.partnership_id

    @property
    def is_draft(self) -> bool:
        """Asked for before its quarter ended: the figures may still change, and the report
        says so on its cover, its page and in the list (ReportingPeriod.report_stage)."""
        return timezone.localdate(self.requested_at) <= self.period.ends

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
