"""Incremental builds redo only what their new runs touched, and still give exactly the tables
of a rebuild from the archive: after every build, in every order the runs can arrive in (week
by week, a late run for an old week, several weeks at once and out of order), with a board that
fails, one that stops being crawled, postings that close by date, come back, are backdated or
move to another county, a board that starts listing in a new county, a taxonomy change."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from test_build_safety import contents

from db.archive import write_run
from db.build import build
from db.derived import make_derivers
from db.normalized import LazyNormalizer
from db.pipeline import build_database
from db.schema import FTS_TRIGGERS
from db.stubs import extra_normalizer
from normalize.taxonomy import load_taxonomy

WEEKS = ("2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09",
         "2026-02-16", "2026-02-23")
TEXT = ("Peer support specialists share lived experience of recovery with the people they "
        "serve, co-lead groups, help with housing and benefits, document every contact in "
        "the record and join the weekly team meeting with the clinicians and the nurses. ")
KALAMAZOO = {"state": "MI", "county": "Kalamazoo County", "county_fips": "26077",
             "cbsa_code": "28020", "cbsa_title": "Kalamazoo-Portage, MI", "region": "Midwest",
             "division": "East North Central"}
WAYNE = {"state": "MI", "county": "Wayne County", "county_fips": "26163", "cbsa_code": "19820",
         "cbsa_title": "Detroit-Warren-Dearborn, MI", "region": "Midwest",
         "division": "East North Central"}
COLUMBUS = {"state": "OH", "county": "Franklin County", "county_fips": "39049",
            "cbsa_code": "18140", "cbsa_title": "Columbus, OH", "region": "Midwest",
            "division": "East North Central"}


def posting(title: str, employer: str, place: dict[str, str], family: str, pay: float | None,
            **raw: Any) -> dict[str, Any]:
    normalized = {"is_peer": 1, "role_family": family, "title_clean": title.lower(),
                  "cert_requirement": "required", **place}
    if pay is not None:
        normalized |= {"hourly_min": pay, "hourly_max": pay + 2}
    return {"title": title, "employer": employer, "location": place["county"],
            "description": TEXT * 2 + title, "extra": {"normalized": normalized}, **raw}


POSTINGS: dict[str, dict[str, Any]] = {
    "a1": posting("Peer Support Specialist", "Alpha Health", KALAMAZOO, "peer_support_mh", 19.0),
    "a2": posting("Recovery Coach", "Alpha Health", KALAMAZOO, "recovery_coach_sud", 21.0),
    "a3": posting("Family Support Partner", "Alpha Health", WAYNE, "family_peer", None,
                  closes_at="2026-02-04"),
    "a4": posting("Youth Peer Advocate", "Alpha Health", WAYNE, "youth_peer", 17.5,
                  posted_at="2025-12-20"),
    "b1": posting("Peer Support Specialist", "Alpha Health", KALAMAZOO, "peer_support_mh", 19.0),
    "b2": posting("Peer Navigator", "Alpha Health", KALAMAZOO, "peer_navigator", 20.0),
    "b3": posting("Peer Navigator", "Alpha Health", COLUMBUS, "peer_navigator", 22.0),
    "c1": posting("Certified Peer Specialist", "Beta Services", COLUMBUS, "peer_support_mh",
                  18.0),
    "c2": posting("Recovery Coach", "Beta Services", COLUMBUS, "recovery_coach_sud", None,
                  closes_at="2026-01-28"),
    "d1": posting("Peer Specialist", "Delta Clinic", WAYNE, "peer_support_mh", 16.0),
}
MOVED = posting("Certified Peer Specialist", "Beta Services", WAYNE, "peer_support_mh", 18.0)
"""c1 from week 4 on: the board moved the job to another county (its content changed)."""
SPIDERS = {"greenhouse": ("greenhouse:a", "greenhouse:d"), "lever": ("lever:b",),
           "jsonld": ("jsonld:c",)}
# Per source, the postings each week's run lists: "-" a failed run, "~" a partial one, None
# no run of the board at all (greenhouse:d is dropped from the crawl after week 2).
SCHEDULE: dict[str, list[Any]] = {
    "greenhouse:a": [("a1", "a2"), ("a1", "a2", "a3"), "-", ("a1", "a3"), ("a1", "a3", "a4"),
                     ("a3", "a4"), ("a4", "a2"), ("a4",)],
    "lever:b": [(), ("b1",), ("b1",), ("b1", "b2"), ("~", "b2"), ("b2",), (), ("b2", "b3")],
    "jsonld:c": [("c1",), ("c1", "c2"), ("c1", "c2"), ("c1", "c2"), ("c1",), ("c1",),
                 ("c1",), ("c1",)],
    "greenhouse:d": [("d1",), ("d1",), ("d1",), None, None, None, None, None],
}


def item(source: str, source_id: str, week: int) -> dict[str, Any]:
    fields = MOVED if source_id == "c1" and week >= 4 else POSTINGS[source_id]
    return {"source": source, "source_id": source_id, "url": f"https://example.org/{source_id}",
            **fields}


def write_week(archive: Path, week: int) -> None:
    day = WEEKS[week]
    for spider, sources in SPIDERS.items():
        items: list[dict[str, Any]] = []
        boards: dict[str, dict[str, Any]] = {}
        for source in sources:
            listed = SCHEDULE[source][week]
            if listed is None:
                continue
            if listed == "-":
                boards[source] = {"requests": 1, "problems/http_503": 1, "status/503": 1}
                continue
            found = [item(source, i, week) for i in listed if i != "~"]
            items += found
            boards[source] = {"listing_pages": 2, "requests": 3, "items": len(found),
                              "incomplete": int("~" in listed)}
        write_run(archive, spider=spider, run_id=f"{day.replace('-', '')}T030000Z-{spider}",
                  started_at=f"{day}T03:00:00Z", finished_at=f"{day}T03:20:00Z", items=items,
                  boards=boards)


def built(data: Path, archive: Path, *, rebuild: bool = False) -> dict[str, list[Any]]:
    build(data, archive, extra_normalizer, make_derivers(min_cell=1), rebuild=rebuild)
    return contents(data / "peerjobs.db")


ORDERS = {
    "week by week": [[0], [1], [2], [3], [4], [5], [6], [7]],
    "a late week": [[0], [1], [3], [4], [2], [5], [6], [7]],
    "weeks at once, out of order": [[5, 6], [0, 1], [2], [3, 4, 7]],
}


@pytest.mark.parametrize("order", ORDERS.values(), ids=list(ORDERS))
def test_every_incremental_build_equals_a_rebuild(tmp_path: Path, order: list[list[int]]
                                                   ) -> None:
    archive = tmp_path / "archive"
    for weeks in order:
        for week in weeks:
            write_week(archive, week)
        incremental = built(tmp_path / "data", archive)
        rebuilt = built(tmp_path / "rebuilt", archive, rebuild=True)
        assert incremental.keys() == rebuilt.keys()
        for table in rebuilt:
            assert incremental[table] == rebuilt[table], (weeks, table)
    final = contents(tmp_path / "data" / "peerjobs.db")
    assert len(final["postings"]) == 10 and len(final["demand_weekly"]) > 100
    lifecycle = {row[0]: row[1:] for row in sqlite3.connect(
        tmp_path / "data" / "peerjobs.db").execute(
        "select source_id, status, reposted_count, active_to from postings order by 1")}
    assert lifecycle == {
        "a1": ("closed", 0, "2026-02-02"), "a2": ("closed", 1, "2026-02-16"),
        "a3": ("closed", 0, "2026-02-09"), "a4": ("open", 0, None),
        "b1": ("closed", 0, "2026-01-26"), "b2": ("open", 1, None), "b3": ("open", 0, None),
        "c1": ("open", 0, None), "c2": ("closed", 0, "2026-01-28"), "d1": ("open", 0, None)}


def test_a_build_touches_only_what_its_runs_can_change(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for week in range(7):
        write_week(archive, week)
    built(tmp_path / "data", archive)
    write_week(archive, 7)
    report = build(tmp_path / "data", archive, extra_normalizer, make_derivers(min_cell=1))
    # Week 8 lists a4, b2, b3 (new) and c1; a1 and a3 are closed for good, d1's board is no
    # longer crawled, so nothing can change them.
    assert (report.runs_loaded, report.lifecycle_postings) == (3, 5)
    assert not report.up_to_date


def mark_demand_rows(database: Path, level: str) -> None:
    """Every ``demand_weekly`` row of a level marked: a row recomputed loses the mark
    (``boards_watched`` is never negative), a row kept has it still."""
    conn = sqlite3.connect(database)
    conn.execute("update demand_weekly set boards_watched = -1 where geo_level = ?", (level,))
    conn.commit()
    conn.close()


def test_a_changed_cluster_recomputes_its_own_places_from_its_first_day(tmp_path: Path
                                                                          ) -> None:
    archive = tmp_path / "archive"
    for week in range(7):
        write_week(archive, week)
    built(tmp_path / "data", archive)
    database = tmp_path / "data" / "peerjobs.db"

    mark_demand_rows(database, "state")
    write_week(archive, 7)
    built(tmp_path / "data", archive)
    conn = sqlite3.connect(database)
    rewritten = sorted(conn.execute(
        "select distinct geo_code, period_start from demand_weekly "
        "where geo_level = 'state' and boards_watched >= 0"))
    conn.close()
    # Week 8 (2026-02-23): b3, a new cluster in Columbus, from a board that never listed in
    # Ohio before (so Ohio's places are recomputed from that board's first run), and a cluster
    # in Kalamazoo that ended (Michigan from its end, 2026-02-09). A single day for every
    # place would have recomputed Michigan from b3's stock margin (the week of 2026-01-19).
    assert rewritten == [("MI", "2026-02-09"), ("MI", "2026-02-16"), ("MI", "2026-02-23"),
                         *(("OH", week) for week in WEEKS)]


def test_each_place_reads_only_the_clusters_still_counting_from_its_own_first_period(
        tmp_path: Path) -> None:
    """A week's build recomputes most places from the previous as-of period and a few from
    months back: a cluster gone before a place's own first period is left out there, whatever
    the earliest period of the level."""
    from datetime import date

    from db.coverage import GEO_LEVELS, WEEKLY
    from db.trends import _inputs, demand_cells

    archive = tmp_path / "archive"
    for week in range(8):
        write_week(archive, week)
    built(tmp_path / "data", archive)
    frame = _inputs(tmp_path / "data" / "peerjobs.db", WEEKS[-1]).frame(WEEKLY)
    level = GEO_LEVELS.index("state")

    def spans(cells: dict[tuple[str, str], list[Any]]) -> dict[tuple[str, str], list[Any]]:
        return {key: sorted((first, last) for first, last, _ in entries)
                for key, entries in cells.items()}

    week = {day: WEEKLY.index(date.fromisoformat(day)) for day in WEEKS}
    every = spans(demand_cells(frame, level)[0])
    assert every[("OH", "recovery_coach_sud")] == [(week["2026-01-12"], week["2026-01-26"])]
    assert every[("MI", "family_peer")] == [(week["2026-01-12"], week["2026-02-09"])]
    # Ohio from 02-16 (the level's day), Michigan from 01-26: Ohio's recovery coach, gone
    # after 01-26, is left out; Michigan keeps its family peer, gone after 02-09.
    cells = spans(demand_cells(frame, level, week["2026-02-16"], {"MI": week["2026-01-26"]})[0])
    expected = {key: entries for key, entries in every.items()
                if key != ("OH", "recovery_coach_sud")}
    expected[("OH", "all")] = [(week["2026-02-23"], week["2026-02-23"])]
    assert cells == expected


def test_open_postings_seen_again_keep_their_clusters(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import db.dedup

    archive = tmp_path / "archive"
    for week in range(7):
        write_week(archive, week)
    built(tmp_path / "data", archive)
    write_week(archive, 7)
    kept: list[int] = []
    stored_clusters = db.dedup._stored_clusters

    def spy(records: list[Any], old: dict[int, Any]) -> list[list[Any]]:
        kept.extend(record.id for record in records)
        return stored_clusters(records, old)

    monkeypatch.setattr(db.dedup, "_stored_clusters", spy)
    built(tmp_path / "data", archive)
    conn = sqlite3.connect(tmp_path / "data" / "peerjobs.db")
    names = dict(conn.execute("select id, source_id from postings"))
    conn.close()
    # a4 and c1 were open and are seen again from the same start: their clusters stand (the
    # rows are computed again; the rebuild test checks they equal a rebuild's). b2 reopens,
    # a2 closes: their sub-blocks are clustered again.
    assert sorted(names[pid] for pid in kept) == ["a4", "c1"]


def test_a_full_build_checks_integrity_an_incremental_one_runs_quick_check(tmp_path: Path
                                                                           ) -> None:
    archive = tmp_path / "archive"
    write_week(archive, 0)
    first = build(tmp_path / "data", archive, extra_normalizer, make_derivers(min_cell=1))
    write_week(archive, 1)
    second = build(tmp_path / "data", archive, extra_normalizer, make_derivers(min_cell=1))
    checks = ("integrity_check", "quick_check")
    assert [name for name in first.phases if name in checks] == ["integrity_check"]
    assert [name for name in second.phases if name in checks] == ["quick_check"]


def test_places_are_read_through_their_covering_index_when_it_exists(tmp_path: Path) -> None:
    from sqlite_utils import Database

    from db.schema import migrate, places_index_hint, restore_indexes, suspend_indexes

    db = Database(tmp_path / "p.db")
    migrate(db)
    hint = places_index_hint(db)
    assert hint == "indexed by [idx_postings_source_places]"
    plan = db.conn.execute(f"explain query plan select distinct source, state, county_fips "
                           f"from postings {hint}").fetchall()
    assert "COVERING INDEX idx_postings_source_places" in plan[0][3]
    # a bulk load drops the index until the end: the query must still run, without the hint
    deferred = suspend_indexes(db, ("postings",))
    assert places_index_hint(db) == ""
    restore_indexes(db, deferred)
    assert places_index_hint(db) == hint
    db.close()


def test_a_build_with_no_new_run_does_nothing_and_builds_no_normalizer(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for week in range(3):
        write_week(archive, week)
    built(tmp_path / "data", archive)
    database = tmp_path / "data" / "peerjobs.db"
    stamp = database.stat().st_mtime_ns, database.stat().st_ino
    lazy = LazyNormalizer()
    report = build(tmp_path / "data", archive, lazy, make_derivers(min_cell=1))
    assert (report.up_to_date, report.runs_loaded, list(report.phases)) == (True, 0, ["check"])
    assert not lazy.built
    assert (database.stat().st_mtime_ns, database.stat().st_ino) == stamp
    # Other settings of the derivers: the tables are recomputed, nothing is loaded.
    report = build(tmp_path / "data", archive, lazy, make_derivers(min_cell=3))
    assert (report.up_to_date, report.runs_loaded, lazy.built) == (False, 0, False)
    build(tmp_path / "rebuilt", archive, extra_normalizer, make_derivers(min_cell=3),
          rebuild=True)
    assert contents(database) == contents(tmp_path / "rebuilt" / "peerjobs.db")
    conn = sqlite3.connect(database)
    assert conn.execute("select value from build_info where key = 'min_cell'").fetchone() == (
        "3",)


def test_a_new_taxonomy_version_normalizes_every_posting_again(tmp_path: Path) -> None:
    version = load_taxonomy().version
    data, other = tmp_path / "data", tmp_path / "other"
    for week in range(3):
        write_week(data / "archive", week)
    build_database(data)
    assert stored_versions(data) == {version}
    taxonomy = tmp_path / "taxonomy.yaml"
    shipped = (Path(__file__).resolve().parent.parent / "normalize" / "data" / "taxonomy.yaml")
    text = shipped.read_text(encoding="utf-8")
    taxonomy.write_text(text.replace(f'version: "{version}"', f'version: "{version}-edit"', 1),
                        encoding="utf-8")
    write_week(data / "archive", 3)
    report = build_database(data, taxonomy=taxonomy)
    assert (report.runs_loaded, report.lifecycle_postings) == (12, None)  # rebuilt whole
    assert stored_versions(data) == {f"{version}-edit"}
    for week in range(4):
        write_week(other / "archive", week)
    build_database(other, rebuild=True, taxonomy=taxonomy)
    assert contents(data / "peerjobs.db") == contents(other / "peerjobs.db")
    # The same version again: nothing is new.
    assert build_database(data, taxonomy=taxonomy).up_to_date



def with_version(fields: dict[str, Any], version: str) -> dict[str, Any]:
    normalized = {**fields["extra"]["normalized"], "taxonomy_version": version}
    return {**fields, "extra": {"normalized": normalized}}


def test_the_taxonomy_versions_listed_follow_the_postings_an_incremental_build_touched(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``build_info`` lists every version some posting has: c1, the only posting of v0,
    changes in week 4 and is classified by v2, so v0 goes and v2 comes; the rest stay v1."""
    for source_id, fields in POSTINGS.items():
        monkeypatch.setitem(POSTINGS, source_id,
                            with_version(fields, "v0" if source_id == "c1" else "v1"))
    monkeypatch.setattr(sys.modules[__name__], "MOVED", with_version(MOVED, "v2"))
    archive = tmp_path / "archive"
    listed: list[str] = []
    for weeks in ([0, 1, 2, 3], [4]):
        for week in weeks:
            write_week(archive, week)
        incremental = built(tmp_path / "data", archive)
        assert incremental == built(tmp_path / "rebuilt", archive, rebuild=True)
        listed += [row[1] for row in incremental["build_info"] if row[0] == "taxonomy_versions"]
    assert listed == ['["v0", "v1"]', '["v1", "v2"]']


