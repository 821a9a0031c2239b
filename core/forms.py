"""What every form of the portal shares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.fields import DateInputField
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.html import conditional_escape


class EscapedLabelsMixin:
    """Labels and hints are text. The GOV.UK template pack (crispy-forms-gds) renders them
    with `|safe`, so a milestone title or a column heading holding markup would run as
    markup: every label and hint is escaped here, once, for every form (text marked safe
    on purpose, as our own markup is, passes unchanged). Legends given to a layout are
    escaped where they are made."""

    def __getitem__(self, name: str) -> BoundField:
        bound: BoundField = super().__getitem__(name)  # type: ignore[misc]
        bound.label = conditional_escape(bound.label)
        bound.help_text = conditional_escape(bound.help_text)
        return bound


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
