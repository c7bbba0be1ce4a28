"""``peerjobs build`` and ``peerjobs rebuild``: the database, from the raw archive.

A build never edits the published database in place. It copies it to a work file, loads every
run not loaded yet, recomputes the lifecycle and the derived tables, checks integrity, and
swaps the work file into place with an atomic rename. A running Datasette keeps reading the old
file until it reopens, never a half-built one; a crash mid-build leaves the published database
untouched and the next build starts afresh (it deletes the dead build's work file). ``rebuild``
starts from an empty work file and replays the whole archive, so normalizer or taxonomy changes
need no new crawl.

The work file is written without a journal and without syncing: nothing reads it, and it is
thrown away whole if anything goes wrong, so its pages only need to be on disk once it is
finished. The published file is in rollback-journal mode and synced to disk before the swap,
so no ``-wal`` file can ever be paired with the wrong file and a power cut cannot publish a
file whose pages are not on disk yet.

Loading a big archive: worker processes read, parse and normalize the feeds of the next runs
while this process compares each run with the database and writes it (runs in archive order,
in batched transactions). A build that starts from an empty database defers secondary indexes
and full-text indexing until everything is loaded, then rewrites the file in key order
(``VACUUM INTO``) so that every later pass reads postings sequentially; the deferred indexes
are built after the derivers, which rewrite columns of every posting. An incremental load
indexes what it inserted or changed for full-text search once it is done, in one transaction
(:func:`db.schema.defer_fts`), rather than run by run through the triggers. The lifecycle
(db/lifecycle.py) and the derivers (db/derived.py) split their work among worker processes
on big databases. One build at a time: a second build started while one runs stops at once
with a :class:`BuildError` (an exclusive lock on ``data/.peerjobs.build.lock``).

Incremental builds cost what the new runs touched. A build that finds every archived run
loaded, and the published database finished by derivers with the same settings
(:func:`derivers_fingerprint`, kept in ``build_state``) under the current schema, changes
nothing: it returns without copying the database or building the normalizer (which a
:class:`db.normalized.LazyNormalizer` builds only when a run needs normalizing). Otherwise the
lifecycle is recomputed only for the postings the new runs can change
(:func:`db.lifecycle.mark_touched`), and the build tells the derivers what it changed
(db/changes.py: the postings it inserted or changed, the earliest day it touched) so that
they redo only that; a rebuild, or derivers with other settings, recompute everything.
"""

from __future__ import annotations

import fcntl
import json
import logging
import multiprocessing
import os
import shutil
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from crawlers import progress
from db.archive import ArchivedRun, ArchiveProblem, archived_runs
from db.changes import close_changes, note_postings, note_since, open_changes
from db.lifecycle import apply_staged, build_as_of, mark_touched, refresh_lifecycle
from db.load import Known, Normalizer, ParsedRun, RunLoad, classify_run, parse_run, write_run
from db.normalized import LazyNormalizer
from db.parallel import PARALLEL_MIN_POSTINGS, workers_for
from db.schema import (
    defer_fts,
    index_deferred,
    migrate,
    migrations,
    restore_indexes,
    resume_fts,
    suspend_fts,
    suspend_indexes,
)

logger = logging.getLogger(__name__)

Deriver = Callable[[Database], None]


class BuildError(RuntimeError):
    """The build could not produce a sound database; the published one was left as it was."""


