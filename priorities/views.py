from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .models import GlossaryTerm, Priority, StrategicPlan


def _get_current_plan() -> StrategicPlan:
    plan = StrategicPlan.objects.current()
    if plan is None:
        raise Http404("No strategic plan has been imported yet.")
    return plan


def home(request: HttpRequest) -> HttpResponse:
    plan = StrategicPlan.objects.current()
    context: dict[str, object] = {"plan": plan}
    if plan is not None:
        context["authorities"] = plan.partnership.responsible_authorities()
        context["priorities"] = plan.priorities.current()
        context["assessments"] = plan.partnership.assessments.all()
        context["plan_ended"] = plan.ends < timezone.localdate()
    return render(request, "priorities/home.html", context)


def priority_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_current_plan()
    priority = get_object_or_404(Priority.objects.current().with_parts(), plan=plan, pk=pk)
    return render(
        request,
        "priorities/priority_detail.html",
        {"plan": plan, "priority": priority, "priorities": plan.priorities.current()},
    )


def glossary(request: HttpRequest) -> HttpResponse:
    plan = _get_current_plan()
    terms = GlossaryTerm.objects.filter(partnership=plan.partnership)
    return render(request, "priorities/glossary.html", {"plan": plan, "terms": terms})
