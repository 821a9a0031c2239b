"""Model fields for text people type: cleaned (core.text.clean_text) whenever the model is
validated, so every form, the admin, every service (they call full_clean) and every
import that validates stores text that is safe in every output."""

from __future__ import annotations

from typing import Any

from django.db import models

from .text import clean_cell


class _CleansText:
    """Cleans the value whenever the model is validated (`clean_fields` keeps what this returns)."""

    def to_python(self, value: Any) -> Any:
        return clean_cell(super().to_python(value))  # type: ignore[misc]


class CleanCharField(_CleansText, models.CharField):
    """A CharField whose value loses Word's stray control characters on validation."""


class CleanTextField(_CleansText, models.TextField):
    """A TextField whose value loses Word's stray control characters on validation."""
