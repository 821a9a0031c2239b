"""Models every app builds on: the optimistic lock of a record people edit in forms, and
the file someone uploaded to import, held between checking it and confirming it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from .fields import CleanCharField


@dataclass(frozen=True)
class FieldChange:
    """One field someone else changed while you were editing."""

    field: str
    before: str
    after: str


@dataclass
class StaleEdit(Exception):
    """The record changed after the form (or the checked file) was read; nothing was saved."""

    current: Versioned
    changes: list[FieldChange] = field(default_factory=list)
    changed_by: str = "someone else"
    changed_at: dt.datetime | None = None


class Versioned(models.Model):
    """A record people edit: `version` goes up by one on every write, and every writer
    goes through `claim`, so a write that started from an older version is refused."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True

    def claim(self, expected: int) -> None:
        """Move the row from version `expected` to the next, or raise StaleEdit naming what
        changed: an atomic compare-and-set, so two writes that both started from version n
        cannot both win (on SQLite as on PostgreSQL). Call it inside the write's transaction."""
        manager = type(self)._default_manager
        if not manager.filter(pk=self.pk, version=expected).update(version=F("version") + 1):
            raise changes_since(manager.get(pk=self.pk), expected)
        self.version = expected + 1

    @classmethod
    def claim_all(cls, records: Sequence[Versioned]) -> None:
        """`claim` for many rows in one statement, each from the version it was read at: a
        form that writes several rows at once (an update's milestones, its indicator values)
        costs one query, not one a row. If any row changed since it was read, StaleEdit names
        the first such; call it inside the write's transaction, which then rolls back the rest."""
        if not records:
            return
        manager = cls._default_manager
        as_read = Q()
        for record in records:
            as_read |= Q(pk=record.pk, version=record.version)
        if manager.filter(as_read).update(version=F("version") + 1) != len(records):
            now = manager.in_bulk([record.pk for record in records])
            for record in records:
                current = now.get(record.pk)
                if current is None:
                    raise StaleEdit(current=record)
                if current.version != record.version + 1:
                    raise changes_since(current, record.version)
            # One changed exactly once meanwhile looks like one this statement moved on.
            raise changes_since(now[records[0].pk], records[0].version)
        for record in records:
            record.version += 1

    def clean_and_save(self, *, together: tuple[str, ...] = (), known: tuple[str, ...] = ()) -> None:
        """Validate and save. `together` names the fields that are unique together and that
        another writer may be inserting at this very moment (the first update of an action,
        the first value of an indicator): their uniqueness is left to the database, so a new
        row that loses the race raises StaleEdit naming the winner's row, never a
        ValidationError or IntegrityError. `known` names the relations the code set itself
        from rows it holds (the signed-in person): not looked up again to check they exist.
        Call it inside the write's transaction."""
        self.full_clean(exclude=[*together, *known], validate_unique=False)
        if self.pk is not None or not together:
            self.save()
            return
        try:
            with transaction.atomic():
                self.save()
        except IntegrityError as exc:
            winner = type(self)._default_manager.get(**{name: getattr(self, name) for name in together})
            raise changes_since(winner, 0) from exc


def _display(record: Any, name: str) -> str:
    value = getattr(record, name)
    model_field = record.instance._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value)) if value else "(blank)"
    if value in (None, ""):
        return "(blank)"
    return str(value)


def changes_since(obj: Versioned, version: int) -> StaleEdit:
    """What changed in `obj` after the given version, from its history."""
    history = obj.history  # type: ignore[attr-defined]
    before = history.filter(version=version).order_by("-history_id").first()
    after = history.order_by("-history_id").first()
    stale = StaleEdit(current=obj)
    if after is None:
        return stale
    if after.history_user is not None:
        stale.changed_by = str(after.history_user)
    stale.changed_at = after.history_date
    if before is not None:
        delta = after.diff_against(before, excluded_fields=["version"])
        changed = [change.field for change in delta.changes]
    else:
        # They created it while you had the empty form open: everything they wrote is new.
        changed = [
            f.name
            for f in obj._meta.concrete_fields
            if f.editable and not f.is_relation and f.name not in {"id", "version", "status"} and getattr(after, f.name)
        ]
    stale.changes = [
        FieldChange(
            field=str(getattr(obj._meta.get_field(name), "verbose_name", name)).capitalize(),
            before=_display(before, name) if before is not None else "(blank)",
            after=_display(after, name),
        )
        for name in changed
    ]
    return stale


class StagedUploadQuerySet(models.QuerySet):
    def expired(self) -> StagedUploadQuerySet:
        """Uploads never imported within `StagedUpload.KEPT_FOR` that still hold their file."""
        return self.filter(imported_at__isnull=True, uploaded_at__lt=timezone.now() - StagedUpload.KEPT_FOR).exclude(
            content=b""
        )


class StagedUpload(models.Model):
    """A file someone uploaded to import, held from the check to the confirm, then kept as
    the record of who imported what. Every importer's upload is one of these (each app adds
    what its import is for: the plan, the consultation). The file is dropped once imported,
    and after a week if never imported: it may hold what people wrote."""

    KEPT_FOR = dt.timedelta(days=7)

    file_name = CleanCharField(max_length=200)
    content = models.BinaryField()
    sha256 = CleanCharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    objects = StagedUploadQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-uploaded_at"]

    def hold(self, name: str, content: bytes) -> None:
        """Take the uploaded file (not yet saved)."""
        self.file_name = name[:200]
        self.content = content
        self.sha256 = hashlib.sha256(content).hexdigest()

    @property
    def expired(self) -> bool:
        """Whether the file is gone without being imported (the upload must be made again)."""
        return self.imported_at is None and not self.content

    def mark_imported(self, *fields: str) -> None:
        """Record the import and drop the file: what it held is in the database now."""
        self.imported_at = timezone.now()
        self.content = b""
        self.save(update_fields=["imported_at", "content", *fields])
