"""The error summary's links go to the first input of their field, as the GOV.UK templates
render it: the first radio, the day box of a date, the field's own box."""

from __future__ import annotations

import re

from crispy_forms.helper import FormHelper
from django import forms
from django.template import Context, Template

from core.forms import GovukDateField, PortalFormMixin


class _Form(PortalFormMixin, forms.Form):
    rag = forms.ChoiceField(label="RAG rating", choices=[("red", "Red"), ("green", "Green")], widget=forms.RadioSelect)
    due_date = GovukDateField(label="Due date")
    title = forms.CharField(label="Title")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.helper = FormHelper()
        self.helper.form_tag = False


def test_each_error_link_points_at_an_input_of_its_field() -> None:
    form = _Form(data={})
    html = Template('{% load crispy_forms_tags %}{% include "includes/_form_errors.html" %}{% crispy form %}').render(
        Context({"form": form})
    )
    targets = re.findall(r'<li><a href="#([^"]+)">', html)
    assert targets == ["id_rag_1", "id_due_date_0", "id_title"]
    for target in targets:
        assert re.search(rf'<input[^>]*\bid="{target}"', html), target
