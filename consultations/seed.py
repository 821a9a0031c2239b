"""Loading the partnership's consultations, wards and theme tags from the data file.

The file (data/consultations/bedford-borough-consultations.yaml) holds what the plan
publishes; loading it again changes only what differs, so history stays true.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from core.upsert import upsert
from priorities.models import Partnership

from .models import Consultation, Option, Question, ThemeTag, Ward
from .results import results_refresh

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "consultations"
SHIPPED_FILE = DATA_DIR / "bedford-borough-consultations.yaml"


def shipped_files() -> list[Path]:
    """Every partnership's consultations file shipped in data/consultations, by name."""
    return sorted(DATA_DIR.glob("*-consultations.yaml"))


class SeedError(Exception):
    """The data file is wrong; the message says where."""


@dataclass
class SeedSummary:
    wards: int = 0
    tags: int = 0
    consultations: int = 0
    questions: int = 0
    options: int = 0
    changed: int = 0

    def note(self, what: str, state: str) -> None:
        """Count one record `upsert` made ("new") or changed."""
        if state == "new":
            setattr(self, what, getattr(self, what) + 1)
        self.changed += state == "changed"

    def __str__(self) -> str:
        added = ", ".join(
            f"{count} {name.replace('tags', 'theme tags')}" for name, count in vars(self).items() if name != "changed"
        )
        return f"{added} added; {self.changed} changed"


def consultations_load(path: Path) -> SeedSummary:
    """Load (or bring up to date) wards, theme tags and consultations from a data file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    summary = SeedSummary()
    partnership = Partnership.objects.filter(name=data["partnership"]).first()
    if partnership is None:
        raise SeedError(f"No partnership called {data['partnership']!r}: import its plan first (make run does).")
    wards = yaml.safe_load((path.parent / data["wards"]).read_text(encoding="utf-8"))
    if len({w["name"] for w in wards["wards"]}) != len(wards["wards"]):
        raise SeedError(f"{data['wards']}: a ward is listed twice")
    with transaction.atomic():
        for ward in wards["wards"]:
            _, state = upsert(
                Ward,
                {"partnership": partnership, "boundaries": wards["boundaries"], "name": ward["name"]},
                {"code": ward.get("code", "")},
            )
            summary.note("wards", state)
        for position, tag in enumerate(data.get("theme_tags", []), start=1):
            _, state = upsert(
                ThemeTag,
                {"partnership": partnership, "name": tag["name"]},
                {"feeling": tag["feeling"], "position": position},
            )
            summary.note("tags", state)
        for item in data.get("consultations", []):
            _consultation(partnership, item, summary)
        # Questions, options, headlines, wards and tags are what results are made of: every
        # consultation of the partnership, in the file or not, may read differently now.
        for consultation in Consultation.objects.filter(partnership=partnership):
            results_refresh(consultation)
    return summary


def _consultation(partnership: Partnership, item: dict[str, Any], summary: SeedSummary) -> None:
    headline = item.get("headline") or {}
    percent = headline.get("percent")
    consultation, state = upsert(
        Consultation,
        {"partnership": partnership, "slug": item["slug"]},
        {
            "title": item["title"],
            "year": item["year"],
            "method": item.get("method", ""),
            "ward_boundaries": item.get("ward_boundaries", ""),
            "headline_label": headline.get("label", ""),
            "published_percent": None if percent is None else Decimal(str(percent)),
            "published_respondents": headline.get("respondents"),
            "published_source": headline.get("source", ""),
        },
    )
    summary.note("consultations", state)
    for question_item in item.get("questions", []):
        question, state = upsert(
            Question,
            {"consultation": consultation, "number": question_item["number"]},
            {"text": question_item["text"], "kind": question_item["kind"], "note": question_item.get("note", "")},
        )
        summary.note("questions", state)
        for position, option_item in enumerate(question_item.get("options", []), start=1):
            _, state = upsert(
                Option,
                {"question": question, "label": option_item["label"]},
                {"position": position, "is_positive": bool(option_item.get("positive", False))},
            )
            summary.note("options", state)
        if question_item.get("headline") and consultation.headline_question_id != question.id:
            consultation.headline_question = question
            consultation.save(update_fields=["headline_question"])
