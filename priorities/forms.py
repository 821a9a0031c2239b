"""The forms of a plan revision: the new assessment, one priority of the draft, the
decisions for stranded actions, and publishing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.text import slugify

from core.forms import GovukDateField, PortalFormMixin, VersionField

from .models import KEY_MAX_LENGTH, PlanRevision
from .revisions import LINE_KINDS

# Blank rows offered for new lines of each kind.
NEW_ROWS = 2


class RevisionOpenForm(PortalFormMixin, forms.Form):
    """Record the new strategic assessment, and say what kind of revision follows it."""

    year = forms.IntegerField(
        label="Year of the assessment",
        min_value=1990,
        max_value=2100,
        error_messages={"required": "Enter the year of the assessment", "invalid": "Enter the year as 4 numbers"},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    title = forms.CharField(
        label="Title of the assessment", max_length=200, error_messages={"required": "Enter the title"}
    )
    findings = forms.CharField(label="What it found", required=False, widget=forms.Textarea)
    url = forms.URLField(
        label="Link to the assessment",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, for example https://www.bedford.gov.uk/"},
    )
    kind = forms.ChoiceField(
        label="What will the revision be?",
        widget=forms.RadioSelect,
        choices=[
            Choice(
                PlanRevision.Kind.REFRESH,
                "A refresh of the current plan",
                hint="The same plan with new wording and, if you choose, a new end date.",
            ),
            Choice(
                PlanRevision.Kind.NEW_PLAN,
                "A new plan superseding the current one",
                hint="The current plan and its action plans stay as they were.",
            ),
        ],
        initial=PlanRevision.Kind.REFRESH,
        error_messages={"required": "Select what the revision will be"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("year", field_width=Fluid.ONE_QUARTER),
            Field.text("title"),
            Field.textarea("findings", rows=4),
            Field.text("url"),
            Field.radios("kind", legend_size=Size.MEDIUM),
            Button("open", "Open the draft"),
        )


def _new_key(text: str, taken: set[str], kind: str) -> str:
    """A key for a new line, from its words: unique among the priority's lines of its kind."""
    base = slugify(text).replace("_", "-")[: KEY_MAX_LENGTH - 4].strip("-") or f"new-{kind.removesuffix('s')}"
    base = "-".join(part for part in base.split("-") if part)
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


class PriorityDraftForm(PortalFormMixin, forms.Form):
    """One priority of the draft: its title and summary, and each of its lines as a text box
    with its place. Empty a box to retire the line; fill a blank row to add one."""

    version = VersionField()
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the priority's title"})
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, priority: dict[str, Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"title": priority["title"], "summary": priority.get("summary", "")})
        super().__init__(*args, **kwargs)
        self.priority = priority
        self.rows: dict[str, list[tuple[str, str | None]]] = {}
        layout: list[Any] = [Field("version"), Field.text("title"), Field.textarea("summary", rows=4)]
        for kind, label in LINE_KINDS.items():
            rows: list[tuple[str, str | None]] = []
            names: list[Any] = []
            lines = priority.get(kind, [])
            for i, line in enumerate([*lines, *([None] * NEW_ROWS)], start=1):
                name = f"{kind}-{i}"
                is_new = line is None
                self.fields[f"{name}-text"] = forms.CharField(
                    label=f"New {label.lower()}" if is_new else f"{label} {i}",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial="" if is_new else line["text"],
                    help_text="" if not is_new else "Leave blank to add nothing.",
                )
                self.fields[f"{name}-place"] = forms.IntegerField(
                    label=f"Place of the new {label.lower()}" if is_new else f"Place of {label.lower()} {i}",
                    required=False,
                    min_value=1,
                    max_value=99,
                    initial=None if is_new else i,
                    widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                    error_messages={"invalid": "Enter the place as a number, for example 1"},
                )
                rows.append((name, None if is_new else line["key"]))
                names.extend([Field.textarea(f"{name}-text", rows=2), Field.text(f"{name}-place", field_width=2)])
            self.rows[kind] = rows
            hint = "Empty a line's box to retire it. A new line with the place 1 goes first."
            if kind == "key_issues":
                hint += " A key issue's sub-points are kept as they are."
            layout.append(Fieldset(HTML(format_html('<p class="govuk-hint">{}</p>', hint)), *names, legend=f"{label}s"))
        layout.append(Button("save", "Save this priority"))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*layout)

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if not cleaned.get("title"):
            return cleaned
        kept = {kind: {line["key"]: line for line in self.priority.get(kind, [])} for kind in LINE_KINDS}
        result = {**self.priority, "title": cleaned["title"], "summary": cleaned.get("summary", "")}
        for kind, rows in self.rows.items():
            placed = []
            taken = set(kept[kind])
            for order, (name, key) in enumerate(rows):
                text = " ".join((cleaned.get(f"{name}-text") or "").split())
                if not text:
                    continue  # an emptied line is retired; a blank new row adds nothing
                place = cleaned.get(f"{name}-place") or 1000 + order
                if key is None:
                    line: dict[str, Any] = {"key": _new_key(text, taken, kind), "text": text}
                    if kind == "key_issues":
                        line["sub_points"] = []
                    placed.append((place, 0, order, line))
                else:
                    placed.append((place, 1, order, {**kept[kind][key], "text": text}))
            result[kind] = [line for *_, line in sorted(placed, key=lambda row: row[:3])]
        if not result["themes"]:
            self.add_error("themes-1-text", "A priority needs at least one theme: actions hang on a theme")
        self.result = result
        return cleaned


