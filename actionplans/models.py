from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from accounts.models import Agency, User
from core import periods
from core.fields import CleanCharField, CleanTextField
from core.models import StagedUpload, Versioned
from priorities.models import ExpectedOutcome, Partnership, PartnershipAim, Priority, Theme

# The note on every indicator figure the demo makes up (actionplans.demo), so that a real
# source, a consultation's feed say, can find and replace it.
ILLUSTRATIVE_NOTE = "Illustrative figure."


def is_count(unit: str) -> bool:
    """Whether an indicator in `unit` counts something (offences, people), and so is a whole
    number that cannot be negative; the one other unit is "%". The form's checks, the demo's
    figures, the consultation feed and the report's noise test all ask this."""
    return unit.strip() != "%"


class ReportingPeriodQuerySet(models.QuerySet["ReportingPeriod"]):
    def open_on(self, day: dt.date) -> ReportingPeriodQuerySet:
        return self.filter(window_opens__lte=day, window_closes__gte=day)

    def with_data(self, *also: int) -> ReportingPeriodQuerySet:
        """Periods with an update or an indicator value to show, and those named in `also`
        (the one on screen): what a quarter picker offers."""
        has_update = ActionUpdate.objects.filter(period=models.OuterRef("pk"))
        has_value = IndicatorValue.objects.filter(period=models.OuterRef("pk"))
        return self.filter(models.Exists(has_update) | models.Exists(has_value) | models.Q(pk__in=also))

    def closed_by(self, day: dt.date) -> ReportingPeriodQuerySet:
        """Periods whose update window closed before `day`, newest first."""
        return self.filter(window_closes__lt=day).order_by("-financial_year", "-quarter")

    def current_each(self, day: dt.date) -> dict[int, ReportingPeriod]:
        """Each partnership's current period (as `current`), read in one query."""
        fy, quarter = periods.quarter_of(day)
        found: dict[int, ReportingPeriod] = {}
        started: dict[int, ReportingPeriod] = {}
        for period in self.order_by("-financial_year", "-quarter"):
            if period.window_opens <= day <= period.window_closes:
                found.setdefault(period.partnership_id, period)
            if (period.financial_year, period.quarter) <= (fy, quarter):
                started.setdefault(period.partnership_id, period)
        return started | found

    def current(self, day: dt.date) -> ReportingPeriod | None:
        """The period whose window is open on `day`; else the latest that has started.
        Ask it of one partnership's periods."""
        open_now = self.open_on(day).order_by("-financial_year", "-quarter").first()
        if open_now is not None:
            return open_now
        fy, quarter = periods.quarter_of(day)
        started = models.Q(financial_year__lt=fy) | models.Q(financial_year=fy, quarter__lte=quarter)
        return self.filter(started).order_by("-financial_year", "-quarter").first()


