"""Loading one archived run into the database, in one transaction.

A posting is identified by ``(source, source_id)``; its integer id is a hash of that pair, so a
rebuild from the archive gives every posting the same id whatever order runs arrive in. Each run
that sees a posting adds a sighting; raw fields follow the newest full copy of the posting, and
normalized columns are derived again whenever the raw ones change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from db.archive import ArchivedRun, read_items

Normalizer = Callable[[dict[str, Any]], dict[str, Any]]

ITEM_TO_COLUMN = {
    "source": "source", "source_id": "source_id", "platform": "platform", "board": "board",
    "url": "url", "title": "title", "employer": "employer", "location": "location",
    "locations": "locations", "pay_text": "pay_text", "pay_min": "raw_pay_min",
    "pay_max": "raw_pay_max", "pay_period": "raw_pay_period", "pay_currency": "raw_pay_currency",
    "description": "description", "posted_at": "posted_at", "closes_at": "closes_at",
    "employment_type": "employment_type", "remote": "raw_remote",
    "source_updated_at": "source_updated_at", "extra": "extra",
}
_NOT_CONTENT = {"fetched_at", "detail_skipped"}


def posting_id(source: str, source_id: str) -> int:
    """A stable 63-bit id for ``(source, source_id)``."""
    digest = hashlib.sha1(f"{source}\x1f{source_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def content_hash(item: dict[str, Any]) -> str:
    content = {k: v for k, v in item.items() if k not in _NOT_CONTENT}
    return hashlib.sha1(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _column_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float | int) or value is None:
        return value
    return str(value)


def raw_columns(item: dict[str, Any]) -> dict[str, Any]:
    row = {column: _column_value(item.get(field)) for field, column in ITEM_TO_COLUMN.items()}
    for column in ("raw_pay_min", "raw_pay_max"):
        if row[column] is not None and not isinstance(row[column], int | float):
            try:
                row[column] = float(row[column])
            except ValueError:
                row[column] = None
    return row


@dataclass
class RunLoad:
    run_id: str
    items: int = 0
    bad_lines: int = 0
    new_postings: int = 0
    changed_postings: int = 0
    problems: list[str] | None = None


def _chunks(values: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def run_rows(run: ArchivedRun, items_per_source: dict[str, int]) -> list[dict[str, Any]]:
    rows = []
    for source, board in sorted(run.boards.items()):
        problems = board.get("problems") or {}
        rows.append({
            "run_id": run.run_id,
            "source": source,
            "spider": run.spider,
            "platform": run.stats.get("platform") or run.spider,
            "board": board.get("board"),
            "board_state": board.get("state"),
            "employer": board.get("employer"),
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "finish_reason": run.stats.get("finish_reason"),
            "status": board.get("status") or "failed",
            "items": int(board.get("items") or 0),
            "items_loaded": items_per_source.get(source, 0),
            "requests": int(board.get("requests") or 0),
            "listing_pages": int(board.get("listing_pages") or 0),
            "problem_count": sum(int(v) for v in problems.values()),
            "problems": json.dumps(problems, sort_keys=True) if problems else None,
            "http_status": json.dumps(board.get("http_status") or {}, sort_keys=True) or None,
        })
    return rows


def load_run(db: Database, run: ArchivedRun, normalizer: Normalizer) -> RunLoad:
    """Add one run's sightings and postings; all of it or none of it lands."""
    report = RunLoad(run.run_id, problems=[])
    latest: dict[int, dict[str, Any]] = {}
    for number, item, error in read_items(run):
        if item is None:
            report.bad_lines += 1
            report.problems.append(f"{run.feed_path.name}:{number}: {error}")  # type: ignore[union-attr]
            continue
        report.items += 1
        item["fetched_at"] = item.get("fetched_at") or run.started_at
        latest[posting_id(str(item["source"]), str(item["source_id"]))] = item

    board_states = {src: b.get("state") for src, b in run.boards.items()}
    existing: dict[int, dict[str, Any]] = {}
    ids = sorted(latest)
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for row in db.query(
            f"select id, content_hash, fetched_at, first_seen, last_seen, times_seen "
            f"from postings where id in ({marks})", chunk,
        ):
            existing[row["id"]] = row

    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    sightings: list[dict[str, Any]] = []
    per_source: dict[str, int] = {}
    for pid in ids:
        item = latest[pid]
        seen_at = str(item["fetched_at"])
        source = str(item["source"])
        per_source[source] = per_source.get(source, 0) + 1
        skipped = bool(item.get("detail_skipped"))
        sightings.append({"posting_id": pid, "run_id": run.run_id, "source": source,
                          "seen_at": seen_at, "detail_skipped": int(skipped)})
        digest = content_hash(item)
        old = existing.get(pid)
        if old is None:
            row = {"id": pid, **raw_columns(item), "board_state": board_states.get(source),
                   "content_hash": digest, "fetched_at": seen_at, "first_seen": seen_at,
                   "last_seen": seen_at, "times_seen": 1, "last_run_id": run.run_id}
            row.update(normalizer(row))
            inserts.append(row)
            report.new_postings += 1
            continue
        update = {
            "id": pid,
            "first_seen": min(old["first_seen"], seen_at),
            "last_seen": max(old["last_seen"], seen_at),
            "times_seen": old["times_seen"] + 1,
        }
        if seen_at >= old["last_seen"]:
            update["last_run_id"] = run.run_id
        newer = seen_at >= (old["fetched_at"] or "")
        if not skipped and newer and digest != old["content_hash"]:
            raw = {**raw_columns(item), "board_state": board_states.get(source),
                   "content_hash": digest, "fetched_at": seen_at}
            update.update(raw)
            update.update(normalizer(raw))
            report.changed_postings += 1
        updates.append(update)

    with db.atomic():
        db["run_files"].insert({
            "run_id": run.run_id, "spider": run.spider,
            "platform": run.stats.get("platform") or run.spider,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "finish_reason": run.stats.get("finish_reason"),
            "feed_file": f"{run.spider}/{run.feed_path.name}",
            "lines": report.items + report.bad_lines, "items_loaded": report.items,
            "bad_lines": report.bad_lines,
        })
        db["runs"].insert_all(run_rows(run, per_source))
        if inserts:
            db["postings"].insert_all(inserts, batch_size=500)
        for update in updates:
            pid = update.pop("id")
            db["postings"].update(pid, update)
        if sightings:
            db["sightings"].insert_all(sightings, ignore=True, batch_size=1000)
    return report
