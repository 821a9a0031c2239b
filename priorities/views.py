from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core.forms import rebase
from core.models import StaleEdit

from .access import redirecting, require_reviser, revision_for
from .as_at import plan_in_force_on, priorities_as_at, records_begin
from .forms import PriorityDraftForm, RevisionOpenForm
from .models import GlossaryTerm, Partnership, PlanRevision, Priority, StrategicPlan, Theme
from .revisions import PlanDiff, draft_diff, plan_as_draft, retired_theme_keys
from .services import revision_open, revision_save


def _get_current_plan(partnership: Partnership) -> StrategicPlan:
    plan = StrategicPlan.objects.filter(partnership=partnership).current()
    if plan is None:
        raise Http404("No strategic plan has been imported yet.")
    return plan


def partnership_list(request: HttpRequest) -> HttpResponse:
    """The partnerships the person belongs to; with only one, straight to it."""
    partnerships = list(Partnership.objects.of_user(request.user))  # type: ignore[arg-type]
    if len(partnerships) == 1:
        return redirect(partnerships[0])
    return render(request, "priorities/partnership_list.html", {"partnerships": partnerships})


def _as_at(request: HttpRequest) -> dt.date | None:
    """The day asked for with ?as_at=2023-04-03, if it is a real day before today."""
    try:
        day = dt.date.fromisoformat(request.GET.get("as_at", ""))
    except ValueError:
        return None
    return day if day < timezone.localdate() else None


def _as_at_context(partnership: Partnership, day: dt.date | None) -> dict[str, Any]:
    """The plan in force on the day and what the page's banner says of it."""
    plans = StrategicPlan.objects.filter(partnership=partnership)
    if day is None:
        return {"plan": plans.current(), "as_at": None}
    plan = plan_in_force_on(plans, day)
    begins = records_begin(plan) if plan else None
    return {"plan": plan, "as_at": day, "records_begin": begins if begins and begins > day else None}


