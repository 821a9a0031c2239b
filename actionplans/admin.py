from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from core.admin_site import PartnershipScopedAdmin, RecordAdmin, RecordInline

from .models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Indicator,
    IndicatorValue,
    Milestone,
    ReminderSent,
    ReportingPeriod,
)

CHECKBOXES: dict[type[models.Field[Any, Any]], dict[str, Any]] = {
    models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}
}


class VersionedAdmin(RecordAdmin):
    """An edit in the admin is an edit: it raises the version, so forms opened before it
    are refused as stale instead of overwriting the admin's change."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            obj.claim(obj.version)  # the one lock every writer takes
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            if inline_form.instance.pk and inline_form.has_changed():
                inline_form.instance.claim(inline_form.instance.version)
        super().save_formset(request, form, formset, change)


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(RecordAdmin):
    partnership_path = "partnership"
    """Periods and their update windows (default: opens 14 days before quarter end, closes 15 after)."""

    list_display = ["__str__", "window_opens", "window_closes"]
    ordering = ["-financial_year", "-quarter"]


@admin.register(ActionPlan)
class ActionPlanAdmin(RecordAdmin):
    partnership_path = "partnership"
    list_display = ["__str__", "financial_year", "priority", "status", "approved_on"]
    list_filter = ["financial_year", "status"]
    list_select_related = ["priority"]


@admin.register(Indicator)
class IndicatorAdmin(RecordAdmin):
    partnership_path = "priority__plan__partnership"
    list_display = ["title", "priority", "unit", "higher_is_better", "baseline", "target", "tolerance"]
    list_filter = [("priority", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["priority"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(VersionedAdmin):
    partnership_path = "period__partnership"
    list_display = ["indicator", "period", "value", "provisional"]
    list_filter = [("period", admin.RelatedOnlyFieldListFilter), "provisional"]
    list_select_related = ["indicator", "period"]


class MilestoneInline(RecordInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_date", "completed_on"]


@admin.register(Milestone)
class MilestoneAdmin(VersionedAdmin):
    partnership_path = "action__plan__partnership"
    list_display = ["title", "action", "due_date", "completed_on"]
    list_select_related = ["action"]


@admin.register(Action)
class ActionAdmin(VersionedAdmin):
    partnership_path = "plan__partnership"
    list_display = ["reference", "title", "plan", "lead_agency", "owner", "due_date", "state", "is_illustrative"]
    list_filter = ["state", "plan__financial_year", "lead_agency", "is_illustrative"]
    list_select_related = ["plan__priority", "lead_agency", "owner"]
    search_fields = ["reference", "title"]
    formfield_overrides = CHECKBOXES
    inlines = [MilestoneInline]


@admin.register(ActionUpdate)
class ActionUpdateAdmin(VersionedAdmin):
    partnership_path = "period__partnership"
    list_display = ["__str__", "rag", "status", "submitted_by", "reviewed_by"]
    list_filter = ["status", "rag", ("period", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["action", "period", "submitted_by", "reviewed_by"]


@admin.register(ReminderSent)
class ReminderSentAdmin(PartnershipScopedAdmin):
    partnership_path = "period__partnership"
    list_display = ["recipient", "sent_on", "period", "actions"]
    list_select_related = ["recipient", "period"]
