"""An illustrative response set for the CSP Consultation 2022, consistent with what the plan
publishes: 448 responses from all 27 wards, 34 % very or fairly confident (152 of 448).

Every response is made up; the consultation says so on every page. The responses go
through the same importer as a real export, as a CSV file built here, so the demo also
shows that path working.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass

from django.db import transaction

from actionplans.models import ILLUSTRATIVE_NOTE, Indicator, IndicatorValue, ReportingPeriod
from core import periods

from .imports import Mapping, read_table
from .models import AgeBand, Answer, Consultation, IndicatorFeed, ThemeTag, Ward
from .results import results_refresh
from .seed import SHIPPED_FILE, consultations_load
from .services import indicator_feed, responses_import

SLUG = "csp-consultation-2022"
CONFIDENCE_INDICATOR = "Residents confident that agencies work together"

# Respondents by ward (434 of 448 gave one; 14 did not). Some rural wards are small, so
# the breakdowns show suppression at work.
WARD_COUNTS = {
    "Brickhill": 24,
    "Bromham and Biddenham": 18,
    "Castle": 28,
    "Cauldwell": 26,
    "Clapham": 12,
    "De Parys": 22,
    "Eastcotts": 8,
    "Elstow and Stewartby": 11,
    "Goldington": 23,
    "Great Barford": 14,
    "Harpur": 25,
    "Harrold": 7,
    "Kempston Central and East": 20,
    "Kempston North": 12,
    "Kempston Rural": 9,
    "Kempston South": 13,
    "Kempston West": 14,
    "Kingsbrook": 21,
    "Newnham": 19,
    "Oakley": 10,
    "Putnoe": 20,
    "Queens Park": 24,
    "Riseley": 6,
    "Sharnbrook": 11,
    "Wilshamstead": 12,
    "Wootton": 15,
    "Wyboston": 10,
}
RESPONDENTS = 448
# 38 + 114 = 152 of 448 very or fairly confident: 33.9 %, published as 34 %.
CONFIDENCE = {
    "Very confident": 38,
    "Fairly confident": 114,
    "Not very confident": 150,
    "Not at all confident": 86,
    "Don't know": 60,
}
AGE_WEIGHTS = {
    AgeBand.UNDER_18: 6,
    AgeBand.AGE_18_24: 9,
    AgeBand.AGE_25_34: 15,
    AgeBand.AGE_35_44: 17,
    AgeBand.AGE_45_54: 18,
    AgeBand.AGE_55_64: 15,
    AgeBand.AGE_65_74: 12,
    AgeBand.AGE_75_PLUS: 3,
    AgeBand.PREFER_NOT: 2,
    "": 3,
}
TOWN_CENTRE = {"Alcohol": 0.55, "Drugs": 0.45, "Groups of young people": 0.35, "Rough sleeping and begging": 0.3}
SLAVERY = {"A lot": 5, "Some": 12, "A little": 14, "None": 9, "No opinion": 30, "Don't know": 30}

# Illustrative phrases for each theme the plan reports, weighted roughly as it ranks them.
SAFE_PHRASES = {
    "Positive relationships with neighbours": (
        30,
        ["My neighbours look out for each other", "We know the people on our street and help each other"],
    ),
    "Being part of an established community": (
        24,
        ["It is a settled community where people have lived for years", "A strong community with local groups"],
    ),
    "The physical environment": (16, ["Well-lit streets and tidy open spaces", "The park is well kept"]),
    "A visible presence of authority": (12, ["Seeing PCSOs walking around", "Police patrols in town at weekends"]),
}
UNSAFE_PHRASES = {
    "Speeding": (10, ["cars speeding along the main road", "speeding through the village at night"]),
    "Acquisitive crime": (10, ["sheds and bikes being broken into", "catalytic converters stolen on our road"]),
    "Drugs and alcohol": (14, ["drug dealing near the alleyway", "people drinking in the park"]),
    "Gangs": (8, ["gangs hanging around near the station", "groups of youths in gangs"]),
    "People acting in a suspicious or anti-social manner": (
        10,
        ["people hanging around the shops causing trouble", "noise and anti-social behaviour late at night"],
    ),
    "A lack of visible authority": (9, ["we never see the police any more", "no police presence in the evenings"]),
}
HEADERS = [
    "Response ID",
    "Date submitted",
    "Ward",
    "Age",
    "Q1 How confident are you that agencies work together",
    "Q2 What makes your local area a safe and unsafe place",
    "Q3 Town centre",
    "Q4 Modern slavery",
]
MAPPING = Mapping(
    {
        "Response ID": "response_id",
        "Date submitted": "submitted_on",
        "Ward": "ward",
        "Age": "age_band",
        "Q1 How confident are you that agencies work together": "question 1",
        "Q2 What makes your local area a safe and unsafe place": "question 2",
        "Q3 Town centre": "question 3",
        "Q4 Modern slavery": "question 4",
    }
)


@dataclass
class ConsultationDemoSummary:
    responses: int = 0
    coded: int = 0
    fed: bool = False

    def __str__(self) -> str:
        fed = "; the confidence indicator fed for 2022-23 Q2" if self.fed else ""
        return f"{self.responses} illustrative consultation responses added, {self.coded} answers coded{fed}"


def _pick(rng: random.Random, weights: dict[str, tuple[int, list[str]]]) -> tuple[str, str]:
    theme = rng.choices(list(weights), [w for w, _ in weights.values()])[0]
    return theme, rng.choice(weights[theme][1])


def demo_csv(scale: int = 1) -> tuple[str, dict[str, list[str]]]:
    """The illustrative export as CSV text, and the themes each free-text answer was written from."""
    rng = random.Random(2022)
    wards = [name for name, count in WARD_COUNTS.items() for _ in range(count)]
    wards += [""] * (RESPONDENTS - len(wards))
    confidence = [label for label, count in CONFIDENCE.items() for _ in range(count)]
    age_labels = dict(AgeBand.choices)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # as survey tools export it
    writer.writerow(HEADERS)
    themes: dict[str, list[str]] = {}
    for copy in range(scale):
        rng.shuffle(wards)
        rng.shuffle(confidence)
        for index in range(RESPONDENTS):
            response_id = f"D22-{copy + 1:02d}-{index + 1:04d}"
            submitted = dt.date(2022, 6, 20) + dt.timedelta(days=rng.randrange(82))
            age = rng.choices(list(AGE_WEIGHTS), list(AGE_WEIGHTS.values()))[0]
            text = ""
            if rng.random() < 0.7:
                safe_theme, safe = _pick(rng, SAFE_PHRASES)
                tags = [safe_theme]
                text = f"{safe}."
                if rng.random() < 0.6:
                    unsafe_theme, unsafe = _pick(rng, UNSAFE_PHRASES)
                    tags.append(unsafe_theme)
                    text += f" What worries me is {unsafe}."
                themes[response_id] = tags
            town = [label for label, p in TOWN_CENTRE.items() if rng.random() < p]
            if not town and rng.random() < 0.5:
                town = ["None of these"]
            slavery = rng.choices(list(SLAVERY), list(SLAVERY.values()))[0]
            writer.writerow(
                [
                    response_id,
                    submitted.strftime("%d/%m/%Y"),
                    wards[index],
                    age_labels.get(age, ""),
                    confidence[index],
                    text,
                    "; ".join(town),
                    slavery,
                ]
            )
    return out.getvalue(), themes


def demo_load(*, today: dt.date | None = None, scale: int = 1) -> ConsultationDemoSummary:
    """Import the illustrative 2022 responses into each partnership's CSP Consultation 2022
    (Bedford's, from its plan), code most free-text answers and feed its confidence
    indicator; idempotent. (`today` is the loader's signature: the survey is dated.)"""
    summary = ConsultationDemoSummary()
    if not Consultation.objects.filter(slug=SLUG).exists():
        consultations_load(SHIPPED_FILE)
    for consultation in Consultation.objects.filter(slug=SLUG).select_related("partnership", "headline_question"):
        if not Ward.objects.filter(partnership=consultation.partnership).exists():
            continue  # its wards are not loaded: nothing to answer from
        _consultation_demo(summary, consultation, scale)
    return summary


def _consultation_demo(summary: ConsultationDemoSummary, consultation: Consultation, scale: int) -> None:
    text, themes = demo_csv(scale)
    table = read_table("illustrative-2022.csv", text.encode("utf-8-sig"))
    with transaction.atomic():
        if not consultation.responses_are_illustrative:
            consultation.responses_are_illustrative = True
            consultation.save(update_fields=["responses_are_illustrative"])
        check = responses_import(consultation=consultation, table=table, mapping=MAPPING, user=None)
        if not check.ok:
            raise ValueError("The illustrative responses did not import: " + "; ".join(check.messages()[:5]))
        summary.responses += check.added
        if check.added:
            summary.coded += _code(consultation, themes)
        results_refresh(consultation)  # the codings and the illustrative flag, written here directly
        summary.fed = _feed(consultation) or summary.fed


def _code(consultation: Consultation, themes: dict[str, list[str]]) -> int:
    """Tag four in five free-text answers with the themes they were written from; mark a
    dozen publishable, as an admin would after reading them."""
    tags = {t.name: t.id for t in ThemeTag.objects.filter(partnership=consultation.partnership)}
    answers = list(
        Answer.objects.filter(question__consultation=consultation, option__isnull=True)
        .select_related("response")
        .order_by("response__external_id")
    )
    through = Answer.tags.through
    links = []
    coded = []
    for index, answer in enumerate(answers):
        if index % 5 == 4:
            continue  # left for someone to code on the coding screen
        for name in themes.get(answer.response.external_id, []):
            links.append(through(answer_id=answer.id, themetag_id=tags[name]))
        coded.append(answer.id)
    through.objects.bulk_create(links, ignore_conflicts=True)
    publishable = {a.text: a.id for a in answers}  # one of each distinct wording
    Answer.objects.filter(id__in=list(publishable.values())[:12]).update(publishable=True)
    return len(coded)


def _feed(consultation: Consultation) -> bool:
    indicator = Indicator.objects.filter(
        priority__plan__partnership_id=consultation.partnership_id, title=CONFIDENCE_INDICATOR
    ).first()
    question = consultation.headline_question
    if indicator is None or question is None:
        return False
    # The survey ran over the summer of 2022: its quarter is 2022-23 Q2.
    opens, closes = periods.default_window(2022, 2)
    period, _ = ReportingPeriod.objects.get_or_create(
        partnership_id=consultation.partnership_id,
        financial_year=2022,
        quarter=2,
        defaults={"window_opens": opens, "window_closes": closes},
    )
    if not IndicatorFeed.objects.filter(indicator=indicator, period=period).exists():
        indicator_feed(question=question, indicator=indicator, period=period, user=None)
    # The survey is this indicator's source: no made-up figure stands beside it in a report.
    IndicatorValue.objects.filter(indicator=indicator, note=ILLUSTRATIVE_NOTE).exclude(period=period).delete()
    return True
