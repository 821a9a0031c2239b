from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.html import conditional_escape

from accounts.models import Agency, User
from core import periods
from core.forms import NARRATIVE_LIMIT, GovukDateField, NarrativeField, PortalFormMixin, VersionField
from core.imports import max_upload_mb, upload_check
from priorities.models import Partnership, Priority

from .models import RAG_DEFINITIONS, Action, ActionUpdate, Indicator, Milestone, Rag, ReportingPeriod
from .services import IndicatorEntry, UpdateInput

SAVE_DRAFT = "save_draft"
SUBMIT = "submit_update"


def _gds_date(label: str, *, required: bool = True, hint: str = "") -> GovukDateField:
    return GovukDateField(label=label, required=required, hint=hint)


def _plan_line_label(line: Any) -> str:
    return f"{line} (retired)" if line.retired_at else str(line)


def offer_plan_lines(field: Any, *, priority_id: int, kept: Iterable[int] = ()) -> None:
    """Offer the priority's current lines, plus the retired ones the action already has,
    labelled "(retired)": an action keeps a line the plan has since retired (saving it
    unchanged must not move it to another), but no action takes a retired line anew."""
    field.queryset = field.queryset.filter(priority_id=priority_id).filter(
        Q(retired_at__isnull=True) | Q(pk__in=list(kept))
    )
    field.label_from_instance = _plan_line_label


