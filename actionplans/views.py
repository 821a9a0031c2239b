from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.models import Role, User
from accounts.reauth import recent_sign_in_required
from core import periods
from core.converters import whole_number
from core.forms import rebase, stale_refusal
from core.middleware import keeps_late_post
from core.models import StaleEdit
from core.periods import financial_year_label
from core.services import versioned_save
from core.tables import TableError, download, read_rows
from priorities.access import redirecting, revision_for
from priorities.forms import DecisionsForm, PublishForm
from priorities.models import Partnership, PlanRevision, Priority
from priorities.revisions import draft_diff, plan_as_draft
from priorities.services import revision_save

from .calendar import feed_events, feed_renew, feed_token, ics, user_for_token
from .due import whats_due
from .forms import (
    COPY_LAST,
    ActionForm,
    CarryForwardForm,
    ImportForm,
    LastQuarter,
    MilestoneForm,
    ReopenForm,
    ReviewFilterForm,
    ReviewForm,
    UpdateForm,
)
from .history import action_history
from .imports import export_actions, rows_check
from .models import (
    Action,
    ActionImport,
    ActionPlan,
    ActionUpdate,
    Indicator,
    IndicatorValue,
    Milestone,
    ReportingPeriod,
)
from .services import (
    UpdateLocked,
    action_upload_save,
    actions_carry_forward,
    actions_import,
    carry_forward_moves,
    revision_affected_actions,
    revision_publish,
    update_reopen,
    update_review,
    update_save,
)

ACTION_RELATED = ["plan__priority", "theme", "lead_agency", "owner__agency"]


def _get_action(partnership: Partnership, pk: int) -> Action:
    """The partnership's action: another partnership's is not found."""
    related = Action.objects.select_related(*ACTION_RELATED)
    return get_object_or_404(related, plan__partnership=partnership, pk=pk)


def _get_action_to_edit(request: HttpRequest, partnership: Partnership, pk: int) -> Action:
    """The action, if this person may edit it: 403 for read-only members, 404 for others."""
    action = _get_action(partnership, pk)
    if request.user.has_perm("actionplans.edit_action", action):
        return action
    if request.user.has_perm("actionplans.read_only", partnership):
        raise PermissionDenied
    raise Http404("No action found")


def _get_plan(partnership: Partnership, pk: int) -> ActionPlan:
    return get_object_or_404(
        ActionPlan.objects.select_related("priority", "partnership"), partnership=partnership, pk=pk
    )


def _get_update_to_review(request: HttpRequest, partnership: Partnership, pk: int) -> ActionUpdate:
    update = get_object_or_404(
        ActionUpdate.objects.select_related("period", "action__plan__priority", "action__lead_agency"),
        period__partnership=partnership,
        pk=pk,
    )
    if request.user.has_perm("actionplans.review_update", update):
        return update
    if request.user.has_perm("actionplans.review_updates", partnership) or request.user.has_perm(
        "actionplans.read_only", partnership
    ):
        raise PermissionDenied
    raise Http404("No update found")


def _today() -> Any:
    return timezone.localdate()


def _save_unless_stale(form: Any, user: User) -> StaleEdit | None:
    """Save a valid edit form of a versioned record; if someone saved it meanwhile, save
    nothing, keep what was typed and return what changed."""
    return stale_refusal(
        form,
        partial(
            versioned_save,
            instance=form.instance,
            expected_version=form.cleaned_data["version"],
            user=user,
            save=form.save,
        ),
    )


# Reading --------------------------------------------------------------------------------


def my_actions(request: HttpRequest) -> HttpResponse:
    """On deadline day: every open action of mine that owes an update, in every partnership
    I am an officer of, grouped by partnership and then by priority. Each partnership has
    its own current quarter (its own update window).

    The page's content is kept (`{% kept %}`, keyed by the person and the day) until the
    database changes; its parts are built only when the template asks for them, so a kept
    page reads none of them."""
    user: User = request.user  # type: ignore[assignment]
    today = _today()
    parts = functools.cache(lambda: _my_actions(user, today))
    names = ("sections", "officer_anywhere", "member_of", "returned", "reopened", "any_illustrative")
    # A template calls what it is given: each name is built (all at once) when first used.
    lazy = {name: (lambda name=name: parts()[name]) for name in names}
    return render(request, "actionplans/my_actions.html", {"today": today, **lazy})


