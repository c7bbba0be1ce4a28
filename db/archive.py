"""Reading the raw archive the spiders write: ``archive/<spider>/<run_id>.jsonl`` + ``.stats.json``.

A run counts as finished once its stats file exists (it is written last, atomically). A feed
line that is not a JSON object with a source and a source id is reported, never fatal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

HEADER_FIELDS = ("run_id", "spider", "platform", "started_at", "finished_at", "finish_reason",
                 "format")


@dataclass(frozen=True)
class ArchivedRun:
    """A finished run. Only the stats file's header is kept in memory (a big crawl's stats
    name thousands of boards); :attr:`stats` and :attr:`boards` read the file when asked."""

    run_id: str
    spider: str
    stats_path: Path
    feed_path: Path
    header: dict[str, Any] = field(repr=False)

    @property
    def stats(self) -> dict[str, Any]:
        """The whole stats file."""
        loaded = json.loads(self.stats_path.read_text(encoding="utf-8"))
        return loaded if isinstance(loaded, dict) else {}

    @property
    def started_at(self) -> str:
        return str(self.header.get("started_at") or "")

    @property
    def finished_at(self) -> str:
        return str(self.header.get("finished_at") or self.started_at)

    @property
    def platform(self) -> str:
        return str(self.header.get("platform") or self.spider)

    @property
    def finish_reason(self) -> str | None:
        reason = self.header.get("finish_reason")
        return str(reason) if reason is not None else None

    @property
    def boards(self) -> dict[str, dict[str, Any]]:
        """Per source: status, counters and registry fields (read from the stats file)."""
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
        header = {key: stats.get(key) for key in HEADER_FIELDS}
        runs.append(ArchivedRun(run_id, stats_path.parent.name, stats_path, feed, header))
    runs.sort(key=lambda r: (r.started_at, r.run_id))
    return runs, problems


def _parse_line(line: bytes) -> Any:
    """One feed line: orjson parses a few times faster; the standard library takes what orjson
    refuses but Python's own JSON writer can produce (NaN, integers beyond 64 bits, lone
    surrogates), so every line reads as it always did."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)


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
                item = _parse_line(line)
            except ValueError as exc:
                yield number, None, f"not JSON ({exc})"
                continue
            except RecursionError:
                # The standard library's fallback recurses once per bracket; a corrupt line of
                # deep nesting must cost that line, not the build.
                yield number, None, "not JSON (nested too deeply)"
                continue
            if not isinstance(item, dict):
                yield number, None, "not a JSON object"
            elif not item.get("source") or not item.get("source_id"):
                yield number, None, "no source or source_id"
            else:
                yield number, item, None


def write_run(
    archive_dir: Path,
    *,
    spider: str,
    run_id: str,
    started_at: str,
    items: Iterable[dict[str, Any]],
    boards: dict[str, dict[str, Any]],
    finished_at: str | None = None,
    finish_reason: str = "finished",
    platform: str | None = None,
) -> ArchivedRun:
    """Write one run as a spider does: the JSON-lines feed, then the stats file, atomically.

    ``boards`` maps each source to its counters and registry fields as the spider records them
    (``items``, ``requests``, ``listing_pages``, ``incomplete``, ``skipped``, ``board``,
    ``state``, ``employer``, ``problems/<kind>``, ``status/<code>``); the stats file is
    composed by crawlers/runstats.py, so each board's status (complete, partial, failed or
    skipped) is derived exactly as in a real run. Tests and benchmarks build archives with it.
    """
    from crawlers.platforms.base import board_stat
    from crawlers.runfiles import STATS_FORMAT, feed_path, stats_path, write_json_atomically
    from crawlers.runstats import boards_from_stats

    feed = feed_path(archive_dir, spider, run_id)
    feed.parent.mkdir(parents=True, exist_ok=True)
    temporary = feed.with_name(f".{feed.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False, sort_keys=True))
            handle.write("\n")
    temporary.replace(feed)
    stats: dict[str, Any] = {}
    for source, counters in boards.items():
        for name, value in counters.items():
            stats[board_stat(source, name)] = value
    payload = {
        "format": STATS_FORMAT,
        "run_id": run_id,
        "spider": spider,
        "platform": platform or spider,
        "started_at": started_at,
        "finished_at": finished_at or started_at,
        "finish_reason": finish_reason,
        "api_base": None,
        "boards": boards_from_stats(stats, finish_reason),
        "stats": stats,
    }
    path = stats_path(archive_dir, spider, run_id)
    write_json_atomically(path, payload)
    return ArchivedRun(run_id, spider, path, feed, {key: payload.get(key) for key in HEADER_FIELDS})
