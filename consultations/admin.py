from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin_site import PartnershipScopedAdmin, RecordAdmin, RecordInline

from .models import ColumnMapping, Consultation, IndicatorFeed, Option, Question, ResponseImport, ThemeTag, Ward
from .results import results_refresh


class RefreshesResults(admin.ModelAdmin):
    """The admin of something a consultation's stored results are made of (its own fields,
    its questions and their options, the partnership's wards and theme tags): once an edit
    is saved, with its inlines, and before the admin's transaction ends, the results of each
    consultation it touches are refreshed, so no page shows them as they were before."""

    def consultations_of(self, obj: Any) -> QuerySet[Consultation]:
        raise NotImplementedError

    def _refresh(self, obj: Any) -> None:
        for consultation in self.consultations_of(obj):
            results_refresh(consultation)

    # Called once the record and its inlines are saved, on the change form and on the
    # history page's revert alike.
    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._refresh(obj)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._refresh(obj)
        return super().log_change(request, obj, message)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        consultations = list(self.consultations_of(obj))
        super().delete_model(request, obj)
        for consultation in consultations:
            results_refresh(consultation)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        consultations = {c for obj in queryset for c in self.consultations_of(obj)}
        super().delete_queryset(request, queryset)
        for consultation in consultations:
            results_refresh(consultation)


class QuestionInline(RecordInline):
    model = Question
    extra = 0
    fields = ["number", "text", "kind"]
    show_change_link = True


@admin.register(Consultation)
class ConsultationAdmin(RefreshesResults, RecordAdmin):
    partnership_path = "partnership"
    """A consultation and its questions; options are edited on each question's page."""

    list_display = ["title", "year", "published_percent", "published_respondents", "responses_are_illustrative"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [QuestionInline]
    fieldsets = [
        (None, {"fields": ["partnership", "title", "slug", "year", "method", "opens_on", "closes_on"]}),
        ("Responses", {"fields": ["ward_boundaries", "responses_are_illustrative"]}),
        (
            "Headline",
            {
                "fields": [
                    "headline_question",
                    "headline_label",
                    "published_percent",
                    "published_respondents",
                    "published_source",
                ]
            },
        ),
    ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        field = form.base_fields.get("headline_question")
        if isinstance(field, forms.ModelChoiceField):
            # Only a question of this consultation can make its headline.
            field.queryset = Question.objects.filter(consultation=obj) if obj else Question.objects.none()
        return form

    def consultations_of(self, obj: Consultation) -> QuerySet[Consultation]:
        return Consultation.objects.filter(pk=obj.pk)


class OptionInline(RecordInline):
    model = Option
    extra = 0
    fields = ["position", "label", "is_positive"]


@admin.register(Question)
class QuestionAdmin(RefreshesResults, RecordAdmin):
    partnership_path = "consultation__partnership"
    list_display = ["__str__", "consultation", "kind"]
    list_filter = [("consultation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["consultation"]
    inlines = [OptionInline]

    def consultations_of(self, obj: Question) -> QuerySet[Consultation]:
        return Consultation.objects.filter(pk=obj.consultation_id)


@admin.register(Ward)
class WardAdmin(RefreshesResults, PartnershipScopedAdmin):
    partnership_path = "partnership"
    list_display = ["name", "code", "boundaries", "partnership"]
    list_filter = ["boundaries"]

    def consultations_of(self, obj: Ward) -> QuerySet[Consultation]:
        return Consultation.objects.filter(partnership_id=obj.partnership_id)


@admin.register(ThemeTag)
class ThemeTagAdmin(RefreshesResults, RecordAdmin):
    partnership_path = "partnership"
    list_display = ["name", "feeling", "position"]
    list_filter = ["feeling"]

    def consultations_of(self, obj: ThemeTag) -> QuerySet[Consultation]:
        return Consultation.objects.filter(partnership_id=obj.partnership_id)


@admin.register(ColumnMapping)
class ColumnMappingAdmin(RecordAdmin):
    partnership_path = "consultation__partnership"
    list_display = ["tool", "consultation", "updated_by", "updated_at"]


@admin.register(ResponseImport)
class ResponseImportAdmin(PartnershipScopedAdmin):
    partnership_path = "consultation__partnership"
    """A record of each upload: who, when, how many responses it added. Files are not edited here."""

    list_display = ["file_name", "tool", "consultation", "uploaded_by", "uploaded_at", "imported_at", "responses_added"]
    fields = readonly_fields = (
        "consultation",
        "tool",
        "file_name",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "imported_at",
        "responses_added",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResponseImport]:
        return super().get_queryset(request).defer("content")


@admin.register(IndicatorFeed)
class IndicatorFeedAdmin(RecordAdmin):
    partnership_path = "question__consultation__partnership"
    list_display = ["indicator", "period", "value", "respondents", "question", "fed_by", "fed_at"]
    readonly_fields = ["fed_by"]
