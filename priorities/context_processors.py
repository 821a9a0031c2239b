"""The glossary every page's layout uses for <abbr> markup."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .glossary import Abbreviations, abbreviations_for_current_plan


def abbreviations(request: HttpRequest) -> dict[str, object]:
    """The current plan's acronyms, loaded only on pages that use them."""
    lazy: Abbreviations = SimpleLazyObject(abbreviations_for_current_plan)  # type: ignore[assignment]
    return {"abbreviations": lazy}
