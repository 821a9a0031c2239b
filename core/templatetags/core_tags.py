"""Template filters every app's pages may use."""

from __future__ import annotations

import datetime as dt

from django import forms, template
from django.template.base import FilterExpression, NodeList
from django.template.loader import render_to_string
from django.utils import timezone

from core.generation import built

register = template.Library()


@register.filter
def duration_in_words(value: dt.timedelta | None) -> str:
    """A length of time as people say it: "30 minutes", "1 hour and 15 minutes", "2 days"."""
    if not isinstance(value, dt.timedelta):
        return ""
    minutes = max(int(value.total_seconds() // 60), 1)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute")) if n
    ]
    return " and ".join(parts) if len(parts) <= 2 else f"{parts[0]}, {parts[1]} and {parts[2]}"


@register.filter
def iso_datetime(value: dt.datetime | dt.date | None) -> str:
    """A `<time datetime>` value: ISO 8601 to the second, without microseconds."""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return ""


class ScrollRegionNode(template.Node):
    def __init__(self, label: list[template.base.FilterExpression], nodelist: template.NodeList) -> None:
        self.label = label
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        label = "".join(str(part.resolve(context)) for part in self.label)
        return render_to_string(
            "includes/_scroll_region.html", {"label": label, "content": self.nodelist.render(context)}
        )


@register.tag
def scroll_region(parser: template.base.Parser, token: template.base.Token) -> ScrollRegionNode:
    """`{% scroll_region "Answers to question " row.number %}<table>…</table>{% endscroll_region %}`:
    a wide table in a region that scrolls sideways on a narrow screen and that a keyboard can
    focus to scroll (a table that scrolls by itself cannot take focus). The arguments, joined,
    are the region's label: the table's caption."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("scroll_region needs the region's label")
    nodelist = parser.parse(("endscroll_region",))
    parser.delete_first_token()
    return ScrollRegionNode([parser.compile_filter(bit) for bit in bits], nodelist)


def first_input_id(field: forms.BoundField) -> str:
    """The id of the first box of a field as the GOV.UK templates render it: the first radio
    or checkbox (numbered from 1), the day of a date (parts numbered from 0), else the field's
    own box. An error summary's link to it moves focus to something that takes input."""
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"id_{field.html_name}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{field.auto_id}_0"
    return str(field.auto_id)


@register.filter
def error_links(form: forms.BaseForm) -> list[tuple[str, str]]:
    """Each of the form's errors with the id its error-summary link points at: a field's
    first input, and the first field's for errors of the whole form."""
    fields = form.visible_fields()
    links = [(first_input_id(fields[0]) if fields else "", str(e)) for e in form.non_field_errors()]
    for field in fields:
        links.extend((first_input_id(field), str(error)) for error in field.errors)
    return links


class KeptNode(template.Node):
    def __init__(self, name: str, parts: list[FilterExpression], nodelist: NodeList) -> None:
        self.name, self.parts, self.nodelist = name, parts, nodelist

    def render(self, context: template.Context) -> str:
        parts = [part.resolve(context) for part in self.parts]
        # A node's output is already HTML: it is not escaped again.
        return built(f"fragment.{self.name}", [*parts, timezone.localdate()], lambda: self.nodelist.render(context))


@register.tag
def kept(parser: template.base.Parser, token: template.base.Token) -> KeptNode:
    """`{% kept "name" part ... %}…{% endkept %}`: the HTML between, kept until the database
    changes (core.generation) or the day does, under its name and the parts it varies with.
    Only for what is the same for everyone who may see the page: nothing about the person
    reading it, no form with a CSRF token."""
    bits = token.split_contents()
    if len(bits) < 2 or bits[1][0] not in "\"'":
        raise template.TemplateSyntaxError('{% kept %} takes a quoted name first: {% kept "name" part ... %}')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(bits[1][1:-1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)
