from __future__ import annotations

import datetime as dt

from django import template
from django.utils.safestring import SafeString

from priorities.glossary import Abbreviations

register = template.Library()


@register.filter
def abbr(text: str, abbreviations: Abbreviations | None) -> SafeString | str:
    """`{{ text|abbr:abbreviations }}`: the text, escaped, with acronyms explained."""
    if not abbreviations:
        return text
    return abbreviations.markup(text)


@register.filter
def iso_day(value: str) -> dt.date | str:
    """A date kept as text (2024-03-31) as a date, for the `date` filter; other text as it is."""
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
