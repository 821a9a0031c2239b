from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from .models import GlossaryTerm, Partnership, Priority, StrategicPlan


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


def home(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    plan = StrategicPlan.objects.filter(partnership=partnership).current()
    context: dict[str, object] = {"plan": plan}
    if plan is not None:
        context["authorities"] = partnership.responsible_authorities()
        context["priorities"] = plan.priorities.current()
        context["assessments"] = partnership.assessments.all()
        context["plan_ended"] = plan.ends < timezone.localdate()
    return render(request, "priorities/home.html", context)


def priority_detail(request: HttpRequest, partnership: Partnership, pk: int) -> HttpResponse:
    plan = _get_current_plan(partnership)
    priority = get_object_or_404(Priority.objects.current().with_parts(), plan=plan, pk=pk)
    return render(
        request,
        "priorities/priority_detail.html",
        {"plan": plan, "priority": priority, "priorities": plan.priorities.current()},
    )


def glossary(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    plan = _get_current_plan(partnership)
    terms = GlossaryTerm.objects.filter(partnership=partnership)
    return render(request, "priorities/glossary.html", {"plan": plan, "terms": terms})
