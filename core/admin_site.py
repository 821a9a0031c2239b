"""The community safety team's admin site: CSP admins only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.utils import unquote
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from simple_history.admin import SimpleHistoryAdmin


class PortalAdminSite(admin.AdminSite):
    """The community safety team's admin: CSP admins only.

    People signed out go to the portal's one sign-in page; people signed in without the
    admin role get the portal's 403 page rather than the admin's own sign-in form.
    """

    site_header = "CSP portal administration"
    site_title = "CSP portal admin"
    index_title = "Manage the partnership's plan"
    site_url = "/"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.disable_action("delete_selected")  # nothing with history is deleted (RecordAdmin)

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.has_perm("accounts.use_admin"))

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        # Django's admin sets inline style attributes (and hidden inline-form rows rely on
        # them); its pages alone may apply inline styles. Scripts stay 'self' everywhere.
        inner = csp_update({"style-src": ["'unsafe-inline'"]})(super().admin_view(view, cacheable))

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return guarded

    @method_decorator(login_not_required)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not request.user.is_authenticated:
            query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
            return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
        if not self.has_permission(request):
            raise PermissionDenied
        return super().login(request, extra_context)


def administered(queryset: QuerySet[Any], user: Any, path: str | None) -> QuerySet[Any]:
    """The rows of the partnerships the person administers (all, for a superuser). `path`
    is the lookup from the model to its partnership's id ("pk" for partnerships
    themselves); None leaves the queryset as it is (records of no one partnership)."""
    if path is None:
        return queryset
    ids = user.administered_partnership_ids()
    if ids is None:
        return queryset
    return queryset.filter(**{f"{path}__in": ids}).distinct()


class PartnershipScopedAdmin(admin.ModelAdmin):
    """A CSP admin administers their own partnerships only: lists, pages and the choices
    of every form are the rows of the partnerships they administer; another partnership's
    record is not found. `partnership_path` is the lookup from the model to its
    partnership's id; a foreign key's choices follow the path its model's admin declares."""

    partnership_path: str | None = None
    # Foreign keys whose choices are every record, whoever lists them (see MembershipAdmin).
    choices_from_everyone: frozenset[str] = frozenset()

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return administered(super().get_queryset(request), request.user, self.partnership_path)

    def _refuse_unless_administered(self, request: HttpRequest, object_id: str) -> None:
        # The history pages read a record's history by its id, not through get_queryset.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No such record")

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        self._refuse_unless_administered(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        self._refuse_unless_administered(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        self._scope_choices(field, db_field, request)
        return field

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        self._scope_choices(field, db_field, request)
        return field

    def _scope_choices(self, field: Any, db_field: Any, request: HttpRequest) -> None:
        related_admin = self.admin_site._registry.get(db_field.related_model)
        if field is None or related_admin is None or not hasattr(field, "queryset"):
            return
        path = getattr(related_admin, "partnership_path", None)
        if path is not None:
            field.queryset = administered(field.queryset, request.user, path)
        elif db_field.name not in self.choices_from_everyone:
            # Records of no one partnership (people) offered as the related admin lists them.
            field.queryset = field.queryset.filter(pk__in=related_admin.get_queryset(request).values("pk"))


class RecordAdmin(PartnershipScopedAdmin, SimpleHistoryAdmin):
    """The admin of a record people edit, with its history. Such a record is retired
    (plan lines), closed or cancelled (actions), or deactivated (people), never deleted:
    a delete would blank who did what in every history, submission and report."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordInline(admin.StackedInline):
    """An inline of records with history: edited in place, never deleted from the form."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PortalAdminConfig(AdminConfig):
    """The admin, served by our own site class so that only CSP admins get in."""

    default_site = "core.admin_site.PortalAdminSite"
