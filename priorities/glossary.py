"""Marking up the plan's acronyms with their glossary meaning."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from .models import GlossaryTerm


@dataclass(frozen=True)
class Abbreviations:
    """Acronyms of a glossary and a pattern that finds them as whole words."""

    meanings: dict[str, str]

    @cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """Built once per glossary read (once a request), not once per text marked up."""
        if not self.meanings:
            return None
        alternatives = "|".join(re.escape(term) for term in sorted(self.meanings, key=len, reverse=True))
        return re.compile(rf"\b(?:{alternatives})\b")

    def markup(self, text: str) -> SafeString:
        """Escape the text and wrap each acronym in <abbr title="meaning">."""
        escaped = str(conditional_escape(text))
        pattern = self.pattern
        # Safe: the text was escaped above, and the markup added is ours, with escaped meanings.
        if pattern is None:
            return mark_safe(escaped)  # noqa: S308
        return mark_safe(  # noqa: S308
            pattern.sub(lambda m: f'<abbr title="{escape(self.meanings[m.group(0)])}">{m.group(0)}</abbr>', escaped)
        )


def abbreviations_of(partnership_id: int | None) -> Abbreviations:
    """The acronyms of a partnership's glossary, in one query (none off its pages)."""
    if partnership_id is None:
        return Abbreviations({})
    terms = GlossaryTerm.objects.filter(partnership_id=partnership_id).only("term", "description")
    return Abbreviations({t.term: t.description for t in terms if t.is_acronym})