class DecisionsForm(PortalFormMixin, forms.Form):
    """For each open action the draft would leave on a retired theme: keep it there, move
    it to another theme of its priority, or close it."""

    def __init__(self, *args: Any, actions: list[Any], revision: PlanRevision, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = actions
        fields = []
        for action in actions:
            priority = revision.draft_priority(action.plan.priority.key) or {"themes": []}
            choices = [
                Choice("keep", f"Keep it on its retired theme, “{action.theme.text}”"),
                *[
                    Choice(f"move:{theme['key']}", f"Move it to the theme “{theme['text']}”")
                    for theme in priority["themes"]
                ],
                Choice("close", "Close it: the action is cancelled"),
            ]
            name = f"action-{action.pk}"
            self.fields[name] = forms.ChoiceField(
                label=conditional_escape(f"Action {action.reference}: {action.title}"),
                widget=forms.RadioSelect,
                choices=choices,
                initial=revision.decisions.get(str(action.pk)),
                error_messages={"required": f"Choose what happens to action {action.reference}"},
            )
            fields.append(Field.radios(name, legend_size=Size.SMALL))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*fields, Button("save", "Save the decisions"))

    def decisions(self) -> dict[str, str]:
        return {str(action.pk): self.cleaned_data[f"action-{action.pk}"] for action in self.actions}


class PublishForm(PortalFormMixin, forms.Form):
    """The revision's result: what kind, its title and dates, and the day it takes effect."""

    version = VersionField()
    kind = forms.ChoiceField(
        label="Publish it as",
        widget=forms.RadioSelect,
        choices=[
            Choice(PlanRevision.Kind.REFRESH, "A refresh of the same plan"),
            Choice(PlanRevision.Kind.NEW_PLAN, "A new plan superseding the current one"),
        ],
        error_messages={"required": "Select how to publish it"},
    )
    title = forms.CharField(label="Plan title", max_length=200, error_messages={"required": "Enter the plan's title"})
    starts = GovukDateField(label="Plan start date", hint="A new plan only: a refresh keeps the plan's start.")
    ends = GovukDateField(label="Plan end date")
    effective_on = GovukDateField(label="Date it takes effect", hint="For example, 1 4 2024")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field("version"),
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field.text("title"),
            Field("starts"),
            Field("ends"),
            Field("effective_on"),
            Button("publish", "Publish the revision"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        starts: dt.date | None = cleaned.get("starts")
        ends: dt.date | None = cleaned.get("ends")
        if starts and ends and ends <= starts:
            self.add_error("ends", "The plan end date must be after its start date")
        return cleaned
