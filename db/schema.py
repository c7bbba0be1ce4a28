"""The schema, as named sqlite-utils migrations; a database is always migrated before use.

Raw fields keep the spider's values (``raw_`` where a normalized column has the same name);
normalized columns come from normalize/ and can be re-derived at any time from the raw ones.
"""

from __future__ import annotations

import logging
import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

logger = logging.getLogger(__name__)
migrations = Migrations("peerjobs")

RAW_POSTING_COLUMNS: dict[str, type] = {
    "id": int,
    "source": str,
    "source_id": str,
    "platform": str,
    "board": str,
    "board_state": str,
    "url": str,
    "title": str,
    "employer": str,
    "location": str,
    "locations": str,
    "pay_text": str,
    "raw_pay_min": float,
    "raw_pay_max": float,
    "raw_pay_period": str,
    "raw_pay_currency": str,
    "description": str,
    "posted_at": str,
    "closes_at": str,
    "employment_type": str,
    "raw_remote": int,
    "source_updated_at": str,
    "extra": str,
    "content_hash": str,
    "fetched_at": str,
    "first_seen": str,
    "last_seen": str,
    "times_seen": int,
    "last_run_id": str,
}

NORMALIZED_POSTING_COLUMNS: dict[str, type] = {
    "is_peer": int,
    "role_family": str,
    "role_title": str,
    "title_score": float,
    "title_match": str,
    "title_rule": str,
    "title_clean": str,
    "pay_min": float,
    "pay_max": float,
    "pay_period": str,
    "pay_currency": str,
    "hourly_min": float,
    "hourly_max": float,
    "pay_period_inferred": int,
    "pay_source": str,
    "pay_flags": str,
    "cert_requirement": str,
    "cert_within_days": int,
    "credentials": str,
    "lived_experience_required": int,
    "min_education": str,
    "drivers_license_required": int,
    "state": str,
    "county": str,
    "county_fips": str,
    "cbsa_code": str,
    "cbsa_title": str,
    "region": str,
    "division": str,
    "remote": int,
    "location_source": str,
    "cert_evidence": str,
    "taxonomy_version": str,
}


@migrations(name="0001_runs_postings_sightings")
def m0001(db: Database) -> None:
    db.table("run_files").create(
        {
            "run_id": str,
            "spider": str,
            "platform": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "feed_file": str,
            "lines": int,
            "items_loaded": int,
            "bad_lines": int,
        },
        pk="run_id",
    )
    db.table("runs").create(
        {
            "run_id": str,
            "source": str,
            "spider": str,
            "platform": str,
            "board": str,
            "board_state": str,
            "employer": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "status": str,
            "items": int,
            "items_loaded": int,
            "requests": int,
            "listing_pages": int,
            "problem_count": int,
            "problems": str,
            "http_status": str,
        },
        pk=("run_id", "source"),
    )
    db.table("postings").create({**RAW_POSTING_COLUMNS, **NORMALIZED_POSTING_COLUMNS}, pk="id")
    db.table("postings").create_index(["source", "source_id"], unique=True)
    db.table("sightings").create(
        {"posting_id": int, "run_id": str, "source": str, "seen_at": str, "detail_skipped": int},
        pk=("posting_id", "run_id"),
    )
    db.table("sightings").create_index(["run_id"])
    db.table("runs").create_index(["source", "started_at"])


def migrate(db: Database) -> None:
    migrations.apply(db)


