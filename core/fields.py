"""Model fields for text people type: cleaned (core.text.clean_text) whenever the model is
validated, so every form, the admin, every service (they call full_clean) and every
import that validates stores text that is safe in every output."""

from __future__ import annotations

from typing import Any

from django.db import models

from .text import clean_text


class CleanCharField(models.CharField):
    """A CharField whose value loses Word's stray control characters on validation."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return clean_text(value) if isinstance(value, str) else value


class CleanTextField(models.TextField):
    """A TextField whose value loses Word's stray control characters on validation."""

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return clean_text(value) if isinstance(value, str) else value
