"""``source_health``: how every source did, night by night, for the operators' dashboard.

One row per source and night (the UTC date a run started): the night's last run with its
status, items, problems by kind, duration and robots.txt refusals, the failing streak and the
flags of the nightly health report (db/health.py decides them; this module only keeps them for
every night instead of the latest), the nights in a row whose last run was not complete, and a
red/amber/green verdict:

- ``red``: the night's run failed or was interrupted, or no complete run for
  :data:`db.health.FAILING_STREAK` runs or nights or more;
- ``amber``: read, but with a warning of the health report (robots.txt, an item drop, a
  skip) or partially;
- ``green``: a complete run and nothing to say.

The build recomputes it from the ``runs`` table (which the build loads from the archive's stats
files), so ``rebuild`` recreates it exactly.
"""

from __future__ import annotations

import json
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlite_utils import Database

from db.changes import changed_since
from db.health import FAILING_STREAK, SourceHealth, item_drop, walk_runs

COLUMNS: dict[str, type] = {
    "source": str, "night": str, "platform": str, "board_state": str, "run_id": str,
    "runs": int, "started_at": str, "finished_at": str, "duration_s": float, "status": str,
    "items": int, "problem_count": int, "problems": str, "robots_refusals": int,
    "runs_since_complete": int, "nights_failing": int, "previous_complete_items": int,
    "item_drop": int,
    "rag": str, "warnings": str,
}
RUNS_SQL = ("select run_id, source, platform, board_state, started_at, finished_at, status, "
            "items, problems from runs order by source, started_at, run_id")


def create_table(db: Database) -> None:
    db.table("source_health").create(COLUMNS, pk=("source", "night"), if_not_exists=True)
    db.table("source_health").create_index(["night", "rag"], if_not_exists=True)


def night_of(started_at: str) -> str:
    return (started_at or "")[:10]


def seconds_between(started_at: str | None, finished_at: str | None) -> float | None:
    try:
        start = datetime.fromisoformat(str(started_at).replace("Z", "+00:00"))
        end = datetime.fromisoformat(str(finished_at).replace("Z", "+00:00"))
    except ValueError:
        return None
    return max(0.0, (end - start).total_seconds())


def rag(health: SourceHealth, nights_failing: int) -> str:
    if health.last_status in ("failed", "interrupted") \
            or max(health.runs_since_complete, nights_failing) >= FAILING_STREAK:
        return "red"
    if health.warnings or health.last_status != "complete":
        return "amber"
    return "green"


def health_rows(runs: list[dict[str, Any]], since: str | None = None) -> list[dict[str, Any]]:
    """Rows of ``source_health`` from ``runs`` rows ordered by source, start and run id: every
    night's, or only those from the night ``since`` on (each source's runs are still walked
    from its first, since a night's streaks count back over earlier nights)."""
    rows: list[dict[str, Any]] = []
    for source, source_runs in groupby(runs, itemgetter("source")):
        ordered = list(source_runs)
        by_run = {run["run_id"]: run for run in ordered}
        nights: dict[str, tuple[SourceHealth, int]] = {}
        for health in walk_runs(source, ordered):
            night = night_of(health.last_started_at)
            count = nights[night][1] + 1 if night in nights else 1
            nights[night] = (health, count)
        nights_failing = 0
        for night, (health, count) in nights.items():
            run = by_run[health.last_run]
            nights_failing = 0 if health.last_status == "complete" else nights_failing + 1
            if since is not None and night < since:
                continue
            rows.append({
                "source": source, "night": night, "platform": run["platform"],
                "board_state": run["board_state"], "run_id": health.last_run, "runs": count,
                "started_at": run["started_at"], "finished_at": run["finished_at"],
                "duration_s": seconds_between(run["started_at"], run["finished_at"]),
                "status": health.last_status, "items": health.last_items,
                "problem_count": sum(health.problems.values()),
                "problems": json.dumps(health.problems, sort_keys=True),
                "robots_refusals": int(health.problems.get("robots_disallowed", 0)),
                "runs_since_complete": health.runs_since_complete,
                "nights_failing": nights_failing,
                "previous_complete_items": health.previous_complete_items,
                "item_drop": int(item_drop(health)), "rag": rag(health, nights_failing),
                "warnings": json.dumps(health.warnings),
            })
    return rows


def source_health(db: Database) -> None:
    """Recompute ``source_health`` from ``runs`` (a deriver of the build, after the others),
    writing only the rows that differ from the stored ones. A night's row depends on the runs
    up to that night only, so an incremental build compares and writes only the nights from
    the earliest day it changed (db/changes.py: no run it loaded started earlier); building and
    comparing every night's row took 11 s at a million postings, rewriting them all 15 s."""
    create_table(db)
    full, since = changed_since(db)
    night = None if full or since is None else night_of(since)
    columns = ", ".join(f"[{name}]" for name in COLUMNS)
    fresh = {(row["source"], row["night"]): tuple(row[name] for name in COLUMNS)
             for row in health_rows(list(db.query(RUNS_SQL)), night)}
    stored = {(row[0], row[1]): row for row in db.conn.execute(
        f"select {columns} from source_health where night >= ?", (night or "",))}
    gone = [key for key in stored if key not in fresh]
    differ = [row for key, row in fresh.items() if stored.get(key) != row]
    with db.atomic():
        db.conn.executemany("delete from source_health where source = ? and night = ?", gone)
        db.conn.executemany(f"insert or replace into source_health ({columns}) "
                            f"values ({', '.join('?' * len(COLUMNS))})", differ)
