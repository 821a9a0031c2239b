"""A partnership's people, for its CSP admins: the members page, inviting one person or a
whole CSV of them, and deactivating (never deleting) someone."""

from __future__ import annotations

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from accounts.models import Agency, Role, User
from accounts.reauth import recent_sign_in_required
from core.forms import PortalFormMixin
from core.imports import Problem, cell_text, data_rows, problems_sorted, upload_check
from core.tables import TableError, read_rows

from .models import Membership, Partnership
from .services import Invitee, last_admin_refusal, member_deactivate, people_invite, person_invite

COLUMNS = ("email", "name", "agency", "roles")


def require_people_admin(request: HttpRequest, partnership: Partnership) -> None:
    """Only the partnership's CSP admins manage its people (403 for its other members)."""
    if not request.user.has_perm("priorities.manage_people", partnership):
        raise PermissionDenied


class InviteForm(PortalFormMixin, forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    full_name = forms.CharField(label="Full name", max_length=200)
    agency = forms.ModelChoiceField(label="Agency", queryset=Agency.objects.all(), empty_label="Choose an agency")
    roles = forms.MultipleChoiceField(
        label="Roles in this partnership", choices=Role.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = "Enter their email address"
        self.fields["full_name"].error_messages["required"] = "Enter their full name"
        self.fields["agency"].error_messages["required"] = "Choose their agency"
        self.fields["roles"].error_messages["required"] = "Choose at least one role"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.text("full_name", field_width=Fluid.TWO_THIRDS),
            Field.select("agency"),
            Field.checkboxes("roles"),
            Button("submit", "Send invitation"),
        )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def invitee(self) -> Invitee:
        data = self.cleaned_data
        return Invitee(data["email"], data["full_name"], data["agency"], tuple(data["roles"]))


class BulkInviteForm(PortalFormMixin, forms.Form):
    file = forms.FileField(label="CSV or XLSX file", help_text="Columns: email, name, agency, roles (separated by ;)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].error_messages["required"] = "Choose a file"
        self.helper = FormHelper()
        self.helper.layout = Layout(Field("file"), Button("submit", "Check and invite"))

    def clean_file(self) -> Any:
        return upload_check(self.cleaned_data["file"])


def invitees_read(name: str, content: bytes) -> tuple[list[Invitee], list[Problem]]:
    """Every row of the file as an invitee, or every problem with its line (the imports' way)."""
    try:
        table = read_rows(name, content)
    except TableError as error:
        return [], [Problem(0, str(error))]
    headers = [h.strip().lower() for h in table.headers]
    missing = [c for c in COLUMNS if c not in headers]
    if missing:
        return [], [Problem(1, f"the file has no {', '.join(missing)} column")]
    agencies = {a.name.lower(): a for a in Agency.objects.all()}
    agencies.update({a.short_name.lower(): a for a in agencies.values() if a.short_name})
    roles = {r.value.lower(): r.value for r in Role}
    problems: list[Problem] = []
    invitees: list[Invitee] = []
    seen: dict[str, int] = {}
    for line, values in data_rows(table, problems, []):
        row = {h: cell_text(v) for h, v in zip(headers, values, strict=True)}
        email = row["email"].lower()
        try:
            validate_email(email)
        except forms.ValidationError:
            problems.append(Problem(line, f"“{row['email']}” is not an email address"))
        if email in seen:
            problems.append(Problem(line, f"{email} is also on line {seen[email]}"))
        seen.setdefault(email, line)
        if not row["name"]:
            problems.append(Problem(line, "the name is empty"))
        agency = agencies.get(row["agency"].lower())
        if agency is None:
            problems.append(Problem(line, f"no agency is called “{row['agency']}”"))
        given = [r.strip() for r in row["roles"].split(";") if r.strip()]
        wanted = [r.lower() for r in given]
        unknown = [r for r in given if r.lower() not in roles]
        if not wanted:
            problems.append(Problem(line, "no role is given"))
        elif unknown:
            problems.append(Problem(line, f"no role is called “{unknown[0]}”"))
        invitees.append(Invitee(email, row["name"], agency, tuple(roles[r] for r in wanted if r in roles)))
    return invitees, problems_sorted(problems)


def members(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """Everyone holding a role in the partnership, with agency, roles, last sign-in and
    whether they have set a password yet; filtered by agency and role."""
    require_people_admin(request, partnership)
    current = Q(memberships__partnership=partnership, memberships__ended_at__isnull=True)
    agency = request.GET.get("agency", "")
    role = request.GET.get("role", "")
    people = User.objects.filter(current)
    if agency.isdigit():
        people = people.filter(agency_id=int(agency))
    if role in Role.values:
        people = people.filter(pk__in=User.objects.filter(current, memberships__role=role).values("pk"))
    people = people.distinct().prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.current().filter(partnership=partnership).order_by("role"),
            to_attr="roles_here",
        )
    )
    context = {
        "people": people,
        "agencies": Agency.objects.all(),
        "roles": Role.choices,
        "agency": agency,
        "role": role,
    }
    return render(request, "priorities/people/members.html", context)


@require_http_methods(["GET", "POST"])
@recent_sign_in_required(again="press Send invitation again", fallback="priorities:people_invite")
def invite(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    require_people_admin(request, partnership)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = person_invite(partnership=partnership, invitee=form.invitee(), invited_by=request.user)  # type: ignore[arg-type]
        messages.success(request, f"Invitation sent to {user.email}.")
        return redirect("priorities:people", partnership.slug)
    return render(request, "priorities/people/invite.html", {"form": form})


@require_http_methods(["GET", "POST"])
@recent_sign_in_required(again="choose the file and press Check and invite again", fallback="priorities:people_bulk")
def bulk_invite(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    require_people_admin(request, partnership)
    form = BulkInviteForm(request.POST or None, request.FILES or None)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        invitees, problems = invitees_read(upload.name, upload.read())
        if not problems and not invitees:
            problems = [Problem(0, "The file has no rows of people")]
        if not problems:
            people_invite(partnership=partnership, invitees=invitees, invited_by=request.user)  # type: ignore[arg-type]
            messages.success(request, f"{len(invitees)} invitation{'s' if len(invitees) != 1 else ''} sent.")
            return redirect("priorities:people", partnership.slug)
    return render(request, "priorities/people/bulk_invite.html", {"form": form, "problems": problems})


def _member(partnership: Partnership, pk: int) -> User:
    user = User.objects.filter(pk=pk, memberships__partnership=partnership, memberships__ended_at__isnull=True).first()
    if user is None:
        raise Http404("No such member.")
    return user


@require_http_methods(["GET", "POST"])
@recent_sign_in_required(again="press Remove again", fallback="priorities:people")
def deactivate(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    """Ask, then end the person's roles here (and their access, if they hold no other)."""
    require_people_admin(request, partnership)
    user = _member(partnership, pk)
    if request.method == "POST":
        try:
            member_deactivate(partnership=partnership, user=user)
        except ValidationError as refused:
            messages.error(request, refused.messages[0])
        else:
            messages.success(request, f"{user} no longer holds a role in {partnership.short_name}.")
        return redirect(reverse("priorities:people", args=[partnership.slug]))
    roles = Membership.objects.current().filter(partnership=partnership, user=user)
    refusal = last_admin_refusal(partnership=partnership, user=user)
    return render(request, "priorities/people/deactivate.html", {"member": user, "roles": roles, "refusal": refusal})