PLACE_PERIOD_COLUMNS: dict[str, type] = {
    "period_start": str,
    "geo_level": str,
    "geo_code": str,
    "geo_name": str,
}
"""The first columns of every trend table: the period and the place."""
TREND_COLUMNS: dict[str, type] = {
    **PLACE_PERIOD_COLUMNS,
    "role_family": str,
    "complete": int,
    "boards_watched": int,
    "new_postings": int,
    "active_postings": int,
    "employers": int,
    "pay_hourly_p25": float,
    "pay_hourly_median": float,
    "pay_hourly_p75": float,
    "share_with_pay": float,
    "share_cert_required": float,
    "n": int,
    "n_pay": int,
    "pay_withheld": int,
    "shares_withheld": int,
}
COVERAGE_COLUMN_TYPES: dict[str, type] = {
    **PLACE_PERIOD_COLUMNS,
    "complete": int,
    "boards_watched": int,
    "boards_every_week": int,
    "postings_listed": int,
    "peer_postings_listed": int,
    "stock_at_start": int,
}
INDEX_COLUMNS: dict[str, type] = {
    **PLACE_PERIOD_COLUMNS,
    "role_family": str,
    "complete": int,
    "panel_boards": int,
    "active_postings": int,
    "demand_index": float,
}
TREND_KEY = ("geo_level", "geo_code", "role_family", "period_start")

FTS_COLUMNS = ("title", "employer", "description")

# Column-scoped triggers: lifecycle, employer and cluster updates rewrite other columns of
# every posting on each build and must not re-index a million descriptions. The statements use
# ``INSERT INTO [postings_fts]`` so sqlite-utils' disable_fts() recognises and drops them.
# Migration 0002's index; 0008 replaces it (STATE_FTS_TRIGGERS, which resume_fts puts back).
_FTS_TRIGGERS_0002 = """
CREATE TRIGGER [postings_fts_ai] AFTER INSERT ON [postings] BEGIN
  INSERT INTO [postings_fts] (rowid, [title], [employer], [description])
  VALUES (new.[id], new.[title], new.[employer], new.[description]);
END;
CREATE TRIGGER [postings_fts_ad] AFTER DELETE ON [postings] BEGIN
  INSERT INTO [postings_fts] ([postings_fts], rowid, [title], [employer], [description])
  VALUES ('delete', old.[id], old.[title], old.[employer], old.[description]);
END;
CREATE TRIGGER [postings_fts_au] AFTER UPDATE OF [title], [employer], [description] ON [postings]
BEGIN
  INSERT INTO [postings_fts] ([postings_fts], rowid, [title], [employer], [description])
  VALUES ('delete', old.[id], old.[title], old.[employer], old.[description]);
  INSERT INTO [postings_fts] (rowid, [title], [employer], [description])
  VALUES (new.[id], new.[title], new.[employer], new.[description]);
END;
"""

FTS_TRIGGERS = ("postings_fts_ai", "postings_fts_ad", "postings_fts_au")
BULK_DEFERRED_INDEXES = ("postings", "sightings", "runs")
"""Tables whose secondary indexes a bulk load drops and recreates afterwards."""


def suspend_indexes(db: Database, tables: tuple[str, ...] = BULK_DEFERRED_INDEXES) -> list[str]:
    """Drop the named indexes of ``tables`` (not primary keys); returns their CREATE statements.

    Building an index once over sorted keys after a bulk load is far faster than keeping it
    current through a million inserts in random key order.
    """
    marks = ", ".join("?" * len(tables))
    found = db.conn.execute(
        f"select name, sql from sqlite_master where type = 'index' and sql is not null "
        f"and tbl_name in ({marks}) order by name", tables).fetchall()
    for name, _ in found:
        db.execute(f"DROP INDEX [{name}]")
    return [sql for _, sql in found]


def restore_indexes(db: Database, statements: list[str]) -> None:
    for statement in statements:
        db.execute(statement)


def suspend_fts(db: Database) -> None:
    """Drop the full-text triggers before a bulk load into an empty database (see resume_fts)."""
    for name in FTS_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS [{name}]")


def resume_fts(db: Database) -> None:
    """Index every posting in one pass and put the triggers back.

    One ``rebuild`` after a bulk load is about four times faster than indexing row by row
    through the triggers, which remain the way incremental builds keep the index current.
    FTS5 writes its pending terms out as a new segment whenever they pass ``hashsize`` (1 MiB by
    default) and keeps merging those segments; a bigger buffer for the one rebuild halves its
    time. The setting is put back afterwards, so trigger-driven updates stay small.
    """
    _index_in_bulk(db, ["INSERT INTO [postings_fts] ([postings_fts]) VALUES ('rebuild')"])


