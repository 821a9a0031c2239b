from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from accounts.models import Agency, Role, User
from core.fields import CleanCharField, CleanTextField
from core.models import Versioned

# The first part of a partnership's addresses may not be one of the portal's own.
RESERVED_SLUGS = frozenset(
    {
        "accounts",
        "admin",
        "accessibility",
        "bench",
        "calendar",
        "charts",
        "healthz",
        "media",
        "my-actions",
        "static",
        "whats-due",
    }
)


def slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(f"“{value}” is one of the portal's own addresses; choose another")


# A plan line's key: lower-case letters and digits in words joined by hyphens, e.g. high-harm.
KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
KEY_MAX_LENGTH = 50
plan_key = RegexValidator(KEY_PATTERN, "Use lower-case letters, digits and hyphens, e.g. knife-crime")


def _key_field() -> models.CharField:
    return models.CharField(
        max_length=KEY_MAX_LENGTH,
        validators=[plan_key],
        help_text="The plan file's name for this, which keeps it the same row when its text is reworded.",
    )


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def of_user(self, user: User) -> PartnershipQuerySet:
        """The partnerships the person holds a role in (every one, for a superuser)."""
        if user.is_superuser:
            return self.all()
        return self.filter(memberships__user=user, memberships__ended_at__isnull=True).distinct()


class Partnership(models.Model):
    """A Community Safety Partnership: its vision, the agencies that form it, the board it
    reports to, and its own update reminders and report schedule."""

    name = CleanCharField(max_length=200, unique=True)
    short_name = CleanCharField(max_length=100)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        validators=[slug_not_reserved],
        help_text="The partnership's part of every address of its pages, e.g. bedford-borough.",
    )
    board_name = CleanCharField(
        max_length=200, blank=True, help_text="The board the quarterly report goes to, e.g. “Safer Thematic Board”."
    )
    strapline = CleanCharField(max_length=200, blank=True)
    vision = CleanTextField()
    members = models.ManyToManyField(Agency, blank=True, related_name="partnerships")
    remind_days_before = models.PositiveSmallIntegerField(
        default=5, help_text="Owners are reminded from this many days before an update window closes."
    )
    remind_days_after = models.PositiveSmallIntegerField(
        default=30, help_text="…and chased for this many days after it closed."
    )
    compile_days_after_close = models.PositiveSmallIntegerField(
        default=1, help_text="The quarter's report is compiled this many days after its update window closes."
    )

    history = HistoricalRecords(m2m_fields=[members])
    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("priorities:home", args=[self.slug])

    @property
    def board(self) -> str:
        """The board's name for sentences: "the Safer Thematic Board", or "the board"."""
        return f"the {self.board_name}" if self.board_name else "the board"

    def responsible_authorities(self) -> models.QuerySet[Agency]:
        return self.members.filter(kind=Agency.Kind.RESPONSIBLE_AUTHORITY)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        return self.filter(ended_at__isnull=True)


class Membership(models.Model):
    """One role a person holds in one partnership. A person belongs to one agency and may
    hold different roles in different partnerships (an officer in two, a board member in a
    third). Ended, never deleted, so the record of who could do what stays."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = CleanCharField(max_length=20, choices=Role.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "user", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_role_each",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.role}, {self.partnership.short_name}"


class StrategicAssessment(models.Model):
    """The annual crime and disorder strategic assessment that priorities rest on."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField()
    title = CleanCharField(max_length=200)
    findings = CleanTextField(blank=True)
    url = models.URLField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["partnership", "year"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "year"], name="one_assessment_per_year"),
        ]

    def __str__(self) -> str:
        return self.title


class StrategicPlanQuerySet(models.QuerySet["StrategicPlan"]):
    def in_force(self) -> StrategicPlanQuerySet:
        """Plans no other plan supersedes, newest first: the first is the current plan."""
        return self.filter(superseded_by__isnull=True).order_by("-starts", "-pk")

    def current(self) -> StrategicPlan | None:
        """The newest plan that no other plan supersedes: ask it of one partnership's plans."""
        return self.in_force().select_related("partnership", "based_on").first()


