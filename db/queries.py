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
