"""Illustrative demo data: actions, milestones, updates and indicator values.

Everything made here is marked illustrative and is shown so on every page. It is made
for the previous and the current financial year, and `scale` multiplies the actions
(and everything under them) for benchmarks. Running it again adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Agency, Role, User
from core import periods
from priorities.models import Partnership, Priority, StrategicPlan, Theme

from .models import (
    ILLUSTRATIVE_NOTE,
    Action,
    ActionPlan,
    ActionUpdate,
    Indicator,
    IndicatorValue,
    Milestone,
    Rag,
    ReportingPeriod,
)

# One illustrative action for each theme of the shipped plan, keyed by the theme's text.
ACTIONS_BY_THEME = {
    "Knife Crime & Youth Violence": "Run knife-crime awareness sessions in secondary schools with the youth service",
    "Robbery": "Map robbery hotspots monthly and target patrols and CCTV at the top five",
    "Domestic Abuse": "Review every repeat MARAC case for missed opportunities and share the lessons",
    "Serious Sexual Offences": "Train night-time economy staff to spot and report predatory behaviour",
    "County Lines": "Hold a monthly multi-agency county lines disruption meeting",
    "CSE and Missing": "Carry out a return-home interview within 72 hours of every missing episode",
    "Cuckooing": "Agree a cuckooing referral pathway with housing providers",
    "Modern Day Slavery and Human Trafficking": "Run modern slavery awareness training for front-line staff",
    "Hate and Extremism": "Publicise hate crime reporting centres in public spaces",
    "Drug misuse and distribution": "Share drug-dealing intelligence from residents through a single reporting route",
    "Alcohol related harm and disorder": "Renew the town-centre Public Space Protection Order with residents' views",
    "Gangs and young people": "Open two youth-led safe spaces in the town centre in the evenings",
    "Homelessness and Begging": "Offer outreach to everyone begging near cash machines and transport hubs",
}

MILESTONES = ["Agree the plan with partners", "Deliver the first half", "Review results and report to the board"]


@dataclass(frozen=True)
class IndicatorSpec:
    priority: int
    title: str
    unit: str
    higher_is_better: bool
    baseline: Decimal
    target: Decimal
    tolerance: Decimal
    source: str
    agency: str


BEDFORD_INDICATORS = [
    IndicatorSpec(
        1,
        "Recorded knife crime offences",
        "offences",
        False,
        Decimal(62),
        Decimal(55),
        Decimal(4),
        "Police recorded crime",
        "Bedfordshire Police",
    ),
    IndicatorSpec(
        1,
        "Knife crime victims aged 16 to 20",
        "victims",
        False,
        Decimal(18),
        Decimal(14),
        Decimal(2),
        "Police recorded crime",
        "Bedfordshire Police",
    ),
    IndicatorSpec(
        1,
        "Robberies involving a knife or bladed article",
        "%",
        False,
        Decimal(31),
        Decimal(25),
        Decimal(3),
        "Police recorded crime",
        "Bedfordshire Police",
    ),
    IndicatorSpec(
        1,
        "Repeat cases heard at MARAC",
        "%",
        False,
        Decimal(38),
        Decimal(32),
        Decimal(3),
        "MARAC coordinator",
        "Bedford Borough Council",
    ),
    IndicatorSpec(
        1,
        "Serious sexual offences reported to the police",
        "offences",
        True,
        Decimal(95),
        Decimal(105),
        Decimal(6),
        "Police recorded crime",
        "Bedfordshire Police",
    ),
    IndicatorSpec(
        2,
        "Crimes with a confirmed CSE marker",
        "crimes",
        True,
        Decimal(21),
        Decimal(26),
        Decimal(3),
        "Police recorded crime",
        "Bedfordshire Police",
    ),
    IndicatorSpec(
        2,
        "Missing episodes with a gangs or county lines risk marker",
        "%",
        False,
        Decimal(14),
        Decimal(10),
        Decimal(2),
        "Missing persons data",
        "Bedfordshire Police",
    ),
    IndicatorSpec(
        2,
        "Safeguarding referrals from CSP professionals",
        "referrals",
        True,
        Decimal(140),
        Decimal(160),
        Decimal(8),
        "Adult Protection Referral Forms",
        "Bedford Borough Council",
    ),
    IndicatorSpec(
        2,
        "Modern slavery offences recorded",
        "offences",
        True,
        Decimal(9),
        Decimal(12),
        Decimal(2),
        "Police recorded crime",
        "Bedfordshire Police",
    ),
    IndicatorSpec(
        3,
        "Residents confident that agencies work together",
        "%",
        True,
        Decimal(34),
        Decimal(41),
        Decimal(2),
        "CSP resident survey",
        "Bedford Borough Council",
    ),
    IndicatorSpec(
        3,
        "Reports of begging and vagrancy",
        "reports",
        False,
        Decimal(120),
        Decimal(100),
        Decimal(8),
        "Police incident data",
        "Bedfordshire Police",
    ),
    IndicatorSpec(
        3,
        "People sleeping rough on the count night",
        "people",
        False,
        Decimal(11),
        Decimal(6),
        Decimal(1),
        "Rough sleeping count",
        "Bedford Borough Council",
    ),
]

# Central Bedfordshire's plan names its priorities but no measures: these are made up for
# the demo, like every figure here.
CENTRAL_INDICATORS = [
    IndicatorSpec(
        1,
        "Referrals of people at risk of county lines exploitation",
        "referrals",
        True,
        Decimal(40),
        Decimal(55),
        Decimal(5),
        "Illustrative: exploitation panel referrals",
        "Bedfordshire Police",
    ),
    IndicatorSpec(
        2,
        "Domestic abuse incidents reported to the police",
        "incidents",
        True,
        Decimal(900),
        Decimal(960),
        Decimal(30),
        "Illustrative: police recorded incidents",
        "Bedfordshire Police",
    ),
]

# Each partnership's demo indicators, by its slug; a partnership not named has none.
INDICATORS = {"bedford-borough": BEDFORD_INDICATORS, "central-bedfordshire": CENTRAL_INDICATORS}


@dataclass
class DemoSummary:
    periods: int = 0
    plans: int = 0
    actions: int = 0
    milestones: int = 0
    updates: int = 0
    indicators: int = 0
    values: int = 0

    def __str__(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in vars(self).items()) + " added"


def _periods(today: dt.date, summary: DemoSummary, partnership: Partnership) -> list[ReportingPeriod]:
    """Every quarter of last financial year and this one; this quarter's window is open
    from its first day, so that there is something to write on the day the demo runs."""
    current_fy, current_q = periods.quarter_of(today)
    made = []
    for fy in (current_fy - 1, current_fy):
        for quarter in range(1, 5):
            opens, closes = periods.default_window(fy, quarter)
            if (fy, quarter) == (current_fy, current_q):
                opens = periods.quarter_start(fy, quarter)
            period, created = ReportingPeriod.objects.get_or_create(
                partnership=partnership,
                financial_year=fy,
                quarter=quarter,
                defaults={"window_opens": opens, "window_closes": closes},
            )
            summary.periods += created
            made.append(period)
    return made


def _officer_of(agency: Agency, partnership: Partnership) -> User | None:
    officers = User.objects.holding(Role.OFFICER, partnership).filter(agency=agency)
    # An officer who is not also a priority lead, when the agency has one.
    leads = User.objects.holding(Role.PRIORITY_LEAD, partnership).values("pk")
    return officers.exclude(pk__in=leads).order_by("email").first() or officers.order_by("email").first()


def _indicators(summary: DemoSummary, slug: str, priorities: dict[int, Priority]) -> dict[int, list[Indicator]]:
    by_priority: dict[int, list[Indicator]] = {}
    for spec in INDICATORS.get(slug, []):
        if spec.priority not in priorities:
            continue
        indicator, created = Indicator.objects.get_or_create(
            priority=priorities[spec.priority],
            title=spec.title,
            defaults={
                "unit": spec.unit,
                "higher_is_better": spec.higher_is_better,
                "baseline": spec.baseline,
                "baseline_label": "illustrative baseline",
                "target": spec.target,
                "tolerance": spec.tolerance,
                "data_source": spec.source,
                "supplying_agency": Agency.objects.filter(name=spec.agency).first(),
                "is_illustrative": True,
            },
        )
        summary.indicators += created
        by_priority.setdefault(spec.priority, []).append(indicator)
    return by_priority


def _values(summary: DemoSummary, indicators: list[Indicator], quarters: list[ReportingPeriod], today: dt.date) -> None:
    """A figure a board would believe for each quarter so far: a walk from baseline towards
    target with noise within the tolerance. Counts are whole numbers (no "7.6 people sleeping
    rough"). An indicator that a consultation feeds gets no invented figures: its values are
    the surveys', so the report never sets 42.7 % beside the survey's 34 %."""
    fed = set(
        Indicator.objects.filter(pk__in=[i.pk for i in indicators], consultation_feeds__isnull=False).values_list(
            "pk", flat=True
        )
    )
    for indicator in indicators:
        if indicator.pk in fed:
            continue
        rng = random.Random(indicator.title)
        value = float(indicator.baseline or 0)
        step = float(indicator.target - indicator.baseline) / 10 if indicator.target and indicator.baseline else 0
        for period in sorted(quarters, key=lambda p: (p.financial_year, p.quarter)):
            if period.starts > today:
                break
            value = max(0.0, value + step + rng.uniform(-1, 1) * float(indicator.tolerance))
            _, created = IndicatorValue.objects.get_or_create(
                indicator=indicator,
                period=period,
                defaults={
                    "value": Decimal(round(value)) if indicator.is_count else Decimal(f"{value:.1f}"),
                    "provisional": period.ends >= today - dt.timedelta(days=30),
                    "note": ILLUSTRATIVE_NOTE,
                },
            )
            summary.values += created


# How each past quarter's update ends up, cycling so every state appears.
PAST_STATES = [
    ActionUpdate.Status.APPROVED,
    ActionUpdate.Status.APPROVED,
    ActionUpdate.Status.RETURNED,
    ActionUpdate.Status.SUBMITTED,
]
CURRENT_STATES = [None, ActionUpdate.Status.DRAFT, ActionUpdate.Status.SUBMITTED, ActionUpdate.Status.RETURNED, None]
RAGS = [Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.RED, Rag.GREEN, Rag.AMBER]


def _action(
    summary: DemoSummary,
    *,
    plan: ActionPlan,
    reference: str,
    title: str,
    theme_index: int,
    theme: Theme,
    agencies: list[Agency],
    indicators: list[Indicator],
    quarters: list[ReportingPeriod],
    today: dt.date,
) -> None:
    if Action.objects.filter(plan=plan, reference=reference).exists():
        return
    rng = random.Random(f"{plan.financial_year}-{reference}")
    lead = agencies[theme_index % len(agencies)]
    start = periods.quarter_start(plan.financial_year, 1)
    due = periods.quarter_end(plan.financial_year, 4)
    action = Action.objects.create(
        plan=plan,
        reference=reference,
        title=title,
        description="An illustrative action for trying the portal.",
        theme=theme,
        lead_agency=lead,
        owner=_officer_of(lead, plan.partnership),
        start_date=start,
        due_date=due,
        is_illustrative=True,
    )
    action.supporting_agencies.set([a for a in agencies if a != lead][: 1 + theme_index % 2])
    action.aims.set(plan.priority.aims.filter(retired_at__isnull=True)[: 1 + theme_index % 2])
    action.outcomes.set(plan.priority.outcomes.filter(retired_at__isnull=True)[:1])
    action.indicators.set(indicators[theme_index % len(indicators) :][:2] if indicators else [])
    summary.actions += 1

    for position, milestone_title in enumerate(MILESTONES):
        due_date = periods.quarter_end(plan.financial_year, position + 2) - dt.timedelta(days=rng.randint(0, 40))
        done = due_date < today and (position == 0 or rng.random() < 0.6)
        Milestone.objects.create(
            action=action,
            title=milestone_title,
            due_date=due_date,
            completed_on=due_date - dt.timedelta(days=rng.randint(0, 10)) if done else None,
        )
        summary.milestones += 1

    current = periods.quarter_of(today)
    for period in sorted(quarters, key=lambda p: (p.financial_year, p.quarter)):
        if not action.runs_in(period) or period.starts > today:
            continue
        is_current = (period.financial_year, period.quarter) == current
        states = CURRENT_STATES if is_current else PAST_STATES
        status = states[(theme_index + period.quarter) % len(states)]
        if status is None:
            continue
        rag = RAGS[(theme_index + period.quarter) % len(RAGS)]
        ActionUpdate.objects.create(
            action=action,
            period=period,
            rag=rag,
            progress=f"Illustrative progress for {period.label}: work is under way with partners.",
            issues_and_risks="Illustrative: staff availability over the summer." if rag != Rag.GREEN else "",
            support_requested="Illustrative: the board's help to secure venue space." if rag == Rag.RED else "",
            status=status,
            saved_by=action.owner,
            submitted_by=action.owner if status != ActionUpdate.Status.DRAFT else None,
            submitted_at=(
                timezone.make_aware(dt.datetime.combine(min(period.ends, today), dt.time(10)))
                if status != ActionUpdate.Status.DRAFT
                else None
            ),
            review_comment="Illustrative: please say what the sessions achieved."
            if status == ActionUpdate.Status.RETURNED
            else "",
        )
        summary.updates += 1


def demo_load(*, today: dt.date, scale: int = 1) -> DemoSummary:
    """Make the illustrative data of every partnership that has a plan, `scale` actions per
    theme per year; idempotent."""
    summary = DemoSummary()
    plans = [
        plan
        for partnership in Partnership.objects.order_by("name")
        if (plan := StrategicPlan.objects.filter(partnership=partnership).current()) is not None
    ]
    if not plans:
        raise ValueError("Import a strategic plan first (make run does).")
    with transaction.atomic():
        for plan in plans:
            _partnership_demo(summary, plan, today=today, scale=scale)
    return summary


def _partnership_demo(summary: DemoSummary, plan: StrategicPlan, *, today: dt.date, scale: int) -> None:
    partnership = plan.partnership
    quarters = _periods(today, summary, partnership)
    priorities = {p.number: p for p in plan.priorities.filter(retired_at__isnull=True).order_by("number")}
    indicators = _indicators(summary, partnership.slug, priorities)
    _values(summary, [i for group in indicators.values() for i in group], quarters, today)
    agencies = list(partnership.responsible_authorities().order_by("name"))
    # The demo priority lead reviews priority one's updates.
    lead = User.objects.holding(Role.PRIORITY_LEAD, partnership).order_by("email").first()
    if lead is not None and priorities.get(1) is not None and priorities[1].lead_id is None:
        priorities[1].lead = lead
        priorities[1].save(update_fields=["lead"])
    current_fy = periods.financial_year_of(today)
    for fy in (current_fy - 1, current_fy):
        for number, priority in priorities.items():
            action_plan, created = ActionPlan.objects.get_or_create(
                partnership=partnership,
                priority=priority,
                financial_year=fy,
                defaults={"status": ActionPlan.Status.APPROVED if fy < current_fy else ActionPlan.Status.DRAFT},
            )
            summary.plans += created
            for theme_index, theme in enumerate(priority.themes.filter(retired_at__isnull=True)):
                title = ACTIONS_BY_THEME.get(theme.text, f"Illustrative action on {theme.text.lower()}")
                for copy in range(1, scale + 1):
                    reference = f"{number}.{theme.position}" + (f".{copy}" if copy > 1 else "")
                    _action(
                        summary,
                        plan=action_plan,
                        reference=reference,
                        title=title if copy == 1 else f"{title} (copy {copy})",
                        theme_index=theme_index + copy,
                        theme=theme,
                        agencies=agencies,
                        indicators=indicators.get(number, []),
                        quarters=quarters,
                        today=today,
                    )
