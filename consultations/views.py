from __future__ import annotations

import hashlib
import json
from typing import Any

import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from core.charts import bar_chart
from core.converters import whole_number
from core.models import StaleEdit
from core.tables import TableError, download
from priorities.models import Partnership

from .forms import FeedForm, MappingForm, UploadForm
from .imports import Mapping, check_mapping, guess_mapping, read_table, responses_check
from .models import Answer, ColumnMapping, Consultation, IndicatorFeed, Question, ResponseImport, ThemeTag
from .results import consultation_results, results_read
from .services import Coding, answers_code, indicator_feed, mapping_save, responses_import, upload_save
from .stats import THRESHOLD, hidden_reason

CODING_PAGE = 20


def _get_consultation(request: HttpRequest, partnership: Partnership, slug: str) -> Consultation:
    if not request.user.has_perm("consultations.view_results", partnership):
        raise PermissionDenied
    related = Consultation.objects.select_related("partnership", "stored_results")
    return get_object_or_404(related, partnership=partnership, slug=slug)


def _get_consultation_to_manage(request: HttpRequest, partnership: Partnership, slug: str) -> Consultation:
    consultation = _get_consultation(request, partnership, slug)
    if not request.user.has_perm("consultations.manage", partnership):
        raise PermissionDenied
    return consultation


def _charts(results: dict[str, Any]) -> dict[int, Any]:
    return {
        row["number"]: bar_chart(title=row["text"], bars=[(o["label"], o["percent"] or 0.0) for o in row["options"]])
        for row in results["questions"]
        if "options" in row and row["respondents"] and not row["too_few"]
    }


@require_GET
def consultation_list(request: HttpRequest, partnership: Partnership) -> HttpResponse:
    if not request.user.has_perm("consultations.view_results", partnership):
        raise PermissionDenied
    consultations = Consultation.objects.filter(partnership=partnership).select_related("stored_results")
    rows = []
    for consultation in consultations:
        results = results_read(consultation)
        rows.append({"consultation": consultation, "headline": results["headline"], "responses": results["responses"]})
    return render(
        request,
        "consultations/consultation_list.html",
        {"rows": rows, "can_manage": request.user.has_perm("consultations.manage", partnership)},
    )


@require_GET
def consultation_detail(request: HttpRequest, partnership: Partnership, slug: str) -> HttpResponse:
    consultation = _get_consultation(request, partnership, slug)
    results = consultation_results(consultation)
    feeds = IndicatorFeed.objects.filter(question__consultation=consultation).select_related("indicator", "period")
    return render(
        request,
        "consultations/consultation_detail.html",
        {
            "consultation": consultation,
            "r": results,
            "charts": _charts(results),
            "feeds": feeds,
            "by_ward": results["headline_by"]["ward"],
            "by_age": results["headline_by"]["age_band"],
            "can_manage": request.user.has_perm("consultations.manage", partnership),
        },
    )


@require_GET
def question_detail(request: HttpRequest, partnership: Partnership, slug: str, number: int) -> HttpResponse:
    consultation = _get_consultation(request, partnership, slug)
    question = get_object_or_404(consultation.questions, number=number)
    row = next(r for r in results_read(consultation)["questions"] if r["number"] == number)
    context: dict[str, Any] = {
        "consultation": consultation,
        "question": question,
        "row": row,
        "charts": _charts({"questions": [row]}),
        "can_manage": request.user.has_perm("consultations.manage", partnership),
    }
    if question.has_options:
        context["breakdowns"] = row["breakdowns"]
    return render(request, "consultations/question_detail.html", context)


EXPORT_HEADERS = ["question", "question_text", "breakdown", "group", "answer", "respondents", "count", "percent"]
HIDDEN = f"not shown ({hidden_reason(THRESHOLD)})"


def _export_rows(consultation: Consultation) -> tablib.Dataset:
    results = results_read(consultation)
    data = tablib.Dataset(headers=EXPORT_HEADERS, title="Results")
    for row in results["questions"]:
        if row["too_few"]:
            lines = [[row["number"], row["text"], "all respondents", "", "", HIDDEN, "", ""]]
        elif "options" in row:
            lines = _option_lines(row) + [line for table in row["breakdowns"] for line in _breakdown_lines(row, table)]
        else:
            lines = _theme_lines(row)
        for line in lines:
            data.append(line)
    return data


