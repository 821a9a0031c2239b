"""The built stylesheet points only at files the build ships: with DEBUG off, the manifest
storage refuses to collect a stylesheet whose url() names a missing file, and every page
then fails."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_url_in_the_built_stylesheet_names_a_file_the_build_ships() -> None:
    css = (ROOT / "static" / "build" / "css" / "app.css").read_text(encoding="utf-8")
    urls = {match.strip("'\"") for match in re.findall(r"url\(([^)]+)\)", css)}
    local = sorted(url for url in urls if url.startswith("/static/"))
    assert local, "the stylesheet should use the GOV.UK and MOJ icons"
    missing = [url for url in local if not (ROOT / "static" / url.removeprefix("/static/").split("?")[0]).is_file()]
    assert missing == []
