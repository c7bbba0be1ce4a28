"""``source_health``: every source's health night by night, filled by the build from the runs
(so ``rebuild`` recreates it), and the operators' dashboard drawing it in the browser."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from site_browser import SCREENSHOTS, Site, chromium, serve, visit
from test_build import stub

from crawlers.runfiles import STATS_FORMAT, feed_path, stats_path, write_json_atomically
from db.build import build
from db.health import health_report
from db.source_health import source_health

NIGHTS = ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
# source → per night: (status, items, problems); None: not crawled that night.
PLAN: dict[str, list[tuple[str, int, dict[str, int]] | None]] = {
    "lever:steady": [("complete", 40, {}), ("complete", 41, {}), ("complete", 40, {}),
                     ("complete", 42, {})],
    "lever:dropping": [("complete", 40, {}), ("complete", 38, {}), ("partial", 20, {"timeout": 2}),
                       ("complete", 12, {})],
    "ukg:blocked": [("complete", 5, {}), ("failed", 0, {"robots_disallowed": 2}),
                    ("failed", 0, {"robots_disallowed": 2}), ("failed", 0, {"robots_disallowed": 2})],
    "usajobs:keyless": [None, None, None, ("skipped", 0, {})],
}


def write_archive(archive: Path) -> None:
    """One run per platform and night, as the crawler writes them (feeds left empty: the
    table reads only the runs' receipts)."""
    for n, night in enumerate(NIGHTS):
        for platform in ("lever", "ukg", "usajobs"):
            run_id = f"{night.replace('-', '')}T030000Z-{platform}"
            boards = {}
            for source, nights in PLAN.items():
                entry = nights[n]
                if source.startswith(platform + ":") and entry:
                    status, items, problems = entry
                    boards[source] = {"status": status, "items": items, "requests": items + 1,
                                      "listing_pages": int(status != "failed"),
                                      "incomplete": 0, "problems": problems, "http_status": {}}
            if not boards:
                continue
            feed = feed_path(archive, platform, run_id)
            feed.parent.mkdir(parents=True, exist_ok=True)
            feed.touch()
            write_json_atomically(stats_path(archive, platform, run_id), {
                "format": STATS_FORMAT, "run_id": run_id, "spider": platform,
                "platform": platform, "started_at": f"{night}T03:00:00Z",
                "finished_at": f"{night}T03:{10 + n:02d}:30Z", "finish_reason": "finished",
                "boards": boards, "stats": {}})


def rows(database: Path) -> list[dict[str, Any]]:
    conn = sqlite3.connect(database)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("select * from source_health order by source, night")]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("health")
    write_archive(data / "archive")
    build(data, data / "archive", stub, (source_health,))
    return data


def test_one_row_per_source_and_night_with_the_reports_flags(built: Path) -> None:
    found = rows(built / "peerjobs.db")
    summary = [(r["source"], r["night"], r["status"], r["items"], r["rag"], r["nights_failing"],
                r["runs_since_complete"], r["item_drop"], r["robots_refusals"]) for r in found]
    assert summary == [
        ("lever:dropping", "2026-11-01", "complete", 40, "green", 0, 0, 0, 0),
        ("lever:dropping", "2026-11-02", "complete", 38, "green", 0, 0, 0, 0),
        ("lever:dropping", "2026-11-03", "partial", 20, "amber", 1, 1, 0, 0),
        ("lever:dropping", "2026-11-04", "complete", 12, "amber", 0, 0, 1, 0),
        ("lever:steady", "2026-11-01", "complete", 40, "green", 0, 0, 0, 0),
        ("lever:steady", "2026-11-02", "complete", 41, "green", 0, 0, 0, 0),
        ("lever:steady", "2026-11-03", "complete", 40, "green", 0, 0, 0, 0),
        ("lever:steady", "2026-11-04", "complete", 42, "green", 0, 0, 0, 0),
        ("ukg:blocked", "2026-11-01", "complete", 5, "green", 0, 0, 0, 0),
        ("ukg:blocked", "2026-11-02", "failed", 0, "red", 1, 1, 0, 2),
        ("ukg:blocked", "2026-11-03", "failed", 0, "red", 2, 2, 0, 2),
        ("ukg:blocked", "2026-11-04", "failed", 0, "red", 3, 3, 0, 2),
        ("usajobs:keyless", "2026-11-04", "skipped", 0, "amber", 1, 1, 0, 0),
    ]
    last = {r["source"]: r for r in found if r["night"] == "2026-11-04"}
    assert json.loads(last["ukg:blocked"]["warnings"]) == [
        "no complete run in the last 3 runs (latest: failed)",
        "robots.txt disallows what the spider needs; obeyed"]
    assert json.loads(last["lever:dropping"]["warnings"]) == [
        "items fell from 38 to 12 in a complete run (a changed page, or a real drop?)"]
    assert (last["lever:dropping"]["previous_complete_items"], last["lever:dropping"]["runs"],
            last["lever:dropping"]["run_id"]) == (38, 1, "20261104T030000Z-lever")
    assert json.loads(found[2]["problems"]) == {"timeout": 2} and found[2]["problem_count"] == 2
    assert [r["duration_s"] for r in found[:4]] == [630.0, 690.0, 750.0, 810.0]
    assert {r["platform"] for r in found} == {"lever", "ukg", "usajobs"}


