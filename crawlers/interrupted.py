"""Runs whose crawler was killed outright: a feed with no stats file beside it.

The stats file is the run's receipt, written when the crawl ends. A ``kill -9`` of the crawl
(or of the machine) leaves the feed without one, and a feed without a receipt was never loaded,
never recorded and never reported. Each running crawler holds a lock on ``<run_id>.lock``
beside its feed; the next crawl or build writes an ``interrupted`` receipt for every feed whose
lock is free. An interrupted run's items are sightings, but the run closes nothing (only complete
runs do) and the health report shows it.
"""

from __future__ import annotations

import fcntl
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawlers.runfiles import STATS_FORMAT, stats_path, write_json_atomically

INTERRUPTED = "interrupted"


def lock_path(feed: Path) -> Path:
    return feed.with_suffix(".lock")


@contextmanager
def holding_run_locks(feeds: list[Path]) -> Iterator[None]:
    """Hold a lock for each run for as long as the crawler lives; the kernel drops it when the
    process dies, however it dies."""
    handles = []
    try:
        for feed in feeds:
            feed.parent.mkdir(parents=True, exist_ok=True)
            handle = lock_path(feed).open("w")
            fcntl.flock(handle, fcntl.LOCK_EX)
            handles.append(handle)
        yield
    finally:
        for handle in handles:
            handle.close()
            Path(handle.name).unlink(missing_ok=True)


def _still_running(feed: Path) -> bool:
    path = lock_path(feed)
    if not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _feed_summary(feed: Path) -> tuple[Counter[str], str | None, str | None]:
    """Items per source and the first and last ``fetched_at`` of a feed cut short anywhere."""
    sources: Counter[str] = Counter()
    first = last = None
    with feed.open("rb") as handle:
        for raw in handle:
            try:
                item = json.loads(raw)
            except (ValueError, RecursionError):
                continue  # the line the kill cut in half; the build counts it as unreadable
            if not isinstance(item, dict) or not item.get("source"):
                continue
            sources[str(item["source"])] += 1
            fetched = item.get("fetched_at")
            if isinstance(fetched, str):
                first = first or fetched
                last = fetched
    return sources, first, last


def interrupted_stats(feed: Path) -> dict[str, Any]:
    spider, run_id = feed.parent.name, feed.stem
    sources, first, last = _feed_summary(feed)
    modified = _iso(feed.stat().st_mtime)
    boards = {source: {"status": INTERRUPTED, "items": count, "requests": 0, "listing_pages": 0,
                       "incomplete": 1, "problems": {INTERRUPTED: 1}, "http_status": {}}
              for source, count in sorted(sources.items())}
    return {
        "format": STATS_FORMAT, "run_id": run_id, "spider": spider, "platform": spider,
        "started_at": first or modified, "finished_at": last or modified,
        "finish_reason": f"{INTERRUPTED} (the crawler was killed before it wrote this receipt; "
                         "recorded afterwards)",
        "boards": boards, "stats": {},
    }


def record_interrupted_runs(archive: Path) -> list[Path]:
    """Write an ``interrupted`` stats file for every feed left without one; those feeds."""
    written: list[Path] = []
    if not archive.exists():
        return written
    for feed in sorted(archive.glob("*/*.jsonl")):
        stats = stats_path(archive, feed.parent.name, feed.stem)
        if stats.exists() or _still_running(feed):
            continue
        write_json_atomically(stats, interrupted_stats(feed))
        lock_path(feed).unlink(missing_ok=True)
        written.append(feed)
    return written
