from __future__ import annotations

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
