"""Trend tables: exact demand_weekly rows for a small history computed by hand."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from db.archive import write_run
from db.build import build
from db.derived import make_derivers
from db.stubs import extra_normalizer
from db.trends import MIN_CELL_ENV, min_cell_from_env, quantile, title_variant_rows
from normalize.taxonomy import load_taxonomy

BOARD = "greenhouse:isk"
PEER_BOARD = "jsonld:mipeerjobs"
COMPLETE = {"listing_pages": 1, "requests": 1}
KALAMAZOO = {"state": "MI", "county": "Kalamazoo County", "county_fips": "26077",
             "cbsa_code": "28020", "cbsa_title": "Kalamazoo-Portage, MI", "region": "Midwest",
             "division": "East North Central"}
WASHTENAW = {"state": "MI", "county": "Washtenaw County", "county_fips": "26161",
             "cbsa_code": "11460", "cbsa_title": "Ann Arbor, MI", "region": "Midwest",
             "division": "East North Central"}
ADULT_TEXT = (
    "The Peer Support Specialist on the adult outpatient team walks alongside people living "
    "with serious mental illness, shares their own recovery story when it helps, and supports "
    "each person's goals for housing, work and community. Duties include weekly one to one "
    "meetings, co-facilitating the Tuesday wellness group, helping people prepare for "
    "psychiatric appointments and documenting every contact in the electronic record the "
    "same day. Michigan peer support certification is required."
)
CRISIS_TEXT = (
    "Join the crisis residential unit as a peer on the overnight shift. You will welcome "
    "guests arriving from the emergency department, keep the house calm and safe, lead the "
    "evening check-in circle, and connect each guest with follow-up care before discharge. "
    "Experience with de-escalation and a willingness to work weekends and holidays are "
    "expected; certification can be completed after hire."
)
COACH_TEXT = (
    "Recovery coaches at the Washtenaw engagement center meet people in the first days after "
    "an overdose or withdrawal episode, help them choose a pathway to recovery, and stay in "
    "touch for ninety days by phone, text and home visits. Coaches carry a caseload of about "
    "twenty people and report to the engagement center supervisor."
)


def posting(source: str, source_id: str, title: str, employer: str, text: str,
            **normalized: Any) -> dict[str, Any]:
    return {"source": source, "source_id": source_id, "title": title, "employer": employer,
            "description": text, "extra": {"normalized": normalized}}


P1 = posting(BOARD, "p1", "Peer Support Specialist", "Integrated Services of Kalamazoo",
             ADULT_TEXT, is_peer=1, role_family="peer_support_mh",
             title_clean="peer support specialist", hourly_min=18.0, hourly_max=20.0,
             cert_requirement="required", **KALAMAZOO)
P1_ELSEWHERE = posting(PEER_BOARD, "77", "Peer Support Specialist", "ISK", ADULT_TEXT,
                       is_peer=1, role_family="peer_support_mh",
                       title_clean="peer support specialist", cert_requirement="required",
                       **KALAMAZOO)
P2 = posting(BOARD, "p2", "Peer Support Specialist - Crisis Residential",
             "Integrated Services of Kalamazoo", CRISIS_TEXT, is_peer=1,
             role_family="peer_support_mh", title_clean="peer support specialist",
             hourly_min=16.0, cert_requirement="none", **KALAMAZOO)
P3 = posting(BOARD, "p3", "Recovery Coach", "Washtenaw County Community Mental Health",
             COACH_TEXT, is_peer=1, role_family="recovery_coach_sud",
             title_clean="recovery coach", hourly_min=22.0, hourly_max=24.0,
             cert_requirement="required_within", **WASHTENAW)
P4 = posting(BOARD, "p4", "Recovery Coach - Engagement Center",
             "Washtenaw County Community Mental Health", COACH_TEXT.replace("ninety", "sixty"),
             is_peer=1, role_family="recovery_coach_sud", title_clean="recovery coach",
             cert_requirement="preferred", **WASHTENAW)
N1 = posting(BOARD, "n1", "Registered Nurse", "Integrated Services of Kalamazoo",
             "Nursing care on the inpatient unit.", is_peer=0, title_clean="registered nurse",
             hourly_min=40.0, **KALAMAZOO)


def run(archive: Path, day: str, source: str, items: list[dict[str, Any]]) -> None:
    spider = source.split(":")[0]
    write_run(archive, spider=spider, run_id=f"{day.replace('-', '')}T030000Z-{spider}",
              started_at=f"{day}T03:00:00Z", finished_at=f"{day}T03:05:00Z", items=items,
              boards={source: {**COMPLETE, "items": len(items)}})


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """Three weekly complete runs of each board (Mondays; the last one is the as-of week).

    board      2026-03-02   2026-03-09    2026-03-16
    isk        P1 P2 N1     P1 P3 N1      P1 P3 P4 N1
    mipeerjobs -            P1' (= P1)    P1'

    P1 and P1' (the same job, on the employer's board and on a peer job board that calls the
    employer "ISK") are one cluster; its representative is P1 (it posts pay). P2 closes when the
    2026-03-09 run misses it (active 2026-03-02 only); the rest are open up to 2026-03-16.
    N1 is not a peer job. Hourly pay: P1 19.00 (18-20), P2 16.00, P3 23.00 (22-24), P4 none.
    """
    archive = tmp_path / "archive"
    run(archive, "2026-03-02", BOARD, [P1, P2, N1])
    run(archive, "2026-03-09", BOARD, [P1, P3, N1])
    run(archive, "2026-03-16", BOARD, [P1, P3, P4, N1])
    run(archive, "2026-03-09", PEER_BOARD, [P1_ELSEWHERE])
    run(archive, "2026-03-16", PEER_BOARD, [P1_ELSEWHERE])
    build(tmp_path / "data", archive, extra_normalizer, make_derivers(min_cell=2))
    return tmp_path / "data" / "peerjobs.db"


COLUMNS = ("period_start, geo_code, geo_name, role_family, complete, boards_watched, "
           "new_postings, active_postings, employers, pay_hourly_p25, pay_hourly_median, "
           "pay_hourly_p75, share_with_pay, share_cert_required, n, n_pay, pay_withheld, "
           "shares_withheld")
FAMILIES = sorted(["all", *load_taxonomy().family_codes])
WEEKS = ("2026-03-02", "2026-03-09", "2026-03-16")
# The week holding the as-of date (2026-03-16T03:05) is still going on: complete = 0.
FINISHED = (1, 1, 0)

# Watching: isk's first complete run is on 2026-03-02, mipeerjobs' on 2026-03-09, so the nation
# (and Michigan, and Kalamazoo, which both boards cover) has 1, 2, 2 boards watched; Washtenaw
# only isk (1, 1, 1). Every series starts on 2026-03-02, isk's first complete run.
# Stock: P1, P2 (first seen 03-02) and P3 (first seen 03-09, the week after isk's first
# complete run) were already there when watching began; only P4 (first seen 03-16) is new.
#
# Nation, all peer families (min_cell = 2):
# week of 03-02: P1, P2 active; one employer (ISK); pay [16, 19]:
#   p25 = 16 + 0.25 * (19 - 16) = 16.75, median 17.50, p75 = 16 + 0.75 * 3 = 18.25;
#   both post pay (1.0); P1 requires certification, P2 does not (0.5).
# week of 03-09: P1 (with P1' one cluster) and P3; employers ISK and Washtenaw CMH; pay
#   [19, 23]: p25 20.00, median 21.00, p75 22.00; pay 2/2; certification required (P1) and
#   required_within (P3) both count: 2/2.
# week of 03-16: P1, P3, P4 (new); pay [19, 23] again (P4 posts none): n_pay 2; shares 2/3.
NATION_ALL = [
    ("2026-03-02", "US", "United States", "all", 1, 1, 0, 2, 1, 16.75, 17.5, 18.25, 1.0, 0.5,
     2, 2, 0, 0),
    ("2026-03-09", "US", "United States", "all", 1, 2, 0, 2, 2, 20.0, 21.0, 22.0, 1.0, 1.0,
     2, 2, 0, 0),
    ("2026-03-16", "US", "United States", "all", 0, 2, 1, 3, 2, 20.0, 21.0, 22.0, 0.6667,
     0.6667, 3, 2, 0, 0),
]
# peer_support_mh is P1 and P2 in week 1, then P1 alone: n = 1 and n_pay = 1 are below 2, so
# both kinds of figure existed and were withheld (1, 1). recovery_coach_sud has nothing in
# week 1 (a zero row: nothing to withhold, null, null), P3 alone in week 2 (withheld), then P3
# and P4: the shares of n = 2 are shown (pay 1/2, certification 1/2: P4 only prefers it; 0),
# but only one posting has pay (n_pay = 1 < 2): quantiles withheld (1).
PEER_MH = [
    ("2026-03-02", "US", "United States", "peer_support_mh", 1, 1, 0, 2, 1, 16.75, 17.5, 18.25,
     1.0, 0.5, 2, 2, 0, 0),
    ("2026-03-09", "US", "United States", "peer_support_mh", 1, 2, 0, 1, 1, None, None, None,
     None, None, 1, 1, 1, 1),
    ("2026-03-16", "US", "United States", "peer_support_mh", 0, 2, 0, 1, 1, None, None, None,
     None, None, 1, 1, 1, 1),
]
RECOVERY = [
    ("2026-03-02", "US", "United States", "recovery_coach_sud", 1, 1, 0, 0, 0, None, None, None,
     None, None, 0, 0, None, None),
    ("2026-03-09", "US", "United States", "recovery_coach_sud", 1, 2, 0, 1, 1, None, None, None,
     None, None, 1, 1, 1, 1),
    ("2026-03-16", "US", "United States", "recovery_coach_sud", 0, 2, 1, 2, 1, None, None, None,
     0.5, 0.5, 2, 1, 1, 0),
]


def zeros(code: str, name: str, family: str, boards: tuple[int, ...]) -> list[tuple[Any, ...]]:
    """A cell with nothing active: explicit zeros, nothing withheld (null)."""
    return [(week, code, name, family, done, watched, 0, 0, 0, None, None, None, None, None,
             0, 0, None, None) for week, done, watched in zip(WEEKS, FINISHED, boards,
                                                               strict=True)]


def place(rows: list[tuple[Any, ...]], code: str, name: str, family: str,
          boards: tuple[int, ...]) -> list[tuple[Any, ...]]:
    return [(r[0], code, name, family, r[4], watched, *r[6:])
            for r, watched in zip(rows, boards, strict=True)]


def cells(code: str, name: str, boards: tuple[int, ...],
          active: dict[str, list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """Every family of one place, in table order: the active ones as given, zeros otherwise."""
    rows: list[tuple[Any, ...]] = []
    for family in FAMILIES:
        found = active.get(family)
        rows += (place(found, code, name, family, boards) if found
                 else zeros(code, name, family, boards))
    return rows


NATION = cells("US", "United States", (1, 2, 2),
               {"all": NATION_ALL, "peer_support_mh": PEER_MH, "recovery_coach_sud": RECOVERY})
# Counties: Kalamazoo holds P1 and P2 (the peer_support_mh figures, for 'all' and the family);
# Washtenaw holds P3 and P4 (the recovery_coach_sud figures) and is watched by isk alone.
KALAMAZOO = cells("26077", "Kalamazoo County, MI", (1, 2, 2),
                  {"all": PEER_MH, "peer_support_mh": PEER_MH})
WASHTENAW = cells("26161", "Washtenaw County, MI", (1, 1, 1),
                  {"all": RECOVERY, "recovery_coach_sud": RECOVERY})


def weekly(database: Path, level: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(database)
    return conn.execute(f"select {COLUMNS} from demand_weekly where geo_level = ? "
                        f"order by geo_code, role_family, period_start", (level,)).fetchall()


def test_nation_rows(database: Path) -> None:
    assert weekly(database, "nation") == NATION


def test_county_rows(database: Path) -> None:
    assert weekly(database, "county") == KALAMAZOO + WASHTENAW


def test_every_level_above_the_county_holds_the_same_michigan_rows(database: Path) -> None:
    nation = [row[3:] for row in weekly(database, "nation")]
    for level, code, name in [("region", "Midwest", "Midwest"),
                              ("division", "East North Central", "East North Central"),
                              ("state", "MI", "Michigan")]:
        rows = weekly(database, level)
        assert {(row[1], row[2]) for row in rows} == {(code, name)}
        assert [row[3:] for row in rows] == nation
    cbsa = weekly(database, "cbsa")
    assert [row[1:] for row in cbsa] == [row[1:] for row in
                                         place_rows(WASHTENAW, "11460", "Ann Arbor, MI")
                                         + place_rows(KALAMAZOO, "28020",
                                                      "Kalamazoo-Portage, MI")]


def place_rows(rows: list[tuple[Any, ...]], code: str, name: str) -> list[tuple[Any, ...]]:
    return [(r[0], code, name, *r[3:]) for r in rows]


def test_coverage_rows(database: Path) -> None:
    conn = sqlite3.connect(database)
    # Postings listed by complete runs: Kalamazoo P1, P2, N1 in week 1; P1 (and P1', another
    # posting of the same job), N1 in week 2 and 3; Washtenaw P3 from week 2, P4 in week 3.
    assert conn.execute(
        "select period_start, geo_code, complete, boards_watched, boards_every_week, "
        "postings_listed, peer_postings_listed, stock_at_start from coverage_weekly "
        "where geo_level in ('nation', 'county') order by geo_level, geo_code, period_start"
    ).fetchall() == [
        ("2026-03-02", "26077", 1, 1, 1, 3, 2, 2),
        ("2026-03-09", "26077", 1, 2, 2, 3, 2, 0),
        ("2026-03-16", "26077", 0, 2, 2, 3, 2, 0),
        ("2026-03-02", "26161", 1, 1, 1, 0, 0, 1),
        ("2026-03-09", "26161", 1, 1, 1, 1, 1, 0),
        ("2026-03-16", "26161", 0, 1, 1, 2, 2, 0),
        ("2026-03-02", "US", 1, 1, 1, 3, 2, 3),
        ("2026-03-09", "US", 1, 2, 2, 4, 3, 0),
        ("2026-03-16", "US", 0, 2, 2, 5, 4, 0),
    ]
    # March is still going on; both boards were watched in it, but mipeerjobs missed the week
    # of 03-02, so only isk has a complete run in every week starting in March.
    assert conn.execute(
        "select period_start, complete, boards_watched, boards_every_week, postings_listed, "
        "peer_postings_listed, stock_at_start from coverage_monthly where geo_level = 'nation'"
    ).fetchall() == [("2026-03-01", 0, 2, 1, 6, 5, 4)]


def test_the_constant_panel_index(database: Path) -> None:
    conn = sqlite3.connect(database)
    # The panel: boards watched through the whole window, from the base week (03-02) to the
    # latest complete week (03-09): isk only (mipeerjobs came in the second week). Every peer
    # cluster has an isk member.
    assert conn.execute(
        "select period_start, complete, panel_boards, active_postings, demand_index "
        "from demand_index_weekly where geo_level = 'nation' and role_family = 'all' "
        "order by period_start").fetchall() == [
        ("2026-03-02", 1, 1, 2, 100.0), ("2026-03-09", 1, 1, 2, 100.0),
        ("2026-03-16", 0, 1, 3, 150.0)]
    # recovery_coach_sud had nothing in the base week: no index to compute.
    assert conn.execute(
        "select active_postings, demand_index from demand_index_weekly "
        "where geo_level = 'state' and role_family = 'recovery_coach_sud' "
        "order by period_start").fetchall() == [(0, None), (1, None), (2, None)]
    info = dict(conn.execute("select key, value from build_info").fetchall())
    assert (info["latest_complete_week"], info["panel_base_week"], info["panel_boards_weekly"],
            info["latest_complete_month"], info["panel_base_month"],
            info["panel_boards_monthly"]) == (
        "2026-03-09", "2026-03-02", "1", "2026-02-01", "2026-03-01", "2")


def test_monthly_rows_count_each_cluster_once_per_month(database: Path) -> None:
    conn = sqlite3.connect(database)
    assert conn.execute(
        "select period_start, role_family, new_postings, active_postings, employers, n_pay, "
        "pay_hourly_p25, pay_hourly_median, pay_hourly_p75 from demand_monthly "
        "where geo_level = 'nation' and active_postings > 0 order by role_family"
    ).fetchall() == [
        # All four peer clusters in March; pay [16, 19, 23]: p25 = 16 + 0.5 * 3 = 17.5,
        # median 19, p75 = 19 + 0.5 * 4 = 21. None is new: March is the month watching began,
        # so everything first seen in it is the stock.
        ("2026-03-01", "all", 0, 4, 2, 3, 17.5, 19.0, 21.0),
        ("2026-03-01", "peer_support_mh", 0, 2, 1, 2, 16.75, 17.5, 18.25),
        ("2026-03-01", "recovery_coach_sud", 0, 2, 1, 1, None, None, None),
    ]


def test_clusters_and_employers_behind_the_counts(database: Path) -> None:
    conn = sqlite3.connect(database)
    clusters = conn.execute(
        "select c.members, p.source_id, c.employer, c.pay_hourly, c.status, c.active_from, "
        "c.active_to from clusters c join postings p on p.id = c.representative_id "
        "where c.is_peer = 1 order by p.source_id").fetchall()
    assert clusters == [
        (2, "p1", "Integrated Services of Kalamazoo", 19.0, "open", "2026-03-02", None),
        (1, "p2", "Integrated Services of Kalamazoo", 16.0, "closed", "2026-03-02",
         "2026-03-02"),
        (1, "p3", "Washtenaw County Community Mental Health", 23.0, "open", "2026-03-09", None),
        (1, "p4", "Washtenaw County Community Mental Health", None, "open", "2026-03-16", None),
    ]
    summary = conn.execute(
        "select name, postings, peer_postings, open_peer_postings, peer_share, "
        "peer_pay_hourly_median, n_pay, pay_withheld, states from employers_summary order by name"
    ).fetchall()
    assert summary == [
        ("Integrated Services of Kalamazoo", 3, 2, 1, 0.6667, 17.5, 2, 0, '["MI"]'),
        ("Washtenaw County Community Mental Health", 2, 2, 2, 1.0, None, 1, 1, '["MI"]'),
    ]
    info = dict(conn.execute("select key, value from build_info").fetchall())
    assert (info["as_of"], info["min_cell"]) == ("2026-03-16T03:05:00Z", "2")


def test_title_variants_count_postings_and_clusters(database: Path) -> None:
    conn = sqlite3.connect(database)
    assert conn.execute(
        "select title_clean, is_peer, role_family, example_title, postings, clusters, employers,"
        " first_seen, last_seen from title_variants order by title_clean").fetchall() == [
        ("peer support specialist", 1, "peer_support_mh", "Peer Support Specialist", 3, 2, 1,
         "2026-03-02T03:00:00Z", "2026-03-16T03:00:00Z"),
        ("recovery coach", 1, "recovery_coach_sud", "Recovery Coach", 2, 2, 1,
         "2026-03-09T03:00:00Z", "2026-03-16T03:00:00Z"),
        ("registered nurse", 0, None, "Registered Nurse", 1, 1, 1, "2026-03-02T03:00:00Z",
         "2026-03-16T03:00:00Z"),
    ]


def test_the_default_threshold_withholds_these_small_cells(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MIN_CELL_ENV, raising=False)
    build(database.parent, database.parent.parent / "archive", extra_normalizer,
          make_derivers(), rebuild=True)
    conn = sqlite3.connect(database)
    rows = conn.execute("select pay_withheld, shares_withheld, pay_hourly_median, share_with_pay "
                        "from demand_weekly where n > 0").fetchall()
    assert rows and all(row == (1, 1, None, None) for row in rows)
    assert json.loads(conn.execute("select value from build_info where key = 'min_cell'"
                                   ).fetchone()[0]) == 5


def test_min_cell_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MIN_CELL_ENV, "11")
    assert min_cell_from_env() == 11
    monkeypatch.setenv(MIN_CELL_ENV, "0")
    with pytest.raises(ValueError, match="positive"):
        min_cell_from_env()


@pytest.mark.parametrize(("values", "p", "expected"), [
    ([16.0, 19.0], 0.25, 16.75), ([19.0], 0.5, 19.0), ([1.0, 2.0, 3.0, 4.0], 0.75, 3.25),
    ([1.0, 2.0, 3.0, 4.0, 5.0], 0.5, 3.0),
])
def test_quantiles_interpolate_linearly_like_numpy(values: list[float], p: float,
                                                   expected: float) -> None:
    assert quantile(values, p) == pytest.approx(expected)


# title_variants as plain SQL: what the one-pass aggregation in db/trends.py must equal.
_VARIANTS_SQL = """
with modes as (
  select title_clean, is_peer, role_family, role_title, {column} as value, row_number() over (
    partition by title_clean, is_peer, role_family, role_title
    order by count(*) desc, {column}) as rank
  from postings where title_clean is not null
  group by title_clean, is_peer, role_family, role_title, {column})
