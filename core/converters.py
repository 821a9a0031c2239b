"""URL converters shared by the apps."""

from __future__ import annotations

import re


class Choice:
    """A path segment that must be one of a few words; anything else does not match (404)."""

    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def choice_converter(*choices: str) -> type[Choice]:
    return type("ChoiceOf" + "".join(c.title() for c in choices), (Choice,), {"regex": "|".join(choices)})


def whole_number(text: str, *, digits: int = 18) -> int | None:
    """The ASCII whole number a query string or form names (an id), else None. `str.isdigit`
    accepts "²" and other digits `int` refuses; a number too long for an id is refused too."""
    return int(text) if re.fullmatch(rf"[0-9]{{1,{digits}}}", text or "") else None
