"""Loading one archived run into the database, in one transaction.

A posting is identified by ``(source, source_id)``; its integer id is a hash of that pair, so a
rebuild from the archive gives every posting the same id whatever order runs arrive in. Each run
that sees a posting adds a sighting; raw fields follow the newest full copy of the posting, and
normalized columns are derived again whenever the raw ones change.

A run is handled in three steps: :func:`parse_run` reads and parses the feed (and, in a
worker process, normalizes every posting that came with its details); :func:`classify_run`
compares it with the database (new, changed or merely seen again); :func:`write_run` writes
it, batched (``executemany`` with one statement shape per batch). A run touches each posting
row at most once, and only when the posting is new or its content changed. The
per-posting sighting totals (``first_seen``, ``last_seen``, ``times_seen``, ``last_run_id``) are
set when a posting is first inserted and refreshed from the sightings table for every posting
by :func:`db.lifecycle.refresh_lifecycle`, which the build runs once after loading: rewriting a
posting row for each of its sightings would cost a page write per sighting.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlite_utils import Database

from db.archive import ArchivedRun, read_items
from db.schema import NORMALIZED_POSTING_COLUMNS, RAW_POSTING_COLUMNS

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


@lru_cache(maxsize=1 << 18)
def posting_id(source: str, source_id: str) -> int:
    """A stable 63-bit id for ``(source, source_id)`` (cached: a posting is listed again by
    every run of its source while it stays open)."""
    digest = hashlib.sha1(f"{source}\x1f{source_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def content_hash(item: dict[str, Any]) -> str:
    content = {k: v for k, v in item.items() if k not in _NOT_CONTENT}
    return hashlib.sha1(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def _column_value(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float:
        return value
    if kind is bool:
        return int(value)
    if kind is list or kind is dict:
        return json.dumps(value, sort_keys=True, ensure_ascii=False) if value else None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float | int):
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
    touched_ids: list[int] | None = None
    """Ids of the postings inserted or changed (db/changes.py)."""
    moved_ids: list[int] | None = None
    """Changed postings whose places or peer flag changed (db/changes.py dates what that
    changes: the coverage tables count postings by place, for every period they were seen)."""


def _chunks(values: list[int], size: int = 500) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def run_rows(run: ArchivedRun, items_per_source: dict[str, int],
             boards: dict[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    rows = []
    for source, board in sorted((run.boards if boards is None else boards).items()):
        problems = board.get("problems") or {}
        rows.append({
            "run_id": run.run_id,
            "source": source,
            "spider": run.spider,
            "platform": run.platform,
            "board": board.get("board"),
            "board_state": board.get("state"),
            "employer": board.get("employer"),
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "finish_reason": run.finish_reason,
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


POSTING_COLUMNS: tuple[str, ...] = (*RAW_POSTING_COLUMNS, *NORMALIZED_POSTING_COLUMNS)
"""The columns a run writes: raw ones from the item, normalized ones from the normalizer."""
_SIGHTING_SQL = ("insert or ignore into sightings (posting_id, run_id, source, seen_at, "
                 "detail_skipped) values (?, ?, ?, ?, ?)")


def _checked(columns: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(columns) - set(NORMALIZED_POSTING_COLUMNS))
    if unknown:
        raise ValueError(f"the normalizer returned columns postings does not have: {unknown}")
    return columns


def _insert(db: Database, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = list(rows[0])
    db.conn.executemany(
        f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
        f"values ({', '.join('?' * len(columns))})", ([row[c] for c in columns] for row in rows))


_INSERT_ONLY = ("first_seen", "last_seen", "times_seen", "last_run_id")
"""Columns a run sets only when it inserts a posting (the lifecycle refreshes them)."""
UPDATED_RAW_COLUMNS: tuple[str, ...] = (
    *ITEM_TO_COLUMN.values(), "board_state", "content_hash", "fetched_at")
"""Raw columns a newer copy of a posting rewrites."""
assert set(POSTING_COLUMNS) == {"id", *UPDATED_RAW_COLUMNS, *_INSERT_ONLY,
                                *NORMALIZED_POSTING_COLUMNS}
_AT = {column: index for index, column in enumerate(POSTING_COLUMNS)}
_HASH_AT = _AT["content_hash"]
_INSERT_SQL = (f"insert into postings ({', '.join(POSTING_COLUMNS)}) "
               f"values ({', '.join('?' * len(POSTING_COLUMNS))})")

Values = tuple[Any, ...]
"""A complete postings row in the order of :data:`POSTING_COLUMNS`.