def home(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    context = _as_at_context(partnership, _as_at(request))
    if request.GET.get("as_at") and context["as_at"] is None:
        context["as_at_error"] = "Enter a day before today as year-month-day, for example 2023-04-03"
    plan = context["plan"]
    if plan is not None:
        context["authorities"] = partnership.responsible_authorities()
        if context["as_at"]:
            context["priorities"] = priorities_as_at(plan, context["as_at"])
        else:
            context["priorities"] = plan.priorities.current()
        context["assessments"] = partnership.assessments.all()
        context["plan_ended"] = plan.ends < timezone.localdate()
        context["perms_revise"] = request.user.has_perm("priorities.revise_plan", partnership)
        context["perms_people"] = request.user.has_perm("priorities.manage_people", partnership)
        context["revision_days"] = _revision_days(partnership)
    return render(request, "priorities/home.html", context)


def _revision_days(partnership: Partnership) -> list[tuple[dt.date, dt.date]]:
    """Each published revision's day, newest first, with the day before it: to read the
    plan as it stood before each."""
    days = (
        PlanRevision.objects.filter(partnership=partnership, status=PlanRevision.Status.PUBLISHED)
        .exclude(effective_on=None)
        .order_by("-effective_on")
        .values_list("effective_on", flat=True)
    )
    return [(day, day - dt.timedelta(days=1)) for day in days if day is not None]


def priority_detail(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    context = _as_at_context(partnership, _as_at(request))
    plan = context["plan"]
    if plan is None:
        raise Http404("No strategic plan has been imported yet.")
    if context["as_at"]:
        priorities: list[Any] = priorities_as_at(plan, context["as_at"], parts=True)
        priority: Any = next((p for p in priorities if p.pk == pk), None)
        if priority is None:
            # Not in the plan that day: say so on today's page rather than a bare 404.
            get_object_or_404(Priority, plan__partnership=partnership, pk=pk)
            messages.info(request, f"That priority was not in the plan on {context['as_at']:%-d %B %Y}.")
            return redirect("priorities:priority", partnership.slug, pk)
    else:
        priority = get_object_or_404(Priority.objects.current().with_parts(), plan=plan, pk=pk)
        priorities = list(plan.priorities.current())
    return render(
        request, "priorities/priority_detail.html", {**context, "priority": priority, "priorities": priorities}
    )


def glossary(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    plan = _get_current_plan(partnership)
    terms = GlossaryTerm.objects.filter(partnership=partnership)
    return render(request, "priorities/glossary.html", {"plan": plan, "terms": terms})


# The yearly revision --------------------------------------------------------------------


def revision_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """The plan's revision history: what changed in each, by whom, on which assessment."""
    revisions = PlanRevision.objects.filter(partnership=partnership).select_related(
        "plan", "assessment", "published_by", "created_by"
    )
    can_revise = request.user.has_perm("priorities.revise_plan", partnership)
    if not can_revise:
        revisions = revisions.filter(status=PlanRevision.Status.PUBLISHED)
    return render(
        request,
        "priorities/revision_list.html",
        {
            "plan": StrategicPlan.objects.filter(partnership=partnership).current(),
            "drafts": [r for r in revisions if r.is_draft],
            "published": sorted(
                (r for r in revisions if not r.is_draft),
                key=lambda r: (r.effective_on or dt.date.min, r.pk),
                reverse=True,
            ),
            "can_revise": can_revise,
        },
    )


@require_http_methods(["GET", "POST"])
def revision_new(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    """Record the new assessment and open a draft revision of the current plan."""
    require_reviser(request, partnership)
    plan = _get_current_plan(partnership)
    open_draft = PlanRevision.objects.filter(plan=plan, status=PlanRevision.Status.DRAFT).first()
    if open_draft is not None:
        messages.info(request, "This plan already has a draft revision: carry on with it.")
        return redirect(open_draft)
    form = RevisionOpenForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        revision = revision_open(plan=plan, user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        messages.success(request, "Assessment recorded and draft revision opened.")
        return redirect(revision)
    return render(request, "priorities/revision_new.html", {"form": form, "plan": plan})


def _diff_of(revision: PlanRevision) -> PlanDiff:
    return draft_diff(plan_as_draft(revision.plan), revision.draft)


def _stranded_actions(revision: PlanRevision) -> list[Any]:
    """The open actions on themes the draft retires (as actionplans.services'
    `revision_affected_actions`, which the decisions and publishing use). Actions are the
    action plans app's: this app reaches them by their relation to the theme, importing
    nothing above it."""
    gone = retired_theme_keys(plan_as_draft(revision.plan), revision.draft)
    lines = Q(pk__in=[])
    for priority_key, theme_keys in gone.items():
        lines |= Q(priority__key=priority_key, key__in=theme_keys)
    themes = Theme.objects.filter(priority__plan=revision.plan).filter(lines)
    action_model = Theme._meta.get_field("actions").related_model  # one query, for every theme
    return list(
        action_model._default_manager.filter(state="open", theme__in=themes)
        .select_related("plan__priority", "theme")
        .order_by("plan__financial_year", "reference")
    )


def revision_detail(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    """A draft beside the current plan (or a published revision's frozen difference)."""
    revision = revision_for(request, partnership, pk)
    context: dict[str, Any] = {"revision": revision, "plan": revision.plan}
    if revision.is_draft:
        diff = _diff_of(revision)
        affected = _stranded_actions(revision)
        context.update(
            diff=diff.as_json(),
            affected=affected,
            undecided=[a for a in affected if str(a.pk) not in revision.decisions],
        )
    else:
        context["diff"] = revision.summary
    return render(request, "priorities/revision_detail.html", context)


@redirecting
@require_http_methods(["GET", "POST"])
def revision_priority(request: HttpRequest, partnership: Partnership, pk: int, key: str) -> HttpResponse:
    """Edit one priority of the draft: its title, summary and every line."""
    revision = revision_for(request, partnership, pk, draft=True)
    priority = revision.draft_priority(key)
    if priority is None:
        raise Http404("No such priority in the draft")
    form = PriorityDraftForm(request.POST or None, priority=priority, initial=None)
    if request.method == "GET":
        form = PriorityDraftForm(
            priority=priority,
            initial={
                "version": revision.version,
                "title": priority["title"],
                "summary": priority.get("summary", ""),
            },
        )
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            revision_save(
                revision=revision,
                expected_version=form.cleaned_data["version"] or 0,
                user=request.user,  # type: ignore[arg-type]
                priority=form.result,
            )
        except StaleEdit as refused:
            stale = refused
            rebase(form, refused.current.version)
        else:
            messages.success(request, f"Priority {priority['number']} saved in the draft.")
            return redirect(revision)
    return render(
        request,
        "priorities/revision_priority.html",
        {
            "form": form,
            "revision": revision,
            "priority": priority,
            "stale": stale,
            "saved": stale.current.draft_priority(key) if stale else None,  # type: ignore[attr-defined]
        },
    )
