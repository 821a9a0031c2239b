"""A consultation's results as plain data: computed from its answers once per change and
stored (`results_refresh`), then read from the store (`consultation_results`), so a page
costs the same few queries whether it has ten responses or ten thousand. Pages, exports
and the quarterly report all read the stored results, so small numbers are suppressed the
same way everywhere (see `stats.suppress`).

Every change to what the results hold calls `results_refresh` in the change's transaction:
importing responses and coding answers (services), loading the data file (seed) and the
demo (demo), and editing a consultation, its questions and options, or the partnership's
wards and theme tags in the admin (admin). The comparison with an earlier consultation
is the one figure not stored: it is worked out on reading, from both consultations' stored
headlines, so editing the earlier one never leaves the later one's comparison behind.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from .models import AgeBand, Answer, Consultation, ConsultationResults, Question, Response, ThemeTag
from .stats import THRESHOLD, compare, suppress, wilson

QUOTES_SHOWN = 10
# The layout of the stored results: raise it when what `_computed` returns changes, and
# every row stored in an older layout is computed again the first time it is read.
SHAPE = 1


def _percent(count: int, n: int) -> float | None:
    return round(100 * count / n, 1) if n else None


def _respondents_by_question(consultation: Consultation) -> dict[int, int]:
    return dict(
        Answer.objects.filter(question__consultation=consultation)
        .values_list("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
    )


def _option_counts(consultation: Consultation) -> dict[int, int]:
    return dict(
        Answer.objects.filter(question__consultation=consultation, option__isnull=False)
        .values_list("option_id")
        .annotate(n=Count("id"))
        .values_list("option_id", "n")
    )


def positive_share(question: Question) -> tuple[int, int]:
    """How many respondents gave one of the question's positive answers, and how many answered it."""
    figures = Answer.objects.filter(question=question).aggregate(
        n=Count("response_id", distinct=True),
        positives=Count("response_id", distinct=True, filter=Q(option__is_positive=True)),
    )
    return figures["positives"], figures["n"]


def headline(
    consultation: Consultation, *, counts: dict[int, int] | None = None, respondents: int | None = None
) -> dict[str, Any]:
    """The headline (share of positive answers to the headline question) with its 95 % interval,
    from the responses held; else the published figure, whose interval is known only with its n."""
    result: dict[str, Any] = {
        "label": consultation.headline_label,
        "published_percent": None if consultation.published_percent is None else float(consultation.published_percent),
        "published_respondents": consultation.published_respondents,
        "published_source": consultation.published_source,
        "from_responses": False,
        "percent": None,
        "n": None,
        "positives": None,
        "low": None,
        "high": None,
        "proportion": None,  # unrounded, for comparisons
        "too_few": False,
    }
    question = consultation.headline_question
    if question is not None:
        if question.kind == question.Kind.MULTIPLE:
            # Several positive answers may come from one person: count people, not answers.
            positives, respondents = positive_share(question)
        else:
            if counts is None:
                counts = _option_counts(consultation)
            if respondents is None:
                respondents = _respondents_by_question(consultation).get(question.id, 0)
            positives = sum(counts.get(o.id, 0) for o in question.options.all() if o.is_positive)
        if 0 < respondents < THRESHOLD:
            result.update(too_few=True, n=None)
            return result
        if respondents:
            low, high = wilson(positives, respondents)
            result.update(
                from_responses=True,
                percent=_percent(positives, respondents),
                n=respondents,
                positives=positives,
                low=round(100 * low, 1),
                high=round(100 * high, 1),
                proportion=positives / respondents,
            )
            return result
    if result["published_percent"] is not None:
        result["percent"] = result["published_percent"]
        result["proportion"] = result["published_percent"] / 100
        result["n"] = consultation.published_respondents
        if consultation.published_respondents:
            positives = round(result["percent"] / 100 * consultation.published_respondents)
            low, high = wilson(positives, consultation.published_respondents)
            result.update(low=round(100 * low, 1), high=round(100 * high, 1))
    return result


