"""What every form of the portal shares."""

from __future__ import annotations

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
