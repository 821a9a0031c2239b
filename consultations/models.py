"""Resident consultations: what was asked, who answered (never by name), and what they said.

A response holds only a survey tool's response id, a ward and equality-monitoring
answers such as age band, all optional. No names, emails, addresses or any contact
detail are ever stored: there are no fields for them.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from accounts.models import User
from actionplans.models import Indicator, ReportingPeriod
from core.fields import CleanCharField, CleanTextField
from core.models import StagedUpload, Versioned
from priorities.models import Partnership


class AgeBand(models.TextChoices):
    UNDER_18 = "under-18", "Under 18"
    AGE_18_24 = "18-24", "18 to 24"
    AGE_25_34 = "25-34", "25 to 34"
    AGE_35_44 = "35-44", "35 to 44"
    AGE_45_54 = "45-54", "45 to 54"
    AGE_55_64 = "55-64", "55 to 64"
    AGE_65_74 = "65-74", "65 to 74"
    AGE_75_PLUS = "75-plus", "75 or over"
    PREFER_NOT = "prefer-not-to-say", "Prefer not to say"


class WardQuerySet(models.QuerySet["Ward"]):
    def named_by(self, consultation: Consultation) -> WardQuerySet:
        """The wards a consultation's responses may name: its partnership's, within its
        boundary set when it names one."""
        wards = self.filter(partnership_id=consultation.partnership_id)
        if consultation.ward_boundaries:
            wards = wards.filter(boundaries=consultation.ward_boundaries)
        return wards


class Ward(models.Model):
    """An electoral ward of the partnership's area, within one set of boundaries."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="wards")
    name = CleanCharField(max_length=120)
    code = CleanCharField(max_length=9, blank=True, help_text="The ONS (GSS) code, e.g. E05008495.")
    boundaries = CleanCharField(max_length=20, help_text="The boundary set the ward belongs to, e.g. “2011–2023”.")

    objects = WardQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "boundaries", "name"], name="one_ward_per_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ThemeTag(models.Model):
    """A theme for coding free-text answers: something that makes people feel safe or unsafe."""

    class Feeling(models.TextChoices):
        SAFE = "safe", "Makes people feel safe"
        UNSAFE = "unsafe", "Makes people feel unsafe"
        OTHER = "other", "Other"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="theme_tags")
    name = CleanCharField(max_length=120)
    feeling = CleanCharField(max_length=10, choices=Feeling.choices, default=Feeling.OTHER)
    position = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "name"], name="one_tag_per_name")]

    def __str__(self) -> str:
        return self.name


class ConsultationQuerySet(models.QuerySet["Consultation"]):
    def earlier_than(self, consultation: Consultation) -> ConsultationQuerySet:
        return self.filter(partnership_id=consultation.partnership_id, year__lt=consultation.year).order_by("-year")


class Consultation(models.Model):
    """A resident survey: its questions, its responses, and the headline the partnership published."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="consultations")
    title = CleanCharField(max_length=200)
    slug = models.SlugField(max_length=60, help_text="Its name in addresses and commands; unique in its partnership.")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1998), MaxValueValidator(2100)])
    method = CleanCharField(max_length=300, blank=True, help_text="How it was run, e.g. “online and at events”.")
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    ward_boundaries = CleanCharField(
        max_length=20, blank=True, help_text="The ward boundary set its responses name, e.g. “2011–2023”."
    )
    headline_question = models.ForeignKey(
        "Question",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The question whose positive answers make the headline (confidence).",
    )
    headline_label = CleanCharField(
        max_length=200,
        blank=True,
        help_text="What the headline measures, e.g. “very or fairly confident that agencies work together”.",
    )
    published_percent = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text="The headline as the partnership published it.",
    )
    published_respondents = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many people answered, as published; blank if not published."
    )
    published_source = CleanCharField(max_length=300, blank=True, help_text="Where the published figures are from.")
    responses_are_illustrative = models.BooleanField(
        default=False, help_text="The responses held here are made up for demonstration."
    )

    history = HistoricalRecords()
    objects = ConsultationQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "title"]
        constraints = [models.UniqueConstraint(fields=["partnership", "slug"], name="consultation_slug_unique")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("consultations:consultation", args=[self.partnership.slug, self.slug])

    @cached_property
    def ward_list(self) -> list[Ward]:
        """Its wards by name, loaded once however many breakdowns of it are drawn."""
        return list(Ward.objects.named_by(self).order_by("name"))


class Question(models.Model):
    """One question of a consultation, and the kind of answer it takes."""

    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        SCALE = "scale", "Scale"
        FREE_TEXT = "free_text", "Free text"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()
    text = CleanTextField()
    kind = CleanCharField(max_length=10, choices=Kind.choices)
    note = CleanCharField(
        max_length=300, blank=True, help_text="Where the wording comes from, if not the survey itself."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["consultation", "number"]
        constraints = [models.UniqueConstraint(fields=["consultation", "number"], name="one_question_per_number")]

    def __str__(self) -> str:
        return f"Q{self.number}. {self.text}"

    @property
    def has_options(self) -> bool:
        return self.kind != self.Kind.FREE_TEXT


class Option(models.Model):
    """One answer a choice or scale question offers, in the order the survey showed it."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(default=0)
    label = CleanCharField(max_length=200)
    is_positive = models.BooleanField(
        default=False, help_text="Counts towards the headline, e.g. “Very confident” and “Fairly confident”."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["question", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "label"], name="one_option_per_label")]

    def __str__(self) -> str:
        return self.label


