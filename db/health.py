"""The nightly health report: how each source's latest run went, and what needs an operator.

Read from the ``runs`` table only (one row per run and source), so it can be produced for any
database, and written as JSON beside the human-readable summary ``peerjobs nightly`` prints.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlite_utils import Database

FAILING_STREAK = 3
"""Runs in a row without a complete read before a source is flagged."""
DROP_RATIO = 0.5
"""A complete run with fewer than half the items of the previous complete run is flagged."""


@dataclass
class SourceHealth:
    source: str
    last_run: str
    last_started_at: str
    last_status: str
    last_items: int
    problems: dict[str, int]
    runs_since_complete: int
    previous_complete_items: int | None
    warnings: list[str] = field(default_factory=list)


@dataclass
class HealthReport:
    as_of: str | None
    sources: list[SourceHealth]

    @property
    def warnings(self) -> list[str]:
        return [f"{s.source}: {w}" for s in self.sources for w in s.warnings]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for source in self.sources:
            out[source.last_status] = out.get(source.last_status, 0) + 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "counts": self.counts(), "warnings": self.warnings,
                "sources": [asdict(s) for s in self.sources]}

    def text(self) -> str:
        lines = [f"health as of {self.as_of or 'never'}: "
                 + ", ".join(f"{n} {status}" for status, n in sorted(self.counts().items()))]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _warnings(health: SourceHealth) -> list[str]:
    warnings = []
    previous, last_items = health.previous_complete_items, health.last_items
    if health.runs_since_complete >= FAILING_STREAK:
        warnings.append(f"no complete run in the last {health.runs_since_complete} runs "
                        f"(latest: {health.last_status})")
    if health.problems.get("robots_disallowed"):
        warnings.append("robots.txt disallows what the spider needs; obeyed")
    if item_drop(health):
        warnings.append(f"items fell from {previous} to {last_items} in a complete run "
                        "(a changed page, or a real drop?)")
    if health.last_status == "interrupted":
        warnings.append("the last run was interrupted (its crawler was killed): its items "
                        "count as sightings, and it closed nothing")
    if health.last_status == "skipped":
        warnings.append("skipped (see the run's log: a missing API key?)")
    return warnings


def item_drop(health: SourceHealth) -> bool:
    """A complete run with fewer than :data:`DROP_RATIO` of the previous complete run's items."""
    previous = health.previous_complete_items
    return bool(health.last_status == "complete" and previous
                and health.last_items < previous * DROP_RATIO)


def walk_runs(source: str, runs: Iterable[dict[str, Any]]) -> Iterator[SourceHealth]:
    """The source's health after each of its runs (``runs`` oldest first: ``run_id``,
    ``started_at``, ``status``, ``items``, ``problems`` as JSON), in one pass."""
    since_complete = 0
    completes: list[int] = []  # the items of the last two complete runs, latest last
    for run in runs:
        if run["status"] == "complete":
            since_complete = 0
            completes = [*completes[-1:], run["items"]]
        else:
            since_complete += 1
        previous = completes[-2] if len(completes) > 1 else None
        health = SourceHealth(
            source=source, last_run=run["run_id"], last_started_at=run["started_at"],
            last_status=run["status"], last_items=run["items"],
            problems=json.loads(run["problems"]) if run["problems"] else {},
            runs_since_complete=since_complete, previous_complete_items=previous,
        )
        health.warnings = _warnings(health)
        yield health


RUNS_OLDEST_FIRST = ("select run_id, source, started_at, status, items, problems from runs "
                     "order by source, started_at, run_id")


def health_report(database: Path) -> HealthReport:
    if not database.exists():
        return HealthReport(None, [])
    db = Database(database)
    try:
        sources = [deque(walk_runs(source, runs), maxlen=1)[0]
                   for source, runs in groupby(db.query(RUNS_OLDEST_FIRST), itemgetter("source"))]
    finally:
        db.close()
    as_of = max((s.last_started_at for s in sources), default=None)
    return HealthReport(as_of, sources)


def write_health_report(database: Path, folder: Path) -> tuple[HealthReport, Path]:
    report = health_report(database)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = (report.as_of or "never").replace(":", "").replace("-", "")
    path = folder / f"health-{stamp}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report.as_dict(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return report, path