def _index_in_bulk(db: Database, statements: list[str]) -> None:
    """Run ``statements`` on the full-text index in one transaction with a big pending-terms
    buffer, then put the ordinary triggers back."""
    _fts_config(db, "hashsize", BULK_FTS_HASHSIZE)
    with db.atomic():
        for statement in statements:
            db.conn.execute(statement)
    _fts_config(db, "hashsize", DEFAULT_FTS_HASHSIZE)
    suspend_fts(db)
    db.executescript(STATE_FTS_TRIGGERS)


BULK_FTS_HASHSIZE = 64 * 1024 * 1024
"""Bytes of pending full-text terms a bulk ``rebuild`` buffers before writing a segment."""
DEFAULT_FTS_HASHSIZE = 1024 * 1024
"""FTS5's own default, for the incremental updates the triggers make."""


def _fts_config(db: Database, key: str, value: int) -> None:
    """Set an FTS5 configuration option; an SQLite without it only makes the rebuild slower."""
    try:
        db.execute("INSERT INTO [postings_fts] ([postings_fts], rank) VALUES (?, ?)",
                   [key, value])
    except sqlite3.DatabaseError as exc:
        logger.info("full-text option %s not set: %s", key, exc)


PEER_POSTINGS_VIEW = """
select
  p.id, p.cluster_id, p.id = c.representative_id as is_representative,
  p.title, p.role_family, p.role_title, p.employer_id, e.name as employer,
  p.state, p.county, p.county_fips, p.cbsa_code, p.cbsa_title, p.remote,
  p.hourly_min, p.hourly_max, p.pay_min, p.pay_max, p.pay_period,
  p.cert_requirement, p.cert_within_days, p.credentials,
  p.posted_on, p.closes_on, p.first_seen, p.last_seen, p.active_from, p.reposted_count,
  p.url, p.source, p.platform
from postings p
left join employers e on e.employer_id = p.employer_id
left join clusters c on c.cluster_id = p.cluster_id
where p.is_peer = 1 and p.status = 'open'
""".strip()


@migrations(name="0002_history_trends")
def m0002(db: Database) -> None:
    """Lifecycle, employer and cluster columns; clusters, employers, trend tables, FTS, views."""
    postings = db.table("postings")
    for column, kind in {
        "status": str, "closed_at": str, "reposted_count": int, "active_from": str,
        "active_to": str, "posted_on": str, "closes_on": str, "employer_id": int,
        "cluster_id": int,
    }.items():
        postings.add_column(column, kind)
    postings.create_index(["state", "role_family"])
    postings.create_index(["employer_id"])
    postings.create_index(["cluster_id"])
    postings.create_index(["is_peer", "status", "state"])
    postings.create_index(["last_seen"])
    postings.create_index(["title_clean"])

    db.table("employers").create({
        "employer_id": int, "name": str, "name_key": str, "states": str, "variants": str,
        "sources": int, "postings": int,
    }, pk="employer_id")
    db.table("employer_names").create({
        "name": str, "state": str, "employer_id": int, "name_key": str, "link": str,
        "postings": int,
    })
    db.table("employer_names").create_index(["name", "state"], unique=True)
    db.table("employer_names").create_index(["employer_id"])

    db.table("clusters").create({
        "cluster_id": int, "representative_id": int, "members": int, "sources": str,
        "is_peer": int, "role_family": str, "role_title": str, "title": str,
        "employer_id": int, "employer": str, "state": str, "county": str, "county_fips": str,
        "cbsa_code": str, "cbsa_title": str, "region": str, "division": str,
        "hourly_min": float, "hourly_max": float, "pay_hourly": float,
        "cert_requirement": str, "first_seen": str, "last_seen": str, "active_from": str,
        "active_to": str, "status": str,
    }, pk="cluster_id")
    db.table("clusters").create_index(["is_peer", "state", "role_family"])
    db.table("clusters").create_index(["employer_id"])

    # WITHOUT ROWID: the key is the only b-tree, written in key order by every build.
    kinds = {str: "TEXT", int: "INTEGER", float: "FLOAT"}
    columns = ",\n  ".join(f"[{name}] {kinds[kind]}" for name, kind in TREND_COLUMNS.items())
    key = ", ".join(f"[{name}]" for name in TREND_KEY)
    for name in ("demand_weekly", "demand_monthly"):
        db.execute(f"CREATE TABLE [{name}] (\n  {columns},\n  PRIMARY KEY ({key})\n) "
                   "WITHOUT ROWID")

    db.table("title_variants").create({
        "title_clean": str, "is_peer": int, "role_family": str, "role_title": str,
        "title_match": str, "example_title": str, "postings": int, "clusters": int,
        "employers": int, "first_seen": str, "last_seen": str,
    })
    db.table("title_variants").create_index(["title_clean"])
    db.table("title_variants").create_index(["role_family", "postings"])

    db.table("employers_summary").create({
        "employer_id": int, "name": str, "postings": int, "peer_postings": int,
        "open_peer_postings": int, "peer_share": float, "peer_pay_hourly_median": float,
        "n_pay": int, "suppressed": int, "states": str, "first_seen": str, "last_seen": str,
    }, pk="employer_id")

    db.table("build_info").create({"key": str, "value": str, "description": str}, pk="key")

    postings.enable_fts(list(FTS_COLUMNS), tokenize="porter")
    db.executescript(_FTS_TRIGGERS_0002)
    db.create_view("peer_postings", PEER_POSTINGS_VIEW, replace=True)


