"""Coverage against demand (issue 13): a board added later shows as coverage, never moves the
constant-panel index; postings backdated before watching began never create earlier periods;
every cell inside the window exists; withheld figures are told apart from missing ones; and a
rebuild from the archive equals the incremental builds."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from db.archive import write_run
from db.build import build
from db.derived import make_derivers
from db.stubs import extra_normalizer

FIRST_MONDAY = date(2026, 4, 6)
WEEKS = [(FIRST_MONDAY + timedelta(weeks=i)).isoformat() for i in range(6)]
OLD = "greenhouse:oldboard"
NEW = "jsonld:newboard"
FRANKLIN = {"state": "OH", "county": "Franklin County", "county_fips": "39049",
            "cbsa_code": "18140", "cbsa_title": "Columbus, OH", "region": "Midwest",
            "division": "East North Central"}
HAMILTON = {"state": "OH", "county": "Hamilton County", "county_fips": "39061",
            "cbsa_code": "17140", "cbsa_title": "Cincinnati, OH-KY-IN", "region": "Midwest",
            "division": "East North Central"}
COMPLETE = {"listing_pages": 1, "requests": 1}
TABLES = ("demand_weekly", "demand_monthly", "coverage_weekly", "coverage_monthly",
          "demand_index_weekly", "demand_index_monthly", "employers_summary", "title_variants")


def peer(source: str, ident: str, hourly: float | None, place: dict[str, str],
         posted_at: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "source": source, "source_id": ident, "title": "Peer Support Specialist",
        "employer": f"Employer {ident}", "description": f"Peer support posting {ident}.",
        "extra": {"normalized": {"is_peer": 1, "role_family": "peer_support_mh",
                                 "title_clean": f"peer support specialist {ident}",
                                 "hourly_min": hourly, "cert_requirement": "none", **place}}}
    if posted_at:
        item["posted_at"] = posted_at
    return item


# The old board lists a1 (posted four weeks before its first crawl) and a2 throughout, and a3
# from week 3. The new board is first crawled in week 5 and lists b1 (with pay) and b2 (none),
# both in Hamilton County, where no other board posts.
A1 = peer(OLD, "a1", 18.0, FRANKLIN, posted_at="2026-03-09")
A2 = peer(OLD, "a2", 19.0, FRANKLIN)
A3 = peer(OLD, "a3", 20.0, FRANKLIN)
B1 = peer(NEW, "b1", 21.0, HAMILTON)
B2 = peer(NEW, "b2", None, HAMILTON)


def crawl(archive: Path, week: int, source: str, items: list[dict[str, Any]]) -> None:
    day = WEEKS[week]
    spider = source.split(":")[0]
    write_run(archive, spider=spider, run_id=f"{day.replace('-', '')}T030000Z-{spider}",
              started_at=f"{day}T03:00:00Z", finished_at=f"{day}T03:05:00Z", items=items,
              boards={source: {**COMPLETE, "items": len(items)}})


def history(archive: Path, *, with_new_board: bool) -> list[tuple[int, str, list[Any]]]:
    runs: list[tuple[int, str, list[Any]]] = []
    for week in range(6):
        runs.append((week, OLD, [A1, A2] + ([A3] if week >= 2 else [])))
        if with_new_board and week >= 4:
            runs.append((week, NEW, [B1, B2]))
    for week, source, items in runs:
        crawl(archive, week, source, items)
    return runs


def contents(database: Path, table: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute(f"select * from {table} order by 1, 2, 3, 4, 5").fetchall()
    finally:
        conn.close()


@pytest.fixture
def with_new(tmp_path: Path) -> Path:
    history(tmp_path / "archive", with_new_board=True)
    build(tmp_path / "data", tmp_path / "archive", extra_normalizer, make_derivers(min_cell=2))
    return tmp_path / "data" / "peerjobs.db"


@pytest.fixture
def without_new(tmp_path: Path) -> Path:
    history(tmp_path / "archive-old", with_new_board=False)
    build(tmp_path / "data-old", tmp_path / "archive-old", extra_normalizer,
          make_derivers(min_cell=2))
    return tmp_path / "data-old" / "peerjobs.db"


def test_a_board_added_later_is_coverage_and_leaves_the_panel_index_alone(
        with_new: Path, without_new: Path) -> None:
    conn = sqlite3.connect(with_new)
    assert conn.execute(
        "select period_start, boards_watched, active_postings, new_postings from demand_weekly "
        "where geo_level = 'nation' and role_family = 'all' order by period_start"
    ).fetchall() == [
        # a3 was first seen in week 3 (two weeks after watching began): new. b1 and b2 were
        # already there when their board began to be watched in week 5: stock, not new.
        (WEEKS[0], 1, 2, 0), (WEEKS[1], 1, 2, 0), (WEEKS[2], 1, 3, 1), (WEEKS[3], 1, 3, 0),
        (WEEKS[4], 2, 5, 0), (WEEKS[5], 2, 5, 0),
    ]
    # The panel is the old board alone (the new one missed the base week): the index is the
    # same with or without the new board, and counts none of its postings.
    index_sql = ("select * from demand_index_weekly where geo_level != 'division' "
                 "order by geo_level, geo_code, role_family, period_start")
    assert conn.execute(index_sql).fetchall() == sqlite3.connect(without_new).execute(
        index_sql).fetchall()
    assert conn.execute(
        "select period_start, complete, panel_boards, active_postings, demand_index "
        "from demand_index_weekly where geo_level = 'state' and role_family = 'all' "
        "order by period_start").fetchall() == [
        (WEEKS[0], 1, 1, 2, 100.0), (WEEKS[1], 1, 1, 2, 100.0), (WEEKS[2], 1, 1, 3, 150.0),
        (WEEKS[3], 1, 1, 3, 150.0), (WEEKS[4], 1, 1, 3, 150.0), (WEEKS[5], 0, 1, 3, 150.0)]
    # The new board's county has a series only from its first complete run; its coverage says
    # when the board came and what it found already posted.
    assert conn.execute(
        "select period_start, complete, boards_watched, postings_listed, stock_at_start "
        "from coverage_weekly where geo_level = 'county' and geo_code = '39061' "
        "order by period_start").fetchall() == [(WEEKS[4], 1, 1, 2, 2), (WEEKS[5], 0, 1, 2, 0)]


def test_backdated_postings_never_create_earlier_periods(with_new: Path) -> None:
    conn = sqlite3.connect(with_new)
    # a1 was posted on 2026-03-09, four weeks before the first crawl: it counts from that crawl.
    assert conn.execute("select c.active_from from clusters c join postings p "
                        "on p.id = c.representative_id where p.source_id = 'a1'"
                        ).fetchone() == ("2026-03-09",)
    for table in ("demand_weekly", "coverage_weekly", "demand_index_weekly"):
        assert conn.execute(f"select min(period_start) from {table}").fetchone() == (WEEKS[0],)
    assert conn.execute("select min(period_start) from demand_monthly").fetchone() == (
        "2026-04-01",)


def test_every_cell_inside_the_window_exists_and_withheld_is_not_missing(with_new: Path) -> None:
    conn = sqlite3.connect(with_new)
    families = conn.execute("select count(distinct role_family) from demand_weekly").fetchone()
    # Ohio's state series: every week and family of the window, zeros included.
    assert conn.execute("select count(*) from demand_weekly where geo_level = 'state'"
                        ).fetchone() == (6 * families[0],)
    assert conn.execute(
        "select count(*) from demand_weekly where geo_level = 'state' and active_postings = 0 "
        "and (pay_withheld is not null or shares_withheld is not null)").fetchone() == (0,)
    # Hamilton County (min_cell = 2) in week 6: b1 with pay and b2 without: n = 2 is at the
    # threshold (shares shown), n_pay = 1 is below it (pay withheld). Franklin in week 1: a1
    # and a2 both post pay: everything shown.
    rows = conn.execute(
        "select geo_code, period_start, n, n_pay, pay_hourly_median, share_with_pay, "
        "pay_withheld, shares_withheld from demand_weekly where geo_level = 'county' "
        "and role_family = 'all' and period_start in (?, ?) order by geo_code, period_start",
        (WEEKS[0], WEEKS[5])).fetchall()
    assert rows == [("39049", WEEKS[0], 2, 2, 18.5, 1.0, 0, 0),
                    ("39049", WEEKS[5], 3, 3, 19.0, 1.0, 0, 0),
                    ("39061", WEEKS[5], 2, 1, None, 0.5, 1, 0)]


def test_a_cell_below_the_threshold_without_pay(tmp_path: Path) -> None:
    crawl(tmp_path / "archive", 0, NEW, [B2])
    build(tmp_path / "data", tmp_path / "archive", extra_normalizer, make_derivers(min_cell=2))
    conn = sqlite3.connect(tmp_path / "data" / "peerjobs.db")
    # n = 1 below the threshold: the shares existed and were withheld; no pay at all: nothing
    # to withhold (null), and never a 0 that reads as "shown".
    assert conn.execute(
        "select complete, n, n_pay, pay_hourly_median, share_with_pay, pay_withheld, "
        "shares_withheld from demand_weekly where geo_level = 'nation' and role_family = 'all'"
    ).fetchall() == [(0, 1, 0, None, None, None, 1)]


def test_rebuild_equals_the_incremental_builds(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    runs = history(tmp_path / "all", with_new_board=True)
    data = tmp_path / "data"
    for week, source, items in runs:
        crawl(archive, week, source, items)
        build(data, archive, extra_normalizer, make_derivers(min_cell=2))
    incremental = {table: contents(data / "peerjobs.db", table) for table in TABLES}
    build(data, archive, extra_normalizer, make_derivers(min_cell=2), rebuild=True)
    assert {table: contents(data / "peerjobs.db", table) for table in TABLES} == incremental
    assert all(incremental[table] for table in TABLES)


def test_a_later_base_period_takes_the_boards_watched_from_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERJOBS_PANEL_FROM", WEEKS[4])
    history(tmp_path / "archive", with_new_board=True)
    build(tmp_path / "data", tmp_path / "archive", extra_normalizer, make_derivers(min_cell=2))
    conn = sqlite3.connect(tmp_path / "data" / "peerjobs.db")
    # From week 5 both boards are watched through the window: both are in the panel, and the
    # index starts there.
    assert conn.execute(
        "select period_start, panel_boards, active_postings, demand_index "
        "from demand_index_weekly where geo_level = 'nation' and role_family = 'all' "
        "order by period_start").fetchall() == [(WEEKS[4], 2, 5, 100.0), (WEEKS[5], 2, 5, 100.0)]
    info = dict(conn.execute("select key, value from build_info").fetchall())
    assert (info["panel_base_week"], info["panel_boards_weekly"]) == (WEEKS[4], "2")
