"""The glossary every page's layout uses for <abbr> markup."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .glossary import Abbreviations, abbreviations_of


def abbreviations(request: HttpRequest) -> dict[str, object]:
    """The acronyms of the page's partnership, loaded only on pages that use them."""
    partnership = getattr(request, "partnership", None)
    partnership_id = partnership.pk if partnership is not None else None
    lazy: Abbreviations = SimpleLazyObject(lambda: abbreviations_of(partnership_id))  # type: ignore[assignment]
    return {"abbreviations": lazy}
