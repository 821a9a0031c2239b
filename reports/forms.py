"""The board paper's forms: a part's text, and the date of the board meeting."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout, Size
from django import forms
from django.utils import timezone

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


# How far ahead publishing may be set: a board meets within a quarter of its report.
MOST_AHEAD = dt.timedelta(days=92)


class PublishForm(PortalFormMixin, forms.Form):
    """Publish now, or at a set time (the beat publishes it then). The page's template holds
    the <form> and the warning button."""

    NOW, LATER = "now", "later"
    TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])")

    when = forms.ChoiceField(
        label="When should it be published?",
        choices=[
            Choice(NOW, "Now", hint="Board members can read it, and are emailed a link, at once."),
            Choice(LATER, "At a set time", hint="Until then you can change the time, or cancel it."),
        ],
        widget=forms.RadioSelect,
        initial=NOW,
        required=False,  # not chosen: now, as the button says
    )
    on = GovukDateField(label="Date to publish", required=False, hint="For a set time only. For example, 14 5 2024")
    at = forms.CharField(
        label="Time to publish", required=False, max_length=5, help_text="24-hour clock, for example 09:00"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.publish_at: dt.datetime | None = None
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("when", legend_size=Size.MEDIUM), Field("on"), Field.text("at", field_width=5)
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") != self.LATER:
            if data.get("on") or (data.get("at") or "").strip() or "on" in self.errors:
                # A date or time typed, but "Now" left chosen: never publish at once by mistake.
                self.add_error("when", "You gave a date or time: choose At a set time, or clear the date and time")
            return data
        day, time = data.get("on"), self.TIME.fullmatch((data.get("at") or "").strip())
        if day is None and "on" not in self.errors:
            self.add_error("on", "Enter the date to publish")
        if time is None:
            self.add_error("at", "Enter the time to publish as hours and minutes, for example 09:00")
        if day is None or time is None:
            return data
        wanted = dt.time(int(time[1]), int(time[2]))
        moment = timezone.make_aware(dt.datetime.combine(day, wanted))
        if moment.astimezone(dt.UTC).astimezone(moment.tzinfo).time() != wanted:  # a time the clocks skip
            self.add_error("at", "That time does not happen on that day, when the clocks go forward: choose another")
        elif moment <= timezone.now():
            self.add_error("on", "The time to publish must be in the future")
        elif moment > timezone.now() + MOST_AHEAD:
            self.add_error("on", f"The time to publish must be within {MOST_AHEAD.days} days")
        else:
            self.publish_at = moment
        return data
