"""What a build changed, told to the derivers that follow it, so that they redo only that.

The build opens the work table ``build_changes`` before the derivers run and drops it before
publishing (:func:`open_changes`, :func:`close_changes`). It holds:

``full``
    ``1`` when every derived table must be recomputed whole: a rebuild, a load into an empty
    database, or derivers whose settings differ from those that finished the database.
``since``
    The earliest day whose derived figures the build may have changed (ISO date; absent when
    nothing changed). The build notes the previous as-of day (that period was still going on),
    the start of every new run and the first sighting of every posting whose places changed;
    clustering (db/dedup.py) notes the first day of every peer cluster it changed. The trend
    tables (db/trends.py) recompute their periods from there on and keep the earlier ones.

``build_touched`` (one column, ``id``)
    The postings the build inserted or whose content it changed: with the lifecycle's staged
    changes, the postings whose clusters must be formed again (db/dedup.py).

A deriver that finds no table (it was called outside a build) recomputes everything.
"""

from __future__ import annotations

import logging

from sqlite_utils import Database

logger = logging.getLogger(__name__)
CHANGES = "build_changes"
TOUCHED = "build_touched"


def open_changes(db: Database, *, full: bool) -> None:
    with db.atomic():
        db.conn.execute(f"drop table if exists [{CHANGES}]")
        db.conn.execute(f"create table [{CHANGES}] (key text primary key, value text)")
        db.conn.execute(f"insert into [{CHANGES}] values ('full', ?)", (str(int(full)),))
        db.conn.execute(f"drop table if exists [{TOUCHED}]")
        db.conn.execute(f"create table [{TOUCHED}] (id integer primary key)")


def note_postings(db: Database, ids: list[int]) -> None:
    """Record postings the build inserted or changed."""
    with db.atomic():
        db.conn.executemany(f"insert or ignore into [{TOUCHED}] values (?)",
                            ((pid,) for pid in ids))


def note_since(db: Database, day: str | None, why: str) -> None:
    """Lower ``since`` to ``day`` (its first ten characters), when the table exists; ``why``
    is logged."""
    if not day or not _exists(db):
        return
    logger.info("changed since %s: %s", day[:10], why)
    with db.atomic():
        db.conn.execute(
            f"insert into [{CHANGES}] values ('since', ?) on conflict (key) do update "
            f"set value = min(value, excluded.value)", (day[:10],))


def changed_since(db: Database) -> tuple[bool, str | None]:
    """(full, since): whether to recompute everything, else the earliest changed day."""
    if not _exists(db):
        return True, None
    values = dict(db.conn.execute(f"select key, value from [{CHANGES}]").fetchall())
    return values.get("full") != "0", values.get("since")


def close_changes(db: Database) -> None:
    with db.atomic():
        db.conn.execute(f"drop table if exists [{CHANGES}]")
        db.conn.execute(f"drop table if exists [{TOUCHED}]")


def _exists(db: Database) -> bool:
    return db.conn.execute("select 1 from sqlite_master where name = ?",
                           (CHANGES,)).fetchone() is not None
