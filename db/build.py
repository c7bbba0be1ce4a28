"""``peerjobs build`` and ``peerjobs rebuild``: the database, from the raw archive.

A build never edits the published database in place. It copies it to a work file, loads every
run not loaded yet (one transaction per run), refreshes the derived tables, checks integrity,
and swaps the work file into place with an atomic rename. A running Datasette keeps reading the
old file until it reopens, never a half-built one; a crash mid-build leaves the published
database untouched and the next build starts afresh. ``rebuild`` starts from an empty work file
and replays the whole archive, so normalizer or taxonomy changes need no new crawl.

The work file is written in WAL mode (fast bulk loading); the published file is switched to
rollback-journal mode before the swap, so no ``-wal`` file can ever be paired with the wrong file.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from db.archive import archived_runs
from db.load import Normalizer, load_run
from db.schema import migrate

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
    seconds: float = 0.0

    def summary(self) -> str:
        text = (f"{self.database}: loaded {self.runs_loaded} run(s), {self.items} item(s); "
                f"{self.new_postings} new and {self.changed_postings} changed posting(s)")
        if self.bad_lines:
            text += f"; {self.bad_lines} unreadable feed line(s)"
        if self.problems:
            text += f"; {len(self.problems)} problem(s)"
        return text + f" in {self.seconds:.1f}s"


def _copy_database(source: Path, target: Path) -> None:
    """A consistent copy even while readers hold the source open (SQLite's backup API)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _remove(path: Path) -> None:
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        candidate.unlink(missing_ok=True)


def _publish(work: Path, target: Path) -> None:
    db = sqlite3.connect(work)
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
    finally:
        db.close()
    os.replace(work, target)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def open_work_database(path: Path) -> Database:
    db = Database(path)
    db.enable_wal()
    db.execute("PRAGMA synchronous=NORMAL")
    migrate(db)
    return db


def build(
    data: Path,
    archive: Path,
    normalizer: Normalizer,
    derivers: tuple[Deriver, ...] = (),
    *,
    rebuild: bool = False,
    fail_after_runs: int | None = None,
) -> BuildReport:
    """Load pending runs into a copy of ``data/peerjobs.db`` and publish it atomically.

    ``fail_after_runs`` stops the build with an error after that many runs, to prove that a
    build dying midway leaves the published database intact (tests use it).
    """
    started = time.monotonic()
    target = data / "peerjobs.db"
    work = data / ".peerjobs.db.building"
    data.mkdir(parents=True, exist_ok=True)
    _remove(work)
    report = BuildReport(database=target)
    if target.exists() and not rebuild:
        _copy_database(target, work)
    db = open_work_database(work)
    try:
        loaded = {row["run_id"] for row in db.query("select run_id from run_files")}
        runs, problems = archived_runs(archive)
        report.problems.extend(f"{p.path}: {p.message}" for p in problems)
        pending = [run for run in runs if run.run_id not in loaded]
        report.runs_pending_before = len(pending)
        for run in pending:
            if fail_after_runs is not None and report.runs_loaded >= fail_after_runs:
                raise BuildError(f"build stopped on purpose after {fail_after_runs} run(s)")
            result = load_run(db, run, normalizer)
            report.runs_loaded += 1
            report.items += result.items
            report.new_postings += result.new_postings
            report.changed_postings += result.changed_postings
            report.bad_lines += result.bad_lines
            report.problems.extend(result.problems or [])
            logger.info("loaded run %s: %s items", run.run_id, result.items)
        for derive in derivers:
            derive(db)
        check = db.query("PRAGMA integrity_check")
        verdict = [row["integrity_check"] for row in check]
        if verdict != ["ok"]:
            raise BuildError(f"integrity check failed: {verdict[:5]}")
    except BaseException:
        db.close()
        _remove(work)
        raise
    db.close()
    _publish(work, target)
    report.seconds = time.monotonic() - started
    return report
