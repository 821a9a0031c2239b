"""The board paper's forms: a part's text, and the date of the board meeting."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms

from core.forms import NARRATIVE_LIMIT, GovukDateField, NarrativeField, PortalFormMixin, VersionField


class PaperPartForm(PortalFormMixin, forms.Form):
    """One part of the board paper. Blank is allowed: a part left blank is left out of the
    report."""

    version = VersionField()
    text = NarrativeField(label="Text")

    def __init__(self, *args: Any, label: str, hint: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].help_text = f"{hint} Leave a blank line between paragraphs. Leave it empty to leave it out."
        self.fields["text"].error_messages["max_length"] = f"{label} must be {NARRATIVE_LIMIT:,} characters or fewer"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("version"),
            Field.textarea("text", label_size=Size.MEDIUM, rows=12, max_characters=NARRATIVE_LIMIT),
            Button("save", "Save"),
        )


class MeetingForm(PortalFormMixin, forms.Form):
    version = VersionField()
    meeting_on = GovukDateField(
        label="Date of the board meeting", required=False, hint="For example, 14 5 2024. Leave it blank if not set."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("version"), Field("meeting_on", legend_size=Size.MEDIUM), Button("save", "Save")
        )