@migrations(name="0003_provenance")
def m0003(db: Database) -> None:
    """How each posting's title, place and certification answer were decided (``title_match``
    already said how the title matched; ``title_rule`` names the rule when one decided). A
    database made before this migration gets the columns empty; the next ``peerjobs rebuild``
    fills them."""
    postings = db.table("postings")
    for column in ("title_rule", "location_source", "cert_evidence"):
        if column not in postings.columns_dict:
            postings.add_column(column, str)


def _keyed_table(db: Database, name: str, columns: dict[str, type], key: tuple[str, ...]) -> None:
    # WITHOUT ROWID: the key is the only b-tree, written in key order by every build.
    kinds = {str: "TEXT", int: "INTEGER", float: "FLOAT"}
    body = ",\n  ".join(f"[{column}] {kinds[kind]}" for column, kind in columns.items())
    keys = ", ".join(f"[{column}]" for column in key)
    db.execute(f"DROP TABLE IF EXISTS [{name}]")
    db.execute(f"CREATE TABLE [{name}] (\n  {body},\n  PRIMARY KEY ({keys})\n) WITHOUT ROWID")


@migrations(name="0004_coverage_index_withheld")
def m0004(db: Database) -> None:
    """Trend tables with coverage: ``complete`` and ``boards_watched`` on every demand row,
    ``pay_withheld`` and ``shares_withheld`` instead of one ``suppressed`` flag, the coverage
    and constant-panel index tables. Every build recomputes them, so they are made anew."""
    for name in ("demand_weekly", "demand_monthly"):
        _keyed_table(db, name, TREND_COLUMNS, TREND_KEY)
    for name in ("demand_index_weekly", "demand_index_monthly"):
        _keyed_table(db, name, INDEX_COLUMNS, TREND_KEY)
    for name in ("coverage_weekly", "coverage_monthly"):
        _keyed_table(db, name, COVERAGE_COLUMN_TYPES, ("geo_level", "geo_code", "period_start"))
    db.execute("DROP TABLE IF EXISTS [employers_summary]")
    db.table("employers_summary").create({
        "employer_id": int, "name": str, "postings": int, "peer_postings": int,
        "open_peer_postings": int, "peer_share": float, "peer_pay_hourly_median": float,
        "n_pay": int, "pay_withheld": int, "states": str, "first_seen": str, "last_seen": str,
    }, pk="employer_id")


