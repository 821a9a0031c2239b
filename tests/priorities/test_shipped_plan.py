"""The shipped Bedford Borough plan file is the plan, word for word."""

from __future__ import annotations

import re

import pytest
import yaml

from priorities.plan_file import PlanFile
from tests.helpers import PLAN_SOURCE, SHIPPED_PLAN


def _normalise(text: str) -> str:
    # The source is a PDF's text: bold markers, bullets and line breaks are layout, not words.
    text = text.replace("**", "")
    return " ".join(text.split())


SOURCE = _normalise(PLAN_SOURCE.read_text(encoding="utf-8"))


def _strings(value: object) -> list[str]:
    """Every text value, leaving out keys: names the file gives lines, not the plan's words."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for name, item in value.items() if name not in {"key", "slug"} for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def test_every_plan_text_in_the_file_is_in_the_source_word_for_word() -> None:
    raw = yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))
    editorial = {"csp-plan/2", "Police", "Fire and Rescue", "Probation", "CCG", "Bedford Borough CSP"}
    texts = _strings({"partnership": raw["partnership"], "assessments": raw["assessments"], "plan": raw["plan"]})
    missing = [t for t in texts if t and t not in editorial and _normalise(t) not in SOURCE]
    assert missing == []


def _source_priorities() -> list[dict[str, object]]:
    """Each priority's lists, read from the source text by its own headings and bullets.

    A bullet is a line starting "- " (its marker, if any, "·" or "o ", dropped); a line
    starting " - o " is a sub-point; a line with no bullet continues the one before.
    """
    text = PLAN_SOURCE.read_text(encoding="utf-8")
    body = text[text.index("2.1. PRIORITY ONE") : text.index("Part Three")]
    sections = re.split(r"^2\.\d\. PRIORITY .*$", body, flags=re.M)[1:]
    headings = {
        "Key Issues": "key_issues",
        "Partnership Aims": "aims",
        "Expected Outcomes": "outcomes",
        "Outcomes": "outcomes",
    }
    parsed = []
    for section in sections:
        lists: dict[str, list] = {"themes": [], "key_issues": [], "aims": [], "outcomes": []}
        current = None
        summary_lines: list[str] = []
        for line in section.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("PRIORITY "):
                current = "themes"
            elif stripped in headings:
                current = headings[stripped]
            elif current is None:
                summary_lines.append(stripped)
            elif line.startswith(" - o "):
                lists[current][-1][1].append(line[len(" - o ") :].strip())
            elif line.startswith("- "):
                item = re.sub(r"^- (· )?", "", line).strip()
                lists[current].append([item, []])
            else:  # a line the PDF broke mid-sentence
                last = lists[current][-1]
                if last[1]:
                    last[1][-1] += " " + stripped
                else:
                    last[0] += " " + stripped
        parsed.append({"summary": " ".join(summary_lines), **lists})
    return parsed


def test_each_priority_list_matches_its_own_section_of_the_source_item_for_item(shipped_plan_file: PlanFile) -> None:
    source = _source_priorities()
    assert len(source) == 3
    for data, expected in zip(shipped_plan_file.priorities, source, strict=True):
        assert _normalise(data.summary) == _normalise(str(expected["summary"]))
        assert [line.text for line in data.themes] == [_normalise(item) for item, _ in expected["themes"]]
        assert [line.text for line in data.aims] == [_normalise(item) for item, _ in expected["aims"]]
        assert [line.text for line in data.outcomes] == [_normalise(item) for item, _ in expected["outcomes"]]
        assert [(k.text, [point.text for point in k.sub_points]) for k in data.key_issues] == [
            (_normalise(item), [_normalise(point) for point in points]) for item, points in expected["key_issues"]
        ]


def test_the_file_has_every_part_of_the_three_priorities(shipped_plan_file: PlanFile) -> None:
    shape = [
        (
            p.number,
            p.title,
            len(p.themes),
            len(p.key_issues),
            sum(len(k.sub_points) for k in p.key_issues),
            len(p.aims),
            len(p.outcomes),
        )
        for p in shipped_plan_file.priorities
    ]
    assert shape == [
        (1, "High Harm & Violence", 4, 7, 0, 5, 5),
        (2, "Hidden Harms & Exploitation", 5, 8, 0, 5, 3),
        (3, "Building Community Confidence", 4, 5, 5, 3, 6),
    ]
    assert [a.name for a in shipped_plan_file.responsible_authorities] == [
        "Bedford Borough Council",
        "Bedfordshire Police",
        "Bedfordshire Fire and Rescue Service",
        "Offender Management Services",
        "Bedfordshire Clinical Commissioning Group",
    ]
    assert [a.year for a in shipped_plan_file.assessments] == [2019, 2022]


def test_priority_three_keeps_its_sub_points_and_the_source_wording(shipped_plan_file: PlanFile) -> None:
    first = shipped_plan_file.priorities[2].key_issues[0]
    assert first.text.startswith("Respondents to the CSP Survey raised concerns")
    assert first.sub_points[0].text == (
        "The highest levels of concern were recorded around 'Drug Use' and 'Drug Dealing'"
    )
    assert "where not being heard" in shipped_plan_file.priorities[2].key_issues[2].text


def test_the_glossary_has_all_36_terms_in_plain_latin_letters(shipped_plan_file: PlanFile) -> None:
    terms = list(shipped_plan_file.glossary)
    assert len(terms) == 36
    # The source prints "HMO" in Cyrillic look-alikes; the file must not carry them over.
    assert [t for t in terms if not t.isascii()] == []
    assert shipped_plan_file.glossary["HMO"] == "House in Multiple Occupation"


@pytest.mark.parametrize(
    ("term", "description"),
    [
        (
            "Neighbourhood Crime",
            "Is defined by the Home Office as residential burglary, vehicle related crime, theft from person "
            "and robbery.",
        ),
        (
            "Community Trigger (ASB Review)",
            "Set out in the Crime and Policing Act, this process aims to carry out a review of partnership action "
            "that has been taken in relation to ongoing ASB on behalf of the reporter",
        ),
        (
            "County Lines",
            "A term used when drug gangs from big cities expand their operations to smaller towns, often using "
            "violence to drive out local dealers and exploiting children and vulnerable people to sell drugs.",
        ),
        (
            "Cuckooing",
            "Linked to County Lines, situation where drug dealers will take over a local property, normally "
            "belonging to a vulnerable person, and use it to operate their criminal activity from.",
        ),
        ("LSCB", "Bedford Borough Safeguarding Children Partnership Board"),
        ("YOS", "Youth Offending Service"),
    ],
)
def test_interleaved_glossary_entries_keep_their_own_descriptions(
    shipped_plan_file: PlanFile, term: str, description: str
) -> None:
    assert shipped_plan_file.glossary[term] == description


def test_every_single_line_glossary_row_matches_the_source_table() -> None:
    # Rows of the source table: "TERM<tab>DESCRIPTION<tab>TERM<tab>DESCRIPTION"; the four
    # wrapped entries (not acronyms) are checked one by one above.
    rows = re.findall(r"^(\S+)\t(.+?)\t(\S+)\t(.+)$", PLAN_SOURCE.read_text(encoding="utf-8"), flags=re.M)
    pairs = {term: text for row in rows for term, text in (row[:2], row[2:]) if term.isupper()}
    raw = yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))
    from_file = {entry["term"]: entry["description"] for entry in raw["glossary"]}
    pairs["HMO"] = pairs.pop("\u041d\u041c\u041e")  # the Cyrillic look-alike in the source
    assert len(pairs) == 32
    assert {term: from_file[term] for term in pairs} == pairs
