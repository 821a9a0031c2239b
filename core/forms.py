"""What every form of the portal shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.html import conditional_escape

from .models import StaleEdit


class PortalFormMixin:
    """What every form of the portal does.

    Labels and hints are text. The GOV.UK template pack (crispy-forms-gds) renders them
    with `|safe`, so a milestone title or a column heading holding markup would run as
    markup: every label and hint is escaped here, once, for every form (text marked safe
    on purpose, as our own markup is, passes unchanged). Legends given to a layout are
    escaped where they are made.

    A hidden field (the version a form was opened at) that comes back invalid was changed
    in the browser: it has no box to show its error beside, so the form says so at the top
    and saves nothing."""

    TAMPERED = "The form was changed before it was sent, so nothing was saved. Reload the page, then save again."

    def __getitem__(self, name: str) -> BoundField:
        bound: BoundField = super().__getitem__(name)  # type: ignore[misc]
        bound.label = conditional_escape(bound.label)
        bound.help_text = conditional_escape(bound.help_text)
        return bound

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        errors = self._errors  # type: ignore[attr-defined]
        if not errors:
            return
        hidden = [name for name, field in self.fields.items() if field.widget.is_hidden and name in errors]  # type: ignore[attr-defined]
        for name in hidden:
            del errors[name]
        if hidden:
            self.add_error(None, self.TAMPERED)  # type: ignore[attr-defined]


class VersionField(forms.IntegerField):
    """The version of a record (`core.models.Versioned`) the form was opened at, so a stale
    save can be refused."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=0, **kwargs)


def stale_refusal(form: forms.Form, save: Callable[[], Any]) -> StaleEdit | None:
    """Run a versioned save for a valid form. If someone saved the record since the form was
    opened, nothing is saved: the form keeps what was typed, moved to the version now saved
    (`rebase`), and what changed is returned for the page to show."""
    try:
        save()
    except StaleEdit as refused:
        rebase(form, refused.current.version)
        return refused
    return None


def rebase(form: forms.Form, current_version: int) -> None:
    """After a stale save was refused: keep everything the person typed, but move the form to
    the version now saved, so that saving again (after reading what changed) is a deliberate
    choice."""
    data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict: its copy can be changed
    data["version"] = str(current_version)
    form.data = data


NARRATIVE_LIMIT = 5_000


class NarrativeField(forms.CharField):
    """A narrative box (progress, issues, a comment): up to NARRATIVE_LIMIT characters, said
    plainly when it is over. No `maxlength` on the box: a browser would cut a pasted text
    short without a word, and the person's words would be lost."""

    widget = forms.Textarea

    def __init__(self, *, label: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(label=label, max_length=NARRATIVE_LIMIT, **kwargs)
        self.error_messages["max_length"] = f"{label} must be {NARRATIVE_LIMIT:,} characters or fewer"

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class GovukDateField(DateInputField):
    """The GOV.UK date input (day, month and year boxes) with its errors in plain words and
    one message for one bad value: "Due date must be a real date, for example 27 3 2027",
    never Python's "day is out of range for month" (or a server error for a 20-digit year).
    Years run from EARLIEST to LATEST: a plan's dates are in this century."""

    EARLIEST = 1990
    LATEST = 2100

    def __init__(self, *, label: str, required: bool = True, hint: str = "", **kwargs: Any) -> None:
        super().__init__(label=label, required=required, help_text=hint, require_all_fields=False, **kwargs)
        self.error_messages["required"] = f"Enter the {label.lower()}"
        self.error_messages["incomplete"] = f"Enter the {label.lower()} as a day, month and year"
        self.what = label

    def compress(self, data_list: Any) -> dt.date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        if len(str(year)) != 4:
            raise ValidationError(f"{self.what}: the year must have 4 numbers, for example 2027")
        try:
            value = dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError) as exc:
            raise ValidationError(f"{self.what} must be a real date, for example 27 3 2027") from exc
        if not self.EARLIEST <= value.year <= self.LATEST:
            raise ValidationError(f"{self.what} must be between {self.EARLIEST} and {self.LATEST}")
        return value