class ActionForm(PortalFormMixin, forms.ModelForm):
    """Create or edit an action. Officers may only lead with their own agency."""

    version = VersionField()
    start_date = _gds_date("Start date")
    due_date = _gds_date("Due date")

    class Meta:
        model = Action
        fields = [
            "reference",
            "title",
            "description",
            "theme",
            "aims",
            "outcomes",
            "lead_agency",
            "supporting_agencies",
            "owner",
            "indicators",
            "start_date",
            "due_date",
            "state",
        ]
        widgets = {
            "aims": forms.CheckboxSelectMultiple,
            "outcomes": forms.CheckboxSelectMultiple,
            "supporting_agencies": forms.CheckboxSelectMultiple,
            "indicators": forms.CheckboxSelectMultiple,
            "state": forms.RadioSelect,
        }
        labels = {"reference": "Reference", "lead_agency": "Lead agency", "owner": "Owner"}
        help_texts = {"owner": "The officer who writes this action's quarterly updates."}

    def __init__(self, *args: Any, user: User, plan_priority_id: int, can_choose_agency: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        fields: dict[str, Any] = dict(self.fields)  # model choice fields, typed loosely
        action = self.instance if self.instance.pk else None
        offer_plan_lines(fields["theme"], priority_id=plan_priority_id, kept=[action.theme_id] if action else [])
        for name in ["aims", "outcomes"]:
            kept = getattr(action, name).values_list("pk", flat=True) if action else []
            offer_plan_lines(fields[name], priority_id=plan_priority_id, kept=kept)
        fields["indicators"].queryset = Indicator.objects.filter(priority_id=plan_priority_id)
        # Owners are people of the plan's partnership.
        fields["owner"].queryset = (
            User.objects.filter(
                is_active=True,
                memberships__partnership_id=self.instance.plan.partnership_id if self.instance.plan_id else 0,
                memberships__ended_at__isnull=True,
            )
            .distinct()
            .order_by("full_name")
        )
        fields["theme"].empty_label = None
        if not can_choose_agency:
            fields["lead_agency"].empty_label = None
            if self.instance.pk:
                # Who leads an action is not an officer's to change (an owner from another
                # agency must not take it over): shown, kept, never taken from the form.
                fields["lead_agency"].disabled = True
                fields["lead_agency"].help_text = "Ask the community safety team to change the lead agency."
            else:
                fields["lead_agency"].queryset = Agency.objects.filter(pk=user.agency_id or 0)
                fields["lead_agency"].initial = user.agency_id
            # Which indicators an action reports is the team's choice; officers fill them in.
            fields["indicators"].disabled = True
            fields["indicators"].help_text = "Set by the community safety team."
        for name, message in {
            "reference": "Enter a reference, such as 1.4",
            "title": "Enter what the action is",
            "lead_agency": "Select the lead agency",
            "theme": "Select the theme",
        }.items():
            fields[name].error_messages["required"] = message
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.layout = Layout(
            Field("version"),
            Field.text("reference", field_width=Fluid.ONE_QUARTER),
            Field.text("title"),
            Field.textarea("description", rows=4),
            Field.select("theme"),
            Field.checkboxes("aims", legend_size=Size.SMALL, small=True),
            Field.checkboxes("outcomes", legend_size=Size.SMALL, small=True),
            Field.select("lead_agency"),
            Field.checkboxes("supporting_agencies", legend_size=Size.SMALL, small=True),
            Field.select("owner"),
            Field.checkboxes("indicators", legend_size=Size.SMALL, small=True),
            Field("start_date"),
            Field("due_date"),
            Field.radios("state", legend_size=Size.SMALL, inline=True),
            Button("save", "Save action"),
        )

    def clean_reference(self) -> str:
        reference = str(self.cleaned_data["reference"]).strip()
        taken = Action.objects.filter(plan_id=self.instance.plan_id, reference__iexact=reference).exclude(
            pk=self.instance.pk
        )
        if taken.exists():
            raise forms.ValidationError(f"The plan already has an action {reference}: choose another reference")
        return reference

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", "The due date must be on or after the start date")
        return data


class MilestoneForm(PortalFormMixin, forms.ModelForm):
    version = VersionField()
    due_date = _gds_date("Due date")
    completed_on = _gds_date("Completed on", required=False, hint="Leave blank until the milestone is done.")

    class Meta:
        model = Milestone
        fields = ["title", "due_date", "completed_on"]
        labels = {"title": "Milestone"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        self.fields["title"].error_messages["required"] = "Enter the milestone"
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.layout = Layout(
            Field("version"),
            Field.text("title"),
            Field("due_date"),
            Field("completed_on"),
            Button("save", "Save milestone"),
        )

    def clean_completed_on(self) -> dt.date | None:
        completed: dt.date | None = self.cleaned_data.get("completed_on")
        if completed and completed > timezone.localdate():
            raise forms.ValidationError("The completion date cannot be in the future")
        return completed


RAG_CHOICES = [Choice(rag.value, rag.label, hint=RAG_DEFINITIONS[rag]) for rag in Rag]


COPY_LAST = "copy_last"


@dataclass(frozen=True)
class LastQuarter:
    """The action's update and indicator values of the quarter before, shown beside each field."""

    label: str
    update: ActionUpdate | None
    values: dict[int, Any]

    TEXT = ("progress", "issues_and_risks", "support_requested")

    def said(self) -> dict[str, str]:
        if self.update is None:
            return {}
        rag = self.update.get_rag_display() if self.update.rag else ""
        return {"rag": rag, **{name: getattr(self.update, name) for name in self.TEXT}}

    def carried(self) -> dict[str, str]:
        """The narrative that can carry over into this quarter's empty boxes."""
        return {name: text for name, text in self.said().items() if name in self.TEXT and text.strip()}


def _inset(said: str) -> HTML:
    """Last quarter's words under a field. Through a template variable, never pasted into the
    markup: crispy renders HTML() as a template, and what an officer typed is no template."""
    return HTML(
        '<div class="govuk-inset-text app-last-quarter"><strong>Last quarter ({{ form.last.label }}):</strong> '
        f"{{{{ {said}|linebreaksbr }}}}</div>"
    )


def _last_said(last: LastQuarter | None, said: dict[str, str], name: str) -> list[Any]:
    return [_inset(f"form.last_said.{name}")] if last and said.get(name, "").strip() else []


# A figure more than this many times last quarter's, or under one this-many-th of it, is asked about.
FAR_FROM_LAST = 3


def _figure(value: Decimal) -> str:
    """A figure as an officer would write it: 112, not 112.00 nor 1.12E+2."""
    return f"{value.normalize():f}"


def far_from_last(value: Decimal, last: Decimal) -> str | None:
    """How far a figure is from last quarter's, in words ("4 times", "about 4 times", "under a
    third of"), when it is beyond FAR_FROM_LAST either way; None when it is near enough. A last
    quarter of zero (or less) gives no ratio to judge by, so nothing is ever far from it."""
    if last <= 0:
        return None
    if value > last * FAR_FROM_LAST:
        times = round(value / last)
        return f"{times} times" if value == last * times else f"about {times} times"
    if value * FAR_FROM_LAST < last:
        return "under a third of"
    return None


def _same_figure(typed: Any, value: Decimal) -> bool:
    """Whether what a form sent (text, perhaps not a number at all) is the figure `value`."""
    try:
        return Decimal(str(typed)) == value
    except (InvalidOperation, ValueError):
        return False


class _WhenAsked(Field):
    """A field rendered only when the form asks for it (its name in `form.asked`): the box that
    confirms a far figure shows beside that figure once it is questioned, and not before: no
    one else's form grows a box they have no use for. The server decides, so it works without
    JavaScript."""

    def render(self, form: Any, context: Any, *args: Any, **kwargs: Any) -> str:
        if not set(self.fields) & form.asked:
            return ""
        return str(super().render(form, context, *args, **kwargs))


class UpdateForm(PortalFormMixin, forms.Form):
    """The quarter's update: RAG, narrative, milestones completed and indicator values, in one submit."""

    version = VersionField()
    rag = forms.ChoiceField(label="RAG rating", choices=RAG_CHOICES, widget=forms.RadioSelect, required=False)
    progress = NarrativeField(
        label="Progress this quarter",
        help_text="What was done, and what it achieved.",
    )
    issues_and_risks = NarrativeField(label="Issues and risks")
    support_requested = NarrativeField(
        label="Support asked of the board",
        help_text="Leave blank if the action needs nothing from the board.",
    )

    # The narrative fields, which a refused post shows back under their labels.
    NARRATIVE = ["rag", "progress", "issues_and_risks", "support_requested"]

    def __init__(
        self,
        *args: Any,
        update: ActionUpdate,
        milestones: list[Milestone],
        indicators: list[Indicator],
        values: dict[int, Any],
        today: dt.date,
        last: LastQuarter | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["initial"] = self._initial(update, indicators, values)
        super().__init__(*args, **kwargs)
        self.today = today
        self.last = last
        self.last_said = last.said() if last else {}
        self.last_values: dict[str, str] = {}
        # The names of the confirm boxes shown, one per figure far from last quarter's (_check_against_last).
        self.asked: set[str] = set()
        self.open_milestones = [m for m in milestones if m.completed_on is None]
        self.indicators = indicators
        for name in ("progress", "issues_and_risks", "support_requested"):
            # crispy-forms-gds adds the character count's message to aria-describedby and
            # fails (KeyError) on a box with no hint unless the attribute is already there.
            self.fields[name].widget.attrs.setdefault("aria-describedby", "")
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.layout = self._layout(self._add_milestone_fields(), self._add_indicator_fields(), last)

    @staticmethod
    def _initial(update: ActionUpdate, indicators: list[Indicator], values: dict[int, Any]) -> dict[str, Any]:
        """The saved update and the saved indicator values, with the versions they were read at."""
        initial = {
            "version": update.version if update.pk else None,
            "rag": update.rag,
            "progress": update.progress,
            "issues_and_risks": update.issues_and_risks,
            "support_requested": update.support_requested,
        }
        for indicator in indicators:
            value = values.get(indicator.pk)
            if value is not None:
                initial[f"indicator_{indicator.pk}_value"] = value.value
                initial[f"indicator_{indicator.pk}_provisional"] = value.provisional
                initial[f"indicator_{indicator.pk}_note"] = value.note
                initial[f"indicator_{indicator.pk}_version"] = value.version
        return initial

    def _last_value(self, indicator: Indicator) -> list[Any]:
        value = self.last.values.get(indicator.pk) if self.last else None
        if self.last is None or value is None:
            return []
        self.last_values[str(indicator.pk)] = f"{_figure(value.value)} {indicator.unit}"
        return [_inset(f"form.last_values.{indicator.pk}")]

    def _add_milestone_fields(self) -> list[Any]:
        """A tick box for each milestone not yet complete."""
        milestone_fields = []
        for milestone in self.open_milestones:
            name = f"milestone_{milestone.pk}"
            status = milestone.status(self.today).label
            self.fields[name] = forms.BooleanField(
                label=f"{milestone.title} (due {milestone.due_date:%-d %B %Y}; {status.lower()})", required=False
            )
            milestone_fields.append(Field.checkbox(name, small=True))
        return milestone_fields

    def _add_indicator_fields(self) -> list[Any]:
        """A value, a provisional flag, a note and a version for each indicator the action reports,
        and the box that confirms a figure far from last quarter's (rendered only when asked)."""
        indicator_fieldsets = []
        for indicator in self.indicators:
            prefix = f"indicator_{indicator.pk}"
            self.fields[f"{prefix}_value"] = forms.DecimalField(
                label=f"Value ({indicator.unit})",
                required=False,
                max_digits=12,
                decimal_places=2,
                # A text box with a numeric keypad, as the GOV.UK Design System advises for numbers.
                widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
                error_messages={"invalid": f"Enter the figure for {indicator.title} as a number"},
            )
            self.fields[f"{prefix}_provisional"] = forms.BooleanField(
                label="This figure is provisional", required=False
            )
            self.fields[f"{prefix}_note"] = forms.CharField(label="Note on this figure", required=False)
            # The value is shared by every action that reports the indicator: its own version.
            self.fields[f"{prefix}_version"] = VersionField()
            self.fields[f"{prefix}_confirm"] = forms.BooleanField(label="This figure is right", required=False)
            indicator_fieldsets.append(
                Fieldset(
                    Field(f"{prefix}_version"),
                    Field.text(f"{prefix}_value", field_width=Fluid.ONE_QUARTER),
                    _WhenAsked(f"{prefix}_confirm", context={"checkboxes_small": True}),
                    *self._last_value(indicator),
                    Field.checkbox(f"{prefix}_provisional", small=True),
                    Field.text(f"{prefix}_note"),
                    legend=conditional_escape(indicator.title),
                    legend_size=Size.SMALL,
                )
            )
        return indicator_fieldsets

    @staticmethod
    def _layout(milestone_fields: list[Any], indicator_fieldsets: list[Any], last: LastQuarter | None) -> Layout:
        said = last.said() if last else {}
        parts: list[Any] = [
            # The form's default button, first in the page so pressing Enter in a box saves a
            # draft: submitting for review is only ever the deliberate press of its own button.
            HTML(
                f'<button type="submit" name="{SAVE_DRAFT}" class="govuk-visually-hidden" '
                'tabindex="-1" aria-hidden="true">Save draft</button>'
            ),
            Field("version"),
            Field.radios("rag", legend_size=Size.MEDIUM),
            *_last_said(last, said, "rag"),
            Field.textarea("progress", label_size=Size.MEDIUM, rows=6, max_characters=NARRATIVE_LIMIT),
            *_last_said(last, said, "progress"),
            Field.textarea("issues_and_risks", label_size=Size.MEDIUM, rows=4, max_characters=NARRATIVE_LIMIT),
            *_last_said(last, said, "issues_and_risks"),
            Field.textarea("support_requested", label_size=Size.MEDIUM, rows=3, max_characters=NARRATIVE_LIMIT),
            *_last_said(last, said, "support_requested"),
        ]
        if last and last.carried():
            parts.append(
                HTML(
                    f'<button type="submit" name="{COPY_LAST}" class="govuk-button govuk-button--secondary" '
                    'data-module="govuk-button">Copy last quarter\'s text into the empty boxes</button>'
                )
            )
        if milestone_fields:
            parts.append(
                Fieldset(
                    HTML('<p class="govuk-body">Tick each milestone completed this quarter.</p>'),
                    *milestone_fields,
                    legend="Milestones completed",
                    legend_size=Size.MEDIUM,
                )
            )
        if indicator_fieldsets:
            parts.append(HTML('<h2 class="govuk-heading-m">Indicator values this quarter</h2>'))
            parts.extend(indicator_fieldsets)
        parts.append(
            HTML(
                '<div class="govuk-button-group">'
                f'<button type="submit" name="{SUBMIT}" class="govuk-button" data-module="govuk-button">'
                "Submit update</button>"
                f'<button type="submit" name="{SAVE_DRAFT}" class="govuk-button govuk-button--secondary" '
                'data-module="govuk-button">Save draft</button></div>'
            )
        )
        return Layout(*parts)

    @classmethod
    def typed_back(cls, data: Mapping[str, str]) -> list[tuple[str, str]]:
        """What was typed into the narrative fields, under the form's own labels, for a page
        that refused the post but must not lose it."""
        typed = [(str(cls.base_fields[name].label), str(data.get(name, "")).strip()) for name in cls.NARRATIVE]
        return [(label, text) for label, text in typed if text]

    @property
    def is_submit(self) -> bool:
        return SUBMIT in self.data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for indicator in self.indicators:
            prefix = f"indicator_{indicator.pk}"
            if data.get(f"{prefix}_value") is None and (
                data.get(f"{prefix}_note") or data.get(f"{prefix}_provisional")
            ):
                self.add_error(
                    f"{prefix}_value",
                    f"Enter the figure for {indicator.title}, or clear its note and untick “provisional”",
                )
            self._check_range(indicator, data.get(f"{prefix}_value"))
            self._check_against_last(indicator, data)
        if self.is_submit:
            if not data.get("rag"):
                self.add_error("rag", "Select a RAG rating to submit the update")
            if not (data.get("progress") or "").strip():
                self.add_error("progress", "Describe the progress this quarter to submit the update")
        return data

    def _check_range(self, indicator: Indicator, value: Decimal | None) -> None:
        """A percentage lies from 0 to 100; every other unit is a count of something (as the
        report's judgements treat it) and cannot be negative."""
        if value is None:
            return
        if not indicator.is_count:
            if not 0 <= value <= 100:
                self.add_error(
                    f"indicator_{indicator.pk}_value",
                    f"The figure for {indicator.title} is a percentage: enter a number from 0 to 100",
                )
        elif value < 0:
            self.add_error(
                f"indicator_{indicator.pk}_value",
                f"The figure for {indicator.title} is a count of {indicator.unit}: it cannot be negative",
            )

    def _check_against_last(self, indicator: Indicator, data: dict[str, Any]) -> None:
        """A figure far from last quarter's (more than three times it, or under a third) is most
        often a slip of the keyboard, 112 for 12: it is questioned and saved only once its box
        "This figure is right" is ticked, or once it is corrected to something nearer.

        Save draft and Submit alike: the harm is a typo reaching the board on submit, but a
        draft is what gets submitted, and asking at one button and not the other would surprise.
        A figure already saved for this quarter is not asked about again (it was confirmed, or
        is another action's to answer for), so a confirmed draft submits without a second ask.
        Last quarter's values are already read for the form, so this costs no query."""
        prefix = f"indicator_{indicator.pk}"
        value: Decimal | None = data.get(f"{prefix}_value")
        last = self.last.values.get(indicator.pk) if self.last else None
        if value is None or last is None or f"{prefix}_value" in self.errors:
            return
        if value == self.initial.get(f"{prefix}_value"):
            return
        how_far = far_from_last(value, last.value)
        if how_far is None:
            return
        confirm = f"{prefix}_confirm"
        self.asked.add(confirm)
        # The box vouches for the figure it was shown beside, which it sends as its value: ticked
        # for 112 and then changed to 1120, it says nothing of 1120, and shows unticked again.
        self.fields[confirm].widget.attrs["value"] = _figure(value)
        if _same_figure(self.data.get(confirm), value):
            return
        if confirm in self.data:
            posted: Any = self.data  # a QueryDict: its copy can be changed
            unticked = posted.copy()
            unticked.pop(confirm)
            self.data = unticked
        self.add_error(
            f"{prefix}_value",
            f"{_figure(value)} for {indicator.title} is {how_far} last quarter's {_figure(last.value)}: "
            "check it, then tick to confirm it is right",
        )

    def to_input(self) -> UpdateInput:
        data = self.cleaned_data
        values: dict[int, IndicatorEntry] = {}
        for indicator in self.indicators:
            prefix = f"indicator_{indicator.pk}"
            value: Decimal | None = data.get(f"{prefix}_value")
            values[indicator.pk] = IndicatorEntry(
                value=value,
                provisional=bool(data.get(f"{prefix}_provisional")),
                note=data.get(f"{prefix}_note", ""),
                version=data.get(f"{prefix}_version"),
            )
        return UpdateInput(
            rag=data.get("rag") or "",
            progress=data.get("progress", ""),
            issues_and_risks=data.get("issues_and_risks", ""),
            support_requested=data.get("support_requested", ""),
            milestones_completed={m.pk: self.today for m in self.open_milestones if data.get(f"milestone_{m.pk}")},
            indicator_values=values,
        )


class ReviewForm(PortalFormMixin, forms.Form):
    version = VersionField()
    decision = forms.ChoiceField(
        label="Your decision",
        widget=forms.RadioSelect,
        choices=[
            Choice("approve", "Approve", hint="The update is ready for the board."),
            Choice("return", "Return to the officer", hint="Say what needs to change in the comment."),
        ],
        error_messages={"required": "Select approve or return"},
    )
    comment = NarrativeField(label="Comment")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.layout = Layout(
            Field("version"),
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.textarea("comment", rows=4),
            Button("review", "Save decision"),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say what the officer needs to change")
        return data


# A closed update is reopened to correct it, not left open indefinitely.
REOPEN_AT_MOST = dt.timedelta(days=90)


class ReopenForm(PortalFormMixin, forms.Form):
    officer = forms.ModelChoiceField(
        label="Officer who may edit it", queryset=User.objects.none(), error_messages={"required": "Select the officer"}
    )
    until = _gds_date("Open until", hint="The officer can edit the update up to and including this day.")
    reason = NarrativeField(label="Reason", required=True, error_messages={"required": "Give the reason for reopening"})

    def __init__(self, *args: Any, officers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.layout = Layout(
            Field.select("officer"),
            Field("until"),
            Field.textarea("reason", rows=3),
            Button("reopen", "Reopen update"),
        )

    def clean_until(self) -> dt.date:
        until: dt.date = self.cleaned_data["until"]
        today = timezone.localdate()
        if until < today:
            raise forms.ValidationError("The date must be today or later")
        if until > today + REOPEN_AT_MOST:
            raise forms.ValidationError(
                f"Reopen it for {REOPEN_AT_MOST.days} days at most: the officer can be given more time later"
            )
        return until


class ImportForm(PortalFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What does the file hold?",
        widget=forms.RadioSelect,
        choices=[
            Choice("actions", "Actions", hint="Columns: reference, title, theme, lead_agency, start_date, due_date"),
            Choice("milestones", "Milestones", hint="Columns: action_reference, milestone, due_date"),
        ],
        error_messages={"required": "Select what the file holds"},
    )
    file = forms.FileField(
        label="File",
        help_text="A .csv (UTF-8) or .xlsx file, with a header row.",
        error_messages={"required": "Choose a file to upload", "empty": "The file is empty"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text += f" Up to {max_upload_mb()} MB."
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's template owns the <form>
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field("file"),
            Button("upload", "Check the file"),
        )

    def clean_file(self) -> Any:
        return upload_check(self.cleaned_data["file"])


class CarryForwardForm(PortalFormMixin, forms.Form):
    """The year whose open actions move, and the year they move into."""

    from_year = forms.TypedChoiceField(
        label="Carry the open actions of", coerce=int, error_messages={"required": "Select the year to carry from"}
    )
    to_year = forms.TypedChoiceField(
        label="Into the action plans of", coerce=int, error_messages={"required": "Select the year to carry into"}
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        label = periods.financial_year_label
        self.fields["from_year"].choices = [(year, label(year)) for year in years]  # type: ignore[attr-defined]
        later = range(min(years, default=2000), max(years, default=2000) + 3)
        self.fields["to_year"].choices = [(year, label(year)) for year in later]  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.select("from_year"), Field.select("to_year"), Button("show", "Show what will move")
        )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("from_year") and cleaned.get("to_year") and cleaned["to_year"] <= cleaned["from_year"]:
            self.add_error("to_year", "Choose a year after the one you carry from")
        return cleaned


class ReviewFilterForm(PortalFormMixin, forms.Form):
    """The review queue's filters (a GET form): quarter and priority, offered from the
    partnership's own periods and current priorities only, so another partnership's is
    refused as an invalid choice."""

    period = forms.ModelChoiceField(
        label="Quarter", queryset=ReportingPeriod.objects.none(), required=False, empty_label="Any quarter"
    )
    priority = forms.ModelChoiceField(
        label="Priority", queryset=Priority.objects.none(), required=False, empty_label="Any priority"
    )

    def __init__(self, *args: Any, partnership: Partnership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period_field: Any = self.fields["period"]
        period_field.queryset = ReportingPeriod.objects.filter(partnership=partnership).order_by(
            "-financial_year", "-quarter"
        )
        period_field.label_from_instance = lambda period: period.label
        priority_field: Any = self.fields["priority"]
        priority_field.queryset = Priority.objects.filter(
            plan__partnership=partnership, retired_at__isnull=True
        ).order_by("number")
        priority_field.label_from_instance = lambda priority: f"{priority.number}. {priority.title}"
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field("period"),
            Field("priority"),
            Button("filter", "Show updates", css_class="govuk-button--secondary"),
        )
