"""The nightly health report flags what an operator must look at, from the runs table."""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from db.health import health_report, write_health_report


def make_runs(path: Path, rows: list[tuple[str, str, str, str, int, dict[str, int]]]) -> Path:
    db = Database(path)
    db["runs"].insert_all(
        [{"run_id": r, "source": s, "started_at": t, "status": st, "items": n,
          "problems": json.dumps(p) if p else None} for r, s, t, st, n, p in rows])
    db.close()
    return path


def test_streaks_drops_robots_and_skips_are_flagged(tmp_path: Path) -> None:
    database = make_runs(tmp_path / "peerjobs.db", [
        ("r1", "lever:a", "2026-11-01T03:00:00Z", "complete", 40, {}),
        ("r2", "lever:a", "2026-11-02T03:00:00Z", "complete", 38, {}),
        ("r3", "lever:a", "2026-11-03T03:00:00Z", "complete", 12, {}),
        ("r1", "ukg:b", "2026-11-01T03:00:00Z", "failed", 0, {"robots_disallowed": 1}),
        ("r2", "ukg:b", "2026-11-02T03:00:00Z", "failed", 0, {"robots_disallowed": 1}),
        ("r3", "ukg:b", "2026-11-03T03:00:00Z", "failed", 0, {"robots_disallowed": 1}),
        ("r3", "usajobs:peer-roles", "2026-11-03T03:00:00Z", "skipped", 0, {}),
        ("r2", "greenhouse:c", "2026-11-02T03:00:00Z", "complete", 9, {}),
        ("r3", "greenhouse:c", "2026-11-03T03:00:00Z", "partial", 7, {"timeout": 2}),
    ])
    report = health_report(database)
    assert report.as_of == "2026-11-03T03:00:00Z"
    assert report.counts() == {"complete": 1, "failed": 1, "partial": 1, "skipped": 1}
    assert report.warnings == [
        "lever:a: items fell from 38 to 12 in a complete run (a changed page, or a real drop?)",
        "ukg:b: no complete run in the last 3 runs (latest: failed)",
        "ukg:b: robots.txt disallows what the spider needs; obeyed",
        "usajobs:peer-roles: skipped (see the run's log: a missing API key?)",
    ]
    partial = next(s for s in report.sources if s.source == "greenhouse:c")
    assert (partial.runs_since_complete, partial.problems, partial.previous_complete_items) == (
        1, {"timeout": 2}, None)
    _, written = write_health_report(database, tmp_path / "reports")
    assert written.name == "health-20261103T030000Z.json"
    assert json.loads(written.read_text())["warnings"] == report.warnings
