"""Read-only computations over the work database, in worker processes.

The derivers spend most of their time in Python (lifecycle rules, matching, trend sweeps) over
data that splits cleanly: postings by id range, dedup blocks by state, trend cells by
geography level. :func:`map_parts` runs ``function(database, scratch, task)`` for every task,
in spawned worker processes when asked (fresh interpreters: nothing of the build's own SQLite
connection crosses into them) or one after another in this process. Each call reads the work
database through its own read-only connection and writes its results into its own scratch
SQLite file; the caller merges the scratch files with SQL (``ATTACH`` + ``INSERT ... SELECT``
or ``UPDATE ... FROM``) and deletes them. The work database must have no write transaction
open while the tasks run.

Results never depend on the number of workers: tasks are independent and merged in task order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

Task = TypeVar("Task")
PartFunction = Callable[[Path, Path, Any], None]


def database_path(db: Database) -> Path:
    """The file of the main database of a connection."""
    for _, name, filename in db.conn.execute("PRAGMA database_list"):
        if name == "main" and filename:
            return Path(filename)
    raise ValueError("the database has no file (an in-memory database cannot be shared)")


def read_only(database: Path) -> Database:
    """A read-only connection for a task (no plugins, no recursive triggers)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    conn.execute("PRAGMA cache_size=-131072")
    conn.execute("PRAGMA temp_store=MEMORY")
    return Database(conn, recursive_triggers=False, execute_plugins=False)


def scratch_database(path: Path) -> Database:
    """A task's output file: nothing else reads it until the task is done."""
    path.unlink(missing_ok=True)
    db = Database(path, recursive_triggers=False, execute_plugins=False)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    return db


def map_parts(db: Database, function: PartFunction, tasks: Sequence[Task], *, workers: int,
              label: str) -> list[Path]:
    """Run every task; returns their scratch files in task order (the caller deletes them)."""
    database = database_path(db)
    scratch = [database.with_name(f"{database.name}.{label}-{i}") for i in range(len(tasks))]
    if db.conn.in_transaction:
        db.conn.commit()
    if workers <= 1 or len(tasks) <= 1:
        for path, task in zip(scratch, tasks, strict=True):
            function(database, path, task)
        return scratch
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(workers, len(tasks)), mp_context=context) as pool:
        futures = [pool.submit(function, database, path, task)
                   for path, task in zip(scratch, tasks, strict=True)]
        for future in futures:
            future.result()
    return scratch


def each_attached(db: Database, paths: Sequence[Path]) -> Iterator[str]:
    """Attach the scratch files one at a time (as ``part``), in order; each is detached and
    deleted once the caller has merged it. The caller commits its merge before moving on."""
    try:
        for path in paths:
            db.conn.execute("ATTACH DATABASE ? AS part", (str(path),))
            try:
                yield "part"
            finally:
                if db.conn.in_transaction:
                    db.conn.commit()
                db.conn.execute("DETACH DATABASE part")
    finally:
        remove(paths)


def remove(paths: Sequence[Path]) -> None:
    for path in paths:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


PARALLEL_MIN_POSTINGS = 100_000
"""Databases with at least this many postings derive their tables with worker processes."""


def workers_for(db: Database, requested: int | None) -> int:
    """``requested``, or (None) one worker per CPU for a big database and none for a small one."""
    if requested is not None:
        return requested
    row = db.conn.execute("select count(*) from postings").fetchone()
    big = bool(row) and row[0] >= PARALLEL_MIN_POSTINGS
    return (os.cpu_count() or 1) if big else 0