def comparison(consultation: Consultation, this: dict[str, Any]) -> dict[str, Any] | None:
    """This consultation's headline against the latest earlier one that has a headline, from
    the earlier one's stored results."""
    if this["percent"] is None:
        return None
    for earlier in Consultation.objects.earlier_than(consultation).select_related("stored_results"):
        before = results_read(earlier)["headline"]
        if before["percent"] is None:
            continue
        result = compare(
            earlier=before["proportion"],
            earlier_n=before["n"],
            later=this["proportion"],
            later_n=this["n"],
        )
        return {
            "earlier": earlier.title,
            "earlier_year": earlier.year,
            "earlier_percent": before["percent"],
            "earlier_n": before["n"],
            "sentence": result.sentence(str(earlier.year), str(consultation.year)),
            "testable": result.testable,
            "significant": result.significant,
        }
    return None


def _tag_counts(consultation: Consultation) -> dict[int, dict[int, int]]:
    """For each free-text question, how many of its answers carry each tag."""
    tag_counts: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, tag_id, n in (
        Answer.tags.through.objects.filter(answer__question__consultation=consultation)
        .values_list("answer__question_id", "themetag_id")
        .annotate(n=Count("id"))
    ):
        tag_counts[question_id][tag_id] = n
    return tag_counts


def _coded_counts(consultation: Consultation) -> dict[int, int]:
    """For each free-text question, how many of its answers carry at least one tag."""
    return dict(
        Answer.objects.filter(question__consultation=consultation, option__isnull=True, tags__isnull=False)
        .values_list("question_id")
        .annotate(n=Count("id", distinct=True))
        .values_list("question_id", "n")
    )


def _quotes(consultation: Consultation) -> dict[int, list[str]]:
    """For each free-text question, the first few answers an admin marked publishable."""
    quotes: dict[int, list[str]] = defaultdict(list)
    for question_id, text in (
        Answer.objects.filter(question__consultation=consultation, option__isnull=True, publishable=True)
        .order_by("question_id", "response__external_id")
        .values_list("question_id", "text")
    ):
        if len(quotes[question_id]) < QUOTES_SHOWN:
            quotes[question_id].append(text)
    return quotes


def _options_shown(question: Question, counts: dict[int, int], n: int) -> list[dict[str, Any]]:
    return [
        {
            "label": option.label,
            "count": counts.get(option.id, 0),
            "percent": _percent(counts.get(option.id, 0), n),
            "is_positive": option.is_positive,
        }
        for option in question.options.all()
    ]


def _themes_ranked(tags: list[ThemeTag], tag_counts: dict[int, int], n_coded: int) -> list[dict[str, Any]]:
    return sorted(
        (
            {
                "name": tag.name,
                "feeling": tag.feeling,
                "feeling_label": tag.get_feeling_display(),
                "count": tag_counts.get(tag.id, 0),
                "percent": _percent(tag_counts.get(tag.id, 0), n_coded),
            }
            for tag in tags
        ),
        key=lambda theme: (-theme["count"], theme["name"]),
    )


