from __future__ import annotations

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin_site import RecordAdmin

from .models import Agency, User
from .reauth import recent_sign_in_required

# Roles are held per partnership (memberships, given in the admin's Memberships pages);
# permissions live in rules.py, not in Django's permission table: groups are not used.
admin.site.unregister(Group)
# Authenticator apps and recovery codes are their owner's, set up on their account page; no
# admin may see a secret key or a code. The operator can turn someone's off from the shell
# (manage.py two_factor_reset).
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


class RecentSignInAdmin(admin.ModelAdmin):
    """Add and change pages that give access (people, roles) ask for the admin's password
    again when it was given too long ago; the refused press returns to the changelist."""

    again_on_add = "fill in the form again and press Save"
    again_on_change = "make your changes again and press Save"

    def _changelist(self) -> str:
        return f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        def view(request: HttpRequest) -> HttpResponse:
            return super(RecentSignInAdmin, self).change_view(request, object_id, form_url, extra_context)

        return cast(
            HttpResponse,
            recent_sign_in_required(again=self.again_on_change, fallback=self._changelist())(view)(request),
        )

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        def view(request: HttpRequest) -> HttpResponse:
            return super(RecentSignInAdmin, self).add_view(request, form_url, extra_context)

        return cast(
            HttpResponse, recent_sign_in_required(again=self.again_on_add, fallback=self._changelist())(view)(request)
        )


def _administers_all_of(admin_user: Any, person: User) -> bool:
    ids = admin_user.administered_partnership_ids()
    if ids is None:
        return True
    theirs = set(person.partnership_roles())
    return theirs <= ids


@admin.register(Agency)
class AgencyAdmin(RecordAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Agencies are shared: one that another partnership also has is the operator's to
        # rename (a superuser's), not one partnership's admin's.
        if obj is not None and not request.user.is_superuser:
            ids = request.user.administered_partnership_ids()  # type: ignore[union-attr]
            if ids is not None and not set(obj.partnerships.values_list("pk", flat=True)) <= ids:
                return False
        return super().has_change_permission(request, obj)


class PortalUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "agency"]


@admin.register(User)
class UserAdmin(RecentSignInAdmin, RecordAdmin, DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "agency", "is_active"]
    list_filter = ["is_active", "agency"]
    list_select_related = ["agency"]
    search_fields = ["full_name", "email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "agency"]}),
        ("Access", {"fields": ["is_active", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "agency", "password1", "password2"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        """A CSP admin sees the people of the partnerships they administer, and people who
        belong to none yet (just added, to be given a role)."""
        people = super().get_queryset(request)
        ids = request.user.administered_partnership_ids()  # type: ignore[union-attr]
        if ids is None:
            return people
        ours = Q(memberships__partnership_id__in=ids, memberships__ended_at__isnull=True)
        return people.filter(ours | Q(memberships__isnull=True)).distinct()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Only a superuser makes a superuser, who administers every partnership.
        extra = [] if request.user.is_superuser else ["is_superuser"]
        if obj is not None and not _administers_all_of(request.user, obj):
            # Someone who is also another partnership's: their sign-in and agency are not
            # this admin's to change (their agency decides what they may edit there).
            extra += ["email", "password", "agency", "is_active"]
        return [*self.readonly_fields, *extra]
