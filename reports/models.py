from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from accounts.models import User
from actionplans.models import ReportingPeriod
from core.fields import CleanTextField
from core.models import Versioned
from priorities.models import Priority


class QuarterlyReport(models.Model):
    """One compiled version of a quarter's performance report: a frozen snapshot of every
    figure and word, and the HTML, PDF, spreadsheet and Word document made from it. Never
    overwritten: compiling again makes the next version."""

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
    publish_at = models.DateTimeField(
        null=True, blank=True, help_text="When it is to be published to the board, if an admin set a time."
    )
    publish_set_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField(null=True, blank=True, help_text="Every figure and word of the report, frozen.")
    html_file = models.CharField(max_length=300, blank=True)
    pdf_file = models.CharField(max_length=300, blank=True)
    xlsx_file = models.CharField(max_length=300, blank=True)
    docx_file = models.CharField(max_length=300, blank=True)

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

    def publish_held_back(self) -> str | None:
        """Why a report whose set time has come is not published then, or None: the admin
        who set it may no longer publish (a role ended), or another version of the quarter
        was published meanwhile. The report page says it, and the time stays until changed."""
        setter = self.publish_set_by
        if (
            setter is None
            or not setter.is_active
            or not setter.has_perm("reports.compile_reports", self.period.partnership)
        ):
            return "the admin who set the time can no longer publish reports: publish it now or set a new time"
        if QuarterlyReport.objects.filter(period_id=self.period_id, published_at__isnull=False).exists():
            return "another version of this quarter's report has been published since"
        return None


class BoardPaper(Versioned):
    """The words a quarter's board paper has beyond its figures, written in the portal:
    the date of the board meeting it goes to, and its parts (`BoardPaperPart`). Compiling a
    report freezes them into its snapshot, with who wrote each part and when."""

    period = models.OneToOneField(ReportingPeriod, on_delete=models.PROTECT, related_name="board_paper")
    meeting_on = models.DateField(null=True, blank=True, help_text="The board meeting this paper goes to.")

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.period.label} board paper"

    @property
    def partnership_id(self) -> int:
        return self.period.partnership_id


class BoardPaperPart(Versioned):
    """One part of a board paper: the summary, the recommendations, the decisions sought
    (one each), or one priority's commentary. Each keeps who last wrote it and when, and
    its history keeps every earlier draft."""

    class Part(models.TextChoices):
        SUMMARY = "summary", "Summary"
        COMMENTARY = "commentary", "Priority commentary"
        RECOMMENDATIONS = "recommendations", "Recommendations"
        DECISIONS = "decisions", "Decisions sought"

    paper = models.ForeignKey(BoardPaper, on_delete=models.CASCADE, related_name="parts")
    part = models.CharField(max_length=20, choices=Part.choices)
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.PROTECT, related_name="board_paper_parts"
    )
    text = CleanTextField(blank=True)
    written_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["paper", "part", "priority__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["paper", "part"], condition=models.Q(priority__isnull=True), name="one_board_paper_part"
            ),
            models.UniqueConstraint(
                fields=["paper", "priority"],
                condition=models.Q(priority__isnull=False),
                name="one_commentary_per_priority",
            ),
            models.CheckConstraint(
                condition=models.Q(part="commentary", priority__isnull=False)
                | (~models.Q(part="commentary") & models.Q(priority__isnull=True)),
                name="commentary_names_its_priority",
            ),
        ]

    def __str__(self) -> str:
        if self.priority is not None:
            return f"{self.paper}: commentary on priority {self.priority.number}"
        return f"{self.paper}: {self.get_part_display().lower()}"

    @property
    def partnership_id(self) -> int:
        return self.paper.partnership_id