def _computed(consultation: Consultation) -> dict[str, Any]:
    """Everything the results hold but the comparison, from the answers: every question's
    distribution with its breakdowns, the headline and its breakdowns, and the free-text
    themes ranked, with only publishable answers quoted."""
    questions = list(consultation.questions.prefetch_related("options"))
    counts = _option_counts(consultation)
    respondents = _respondents_by_question(consultation)
    tag_counts = _tag_counts(consultation)
    coded = _coded_counts(consultation)
    tags = list(ThemeTag.objects.filter(partnership_id=consultation.partnership_id))
    quotes = _quotes(consultation)

    rows = []
    for question in questions:
        n = respondents.get(question.id, 0)
        row: dict[str, Any] = {
            "number": question.number,
            "text": question.text,
            "kind": question.kind,
            "kind_label": question.get_kind_display(),
            "note": question.note,
            "respondents": n,
            "too_few": 0 < n < THRESHOLD,
        }
        if question.has_options:
            row["options"] = _options_shown(question, counts, n)
            row["breakdowns"] = [breakdown(question, by) for by in BREAKDOWNS]
        else:
            row["coded"] = coded.get(question.id, 0)
            row["themes"] = _themes_ranked(tags, tag_counts[question.id], row["coded"])
            row["quotes"] = quotes.get(question.id, [])
        rows.append(row)
    return {
        "title": consultation.title,
        "slug": consultation.slug,
        "year": consultation.year,
        "illustrative": consultation.responses_are_illustrative,
        "responses": Response.objects.filter(consultation=consultation).count(),
        "headline": headline(
            consultation,
            counts=counts,
            respondents=respondents.get(consultation.headline_question_id or 0, 0),
        ),
        "headline_by": {by: headline_breakdown(consultation, by) for by in BREAKDOWNS},
        "questions": rows,
    }


def results_refresh(consultation: Consultation) -> dict[str, Any]:
    """Compute the consultation's results from its answers and store them; the one writer of
    `ConsultationResults`. Call it inside the transaction of the change, after the change:
    the consultation's row is locked first, so two changes at once refresh in turn and the
    second counts the first's answers too."""
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        data = _computed(locked)
        stored, _ = ConsultationResults.objects.update_or_create(
            consultation=locked, defaults={"data": data, "shape": SHAPE, "computed_at": timezone.now()}
        )
    consultation.stored_results = stored
    return data


def results_read(consultation: Consultation) -> dict[str, Any]:
    """The stored results (without the comparison), computed and stored first if there are
    none yet or they are in an older layout. Select `stored_results` with the consultation
    to read them without a query."""
    try:
        stored = consultation.stored_results
    except ConsultationResults.DoesNotExist:
        return results_refresh(consultation)
    if stored.shape != SHAPE:
        return results_refresh(consultation)
    data: dict[str, Any] = stored.data
    return data


def consultation_results(consultation: Consultation) -> dict[str, Any]:
    """The stored results, with the headline's comparison with the latest earlier consultation."""
    data = results_read(consultation)
    return {**data, "comparison": comparison(consultation, data["headline"])}


BREAKDOWNS = {"ward": "Ward", "age_band": "Age band"}


def _groups(consultation: Consultation, by: str) -> list[tuple[Any, str]]:
    if by == "ward":
        groups: list[tuple[Any, str]] = [(w.id, w.name) for w in consultation.ward_list]
        return [*groups, (None, "Not stated")]
    return [*((value, label) for value, label in AgeBand.choices), ("", "Not stated")]


def breakdown(question: Question, by: str) -> dict[str, Any]:
    """A question's answers by ward or by age band, with small numbers suppressed.

    For a choice question the columns are its options; for a free-text question there is
    nothing to break down. Every group, including "Not stated", is a row, so the rows add up
    to the total that the results page shows and suppression can guard against
    subtraction (see `stats.suppress`)."""
    if by not in BREAKDOWNS:
        raise ValueError(f"no breakdown by {by}")
    consultation = question.consultation
    options = list(question.options.all())
    field = f"response__{by}"
    group_n = dict(
        Answer.objects.filter(question=question)
        .values_list(field)
        .annotate(n=Count("response_id", distinct=True))
        .values_list(field, "n")
    )
    cells: dict[tuple[Any, int], int] = {
        (group, option_id): n
        for group, option_id, n in Answer.objects.filter(question=question, option__isnull=False)
        .values_list(field, "option_id")
        .annotate(n=Count("id"))
        .values_list(field, "option_id", "n")
    }
    groups = _groups(consultation, by)
    if by == "age_band" and "" not in group_n and None in group_n:
        group_n[""] = group_n.pop(None)
    table = [[group_n.get(key, 0), *(cells.get((key, o.id), 0) for o in options)] for key, _ in groups]
    rows = []
    for (_, label), values, mask in zip(groups, table, suppress(table), strict=True):
        n = values[0]
        rows.append(
            {
                "label": label,
                "suppressed": mask[0],
                "n": None if mask[0] else n,
                "cells": [
                    None if mask[i] else {"count": values[i], "percent": _percent(values[i], n)}
                    for i in range(1, len(values))
                ],
            }
        )
    total = sum(group_n.values())
    return {
        "by": by,
        "by_label": BREAKDOWNS[by],
        "options": [o.label for o in options],
        "rows": rows,
        "total": total,
        "totals": [{"count": sum(cells.get((key, o.id), 0) for key, _ in groups)} for o in options],
        "suppressed_groups": sum(1 for row in rows if row["suppressed"]),
        "threshold": THRESHOLD,
    }