class StrategicPlan(models.Model):
    """A partnership's strategic plan for a span of years, and the plan it replaced."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="plans")
    title = CleanCharField(max_length=200)
    starts = models.DateField()
    ends = models.DateField()
    based_on = models.ForeignKey(
        StrategicAssessment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans",
        help_text="The strategic assessment the current priorities rest on.",
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )

    history = HistoricalRecords()
    objects = StrategicPlanQuerySet.as_manager()

    class Meta:
        ordering = ["partnership", "-starts"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "title"], name="plan_title_unique"),
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")),
                name="plan_ends_after_start",
                violation_error_message="The plan must end after it starts",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PriorityQuerySet(models.QuerySet["Priority"]):
    def current(self) -> PriorityQuerySet:
        return self.filter(retired_at__isnull=True)

    def with_parts(self) -> PriorityQuerySet:
        """Everything a priority page shows, in a fixed number of queries."""
        key_issues = (
            KeyIssue.objects.current()
            .filter(parent__isnull=True)
            .prefetch_related(models.Prefetch("sub_points", queryset=KeyIssue.objects.current()))
        )
        return self.prefetch_related(
            models.Prefetch("themes", queryset=Theme.objects.current()),
            models.Prefetch("key_issues", queryset=key_issues, to_attr="top_key_issues"),
            models.Prefetch("aims", queryset=PartnershipAim.objects.current()),
            models.Prefetch("outcomes", queryset=ExpectedOutcome.objects.current()),
        )


class Priority(models.Model):
    """A strategic priority of a plan: its number, title and summary."""

    plan = models.ForeignKey(StrategicPlan, on_delete=models.CASCADE, related_name="priorities")
    key = _key_field()
    number = models.PositiveSmallIntegerField()
    title = CleanCharField(max_length=200)
    summary = CleanTextField(blank=True)
    lead = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_priorities",
        help_text="The priority lead, who reviews the quarterly updates of its actions.",
    )
    retired_at = models.DateTimeField(null=True, blank=True, help_text="Set when a revision of the plan drops it.")

    history = HistoricalRecords()
    objects = PriorityQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name_plural = "priorities"
        constraints = [
            # A retired priority keeps its number; a current one may take it.
            models.UniqueConstraint(
                fields=["plan", "number"], condition=models.Q(retired_at__isnull=True), name="priority_number_unique"
            ),
            models.UniqueConstraint(fields=["plan", "key"], name="priority_key_unique"),
        ]

    def __str__(self) -> str:
        return f"Priority {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("priorities:priority", args=[self.plan.partnership.slug, self.pk])

    @property
    def partnership_id(self) -> int:
        return self.plan.partnership_id


class PlanItemQuerySet(models.QuerySet):
    def current(self) -> PlanItemQuerySet:
        return self.filter(retired_at__isnull=True)


class PlanItem(models.Model):
    """A numbered line of a priority; retired rather than deleted so history keeps it.

    The plan file names each line by its `key`, unique among the priority's lines of that
    kind (and a sub-point's among its key issue's), so rewording or moving a line keeps
    the row and whatever actions point at it. Positions are unique among current lines
    only: a retired line keeps the place it had."""

    key = _key_field()
    position = models.PositiveSmallIntegerField()
    text = CleanTextField()
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return self.text


class Theme(PlanItem):
    """A theme the priority covers, such as "Knife Crime & Youth Violence"."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="themes")
    history = HistoricalRecords()

    class Meta(PlanItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "position"],
                condition=models.Q(retired_at__isnull=True),
                name="theme_position_unique",
            ),
            models.UniqueConstraint(fields=["priority", "key"], name="theme_key_unique"),
        ]


