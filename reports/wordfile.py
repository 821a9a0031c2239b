"""The report as a Word document, for partnerships that circulate and annotate board papers
in Word: the same frozen snapshot, in the same order and words as the report's pages
(`templates/reports/report_document.html` and `_report_body.html`), written from the
snapshot alone.

Word's own structures carry the meaning, so the navigation pane, a generated table of
contents and a screen reader all work: the title is Word's Title, each section a Heading 1,
its parts Heading 2 and the consultation's theme lists Heading 3; lists are Word lists; every
table is a Word table with a caption, whose heading row is bold and repeats at the top of
each page it runs onto. Dates read "31 March 2024", RAG ratings and directions of travel are
words (colour is never the only sign), and a missing figure says "No figure". The page is A4
portrait, marked OFFICIAL at its head, with the partnership, the quarter and the page number
at its foot. Charts are not drawn: each indicator's figures by quarter are a table instead.

The board paper's own words are frozen into the snapshot by the compile (an older snapshot
has none, and renders without them), in this shape; each part may be missing or empty:

    s["paper"] = {
        "meeting_on": "2024-05-14",  # the board meeting's day, or "" / None
        "summary": {"text": "...", "by": "Aisha Khan", "at": "2024-04-18T10:00:00+01:00"},
        "recommendations": {...},    # as the summary
        "decisions": {...},          # as the summary
    }
    s["priorities"][i]["commentary"] = {"text": "...", "by": "...", "at": "..."}

The same snapshot always gives the same bytes: the document's own timestamps are the time
its figures were frozen, and so are its ZIP entries' (as the spreadsheet appendix's).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.template import Context
from django.template.defaultfilters import capfirst, floatformat, pluralize

from core.text import clean_text

from .appendix import frozen_at, rag_word, same_bytes
from .paper import paragraphs_of
from .templatetags.report_tags import figure, long_date, rag_bar, trend

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table, _Cell
    from docx.text.paragraph import Paragraph

# A cell's content: plain text, or runs of (text, bold) for a cell that mixes the two.
Runs = list[tuple[str, bool]]
Cell = str | Runs

NO_FIGURE = "No figure"
FONT = "Arial"
INK = "0B0C0C"  # the pages' text colour
MARKING = "OFFICIAL"
# A4 portrait with the PDF's margins (18 mm top, 15 mm sides, 20 mm bottom): 180 mm of line.
PAGE_MM, MARGINS_MM = (210, 297), (18, 15, 20, 15)
LINE_MM = PAGE_MM[0] - MARGINS_MM[1] - MARGINS_MM[3]
# Point sizes, as the pages' print styles have them.
SIZES = {"Normal": 10.5, "Title": 22, "Heading 1": 15, "Heading 2": 12, "Heading 3": 11, "Caption": 9.5}
TABLE_TEXT = 9
CELL_MARGIN_TWIPS = 68  # 1.2 mm
PAPER_PARTS = [("summary", "Summary"), ("recommendations", "Recommendations"), ("decisions", "Decisions sought")]
INDICATOR_HEADINGS = [
    "Indicator",
    "Baseline",
    "Target",
    "This quarter",
    "Last quarter",
    "Same quarter last year",
    "Since last quarter",
    "Since last year",
    "Status against target",
]


# Words ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """Text as Word can hold it (XML refuses control characters): never "None"."""
    return "" if value is None else clean_text(str(value))


def _date(value: Any) -> str:
    """A frozen ISO day or moment as GOV.UK writes it, "31 March 2024"; blank for none."""
    return _text(long_date(value)) if value else ""


def _figure(value: Any, unit: str) -> str:
    """As the pages' `figure` filter, but "No figure" rather than a dash."""
    return NO_FIGURE if value is None or value == "" else figure(value, unit.strip())


def _direction(direction: str, higher_is_better: bool) -> str:
    """Direction of travel in words, as a screen reader hears the pages' arrow: "Improving:
    the figure fell", "No real change"."""
    return _text(trend(Context(), direction, higher_is_better)["said"])