def test_a_posting_new_in_one_run_and_changed_by_the_next_is_indexed_as_it_ends(
        tmp_path: Path) -> None:
    """An incremental load indexes what it inserted and changed once it is done (db/schema.py
    defer_fts): e1, new in the first of its two runs and moved from Kalamazoo to Columbus by
    the second, is in the index once, under Ohio only; the ordinary triggers are back."""
    archive = tmp_path / "archive"
    for week in range(3):
        write_week(archive, week)
    built(tmp_path / "data", archive)
    boards = {"lever:e": {"listing_pages": 1, "requests": 2, "items": 1, "incomplete": 0}}
    for day, place in (("2026-01-26", KALAMAZOO), ("2026-01-27", COLUMBUS)):
        fields = posting("Peer Recovery Coach", "Echo House", place, "recovery_coach_sud", 18.0)
        write_run(archive, spider="lever", run_id=f"{day.replace('-', '')}T050000Z-lever",
                  started_at=f"{day}T05:00:00Z", finished_at=f"{day}T05:20:00Z",
                  items=[{"source": "lever:e", "source_id": "e1",
                          "url": "https://example.org/e1", **fields}], boards=boards)
    incremental = built(tmp_path / "data", archive)
    assert incremental == built(tmp_path / "rebuilt", archive, rebuild=True)
    conn = sqlite3.connect(tmp_path / "data" / "peerjobs.db")
    e1 = conn.execute("select id from postings where source_id = 'e1'").fetchone()
    assert [e1 in incremental[f"search: {words}"] for words in (
        "recovery coach", "zzstateohzz", "zzstatemizz")] == [True, True, False]
    triggers = dict(conn.execute("select name, sql from sqlite_master where type = 'trigger'"))
    assert all("INSERT INTO [postings_fts]" in triggers[name] for name in FTS_TRIGGERS)
    assert conn.execute("select name from sqlite_master where name like 'fts_deferred%'"
                        ).fetchall() == []