class KeyIssue(PlanItem):
    """A key issue the assessment found; may carry sub-points (a key issue with a parent)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="key_issues")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="sub_points")
    history = HistoricalRecords()

    class Meta(PlanItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "position"],
                condition=models.Q(parent__isnull=True, retired_at__isnull=True),
                name="key_issue_position_unique",
            ),
            models.UniqueConstraint(
                fields=["parent", "position"],
                condition=models.Q(parent__isnull=False, retired_at__isnull=True),
                name="sub_point_position_unique",
            ),
            models.UniqueConstraint(
                fields=["priority", "key"], condition=models.Q(parent__isnull=True), name="key_issue_key_unique"
            ),
            models.UniqueConstraint(
                fields=["parent", "key"], condition=models.Q(parent__isnull=False), name="sub_point_key_unique"
            ),
        ]


class PartnershipAim(PlanItem):
    """What the partnership aims to do about the priority."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="aims")
    history = HistoricalRecords()

    class Meta(PlanItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "position"], condition=models.Q(retired_at__isnull=True), name="aim_position_unique"
            ),
            models.UniqueConstraint(fields=["priority", "key"], name="aim_key_unique"),
        ]


class ExpectedOutcome(PlanItem):
    """An outcome the partnership expects by the end of the plan."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="outcomes")
    history = HistoricalRecords()

    class Meta(PlanItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "position"],
                condition=models.Q(retired_at__isnull=True),
                name="outcome_position_unique",
            ),
            models.UniqueConstraint(fields=["priority", "key"], name="outcome_key_unique"),
        ]


class GlossaryTerm(models.Model):
    """A term of the plan's glossary and what it means."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="glossary")
    term = CleanCharField(max_length=100)
    description = CleanTextField()

    history = HistoricalRecords()

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["partnership", "term"], name="glossary_term_unique")]

    def __str__(self) -> str:
        return self.term

    @property
    def is_acronym(self) -> bool:
        """Short upper-case terms (ASB, MARAC) get <abbr> markup on pages."""
        return self.term.isupper() and " " not in self.term


class PlanRevision(Versioned):
    """A yearly revision of a strategic plan after a new assessment: a draft of the plan's
    priorities and lines (in the plan file's `plan` shape, every line with its key) that
    CSP admins edit, then publish, either as a refresh of the same plan or as a new plan
    superseding it. Published, it keeps what changed (`summary`) as it stood that day."""

    class Kind(models.TextChoices):
        REFRESH = "refresh", "A refresh of the same plan"
        NEW_PLAN = "new_plan", "A new plan superseding this one"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="plan_revisions")
    plan = models.ForeignKey(
        StrategicPlan, on_delete=models.PROTECT, related_name="revisions", help_text="The plan it revises."
    )
    assessment = models.ForeignKey(
        StrategicAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    kind = CleanCharField(max_length=10, choices=Kind.choices, default=Kind.REFRESH)
    title = CleanCharField(max_length=200, help_text="The plan's title once published.")
    starts = models.DateField()
    ends = models.DateField()
    effective_on = models.DateField(null=True, blank=True)
    draft = models.JSONField(default=dict, blank=True, help_text="The priorities and their lines, keyed.")
    decisions = models.JSONField(
        default=dict, blank=True, help_text="Per open action id: keep, move:<theme key> or close."
    )
    status = CleanCharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    result = models.ForeignKey(
        StrategicPlan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The plan as published: the same plan for a refresh, the new one for a new plan.",
    )
    summary = models.JSONField(default=dict, blank=True, help_text="What changed, frozen when published.")
    recorded_from = CleanTextField(
        blank=True, help_text="For a revision made before the portal: the source it is recorded from."
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["partnership", "-effective_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"], condition=models.Q(status="draft"), name="one_open_draft_per_plan"
            ),
            models.CheckConstraint(
                condition=models.Q(ends__gt=models.F("starts")),
                name="revision_ends_after_start",
                violation_error_message="The plan must end after it starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("priorities:revision", args=[self.partnership.slug, self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def draft_priority(self, key: str) -> dict | None:
        return next((p for p in self.draft.get("priorities", []) if p["key"] == key), None)


class Invitation(models.Model):
    """An invitation to a partnership: who asked for which roles, and when (sent by email)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="invitations")
    roles = CleanCharField(max_length=200)
    invited_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-invited_at"]

    def __str__(self) -> str:
        return f"{self.user} to {self.partnership.short_name}"
