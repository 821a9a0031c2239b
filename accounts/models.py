from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.fields import CleanCharField


class Role(models.TextChoices):
    """The four role groups; made by a data migration, assigned by admins."""

    OFFICER = "Officer"
    PRIORITY_LEAD = "Priority lead"
    BOARD_MEMBER = "Board member"
    CSP_ADMIN = "CSP admin"


class Agency(models.Model):
    """A partner agency: one of the responsible authorities, or another partner."""

    class Kind(models.TextChoices):
        RESPONSIBLE_AUTHORITY = "responsible_authority", "Responsible authority"
        OTHER_PARTNER = "other_partner", "Other partner"

    name = CleanCharField(max_length=200, unique=True)
    short_name = CleanCharField(max_length=50)
    kind = CleanCharField(max_length=30, choices=Kind.choices, default=Kind.OTHER_PARTNER)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_responsible_authority(self) -> bool:
        return self.kind == self.Kind.RESPONSIBLE_AUTHORITY


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> models.QuerySet[User]:
        # Every page shows the signed-in person's agency; load it with the person.
        return super().get_queryset().select_related("agency")

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def holding(self, role: Role, partnership: Any) -> models.QuerySet[User]:
        """Active people who hold the role in the partnership now (memberships are the plan
        app's model, reached by their relation)."""
        return self.filter(
            is_active=True,
            memberships__partnership=partnership,
            memberships__role=role.value,
            memberships__ended_at__isnull=True,
        )

    def get_by_natural_key(self, username: str | None) -> User:
        # Sign-in matches the address however it was capitalised when the account was made.
        return self.get(email__iexact=username)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["is_superuser"] = True
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address; belongs to one agency."""

    email = models.EmailField(unique=True)
    full_name = CleanCharField(max_length=200)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    # Roles are groups: giving or taking one is recorded like any other change.
    history = HistoricalRecords(excluded_fields=["password", "last_login"], m2m_fields=["groups"])

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        permissions = [("use_admin", "Can use the admin site")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_staff(self) -> bool:
        # Django's admin templates read is_staff; access itself is decided in rules.py.
        return self.has_perm("accounts.use_admin")

    def partnership_roles(self) -> dict[int, frozenset[str]]:
        """The person's current roles in each partnership, read once and kept on this user
        object (so once per request). Memberships are the plan app's model, reached by
        their relation so that this bottom app imports nothing above it."""
        cached: dict[int, frozenset[str]] | None = self.__dict__.get("_partnership_roles")
        if cached is None:
            held: dict[int, set[str]] = {}
            if self.pk is not None:
                rows = self.memberships.filter(ended_at__isnull=True).values_list("partnership_id", "role")
                for partnership_id, role in rows:
                    held.setdefault(partnership_id, set()).add(role)
            cached = {pk: frozenset(roles) for pk, roles in held.items()}
            self.__dict__["_partnership_roles"] = cached
        return cached

    def administered_partnership_ids(self) -> set[int] | None:
        """The partnerships this person is a CSP admin of; None means every one (superuser)."""
        if self.is_superuser:
            return None
        return {pk for pk, roles in self.partnership_roles().items() if Role.CSP_ADMIN.value in roles}

    def role_names(self, partnership: Any = None) -> list[str]:
        """The person's roles in the partnership (in any, if none is named), in the order
        of `Role`."""
        held = self.memberships.filter(ended_at__isnull=True)
        if partnership is not None:
            held = held.filter(partnership=partnership)
        names = set(held.values_list("role", flat=True))
        return [role.value for role in Role if role.value in names]


class TwoFactorChange(models.Model):
    """A change to someone's second factor: who it was for, who made it, and when.

    django-otp's device rows are rewritten on every code typed (they keep the last code's
    time), so their history would be noise; this is the record of what people changed."""

    class Kind(models.TextChoices):
        APP_ADDED = "app_added", "Authenticator app set up"
        APP_REMOVED = "app_removed", "Authenticator app removed"
        RECOVERY_CODES_MADE = "recovery_codes_made", "New recovery codes made"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used to sign in"
        TURNED_OFF = "turned_off", "Two-factor sign-in turned off"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="two_factor_changes")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # None when no one signed in made it (the operator's management command).
    changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} ({self.changed_at:%Y-%m-%d %H:%M})"