@dataclass
class BuildReport:
    database: Path
    runs_loaded: int = 0
    runs_pending_before: int = 0
    items: int = 0
    new_postings: int = 0
    changed_postings: int = 0
    bad_lines: int = 0
    problems: list[str] = field(default_factory=list)
    lifecycle_changes: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each step: copy, load, fts, lifecycle, each deriver, check, publish
    (only ``check`` when nothing was new)."""
    touched_ids: list[int] = field(default_factory=list, repr=False)
    """Postings inserted or changed (by incremental loads)."""
    moved_ids: list[int] = field(default_factory=list, repr=False)
    """Postings whose places or peer flag changed (their first sighting dates what the build
    changed)."""
    lifecycle_postings: int | None = None
    """Postings whose lifecycle was recomputed (None: every posting)."""
    up_to_date: bool = False
    """Nothing was new: the published database was left as it was."""

    def summary(self) -> str:
        text = (f"{self.database}: loaded {self.runs_loaded} run(s), {self.items} item(s); "
                f"{self.new_postings} new and {self.changed_postings} changed posting(s)")
        if self.bad_lines:
            text += f"; {self.bad_lines} unreadable feed line(s)"
        if self.problems:
            text += f"; {len(self.problems)} problem(s)"
        return text + f" in {self.seconds:.1f}s"


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy of the published database.

    Nothing writes the published file in place (builds write their work file and rename it),
    so a plain file copy is consistent and much faster than page-by-page copying; readers
    holding it open do not matter. If someone left a ``-wal`` file next to it, SQLite's backup
    API takes a consistent snapshot instead.
    """
    if not Path(f"{source}-wal").exists():
        shutil.copyfile(source, target)
        return
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _remove(path: Path) -> None:
    """The work file and everything a build keeps beside it (journals, compacted copy,
    the derivers' scratch files)."""
    path.unlink(missing_ok=True)
    for leftover in path.parent.glob(f"{path.name}[-.]*"):
        leftover.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(work: Path, target: Path) -> None:
    db = sqlite3.connect(work)
    try:
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.close()
    _fsync(work)
    os.replace(work, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


PARALLEL_MIN_BYTES = 64 * 1024 * 1024
"""Pending feeds at least this big are normalized by worker processes (``workers=None``)."""
PIPELINE_DEPTH = 48
"""At most this many runs are read ahead while this process writes earlier ones..."""
PIPELINE_BYTES = 96 * 1024 * 1024
"""...and at most this many bytes of their feeds (one run is always read ahead). Runs differ
a lot in size and are written in archive order: a short queue leaves the workers idle while
this process writes a big run, and then this process idle while they parse the next one."""
LOAD_BATCH_BYTES = 256 * 1024 * 1024
"""Runs are loaded in transactions of up to this many bytes of feed: fewer commits make bulk
loading faster, and a failure anywhere discards the work file anyway."""
ANALYSIS_LIMIT = 2000
"""Rows ANALYZE samples per index: planner statistics for Datasette's queries, cheaply."""
CACHE_KIB = 256 * 1024
"""SQLite page cache of the work database (KiB): big enough for the indexes, small enough for
a build to stay well under 2 GiB."""

PAGE_SIZE = 8192
"""Page size of a database the build creates: postings rows (a few KB with the description)
pack with less waste than in 4 KiB pages, and every pass over them reads fewer pages."""


def open_work_database(path: Path) -> Database:
    """The work database, tuned for one writer that nobody reads.

    No rollback journal and no syncing: a build that fails or is killed is discarded whole
    (the next build deletes the work file), so crash safety comes from publishing, which syncs
    the finished file and renames it into place. Runs are still loaded in savepoints.
    """
    fresh = not path.exists() or path.stat().st_size == 0
    db = Database(path)
    if fresh:
        db.execute(f"PRAGMA page_size={PAGE_SIZE}")
    db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    migrate(db)
    return db


def _compact(db: Database, work: Path) -> Database:
    """Rewrite the work file in key order (VACUUM INTO) and reopen it.

    A bulk load inserts postings in hash order, scattered over the file; the passes that
    follow (indexes, full text, lifecycle, clusters, integrity check) read them in id order,
    which after this is the file's order.
    """
    compacted = work.with_name(f"{work.name}.compact")
    _remove(compacted)
    db.execute(f"VACUUM INTO '{compacted}'")
    db.close()
    os.replace(compacted, work)
    return open_work_database(work)


_worker_normalizer: Normalizer | None = None


def _init_worker(normalizer: Normalizer) -> None:
    global _worker_normalizer
    _worker_normalizer = normalizer


def _parse_in_worker(run: ArchivedRun) -> ParsedRun:
    assert _worker_normalizer is not None
    return parse_run(run, _worker_normalizer)


def _count(report: BuildReport, result: RunLoad) -> None:
    report.runs_loaded += 1
    progress.update("runs loaded", report.runs_loaded, report.runs_pending_before)
    report.items += result.items
    report.new_postings += result.new_postings
    report.changed_postings += result.changed_postings
    report.bad_lines += result.bad_lines
    report.problems.extend(result.problems or [])
    report.moved_ids.extend(result.moved_ids or [])
    report.touched_ids.extend(result.touched_ids or [])
    logger.info("loaded run %s: %s items", result.run_id, result.items)


def _load(db: Database, pending: list[ArchivedRun], normalizer: Normalizer,
          executor: Executor | None, report: BuildReport, fail_after_runs: int | None,
          known: Known | None) -> None:
    """Load every pending run, in archive order.

    With an executor, worker processes read, parse and normalize the next runs' feeds (which
    needs nothing from the database) while this process compares each parsed run with the
    database and writes it. ``known`` (bulk loads) replaces looking postings up.
    """
    ahead: deque[tuple[Future[ParsedRun], int]] = deque()
    upcoming = iter(pending)
    in_flight = 0

    def next_parsed(run: ArchivedRun) -> ParsedRun:
        nonlocal in_flight
        if executor is None:
            return parse_run(run)
        while len(ahead) < PIPELINE_DEPTH and (not ahead or in_flight < PIPELINE_BYTES):
            following = next(upcoming, None)
            if following is None:
                break
            size = _feed_bytes(following)
            ahead.append((executor.submit(_parse_in_worker, following), size))
            in_flight += size
        future, size = ahead.popleft()
        in_flight -= size
        parsed = future.result()
        assert parsed.run.run_id == run.run_id
        return parsed

    loaded = 0
    for batch in _batches(pending):
        with db.atomic():
            for run in batch:
                if fail_after_runs is not None and loaded >= fail_after_runs:
                    raise BuildError(f"build stopped on purpose after {fail_after_runs} run(s)")
                parsed = next_parsed(run)
                _count(report, write_run(db, classify_run(db, parsed, normalizer, known)))
                loaded += 1


def _feed_bytes(run: ArchivedRun) -> int:
    return run.feed_path.stat().st_size if run.feed_path.exists() else 0


def _batches(runs: list[ArchivedRun]) -> Iterator[list[ArchivedRun]]:
    batch: list[ArchivedRun] = []
    size = 0
    for run in runs:
        batch.append(run)
        size += _feed_bytes(run)
        if size >= LOAD_BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


@contextmanager
def _build_lock(data: Path) -> Iterator[None]:
    with (data / ".peerjobs.build.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildError("another build is running on this data folder") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def derivers_fingerprint(derivers: tuple[Deriver, ...]) -> str:
    """The derivers and their settings (a deriver's ``settings`` attribute), as text: a
    database finished by derivers of another fingerprint has its derived tables recomputed."""
    return json.dumps([[getattr(d, "__name__", str(d)), getattr(d, "settings", None)]
                       for d in derivers], sort_keys=True)


STATE_TABLE = "build_state"


def _published_state(target: Path) -> tuple[set[str], str | None, bool]:
    """Loaded runs, derivers' fingerprint and whether migrations are pending, read-only."""
    if not target.exists():
        return set(), None, True
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
    try:
        loaded = {row[0] for row in conn.execute("select run_id from run_files")}
        pending = bool(migrations.pending(Database(conn)))
        row = None if pending else conn.execute(
            f"select value from [{STATE_TABLE}] where key = 'derivers'").fetchone()
        return loaded, row[0] if row else None, pending
    except sqlite3.Error:
        return set(), None, True
    finally:
        conn.close()


STATS_SUFFIX = ".stats.json"


def _stats_names(archive: Path) -> set[str]:
    """The run ids the archive's stats file names give (crawlers/runfiles.py names them)."""
    return {path.name.removesuffix(STATS_SUFFIX) for path in archive.glob(f"*/*{STATS_SUFFIX}")}


def build(
    data: Path,
    archive: Path,
    normalizer: Normalizer,
    derivers: tuple[Deriver, ...] = (),
    *,
    rebuild: bool = False,
    workers: int | None = 0,
    fail_after_runs: int | None = None,
    fail_after_derivers: int | None = None,
) -> BuildReport:
    """Load pending runs into a copy of ``data/peerjobs.db`` and publish it atomically.

    ``workers`` worker processes normalize postings while this process reads and writes, and
    then recompute the lifecycle (0: all in this process; None: one per CPU when the pending
    feeds hold at least :data:`PARALLEL_MIN_BYTES`, and for the lifecycle when the database
    holds at least :data:`db.parallel.PARALLEL_MIN_POSTINGS` postings). The normalizing
    workers are forked before the database is opened, so the normalizer needs no pickling.
    The result is the same either way.

    ``fail_after_runs`` and ``fail_after_derivers`` stop the build with an error after that many
    runs or derivers, to prove that a build dying midway leaves the published database intact
    (tests use them).
    """
    data.mkdir(parents=True, exist_ok=True)
    with _build_lock(data):
        target = data / "peerjobs.db"
        from crawlers.interrupted import record_interrupted_runs

        checked = time.monotonic()
        for feed in record_interrupted_runs(archive):
            logger.warning("%s: recorded as interrupted (the crawler was killed)", feed.stem)
        loaded, fingerprint, migrations_pending = _published_state(target)
        if not rebuild and not migrations_pending \
                and fingerprint == derivers_fingerprint(derivers) \
                and _stats_names(archive) <= loaded:
            # Every run's stats file (named after its run) is loaded: nothing to read.
            _remove(data / ".peerjobs.db.building")
            report = BuildReport(database=target, up_to_date=True)
            report.seconds = round(time.monotonic() - checked, 3)
            report.phases["check"] = round(report.seconds, 2)
            return report
        archived = archived_runs(archive)
        pending = [run for run in archived[0] if run.run_id not in loaded or rebuild]
        if isinstance(normalizer, LazyNormalizer) and pending:
            normalizer = normalizer.resolve()
        load_workers = workers
        if load_workers is None:
            size = sum(_feed_bytes(run) for run in pending)
            load_workers = (os.cpu_count() or 1) if size >= PARALLEL_MIN_BYTES else 0
        executor = None
        if load_workers:
            # Forked now, before any database is open: nothing of SQLite crosses the fork.
            executor = ProcessPoolExecutor(
                load_workers, mp_context=multiprocessing.get_context("fork"),
                initializer=_init_worker, initargs=(normalizer,))
        try:
            return _build(data, archived, normalizer, derivers, executor, rebuild=rebuild,
                          derive_workers=workers, fail_after_runs=fail_after_runs,
                          fail_after_derivers=fail_after_derivers)
        finally:
            if executor is not None:
                executor.shutdown(cancel_futures=True)


def _lifecycle_workers(postings: int, requested: int | None) -> int:
    """Worker processes for recomputing ``postings`` lifecycles: as many as asked, or (None)
    one per CPU when they are as many as a big database's."""
    if requested is not None:
        return requested
    return (os.cpu_count() or 1) if postings >= PARALLEL_MIN_POSTINGS else 0


def _note_loaded(db: Database, runs: list[ArchivedRun], changed: list[int],
                 old_as_of: str | None) -> None:
    """The earliest day the loaded runs can change (db/changes.py): the previous as-of day,
    the start of each new run, the first sighting of each posting that changed places."""
    note_since(db, old_as_of, "the previous as-of day")
    note_since(db, min((run.started_at for run in runs if run.started_at), default=None),
               "a new run")
    for start in range(0, len(changed), 500):
        chunk = changed[start:start + 500]
        row = db.conn.execute(f"select min(first_seen) from postings where id in "
                              f"({', '.join('?' * len(chunk))})", chunk).fetchone()
        note_since(db, row[0] if row else None, "a posting moved")


def _build(
    data: Path,
    archived: tuple[list[ArchivedRun], list[ArchiveProblem]],
    normalizer: Normalizer,
    derivers: tuple[Deriver, ...],
    executor: Executor | None,
    *,
    rebuild: bool,
    derive_workers: int | None,
    fail_after_runs: int | None,
    fail_after_derivers: int | None,
) -> BuildReport:
    started = time.monotonic()
    target = data / "peerjobs.db"
    work = data / ".peerjobs.db.building"
    _remove(work)
    report = BuildReport(database=target)
    clock = time.monotonic()

    def phase(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        report.phases[name] = round(now - clock, 2)
        progress.note(f"build: {name} {report.phases[name]}s")
        clock = now

    if target.exists() and not rebuild:
        _copy_database(target, work)
    db = open_work_database(work)
    phase("copy")
    try:
        loaded = {row["run_id"] for row in db.query("select run_id from run_files")}
        old_as_of = build_as_of(db)
        finished_by = db.conn.execute(
            f"select value from [{STATE_TABLE}] where key = 'derivers'").fetchone()
        runs, problems = archived
        report.problems.extend(f"{p.path}: {p.message}" for p in problems)
        pending = [run for run in runs if run.run_id not in loaded]
        report.runs_pending_before = len(pending)
        bulk = bool(pending) and db.conn.execute("select 1 from postings limit 1").fetchone() \
            is None
        deferred: list[str] = []
        if bulk:
            suspend_fts(db)
            deferred = suspend_indexes(db)
        elif pending:
            defer_fts(db)
        _load(db, pending, normalizer, executor, report, fail_after_runs,
              {} if bulk else None)
        if executor is not None:
            executor.shutdown()
        if pending and not bulk:
            index_deferred(db)
        phase("load")
        if bulk:
            db = _compact(db, work)
            phase("compact")
        if not bulk:
            # Only the postings the new runs can change (none when there is no new run).
            report.lifecycle_postings = mark_touched(
                db, [run.run_id for run in pending], old_as_of)
        report.lifecycle_changes = refresh_lifecycle(
            db, workers=workers_for(db, derive_workers) if bulk else _lifecycle_workers(
                report.lifecycle_postings or 0, derive_workers),
            apply=False, only_touched=not bulk)
        logger.info("lifecycle: %s posting(s) changed of %s recomputed",
                    report.lifecycle_changes, report.lifecycle_postings or "all")
        open_changes(db, full=bulk or old_as_of is None or finished_by is None
                     or finished_by[0] != derivers_fingerprint(derivers))
        _note_loaded(db, pending, report.moved_ids, old_as_of)
        note_postings(db, report.touched_ids)
        phase("lifecycle")
        for done, derive in enumerate(derivers):
            if fail_after_derivers is not None and done >= fail_after_derivers:
                raise BuildError(f"build stopped on purpose after {done} deriver(s)")
            derive(db)
            name = getattr(derive, "__name__", str(derive))
            phase(name)
            logger.info("derived: %s in %ss", name, report.phases[name])
        apply_staged(db)
        close_changes(db)
        with db.atomic():
            db.conn.execute(f"insert or replace into [{STATE_TABLE}] (key, value) "
                            f"values ('derivers', ?)", (derivers_fingerprint(derivers),))
        if bulk:
            # After the lifecycle and clusters have rewritten their columns of every posting:
            # building each index once costs less than keeping it current through those passes.
            restore_indexes(db, deferred)
            phase("indexes")
            resume_fts(db)
            phase("fts")
        db.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        db.execute("ANALYZE")
        phase("analyze")
        # A full build runs the whole check. An incremental one copied a database that passed
        # it and runs quick_check: every page, record and constraint, without the cross-check
        # of each index against its table, which costs as much again (33 s against 89 s at a
        # million postings). `sqlite3 peerjobs.db "PRAGMA integrity_check"` runs the rest.
        pragma = "integrity_check" if bulk else "quick_check"
        verdict = [row[0] for row in db.conn.execute(f"PRAGMA {pragma}")]
        if verdict != ["ok"]:
            raise BuildError(f"{pragma} failed: {verdict[:5]}")
        phase(pragma)
    except BaseException:
        db.close()
        _remove(work)
        raise
    db.close()
    _publish(work, target)
    phase("publish")
    report.seconds = time.monotonic() - started
    return report
