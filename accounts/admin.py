from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, User


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
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
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
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
    filter_horizontal = ["groups"]