select title_clean, is_peer, role_family, role_title, value from modes where rank = 1
"""


def test_title_variants_aggregate_as_sql_groups_would() -> None:
    db = Database(memory=True)
    db.execute("create table postings (id integer primary key, title_clean, is_peer, "
               "role_family, role_title, title_match, title, cluster_id, employer_id, "
               "first_seen, last_seen)")
    rows = [  # ties between match values and titles, NULLs in keys, ids and dates
        ("peer specialist", 1, "peer_support_mh", "Peer Specialist", "alias", "Peer Specialist",
         1, 10, "2026-01-05", "2026-01-19"),
        ("peer specialist", 1, "peer_support_mh", "Peer Specialist", "fuzzy", "Peer Specialist",
         1, 10, "2026-01-12", "2026-02-02"),
        ("peer specialist", 1, "peer_support_mh", "Peer Specialist", None, "Peer specialist",
         2, None, None, "2026-01-26"),
        ("peer specialist", 1, "peer_support_mh", "Peer Specialist", "fuzzy", "Peer specialist",
         None, 11, "2026-01-02", None),
        ("peer specialist", None, None, None, None, "Peer Specialist", 3, 12, None, None),
        ("cashier", 0, None, None, "negative", "Cashier", 4, 12, "2026-03-02", "2026-03-02"),
        ("cashier", 0, None, None, None, "Cashier", 5, 12, "2026-03-09", "2026-03-16"),
        (None, None, None, None, None, "untitled", 6, 12, "2026-03-09", "2026-03-16"),
    ]
    db.conn.executemany("insert into postings (title_clean, is_peer, role_family, role_title, "
                        "title_match, title, cluster_id, employer_id, first_seen, last_seen) "
                        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    modes = {column: {tuple(row[:4]): row[4] for row in db.conn.execute(
        _VARIANTS_SQL.format(column=column))} for column in ("title_match", "title")}
    expected = [
        (*row[:4], modes["title_match"][tuple(row[:4])], modes["title"][tuple(row[:4])],
         *row[4:])
        for row in db.conn.execute(
            "select title_clean, is_peer, role_family, role_title, count(*), "
            "count(distinct cluster_id), count(distinct employer_id), min(first_seen), "
            "max(last_seen) from postings where title_clean is not null "
            "group by title_clean, is_peer, role_family, role_title "
            "order by title_clean, is_peer, role_family, role_title")
    ]
    assert title_variant_rows(db) == expected == [
        ("cashier", 0, None, None, None, "Cashier", 2, 2, 1, "2026-03-02", "2026-03-16"),
        ("peer specialist", None, None, None, None, "Peer Specialist", 1, 1, 1, None, None),
        ("peer specialist", 1, "peer_support_mh", "Peer Specialist", "fuzzy", "Peer Specialist",
         4, 2, 2, "2026-01-02", "2026-02-02"),
    ]
