from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms

from actionplans.models import Indicator, ReportingPeriod
from core.forms import PortalFormMixin
from core.imports import max_upload_mb, upload_check

from .imports import IGNORE, target_choices
from .models import Consultation, Question


class UploadForm(PortalFormMixin, forms.Form):
    """The survey tool's export, and which tool it came from (so its mapping is offered again)."""

    tool = forms.CharField(
        label="Which survey tool made the file?",
        max_length=80,
        help_text="For example SmartSurvey, Microsoft Forms, or Paper forms typed up. "
        "The column mapping you choose is saved for the next file from the same tool.",
        error_messages={"required": "Enter the name of the survey tool"},
    )
    file = forms.FileField(
        label="File",
        help_text="The tool's export as a .csv (UTF-8) or .xlsx file, with a heading row.",
        error_messages={"required": "Choose a file to upload", "empty": "The file is empty"},
    )

    def __init__(self, *args: Any, saved_tools: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if saved_tools:
            self.fields["tool"].help_text += " Saved mappings: " + ", ".join(saved_tools) + "."
        self.fields["file"].help_text += f" Up to {max_upload_mb()} MB."
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.layout = Layout(Field.text("tool", field_width=20), Field("file"), Button("upload", "Upload"))

    def clean_tool(self) -> str:
        return " ".join(self.cleaned_data["tool"].split())

    def clean_file(self) -> Any:
        return upload_check(self.cleaned_data["file"])


class MappingForm(PortalFormMixin, forms.Form):
    """One choice per column of the file: what it holds."""

    def __init__(
        self, *args: Any, headers: list[str], consultation: Consultation, initial_columns: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = target_choices(consultation)
        self.headers = [h for h in headers if h]
        for index, header in enumerate(self.headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header, choices=choices, initial=initial_columns.get(header, IGNORE)
            )

    def columns(self) -> dict[str, str]:
        return {header: self.cleaned_data[f"column_{index}"] for index, header in enumerate(self.headers)}

    def pairs(self) -> list[tuple[str, forms.BoundField]]:
        return [(header, self[f"column_{index}"]) for index, header in enumerate(self.headers)]


class FeedForm(PortalFormMixin, forms.Form):
    """Which indicator, for which quarter, a question's headline feeds."""

    question = forms.ModelChoiceField(
        queryset=Question.objects.none(),
        label="Question",
        empty_label=None,
        error_messages={"required": "Choose the question"},
    )
    indicator = forms.ModelChoiceField(
        queryset=Indicator.objects.filter(unit="%").select_related("priority"),
        label="Indicator",
        help_text="Indicators measured in %.",
        empty_label=None,
        error_messages={"required": "Choose the indicator", "invalid_choice": "Choose one of the indicators listed"},
    )
    period = forms.ModelChoiceField(
        queryset=ReportingPeriod.objects.all(),
        label="Quarter",
        help_text="The quarter the consultation's result belongs to, usually the one it closed in.",
        empty_label=None,
        error_messages={"required": "Choose the quarter", "invalid_choice": "Choose one of the quarters listed"},
    )

    def __init__(self, *args: Any, consultation: Consultation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = consultation.questions.filter(options__is_positive=True).distinct()  # type: ignore[attr-defined]
        # Only the consultation's own partnership's indicators and quarters.
        partnership_id = consultation.partnership_id
        self.fields["indicator"].queryset = self.fields["indicator"].queryset.filter(  # type: ignore[attr-defined]
            priority__plan__partnership_id=partnership_id
        )
        self.fields["period"].queryset = ReportingPeriod.objects.filter(partnership_id=partnership_id)  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.form_action = ""
        self.helper.layout = Layout(
            Field.select("question"),
            Field.select("indicator"),
            Field.select("period"),
            Button("feed", "Feed the indicator"),
        )
        self.helper.label_size = Size.SMALL