def _my_actions(user: User, today: dt.date) -> dict[str, Any]:
    partnerships = [p for p in Partnership.objects.of_user(user) if user.has_perm("actionplans.create_action", p)]
    current = ReportingPeriod.objects.filter(partnership__in=partnerships).current_each(today)
    running = Q(pk__in=[])
    for period in current.values():
        running |= Q(
            plan__partnership_id=period.partnership_id, start_date__lte=period.ends, due_date__gte=period.starts
        )
    actions = list(
        Action.objects.open()
        .for_officer(user)
        .filter(running)
        .select_related(*ACTION_RELATED, "plan__partnership")
        .prefetch_related(
            Prefetch(
                "updates", queryset=ActionUpdate.objects.filter(period__in=current.values()), to_attr="this_quarter"
            ),
            Prefetch("milestones", queryset=Milestone.objects.all(), to_attr="milestone_list"),
        )
        .order_by("plan__partnership__name", "plan__priority__number", "reference")
    )
    groups: dict[int, dict[Any, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    returned = 0
    for action in actions:
        this_quarter: list[ActionUpdate] = getattr(action, "this_quarter")  # noqa: B009 (prefetched)
        update = this_quarter[0] if this_quarter else None
        milestones: list[Milestone] = getattr(action, "milestone_list")  # noqa: B009 (prefetched)
        returned += update is not None and update.status == ActionUpdate.Status.RETURNED
        groups[action.plan.partnership_id][action.plan.priority].append(
            {
                "action": action,
                "update": update,
                "overdue_milestones": [m for m in milestones if m.is_overdue(today)],
                "rag_warning": update is not None and update.rag_needs_check(milestones, today),
            }
        )
    sections = [
        {"partnership": p, "period": current[p.pk], "groups": dict(groups[p.pk])}
        for p in partnerships
        if p.pk in current
    ]
    reopened = (
        ActionUpdate.objects.filter(reopened_for=user, reopened_until__gte=today)
        .exclude(period__in=current.values())
        .select_related("action", "period__partnership")
    )
    return {
        "sections": sections,
        "officer_anywhere": bool(partnerships),
        "member_of": Partnership.objects.of_user(user),
        "today": today,
        "returned": returned,
        "reopened": reopened,
        "any_illustrative": any(a.is_illustrative for a in actions),
    }


@require_http_methods(["GET", "POST"])
def whats_due_view(request: HttpRequest) -> HttpResponse:
    """Every update owed and milestone due of mine, in each partnership I am an officer of,
    by deadline; and the address of my calendar feed of them. A POST makes a new address
    (the old one stops working)."""
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        feed_renew(user=user)
        messages.success(request, "Your calendar has a new address: the old one no longer works.")
        return redirect("actionplans:whats_due")
    today = _today()
    sections = whats_due(user, today)
    feed_path = reverse("actionplans:calendar_feed", args=[feed_token(user)])
    return render(
        request,
        "actionplans/whats_due.html",
        {
            "sections": sections,
            "today": today,
            "feed_url": f"{settings.SITE_URL}{feed_path}",
            "member_of": Partnership.objects.of_user(user),
        },
    )


@login_not_required
@require_http_methods(["GET"])
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The person's dates as iCalendar, read by calendar apps that cannot sign in: the
    signed address is the proof. A forged, old or revoked address is not found."""
    user = user_for_token(token)
    if user is None:
        raise Http404("No calendar at this address")
    body = ics(name="CSP portal: what's due", events=feed_events(user, settings.SITE_URL), now=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


def plan_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    plans = (
        ActionPlan.objects.filter(partnership=partnership)
        .select_related("priority")
        .order_by("-financial_year", "priority__number")
    )
    can_carry_forward = request.user.has_perm("actionplans.carry_forward", partnership)
    return render(request, "actionplans/plan_list.html", {"plans": plans, "can_carry_forward": can_carry_forward})


def plan_detail(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    plan = _get_plan(partnership, pk)
    today = _today()
    actions = plan.actions.select_related(*ACTION_RELATED).prefetch_related(
        Prefetch("milestones", to_attr="milestone_list"),
        Prefetch("updates", queryset=ActionUpdate.objects.select_related("period"), to_attr="update_list"),
    )
    rows = []
    for action in actions:
        latest = action.update_list[0] if action.update_list else None
        rows.append(
            {
                "action": action,
                "latest": latest,
                "rag_warning": latest is not None and latest.rag_needs_check(action.milestone_list, today),
            }
        )
    return render(
        request,
        "actionplans/plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "can_add": request.user.has_perm("actionplans.create_action", partnership),
            "can_import": request.user.has_perm("actionplans.import_actions", partnership),
        },
    )


def action_detail(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    """An action: its details, milestones, quarterly updates and indicator values.

    Like my actions, the content is kept (`{% kept %}`, keyed by the action, the reader and
    the day) until the database changes, and its parts are built only when the template asks
    for them: a kept page reads the action and nothing else."""
    action = get_object_or_404(Action.objects.select_related(*ACTION_RELATED), plan__partnership=partnership, pk=pk)
    user: User = request.user  # type: ignore[assignment]
    today = _today()
    parts = functools.cache(lambda: _action_detail(partnership, action, user, today))
    names = (
        "milestones", "updates", "period", "current_update", "values", "rag_warning", "can_edit", "can_reopen",
        "reopenable", "reopened_for_me",
    )  # fmt: skip
    # A template calls what it is given: each name is built (all at once) when first used.
    lazy = {name: (lambda name=name: parts()[name]) for name in names}
    return render(request, "actionplans/action_detail.html", {"action": action, "tab": "overview", **lazy})


def _action_detail(partnership: Partnership, action: Action, user: User, today: dt.date) -> dict[str, Any]:
    prefetch_related_objects([action], "aims", "outcomes", "supporting_agencies", "indicators")
    milestones = list(action.milestones.all())
    updates = list(action.updates.select_related("period", "submitted_by", "reviewed_by"))
    periods = ReportingPeriod.objects.filter(partnership=partnership)
    period = periods.current(today)
    values = IndicatorValue.objects.filter(indicator__in=action.indicators.all()).select_related("period", "indicator")
    reopenable: list[ReportingPeriod] = []
    can_reopen = user.has_perm("actionplans.reopen_update", partnership)
    if can_reopen:
        # Closed quarters this action ran in that have no update at all: an admin may open one.
        written = {u.period_id for u in updates}
        reopenable = [p for p in periods.closed_by(today) if p.pk not in written and action.runs_in(p)]
    return {
        "milestones": [(m, m.status(today)) for m in milestones],
        "updates": updates,
        "period": period,
        "current_update": next((u for u in updates if period and u.period_id == period.pk), None),
        "values": values,
        "rag_warning": bool(updates) and updates[0].rag_needs_check(milestones, today),
        "can_edit": user.has_perm("actionplans.edit_action", action),
        "can_reopen": can_reopen,
        "reopenable": reopenable,
        "reopened_for_me": [u.pk for u in updates if u.is_reopened_for(user, today)],
    }


def action_history_view(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    action = _get_action(partnership, pk)
    return render(
        request,
        "actionplans/action_history.html",
        {"action": action, "entries": action_history(action), "tab": "history"},
    )


# Writing --------------------------------------------------------------------------------


def _action_form_page(request: HttpRequest, form: ActionForm, plan: ActionPlan, action: Action | None) -> HttpResponse:
    return render(request, "actionplans/action_form.html", {"form": form, "plan": plan, "action": action})


@keeps_late_post
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, partnership: Partnership, plan_pk: int) -> HttpResponse:
    plan = _get_plan(partnership, plan_pk)
    if not request.user.has_perm("actionplans.create_action", partnership):
        raise PermissionDenied
    user: User = request.user  # type: ignore[assignment]
    is_admin = user.has_perm("actionplans.import_actions", partnership)
    form = ActionForm(
        request.POST or None,
        instance=Action(plan=plan),
        user=user,
        plan_priority_id=plan.priority_id,
        can_choose_agency=is_admin,
    )
    if request.method == "POST" and form.is_valid():
        action = versioned_save(instance=form.instance, expected_version=None, user=user, save=form.save)
        messages.success(request, f"Action {action.reference} added.")
        return redirect(action)
    return _action_form_page(request, form, plan, None)


@keeps_late_post
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    action = _get_action_to_edit(request, partnership, pk)
    user: User = request.user  # type: ignore[assignment]
    form = ActionForm(
        request.POST or None,
        instance=action,
        user=user,
        plan_priority_id=action.plan.priority_id,
        can_choose_agency=user.has_perm("actionplans.import_actions", partnership),
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        stale = _save_unless_stale(form, user)
        if stale is None:
            messages.success(request, "Action saved.")
            return redirect(action)
    return render(
        request, "actionplans/action_form.html", {"form": form, "plan": action.plan, "action": action, "stale": stale}
    )


@keeps_late_post
@require_http_methods(["GET", "POST"])
def milestone_create(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    action = _get_action_to_edit(request, partnership, pk)
    form = MilestoneForm(request.POST or None, instance=Milestone(action=action))
    if request.method == "POST" and form.is_valid():
        versioned_save(instance=form.instance, expected_version=None, user=request.user, save=form.save)
        messages.success(request, "Milestone added.")
        return redirect(action)
    return render(request, "actionplans/milestone_form.html", {"form": form, "action": action, "milestone": None})


@keeps_late_post
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone, action__plan__partnership=partnership, pk=pk)
    action = _get_action_to_edit(request, partnership, milestone.action_id)
    form = MilestoneForm(request.POST or None, instance=milestone)
    stale = None
    if request.method == "POST" and form.is_valid():
        stale = _save_unless_stale(form, request.user)  # type: ignore[arg-type]
        if stale is None:
            messages.success(request, "Milestone saved.")
            return redirect(action)
    return render(
        request,
        "actionplans/milestone_form.html",
        {"form": form, "action": action, "milestone": milestone, "stale": stale},
    )


def _last_quarter(action: Action, period: ReportingPeriod, indicators: list[Indicator]) -> LastQuarter:
    """The action's update and its indicators' values of the quarter before: two queries."""
    fy, quarter = periods.previous_quarter(period.financial_year, period.quarter)
    before = Q(period__partnership_id=period.partnership_id, period__financial_year=fy, period__quarter=quarter)
    update = ActionUpdate.objects.filter(before, action=action).first()
    values = (
        {v.indicator_id: v for v in IndicatorValue.objects.filter(before, indicator__in=indicators)}
        if indicators
        else {}
    )
    return LastQuarter(label=periods.period_label(fy, quarter), update=update, values=values)


@keeps_late_post
@require_http_methods(["GET", "POST"])
def update_form(request: HttpRequest, partnership: Partnership, pk: int, period_pk: int) -> HttpResponse:
    """The quarterly update: save a draft, come back, submit."""
    action = _get_action_to_edit(request, partnership, pk)
    period = get_object_or_404(ReportingPeriod, partnership=partnership, pk=period_pk)
    user: User = request.user  # type: ignore[assignment]
    today = _today()
    update = ActionUpdate.objects.for_quarter(action=action, period=period)
    milestones = list(action.milestones.all())
    indicators = list(action.indicators.all())
    values = {v.indicator_id: v for v in IndicatorValue.objects.filter(indicator__in=indicators, period=period)}
    context: dict[str, Any] = {"action": action, "period": period, "update": update, "today": today}
    locked = update.lock_reason(user, today)
    if locked is not None:
        context["locked"] = locked
        context["values"] = [(i, values.get(i.pk)) for i in indicators]
        if request.method == "POST":
            # Refused, but what was typed is shown back so that it can be copied, not lost.
            context["typed"] = UpdateForm.typed_back(request.POST)
        status = 200 if request.method == "GET" else 409
        return render(request, "actionplans/update_locked.html", context, status=status)

    last = _last_quarter(action, period, indicators)
    data: Any = request.POST or None
    copying = COPY_LAST in request.POST
    if copying:
        # Last quarter's words into the boxes still empty, never over what was typed; not saved.
        data = request.POST.copy()
        for name, text in last.carried().items():
            if not data.get(name, "").strip():
                data[name] = text
    form = UpdateForm(
        data, update=update, milestones=milestones, indicators=indicators, values=values, today=today, last=last
    )
    if copying:
        messages.info(request, "Last quarter's text is in the empty boxes. Check it, then save: nothing is saved yet.")
    elif request.method == "POST" and form.is_valid():
        try:
            update_save(
                update=update,
                user=user,
                data=form.to_input(),
                expected_version=form.cleaned_data["version"],
                submit=form.is_submit,
                today=today,
            )
        except StaleEdit as stale:
            context["stale"] = stale
            rebase(form, stale.current.version)
        except UpdateLocked as refused:
            messages.error(request, str(refused))
            return redirect(action)
        else:
            if form.is_submit:
                messages.success(request, f"Update for {period.label} submitted for review.")
                return redirect(reverse("actionplans:action", args=[partnership.slug, action.pk]))
            messages.success(request, "Draft saved. You can come back to it until the window closes.")
            return redirect(reverse("actionplans:update", args=[partnership.slug, action.pk, period.pk]))
    context["form"] = form
    return render(request, "actionplans/update_form.html", context)


def review_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """Submitted updates waiting for a decision, narrowed by quarter and priority (GET)."""
    if not request.user.has_perm("actionplans.review_updates", partnership):
        raise PermissionDenied
    updates = ActionUpdate.objects.filter(
        period__partnership=partnership, status=ActionUpdate.Status.SUBMITTED
    ).select_related("period", "action__plan__priority", "action__lead_agency", "submitted_by")
    is_admin = request.user.has_perm("actionplans.reopen_update", partnership)
    if not is_admin:
        updates = updates.filter(action__plan__priority__lead_id=request.user.pk)
    leads_nothing = (
        not is_admin and not Priority.objects.filter(lead_id=request.user.pk, plan__partnership=partnership).exists()
    )
    filters = ReviewFilterForm(request.GET or None, partnership=partnership)
    if filters.is_bound and filters.is_valid():
        if filters.cleaned_data["period"] is not None:
            updates = updates.filter(period=filters.cleaned_data["period"])
        if filters.cleaned_data["priority"] is not None:
            updates = updates.filter(action__plan__priority=filters.cleaned_data["priority"])
    return render(
        request,
        "actionplans/review_list.html",
        {
            "updates": updates.order_by("submitted_at"),
            "leads_nothing": leads_nothing,
            "filters": filters,
            "filtered": filters.is_bound and filters.is_valid() and any(filters.cleaned_data.values()),
        },
    )


def _review_context(update: ActionUpdate, today: dt.date) -> dict[str, Any]:
    """Everything being approved: the milestones with their state, and each indicator's
    value this quarter beside last quarter's and the target."""
    action = update.action
    milestones = list(action.milestones.all())
    indicators = list(action.indicators.all())
    now = {v.indicator_id: v for v in IndicatorValue.objects.filter(indicator__in=indicators, period=update.period)}
    last = _last_quarter(action, update.period, indicators)
    return {
        "milestones": [(m, m.status(today)) for m in milestones],
        "rag_warning": update.rag_needs_check(milestones, today),
        "overdue": sum(m.is_overdue(today) for m in milestones),
        "indicator_rows": [(i, now.get(i.pk), last.values.get(i.pk)) for i in indicators],
        "last_label": last.label,
        "today": today,
    }


@keeps_late_post
@require_http_methods(["GET", "POST"])
def update_review_view(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    update = _get_update_to_review(request, partnership, pk)
    form = ReviewForm(request.POST or None, initial={"version": update.version})
    context: dict[str, Any] = {"update": update, "form": form, **_review_context(update, _today())}
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            update_review(
                update=update,
                reviewer=request.user,  # type: ignore[arg-type]
                approve=approve,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"] or 0,
            )
        except StaleEdit as stale:
            context["stale"] = stale
            rebase(form, stale.current.version)
        except (UpdateLocked, ValidationError) as exc:
            messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
            return redirect("actionplans:reviews", partnership.slug)
        else:
            verb = "approved" if approve else "returned to the officer"
            messages.success(request, f"Update {update} {verb}.")
            return redirect("actionplans:reviews", partnership.slug)
    return render(request, "actionplans/review_form.html", context)


@require_http_methods(["GET", "POST"])
@recent_sign_in_required(again="fill in the reopening form again and press Reopen update")
def update_reopen_view(request: HttpRequest, partnership: Partnership, pk: int, period_pk: int) -> HttpResponse:
    if not request.user.has_perm("actionplans.reopen_update", partnership):
        raise PermissionDenied
    action = _get_action(partnership, pk)
    period = get_object_or_404(ReportingPeriod, partnership=partnership, pk=period_pk)
    update = ActionUpdate.objects.for_quarter(action=action, period=period)
    officers = (
        User.objects.holding(Role.OFFICER, partnership)
        .filter(Q(agency=action.lead_agency) | Q(pk=action.owner_id))
        .distinct()
    )
    form = ReopenForm(request.POST or None, officers=officers, initial={"officer": action.owner_id})
    if request.method == "POST" and form.is_valid():
        try:
            update_reopen(
                update=update,
                admin=request.user,  # type: ignore[arg-type]
                officer=form.cleaned_data["officer"],
                until=form.cleaned_data["until"],
                reason=form.cleaned_data["reason"],
            )
        except StaleEdit:
            messages.error(request, "The update changed while you were reopening it. Check it and try again.")
            return redirect(action)
        messages.success(request, f"Update for {period.label} reopened for {form.cleaned_data['officer']}.")
        return redirect(action)
    return render(request, "actionplans/reopen_form.html", {"form": form, "action": action, "period": period})


# Import and export ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    """Upload, preview every row (and every problem), then confirm: all or nothing."""
    plan = _get_plan(partnership, pk)
    if not request.user.has_perm("actionplans.import_actions", partnership):
        raise PermissionDenied
    context: dict[str, Any] = {"plan": plan}

    if request.method == "POST" and "confirm" in request.POST:
        token = whole_number(request.POST.get("token", ""))
        if token is None:
            raise Http404("No such upload")
        upload = get_object_or_404(ActionImport, pk=token, plan=plan, uploaded_by=request.user.pk)
        if upload.imported_at is not None or upload.expired:
            messages.error(request, "That upload has expired. Upload the file again.")
            return redirect("actionplans:import", partnership.slug, plan.pk)
        try:
            report = actions_import(upload=upload, user=request.user)  # type: ignore[arg-type]
        except StaleEdit:
            messages.error(
                request,
                f"Some {upload.kind} in the file were changed by someone after you checked it. Nothing was imported: "
                "upload the file again to see the changes.",
            )
            return redirect("actionplans:import", partnership.slug, plan.pk)
        if report.ok:
            messages.success(
                request,
                f"Imported {upload.kind}: {report.new} added, {report.updated} updated, {report.unchanged} unchanged.",
            )
            return redirect(plan)
        context.update(report=report, kind=upload.kind)
        return render(request, "actionplans/import_preview.html", context)

    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        content = file.read()
        try:
            table = read_rows(file.name, content)
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            kind = form.cleaned_data["kind"]
            report = rows_check(plan=plan, kind=kind, table=table)
            context.update(report=report, kind=kind)
            if report.ok:
                upload = action_upload_save(
                    plan=plan,
                    kind=kind,
                    name=file.name,
                    content=content,
                    user=request.user,  # type: ignore[arg-type]
                    report=report,
                )
                context.update(token=upload.pk)
            return render(request, "actionplans/import_preview.html", context)
    context["form"] = form
    return render(request, "actionplans/import_form.html", context)


def plan_export(request: HttpRequest, partnership: Partnership, pk: int, fmt: str) -> HttpResponse:
    plan = _get_plan(partnership, pk)
    filename = f"actions-{plan.year_label}-priority-{plan.priority.number}.{fmt}"
    return download(export_actions(plan), fmt=fmt, filename=filename)


# Carrying actions forward ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def carry_forward(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """Choose the years, see every open action that will move and where, then confirm:
    all of them move in one step, each move in its history."""
    if not request.user.has_perm("actionplans.carry_forward", partnership):
        raise PermissionDenied
    years = sorted(
        set(ActionPlan.objects.filter(partnership=partnership).values_list("financial_year", flat=True)), reverse=True
    )
    bound = request.POST if request.method == "POST" else (request.GET if "from_year" in request.GET else None)
    form = CarryForwardForm(bound, years=years)
    moves = None
    if form.is_bound and form.is_valid():
        from_year, to_year = form.cleaned_data["from_year"], form.cleaned_data["to_year"]
        if request.method == "POST":
            try:
                moved = actions_carry_forward(
                    partnership=partnership,
                    from_year=from_year,
                    to_year=to_year,
                    user=request.user,  # type: ignore[arg-type]
                )
            except (ValidationError, StaleEdit) as refused:
                form.add_error(None, refused.messages if isinstance(refused, ValidationError) else _CHANGED)
            else:
                messages.success(
                    request,
                    f"{moved} open action{'s' if moved != 1 else ''} carried forward into "
                    f"{financial_year_label(to_year)}.",
                )
                return redirect("actionplans:plans", partnership.slug)
        moves = carry_forward_moves(partnership=partnership, from_year=from_year)
        labels = {"from_label": financial_year_label(from_year), "to_label": financial_year_label(to_year)}
    else:
        labels = {}
    return render(request, "actionplans/carry_forward.html", {"form": form, "moves": moves, **labels})


_CHANGED = "An action changed while you were looking: check the list again, then carry them forward."


# The plan revision's decisions for stranded actions, and publishing it ----------------
# (here, not in priorities, because they act on actions: imports point one way)


@redirecting
@require_http_methods(["GET", "POST"])
def revision_decisions(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    """Decide, for each open action the draft would strand, what becomes of it."""
    revision = revision_for(request, partnership, pk, draft=True)
    affected = revision_affected_actions(revision)
    form = DecisionsForm(request.POST or None, actions=affected, revision=revision)
    stale = None
    if request.method == "POST" and form.is_valid():
        version = int(request.POST.get("version") or 0)
        try:
            revision_save(
                revision=revision,
                expected_version=version,
                user=request.user,  # type: ignore[arg-type]
                decisions={**revision.decisions, **form.decisions()},
            )
        except StaleEdit as refused:
            stale = refused
            revision.refresh_from_db()  # the page offers the version now saved
        else:
            messages.success(request, "Decisions saved.")
            return redirect(revision)
    return render(
        request,
        "actionplans/revision_decisions.html",
        {"form": form, "revision": revision, "affected": affected, "stale": stale},
    )


@redirecting
@require_http_methods(["GET", "POST"])
def revision_publish_view(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    """Confirm what the revision changes, its kind and dates, and publish it."""
    revision = revision_for(request, partnership, pk, draft=True)
    form = PublishForm(
        request.POST or None,
        initial={
            "version": revision.version,
            "kind": revision.kind,
            "title": revision.title,
            "starts": revision.starts,
            "ends": revision.ends,
            "effective_on": revision.effective_on or timezone.localdate(),
        },
    )
    problems: list[str] = []
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                saved = revision_save(
                    revision=revision,
                    expected_version=data["version"] or 0,
                    user=request.user,  # type: ignore[arg-type]
                    kind=data["kind"],
                    title=data["title"],
                    starts=data["starts"] if data["kind"] == PlanRevision.Kind.NEW_PLAN else revision.plan.starts,
                    ends=data["ends"],
                    effective_on=data["effective_on"],
                )
                plan = revision_publish(revision=saved, user=request.user, today=timezone.localdate())  # type: ignore[arg-type]
        except StaleEdit as refused:
            stale = refused
            rebase(form, refused.current.version)
        except ValidationError as refused:
            problems = refused.messages
            revision.refresh_from_db()
        else:
            messages.success(request, f"Revision published: {plan.title} now reads as the draft did.")
            return redirect(revision)
    diff = draft_diff(plan_as_draft(revision.plan), revision.draft)
    return render(
        request,
        "actionplans/revision_publish.html",
        {"form": form, "revision": revision, "diff": diff.as_json(), "problems": problems, "stale": stale},
    )
