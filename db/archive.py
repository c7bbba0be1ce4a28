"""Reading the raw archive the spiders write: ``archive/<spider>/<run_id>.jsonl`` + ``.stats.json``.

A run counts as finished once its stats file exists (it is written last, atomically). A feed
line that is not a JSON object with a source and a source id is reported, never fatal.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ArchivedRun:
    run_id: str
    spider: str
    stats_path: Path
    feed_path: Path
    stats: dict[str, Any] = field(repr=False)

    @property
    def started_at(self) -> str:
        return str(self.stats.get("started_at") or "")

    @property
    def finished_at(self) -> str:
        return str(self.stats.get("finished_at") or self.started_at)

    @property
    def boards(self) -> dict[str, dict[str, Any]]:
        boards = self.stats.get("boards")
        return boards if isinstance(boards, dict) else {}


@dataclass
class ArchiveProblem:
    path: Path
    message: str


def archived_runs(archive_dir: Path) -> tuple[list[ArchivedRun], list[ArchiveProblem]]:
    """Every finished run in the archive, oldest first, and the stats files that cannot be read."""
    runs: list[ArchivedRun] = []
    problems: list[ArchiveProblem] = []
    if not archive_dir.exists():
        return runs, problems
    for stats_path in sorted(archive_dir.glob("*/*.stats.json")):
        try:
            stats = json.loads(stats_path.read_text(encoding="utf-8"))
            if not isinstance(stats, dict) or not stats.get("run_id"):
                raise ValueError("no run_id")
        except (OSError, ValueError) as exc:
            problems.append(ArchiveProblem(stats_path, f"unreadable stats file: {exc}"))
            continue
        run_id = str(stats["run_id"])
        feed = stats_path.with_name(f"{run_id}.jsonl")
        runs.append(ArchivedRun(run_id, stats_path.parent.name, stats_path, feed, stats))
    runs.sort(key=lambda r: (r.started_at, r.run_id))
    return runs, problems


def read_items(run: ArchivedRun) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, item, None) for good lines and (line number, None, reason) for bad ones."""
    if not run.feed_path.exists():
        return
    with run.feed_path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            line = raw.strip()
            if not line:
                continue
            try:
                item = json.loads(line)
            except ValueError as exc:
                yield number, None, f"not JSON ({exc})"
                continue
            if not isinstance(item, dict):
                yield number, None, "not a JSON object"
            elif not item.get("source") or not item.get("source_id"):
                yield number, None, "no source or source_id"
            else:
                yield number, item, None
