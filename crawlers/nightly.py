"""``peerjobs nightly``: crawl, build, export and report health, and say how it went.

The exit code tells a scheduler what needs a person, so cron's ``MAILTO`` and systemd's
``OnFailure=`` act on it:

- :data:`HEALTHY` (0): every step ran and the health report has no warning;
- :data:`DEGRADED` (2): every step ran, but something needs a look: a warning of the health
  report (failing streaks, robots.txt refusals, item drops, interrupted or skipped runs), a
  source that failed tonight, a problem the build reported, or a webhook that could not be told;
- :data:`FAILED` (1): no source could be read, or the build failed (the published database is
  then the previous one).

``--notify URL`` posts :meth:`NightlySummary.as_dict` as JSON to a webhook. A webhook that does
not answer is a warning (the night is degraded), never a lost run: everything is already stored.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HEALTHY, FAILED, DEGRADED = 0, 1, 2
STATUS_NAMES = {HEALTHY: "healthy", DEGRADED: "degraded", FAILED: "failed"}
NOTIFY_TIMEOUT = 15.0
"""Seconds a webhook has to answer; a scheduled job must not hang on it."""


@dataclass
class NightlySummary:
    """What one night did, as the webhook receives it and the exit code reports it."""

    as_of: str | None = None
    """The health report's as-of time (the latest run's start)."""
    sources: dict[str, int] = field(default_factory=dict)
    """Tonight's crawl: sources per status (complete, partial, failed, skipped, ...)."""
    build: str | None = None
    """The build's one-line summary, or None when it failed."""
    exports: int = 0
    """CSV and dictionary files written."""
    health_report: str | None = None
    """Path of the health report's JSON."""
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.errors:
            return FAILED
        return DEGRADED if self.warnings else HEALTHY

    @property
    def status(self) -> str:
        return STATUS_NAMES[self.exit_code]

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "exit_code": self.exit_code, "as_of": self.as_of,
                "sources": dict(sorted(self.sources.items())), "build": self.build,
                "exports": self.exports, "health_report": self.health_report,
                "warnings": list(self.warnings), "errors": list(self.errors)}

    def text(self) -> str:
        lines = [f"nightly: {self.status} (exit {self.exit_code})"]
        lines += [f"  error: {e}" for e in self.errors]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def crawl_statuses(boards: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Sources per status, from each crawled board's stats entry."""
    return dict(Counter(str(board.get("status", "failed")) for board in boards))


def judge_crawl(summary: NightlySummary, statuses: dict[str, int], failed_sources: list[str]
                ) -> None:
    read = statuses.get("complete", 0) + statuses.get("partial", 0)
    summary.sources = dict(statuses)
    if not statuses:
        summary.errors.append("nothing to crawl: no enabled boards for the requested sources")
    elif read == 0:
        summary.errors.append(f"no source could be read ({sum(statuses.values())} tried)")
    summary.warnings += [f"{source}: failed tonight" for source in failed_sources]


def notify(url: str, payload: dict[str, Any], *, timeout: float = NOTIFY_TIMEOUT) -> str | None:
    """POST ``payload`` as JSON to ``url``; None when it was taken (2xx), else why not."""
    body = json.dumps(payload, sort_keys=True).encode("utf-8")
    try:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "peerjobs-nightly"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status = int(answer.status)
    except urllib.error.HTTPError as exc:
        return f"webhook {url} answered {exc.code} {exc.reason}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"webhook {url} could not be reached: {reason}"
    if not 200 <= status < 300:
        return f"webhook {url} answered {status}"
    return None


def run_nightly(
    wanted: Sequence[str], *, api_base: str | None, settings: dict[str, Any],
    export_dir: Path | None, echo: Callable[..., Any],
) -> NightlySummary:
    """Crawl, build, export and write the health report; each step's text goes to ``echo``.

    Nothing raises for a failing source or build: the summary records it, and the steps after
    a failed build still report on the database that is published."""
    from crawlers import config
    from crawlers.crawl import crawl_sources, print_summary
    from db.build import BuildError
    from db.exports import export_all
    from db.health import write_health_report
    from db.pipeline import build_database

    summary = NightlySummary()
    outcomes = crawl_sources(wanted, api_base=api_base, settings=settings)
    print_summary(outcomes, strict=False)
    boards = [board for outcome in outcomes for board in outcome.boards.values()]
    boards += [{"status": "failed"} for outcome in outcomes if not outcome.boards]
    failed = sorted(source for outcome in outcomes for source, board in outcome.boards.items()
                    if board.get("status", "failed") == "failed")
    failed += [f"{o.job.spider}: no boards crawled" for o in outcomes if not o.boards]
    judge_crawl(summary, crawl_statuses(boards), failed)
    data = config.data_dir(settings)
    try:
        report = build_database(data, rebuild=False)
    except BuildError as exc:
        echo(f"build failed, the published database is unchanged: {exc}", err=True)
        summary.errors.append(f"build failed: {exc}")
    else:
        summary.build = report.summary()
        echo(summary.build)
        if report.problems:
            summary.warnings.append(f"build: {len(report.problems)} problem(s), the first: "
                                    f"{report.problems[0]}")
    database = data / "peerjobs.db"
    if database.exists():
        target = export_dir or data / "exports"
        summary.exports = len(export_all(database, target))
        echo(f"exported {summary.exports} file(s) to {target}")
        health, path = write_health_report(database, data / "reports")
        echo(health.text())
        echo(f"health report: {path}")
        summary.as_of, summary.health_report = health.as_of, str(path)
        summary.warnings += health.warnings
    return summary
