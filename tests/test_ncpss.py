"""NC PSS job board (Drupal): the view pages to its end, postings keep the employer they name
(or none: the board is never the employer), bad input is counted per board."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, CrawlResult, fake_response, make_spider, run_crawl
from parsel import Selector

from crawlers.platforms.ncpss import body_lines, listing_entries, posting_path
from crawlers.registry import Board
from crawlers.spiders.ncpss import NcPeerSupportJobsSpider
from db.build import build

SITE = FIXTURES / "ncpss" / "site"
BOARD_URL = "https://pss.unc.edu/pssjobs"
SOURCE = "ncpss:pss.unc.edu/pssjobs"
BOARD = Board(platform="ncpss", board=BOARD_URL, key="pss.unc.edu/pssjobs",
              employer="NC Peer Support Specialist Program job board",
              options={"multi_employer": True})


def registry(url: str) -> dict[str, Any]:
    return {"platform": "ncpss", "board": url, "employer": "NC Peer Support Specialist Program "
            "job board", "state": "NC", "multi_employer": True}


def page(rel: str) -> str:
    return (SITE / "pss.unc.edu" / rel).read_text(encoding="utf-8")


def parse(slug: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    spider = make_spider(NcPeerSupportJobsSpider)
    url = f"{BOARD_URL}/{slug}"
    response = fake_response(url, page(f"pssjobs/{slug}/index.html"), board=BOARD,
                             meta={"entry": entry, "fallback": spider.posting(BOARD, **entry)})
    return [asdict(i) for i in spider.parse_posting(response)]


def common(**fields: Any) -> dict[str, Any]:
    base = {"source": SOURCE, "platform": "ncpss", "board": BOARD_URL, "fetched_at": FETCHED_AT,
            "detail_skipped": None, "pay_min": None, "pay_max": None, "pay_period": None,
            "pay_currency": None, "remote": None, "closes_at": None, "employment_type": None}
    base.update(fields)
    return base


def test_posting_paths() -> None:
    assert posting_path(f"{BOARD_URL}/cpss-5", "/pssjobs") == "pssjobs/cpss-5"
    assert posting_path("https://pss.unc.edu/node/22057", "/pssjobs") == "node/22057"
    assert posting_path(f"{BOARD_URL}?page=1", "/pssjobs") is None
    assert posting_path("https://pss.unc.edu/about-nccpss-program", "/pssjobs") is None
    assert body_lines("Agency: A\nagency: B\nNature of Work\nLocation: Durham, NC") == {
        "agency": "A", "location": "Durham, NC"}


def test_listing_reads_view_rows_not_navigation() -> None:
    entries = listing_entries(Selector(text=page("pssjobs/index.html")), f"{BOARD_URL}",
                              "/pssjobs")
    assert [(e["source_id"], e["title"], e["posted_at"]) for e in entries] == [
        ("pssjobs/certified-peer-support-specialist-6", "Certified Peer Support Specialist",
         "2026-10-28T12:00:00Z"),
        ("pssjobs/peer-navigator-peer-specialist", "Peer Navigator (Peer Specialist)",
         "2026-10-30T12:00:00Z")]
    assert entries[0]["extra"] == {"listing_text": "Certified Peer Support Specialist "
                                                   "10/28/2026"}


def test_posting_naming_no_employer_keeps_none() -> None:
    entry = {"source_id": "pssjobs/certified-peer-support-specialist-6",
             "url": f"{BOARD_URL}/certified-peer-support-specialist-6",
             "title": "Certified Peer Support Specialist", "source_updated_at": "list-sha1:1",
             "extra": {}}
    [item] = parse("certified-peer-support-specialist-6", entry)
    description = item.pop("description")
    assert item == common(
        source_id="pssjobs/certified-peer-support-specialist-6",
        url=f"{BOARD_URL}/certified-peer-support-specialist-6",
        title="Certified Peer Support Specialist", employer=None, location=None, locations=None,
        pay_text=None, posted_at="2026-10-28T12:00:00-04:00", source_updated_at="list-sha1:1",
        extra={"node_id": "22057", "modified_at": "2026-10-28T15:30:00-04:00",
               "headings": ["Program Summary:", "Position:", "Reports to:", "Summary:",
                            "Qualifications:"]},
    )
    assert description.startswith("Program Summary: Provide an array of Peer Support Services")
    assert description.endswith("high school diploma or GED equivalency.")


def test_posting_with_labelled_lines_names_employer_place_and_pay() -> None:
    entry = {"source_id": "pssjobs/peer-navigator-peer-specialist",
             "url": f"{BOARD_URL}/peer-navigator-peer-specialist",
             "title": "Peer Navigator (Peer Specialist)", "source_updated_at": "list-sha1:2",
             "extra": {}}
    [item] = parse("peer-navigator-peer-specialist", entry)
    description = item.pop("description")
    assert item == common(
        source_id="pssjobs/peer-navigator-peer-specialist",
        url=f"{BOARD_URL}/peer-navigator-peer-specialist",
        title="Peer Navigator (Peer Specialist)",
        employer="Example Peer Services, Inc. (fixture)", location="Durham, NC",
        locations=["Durham, NC"], pay_text="$17.50 - $19.00 per hour",
        posted_at="2026-10-30T12:00:00-04:00", source_updated_at="list-sha1:2",
        extra={"node_id": "22061", "modified_at": "2026-10-30T15:30:00-04:00",
               "headings": ["JOB TITLE:", "Agency:", "Location:", "Salary:", "REPORT TO:",
                            "Nature of Work"]},
    )
    assert "\n\nNature of Work\n\nProvides recovery support" in description


# -- crawls -----------------------------------------------------------------------------


def paths(result: CrawlResult, host: str = "pss.unc.edu") -> list[str]:
    return [f"{r.path}?{r.query}" if r.query else r.path for r in result.requests
            if r.host == host and r.path != "/robots.txt"]


def test_crawl_pages_the_view_and_reads_every_posting(data_dir: Path) -> None:
    result = run_crawl(data_dir, "ncpss", SITE, boards=[BOARD_URL],
                       registry=[registry(BOARD_URL)])
    assert {i["source_id"]: i["employer"] for i in result.items} == {
        "pssjobs/certified-peer-support-specialist-6": None,
        "pssjobs/peer-navigator-peer-specialist": "Example Peer Services, Inc. (fixture)",
        "pssjobs/peer-support-specialist-services-contract": None}
    stats = result.board(SOURCE)
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["requests"]) == (
        "complete", 3, 2, 5)
    assert stats["problems"] == {}
    got = paths(result)
    # Listing pages come in order; postings linked from the first may come before the second.
    assert got[0] == "/pssjobs"
    assert [p for p in got if p.startswith("/pssjobs?") or p == "/pssjobs"] == [
        "/pssjobs", "/pssjobs?page=1"]
    assert all(i["url"].startswith(f"{BOARD_URL}/") for i in result.items)


def test_second_run_skips_unchanged_postings_and_refetches_an_edited_row(
        data_dir: Path, tmp_path: Path) -> None:
    entry = [registry(BOARD_URL)]
    run_crawl(data_dir, "ncpss", SITE, boards=[BOARD_URL], registry=entry)
    build(data_dir, data_dir / "archive", lambda row: {})
    second = run_crawl(data_dir, "ncpss", SITE, boards=[BOARD_URL], registry=entry,
                       now="2026-11-09T03:00:00Z")
    assert paths(second) == ["/pssjobs", "/pssjobs?page=1"]
    assert second.board(SOURCE)["details_skipped"] == 3
    build(data_dir, data_dir / "archive", lambda row: {})
    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    listing = changed / "pss.unc.edu" / "pssjobs?page=1"
    listing.write_text(listing.read_text().replace("10/14/2026", "11/10/2026"))
    third = run_crawl(data_dir, "ncpss", changed, boards=[BOARD_URL], registry=entry,
                      now="2026-11-16T03:00:00Z")
    assert paths(third) == ["/pssjobs", "/pssjobs?page=1",
                            "/pssjobs/peer-support-specialist-services-contract"]


# -- bad input -----------------------------------------------------------------------------

BAD = [f"https://pss-{n}.example/pssjobs" for n in (
    "down", "busy", "login", "denied", "empty", "beyond", "loop", "changed")]


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "ncpss", SITE, boards=BAD,
                     registry=[registry(b) for b in BAD],
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


def board_of(result: CrawlResult, name: str) -> dict[str, Any]:
    return result.board(f"ncpss:pss-{name}.example/pssjobs")


@pytest.mark.parametrize(("name", "problems"), [
    ("down", {"http_5xx": 1}), ("login", {"login_wall": 1}),
    ("denied", {"access_denied": 1}), ("loop", {"redirect_loop": 1}),
    ("changed", {"no_postings_found": 1}),
])
def test_a_board_that_cannot_be_read_fails_alone(listing_crawl: CrawlResult, name: str,
                                                 problems: dict[str, int]) -> None:
    stats = board_of(listing_crawl, name)
    assert (stats["status"], stats["problems"], stats["items"]) == ("failed", problems, 0)
    assert listing_crawl.stats["finish_reason"] == "finished"


def test_retries_and_empty_views(listing_crawl: CrawlResult) -> None:
    assert board_of(listing_crawl, "down")["requests"] == 3
    busy, empty = board_of(listing_crawl, "busy"), board_of(listing_crawl, "empty")
    assert (busy["status"], busy["requests"], busy["items"]) == ("complete", 2, 0)
    assert (empty["status"], empty["items"], empty["problems"]) == ("complete", 0, {})


def test_a_page_beyond_the_last_is_counted(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "beyond")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["problems"]) == (
        "complete", 1, 2, {"beyond_last_page": 1})


def test_robots_disallowed_board_is_never_fetched(data_dir: Path) -> None:
    board = "https://pss-robots.example/pssjobs"
    result = run_crawl(data_dir, "ncpss", SITE, boards=[board], registry=[registry(board)])
    stats = result.board("ncpss:pss-robots.example/pssjobs")
    assert (stats["status"], stats["problems"], stats["requests"]) == (
        "failed", {"robots_disallowed": 1}, 0)
    assert [r.path for r in result.requests] == ["/robots.txt"]


def test_failed_posting_pages_land_as_sightings(tmp_path: Path) -> None:
    board = "https://pss-broken.example/pssjobs"
    result = run_crawl(tmp_path / "data", "ncpss", SITE, boards=[board],
                       registry=[registry(board)], settings={"DOWNLOAD_TIMEOUT": 2})
    stats = result.board("ncpss:pss-broken.example/pssjobs")
    assert stats["problems"] == {"http_5xx": 1, "timeout": 1, "detail_gone": 1, "login_wall": 1}
    assert (stats["status"], stats["items"]) == ("complete", 5)
    got = {i["source_id"].rsplit("-", 1)[1]: (i["detail_skipped"], i["extra"].get("detail_error"))
           for i in result.items}
    # The page that 404s keeps the listing's copy too: the listing still shows the posting.
    assert got == {"1": (None, None), "2": (True, "http_5xx"), "3": (True, "timeout"),
                   "4": (True, "detail_gone"), "5": (True, "login_wall")}
    assert {i["employer"] for i in result.items} == {None}  # never the board