def _option_lines(row: dict[str, Any]) -> list[list[Any]]:
    """A choice question's answers across all respondents."""
    number, text = row["number"], row["text"]
    return [
        [number, text, "all respondents", "", option["label"], row["respondents"], option["count"], option["percent"]]
        for option in row["options"]
    ]


def _breakdown_lines(row: dict[str, Any], table: dict[str, Any]) -> list[list[Any]]:
    """A choice question's answers in each group of one breakdown, suppressed as on the pages."""
    number, text, by = row["number"], row["text"], table["by_label"].lower()
    lines: list[list[Any]] = []
    for group in table["rows"]:
        if group["suppressed"]:
            lines.append([number, text, by, group["label"], "", HIDDEN, "", ""])
            continue
        for label, cell in zip(table["options"], group["cells"], strict=True):
            lines.append(
                [
                    number,
                    text,
                    by,
                    group["label"],
                    label,
                    group["n"],
                    "not shown" if cell is None else cell["count"],
                    "" if cell is None else cell["percent"],
                ]
            )
    return lines


def _theme_lines(row: dict[str, Any]) -> list[list[Any]]:
    """A free-text question's coded themes (never its answers)."""
    number, text = row["number"], row["text"]
    return [
        [number, text, "themes (coded answers)", "", theme["name"], row["coded"], theme["count"], theme["percent"]]
        for theme in row["themes"]
    ]


@require_GET
def results_export(request: HttpRequest, partnership: Partnership, slug: str, fmt: str) -> HttpResponse:
    """The results, with every breakdown suppressed as on the pages. Free text is never exported."""
    consultation = _get_consultation(request, partnership, slug)
    return download(_export_rows(consultation), fmt=fmt, filename=f"{consultation.slug}-results.{fmt}")


# Importing --------------------------------------------------------------------------


def import_upload(request: HttpRequest, partnership: Partnership, slug: str) -> HttpResponse:
    consultation = _get_consultation_to_manage(request, partnership, slug)
    saved_tools = list(consultation.mappings.values_list("tool", flat=True))
    form = UploadForm(request.POST or None, request.FILES or None, saved_tools=saved_tools)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = upload_save(
                consultation=consultation,
                tool=form.cleaned_data["tool"],
                name=upload.name,
                content=upload.read(),
                user=request.user,  # type: ignore[arg-type]
            )
        except TableError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("consultations:import_map", partnership.slug, consultation.slug, record.pk)
    imports = consultation.imports.select_related("uploaded_by").defer("content")[:10]
    return render(
        request, "consultations/import_upload.html", {"consultation": consultation, "form": form, "imports": imports}
    )


def _mapping_token(columns: dict[str, str], record: ResponseImport) -> str:
    return hashlib.sha256(json.dumps([columns, record.sha256], sort_keys=True).encode()).hexdigest()[:32]


def import_map(request: HttpRequest, partnership: Partnership, slug: str, pk: int) -> HttpResponse:
    """Map the file's columns, check every row, then confirm: all or nothing."""
    consultation = _get_consultation_to_manage(request, partnership, slug)
    record = get_object_or_404(ResponseImport, pk=pk, consultation=consultation)
    context: dict[str, Any] = {"consultation": consultation, "record": record}
    if record.imported_at is not None:
        return render(request, "consultations/import_done.html", context)
    if record.expired:
        messages.error(request, f"The upload of {record.file_name} has expired. Upload the file again.")
        return redirect("consultations:import", partnership.slug, consultation.slug)
    try:
        table = read_table(record.file_name, bytes(record.content))
    except TableError as exc:  # pragma: no cover - the file was read when it was uploaded
        raise Http404(str(exc)) from exc
    saved = ColumnMapping.objects.filter(consultation=consultation, tool=record.tool).first()
    initial = guess_mapping(table.headers, consultation, saved.columns if saved else None).columns
    form = MappingForm(request.POST or None, headers=table.headers, consultation=consultation, initial_columns=initial)
    context.update(form=form, saved=saved, preview=table.rows[:5], headers=table.headers, rows=len(table.rows))
    if request.method == "POST" and form.is_valid():
        mapping = Mapping(form.columns())
        token = _mapping_token(mapping.columns, record)
        if "confirm" in request.POST and request.POST.get("token") == token:
            check = responses_import(
                consultation=consultation,
                table=table,
                mapping=mapping,
                user=request.user,  # type: ignore[arg-type]
                upload=record,
            )
            if check.ok:
                messages.success(
                    request,
                    f"Imported {check.added} response{'s' if check.added != 1 else ''} from {record.file_name}"
                    + (f"; {check.already} were already here" if check.already else "")
                    + ".",
                )
                return redirect(consultation)
        else:
            check = responses_check(consultation=consultation, table=table, mapping=mapping)
            if not check_mapping(mapping, table, consultation):
                # Remembered for the next file from this tool, once it fits the consultation.
                mapping_save(consultation=consultation, tool=record.tool, mapping=mapping, user=request.user)  # type: ignore[arg-type]
        context.update(check=check, token=token)
    return render(request, "consultations/import_map.html", context)