def _part(value: Any) -> tuple[str, str]:
    """A board paper part's text and its "Written by" line (blank when it names no one)."""
    if not value:
        return "", ""
    if isinstance(value, str):
        return _text(value).strip(), ""
    text = _text(value.get("text")).strip()
    by = _text(value.get("by") or value.get("written_by"))
    on = _date(value.get("at") or value.get("written_at"))
    if by and on:
        return text, f"Written by {by}, {on}"
    if by or on:
        return text, f"Written by {by}" if by else f"Written on {on}"
    return text, ""


# Word's structures ---------------------------------------------------------------------


def _no_theme_fonts(element: Any) -> None:
    """Drop a style's theme fonts (Calibri in python-docx's template), which Word prefers to
    a named font, so the named font shows."""
    from docx.oxml.ns import qn

    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts")) if element is not None else None
    if fonts is not None:
        for name in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(name), None)


def _styles(document: Document) -> None:
    """Arial in the pages' ink and sizes; British English for the spelling checker."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    _no_theme_fonts(run_defaults)
    if run_defaults is not None and (rpr := run_defaults.find(qn("w:rPr"))) is not None:
        language = rpr.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            rpr.append(language)
        language.set(qn("w:val"), "en-GB")
    for name in ["Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Caption", "Header", "Footer"]:
        style = document.styles[name]
        _no_theme_fonts(style.element)
        style.font.name = FONT
        style.font.color.rgb = RGBColor.from_string(INK)
        if name in SIZES:
            style.font.size = Pt(SIZES[name])
    document.styles["Caption"].font.bold = True
    document.styles["Caption"].font.italic = False
    document.styles["Caption"].paragraph_format.keep_with_next = True


def _page(document: Document, snapshot: dict[str, Any]) -> None:
    """A4 portrait; OFFICIAL at the head of every page; the partnership, the quarter and
    "Page x of y" at its foot."""
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    top, right, bottom, left = MARGINS_MM
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.add_run(MARKING).bold = True
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    quarter = _text(snapshot.get("period", {}).get("label"))
    foot.add_run(f"{_text(snapshot.get('partnership'))}: quarterly performance report, {quarter}. Page ")
    _field(foot, "PAGE")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES")


def _field(paragraph: Any, code: str) -> None:
    """A field Word fills in (the page number, the number of pages)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {code} ")
    run = OxmlElement("w:r")
    shown = OxmlElement("w:t")
    shown.text = "1"
    run.append(shown)
    field.append(run)
    paragraph._p.append(field)


def _heading(document: Document, text: str, level: int) -> None:
    document.add_heading(_text(text), level=level)


def _paragraph(document: Document, *parts: tuple[str, bool], style: str | None = None) -> Paragraph:
    """A paragraph of runs, each (text, bold)."""
    paragraph = document.add_paragraph(style=style)
    for text, bold in parts:
        if text:
            paragraph.add_run(_text(text)).bold = bold or None
    return paragraph


def _prose(document: Document, text: str) -> None:
    """Someone's words: a paragraph for each paragraph they wrote (a blank line between)."""
    for block in paragraphs_of(text):
        document.add_paragraph(block)


def _written(document: Document, line: str) -> None:
    """Who wrote a part of the board paper, and when, under it."""
    document.add_paragraph().add_run(_text(line)).italic = True


def _list(document: Document, items: Iterable[Cell], *, empty: str, numbered: bool = False) -> None:
    """A bulleted (or numbered, from 1) list, or one item saying there is nothing to list."""
    style = "List Number" if numbered else "List Bullet"
    numbering = _numbering_from_one(document) if numbered else None
    found = False
    for item in items:
        found = True
        paragraph = _paragraph(document, *([(item, False)] if isinstance(item, str) else item), style=style)
        if numbering is not None:
            properties = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            properties.get_or_add_ilvl().val = 0
            properties.get_or_add_numId().val = numbering
    if not found:
        _paragraph(document, (empty, False), style="List Bullet")


