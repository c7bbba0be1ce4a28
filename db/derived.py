"""Derived tables, rebuilt by every build from postings and sightings (after the lifecycle).

The build runs :data:`DERIVERS` (or :func:`make_derivers` with a chosen small-cell threshold)
in order, on the work database:

1. ``link`` (:func:`make_link`) — canonical employers (db/employers.py), then cross-source clusters
   (db/dedup.py); sets ``postings.employer_id`` and ``postings.cluster_id``.
2. ``trends`` (:func:`make_trends`) — the demand, coverage and constant-panel index tables,
   weekly and monthly, ``title_variants`` and ``employers_summary`` (db/trends.py,
   db/coverage.py).
3. ``record_build_info`` (:func:`make_build_info`) — the as-of time and settings behind the
   tables (``build_info``).
4. ``source_health`` (db/source_health.py) — each source's health night by night, for the
   operators' dashboard.

The build itself then refreshes the planner statistics (``ANALYZE``).

Every deriver depends only on the database's contents, so rebuilding from the archive gives
the same tables as the incremental builds did.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict

from sqlite_utils import Database

from db.build import Deriver
from db.changes import TOUCHED, changed_places, changed_since
from db.dedup import DEFAULT_MATCH, MatchSettings, link_postings
from db.lifecycle import build_as_of
from db.parallel import workers_for
from db.source_health import source_health
from db.trends import build_trend_tables, min_cell_from_env, panel_info

logger = logging.getLogger(__name__)

def _with_settings(deriver: Deriver, settings: dict[str, object]) -> Deriver:
    """The deriver, carrying the settings its tables depend on (db/build.py compares them with
    the published database's to know whether a build with no new run has anything to do)."""
    setattr(deriver, "settings", settings)  # noqa: B010 (a function has no declared attribute)
    return deriver


def make_link(workers: int | None = None, settings: MatchSettings = DEFAULT_MATCH) -> Deriver:
    def link(db: Database) -> None:
        changed = link_postings(db, as_of=build_as_of(db), settings=settings,
                                workers=workers_for(db, workers))
        logger.info("employers and clusters: %s posting(s) changed", changed)

    return _with_settings(link, asdict(settings))


def make_trends(min_cell: int, workers: int | None = None) -> Deriver:
    def trends(db: Database) -> None:
        full, since = changed_since(db)
        counts = build_trend_tables(db, as_of=build_as_of(db), min_cell=min_cell,
                                    workers=workers_for(db, workers),
                                    since=None if full else since or build_as_of(db),
                                    places_since=changed_places(db))
        logger.info("trend tables: %s", counts)

    return _with_settings(trends, {"min_cell": min_cell})


def taxonomy_versions(db: Database) -> list[str]:
    """The taxonomy versions that classified the postings, in order.

    An incremental build adds those of the postings it touched (the only ones it normalized)
    to the stored list and keeps a stored version only while some posting still has it: the
    column sits behind each row's description, so reading it for every posting read the whole
    table (1 to 2.4 s at a million postings)."""
    full, _ = changed_since(db)
    stored = db.conn.execute(
        "select value from build_info where key = 'taxonomy_versions'").fetchone()
    if full or stored is None:
        return [row[0] for row in db.conn.execute(
            "select distinct taxonomy_version from postings where taxonomy_version is not null "
            "order by 1")]
    found = set(json.loads(stored[0])) | {row[0] for row in db.conn.execute(
        f"select distinct p.taxonomy_version from [{TOUCHED}] t join postings p on p.id = t.id "
        f"where p.taxonomy_version is not null")}
    return sorted(version for version in found if db.conn.execute(
        "select 1 from postings where taxonomy_version = ? limit 1", (version,)).fetchone())


def make_build_info(min_cell: int, settings: MatchSettings = DEFAULT_MATCH) -> Deriver:
    def record_build_info(db: Database) -> None:
        versions = taxonomy_versions(db)
        rows = [
            ("as_of", build_as_of(db), "The build's as-of time: the latest run's finished_at. "
             "Open postings are counted active up to this date; closing dates before it close "
             "postings."),
            ("min_cell", str(min_cell), "Small-cell threshold: pay quantiles (shares) are "
             "withheld, pay_withheld (shares_withheld) = 1, in cells with 0 < n_pay (n) below "
             "this."),
            ("dedup_settings", json.dumps(asdict(settings), sort_keys=True),
             "Settings of the cross-source matcher (db/dedup.py)."),
            ("taxonomy_versions", json.dumps(versions),
             "Taxonomy versions that classified the postings."),
            *panel_info(db, build_as_of(db)),
        ]
        with db.atomic():
            db.conn.execute("delete from build_info")
            db.conn.executemany(
                "insert into build_info (key, value, description) values (?, ?, ?)", rows)

    return _with_settings(record_build_info, {"min_cell": min_cell, **asdict(settings)})


def make_derivers(min_cell: int | None = None, workers: int | None = None
                  ) -> tuple[Deriver, ...]:
    """The build's derivers; ``min_cell`` defaults to ``PEERJOBS_MIN_CELL`` or 5.

    ``workers``: worker processes for clustering and the trend tables (None: one per CPU for a
    database of :data:`db.parallel.PARALLEL_MIN_POSTINGS` postings or more, else none).
    """
    threshold = min_cell if min_cell is not None else min_cell_from_env()
    if threshold < 1:
        raise ValueError(f"min_cell must be a positive integer, got {threshold}")
    return (make_link(workers), make_trends(threshold, workers), make_build_info(threshold),
            source_health)


DERIVERS: tuple[Deriver, ...] = make_derivers(5)
"""The derivers with the default small-cell threshold (5)."""
