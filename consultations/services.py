"""Writes that touch several records: importing responses (and the uploads and mappings
that lead to it), coding free-text answers and feeding an indicator. The two that change
what a consultation's results hold, importing and coding, refresh its stored results in
their own transaction (`results.results_refresh`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import User
from actionplans.models import Indicator, IndicatorValue, ReportingPeriod
from actionplans.services import IndicatorEntry, indicator_value_save
from core.imports import Problem
from core.models import StaleEdit
from core.services import uploads_expire
from core.tables import Table

from .imports import ImportCheck, Mapping, ParsedResponse, read_table, responses_check
from .models import (
    Answer,
    ColumnMapping,
    Consultation,
    IndicatorFeed,
    Question,
    Response,
    ResponseImport,
    ThemeTag,
)
from .results import positive_share, results_refresh
from .stats import wilson

# Importing responses ---------------------------------------------------------------


def responses_import(
    *,
    consultation: Consultation,
    table: Table,
    mapping: Mapping,
    user: User | None,
    upload: ResponseImport | None = None,
) -> ImportCheck:
    """Check the table again and, only if every row is good, add its new responses in one
    transaction. Imports into one consultation take turns (a row lock), so two people
    confirming the same file at once add it once."""
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        if upload is not None:
            upload = ResponseImport.objects.select_for_update().defer("content").get(pk=upload.pk)
            if upload.imported_at is not None:  # a second press of the button, or a colleague's
                return ImportCheck(
                    problems=[Problem(0, f"{upload.file_name} was imported already: nothing more was added")]
                )
        check = responses_check(consultation=consultation, table=table, mapping=mapping)
        if not check.ok:
            return check
        try:
            with transaction.atomic():
                _write(consultation, check.to_add, user, upload)
        except IntegrityError:
            check.problems.append(Problem(0, "Another import of these responses finished first: check the file again"))
            return check
        check.added = len(check.to_add)
        if check.added:
            results_refresh(consultation)
        if upload is not None:
            upload.responses_added = check.added
            upload.mark_imported("responses_added")  # the answers are held as responses now
    return check


def _write(
    consultation: Consultation, parsed: list[ParsedResponse], user: User | None, upload: ResponseImport | None
) -> None:
    responses = Response.objects.bulk_create(
        [
            Response(
                consultation=consultation,
                external_id=p.external_id,
                ward_id=p.ward_id,
                age_band=p.age_band,
                submitted_on=p.submitted_on,
                imported_in=upload,
            )
            for p in parsed
        ],
        batch_size=1000,
    )
    choices = []
    texts = []
    for response, p in zip(responses, parsed, strict=True):
        choices += [Answer(response=response, question_id=q, option_id=o) for q, o in p.choices]
        texts += [Answer(response=response, question_id=q, text=t) for q, t in p.texts]
    Answer.objects.bulk_create(choices, batch_size=2000)
    # Free text is coded later: its history starts here, so each coding change shows old -> new.
    if texts:
        bulk_create_with_history(texts, Answer, batch_size=1000, default_user=user)


def mapping_save(*, consultation: Consultation, tool: str, mapping: Mapping, user: User | None) -> ColumnMapping:
    """Remember the mapping for the next file from the same tool."""
    saved, _ = ColumnMapping.objects.update_or_create(
        consultation=consultation,
        tool=tool,
        defaults={"columns": mapping.columns, "updated_by": user},
    )
    return saved


def upload_save(*, consultation: Consultation, tool: str, name: str, content: bytes, user: User) -> ResponseImport:
    """Keep an uploaded file for the mapping and confirm steps, once it reads as a table.
    Files never imported are dropped after a week (`core.services.uploads_expire`)."""
    read_table(name, content)
    uploads_expire()
    upload = ResponseImport(consultation=consultation, tool=tool, uploaded_by=user)
    upload.hold(name, content)
    upload.full_clean()
    upload.save()
    return upload


# Coding and feeding -------------------------------------------------------------------


@dataclass(frozen=True)
class Coding:
    """What the coding screen collected for one answer."""

    answer_id: int
    version: int
    tag_ids: frozenset[int]
    publishable: bool


@dataclass
class CodingResult:
    saved: int = 0
    unchanged: int = 0
    stale: list[int] | None = None  # answers someone else coded since the page was opened


def answers_code(*, question: Question, codings: list[Coding], user: User) -> CodingResult:
    """Save each answer's tags and publishable flag, unless it was coded by someone else
    since the screen was opened; those are left as they are and named in the result.
    Only answers to `question` and the partnership's own tags are touched. Each answer is
    saved in a savepoint of its own, so a stale one leaves the others saved, and the stored
    results are refreshed in the same transaction as the codings."""
    with transaction.atomic():
        result = CodingResult(stale=[])
        answers = {
            a.id: a
            for a in Answer.objects.filter(
                id__in=[c.answer_id for c in codings], question=question, option__isnull=True
            ).prefetch_related("tags")
        }
        partnership_id = question.consultation.partnership_id
        allowed_tags = set(ThemeTag.objects.filter(partnership_id=partnership_id).values_list("id", flat=True))
        for coding in codings:
            answer = answers.get(coding.answer_id)
            if answer is None:
                continue
            tag_ids = coding.tag_ids & allowed_tags
            if {t.id for t in answer.tags.all()} == tag_ids and answer.publishable == coding.publishable:
                result.unchanged += 1
                continue
            try:
                with transaction.atomic():
                    answer.claim(coding.version)
                    answer.publishable = coding.publishable
                    answer._history_user = user  # type: ignore[attr-defined]
                    answer.full_clean()
                    answer.save(update_fields=["publishable"])
                    answer.tags.set(tag_ids)
            except StaleEdit:
                assert result.stale is not None
                result.stale.append(answer.id)
                continue
            result.saved += 1
        if result.saved:
            results_refresh(question.consultation)
    return result


def indicator_feed(
    *,
    question: Question,
    indicator: Indicator,
    period: ReportingPeriod,
    user: User | None,
    expected_version: int | None = None,
) -> IndicatorFeed:
    """Write a question's headline (% positive) into the indicator's value for the period.

    The value is written through the one lock every writer takes: from `expected_version`
    when the caller read one, else from the version standing when the feed reads it, so a
    value someone changes while the feed runs is refused (StaleEdit), never overwritten."""
    consultation = question.consultation
    if not question.options.filter(is_positive=True).exists():
        raise ValidationError("This question has no answers marked positive, so it has no headline to feed.")
    if indicator.is_count:
        raise ValidationError(f"“{indicator}” is measured in {indicator.unit}, not %: choose a percentage indicator.")
    positives, n = positive_share(question)
    if not n:
        raise ValidationError("There are no responses to this question yet: import them first.")
    low, high = wilson(positives, n)
    value = Decimal(100 * positives / n).quantize(Decimal("0.1"))
    positive_labels = " or ".join(o.label.lower() for o in question.options.filter(is_positive=True))
    note = (
        f"From {consultation.title}, question {question.number}: {positives} of {n} respondents answered "
        f"{positive_labels} (95 % interval {100 * low:.1f}–{100 * high:.1f} %)."
    )
    if consultation.responses_are_illustrative:
        note += " Illustrative responses."
    with transaction.atomic():
        if expected_version is None:
            standing = IndicatorValue.objects.filter(indicator=indicator, period=period).values_list(
                "version", flat=True
            )
            expected_version = standing.first()
        indicator_value_save(
            indicator_id=indicator.pk,
            period=period,
            entry=IndicatorEntry(value=value, provisional=False, note=note, version=expected_version),
            user=user,
        )
        feed, _ = IndicatorFeed.objects.update_or_create(
            indicator=indicator,
            period=period,
            defaults={"question": question, "value": value, "respondents": n, "fed_by": user},
        )
    return feed
