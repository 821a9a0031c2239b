"""Text as people meant it, made safe once, where it enters (forms, imports, the admin), for
every output: HTML, PDF, XLSX (whose XML refuses control characters) and CSV."""

from __future__ import annotations

import re

# What Word and other programs paste for a line or paragraph break inside a paragraph:
# vertical tab (Shift+Enter), form feed (page break), and Unicode's line and paragraph separators.
LINE_BREAKS = {0x0B: "\n", 0x0C: "\n", 0x2028: "\n", 0x2029: "\n"}
# Characters XML 1.0 (so XLSX) cannot hold and no person means: C0 controls but tab, line
# feed and carriage return; lone surrogates; the two non-characters U+FFFE and U+FFFF.
UNSAFE = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """The text with Word's line breaks as new lines and unsafe characters removed;
    everything else, tabs and line endings included, exactly as typed."""
    return UNSAFE.sub("", value.translate(LINE_BREAKS))


def clean_cell(value: object) -> object:
    """A table cell with its text made safe (other values as they are)."""
    return clean_text(value) if isinstance(value, str) else value
