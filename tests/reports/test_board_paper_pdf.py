"""The report PDF as a board paper: a cover, a contents page whose page numbers are right, a
marked header on every later page, and each table of the HTML one tagged table in the PDF.

One compile of the demo quarter serves the whole check: compiling is the slow part."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from reports.files import render_html, render_pdf, report_dir
from reports.models import QuarterlyReport
from reports.services import report_compile

pytestmark = pytest.mark.django_db

CONTENTS_LINE = re.compile(r"^(?P<title>.+?) \.{3,}\s*(?P<page>\d+)$")


def _page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() or "" for page in reader.pages]


def _outline_pages(reader: PdfReader, outline: list[Any]) -> dict[str, int]:
    """Each heading's bookmark: the page (from 1) WeasyPrint laid the heading on."""
    pages: dict[str, int] = {}
    for item in outline:
        if isinstance(item, list):
            pages.update(_outline_pages(reader, item))
        else:
            pages[" ".join(item.title.split())] = reader.get_destination_page_number(item) + 1
    return pages


def _struct_tables(node: Any) -> list[Any]:
    node = node.get_object()
    if isinstance(node, list):
        return [table for kid in node for table in _struct_tables(kid)]
    if not hasattr(node, "get"):
        return []  # a marked-content number
    found = [node] if node.get("/S") == "/Table" else []
    return found + (_struct_tables(node["/K"]) if "/K" in node else [])


def test_the_pdf_is_a_board_paper_with_one_tagged_table_per_table(quarter) -> None:
    report = QuarterlyReport.objects.create(period=quarter, version=1)
    assert report_compile(report_id=report.pk)
    report.refresh_from_db()
    reader = PdfReader(report_dir(report.pk) / report.pdf_file)
    texts = _page_texts(reader)
    s = report.snapshot
    partnership, label = s["partnership"], s["period"]["label"]

    cover = texts[0]
    for words in (partnership, "OFFICIAL", f"Quarterly performance report: {label}", "Version 1."):
        assert words in cover
    assert "Board meeting" not in cover  # this snapshot has no board paper
    assert "Page 1 of" in cover
    assert not cover.startswith(partnership)  # no running header on the cover

    lines = [line.strip() for line in texts[1].splitlines()]
    assert lines[0] == "Contents"
    contents = {m["title"]: int(m["page"]) for m in map(CONTENTS_LINE.match, lines) if m}
    expected = [
        "Purpose and decisions sought",
        "Headline summary",
        "Key to symbols",
        *(f"Priority {p['number']}: {p['title']}" for p in s["priorities"]),
        "Indicators",
        "Exception report",
        "What changed since the last report",
        "Consultation and perception measures",
        "Data-quality notes",
        "Glossary",
    ]
    assert list(contents) == expected
    headings = _outline_pages(reader, reader.outline)
    for title, page in contents.items():
        assert headings[title] == page, title
        assert title in " ".join(texts[page - 1].split()), title
    assert contents["Glossary"] > contents["Purpose and decisions sought"] > 2

    header = f"{partnership} OFFICIAL {label}"
    assert [n for n, text in enumerate(texts[1:], 2) if header not in text.splitlines()] == []

    html = (report_dir(report.pk) / report.html_file).read_text()
    tables = _struct_tables(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    assert len(tables) == html.count("<table") > 10
    parts = [[kid.get_object()["/S"] for kid in table["/K"]] for table in tables]
    assert [kinds for kinds in parts if kinds[0] != "/Caption" or "/TBody" not in kinds] == []
    pages = [{kid.get_object().raw_get("/Pg").idnum for kid in table["/K"]} for table in tables]
    assert any(len(on) > 1 for on in pages)  # the demo has tables that cross a page: they stay one

    assert "target-counter" not in html  # the HTML file's contents is links only
    assert '<a href="#purpose">Purpose and decisions sought</a>' in html
    assert 'href="#summary"' not in html
    s["paper"] = {"meeting_on": "2024-05-14", "summary": None, "recommendations": None, "decisions": None}
    cover = PdfReader(io.BytesIO(render_pdf(render_html(s, version=1, charts={}, for_print=True)))).pages[0]
    assert "Board meeting: 14 May 2024" in (cover.extract_text() or "")
    by = {"text": "The board is asked to note.", "by": "Jane Smith", "at": "2024-04-20T10:00:00+00:00"}
    s["paper"] |= {"summary": by, "decisions": by}
    html = render_html(s, version=1, charts={}, for_print=False)
    assert '<a href="#summary">Summary</a>' in html
    assert '<a href="#decisions">Decisions sought</a>' in html
    assert 'href="#recommendations"' not in html