class ReportingPeriod(models.Model):
    """A quarter of a financial year and the window in which a partnership's updates for it
    are written. Quarters are the financial year's for everyone; each partnership sets its
    own windows."""

    class WindowState(models.TextChoices):
        UPCOMING = "upcoming", "Not open yet"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="periods")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2023 for 2023-24."
    )
    quarter = models.PositiveSmallIntegerField(choices=[(q, f"Q{q}") for q in range(1, 5)])
    window_opens = models.DateField()
    window_closes = models.DateField()

    history = HistoricalRecords()
    objects = ReportingPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["-financial_year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "financial_year", "quarter"], name="one_period_per_quarter"),
            models.CheckConstraint(
                condition=models.Q(window_closes__gte=models.F("window_opens")),
                name="window_order",
                violation_error_message="The window must close on or after the day it opens",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="quarter_range",
                violation_error_message="The quarter must be 1, 2, 3 or 4",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return periods.period_label(self.financial_year, self.quarter)

    @property
    def starts(self) -> dt.date:
        return periods.quarter_start(self.financial_year, self.quarter)

    @property
    def ends(self) -> dt.date:
        return periods.quarter_end(self.financial_year, self.quarter)

    def window_state(self, today: dt.date) -> WindowState:
        if today < self.window_opens:
            return self.WindowState.UPCOMING
        if today > self.window_closes:
            return self.WindowState.CLOSED
        return self.WindowState.OPEN

    def is_open(self, today: dt.date) -> bool:
        return self.window_state(today) == self.WindowState.OPEN

    def report_stage(self, today: dt.date) -> str | None:
        """What report the quarter can have on `today`: "final" once it has ended, "draft"
        while it runs (its figures may still change, and the report says so), None before it
        starts (there is nothing to report)."""
        if today > self.ends:
            return "final"
        if today >= self.starts:
            return "draft"
        return None


class ActionPlan(models.Model):
    """One priority's actions for one financial year, reviewed and approved annually. Its
    partnership is the priority's, held here too so that every scoped query is one join."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="action_plans")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="action_plans")
    financial_year = models.PositiveSmallIntegerField()
    status = CleanCharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-financial_year", "priority__number"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "financial_year"], name="one_action_plan_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year_label} action plan: Priority {self.priority.number}"

    def get_absolute_url(self) -> str:
        return reverse("actionplans:plan", args=[self.partnership.slug, self.pk])

    def clean(self) -> None:
        super().clean()
        if self.priority_id and self.partnership_id and self.priority.plan.partnership_id != self.partnership_id:
            raise ValidationError({"priority": "Choose a priority of this partnership's plan"})

    @property
    def year_label(self) -> str:
        return periods.financial_year_label(self.financial_year)


class Indicator(models.Model):
    """A measure of a priority's progress, with its target and how to judge it."""

    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="indicators")
    title = CleanCharField(max_length=200)
    unit = CleanCharField(max_length=40, help_text="What a value counts, e.g. “offences” or “%”.")
    higher_is_better = models.BooleanField(help_text="The polarity: is a higher value better?")
    baseline = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_label = CleanCharField(max_length=60, blank=True, help_text="When the baseline is from, e.g. 2022-23.")
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    tolerance = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal(0), help_text="How far from target still counts as near it."
    )
    data_source = CleanCharField(max_length=200, blank=True)
    supplying_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_illustrative = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["priority__number", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def partnership_id(self) -> int:
        return self.priority.plan.partnership_id

    @property
    def is_count(self) -> bool:
        return is_count(self.unit)


class ActionQuerySet(models.QuerySet["Action"]):
    def open(self) -> ActionQuerySet:
        return self.filter(state=Action.State.OPEN)

    def for_officer(self, user: User) -> ActionQuerySet:
        """Actions the person may edit: led by their agency or owned by them."""
        mine = models.Q(owner=user)
        if user.agency_id:
            mine |= models.Q(lead_agency_id=user.agency_id)
        return self.filter(mine)

    def running_in(self, period: ReportingPeriod) -> ActionQuerySet:
        """Actions whose dates overlap the period's quarter (see `Action.runs_in`)."""
        return self.filter(start_date__lte=period.ends, due_date__gte=period.starts)


class Action(Versioned):
    """Something the partnership will do in a year to deliver a priority."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="actions")
    reference = CleanCharField(max_length=20, help_text="A short code, unique in the plan, e.g. 1.4")
    title = CleanCharField(max_length=300)
    description = CleanTextField(blank=True)
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="actions")
    aims = models.ManyToManyField(PartnershipAim, blank=True, related_name="actions")
    outcomes = models.ManyToManyField(ExpectedOutcome, blank=True, related_name="actions")
    lead_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="led_actions")
    supporting_agencies = models.ManyToManyField(Agency, blank=True, related_name="supported_actions")
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_actions")
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="actions")
    start_date = models.DateField()
    due_date = models.DateField()
    state = CleanCharField(max_length=10, choices=State.choices, default=State.OPEN)
    is_illustrative = models.BooleanField(default=False, help_text="Demo data, not the partnership's real plan.")

    history = HistoricalRecords(m2m_fields=[aims, outcomes, supporting_agencies, indicators])
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "reference"], name="action_reference_unique"),
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("start_date")),
                name="action_dates_order",
                violation_error_message="The due date must be the same as or after the start date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("actionplans:action", args=[self.plan.partnership.slug, self.pk])

    @property
    def partnership_id(self) -> int:
        return self.plan.partnership_id

    def is_editable_by_agency_of(self, user: User) -> bool:
        return self.owner_id == user.pk or (user.agency_id is not None and self.lead_agency_id == user.agency_id)

    def runs_in(self, period: ReportingPeriod) -> bool:
        """The action is under way at some point of the period's quarter, so it owes an update."""
        return self.start_date <= period.ends and self.due_date >= period.starts


class Milestone(Versioned):
    """A dated step of an action; its status follows from its dates."""

    class Status(models.TextChoices):
        NOT_DUE = "not_due", "Not due"
        ON_TRACK = "on_track", "On track"
        DUE_SOON = "due_soon", "Due soon"
        OVERDUE = "overdue", "Overdue"
        COMPLETE = "complete", "Complete"

    # "Due soon" is the last fortnight before the due date; "on track" the rest of the
    # quarter it is due in; "not due" anything later.
    DUE_SOON_DAYS = 14

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = CleanCharField(max_length=300)
    due_date = models.DateField()
    completed_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def partnership_id(self) -> int:
        return self.action.partnership_id

    def status(self, today: dt.date) -> Status:
        if self.completed_on is not None:
            return self.Status.COMPLETE
        if self.due_date < today:
            return self.Status.OVERDUE
        if (self.due_date - today).days <= self.DUE_SOON_DAYS:
            return self.Status.DUE_SOON
        fy, quarter = periods.quarter_of(today)
        if self.due_date <= periods.quarter_end(fy, quarter):
            return self.Status.ON_TRACK
        return self.Status.NOT_DUE

    def is_overdue(self, today: dt.date) -> bool:
        return self.status(today) == self.Status.OVERDUE


class Rag(models.TextChoices):
    """Red, amber, green: the officer's judgement of an action this quarter."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"


RAG_DEFINITIONS = {
    Rag.GREEN: "On track: the action will be delivered on time and as planned.",
    Rag.AMBER: "At risk: there is slippage or a problem, and it is being managed.",
    Rag.RED: "Off track: the action will not be delivered on time without help from the board.",
}


class ActionUpdateQuerySet(models.QuerySet["ActionUpdate"]):
    def for_quarter(self, *, action: Action, period: ReportingPeriod) -> ActionUpdate:
        """The action's update for the period, or a new unsaved draft."""
        existing = self.filter(action=action, period=period).first()
        if existing is None:
            return ActionUpdate(action=action, period=period)
        existing.action, existing.period = action, period  # already read: not read again
        return existing

    def reported(self) -> ActionUpdateQuerySet:
        """Updates that speak for their action (see `ActionUpdate.is_reported`)."""
        return self.filter(status__in=ActionUpdate.REPORTED)


class ActionUpdate(Versioned):
    """An action's quarterly update: draft → submitted → approved, or returned to the officer."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"

    REPORTED = frozenset({Status.SUBMITTED, Status.APPROVED})

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="updates")
    rag = CleanCharField("RAG rating", max_length=5, choices=Rag.choices, blank=True)
    progress = CleanTextField(blank=True)
    issues_and_risks = CleanTextField(blank=True)
    support_requested = CleanTextField("Support asked of the board", blank=True)
    status = CleanCharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    saved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = CleanTextField(blank=True)
    reopened_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reopened_until = models.DateField(null=True, blank=True)
    reopen_reason = CleanTextField(blank=True)

    history = HistoricalRecords()
    objects = ActionUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["action", "-period__financial_year", "-period__quarter"]
        constraints = [models.UniqueConstraint(fields=["action", "period"], name="one_update_per_quarter")]

    UNIQUE_TOGETHER = ("action", "period")  # see Versioned.clean_and_save

    def __str__(self) -> str:
        return f"{self.action.reference} {self.period.label}"

    @property
    def partnership_id(self) -> int:
        return self.period.partnership_id

    @property
    def is_reported(self) -> bool:
        """Submitted or approved: a return. A draft or a returned update is the officer's
        work in progress, so reminders still chase it and reports count it missing."""
        return self.status in self.REPORTED

    @property
    def is_editable_state(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}

    def is_reopened_for(self, user: User, today: dt.date) -> bool:
        return self.reopened_for_id == user.pk and self.reopened_until is not None and today <= self.reopened_until

    def lock_reason(self, user: User, today: dt.date) -> str | None:
        """Why the officer may not edit the update today, in plain words; None if they may."""
        if self.is_reopened_for(user, today):
            return None
        if not self.is_editable_state:
            return f"This update was {self.get_status_display().lower()}, so it can no longer be changed."
        state = self.period.window_state(today)
        if state == ReportingPeriod.WindowState.UPCOMING:
            return (
                f"Updates for {self.period.label} open on {self.period.window_opens:%-d %B %Y}. "
                "You cannot write one yet."
            )
        if state == ReportingPeriod.WindowState.CLOSED:
            return (
                f"Updates for {self.period.label} closed on {self.period.window_closes:%-d %B %Y}. "
                "Ask the community safety team to reopen this update if you need to change it."
            )
        return None

    def rag_needs_check(self, milestones: Iterable[Milestone], today: dt.date) -> bool:
        """Rated green while one of the action's milestones is overdue: the rating needs a
        second look. `milestones` are the action's, as the caller already loaded them."""
        return self.rag == Rag.GREEN and any(m.is_overdue(today) for m in milestones)


class IndicatorValue(Versioned):
    """An indicator's value for one period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="indicator_values")
    value = models.DecimalField(max_digits=12, decimal_places=2)
    provisional = models.BooleanField(default=False, help_text="The figure may still change.")
    note = CleanTextField(blank=True)
    entered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "-period__financial_year", "-period__quarter"]
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="one_value_per_period")]

    UNIQUE_TOGETHER = ("indicator", "period")  # see Versioned.clean_and_save

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.period})"


class ReminderSent(models.Model):
    """A reminder email sent to one person on one day; at most one a day each."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField()
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    actions = models.PositiveIntegerField()

    class Meta:
        ordering = ["-sent_on"]
        verbose_name = "reminder sent"
        verbose_name_plural = "reminders sent"
        constraints = [models.UniqueConstraint(fields=["recipient", "sent_on"], name="one_reminder_a_day")]

    def __str__(self) -> str:
        return f"{self.recipient} {self.sent_on}"


class ActionImport(StagedUpload):
    """A file of actions or milestones uploaded for one plan: a staged upload held from the
    check to the confirm, with the version each record it touches had when it was checked,
    so that the import is refused if any of them changes in between."""

    class Kind(models.TextChoices):
        ACTIONS = "actions", "Actions"
        MILESTONES = "milestones", "Milestones"

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="imports")
    kind = CleanCharField(max_length=10, choices=Kind.choices)
    versions = models.JSONField(
        default=dict, blank=True, help_text="The version of each existing record the file touches, when checked."
    )

    class Meta(StagedUpload.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.file_name} ({self.kind})"


class CalendarFeed(models.Model):
    """Which address of a person's calendar feed works. The address signs their id and this
    generation (see `actionplans.calendar`): making a new address adds one, so every older
    address stops working. A person without a row is at generation 0."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    generation = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} (address {self.generation})"
