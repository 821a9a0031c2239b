from __future__ import annotations

from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from accounts.models import Agency
from core.fields import CleanCharField, CleanTextField


class Partnership(models.Model):
    """A Community Safety Partnership: its vision and the agencies that form it."""

    name = CleanCharField(max_length=200, unique=True)
    short_name = CleanCharField(max_length=100)
    strapline = CleanCharField(max_length=200, blank=True)
    vision = CleanTextField()
    members = models.ManyToManyField(Agency, blank=True, related_name="partnerships")

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def responsible_authorities(self) -> models.QuerySet[Agency]:
        return self.members.filter(kind=Agency.Kind.RESPONSIBLE_AUTHORITY)


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
        """The newest plan that no other plan supersedes."""
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
            models.UniqueConstraint(fields=["plan", "number"], name="priority_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Priority {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("priorities:priority", args=[self.pk])


class PlanItemQuerySet(models.QuerySet):
    def current(self) -> PlanItemQuerySet:
        return self.filter(retired_at__isnull=True)


class PlanItem(models.Model):
    """A numbered line of a priority; retired rather than deleted so history keeps it."""

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
        constraints = [models.UniqueConstraint(fields=["priority", "position"], name="theme_position_unique")]


class KeyIssue(PlanItem):
    """A key issue the assessment found; may carry sub-points (a key issue with a parent)."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="key_issues")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="sub_points")
    history = HistoricalRecords()

    class Meta(PlanItem.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["priority", "position"],
                condition=models.Q(parent__isnull=True),
                name="key_issue_position_unique",
            ),
            models.UniqueConstraint(
                fields=["parent", "position"],
                condition=models.Q(parent__isnull=False),
                name="sub_point_position_unique",
            ),
        ]


class PartnershipAim(PlanItem):
    """What the partnership aims to do about the priority."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="aims")
    history = HistoricalRecords()

    class Meta(PlanItem.Meta):
        constraints = [models.UniqueConstraint(fields=["priority", "position"], name="aim_position_unique")]


class ExpectedOutcome(PlanItem):
    """An outcome the partnership expects by the end of the plan."""

    priority = models.ForeignKey(Priority, on_delete=models.CASCADE, related_name="outcomes")
    history = HistoricalRecords()

    class Meta(PlanItem.Meta):
        constraints = [models.UniqueConstraint(fields=["priority", "position"], name="outcome_position_unique")]


class GlossaryTermQuerySet(models.QuerySet["GlossaryTerm"]):
    def of_current_plan(self) -> GlossaryTermQuerySet:
        """The glossary of the current plan's partnership, in the one query that reads it."""
        current = StrategicPlan.objects.in_force().values("partnership_id")[:1]
        return self.filter(partnership_id__in=current)


class GlossaryTerm(models.Model):
    """A term of the plan's glossary and what it means."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="glossary")
    term = CleanCharField(max_length=100)
    description = CleanTextField()

    history = HistoricalRecords()
    objects = GlossaryTermQuerySet.as_manager()

    class Meta:
        ordering = ["term"]
        constraints = [models.UniqueConstraint(fields=["partnership", "term"], name="glossary_term_unique")]

    def __str__(self) -> str:
        return self.term

    @property
    def is_acronym(self) -> bool:
        """Short upper-case terms (ASB, MARAC) get <abbr> markup on pages."""
        return self.term.isupper() and " " not in self.term