def headline_breakdown(consultation: Consultation, by: str) -> dict[str, Any] | None:
    """The headline (% positive) by ward or age band, suppressed like every breakdown."""
    question = consultation.headline_question
    if question is None:
        return None
    positive = Q(option__is_positive=True)
    field = f"response__{by}"
    counts = {
        group: (n, p)
        for group, n, p in Answer.objects.filter(question=question)
        .values_list(field)
        .annotate(n=Count("response_id", distinct=True), p=Count("response_id", distinct=True, filter=positive))
        .values_list(field, "n", "p")
    }
    if by == "age_band" and None in counts:
        counts[""] = counts.pop(None)
    groups = _groups(consultation, by)
    pairs = [counts.get(key, (0, 0)) for key, _ in groups]
    # [respondents, positive, not positive]: the two counts make up the group, as suppress expects.
    table = [[n, positives, n - positives] for n, positives in pairs]
    rows = []
    for (_, label), (n, positives), mask in zip(groups, pairs, suppress(table), strict=True):
        rows.append(
            {
                "label": label,
                "suppressed": mask[0],
                "n": None if mask[0] else n,
                "percent": None if mask[1] else _percent(positives, n),
            }
        )
    return {"by": by, "by_label": BREAKDOWNS[by], "rows": rows, "threshold": THRESHOLD}


def report_section(*, partnership_id: int, as_of: dt.date) -> dict[str, Any] | None:
    """The quarterly report's consultation section: the latest consultation closed by `as_of`,
    with its headline, comparison, ranked themes and suppressed breakdowns, as plain data."""
    # Without a closing date, a consultation counts as closed only once its year is over.
    closed = Q(closes_on__lte=as_of) | Q(closes_on__isnull=True, year__lt=as_of.year)
    consultation = (
        Consultation.objects.filter(closed, partnership_id=partnership_id)
        .select_related("stored_results")
        .order_by("-year", F("closes_on").desc(nulls_last=True))
        .first()
    )
    if consultation is None:
        return None
    results = consultation_results(consultation)
    themes: dict[str, list[dict[str, Any]]] = {"safe": [], "unsafe": []}
    coded = 0
    for row in results["questions"]:
        if row["kind"] == Question.Kind.FREE_TEXT:
            coded += row["coded"]
            for theme in row["themes"]:
                if theme["feeling"] in themes and theme["count"]:
                    themes[theme["feeling"]].append(theme)
    from_responses = results["headline"]["from_responses"]
    by_age = results["headline_by"]["age_band"] if from_responses else None
    by_ward = results["headline_by"]["ward"] if from_responses else None
    return {
        "title": results["title"],
        "year": results["year"],
        "illustrative": results["illustrative"],
        "responses": results["responses"],
        "headline": results["headline"],
        "comparison": results["comparison"],
        "coded": coded,
        "themes_safe": themes["safe"],
        "themes_unsafe": themes["unsafe"],
        "by_age": by_age,
        "by_ward": by_ward,
        "threshold": THRESHOLD,
    }