class ResponseImport(StagedUpload):
    """An uploaded export: a staged upload (the file, who, when) held from the mapping step
    to the confirm step, and kept after as the record of what it added."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="imports")
    tool = CleanCharField(max_length=80, help_text="The survey tool the file came from, e.g. “SmartSurvey”.")
    responses_added = models.PositiveIntegerField(default=0)

    class Meta(StagedUpload.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.file_name} ({self.tool})"


class ColumnMapping(models.Model):
    """How one survey tool's export maps onto a consultation's questions, offered again for
    the next file from the same tool. `columns` maps each column heading to a target:
    ``response_id``, ``ward``, ``age_band``, ``submitted_on``, ``question N`` or ``ignore``."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="mappings")
    tool = CleanCharField(max_length=80)
    columns = models.JSONField(default=dict)
    updated_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["tool"]
        constraints = [models.UniqueConstraint(fields=["consultation", "tool"], name="one_mapping_per_tool")]

    def __str__(self) -> str:
        return f"{self.tool} → {self.consultation}"


class Response(models.Model):
    """One person's answers, known only by the survey tool's response id. There is nowhere
    to put a name or contact detail, by design."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    external_id = CleanCharField(max_length=64, help_text="The survey tool's response id.")
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.PROTECT, related_name="responses")
    age_band = CleanCharField(max_length=20, choices=AgeBand.choices, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    imported_in = models.ForeignKey(
        ResponseImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )

    class Meta:
        ordering = ["consultation", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "external_id"], name="one_response_per_id"),
        ]

    def __str__(self) -> str:
        return f"Response {self.external_id}"


class Answer(Versioned):
    """One response's answer to one question: a chosen option (one row per option for a
    multiple-choice question) or free text, which admins code with theme tags."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, null=True, blank=True, on_delete=models.PROTECT, related_name="answers")
    text = CleanTextField(blank=True)
    tags = models.ManyToManyField(ThemeTag, blank=True, related_name="answers")
    publishable = models.BooleanField(
        default=False, help_text="An admin has read it and it may be quoted to everyone signed in."
    )

    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        ordering = ["question", "response", "option__position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(option__isnull=False) | ~models.Q(text=""),
                name="answer_has_option_or_text",
                violation_error_message="An answer needs a chosen option or some text",
            ),
            models.UniqueConstraint(
                fields=["response", "question", "option"],
                condition=models.Q(option__isnull=False),
                name="one_answer_per_option",
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=models.Q(option__isnull=True),
                name="one_text_answer_per_question",
            ),
        ]
        indexes = [models.Index(fields=["question", "option"])]

    def __str__(self) -> str:
        return self.text[:60] if self.option_id is None else str(self.option)


class ConsultationResults(models.Model):
    """A consultation's results as `results.results_refresh` last computed them from its
    answers, so that its pages, its download and the quarterly report read one row however
    many responses it has. Refreshed in the transaction of every change to what they hold;
    a separate row, not a field of Consultation, so that its history is not a copy of every
    result. `shape` is the `results.SHAPE` they were computed in: a row of an older shape is
    computed again when first read."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, primary_key=True, related_name="stored_results"
    )
    data = models.JSONField()
    shape = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "consultation results"

    def __str__(self) -> str:
        return f"Results of {self.consultation_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class IndicatorFeed(models.Model):
    """A question's headline result written into a plan indicator's value for one period."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="feeds")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="consultation_feeds")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=5, decimal_places=1)
    respondents = models.PositiveIntegerField()
    fed_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    fed_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-fed_at"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="one_feed_per_indicator_period")]

    def __str__(self) -> str:
        return f"{self.question} → {self.indicator} ({self.period})"
