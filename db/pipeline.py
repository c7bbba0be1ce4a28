"""The build as the command line runs it: archive → normalized postings → derived tables."""

from __future__ import annotations

import os
from pathlib import Path

from db.build import BuildReport, Deriver, build
from db.normalized import make_normalizer

TAXONOMY_ENV = "PEERJOBS_TAXONOMY"


def derivers(min_cell: int | None = None) -> tuple[Deriver, ...]:
    """The derivers; ``min_cell`` defaults to ``PEERJOBS_MIN_CELL`` or 5 (db/trends.py)."""
    from db.derived import make_derivers

    return make_derivers(min_cell)


def build_database(data: Path, *, rebuild: bool = False, taxonomy: Path | None = None,
                   min_cell: int | None = None) -> BuildReport:
    """Build ``data/peerjobs.db`` from ``data/archive`` (a full rebuild with ``rebuild``).

    ``min_cell`` is the small-cell threshold of the trend tables (default: the
    ``PEERJOBS_MIN_CELL`` environment variable, else 5).
    """
    chosen = taxonomy or (Path(os.environ[TAXONOMY_ENV]) if os.environ.get(TAXONOMY_ENV) else None)
    return build(data, data / "archive", make_normalizer(chosen), derivers(min_cell),
                 rebuild=rebuild, workers=None)
