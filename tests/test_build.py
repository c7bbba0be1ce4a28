"""peerjobs build: every finished run loaded once, in its own transaction; re-running changes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from conftest import FIXTURES, run_crawl

from crawlers.interrupted import holding_run_locks
from db.build import BuildError, build

SITE = FIXTURES / "jsonld" / "site"
REGISTRY = [{"platform": "jsonld", "board": "https://careers.example.org/", "state": "WA",
             "start_urls": ["https://careers.example.org/sitemap-week1.xml"]}]


def stub(row: dict) -> dict:
    return {"title_clean": (row.get("title") or "").lower()}


def contents(database: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(database)
    try:
        tables = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' order by name")]
        return {t: sorted(conn.execute(f"select * from [{t}]").fetchall(), key=repr)
                for t in tables}
    finally:
        conn.close()


@pytest.fixture
def crawled(data_dir: Path) -> Path:
    run_crawl(data_dir, "jsonld", SITE, boards=["https://careers.example.org/"],
              registry=REGISTRY, now="2026-10-26T03:00:00Z")
    return data_dir


def test_build_twice_leaves_the_same_content(crawled: Path) -> None:
    first = build(crawled, crawled / "archive", stub)
    assert (first.runs_loaded, first.items, first.new_postings) == (1, 5, 5)
    before = contents(crawled / "peerjobs.db")
    second = build(crawled, crawled / "archive", stub)
    assert (second.runs_loaded, second.items, second.new_postings) == (0, 0, 0)
    assert contents(crawled / "peerjobs.db") == before
    conn = sqlite3.connect(crawled / "peerjobs.db")
    assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
    assert conn.execute("pragma journal_mode").fetchone() == ("delete",)
    assert not (crawled / ".peerjobs.db.building").exists()


def test_runs_and_sightings_are_recorded(crawled: Path) -> None:
    run_crawl(crawled, "jsonld", SITE, boards=["https://careers.example.org/"],
              registry=[{**REGISTRY[0], "start_urls":
                         ["https://careers.example.org/sitemap-week2.xml"]}],
              now="2026-11-02T03:00:00Z")
    report = build(crawled, crawled / "archive", stub)
    assert (report.runs_loaded, report.items, report.new_postings) == (2, 8, 6)
    conn = sqlite3.connect(crawled / "peerjobs.db")
    runs = conn.execute("select source, status, items, items_loaded, board_state, http_status "
                        "from runs order by started_at").fetchall()
    assert runs == [
        ("jsonld:careers.example.org", "complete", 5, 5, "WA", '{"200": 4}'),
        ("jsonld:careers.example.org", "complete", 3, 3, "WA", '{"200": 4}'),
    ]
    seen = dict(conn.execute(
        "select title || ' ' || source_id, first_seen || ' ' || last_seen || ' ' || times_seen "
        "from postings where source_id in ('4147596', '4150001', '1234567')").fetchall())
    assert seen == {
        "Home Health and Hospice Aide (CNA) 4147596":
            "2026-10-26T03:00:00Z 2026-11-02T03:00:00Z 2",
        "Peer Support Specialist 4150001": "2026-11-02T03:00:00Z 2026-11-02T03:00:00Z 1",
        "Software Engineer 1234567": "2026-10-26T03:00:00Z 2026-10-26T03:00:00Z 1",
    }
    assert conn.execute("select count(*) from sightings").fetchone() == (8,)
    assert conn.execute("select title_clean from postings where source_id = '4150001'"
                        ).fetchone() == ("peer support specialist",)


def test_unreadable_lines_are_counted_and_the_rest_loads(crawled: Path) -> None:
    [feed] = (crawled / "archive" / "jsonld").glob("*.jsonl")
    lines = feed.read_text(encoding="utf-8").splitlines()
    # A line of deep nesting once made every rebuild fail (RecursionError in the fallback reader).
    feed.write_text("\n".join([lines[0], '{"source": "jsonld:x"', "[1, 2]", "[" * 100_000,
                               *lines[1:]]) + "\n", encoding="utf-8")
    report = build(crawled, crawled / "archive", stub)
    assert (report.items, report.bad_lines, report.new_postings) == (5, 3, 5)
    assert [p.split(": ", 1)[1] for p in report.problems] == [
        "not JSON (Expecting ',' delimiter: line 1 column 22 (char 21))", "not a JSON object",
        "not JSON (nested too deeply)"]


def test_lines_only_the_standard_json_reader_accepts_still_load(crawled: Path) -> None:
    # Python's JSON writer emits NaN and integers beyond 64 bits; orjson refuses both.
    [feed] = (crawled / "archive" / "jsonld").glob("*.jsonl")
    lines = feed.read_text(encoding="utf-8").splitlines()
    item = json.loads(lines[0])
    item["extra"] = {"requisition": 2 ** 70, "score": float("nan")}
    feed.write_text("\n".join([json.dumps(item), *lines[1:]]) + "\n", encoding="utf-8")
    report = build(crawled, crawled / "archive", stub)
    assert (report.items, report.bad_lines) == (5, 0)
    conn = sqlite3.connect(crawled / "peerjobs.db")
    [extra] = conn.execute("select extra from postings where source_id = ?",
                           (item["source_id"],)).fetchone()
    conn.close()
    assert extra == '{"requisition": 1180591620717411303424, "score": NaN}'


def test_a_run_still_running_is_not_loaded_and_a_killed_one_is_interrupted(
        crawled: Path) -> None:
    archive = crawled / "archive" / "jsonld"
    feed = archive / "20261109T030000Z-jsonld.jsonl"
    feed.write_text(json.dumps({"source": "jsonld:careers.example.org", "source_id": "late",
                                "title": "Peer Specialist"}) + "\n", encoding="utf-8")
    # A crawler still running holds its run's lock: the build leaves its feed alone.
    with holding_run_locks([feed]):
        report = build(crawled, crawled / "archive", stub)
    assert (report.runs_loaded, report.items) == (1, 5)
    assert not feed.with_name("20261109T030000Z-jsonld.stats.json").exists()
    # Once no crawler holds it, the feed is a killed crawl's: recorded as interrupted, its
    # items loaded as sightings.
    report = build(crawled, crawled / "archive", stub)
    assert (report.runs_loaded, report.items) == (1, 1)
    row = sqlite3.connect(crawled / "peerjobs.db").execute(
        "select source, status, items from runs where run_id = '20261109T030000Z-jsonld'"
    ).fetchone()
    assert row == ("jsonld:careers.example.org", "interrupted", 1)


def test_a_build_that_dies_leaves_the_published_database(crawled: Path) -> None:
    build(crawled, crawled / "archive", stub)
    before = contents(crawled / "peerjobs.db")
    run_crawl(crawled, "jsonld", SITE, boards=["https://careers.example.org/"],
              registry=REGISTRY, now="2026-11-02T03:00:00Z")
    with pytest.raises(BuildError, match="stopped on purpose"):
        build(crawled, crawled / "archive", stub, fail_after_runs=0)
    assert contents(crawled / "peerjobs.db") == before
    assert not (crawled / ".peerjobs.db.building").exists()
    assert build(crawled, crawled / "archive", stub).runs_loaded == 1
