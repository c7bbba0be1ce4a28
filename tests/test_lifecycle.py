"""Lifecycle: first/last seen, open or closed, reposts and active intervals from runs and sightings.

The archive is written by the test in the real format (db.archive.write_run composes the stats
file with crawlers/runstats.py, so each board's status is derived as in a real run).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from db.archive import write_run
from db.build import build
from db.lifecycle import Sighting, compute_lifecycle, parse_posting_date

ACME = "greenhouse:acme"
VA = "usajobs_historic:va"
COMPLETE = {"listing_pages": 1, "requests": 1}
FAILED = {"requests": 1, "problems/http_500": 1}
PARTIAL = {"listing_pages": 1, "requests": 3, "incomplete": 1}
SKIPPED = {"skipped": "robots_disallowed"}


def no_normalizer(row: dict[str, Any]) -> dict[str, Any]:
    return {}


def item(source: str, source_id: str, **fields: Any) -> dict[str, Any]:
    return {"source": source, "source_id": source_id, "title": f"Peer Specialist {source_id}",
            "employer": "Acme Recovery", **fields}


FIELDS: dict[str, dict[str, Any]] = {
    "A": {"posted_at": "2025-12-20T09:00:00-05:00"},
    "B": {"posted_at": "June 1, 2025"},
    "D": {"closes_at": "01/20/2026"},
    "F": {"closes_at": "2031-09-09 00:00:00T23:59"},
    "G": {"closes_at": "Thu, 05 Feb 2026 00:00:00 GMT"},
    "H": {"closes_at": "2026-01-10"},
}


def acme_run(archive: Path, day: str, board: dict[str, Any], *ids: str) -> None:
    items = [item(ACME, i, **FIELDS.get(i, {})) for i in ids]
    write_run(archive, spider="greenhouse", run_id=f"{day.replace('-', '')}T030000Z-greenhouse",
              started_at=f"{day}T03:00:00Z", finished_at=f"{day}T03:05:00Z",
              items=items, boards={ACME: {**board, "items": len(items), "board": "acme"}})


def historic_run(archive: Path, day: str, *postings: tuple[str, str, str]) -> None:
    items = [item(VA, i, platform="usajobs_historic", posted_at=opened, closes_at=closes)
             for i, opened, closes in postings]
    write_run(archive, spider="usajobs_historic",
              run_id=f"{day.replace('-', '')}T050000Z-usajobs_historic",
              started_at=f"{day}T05:00:00Z", finished_at=f"{day}T05:10:00Z", items=items,
              boards={VA: {**COMPLETE, "items": len(items), "board": "va"}})


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Seven weekly runs of one board and two runs of the USAJOBS historic backfill.

    run  start (03:00Z)  status     sees
    R1   2026-01-05      complete   A B C D
    R2   2026-01-12      failed     -
    R3   2026-01-19      partial    A
    R4   2026-01-26      complete   A C E F H
    R5   2026-02-02      complete   A B E F G H
    R6   2026-02-09      skipped    -           (finishes 03:05Z: the build's as-of time)
    historic 2026-01-06  complete   V1 V2
    historic 2026-02-03  complete   V3          (V2 not seen: historic runs close nothing)
    """
    archive = tmp_path / "archive"
    acme_run(archive, "2026-01-05", COMPLETE, "A", "B", "C", "D")
    acme_run(archive, "2026-01-12", FAILED)
    acme_run(archive, "2026-01-19", PARTIAL, "A")
    acme_run(archive, "2026-01-26", COMPLETE, "A", "C", "E", "F", "H")
    acme_run(archive, "2026-02-02", COMPLETE, "A", "B", "E", "F", "G", "H")
    acme_run(archive, "2026-02-09", SKIPPED)
    historic_run(archive, "2026-01-06", ("V1", "2025-11-03T00:00:00.0000",
                                         "2025-11-17T23:59:59.9970"),
                 ("V2", "2026-01-02T00:00:00.0000", "2026-03-31T23:59:59.9970"))
    historic_run(archive, "2026-02-03", ("V3", "2026-02-01", "2026-02-06"))
    return tmp_path


def test_statuses_of_the_runs_are_derived_as_in_a_real_crawl(history: Path) -> None:
    build(history / "data", history / "archive", no_normalizer)
    conn = sqlite3.connect(history / "data" / "peerjobs.db")
    statuses = conn.execute("select started_at, status from runs where source = ? "
                            "order by started_at", (ACME,)).fetchall()
    assert [s for _, s in statuses] == ["complete", "failed", "partial", "complete", "complete",
                                        "skipped"]