# Migrations below are appended in number order; each helper's change replaces its own marker.
# -- migration 0005 (site speed) --
SITE_INDEXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # postings: the newest first within a state; the is_peer facet within a state (the state
    # and role_family facets read idx_postings_state_role_family); postings_per_week_for_state
    # from the index alone; the peer_postings view in id order (its pages are keyed by id).
    ("postings", ("state", "last_seen")),
    ("postings", ("state", "is_peer")),
    ("postings", ("state", "first_seen", "is_peer")),
    ("postings", ("is_peer", "status")),
    # clusters: the facets within a state.
    ("clusters", ("state", "role_family")),
    ("clusters", ("state", "status")),
    # runs: the newest first, over all and for a board state.
    ("runs", ("started_at",)),
    ("runs", ("board_state", "started_at")),
    # trend tables: sorted by period (their key starts with the place); the role_family facet
    # of the largest over all (2.8M rows at a million postings).
    *((table, ("period_start",)) for table in (
        "demand_weekly", "demand_monthly", "coverage_weekly", "coverage_monthly",
        "demand_index_weekly", "demand_index_monthly")),
    ("demand_weekly", ("role_family",)),
)
"""Indexes the site's table pages read (issue 16): each page's default sort alone and within a
state, and the facets metadata.yml offers counted from an index instead of every row."""


@migrations(name="0005_site_speed")
def m0005(db: Database) -> None:
    """The site's indexes (SITE_INDEXES), on a new database and on one built before them."""
    from db.build import ANALYSIS_LIMIT

    # Planner statistics for the new indexes sampled as the build samples the others: fully
    # counted ones beside sampled ones misled the planner (a state's postings sorted in a
    # temporary b-tree instead of read in order from idx_postings_state_last_seen).
    db.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
    for table, columns in SITE_INDEXES:
        name = f"idx_{table}_{'_'.join(columns)}"
        listed = ", ".join(f"[{column}]" for column in columns)
        db.execute(f"CREATE INDEX IF NOT EXISTS [{name}] ON [{table}] ({listed})")
        if db.table(table).count:
            db.execute(f"ANALYZE [{name}]")


# -- migration 0006 (incremental builds) --
PLACES_INDEX = "idx_postings_source_places"
"""Covers every read of all postings' places (db/coverage.py)."""


def places_index_hint(db: Database) -> str:
    """``INDEXED BY`` the places index when it exists (a bulk load drops it until the end):
    the planner otherwise reads the distinct places through idx_postings_source_status_closed_at
    and a lookup of every row (43 s at a million postings against under 1 s)."""
    found = db.conn.execute("select 1 from sqlite_master where type = 'index' and name = ?",
                            (PLACES_INDEX,)).fetchone()
    return f"indexed by [{PLACES_INDEX}]" if found else ""


@migrations(name="0006_incremental_builds")
def m0006(db: Database) -> None:
    """What incremental builds need: ``build_state`` (the settings of the derivers that
    finished the database: a build with no new run and the same settings has nothing to do),
    ``source_geographies`` (the places each board covered, db/trends.py) and indexes that find
    what a new run can change without reading every posting."""
    db.table("build_state").create({"key": str, "value": str}, pk="key", if_not_exists=True)
    db.execute("CREATE INDEX IF NOT EXISTS [idx_postings_source_status_closed_at] "
               "ON [postings] ([source], [status], [closed_at])")
    db.execute("CREATE INDEX IF NOT EXISTS [idx_postings_closes_on] ON [postings] ([closes_on]) "
               "WHERE [closes_on] IS NOT NULL")
    # Covers the trend tables' reads of every posting's places (db/coverage.py), which would
    # otherwise read every posting's whole row.
    db.execute(f"CREATE INDEX IF NOT EXISTS [{PLACES_INDEX}] ON [postings] "
               "([source], [is_peer], [state], [county], [county_fips], [cbsa_code], "
               "[cbsa_title], [region], [division])")
    db.execute("CREATE TABLE IF NOT EXISTS [source_geographies] ([source] TEXT, "
               "[geo_level] TEXT, [geo_code] TEXT, PRIMARY KEY ([source], [geo_level], "
               "[geo_code])) WITHOUT ROWID")