# Coding free text ---------------------------------------------------------------------


def coding(request: HttpRequest, partnership: Partnership, slug: str, number: int) -> HttpResponse:
    """Tag free-text answers with themes, a page at a time, and mark what may be quoted."""
    consultation = _get_consultation(request, partnership, slug)
    if not request.user.has_perm("consultations.read_free_text", partnership):
        raise PermissionDenied
    question = get_object_or_404(consultation.questions, number=number, kind=Question.Kind.FREE_TEXT)
    tags = list(ThemeTag.objects.filter(partnership=consultation.partnership))
    show = request.GET.get("show", "uncoded")
    answers = Answer.objects.filter(question=question, option__isnull=True).order_by("response__external_id", "id")
    if show == "uncoded":
        answers = answers.filter(tags__isnull=True)
    elif show != "all":
        raise Http404("No such list")
    if request.method == "POST":
        codings = []
        for raw in request.POST.getlist("answer"):
            answer_id = whole_number(raw)
            version = whole_number(request.POST.get(f"version_{raw}", ""), digits=9)
            if answer_id is None or version is None:
                continue
            ticked = (whole_number(t) for t in request.POST.getlist(f"tags_{raw}"))
            tag_ids = frozenset(t for t in ticked if t is not None)
            codings.append(Coding(answer_id, version, tag_ids, request.POST.get(f"publishable_{raw}") == "yes"))
        outcome = answers_code(question=question, codings=codings, user=request.user)  # type: ignore[arg-type]
        text = f"Saved {outcome.saved} answer{'s' if outcome.saved != 1 else ''}."
        if outcome.stale:
            messages.warning(
                request,
                text + f" {len(outcome.stale)} had been coded by someone else since you opened the page and were "
                "left as they now are: check them below.",
            )
        else:
            messages.success(request, text)
        # Coded answers leave the "not yet coded" list, so its first page holds the next ones.
        page_number = "1" if show == "uncoded" else request.GET.get("page", "1")
        return redirect(f"{request.path}?show={show}&page={page_number}")
    page = Paginator(answers.prefetch_related("tags"), CODING_PAGE).get_page(request.GET.get("page"))
    counts = Answer.objects.filter(question=question, option__isnull=True).aggregate(
        total=Count("id", distinct=True), uncoded=Count("id", filter=Q(tags__isnull=True), distinct=True)
    )
    return render(
        request,
        "consultations/coding.html",
        {
            "consultation": consultation,
            "question": question,
            "tags": tags,
            "page": page,
            "answers": [(a, {t.id for t in a.tags.all()}) for a in page],
            "show": show,
            "counts": counts,
        },
    )


# Feeding the plan ---------------------------------------------------------------------


def feed(request: HttpRequest, partnership: Partnership, slug: str) -> HttpResponse:
    consultation = _get_consultation_to_manage(request, partnership, slug)
    form = FeedForm(request.POST or None, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            made = indicator_feed(
                question=form.cleaned_data["question"],
                indicator=form.cleaned_data["indicator"],
                period=form.cleaned_data["period"],
                user=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        except StaleEdit as stale:
            form.add_error(
                None,
                f"{stale.changed_by} changed this indicator's value for that quarter while it was being fed: "
                "nothing was written. Check the value, then feed it again.",
            )
        else:
            messages.success(
                request, f"“{made.indicator}” for {made.period} is now {made.value} %, from this consultation."
            )
            return redirect(consultation)
    return render(request, "consultations/feed.html", {"consultation": consultation, "form": form})
