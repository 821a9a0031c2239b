"""Results as people see them: the headline and its honest comparison, breakdowns with small
groups suppressed everywhere, free text kept to admins, coding, and feeding the plan."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import openpyxl
import pytest
from django.urls import reverse
from django.utils.html import escape

from actionplans.models import Indicator, IndicatorValue, ReportingPeriod
from consultations.demo import demo_load as consultation_demo_load
from consultations.models import AgeBand, Answer, Consultation, IndicatorFeed, Response, ThemeTag
from consultations.results import consultation_results
from tests.helpers import BEDFORD, bedford, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(survey: Consultation, settings, tmp_path) -> Consultation:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    consultation_demo_load()
    survey.refresh_from_db()
    return survey


def _small_groups(survey: Consultation) -> dict[str, set[str]]:
    """The wards and age bands with fewer than 10 respondents, by their labels."""
    responses = Response.objects.filter(consultation=survey)
    wards = Counter(responses.values_list("ward__name", flat=True))
    ages = Counter(responses.values_list("age_band", flat=True))
    labels = dict(AgeBand.choices)
    return {
        "ward": {name or "Not stated" for name, n in wards.items() if n < 10},
        "age band": {labels.get(band, "Not stated") for band, n in ages.items() if n < 10},
    }


def _row_cells(html: str, label: str) -> list[str]:
    """The cells after each table row headed `label`."""
    pattern = re.compile(
        r'<th scope="row" class="govuk-table__header">' + re.escape(escape(label)) + r"</th>(.*?)</tr>", re.S
    )
    return pattern.findall(html)


def test_the_demo_has_448_responses_from_all_27_wards_and_a_34_percent_headline(demo: Consultation) -> None:
    results = consultation_results(demo)

    assert results["responses"] == 448
    assert Response.objects.filter(consultation=demo).values("ward").exclude(ward=None).distinct().count() == 27
    assert round(results["headline"]["percent"]) == 34
    assert (results["headline"]["positives"], results["headline"]["n"]) == (152, 448)
    assert (results["headline"]["low"], results["headline"]["high"]) == (29.7, 38.4)
    assert results["illustrative"] is True


def test_loading_the_demo_again_adds_nothing(demo: Consultation) -> None:
    answers = Answer.objects.count()

    summary = consultation_demo_load()

    assert summary.responses == 0
    assert Answer.objects.count() == answers


def test_the_page_sets_34_beside_41_and_says_the_fall_cannot_be_called_significant(demo, board_member) -> None:
    page = client_for(board_member).get(demo.get_absolute_url()).content.decode()

    assert "34%" in page
    assert "41%" in page
    assert "cannot be tested for significance" in page
    assert "2019&#x27;s number of respondents was not published" in page
    assert "Illustrative" in page


def test_2019_shows_its_published_headline_without_a_margin_of_error(consultations, board_member) -> None:
    page = client_for(board_member).get(consultations[2019].get_absolute_url()).content.decode()

    assert "41%" in page
    assert "The margin of error is unknown: the number of respondents was not published." in page


@pytest.mark.parametrize("number", [1, 3, 4])
def test_no_page_shows_a_ward_or_age_band_of_fewer_than_10(demo, board_member, number: int) -> None:
    small = _small_groups(demo)
    assert small["ward"]
    assert small["age band"]
    # "Not stated" is a row of both tables; check it only where it is small in both.
    labels = (small["ward"] | small["age band"]) - ({"Not stated"} - (small["ward"] & small["age band"]))
    client = client_for(board_member)
    pages = [
        client.get(demo.get_absolute_url()).content.decode(),
        client.get(reverse("consultations:question", args=[BEDFORD, demo.slug, number])).content.decode(),
    ]

    for page in pages:
        for label in labels:
            cells = _row_cells(page, label)
            assert cells, label
            texts = [re.sub(r"<[^>]+>", "", cell) for cell in cells]
            assert all("Not shown" in text and not re.search(r"\d", text.replace("10", "")) for text in texts), label


def test_no_export_shows_a_group_of_fewer_than_10(demo, board_member) -> None:
    small = _small_groups(demo)
    client = client_for(board_member)
    text = client.get(reverse("consultations:export", args=[BEDFORD, demo.slug, "csv"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("consultations:export", args=[BEDFORD, demo.slug, "xlsx"])).content)
    )
    sheet_rows = list(book.active.iter_rows(values_only=True))

    breakdown_rows = [r for r in rows if r["breakdown"] in {"ward", "age band"}]
    assert breakdown_rows
    for row in breakdown_rows:
        if row["group"] in small[row["breakdown"]]:
            assert row["respondents"].startswith("not shown")
            assert row["count"] == ""
            assert row["percent"] == ""
        else:  # shown, or hidden to protect a smaller group
            assert row["respondents"].startswith("not shown") or int(row["respondents"]) >= 10
    assert len(sheet_rows) == len(rows) + 1
    for values in sheet_rows[1:]:
        if values[2] in {"ward", "age band"} and values[3] in small[values[2]]:
            assert str(values[5]).startswith("not shown")
            assert values[6] in (None, "")


def test_free_text_is_for_admins_unless_marked_publishable(demo, board_member, officer, csp_admin) -> None:
    private = Answer.objects.filter(question__consultation=demo, option__isnull=True, publishable=False).first()
    public = Answer.objects.filter(question__consultation=demo, option__isnull=True, publishable=True).first()
    assert private is not None
    assert public is not None
    assert private.text != public.text
    private.text = "A private remark about number 12 Acacia Avenue."
    private.save()

    for reader in (board_member, officer):
        client = client_for(reader)
        seen = "".join(
            client.get(url).content.decode()
            for url in [
                demo.get_absolute_url(),
                reverse("consultations:question", args=[BEDFORD, demo.slug, 2]),
                reverse("consultations:export", args=[BEDFORD, demo.slug, "csv"]),
            ]
        )
        assert "Acacia Avenue" not in seen
        assert escape(public.text) in seen
        assert client.get(reverse("consultations:coding", args=[BEDFORD, demo.slug, 2])).status_code == 403
    coding = client_for(csp_admin).get(
        reverse("consultations:coding", args=[BEDFORD, demo.slug, 2]) + "?show=all&page="
    )
    pages = [coding.content.decode()]
    pages += [
        client_for(csp_admin)
        .get(reverse("consultations:coding", args=[BEDFORD, demo.slug, 2]) + f"?show=all&page={n}")
        .content.decode()
        for n in range(2, coding.context["page"].paginator.num_pages + 1)
    ]
    assert any("Acacia Avenue" in page for page in pages)


def test_themes_are_ranked_by_how_many_coded_answers_mention_them(demo, board_member) -> None:
    row = next(q for q in consultation_results(demo)["questions"] if q["number"] == 2)

    counts = [theme["count"] for theme in row["themes"]]
    assert counts == sorted(counts, reverse=True)
    assert row["themes"][0]["name"] == "Positive relationships with neighbours"
    assert (
        row["coded"]
        == Answer.objects.filter(question__number=2, question__consultation=demo, tags__isnull=False).distinct().count()
    )


def test_an_admin_codes_answers_and_history_says_who(demo, csp_admin) -> None:
    answer = Answer.objects.filter(question__consultation=demo, option__isnull=True, tags__isnull=True).first()
    assert answer is not None
    speeding, gangs = ThemeTag.objects.get(name="Speeding"), ThemeTag.objects.get(name="Gangs")
    url = reverse("consultations:coding", args=[BEDFORD, demo.slug, 2])

    response = client_for(csp_admin).post(
        url + "?show=uncoded",
        {
            "answer": [answer.pk],
            f"version_{answer.pk}": answer.version,
            f"tags_{answer.pk}": [speeding.pk, gangs.pk],
            f"publishable_{answer.pk}": "yes",
        },
    )

    assert response.status_code == 302
    answer.refresh_from_db()
    assert set(answer.tags.all()) == {speeding, gangs}
    assert answer.publishable
    assert answer.history.latest().history_user == csp_admin


def test_a_stale_coding_is_refused_and_keeps_the_newer_tags(demo, csp_admin) -> None:
    answer = Answer.objects.filter(question__consultation=demo, option__isnull=True, tags__isnull=True).first()
    assert answer is not None
    opened_at = answer.version
    speeding, gangs = ThemeTag.objects.get(name="Speeding"), ThemeTag.objects.get(name="Gangs")
    client = client_for(csp_admin)
    url = reverse("consultations:coding", args=[BEDFORD, demo.slug, 2]) + "?show=all"
    client.post(url, {"answer": [answer.pk], f"version_{answer.pk}": opened_at, f"tags_{answer.pk}": [speeding.pk]})

    response = client.post(
        url, {"answer": [answer.pk], f"version_{answer.pk}": opened_at, f"tags_{answer.pk}": [gangs.pk]}, follow=True
    )

    assert set(answer.tags.all()) == {speeding}
    assert "coded by someone else" in response.content.decode()


def test_a_question_feeds_an_indicator_value_with_its_source_and_who(demo, csp_admin, plan) -> None:
    indicator = Indicator.objects.create(
        priority=plan.priorities.get(number=3), title="Residents confident", unit="%", higher_is_better=True
    )
    period = ReportingPeriod.objects.create(
        partnership=bedford(), financial_year=2022, quarter=2, window_opens="2022-09-16", window_closes="2022-10-15"
    )

    response = client_for(csp_admin).post(
        reverse("consultations:feed", args=[BEDFORD, demo.slug]),
        {"question": demo.headline_question_id, "indicator": indicator.pk, "period": period.pk},
    )

    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=indicator, period=period)
    assert str(value.value) == "33.90"
    assert "152 of 448" in value.note
    assert "29.7–38.4" in value.note
    assert value.history.latest().history_user == csp_admin
    assert IndicatorFeed.objects.get(indicator=indicator).fed_by == csp_admin


def test_only_percentage_indicators_can_be_fed(demo, csp_admin, plan) -> None:
    counts = Indicator.objects.create(
        priority=plan.priorities.get(number=3), title="Offences", unit="offences", higher_is_better=False
    )
    ReportingPeriod.objects.create(
        partnership=bedford(), financial_year=2022, quarter=2, window_opens="2022-09-16", window_closes="2022-10-15"
    )

    response = client_for(csp_admin).post(
        reverse("consultations:feed", args=[BEDFORD, demo.slug]),
        {"question": demo.headline_question_id, "indicator": counts.pk, "period": ReportingPeriod.objects.get().pk},
    )

    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not IndicatorValue.objects.filter(indicator=counts).exists()


@pytest.mark.parametrize("who", ["officer", "board_member"])
def test_readers_cannot_import_code_or_feed(demo, people, who: str) -> None:
    client = client_for(people[who])
    before = (Response.objects.count(), IndicatorValue.objects.count(), Answer.tags.through.objects.count())
    answer = Answer.objects.filter(question__consultation=demo, option__isnull=True).first()
    assert answer is not None

    posts = [
        client.post(reverse("consultations:import", args=[BEDFORD, demo.slug]), {"tool": "x"}),
        client.post(reverse("consultations:feed", args=[BEDFORD, demo.slug]), {}),
        client.post(
            reverse("consultations:coding", args=[BEDFORD, demo.slug, 2]),
            {"answer": [answer.pk], f"version_{answer.pk}": answer.version, f"publishable_{answer.pk}": "yes"},
        ),
    ]

    assert [p.status_code for p in posts] == [403, 403, 403]
    assert (Response.objects.count(), IndicatorValue.objects.count(), Answer.tags.through.objects.count()) == before


def test_an_unknown_consultation_or_question_is_404(demo, board_member) -> None:
    client = client_for(board_member)

    assert client.get(reverse("consultations:consultation", args=[BEDFORD, "nope"])).status_code == 404
    assert client.get(reverse("consultations:question", args=[BEDFORD, demo.slug, 99])).status_code == 404


@pytest.mark.parametrize("number", [1, 3, 4])
def test_no_breakdown_cell_shows_a_count_under_10(demo, board_member, number: int) -> None:
    page = (
        client_for(board_member)
        .get(reverse("consultations:question", args=[BEDFORD, demo.slug, number]))
        .content.decode()
    )

    counts = [int(n) for n in re.findall(r'govuk-table__cell--numeric">(\d+) \(\d+%\)</td>', page)]
    assert counts  # the breakdowns show figures
    assert all(n == 0 or n >= 10 for n in counts)
    assert "not shown" in page


def test_a_headline_from_fewer_than_10_respondents_is_not_shown(survey: Consultation, board_member) -> None:
    from consultations.demo import MAPPING, demo_csv
    from consultations.imports import read_table
    from consultations.services import responses_import

    text, _ = demo_csv()
    few = "\r\n".join(text.split("\r\n")[:6]) + "\r\n"  # the heading and 5 responses
    assert responses_import(consultation=survey, table=read_table("f.csv", few.encode()), mapping=MAPPING, user=None).ok

    results = consultation_results(survey)

    assert results["headline"]["too_few"]
    assert results["headline"]["percent"] is None
    assert "so no figure is shown" in client_for(board_member).get(survey.get_absolute_url()).content.decode()


def test_a_multiple_choice_question_with_positive_answers_counts_people_not_ticks(demo, csp_admin, plan) -> None:
    from consultations.models import Option
    from consultations.results import positive_share

    question = demo.questions.get(number=3)
    Option.objects.filter(question=question, label__in=["Alcohol", "Drugs"]).update(is_positive=True)
    either = Response.objects.filter(
        answers__question=question, answers__option__label__in=["Alcohol", "Drugs"]
    ).distinct()

    positives, n = positive_share(question)

    assert positives == either.count() <= n
    indicator = Indicator.objects.create(
        priority=plan.priorities.get(number=3), title="Town centre", unit="%", higher_is_better=False
    )
    period = ReportingPeriod.objects.create(
        partnership=bedford(), financial_year=2022, quarter=2, window_opens="2022-09-16", window_closes="2022-10-15"
    )
    response = client_for(csp_admin).post(
        reverse("consultations:feed", args=[BEDFORD, demo.slug]),
        {"question": question.pk, "indicator": indicator.pk, "period": period.pk},
    )
    assert response.status_code == 302
    assert float(IndicatorValue.objects.get(indicator=indicator).value) == round(100 * positives / n, 1)


def test_coding_touches_only_answers_to_the_question_on_screen(demo, csp_admin) -> None:
    other = Answer.objects.filter(question__consultation=demo, question__number=1).first()
    assert other is not None

    client_for(csp_admin).post(
        reverse("consultations:coding", args=[BEDFORD, demo.slug, 2]),
        {"answer": [other.pk], f"version_{other.pk}": other.version, f"publishable_{other.pk}": "yes"},
    )

    other.refresh_from_db()
    assert not other.publishable