def stored_versions(data: Path) -> set[str]:
    conn = sqlite3.connect(data / "peerjobs.db")
    try:
        return {row[0] for row in conn.execute("select taxonomy_version from postings")}
    finally:
        conn.close()


def test_the_first_build_after_the_pairs_migration_stores_every_pair(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for week in range(4):
        write_week(archive, week)
    built(tmp_path / "data", archive)
    # The database as a build before migration 0009 left it: no stored pairs.
    conn = sqlite3.connect(tmp_path / "data" / "peerjobs.db")
    stored = conn.execute("select id, other, score from cluster_edges order by 1, 2").fetchall()
    assert stored  # a1 and b1 (and c1 with its copy) match across sources
    conn.execute("drop table cluster_edges")
    conn.execute("delete from _sqlite_migrations where name = '0009_cluster_edges'")
    conn.commit()
    conn.close()
    write_week(archive, 4)
    # Incremental with no stored pairs would keep settled postings apart; the migration makes
    # this build derive everything, so it equals a rebuild, pairs included.
    incremental = built(tmp_path / "data", archive)
    rebuilt = built(tmp_path / "rebuilt", archive, rebuild=True)
    for table in rebuilt:
        assert incremental[table] == rebuilt[table], table
    assert incremental["cluster_edges"]


CLEVELAND = {"state": "OH", "county": "Cuyahoga County", "county_fips": "39035",
             "cbsa_code": "17460", "cbsa_title": "Cleveland-Elyria, OH", "region": "Midwest",
             "division": "East North Central"}


def _write_joins_week(archive: Path, week: int) -> None:
    """Four boards. Week 4: P, listed by a board first read in week 2 and posted before any
    board was read, appears on a board read since week 0 in the same county; R, listed by a
    board read since week 1, appears on a board first read in week 2 that lists in Columbus."""
    p = posting("Peer Support Specialist", "Alpha Health", KALAMAZOO, "peer_support_mh", 19.0,
                posted_at="2025-12-20")
    r = posting("Certified Peer Specialist", "Beta Services", COLUMBUS, "peer_support_mh", 18.0,
                posted_at="2025-12-20")
    q = posting("Recovery Coach", "Alpha Health", KALAMAZOO, "recovery_coach_sud", 21.0)
    s = posting("Peer Navigator", "Beta Services", COLUMBUS, "peer_navigator", 22.0)
    # A new navigator in week 4 beside s, seen again: its board's navigators can never match
    # (one source), so s keeps its cluster, whose row still changes (last_seen).
    s2 = posting("Peer Navigator", "Beta Services", CLEVELAND, "peer_navigator", 24.0)
    lists = {"greenhouse:early": {"q": q, **({"p": p} if week == 4 else {})},
             "jsonld:mid": {"r": r} if week >= 1 else None,
             "lever:late": {"p": p, "s": s, **({"r": r, "s2": s2} if week == 4 else {})}
             if week >= 2 else None}
    day = WEEKS[week]
    for source, listed in lists.items():
        if listed is None:
            continue
        spider = source.split(":")[0]
        items = [{"source": source, "source_id": f"{source}-{key}",
                  "url": f"https://example.org/{source}/{key}", **fields}
                 for key, fields in listed.items()]
        write_run(archive, spider=spider, run_id=f"{day.replace('-', '')}T030000Z-{spider}",
                  started_at=f"{day}T03:00:00Z", finished_at=f"{day}T03:20:00Z", items=items,
                  boards={source: {"listing_pages": 1, "requests": 2, "items": len(items),
                                   "incomplete": 0}})


def test_a_posting_joining_a_cluster_recomputes_the_past_only_when_it_moves_its_watch_start(
        tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for week in range(4):
        _write_joins_week(archive, week)
    built(tmp_path / "data", archive)
    database = tmp_path / "data" / "peerjobs.db"
    mark_demand_rows(database, "county")
    _write_joins_week(archive, 4)
    incremental = built(tmp_path / "data", archive)
    rebuilt = built(tmp_path / "rebuilt", archive, rebuild=True)
    for table in rebuilt:
        if table != "demand_weekly":
            assert incremental[table] == rebuilt[table], table
    conn = sqlite3.connect(database)
    clusters = sorted(conn.execute("select members, sources from clusters where members > 1"))
    counts = dict(((code, start), active) for code, start, active in conn.execute(
        "select geo_code, period_start, active_postings from demand_weekly "
        "where geo_level = 'county' and role_family = 'peer_support_mh'"))
    kept = sorted(conn.execute(
        "select distinct geo_code, period_start from demand_weekly "
        "where geo_level = 'county' and boards_watched = -1"))
    conn.close()
    assert clusters == [(2, '["greenhouse:early", "lever:late"]'),
                        (2, '["jsonld:mid", "lever:late"]')]
    # P now counts from week 0, when the board it joined from was first read: Kalamazoo's
    # rows are recomputed from there. R's watch start stays week 1 (jsonld:mid): Franklin
    # County's rows before the previous as-of week (its window opens in week 1) stand as
    # stored, although R's cluster took the smaller id of the posting that joined it.
    assert [counts[("26077", week)] for week in WEEKS[:5]] == [1, 1, 1, 1, 1]
    assert [counts[("39049", week)] for week in WEEKS[1:5]] == [1, 1, 1, 1]
    assert kept == [("39049", week) for week in WEEKS[1:3]]
    assert incremental["clusters"] == rebuilt["clusters"]
