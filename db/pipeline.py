"""The build as the command line runs it: archive → normalized postings → derived tables."""

from __future__ import annotations

import os
from pathlib import Path

from db.build import BuildReport, Deriver, build
from db.normalized import make_normalizer

TAXONOMY_ENV = "PEERJOBS_TAXONOMY"


def derivers() -> tuple[Deriver, ...]:
    from db.derived import DERIVERS

    return DERIVERS


def build_database(data: Path, *, rebuild: bool = False,
                   taxonomy: Path | None = None) -> BuildReport:
    """Build ``data/peerjobs.db`` from ``data/archive`` (a full rebuild with ``rebuild``)."""
    chosen = taxonomy or (Path(os.environ[TAXONOMY_ENV]) if os.environ.get(TAXONOMY_ENV) else None)
    return build(data, data / "archive", make_normalizer(chosen), derivers(), rebuild=rebuild)
