from __future__ import annotations

import pytest
from django.urls import reverse

from priorities.models import Priority
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_a_priority_history_page_shows_changes_to_its_parts_with_who_and_old_and_new(plan, csp_admin) -> None:
    priority = Priority.objects.get(number=1)
    theme = priority.themes.get(position=2)
    theme.text = "Robbery and street crime"
    theme._history_user = csp_admin
    theme.save()

    html = client_for(csp_admin).get(reverse("admin:priorities_priority_history", args=[priority.pk])).content.decode()

    assert "Changes to its themes, key issues, aims and outcomes" in html
    row = (
        "<td>Aisha Khan</td><td>Theme: Robbery and street crime: text</td>"
        "<td>Robbery</td><td>Robbery and street crime</td>"
    )
    assert row in html
