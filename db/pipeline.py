"""The build as the command line runs it: archive → normalized postings → derived tables."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from db.build import BuildReport, Deriver, build
from db.normalized import LazyNormalizer, taxonomy_version

TAXONOMY_ENV = "PEERJOBS_TAXONOMY"


def derivers(min_cell: int | None = None) -> tuple[Deriver, ...]:
    """The derivers; ``min_cell`` defaults to ``PEERJOBS_MIN_CELL`` or 5 (db/trends.py)."""
    from db.derived import make_derivers

    return make_derivers(min_cell)


def build_database(data: Path, *, rebuild: bool = False, taxonomy: Path | None = None,
                   min_cell: int | None = None) -> BuildReport:
    """Build ``data/peerjobs.db`` from ``data/archive`` (a full rebuild with ``rebuild``, and
    whenever the taxonomy's version differs from the one that classified the stored postings:
    every posting must be normalized again).

    ``min_cell`` is the small-cell threshold of the trend tables (default: the
    ``PEERJOBS_MIN_CELL`` environment variable, else 5). The normalizer is built only when a
    run needs it.
    """
    chosen = taxonomy or (Path(os.environ[TAXONOMY_ENV]) if os.environ.get(TAXONOMY_ENV) else None)
    stored = stored_taxonomy_versions(data / "peerjobs.db")
    renormalize = bool(stored) and stored != [taxonomy_version(chosen)]
    return build(data, data / "archive", LazyNormalizer(chosen), derivers(min_cell),
                 rebuild=rebuild or renormalize, workers=None)


def stored_taxonomy_versions(database: Path) -> list[str]:
    """The taxonomy versions the published build recorded (``build_info``), read-only."""
    if not database.exists():
        return []
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "select value from build_info where key = 'taxonomy_versions'").fetchone()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    return [str(v) for v in json.loads(row[0])] if row else []