def test_the_latest_night_agrees_with_the_health_report(built: Path) -> None:
    report = health_report(built / "peerjobs.db")
    last = {r["source"]: r for r in rows(built / "peerjobs.db") if r["night"] == "2026-11-04"}
    for source in report.sources:
        row = last[source.source]
        assert (row["status"], row["items"], row["runs_since_complete"], row["run_id"],
                json.loads(row["warnings"])) == (
            source.last_status, source.last_items, source.runs_since_complete, source.last_run,
            source.warnings)
    # The report's JSON keeps its shape.
    assert set(report.as_dict()) == {"as_of", "counts", "warnings", "sources"}
    assert set(report.as_dict()["sources"][0]) == {
        "source", "last_run", "last_started_at", "last_status", "last_items", "problems",
        "runs_since_complete", "previous_complete_items", "warnings"}


def test_two_runs_in_one_night_keep_the_last(tmp_path: Path) -> None:
    from db.source_health import health_rows

    runs = [{"run_id": f"r{i}", "source": "lever:a", "platform": "lever", "board_state": "MI",
             "started_at": f"2026-11-0{d}T0{h}:00:00Z", "finished_at": f"2026-11-0{d}T0{h}:05:00Z",
             "status": status, "items": items, "problems": None}
            for i, (d, h, status, items) in enumerate(
                [(1, 3, "failed", 0), (1, 5, "complete", 9), (2, 3, "complete", 8)])]
    found = health_rows(runs)
    assert [(r["night"], r["run_id"], r["runs"], r["status"], r["rag"], r["nights_failing"],
             r["duration_s"], r["problems"]) for r in found] == [
        ("2026-11-01", "r1", 2, "complete", "green", 0, 300.0, "{}"),
        ("2026-11-02", "r2", 1, "complete", "green", 0, 300.0, "{}")]


def test_rebuild_recreates_it_and_a_new_night_extends_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_archive(data / "archive")
    build(data, data / "archive", stub, (source_health,))
    incremental = rows(data / "peerjobs.db")
    build(data, data / "archive", stub, (source_health,), rebuild=True)
    assert rows(data / "peerjobs.db") == incremental
    assert len(incremental) == 13


