from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from priorities.models import Priority
from priorities.plan_file import PlanFile
from tests.helpers import BEDFORD, client_for

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    """The page as a reader sees it: tags gone, entities decoded, spaces collapsed."""
    inline_removed = re.sub(r"</?(abbr|strong|a)\b[^>]*>", "", html)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", inline_removed)).split())


def _words(text: str) -> str:
    return " ".join(text.split())


def test_home_shows_the_vision_the_authorities_and_the_priorities(plan, officer, shipped_plan_file: PlanFile) -> None:
    response = client_for(officer).get(reverse("priorities:home", args=[BEDFORD]))

    page = _text(response.content.decode())
    assert response.status_code == 200
    assert shipped_plan_file.vision in page
    for agency in shipped_plan_file.responsible_authorities:
        assert agency.name in page
    for priority in shipped_plan_file.priorities:
        assert f"Priority {priority.number}: {priority.title}" in page


def test_every_theme_key_issue_aim_and_outcome_is_on_its_priority_page_word_for_word(
    plan, board_member, shipped_plan_file: PlanFile
) -> None:
    client = client_for(board_member)
    for data in shipped_plan_file.priorities:
        priority = Priority.objects.get(plan=plan, number=data.number)
        page = _text(client.get(priority.get_absolute_url()).content.decode())
        lines = [data.title, data.summary, *(line.text for line in [*data.themes, *data.aims, *data.outcomes])]
        lines += [issue.text for issue in data.key_issues]
        lines += [point.text for issue in data.key_issues for point in issue.sub_points]
        assert [line for line in lines if _words(line) not in page] == []


def test_the_glossary_page_lists_every_term_with_its_own_description(
    plan, officer, shipped_plan_file: PlanFile
) -> None:
    html = client_for(officer).get(reverse("priorities:glossary", args=[BEDFORD])).content.decode()

    rows = re.findall(
        r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>', html, re.S
    )
    shown = {_text(term): _text(description) for term, description in rows}
    assert shown == shipped_plan_file.glossary


def test_acronyms_on_pages_carry_their_glossary_meaning(plan, officer) -> None:
    priority = Priority.objects.get(plan=plan, number=1)

    html = client_for(officer).get(priority.get_absolute_url()).content.decode()

    assert '<abbr title="Multi Agency Risk Assessment Conference">MARAC</abbr>' in html


def test_navigation_marks_the_current_section(plan, officer) -> None:
    client = client_for(officer)
    glossary = client.get(reverse("priorities:glossary", args=[BEDFORD])).content.decode()
    priority = client.get(Priority.objects.get(number=2).get_absolute_url()).content.decode()

    assert re.search(r'href="/bedford-borough/glossary/" aria-current="page"', glossary)
    assert re.search(r'href="/bedford-borough/" aria-current="true"', priority)
    assert re.search(r'href="/bedford-borough/priorities/\d+/" aria-current="page">Priority 2', priority)


def test_a_retired_priority_is_not_shown(plan, officer) -> None:
    from django.utils import timezone

    retired = Priority.objects.get(number=3)
    retired.retired_at = timezone.now()
    retired.save()
    client = client_for(officer)

    assert client.get(retired.get_absolute_url()).status_code == 404
    assert (
        "Building Community Confidence" not in client.get(reverse("priorities:home", args=[BEDFORD])).content.decode()
    )


def test_the_home_page_says_so_when_no_plan_is_loaded(db, csp_admin_without_plan) -> None:
    response = client_for(csp_admin_without_plan).get(reverse("priorities:home", args=[BEDFORD]))
    assert "No strategic plan has been imported yet" in response.content.decode()


def test_someone_in_no_partnership_is_told_so_and_shown_nothing(db) -> None:
    from tests.factories import UserFactory

    response = client_for(UserFactory()).get(reverse("priorities:partnerships"))

    assert "does not belong to any partnership yet" in response.content.decode()


@pytest.fixture
def csp_admin_without_plan(db):
    from accounts.models import Role
    from priorities.models import Partnership
    from tests.factories import UserFactory

    partnership = Partnership.objects.create(name="Bedford Borough CSP", short_name="Bedford", slug=BEDFORD, vision="")
    return UserFactory(roles=[Role.CSP_ADMIN], roles__partnership=partnership)


def test_the_server_error_page_renders_without_a_request_context(rf) -> None:
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the portal" in html
    assert "govuk-footer" in html
