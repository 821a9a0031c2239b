"""Time importing a survey tool's export of 10,000 responses into a fresh consultation, then
the same file again (which must add nothing).

Run as `python -m bench.imports`; prints one JSON object. The caller sets the
environment (settings module, database) before this process starts Django. The file is the
demo's illustrative export (`consultations.demo.demo_csv`), cut to 10,000 rows.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from pathlib import Path

import django

ROWS = 10_000


def export_csv(rows: int) -> bytes:
    """The demo's illustrative export cut to `rows` responses, as a survey tool writes it."""
    from consultations.demo import RESPONDENTS, demo_csv

    text, _ = demo_csv(scale=math.ceil(rows / RESPONDENTS))
    records = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(records[: rows + 1])
    return out.getvalue().encode("utf-8-sig")


def main() -> None:
    django.setup()
    from django.core.management import call_command

    from consultations.demo import MAPPING, SLUG
    from consultations.imports import ImportCheck, read_table
    from consultations.models import Answer, Consultation, Response
    from consultations.seed import SHIPPED_FILE, consultations_load
    from consultations.services import responses_import
    from priorities.plan_file import parse_plan
    from priorities.services import plan_import

    call_command("migrate", verbosity=0)
    root = Path(__file__).resolve().parent.parent
    plan_import(plan_file=parse_plan((root / "data/plans/bedford-borough-2020-2024.yaml").read_text()))
    consultations_load(SHIPPED_FILE)  # the 2022 consultation, its questions and the wards; no responses
    consultation = Consultation.objects.get(slug=SLUG)
    content = export_csv(ROWS)

    def timed_import() -> tuple[float, ImportCheck]:
        start = time.perf_counter()
        table = read_table("bench-responses.csv", content)
        check = responses_import(consultation=consultation, table=table, mapping=MAPPING, user=None)
        return time.perf_counter() - start, check

    first_s, first = timed_import()
    if not first.ok or first.added != ROWS:
        raise SystemExit(f"The first import added {first.added} of {ROWS}: {first.messages()[:3]}")
    again_s, again = timed_import()
    if not again.ok or again.added or again.already != ROWS:
        raise SystemExit(f"The second import added {again.added}, found {again.already} already there")
    print(
        json.dumps(
            {
                "rows": ROWS,
                "bytes": len(content),
                "first_s": first_s,
                "again_s": again_s,
                "again_added": again.added,
                "again_already": again.already,
                "responses": Response.objects.filter(consultation=consultation).count(),
                "answers": Answer.objects.filter(response__consultation=consultation).count(),
            }
        )
    )


if __name__ == "__main__":
    main()