def _numbering_from_one(document: Document) -> int:
    """A new numbering of the List Number style's kind, starting again at 1: else each
    numbered list would go on from where the one before it stopped."""
    from docx.oxml.ns import qn

    numbering = document.part.numbering_part.element
    style_number = document.styles["List Number"].element.pPr.numPr.numId.val
    kind = numbering.num_having_numId(style_number).find(qn("w:abstractNumId")).get(qn("w:val"))
    number = numbering.add_num(int(kind))
    number.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(number.numId)


def _terms(document: Document, terms: Iterable[tuple[str, str]]) -> None:
    """A list of terms and what they mean, as the pages' summary lists: the term in bold."""
    for term, meaning in terms:
        _paragraph(document, (term, True), (": " + _text(meaning) if meaning else "", False))


def _cell(cell: _Cell, value: Cell, *, bold: bool = False, right: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    # Runs say for themselves which words are bold (a row's heading and, beside it, its detail).
    for text, strong in [(value, bold)] if isinstance(value, str) else value:
        if text:
            run = paragraph.add_run(_text(text))
            run.bold = strong or None
            run.font.size = Pt(TABLE_TEXT)


def _row_properties(row: Any, *, header: bool) -> None:
    """A row that never splits across pages; the heading row repeats on each page."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _table_properties(table: Table, caption: str) -> None:
    """Narrow cell margins, as the pages' padding, so numbers and headings fit their columns;
    and the caption as the table's own title, which Word offers as its alternative text."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margin = OxmlElement(side)
        margin.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    look = properties.find(qn("w:tblLook"))
    if look is not None:
        look.addprevious(margins)  # the schema's order: the margins, then the look, then the caption
    else:
        properties.append(margins)
    title = OxmlElement("w:tblCaption")
    title.set(qn("w:val"), _text(caption)[:255])
    properties.append(title)


def _table(
    document: Document,
    caption: str,
    headings: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    widths: Sequence[float],
    numeric: Iterable[int] = (),
    empty: str = "",
    row_headers: bool = True,
) -> None:
    """A captioned Word table: its heading row bold and repeated on each page, its first
    column bold where the pages make it the row's heading, numbers to the right."""
    from docx.shared import Mm

    document.add_paragraph(_text(caption), style="Caption")
    numbers = set(numeric)
    sizes = [Mm(LINE_MM * share / sum(widths)) for share in widths]
    table = document.add_table(rows=1, cols=len(headings))
    table.style = document.styles["Table Grid"]
    _table_properties(table, caption)
    for column, size in zip(table.columns, sizes, strict=True):
        column.width = size
    head = table.rows[0]
    _row_properties(head, header=True)
    for number, (cell, heading) in enumerate(zip(head.cells, headings, strict=True)):
        cell.width = sizes[number]
        _cell(cell, heading, bold=True, right=number in numbers)
    found = False
    for values in rows:
        found = True
        row = table.add_row()
        _row_properties(row, header=False)
        for number, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = sizes[number]
            _cell(cell, value, bold=row_headers and number == 0, right=number in numbers)
    if not found:
        row = table.add_row()
        _row_properties(row, header=False)
        merged = row.cells[0].merge(row.cells[-1])
        _cell(merged, empty)
    document.add_paragraph()


# The report's parts, in the pages' order ---------------------------------------------------


def _cover(document: Document, snapshot: dict[str, Any], version: int) -> None:
    from docx.enum.text import WD_BREAK

    paper = snapshot.get("paper") or {}
    _paragraph(document, (snapshot.get("partnership", ""), False))
    if snapshot.get("board"):
        _paragraph(document, (capfirst(_text(snapshot["board"])), False))
    document.add_paragraph(
        f"Quarterly performance report: {_text(snapshot.get('period', {}).get('label'))}", style="Title"
    )
    if snapshot.get("is_draft"):
        _paragraph(
            document, ("Draft.", True), (" Compiled before the quarter ended: its figures may still change.", False)
        )
    frozen = _date(snapshot.get("built_at"))
    frozen_on = f" Figures frozen on {frozen}; later changes in the portal do not change this report." if frozen else ""
    document.add_paragraph(f"Version {version}.{frozen_on}")
    if paper.get("meeting_on"):
        _paragraph(document, (f"Board meeting: {_date(paper['meeting_on'])}.", False))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _paper(document: Document, snapshot: dict[str, Any]) -> None:
    """The board paper's summary, recommendations and decisions sought, each with who wrote it."""
    paper = snapshot.get("paper") or {}
    for key, heading in PAPER_PARTS:
        text, written = _part(paper.get(key))
        if text:
            _heading(document, heading, 1)
            _prose(document, text)
            if written:
                _written(document, written)


def _purpose(document: Document, s: dict[str, Any]) -> None:
    period = s.get("period", {})
    _heading(document, "Purpose and decisions sought", 1)
    document.add_paragraph(
        _text(
            f"This report tells {s.get('board') or 'the board'} how the {s.get('partnership', '')} is delivering "
            f"its {s.get('plan', '')} in {period.get('label', '')} ({_date(period.get('starts'))} to "
            f"{_date(period.get('ends'))}). Only submitted and approved updates count; drafts are shown as missing "
            "returns. The board is asked to note progress, to consider the exceptions, and to decide on the support "
            "that action owners have asked of it:"
        )
    )
    _list(
        document,
        (
            [(f"{item['reference']} {item['title']}:", True), (" " + _text(item["support"]), False)]
            for item in s.get("support_asked", [])
        ),
        empty="No action owner has asked the board for support this quarter.",
    )


def _headline(document: Document, s: dict[str, Any]) -> None:
    def counts(rag: dict[str, int], milestones: dict[str, int]) -> list[Cell]:
        shown: list[Cell] = [str(rag.get(key, 0)) for key in ("red", "amber", "green", "none")]
        return shown + [str(milestones.get(key, 0)) for key in ("on_time", "overdue", "complete")]

    rows = [[f"{p['number']}. {p['title']}", *counts(p["rag"], p["milestones"])] for p in s.get("priorities", [])]
    headline = s.get("headline")
    if headline:
        rows.append(
            [f"All priorities ({headline['actions']} actions)", *counts(headline["rag"], headline["milestones"])]
        )
    _heading(document, "Headline summary", 1)
    _table(
        document,
        "Actions by RAG rating and milestones, by priority",
        ["Priority", "Red", "Amber", "Green", "Not rated", "Milestones on time", "Overdue", "Completed"],
        rows,
        widths=[3.6, 1, 1.1, 1.1, 1.2, 1.6, 1.2, 1.5],
        numeric=range(1, 8),
        empty="No priorities.",
    )


def _key(document: Document, s: dict[str, Any]) -> None:
    _heading(document, "Key to symbols", 1)
    _terms(document, [(rag_word(item["rag"]), item["meaning"]) for item in s.get("rag_key", [])])
    _terms(
        document,
        [
            ("(p)", "A provisional figure, which may change."),
            (
                "Direction of travel",
                "Improving or worsening only when the change is bigger than chance would explain: for counts, "
                "beyond 1.96 × √(sum of the two counts); for percentages, beyond the indicator's tolerance. "
                "Otherwise “no real change”.",
            ),
            (
                "Status against target",
                "On target (at or better than target), near target (within its tolerance) or off target.",
            ),
        ],
    )


def _indicators_table(document: Document, rows: list[dict[str, Any]], caption: str) -> None:
    key = _paragraph(
        document,
        (
            "Direction of travel: improving or worsening, and whether the figure rose or fell, only when it moved "
            "by more than chance would explain; otherwise no real change.",
            False,
        ),
    )
    key.paragraph_format.keep_with_next = True

    def row(i: dict[str, Any]) -> list[Cell]:
        unit = _text(i["unit"])
        polarity = "higher is better" if i["higher_is_better"] else "lower is better"
        this = _figure(i["this_quarter"], unit) + (" (p)" if i.get("provisional") else "")
        return [
            [(i["title"], True), (f" ({unit}; {polarity})", False)],
            _figure(i["baseline"], unit),
            _figure(i["target"], unit),
            this,
            _figure(i["last_quarter"], unit),
            _figure(i["same_quarter_last_year"], unit),
            _direction(i["direction_last_quarter"], i["higher_is_better"]),
            _direction(i["direction_last_year"], i["higher_is_better"]),
            capfirst(_text(i["status"])),
        ]

    _table(
        document,
        caption,
        INDICATOR_HEADINGS,
        (row(i) for i in rows),
        widths=[34, 17, 15, 17, 16, 16, 22, 22, 21],
        numeric=range(1, 6),
        empty="No indicators.",
    )


def _priority(document: Document, p: dict[str, Any], s: dict[str, Any]) -> None:
    label = _text(s.get("period", {}).get("label"))
    _heading(document, f"Priority {p['number']}: {p['title']}", 1)
    if p.get("summary"):
        document.add_paragraph(_text(p["summary"]))
    text, written = _part(p.get("commentary"))
    if text:
        _heading(document, "Commentary", 2)
        _prose(document, text)
        if written:
            _written(document, written)
    # The pages' bars say their counts in words to a screen reader; here they are the words.
    for counts, kind in ((p.get("rag", {}), "actions"), (p.get("milestones", {}), "milestones")):
        document.add_paragraph(rag_bar(counts, kind)["alt"] + ".")
    _table(
        document,
        f"Actions under priority {p['number']} in {label}",
        ["Action", "Lead", "Due", "RAG", "Commentary"],
        (
            [
                f"{a['reference']} {a['title']}" + (" (illustrative)" if a.get("illustrative") else ""),
                _text(a["lead"]),
                _date(a["due"]),
                rag_word(a["rag"]),
                _text(a["commentary"]) or "No update submitted.",
            ]
            for a in p.get("actions", [])
        ),
        widths=[50, 30, 20, 16, 64],
        empty="No actions ran this quarter.",
    )
    _indicators_table(document, p.get("indicators", []), "Indicators of this priority")


def _indicators(document: Document, s: dict[str, Any]) -> None:
    """Every indicator against baseline and target; then, in place of each chart, its figures by quarter."""
    _heading(document, "Indicators", 1)
    _indicators_table(document, s.get("indicators", []), "Every indicator against its baseline and target")
    for row in s.get("indicators", []):
        series = row.get("series") or []
        if series:
            unit = _text(row["unit"])
            _table(
                document,
                f"{row['title']} by quarter ({unit})",
                [_text(label) for label, _ in series],
                [[_figure(value, unit) for _, value in series]],
                widths=[1] * len(series),
                numeric=range(len(series)),
                row_headers=False,
            )


def _exceptions(document: Document, s: dict[str, Any]) -> None:
    def overdue(e: dict[str, Any]) -> str:
        found = [f"{_text(m['title'])} (due {_date(m['due'])})" for m in e.get("overdue_milestones", [])]
        return "; ".join(found) or "No overdue milestones"

    def corrective(e: dict[str, Any]) -> Runs:
        # The snapshot's stand-in for an empty field, in words that say what is missing.
        said = _text(e["corrective_action"])
        runs: Runs = [("No corrective action recorded." if said == "None recorded." else said, False)]
        if e.get("support"):
            runs += [("\nSupport asked of the board:", True), (" " + _text(e["support"]), False)]
        return runs

    _heading(document, "Exception report", 1)
    _table(
        document,
        "Red and amber actions and overdue milestones",
        ["Action", "RAG", "Overdue milestones", "Issues, risks and corrective action", "Quarters as an exception"],
        (
            [
                [(f"{e['reference']} {e['title']}", True), ("\n" + _text(e["lead"]), False)],
                rag_word(e["rag"]),
                overdue(e),
                corrective(e),
                str(e["quarters"]),
            ]
            for e in s.get("exceptions", [])
        ),
        widths=[42, 15, 38, 62, 23],
        numeric=[4],
        empty="No exceptions this quarter.",
    )


def _changes(document: Document, s: dict[str, Any]) -> None:
    changes = s.get("changes") or {}
    previous = _text(s.get("period", {}).get("previous"))
    _heading(document, "What changed since the last report", 1)
    _heading(document, f"RAG moves since {previous}" if previous else "RAG moves", 2)
    _list(
        document,
        (
            f"{m['reference']} {m['title']}: {rag_word(m['from'])} to {rag_word(m['to'])}"
            for m in changes.get("rag_moves", [])
        ),
        empty="No RAG moves.",
    )
    _heading(document, "Slipped dates", 2)
    _list(
        document,
        (f"{m['what']}: from {_date(m['from'])} to {_date(m['to'])}" for m in changes.get("slipped", [])),
        empty="No dates slipped.",
    )
    _heading(document, "Actions added", 2)
    _list(document, (f"{m['reference']} {m['title']}" for m in changes.get("added", [])), empty="No actions added.")
    _heading(document, "Actions closed", 2)
    _list(
        document,
        (f"{m['reference']} {m['title']} ({_text(m['state']).lower()})" for m in changes.get("closed", [])),
        empty="No actions closed.",
    )


def _consultation(document: Document, c: dict[str, Any]) -> None:
    """The latest consultation's headline, its comparison and its themes, as
    `includes/_headline.html` words them; the breakdowns by age and ward stay in the PDF."""
    _heading(document, _text(c.get("title")) + (" (illustrative responses)" if c.get("illustrative") else ""), 2)
    if c.get("illustrative"):
        document.add_paragraph(
            "The responses behind these figures are illustrative, made up for demonstration; the published "
            "figures are the partnership's own."
        )
    h = c.get("headline") or {}
    if h.get("percent") is not None:
        shown = f"{floatformat(h['percent'], 0)}%"
    else:
        shown = "Not shown" if h.get("too_few") else "No headline yet"
    _paragraph(document, (shown, True))
    if h.get("too_few"):
        document.add_paragraph("Fewer than 10 people have answered the headline question, so no figure is shown.")
    respondents = f", of {h['n']} respondent{pluralize(h['n'])}" if h.get("n") else ""
    document.add_paragraph(f"{capfirst(_text(h.get('label')))}{respondents}.")
    if h.get("low") is not None:
        document.add_paragraph(
            f"95% interval: {floatformat(h['low'], 1)}% to {floatformat(h.get('high'), 1)}%. This allows for "
            "sampling error only: people chose to take part, so it cannot allow for who did not."
        )
    elif h.get("percent") is not None:
        document.add_paragraph("The margin of error is unknown: the number of respondents was not published.")
    if h.get("from_responses") and h.get("published_percent") is not None:
        of = f" of {h['published_respondents']}" if h.get("published_respondents") else ""
        document.add_paragraph(
            f"Published figure: {floatformat(h['published_percent'], 0)}%{of} ({_text(h.get('published_source'))})."
        )
    elif h.get("published_source"):
        document.add_paragraph(f"Source: {_text(h['published_source'])}.")
    cmp = c.get("comparison")
    if cmp:
        of = f" of {cmp['earlier_n']}" if cmp.get("earlier_n") else " (number of respondents not published)"
        _paragraph(
            document,
            (f"Compared with {_text(cmp.get('earlier'))}.", True),
            (
                f" {_text(cmp.get('earlier_year'))}: {floatformat(cmp.get('earlier_percent'), 0)}%{of}. "
                f"{_text(cmp.get('sentence'))}",
                False,
            ),
        )
    if c.get("themes_safe") or c.get("themes_unsafe"):
        document.add_paragraph(
            f"From {c['coded']} coded free-text answer{pluralize(c['coded'])}, most mentioned first."
        )
        for key, heading in (("themes_safe", "safe"), ("themes_unsafe", "unsafe")):
            _heading(document, f"What makes people feel {heading}", 3)
            _list(
                document,
                (f"{t['name']} ({t['count']})" for t in c.get(key) or []),
                empty="No answers coded.",
                numbered=True,
            )
    if c.get("by_age") or c.get("by_ward"):
        document.add_paragraph(
            "The headline by age and by ward, with groups of too few respondents not shown, is in the PDF "
            "and web page of this report."
        )


def _perception(document: Document, s: dict[str, Any]) -> None:
    _heading(document, "Consultation and perception measures", 1)
    if s.get("consultation"):
        _consultation(document, s["consultation"])
    else:
        document.add_paragraph("No consultation had closed by the end of this quarter.")
    _heading(document, "Perception indicators", 2)
    perception = [
        f"{row['title']}: {_figure(row['this_quarter'], row['unit'])} this quarter (target "
        f"{_figure(row['target'], row['unit'])}; {row['status']}; against last year: {row['direction_last_year']})"
        for row in s.get("indicators", [])
        if row.get("is_perception")
    ]
    for item in perception:
        _paragraph(document, (item, False), style="List Bullet")
    document.add_paragraph(
        "Perception indicators are those whose data source is a resident survey or that a consultation feeds."
        + ("" if s.get("perception_count") else " There are none this quarter.")
    )


def _data_quality(document: Document, s: dict[str, Any]) -> None:
    quality = s.get("data_quality") or {}
    _heading(document, "Data-quality notes", 1)
    _heading(document, "Provisional figures", 2)
    _list(document, quality.get("provisional", []), empty="No provisional figures.")
    _heading(document, "Indicators with no figure this quarter", 2)
    _list(document, quality.get("missing_values", []), empty="Every indicator has a figure this quarter.")
    _heading(document, "Missing returns", 2)
    _list(
        document,
        (f"{m['reference']} {m['title']} ({m['lead']})" for m in quality.get("missing_returns", [])),
        empty="Every action has a submitted update.",
    )


def _glossary(document: Document, s: dict[str, Any]) -> None:
    _heading(document, "Glossary", 1)
    _terms(document, [(term, description) for term, description in s.get("glossary", [])])


def _properties(document: Document, snapshot: dict[str, Any], version: int) -> None:
    """Title and author as the web page's; dated when the figures were frozen, so the same
    snapshot gives the same file."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    properties = document.core_properties
    partnership = _text(snapshot.get("partnership"))
    label = _text(snapshot.get("period", {}).get("label"))
    properties.title = f"{partnership}: performance report, {label} (version {version})"[:255]
    properties.author = partnership[:255]
    properties.last_modified_by = "Community Safety Partnership portal"
    properties.subject = "Quarterly performance report"
    properties.category = MARKING
    properties.language = "en-GB"
    properties.revision = version
    properties.created = properties.modified = frozen_at(snapshot)
    properties.comments = ""
    properties.keywords = ""
    # python-docx's template carries a picture of a blank page, which file browsers would show.
    package = document.part.package
    for key, relationship in list(package.rels.items()):
        if relationship.reltype == RT.THUMBNAIL:
            package.rels.pop(key)


def render_docx(snapshot: dict[str, Any], *, version: int) -> bytes:
    """The report as a Word document (see the module docstring)."""
    import docx

    document = docx.Document()
    _styles(document)
    _page(document, snapshot)
    _properties(document, snapshot, version)
    _cover(document, snapshot, version)
    _paper(document, snapshot)
    _purpose(document, snapshot)
    _headline(document, snapshot)
    _key(document, snapshot)
    for priority in snapshot.get("priorities", []):
        _priority(document, priority, snapshot)
    _indicators(document, snapshot)
    _exceptions(document, snapshot)
    _changes(document, snapshot)
    _perception(document, snapshot)
    _data_quality(document, snapshot)
    _glossary(document, snapshot)
    buffer = io.BytesIO()
    document.save(buffer)
    return same_bytes(buffer.getvalue(), frozen_at(snapshot))
