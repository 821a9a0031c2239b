"""Writes every app shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.db import transaction

from .models import StagedUpload, Versioned

V = TypeVar("V", bound=Versioned)


def versioned_save(*, instance: V, expected_version: int | None, user: Any, save: Callable[[], Any] | None = None) -> V:
    """Save a form-edited record unless someone saved it since `expected_version`.

    `save` is what writes it (a ModelForm's `save`, to keep its many-to-many fields);
    by default the instance's own."""
    with transaction.atomic():
        if instance.pk is not None:
            instance.claim(expected_version or 0)
        instance._history_user = user  # type: ignore[attr-defined]
        instance.full_clean()
        (save or instance.save)()
    return instance


def uploads_expire() -> int:
    """Drop the file of every upload, of every import, never imported within
    `StagedUpload.KEPT_FOR`: it may hold what people wrote. Runs daily (beat) and on each
    upload. The record of the upload stays."""
    dropped = 0
    for model in apps.get_models():
        if issubclass(model, StagedUpload):
            dropped += model.objects.expired().update(content=b"")
    return dropped