Rows travel from the worker processes as tuples, not dicts: a tuple pickles, unpickles and
binds with a fraction of the work, and the build's one writing process does all the
unpickling and binding."""
Shape = tuple[str, ...]
"""The normalized columns the normalizer returned for a row (the others are left as they are
when a posting changes)."""


def posting_values(pid: int, row: dict[str, Any], normalized: dict[str, Any], seen_at: str,
                   run_id: str) -> tuple[Values, Shape]:
    """The insert row of a posting first seen in ``run_id``, and the normalizer's columns."""
    full = {"id": pid, **row, **normalized, "first_seen": seen_at, "last_seen": seen_at,
            "times_seen": 1, "last_run_id": run_id}
    return tuple(full.get(column) for column in POSTING_COLUMNS), _shape(normalized)


_SHAPES: dict[frozenset[str], Shape] = {}


def _shape(normalized: dict[str, Any]) -> Shape:
    """One shared tuple per set of columns: pickle sends a repeated object once per message."""
    key = frozenset(normalized)
    shape = _SHAPES.get(key)
    if shape is None:
        shape = _SHAPES[key] = tuple(c for c in NORMALIZED_POSTING_COLUMNS if c in key)
    return shape


def _insert_postings(db: Database, rows: list[Values]) -> None:
    db.conn.executemany(_INSERT_SQL, rows)


def _update_postings(db: Database, updates: list[tuple[Values, Shape]]) -> None:
    """One executemany per shape (a normalizer may return only some columns)."""
    shapes: dict[Shape, list[Values]] = {}
    for values, shape in updates:
        shapes.setdefault(shape, []).append(values)
    for shape, rows in shapes.items():
        columns = (*UPDATED_RAW_COLUMNS, *shape)
        positions = [_AT[c] for c in columns]
        assignments = ", ".join(f"[{c}] = ?" for c in columns)
        db.conn.executemany(f"update postings set {assignments} where id = ?",
                            ([*(row[i] for i in positions), row[0]] for row in rows))


Entry = tuple[int, str, str, bool, dict[str, Any] | None, Values | None, Shape | None]
"""One posting of a run: (id, source, seen_at, detail skipped, item, values, shape).

A *parsed eagerly* entry carries its complete row (:data:`Values`, as inserted when the posting
is new) and the normalizer's columns (:data:`Shape`) and no item; otherwise the item, to be
turned into a row only if the posting turns out new or changed."""


@dataclass
class ParsedRun:
    """One run's feed, read and parsed; nothing compared with the database yet."""

    run: ArchivedRun
    report: RunLoad
    boards: dict[str, dict[str, Any]]
    """The run's boards, as its stats file gives them."""
    entries: list[Entry]
    """One per posting (the last line wins when a feed repeats one), sorted by id."""


def parse_run(run: ArchivedRun, normalizer: Normalizer | None = None) -> ParsedRun:
    """Read and parse one run's feed. With a normalizer, every posting that came with its
    details is turned into its row and normalized now (worker processes do this for runs
    ahead of the one being written; the few that turn out unchanged cost a wasted call)."""
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
    boards = run.boards
    states = {source: board.get("state") for source, board in boards.items()}
    entries: list[Entry] = []
    for pid in sorted(latest):
        item = latest[pid]
        seen_at = str(item["fetched_at"])
        source = str(item["source"])
        skipped = bool(item.get("detail_skipped"))
        if normalizer is None or skipped:
            entries.append((pid, source, seen_at, skipped, item, None, None))
            continue
        row = _row(item, states.get(source), seen_at)
        values, shape = posting_values(pid, row, _checked(normalizer(row)), seen_at, run.run_id)
        entries.append((pid, source, seen_at, skipped, None, values, shape))
    return ParsedRun(run, report, boards, entries)


def _row(item: dict[str, Any], board_state: Any, seen_at: str) -> dict[str, Any]:
    return {**raw_columns(item), "board_state": board_state, "content_hash": content_hash(item),
            "fetched_at": seen_at}


@dataclass
class PreparedRun:
    """One run compared with what is stored: what it adds, ready to write."""

    run: ArchivedRun
    report: RunLoad
    inserts: list[Values]
    """Complete rows of new postings."""
    updates: list[tuple[Values, Shape]]
    """Rows of postings whose content changed (their raw and normalized columns are written)."""
    sightings: list[tuple[int, str, str, str, int]]
    per_source: dict[str, int]
    boards: dict[str, dict[str, Any]]
    earlier: list[tuple[str, int]] | None = None
    """(fetched_at, id) of postings this run saw, with their stored content, before their
    stored copy was fetched (runs loaded out of order)."""


Known = dict[int, tuple[str | None, str | None]]
"""``posting id → (content_hash, fetched_at)`` of every stored posting."""


