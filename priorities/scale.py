"""More plan than any partnership has: for query-count tests and benchmarks."""

from __future__ import annotations

from typing import TypeVar

from django.db import transaction

from .models import ExpectedOutcome, KeyIssue, PartnershipAim, Priority, StrategicPlan, Theme

Line = TypeVar("Line", Theme, PartnershipAim, ExpectedOutcome)


def _copy_lines(model: type[Line], source: Priority, target: Priority) -> None:
    model.objects.bulk_create(
        [
            model(priority=target, key=line.key, position=line.position, text=line.text)
            for line in model.objects.filter(priority=source)
        ]
    )


def plan_scale_up(*, plan: StrategicPlan, factor: int) -> None:
    """Give the plan `factor` times its priorities, each a labelled copy with all its lines."""
    originals = list(Priority.objects.filter(plan=plan, retired_at__isnull=True).order_by("number"))
    next_number = max((p.number for p in originals), default=0) + 1
    with transaction.atomic():
        for copy in range(1, factor):
            for original in originals:
                priority = Priority.objects.create(
                    plan=plan,
                    key=f"{original.key}-copy-{copy}",
                    number=next_number,
                    title=f"{original.title} (copy {copy}, for testing)",
                    summary=original.summary,
                )
                next_number += 1
                _copy_lines(Theme, original, priority)
                _copy_lines(PartnershipAim, original, priority)
                _copy_lines(ExpectedOutcome, original, priority)
                issues = KeyIssue.objects.filter(priority=original, parent__isnull=True).prefetch_related("sub_points")
                for issue in issues:
                    parent = KeyIssue.objects.create(
                        priority=priority, key=issue.key, position=issue.position, text=issue.text
                    )
                    KeyIssue.objects.bulk_create(
                        KeyIssue(
                            priority=priority, parent=parent, key=point.key, position=point.position, text=point.text
                        )
                        for point in issue.sub_points.all()
                    )
