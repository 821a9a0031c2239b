"""More plan than any partnership has: for query-count tests and benchmarks."""

from __future__ import annotations

from django.db import transaction

from .models import ExpectedOutcome, KeyIssue, PartnershipAim, Priority, StrategicPlan, Theme


def plan_scale_up(*, plan: StrategicPlan, factor: int) -> None:
    """Give the plan `factor` times its priorities, each a labelled copy with all its lines."""
    originals = list(Priority.objects.filter(plan=plan, retired_at__isnull=True).order_by("number"))
    next_number = max((p.number for p in originals), default=0) + 1
    with transaction.atomic():
        for copy in range(1, factor):
            for original in originals:
                priority = Priority.objects.create(
                    plan=plan,
                    number=next_number,
                    title=f"{original.title} (copy {copy}, for testing)",
                    summary=original.summary,
                )
                next_number += 1
                for model in (Theme, PartnershipAim, ExpectedOutcome):
                    model.objects.bulk_create(  # type: ignore[attr-defined]
                        model(priority=priority, position=line.position, text=line.text)
                        for line in model.objects.filter(priority=original)  # type: ignore[attr-defined]
                    )
                for issue in KeyIssue.objects.filter(priority=original, parent__isnull=True).prefetch_related("sub_points"):
                    parent = KeyIssue.objects.create(priority=priority, position=issue.position, text=issue.text)
                    KeyIssue.objects.bulk_create(
                        KeyIssue(priority=priority, parent=parent, position=point.position, text=point.text)
                        for point in issue.sub_points.all()
                    )
