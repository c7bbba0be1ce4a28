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
    the trend tables (db/trends.py) recompute their periods from there on and keep the
    earlier ones (clustering's changes go by place, below).

``build_changed_places`` (``geo_level``, ``geo_code``, ``day``)
    Places whose figures may have changed from a day earlier than ``since``: clustering notes
    the places of every peer cluster it changed, from the first day that cluster counts
    (geography levels as db/coverage.py numbers them). The trend tables recompute those
    places' periods from there, and every other place's from ``since``.
``build_touched`` (one column, ``id``)
    The postings the build inserted or whose content it changed: with the lifecycle's staged
    changes, the postings whose clusters must be formed again (db/dedup.py).

A deriver that finds no table (it was called outside a build) recomputes everything.
"""

from __future__ import annotations

import logging

from sqlite_utils import Database

from db.coverage import Geo

logger = logging.getLogger(__name__)
CHANGES = "build_changes"
TOUCHED = "build_touched"
CHANGED_PLACES = "build_changed_places"


def open_changes(db: Database, *, full: bool) -> None:
    with db.atomic():
        db.conn.execute(f"drop table if exists [{CHANGES}]")
        db.conn.execute(f"create table [{CHANGES}] (key text primary key, value text)")
        db.conn.execute(f"insert into [{CHANGES}] values ('full', ?)", (str(int(full)),))
        db.conn.execute(f"drop table if exists [{TOUCHED}]")
        db.conn.execute(f"create table [{TOUCHED}] (id integer primary key)")
        db.conn.execute(f"drop table if exists [{CHANGED_PLACES}]")
        db.conn.execute(f"create table [{CHANGED_PLACES}] (geo_level integer, geo_code text, "
                        f"day text, primary key (geo_level, geo_code))")


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


def note_places(db: Database, days: dict[Geo, str], why: str) -> None:
    """Lower the day of each place (geography level, code) to the given one, when the table
    exists; ``why`` is logged with the earliest."""
    if not days or not _exists(db):
        return
    logger.info("changed since %s in %s place(s): %s", min(days.values())[:10], len(days), why)
    with db.atomic():
        db.conn.executemany(
            f"insert into [{CHANGED_PLACES}] values (?, ?, ?) on conflict (geo_level, geo_code) "
            f"do update set day = min(day, excluded.day)",
            ((level, code, day[:10]) for (level, code), day in days.items()))


def changed_places(db: Database) -> dict[Geo, str]:
    """The days :func:`note_places` recorded (none outside a build)."""
    if not _exists(db):
        return {}
    return {(level, code): day for level, code, day in db.conn.execute(
        f"select geo_level, geo_code, day from [{CHANGED_PLACES}]")}


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
        db.conn.execute(f"drop table if exists [{CHANGED_PLACES}]")


def _exists(db: Database) -> bool:
    return db.conn.execute("select 1 from sqlite_master where name = ?",
                           (CHANGES,)).fetchone() is not None
