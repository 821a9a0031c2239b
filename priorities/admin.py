from __future__ import annotations

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest

from accounts.admin import RecentSignInAdmin
from core.admin_site import RecordAdmin, RecordInline
from core.history import HistoryEntry, history_entries

from .models import (
    ExpectedOutcome,
    GlossaryTerm,
    KeyIssue,
    Membership,
    Partnership,
    PartnershipAim,
    Priority,
    StrategicAssessment,
    StrategicPlan,
    Theme,
)

# One text box per date-time, so its <label> names it (the admin's split date and time
# boxes leave the time box unlabelled).
SINGLE_DATETIME: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.DateTimeField: {"form_class": forms.DateTimeField, "widget": forms.DateTimeInput},
}


class PlanItemInline(RecordInline):
    # Stacked, not tabular: each field keeps its own <label> (axe finds tabular inlines'
    # inputs unlabelled, and screen readers lose the column headers).
    fields = ["position", "text", "retired_at"]
    extra = 0
    formfield_overrides = SINGLE_DATETIME


class ThemeInline(PlanItemInline):
    model = Theme


class KeyIssueInline(PlanItemInline):
    model = KeyIssue
    fields = ["position", "parent", "text", "retired_at"]
    verbose_name = "key issue (a sub-point names its parent)"
    verbose_name_plural = "key issues (a sub-point names its parent)"

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField:
        # A sub-point's parent must be a key issue of the same priority.
        if db_field.name == "parent":
            match = request.resolver_match
            priority_id = match.kwargs.get("object_id") if match else None
            kwargs["queryset"] = KeyIssue.objects.filter(priority_id=priority_id or 0, parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[return-value]


class AimInline(PlanItemInline):
    model = PartnershipAim


class OutcomeInline(PlanItemInline):
    model = ExpectedOutcome


@admin.register(Priority)
class PriorityAdmin(RecordAdmin):
    partnership_path = "plan__partnership"
    """One priority with all its parts on one page."""

    list_display = ["number", "title", "plan", "retired_at"]
    list_filter = [("plan", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["plan"]
    search_fields = ["title", "summary"]
    inlines = [ThemeInline, KeyIssueInline, AimInline, OutcomeInline]
    formfield_overrides = SINGLE_DATETIME
    object_history_template = "admin/priorities/priority/object_history.html"

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        # The priority's own history, then every change made to its parts on the same page.
        context = {**(extra_context or {}), "part_history": _parts_history(int(object_id))}
        return super().history_view(request, object_id, extra_context=context)


@admin.register(Partnership)
class PartnershipAdmin(RecordAdmin):
    partnership_path = "pk"
    list_display = ["name", "short_name", "slug", "board_name"]

    # A new partnership, and a partnership's address, are the portal operator's
    # (superuser's): a CSP admin edits their own partnership's words and settings.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if request.user.is_superuser else ["slug"]

    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}


@admin.register(Membership)
class MembershipAdmin(RecentSignInAdmin, RecordAdmin):
    """Who holds which role in which partnership. A role is ended, never deleted: set
    "ended at" when someone leaves the role. Giving one asks for the password again, as
    adding a person does."""

    again_on_add = "make your changes again and press Save"

    partnership_path = "partnership"
    # A person of another partnership (the police officer who sits on three) may be given a
    # role here: every person is offered, by name.
    choices_from_everyone = frozenset({"user"})
    list_display = ["user", "role", "partnership", "started_at", "ended_at"]
    list_filter = [("partnership", admin.RelatedOnlyFieldListFilter), "role"]
    list_select_related = ["user", "partnership"]
    search_fields = ["user__full_name", "user__email"]
    readonly_fields = ["started_at"]
    formfield_overrides = SINGLE_DATETIME


@admin.register(StrategicAssessment)
class StrategicAssessmentAdmin(RecordAdmin):
    partnership_path = "partnership"
    list_display = ["title", "year", "partnership"]
    # A link typed without a scheme is taken as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = [("partnership", admin.RelatedOnlyFieldListFilter)]


@admin.register(StrategicPlan)
class StrategicPlanAdmin(RecordAdmin):
    partnership_path = "partnership"
    list_display = ["title", "partnership", "starts", "ends", "based_on", "supersedes"]
    list_select_related = ["partnership", "based_on", "supersedes"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(RecordAdmin):
    partnership_path = "partnership"
    list_display = ["term", "description", "partnership"]
    list_select_related = ["partnership"]
    search_fields = ["term", "description"]


for model in (Theme, KeyIssue, PartnershipAim, ExpectedOutcome):
    admin.site.register(
        model,
        type(
            f"{model.__name__}Admin",
            (RecordAdmin,),
            {
                "partnership_path": "priority__plan__partnership",
                "list_display": ["text", "priority", "position", "retired_at"],
                "list_select_related": ["priority"],
                "formfield_overrides": SINGLE_DATETIME,
            },
        ),
    )


def _part_subject(label: str, record: Any) -> str:
    return f"{label}: {record.text}"


def _parts_history(priority_id: int) -> list[HistoryEntry]:
    """Changes to a priority's themes, key issues, aims and outcomes, newest first."""
    entries: list[HistoryEntry] = []
    for model, label in (
        (Theme, "Theme"),
        (KeyIssue, "Key issue"),
        (PartnershipAim, "Aim"),
        (ExpectedOutcome, "Outcome"),
    ):
        records = list(
            model.history.filter(priority_id=priority_id).select_related("history_user").order_by("history_id")
        )
        entries.extend(history_entries(model, records, partial(_part_subject, label)))
    return sorted(entries, key=lambda e: (e.at, e.order), reverse=True)
