"""PeerForce (WP Job Manager): listing JSON and posting pages parse to exact items, employers
come from the postings, paging follows max_num_pages, bad input is counted per board."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, CrawlResult, fake_response, make_spider, run_crawl
from parsel import Selector

from crawlers.platforms.peerforce import listing_entry, site_url, title_pattern
from crawlers.registry import Board
from crawlers.spiders.peerforce import PeerForceSpider
from db.build import build

SITE = FIXTURES / "peerforce" / "site"
PF = "https://peerforce.org/"
SOURCE = "peerforce:peerforce.org"
BOARD = Board(platform="peerforce", board=PF, key="peerforce.org",
              employer="PeerForce (peer-only job board, Texas)",
              options={"multi_employer": True})
MHMR = f"{PF}job/mhmr-tarrant-fort-worth-full-time-family-partner-eop/"
SPINDLETOP = f"{PF}job/spindletop-center-beaumont-tx-full-time-peer-specialist/"


def registry(url: str, **options: Any) -> dict[str, Any]:
    return {"platform": "peerforce", "board": url, "employer": "PeerForce (peer-only job "
            "board, Texas)", "state": "TX", "multi_employer": True, **options}


def entries(body: str, page: str = PF) -> list[dict[str, Any]]:
    html = json.loads((SITE / "bodies" / body).read_text(encoding="utf-8"))["html"]
    found = (listing_entry(n, page) for n in Selector(text=html).css("li.job_listing"))
    return [e for e in found if e]


def job_items(url: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    spider = make_spider(PeerForceSpider)
    path = SITE / "peerforce.org" / url.split("peerforce.org/")[1] / "index.html"
    response = fake_response(url, path.read_bytes(), board=BOARD,
                             meta={"entry": entry, "fallback": spider.posting(BOARD, **entry)})
    return [asdict(i) for i in spider.parse_job(response)]


def common(**fields: Any) -> dict[str, Any]:
    base = {"source": SOURCE, "platform": "peerforce", "board": PF, "fetched_at": FETCHED_AT,
            "detail_skipped": None, "pay_text": None, "pay_min": None, "pay_max": None,
            "pay_period": None, "pay_currency": None, "remote": None, "closes_at": None}
    base.update(fields)
    return base


def test_site_urls_and_the_title_pattern() -> None:
    assert site_url("peerforce.org") == PF and site_url("https://peerforce.org") == PF
    assert title_pattern("MHMR Tarrant – Fort Worth – Full Time – Family Partner EOP") == {
        "employer": "MHMR Tarrant", "location": "Fort Worth", "employment_type": "Full Time",
        "title": "Family Partner EOP"}
    assert title_pattern("Family Partner - EOP") is None
    assert title_pattern("Peer Specialist – Crisis – Team – Lead") is None


def test_vimaan_capture_listing_entry() -> None:
    data = json.loads((FIXTURES / "peerforce" / "get_listings_vimaan_capture.json").read_text())
    [node] = Selector(text=data["html"]).css("li.job_listing")
    entry = listing_entry(node, "https://vimaan.ai/")
    assert entry == {
        "source_id": "23935", "url": "https://vimaan.ai/job/field-engineer-2/",
        "title": "Field Engineer", "employer": None, "location": "San Jose, CA",
        "locations": ["San Jose, CA"], "posted_at": "2024-12-17", "employment_type": None,
        "source_updated_at": entry["source_updated_at"],
        "extra": {"post_id": "23935", "posted_text": "Posted 2 years ago", "featured": True},
    }
    assert entry["source_updated_at"].startswith("list-sha1:")


def test_posting_with_jsonld_every_field_employer_from_the_posting() -> None:
    entry = entries("peerforce_page1.json")[0]
    [item] = job_items(MHMR, entry)
    assert item == common(
        source_id="2231", url=MHMR, title="Family Partner EOP", employer="MHMR Tarrant",
        location="Fort Worth", locations=["Fort Worth"],
        description=item["description"], posted_at="2026-10-27T09:00:00+00:00",
        employment_type="FULL_TIME", source_updated_at=entry["source_updated_at"],
        extra={"post_id": "2231", "posted_text": "Posted 6 days ago",
               "company_website": "https://www.mhmrtarrant.org/",
               "listing_company": "MHMR Tarrant"},
    )
    assert item["description"].startswith("Pay is determined by relevant experience")
    assert "\n\nI) Job Purpose\n\nThe position of Family Partner" in item["description"]


def test_posting_without_company_takes_the_employer_from_the_title_pattern() -> None:
    entry = entries("peerforce_page2.json")[0]
    # The listing already names the employer through the title; "Anywhere" is no location.
    assert (entry["employer"], entry["location"]) == ("Spindletop Center", None)
    [item] = job_items(SPINDLETOP, entry)
    assert item == common(
        source_id="2204", url=SPINDLETOP,
        title="Spindletop Center – Beaumont, TX – Full Time – Peer Specialist",
        employer="Spindletop Center", location="Beaumont, TX", locations=["Beaumont, TX"],
        description="The Peer Specialist role involves using lived experience to provide "
                    "empathetic support and guidance to individuals navigating mental health "
                    "challenges.\n\nMust be willing to obtain Certified Peer Specialist.",
        posted_at="2026-10-13T09:00:00+00:00", employment_type="Full Time",
        source_updated_at=entry["source_updated_at"],
        extra={"post_id": "2204", "posted_text": "Posted 3 weeks ago",
               "title_pattern": {"employer": "Spindletop Center", "location": "Beaumont, TX",
                                 "employment_type": "Full Time", "title": "Peer Specialist"}},
    )


# -- crawls -----------------------------------------------------------------------------


def paths(result: CrawlResult, host: str = "peerforce.org") -> list[str]:
    out = []
    for r in result.requests:
        if r.host != host or r.path == "/robots.txt":
            continue
        form = dict(pair.split("=", 1) for pair in r.body.decode().split("&")) if r.body else {}
        out.append(f"{r.method} {r.path}" + (f" page={form['page']}" if "page" in form else ""))
    return out


JOB_GETS = sorted(f"GET /job/{slug}/" for slug in (
    "mhmr-tarrant-fort-worth-full-time-family-partner-eop",
    "association-of-persons-affected-by-addiction-apaa-dallas-tx-full-time-bilingual-mental-"
    "health-peer-specialist",
    "spindletop-center-beaumont-tx-full-time-peer-specialist"))


def test_crawl_pages_to_max_num_pages_and_keeps_each_postings_employer(data_dir: Path) -> None:
    result = run_crawl(data_dir, "peerforce", SITE, boards=[PF],
                       registry=[registry(PF, per_page=2)])
    assert {i["source_id"]: i["employer"] for i in result.items} == {
        "2231": "MHMR Tarrant", "2218": "Association of Persons Affected by Addiction (APAA)",
        "2204": "Spindletop Center"}
    stats = result.board(SOURCE)
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["requests"]) == (
        "complete", 3, 2, 5)
    assert stats["problems"] == {}
    got = paths(result)
    # Pages come in order; job pages from page 1 may be fetched before or after page 2.
    assert got[0] == "POST /jm-ajax/get_listings/ page=1"
    assert [p for p in got if p.startswith("POST")] == [
        "POST /jm-ajax/get_listings/ page=1", "POST /jm-ajax/get_listings/ page=2"]
    assert sorted(p for p in got if not p.startswith("POST")) == JOB_GETS
    bodies = [dict(p.split("=", 1) for p in r.body.decode().split("&"))
              for r in result.requests if r.method == "POST"]
    assert all(b["per_page"] == "2" and b["orderby"] == "date" and b["order"] == "DESC"
               for b in bodies)
    assert all(i["url"].startswith(f"{PF}job/") for i in result.items)


def test_second_run_skips_unchanged_postings_and_refetches_an_edited_entry(
        data_dir: Path, tmp_path: Path) -> None:
    entry = [registry(PF, per_page=2)]
    first = run_crawl(data_dir, "peerforce", SITE, boards=[PF], registry=entry)
    assert len(paths(first)) == 5
    build(data_dir, data_dir / "archive", lambda row: {})
    second = run_crawl(data_dir, "peerforce", SITE, boards=[PF], registry=entry,
                       now="2026-11-09T03:00:00Z")
    assert paths(second) == ["POST /jm-ajax/get_listings/ page=1",
                             "POST /jm-ajax/get_listings/ page=2"]
    assert {i["detail_skipped"] for i in second.items} == {True}
    assert {i["employer"] for i in second.items} == {
        "MHMR Tarrant", "Association of Persons Affected by Addiction (APAA)",
        "Spindletop Center"}
    build(data_dir, data_dir / "archive", lambda row: {})

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    page = changed / "bodies" / "peerforce_page1.json"
    page.write_text(page.read_text().replace("Fort Worth", "Arlington", 1))
    third = run_crawl(data_dir, "peerforce", changed, boards=[PF], registry=entry,
                      now="2026-11-16T03:00:00Z")
    assert [p for p in paths(third) if p.startswith("GET")] == [
        "GET /job/mhmr-tarrant-fort-worth-full-time-family-partner-eop/"]
    assert third.by_id()["2231"]["detail_skipped"] is None


# -- bad input -----------------------------------------------------------------------------

BAD = [f"https://wpjm-{c}.example/" for c in "abcdefhi"]


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "peerforce", SITE, boards=BAD,
                     registry=[registry(b) for b in BAD],
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


def board_of(result: CrawlResult, c: str) -> dict[str, Any]:
    return result.board(f"peerforce:wpjm-{c}.example")


@pytest.mark.parametrize(("c", "problems"), [
    ("b", {"html_instead_of_json": 1, "login_wall": 1}), ("c", {"login_wall": 2}),
    ("d", {"access_denied": 2}), ("e", {"malformed_json": 1, "http_404": 1}),
    ("h", {"redirect_loop": 2}),
])
def test_a_board_neither_listing_answers_fails_alone(listing_crawl: CrawlResult, c: str,
                                                    problems: dict[str, int]) -> None:
    stats = board_of(listing_crawl, c)
    assert (stats["status"], stats["problems"], stats["items"]) == ("failed", problems, 0)
    assert listing_crawl.stats["finish_reason"] == "finished"


def test_500_is_retried_then_the_rss_feed_lists_the_board(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "a")
    assert (stats["status"], stats["items"], stats["problems"]) == (
        "complete", 1, {"http_5xx": 1})
    assert paths(listing_crawl, "wpjm-a.example") == [
        "POST /jm-ajax/get_listings/ page=1"] * 3 + [
        "GET /", "GET /job/association-of-persons-affected-by-addiction-apaa-dallas-tx-full-"
        "time-bilingual-mental-health-peer-specialist/"]
    [item] = [i for i in listing_crawl.items if i["source"] == "peerforce:wpjm-a.example"]
    assert (item["source_id"], item["employer"]) == (
        "2218", "Association of Persons Affected by Addiction (APAA)")


def test_empty_board_is_complete(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "f")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["problems"]) == (
        "complete", 0, 1, {})


def test_429_retried_and_a_page_beyond_the_last(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "i")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["problems"]) == (
        "complete", 2, 3, {"beyond_last_page": 1})
    assert paths(listing_crawl, "wpjm-i.example").count("POST /jm-ajax/get_listings/ page=1") == 2


def test_robots_disallowed_listing_and_feed_are_never_fetched(data_dir: Path) -> None:
    board = "https://wpjm-g.example/"
    result = run_crawl(data_dir, "peerforce", SITE, boards=[board], registry=[registry(board)])
    stats = result.board("peerforce:wpjm-g.example")
    assert (stats["status"], stats["problems"], stats["requests"]) == (
        "failed", {"robots_disallowed": 2}, 0)
    assert [r.path for r in result.requests] == ["/robots.txt"]


def test_failed_posting_pages_land_as_sightings(tmp_path: Path) -> None:
    board = "https://wpjm-k.example/"
    result = run_crawl(tmp_path / "data", "peerforce", SITE, boards=[board],
                       registry=[registry(board)], settings={"DOWNLOAD_TIMEOUT": 2})
    stats = result.board("peerforce:wpjm-k.example")
    assert stats["problems"] == {"http_5xx": 1, "timeout": 1, "not_a_posting": 1,
                                 "login_wall": 1, "missing_title": 1}
    assert (stats["status"], stats["items"]) == ("partial", 4)  # the untitled one was dropped
    got = {i["source_id"]: (i["detail_skipped"], i["extra"].get("detail_error"), i["employer"])
           for i in result.items}
    assert got == {"3001": (None, None, "Sample Recovery Center"),
                   "3002": (True, "http_5xx", "Sample Recovery Center"),
                   "3003": (True, "timeout", "Sample Recovery Center"),
                   "3004": (True, "not_a_posting", "Sample Recovery Center")}