# -- migration 0007 (source health) --
@migrations(name="0007_source_health")
def m0007(db: Database) -> None:
    """``source_health``: per source and night, status, items, problems, duration, robots.txt
    refusals and the health report's flags (db/source_health.py); every build refills it."""
    from db.source_health import create_table

    create_table(db)


# -- migration 0008 (search within a state) --
STATE_TOKEN_PREFIX, STATE_TOKEN_SUFFIX = "zzstate", "zz"
"""A posting's state is indexed as one word, ``zzstate<code>zz`` (zzstateinzz for Indiana):
no search word is spelled so (state codes alone are words: in, or, me), and the ends keep the
porter stemmer away from the code (ms, ny)."""
STATE_TOKEN_COLUMN = "state_token"
FTS_SOURCE_VIEW = "postings_fts_source"
"""The full-text index's content: the postings' text columns and the state's word. A view,
so that the word is no column of postings (nor of its pages, exports and dictionary)."""


def _state_token(state: str) -> str:
    return f"'{STATE_TOKEN_PREFIX}' || lower({state}) || '{STATE_TOKEN_SUFFIX}'"


_INDEXED = ", ".join(f"[{column}]" for column in (*FTS_COLUMNS, STATE_TOKEN_COLUMN))


def _indexed_values(row: str) -> str:
    texts = ", ".join(f"{row}.[{column}]" for column in FTS_COLUMNS)
    return f"{row}.[id], {texts}, {_state_token(f'{row}.[state]')}"


# As _FTS_TRIGGERS_0002, with the state's word; a posting whose state changes is re-indexed.
STATE_FTS_TRIGGERS = f"""
CREATE TRIGGER [postings_fts_ai] AFTER INSERT ON [postings] BEGIN
  INSERT INTO [postings_fts] (rowid, {_INDEXED}) VALUES ({_indexed_values('new')});
END;
CREATE TRIGGER [postings_fts_ad] AFTER DELETE ON [postings] BEGIN
  INSERT INTO [postings_fts] ([postings_fts], rowid, {_INDEXED})
  VALUES ('delete', {_indexed_values('old')});
END;
CREATE TRIGGER [postings_fts_au]
AFTER UPDATE OF [title], [employer], [description], [state] ON [postings] BEGIN
  INSERT INTO [postings_fts] ([postings_fts], rowid, {_INDEXED})
  VALUES ('delete', {_indexed_values('old')});
  INSERT INTO [postings_fts] (rowid, {_INDEXED}) VALUES ({_indexed_values('new')});
END;
"""


FTS_DEFERRED = "fts_deferred"
"""Work table of an incremental load (:func:`defer_fts`): postings to index once it is done."""
FTS_DEFERRED_OLD = "fts_deferred_old"
"""Work table of an incremental load: what the index holds of the postings the load changed or
deleted (their values before its first change), to delete from it once it is done."""
_KEEP_OLD = (f"INSERT OR IGNORE INTO [{FTS_DEFERRED_OLD}] SELECT {_indexed_values('old')} "
             f"WHERE old.[id] NOT IN (SELECT id FROM [{FTS_DEFERRED}]);")
# While an incremental load runs: each posting is noted, not indexed (see defer_fts).
DEFERRED_FTS_TRIGGERS = f"""
CREATE TRIGGER [postings_fts_ai] AFTER INSERT ON [postings] BEGIN
  INSERT OR IGNORE INTO [{FTS_DEFERRED}] (id) VALUES (new.[id]);
END;
CREATE TRIGGER [postings_fts_ad] AFTER DELETE ON [postings] BEGIN
  {_KEEP_OLD}
END;
CREATE TRIGGER [postings_fts_au]
AFTER UPDATE OF [title], [employer], [description], [state] ON [postings] BEGIN
  {_KEEP_OLD}
  INSERT OR IGNORE INTO [{FTS_DEFERRED}] (id) VALUES (new.[id]);
END;
"""