def test_every_posting_has_its_exact_lifecycle(history: Path) -> None:
    build(history / "data", history / "archive", no_normalizer)
    conn = sqlite3.connect(history / "data" / "peerjobs.db")
    rows = conn.execute(
        "select source_id, first_seen, last_seen, times_seen, status, closed_at, reposted_count,"
        " active_from, active_to, posted_on, closes_on from postings order by source_id"
    ).fetchall()
    r1, r4, r5 = "2026-01-05T03:00:00Z", "2026-01-26T03:00:00Z", "2026-02-02T03:00:00Z"
    assert rows == [
        # Seen by R1, the partial R3, R4 and R5: never missed by a complete run. Posted 16 days
        # before its first sighting: the posted date starts its active interval.
        ("A", r1, r5, 4, "open", None, 0, "2025-12-20", None, "2025-12-20", None),
        # Missed by the complete R4 (the failed R2 and partial R3 prove nothing), back in R5:
        # reopened once, open now. Posted date 218 days earlier: outside the 90-day window.
        ("B", r1, r5, 2, "open", None, 1, "2026-01-05", None, "2025-06-01", None),
        # Missed by the failed R2 and the partial R3 (no closing), seen by R4, missed by R5.
        ("C", r1, r4, 2, "closed", r5, 0, "2026-01-05", "2026-01-26", None, None),
        # Closing date 2026-01-20 passed before R4 missed it: the date is the earlier evidence.
        ("D", r1, r1, 1, "closed", "2026-01-20T23:59:59Z", 0, "2026-01-05", "2026-01-20",
         None, "2026-01-20"),
        ("E", r4, r5, 2, "open", None, 0, "2026-01-26", None, None, None),
        # A closing date five years ahead is implausible and ignored.
        ("F", r4, r5, 2, "open", None, 0, "2026-01-26", None, None, None),
        # Its closing date (RFC 822) passed before the as-of time, 2026-02-09T03:05:00Z.
        ("G", r5, r5, 1, "closed", "2026-02-05T23:59:59Z", 0, "2026-02-02", "2026-02-05",
         None, "2026-02-05"),
        # A closing date already past when R4 and R5 still listed it is contradicted.
        ("H", r4, r5, 2, "open", None, 0, "2026-01-26", None, None, "2026-01-10"),
        # Backfilled announcements carry their real open and close dates.
        ("V1", "2026-01-06T05:00:00Z", "2026-01-06T05:00:00Z", 1, "closed",
         "2025-11-17T23:59:59Z", 0, "2025-11-03", "2025-11-17", "2025-11-03", "2025-11-17"),
        # Not seen by the second historic run, which says nothing: still accepting applications.
        ("V2", "2026-01-06T05:00:00Z", "2026-01-06T05:00:00Z", 1, "open", None, 0,
         "2026-01-02", None, "2026-01-02", "2026-03-31"),
        ("V3", "2026-02-03T05:00:00Z", "2026-02-03T05:00:00Z", 1, "closed",
         "2026-02-06T23:59:59Z", 0, "2026-02-01", "2026-02-06", "2026-02-01", "2026-02-06"),
    ]
    assert conn.execute("select last_run_id from postings where source_id = 'B'").fetchone() \
        == ("20260202T030000Z-greenhouse",)


def test_loading_the_history_one_run_at_a_time_gives_the_same_lifecycle(
    history: Path, tmp_path: Path
) -> None:
    full = history / "data"
    build(full, history / "archive", no_normalizer)
    stepwise = tmp_path / "stepwise"
    archive = tmp_path / "partial-archive"
    for stats in sorted((history / "archive").glob("*/*.stats.json"),
                        key=lambda p: p.name):
        target = archive / stats.parent.name
        target.mkdir(parents=True, exist_ok=True)
        feed = stats.with_name(stats.name.replace(".stats.json", ".jsonl"))
        (target / feed.name).write_bytes(feed.read_bytes())
        (target / stats.name).write_bytes(stats.read_bytes())
        build(stepwise, archive, no_normalizer)
    query = "select * from postings order by id"
    assert sqlite3.connect(stepwise / "peerjobs.db").execute(query).fetchall() == \
        sqlite3.connect(full / "peerjobs.db").execute(query).fetchall()


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-06-16T23:59:59.9970", date(2024, 6, 16)),
    ("2026-07-14 00:00:00", date(2026, 7, 14)),
    ("2026-07-14T00:00:00-04:00", date(2026, 7, 14)),
    ("06/16/2024", date(2024, 6, 16)),
    ("6/16/24", date(2024, 6, 16)),
    ("June 16, 2024", date(2024, 6, 16)),
    ("Sept. 3 2025", date(2025, 9, 3)),
    ("16 Jun 2024", date(2024, 6, 16)),
    ("Mon, 17 Jun 2024 00:00:00 GMT", date(2024, 6, 17)),
    (1717632000000, date(2024, 6, 6)),
    ("1717632000", date(2024, 6, 6)),
    ("Open until filled", None),
    ("Posted 30+ Days Ago", None),
    ("2024-02-30", None),
    ("0001-01-01", None),
    (None, None),
    (True, None),
])
def test_raw_dates_parse_to_calendar_dates(raw: Any, expected: date | None) -> None:
    assert parse_posting_date(raw) == expected


def test_a_sighting_between_runs_of_the_same_start_orders_by_run_id() -> None:
    complete = [("2026-01-05T03:00:00Z", "a"), ("2026-01-05T03:00:00Z", "b")]
    seen = [Sighting(("2026-01-05T03:00:00Z", "a"), "2026-01-05T03:01:00Z", "a")]
    life = compute_lifecycle(seen, complete, platform="greenhouse", posted_at=None,
                             closes_at=None, as_of="2026-01-06T00:00:00Z")
    assert (life.status, life.closed_at) == ("closed", "2026-01-05T03:00:00Z")
