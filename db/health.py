"""The nightly health report: how each source's latest run went, and what needs an operator.

Read from the ``runs`` table only (one row per run and source), so it can be produced for any
database, and written as JSON beside the human-readable summary ``peerjobs nightly`` prints.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
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


def _health(source: str, runs: list[dict[str, Any]]) -> SourceHealth:
    """``runs`` newest first."""
    last = runs[0]
    since_complete = 0
    for run in runs:
        if run["status"] == "complete":
            break
        since_complete += 1
    completes = [r for r in runs if r["status"] == "complete"]
    previous = completes[1]["items"] if len(completes) > 1 else None
    problems = json.loads(last["problems"]) if last["problems"] else {}
    health = SourceHealth(
        source=source, last_run=last["run_id"], last_started_at=last["started_at"],
        last_status=last["status"], last_items=last["items"], problems=problems,
        runs_since_complete=since_complete, previous_complete_items=previous,
    )
    if since_complete >= FAILING_STREAK:
        health.warnings.append(f"no complete run in the last {since_complete} runs "
                               f"(latest: {last['status']})")
    if problems.get("robots_disallowed"):
        health.warnings.append("robots.txt disallows what the spider needs; obeyed")
    if last["status"] == "complete" and previous and last["items"] < previous * DROP_RATIO:
        health.warnings.append(f"items fell from {previous} to {last['items']} in a complete run "
                               "(a changed page, or a real drop?)")
    if last["status"] == "interrupted":
        health.warnings.append("the last run was interrupted (its crawler was killed): its items "
                               "count as sightings, and it closed nothing")
    if last["status"] == "skipped":
        health.warnings.append("skipped (see the run's log: a missing API key?)")
    return health


def health_report(database: Path) -> HealthReport:
    if not database.exists():
        return HealthReport(None, [])
    db = Database(database)
    try:
        rows = list(db.query(
            "select run_id, source, started_at, status, items, problems from runs "
            "order by source, started_at desc, run_id desc"))
    finally:
        db.close()
    by_source: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row)
    sources = [_health(source, runs) for source, runs in sorted(by_source.items())]
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
