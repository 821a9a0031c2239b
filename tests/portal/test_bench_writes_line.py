"""`make bench`'s deadline-day line: the ratio under load, and the busy run beside it."""

from __future__ import annotations

from bench.__main__ import _writes_line


def _run(clients: int, saves: int, p95: float, errors: int = 0) -> dict[str, object]:
    return {"clients": clients, "saves": saves, "saves_per_s": saves / 5, "p95_ms": p95, "errors": errors,
            "error_kinds": {"save 500": errors} if errors else {}}  # fmt: skip


def test_the_line_gives_each_ratio_to_idle_and_every_error() -> None:
    writes = {"idle": _run(1, 50, 40.0), "busy": _run(2, 80, 60.0, errors=1), "load": _run(8, 120, 200.0),
              "lost_updates": 0}  # fmt: skip
    line = _writes_line(writes)
    assert "p95 200 ms under load / idle p95 40 ms = 5.0" in line
    assert "as many officers as workers (2, none queued): 80 saves (16/s), p95 60 ms = 1.5 times idle" in line
    assert "errors 1;" in line


def test_a_result_from_before_the_busy_run_still_reads() -> None:
    writes = {"idle": _run(1, 50, 40.0), "load": _run(8, 120, 120.0), "lost_updates": 0}
    line = _writes_line(writes)
    assert "= 3.0; errors 0; lost updates 0" in line
    assert "none queued" not in line
