from __future__ import annotations


class ExportFormat:
    """`csv` or `xlsx` in a URL; anything else does not match (404)."""

    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
