from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator

from core.admin_site import RecordAdmin

from .models import Agency, User
from .reauth import recent_sign_in_required

# Roles are groups, given to people on their own page; permissions live in rules.py, not in
# Django's permission table, so there is nothing to edit on a group.
admin.site.unregister(Group)


@admin.register(Agency)
class AgencyAdmin(RecordAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]


class PortalUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "agency"]


@admin.register(User)
class UserAdmin(RecordAdmin, DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "agency", "is_active"]
    list_filter = ["is_active", "groups", "agency"]
    list_select_related = ["agency"]
    search_fields = ["full_name", "email"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "agency"]}),
        ("Roles", {"fields": ["is_active", "groups", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "agency", "password1", "password2"]}),
    ]
    # Checkboxes rather than the admin's two-box widget, whose script writes ARIA that
    # axe rejects; there are only four roles to choose from.
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}

    # Roles are given here: adding or editing a person asks for the admin's password again
    # when it was given too long ago.
    @method_decorator(
        recent_sign_in_required(
            again="make your changes again and press Save", fallback="admin:accounts_user_changelist"
        )
    )
    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().change_view(request, object_id, form_url, extra_context)

    @method_decorator(
        recent_sign_in_required(
            again="fill in the form again and press Save", fallback="admin:accounts_user_changelist"
        )
    )
    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().add_view(request, form_url, extra_context)
