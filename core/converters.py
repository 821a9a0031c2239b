"""URL converters shared by the apps."""

from __future__ import annotations


class Choice:
    """A path segment that must be one of a few words; anything else does not match (404)."""

    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def choice_converter(*choices: str) -> type[Choice]:
    return type("ChoiceOf" + "".join(c.title() for c in choices), (Choice,), {"regex": "|".join(choices)})