def test_only_rows_that_differ_are_rewritten_and_stale_ones_go(tmp_path: Path) -> None:
    from sqlite_utils import Database

    data = tmp_path / "data"
    write_archive(data / "archive")
    build(data, data / "archive", stub, (source_health,))
    expected = rows(data / "peerjobs.db")
    db = Database(data / "peerjobs.db")
    # a row edited by hand, a night no run had, and the rowids of the untouched rows
    db.conn.execute("update source_health set items = 999, rag = 'green' "
                    "where source = 'ukg:blocked' and night = '2026-11-03'")
    db.conn.execute("insert into source_health (source, night, status) "
                    "values ('lever:gone', '2026-10-01', 'complete')")
    db.conn.commit()
    rowids = dict(db.conn.execute("select source || ' ' || night, rowid from source_health"))
    source_health(db)
    db.conn.commit()
    after = dict(db.conn.execute("select source || ' ' || night, rowid from source_health"))
    db.close()
    assert rows(data / "peerjobs.db") == expected
    moved = {key for key, rowid in after.items() if rowids.get(key) != rowid}
    assert moved == {"ukg:blocked 2026-11-03"}


def test_a_late_run_for_an_earlier_night_recomputes_from_that_night_only(tmp_path: Path) -> None:
    """An incremental build redoes the nights from the earliest day it changed: here a run of
    11-03 archived after 11-04 was loaded, which changes 11-03 and the streaks of 11-04."""
    data = tmp_path / "data"
    write_archive(data / "archive")
    # one posting, so that the second build loads into a database that has postings (a load
    # into an empty one recomputes everything)
    feed_path(data / "archive", "lever", "20261101T030000Z-lever").write_text(json.dumps(
        {"source": "lever:steady", "source_id": "1", "title": "Peer Support Specialist",
         "employer": "Acme Recovery"}) + "\n")
    late = sorted((data / "archive").rglob("20261103T*"))
    assert len(late) == 4  # a stats file and a feed for lever and ukg
    for path in late:
        path.unlink()
    build(data, data / "archive", stub, (source_health,))
    conn = sqlite3.connect(data / "peerjobs.db")
    # marks a night-one row: nights before the changed day are neither read nor rewritten
    conn.execute("update source_health set items = 999 where night = '2026-11-01' "
                 "and source = 'lever:steady'")
    conn.commit()
    conn.close()
    write_archive(data / "archive")
    build(data, data / "archive", stub, (source_health,))
    incremental = rows(data / "peerjobs.db")
    build(data, data / "archive", stub, (source_health,), rebuild=True)
    rebuilt = rows(data / "peerjobs.db")
    assert [r for r in incremental if r["items"] == 999] == [
        {**r, "items": 999} for r in rebuilt
        if (r["source"], r["night"]) == ("lever:steady", "2026-11-01")]
    assert [{**r, "items": 40} if r["items"] == 999 else r for r in incremental] == rebuilt
    assert [(r["night"], r["nights_failing"]) for r in rebuilt
            if r["source"] == "ukg:blocked"] == [
        ("2026-11-01", 0), ("2026-11-02", 1), ("2026-11-03", 2), ("2026-11-04", 3)]

# -- the operators' dashboard, in the browser ------------------------------------------------

DASHBOARD = "/-/dashboards/operators"


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[Site]:
    yield from serve(built, built / "serve.log")


@pytest.mark.browser
def test_the_operators_dashboard_draws_every_panel(site: Site) -> None:
    for browser in chromium():
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        found = visit(page, site.base, DASHBOARD)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "dashboard-operators.png"), full_page=True)
        page.close()
    assert (found.status, found.errors, found.foreign_requests) == (200, [], [])
    charts = {c["slug"]: c for c in found.charts}
    assert {slug: c["state"] for slug, c in charts.items()} == {
        "last-night": "drawn", "last-night-items": "drawn", "failing": "drawn",
        "items-trend": "drawn", "rag-table": "drawn"}
    assert lines(charts["last-night"]["text"]) == [
        "1 green, 2 amber, 1 red",
        "night of 2026-11-04: 4 sources: 2 complete, 0 partial, 1 failed, 1 skipped, "
        "0 interrupted"]
    assert lines(charts["last-night-items"]["text"]) == [
        "54 items", "2 problems, 2 robots.txt refusals, 1 item drop; slowest run 810 s"]
    assert charts["failing"]["marks"] == 1  # ukg:blocked, one bar
    assert charts["items-trend"]["marks"] == 4 + 13  # a line per source, a point per night
    assert charts["rag-table"]["marks"] == 13  # one cell per source and night
