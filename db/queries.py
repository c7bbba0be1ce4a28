"""Read-only queries the command line needs; every piece of SQL lives in db/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlite_utils import Database


def last_runs(database: Path) -> dict[str, dict[str, Any]]:
    """Each source's most recent run record."""
    if not database.exists():
        return {}
    db = Database(database)
    try:
        if not db["runs"].exists():
            return {}
        rows = db.query(
            """
            select source, run_id, started_at, status, items, problem_count
            from runs r
            where started_at = (select max(started_at) from runs where source = r.source)
            """
        )
        return {row["source"]: row for row in rows}
    finally:
        db.close()


def known_versions(database: Path, sources: list[str]) -> dict[tuple[str, str], str]:
    """``(source, source_id) → source_updated_at`` of stored postings, for incremental crawls.

    Read-only and tolerant: a missing or unreadable database means nothing is known yet.
    """
    if not database.exists() or not sources:
        return {}
    import sqlite3

    try:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            marks = ",".join("?" * len(sources))
            rows = conn.execute(
                f"select source, source_id, source_updated_at from postings "
                f"where source in ({marks}) and source_updated_at is not null",
                sources,
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return {}
    return {(source, source_id): updated for source, source_id, updated in rows}