def defer_fts(db: Database) -> None:
    """Before an incremental load: the triggers note what the load inserts, changes and deletes
    instead of indexing it; :func:`index_deferred` indexes it all at once afterwards.

    Through the triggers, every run's savepoint wrote its pending terms out as a segment of its
    own, a dozen a week, and FTS5's merges of those segments rewrote the big ones a rebuild
    leaves: at 100,000 postings the week's load took 2.2-2.6 s instead of 0.5 s without the
    index, and left 15,000 free pages (120 MB) behind.
    """
    db.execute(f"CREATE TABLE [{FTS_DEFERRED}] (id INTEGER PRIMARY KEY)")
    db.execute(f"CREATE TABLE [{FTS_DEFERRED_OLD}] (id INTEGER PRIMARY KEY, {_INDEXED})")
    suspend_fts(db)
    db.executescript(DEFERRED_FTS_TRIGGERS)


def index_deferred(db: Database) -> None:
    """Bring the index up to date with what :func:`defer_fts` noted, in one transaction (the
    deletions of the old values, then the postings as they are now, in id order), and put the
    ordinary triggers back."""
    _index_in_bulk(db, [
        f"INSERT INTO [postings_fts] ([postings_fts], rowid, {_INDEXED}) "
        f"SELECT 'delete', * FROM [{FTS_DEFERRED_OLD}] ORDER BY id",
        f"INSERT INTO [postings_fts] (rowid, {_INDEXED}) SELECT [id], {_INDEXED} "
        f"FROM [{FTS_SOURCE_VIEW}] WHERE [id] IN (SELECT id FROM [{FTS_DEFERRED}]) "
        f"ORDER BY [id]"])
    db.execute(f"DROP TABLE [{FTS_DEFERRED}]")
    db.execute(f"DROP TABLE [{FTS_DEFERRED_OLD}]")


@migrations(name="0008_search_within_a_state")
def m0008(db: Database) -> None:
    """The full-text index with each posting's state as a word of its own column, so that a
    search within a state is one FTS5 query (the state's word and the search words intersected
    in the index) instead of every match of the country read and checked against the state
    (issue 16). FTS5 cannot add a column: the index is made anew and filled from the postings."""
    suspend_fts(db)
    db.execute("DROP TABLE IF EXISTS [postings_fts]")
    db.execute(f"DROP VIEW IF EXISTS [{FTS_SOURCE_VIEW}]")
    texts = ", ".join(f"[{column}]" for column in FTS_COLUMNS)
    db.execute(f"CREATE VIEW [{FTS_SOURCE_VIEW}] AS SELECT [id], {texts}, "
               f"{_state_token('[state]')} AS [{STATE_TOKEN_COLUMN}] FROM [postings]")
    db.execute(f"CREATE VIRTUAL TABLE [postings_fts] USING FTS5 ({_INDEXED}, "
               f"tokenize='porter', content=[{FTS_SOURCE_VIEW}], content_rowid=[id])")
    resume_fts(db)


# -- migration 0009 (stored matching pairs) --
EDGES_TABLE = "cluster_edges"
"""Every matching pair of postings (db/dedup.py), both ways round: an incremental build
compares again only the pairs with a posting it touched and keeps the clusters of the
connected parts it did not reach."""


@migrations(name="0009_cluster_edges")
def m0009(db: Database) -> None:
    """The stored matching pairs, empty until the next build: forgetting which derivers
    finished the database makes that build derive everything (and store every pair)."""
    db.execute(f"CREATE TABLE IF NOT EXISTS [{EDGES_TABLE}] (id INTEGER NOT NULL, "
               "other INTEGER NOT NULL, score REAL NOT NULL, PRIMARY KEY (id, other)) "
               "WITHOUT ROWID")
    if db.table("build_state").exists():
        db.execute("DELETE FROM [build_state] WHERE key = 'derivers'")