def classify_run(db: Database, parsed: ParsedRun, normalizer: Normalizer,
                 known: Known | None = None) -> PreparedRun:
    """Compare a parsed run with the database: new postings, changed ones, sightings.

    A posting is new when the database does not have it; changed when this copy came with its
    details, is not older than the stored copy and its content hash differs. An older copy of
    the same content (a run loaded out of order) moves ``fetched_at`` back to its fetch, as
    loading in archive order would have left it. ``known``, when
    given, stands for the postings table (a bulk load into an empty database keeps it in
    memory instead of looking every posting up) and is kept current.
    """
    run, report = parsed.run, parsed.report
    existing: Known = {}
    ids = [entry[0] for entry in parsed.entries]
    if known is not None:
        existing = known
    for chunk in _chunks(ids) if known is None else ():
        marks = ",".join("?" * len(chunk))
        for pid, digest, fetched in db.conn.execute(
            f"select id, content_hash, fetched_at from postings where id in ({marks})", chunk,
        ):
            existing[pid] = (digest, fetched)
    states = {source: board.get("state") for source, board in parsed.boards.items()}
    prepared = PreparedRun(run, report, [], [], [], {}, parsed.boards)
    for pid, source, seen_at, skipped, item, values, shape in parsed.entries:
        prepared.per_source[source] = prepared.per_source.get(source, 0) + 1
        prepared.sightings.append((pid, run.run_id, source, seen_at, int(skipped)))
        old = existing.get(pid)
        if old is not None and (skipped or seen_at < (old[1] or "")):
            if not skipped and old[1] and _same_content(item, values, states.get(source),
                                                        seen_at, old[0]):
                # A run loaded late: the content was first fetched earlier, as a load in
                # archive order would have recorded.
                if prepared.earlier is None:
                    prepared.earlier = []
                prepared.earlier.append((seen_at, pid))
                if known is not None:
                    known[pid] = (old[0], sys.intern(seen_at))
            continue
        if values is None:
            assert item is not None
            row = _row(item, states.get(source), seen_at)
            if old is not None and row["content_hash"] == old[0]:
                continue
            values, shape = posting_values(pid, row, _checked(normalizer(row)), seen_at,
                                           run.run_id)
        digest = values[_HASH_AT]
        if old is not None and digest == old[0]:
            continue
        if old is None:
            prepared.inserts.append(values)
            report.new_postings += 1
        else:
            assert shape is not None
            prepared.updates.append((values, shape))
            report.changed_postings += 1
        if known is not None:
            known[pid] = (digest, sys.intern(seen_at))
    if known is None:
        report.touched_ids = [values[0] for values in prepared.inserts] + \
            [values[0] for values, _ in prepared.updates]
    if known is None and prepared.updates:
        report.moved_ids = _moved(db, prepared.updates)
    return prepared


PLACE_COLUMNS = ("is_peer", "state", "county_fips", "cbsa_code", "region", "division")
"""The columns the coverage tables count a posting by (db/coverage.py)."""


def _moved(db: Database, updates: list[tuple[Values, Shape]]) -> list[int]:
    """The updated postings whose stored places or peer flag differ from the new ones."""
    stored: dict[int, tuple[Any, ...]] = {}
    ids = [values[0] for values, _ in updates]
    for chunk in _chunks(ids):
        for pid, *old in db.conn.execute(
                f"select id, {', '.join(PLACE_COLUMNS)} from postings where id in "
                f"({', '.join('?' * len(chunk))})", chunk):
            stored[pid] = tuple(old)
    moved = []
    for values, shape in updates:
        old = stored.get(values[0])
        if old is None or any(column in shape and values[_AT[column]] != old[index]
                              for index, column in enumerate(PLACE_COLUMNS)):
            moved.append(values[0])
    return moved


def _same_content(item: dict[str, Any] | None, values: Values | None, board_state: Any,
                  seen_at: str, digest: str | None) -> bool:
    if values is not None:
        return bool(values[_HASH_AT] == digest)
    assert item is not None
    return bool(_row(item, board_state, seen_at)["content_hash"] == digest)


def write_run(db: Database, prepared: PreparedRun) -> RunLoad:
    """Write a prepared run in one transaction (a savepoint inside an open one)."""
    run, report = prepared.run, prepared.report
    with db.atomic():
        _insert(db, "run_files", [{
            "run_id": run.run_id, "spider": run.spider,
            "platform": run.platform,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "finish_reason": run.finish_reason,
            "feed_file": f"{run.spider}/{run.feed_path.name}",
            "lines": report.items + report.bad_lines, "items_loaded": report.items,
            "bad_lines": report.bad_lines,
        }])
        _insert(db, "runs", run_rows(run, prepared.per_source, prepared.boards))
        if prepared.inserts:
            _insert_postings(db, prepared.inserts)
        if prepared.updates:
            _update_postings(db, prepared.updates)
        if prepared.earlier:
            db.conn.executemany("update postings set fetched_at = ? where id = ?",
                                prepared.earlier)
        if prepared.sightings:
            db.conn.executemany(_SIGHTING_SQL, prepared.sightings)
    return report
