from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin_site import PartnershipScopedAdmin, RecordAdmin, RecordInline

from .models import ColumnMapping, Consultation, IndicatorFeed, Option, Question, ResponseImport, ThemeTag, Ward


class QuestionInline(RecordInline):
    model = Question
    extra = 0
    fields = ["number", "text", "kind"]
    show_change_link = True


@admin.register(Consultation)
class ConsultationAdmin(RecordAdmin):
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


class OptionInline(RecordInline):
    model = Option
    extra = 0
    fields = ["position", "label", "is_positive"]


@admin.register(Question)
class QuestionAdmin(RecordAdmin):
    partnership_path = "consultation__partnership"
    list_display = ["__str__", "consultation", "kind"]
    list_filter = [("consultation", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["consultation"]
    inlines = [OptionInline]


@admin.register(Ward)
class WardAdmin(PartnershipScopedAdmin):
    partnership_path = "partnership"
    list_display = ["name", "code", "boundaries", "partnership"]
    list_filter = ["boundaries"]


@admin.register(ThemeTag)
class ThemeTagAdmin(RecordAdmin):
    partnership_path = "partnership"
    list_display = ["name", "feeling", "position"]
    list_filter = ["feeling"]


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
