"""PageUp: real RSS captures parse to exact items; the HTML fallback pages to the end; bad input
is counted per board."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, CrawlResult, fake_response, make_spider, run_crawl

from crawlers.platforms.pageup import board_base, labelled_lines, split_locations
from crawlers.registry import Board
from crawlers.spiders.pageup import PageUpCareerSitesSpider
from db.build import build

SITE = FIXTURES / "pageup" / "site"
HOST = "careers.pageuppeople.com"
VA = f"https://{HOST}/1125/cw/en-us/"
HTML_BOARD = f"https://{HOST}/1126/cw/en-us/"


def board(url: str, **options: Any) -> Board:
    return Board(platform="pageup", board=url, key=url.split("://")[1].rstrip("/"),
                 employer="Commonwealth of Virginia", options=options)


def registry(url: str, **options: Any) -> dict[str, Any]:
    return {"platform": "pageup", "board": url, "employer": "Commonwealth of Virginia",
            "state": "VA", **options}


def source(url: str) -> str:
    return "pageup:" + url.split("://")[1].rstrip("/")


def parse_feed(name: str, url: str, **options: Any) -> list[dict[str, Any]]:
    spider = make_spider(PageUpCareerSitesSpider)
    the_board = board(url, **options)
    body = (FIXTURES / "pageup" / name).read_bytes()
    response = fake_response(f"{url}rss", body, board=the_board, html=False,
                             meta={"base": url, "listing": True})
    return [asdict(item) for item in spider.parse_rss(response) if hasattr(item, "source_id")]


def common(board_url: str, **fields: Any) -> dict[str, Any]:
    base = {"source": source(board_url), "platform": "pageup", "board": board_url,
            "fetched_at": FETCHED_AT, "detail_skipped": None, "pay_text": None,
            "pay_min": None, "pay_max": None, "pay_period": None, "pay_currency": None,
            "remote": None, "closes_at": None, "employer": "Commonwealth of Virginia"}
    base.update(fields)
    return base


def test_board_urls() -> None:
    assert board_base("https://careers.pageuppeople.com/1125/cw/en-us/job/5083718/peer") == VA
    assert board_base("1083/cw/en") == f"https://{HOST}/1083/cw/en/"
    assert board_base(f"https://{HOST}/mob/1083/cw/en/listing/") == f"https://{HOST}/1083/cw/en/"
    with pytest.raises(ValueError):
        board_base(f"https://{HOST}/cw/en-us/")


def test_location_groups_split_only_when_every_part_is_a_group() -> None:
    assert split_locations("VIC|Melbourne,WA|Perth") == ["VIC|Melbourne", "WA|Perth"]
    assert split_locations("Marion, IN") == ["Marion, IN"]
    assert split_locations("Partial Remote,Bethlehem") == ["Partial Remote,Bethlehem"]
    assert split_locations(None) == []


def test_kinetic_capture_every_field_and_location_groups() -> None:
    url = f"https://{HOST}/1083/cw/en/"
    items = parse_feed("rss_kinetic_2items_trimmed.xml", url)
    first, second = items
    description = first.pop("description")
    assert first == common(
        url, source_id="495930", url=f"{url}job/495930",
        title="Senior Communications Specialist", location="VIC|Melbourne",
        locations=["VIC|Melbourne", "WA|Perth"], posted_at="Thu, 01 Oct 2026 01:00:00 Z",
        employment_type="Full Time", source_updated_at="2026-10-01T01:00:00Z",
        extra={"business_layer_1": "Transformation", "categories": ["Marketing & Communications"],
               "apply_link": "https://secure.dc2.pageuppeople.com/apply/1083/gateway/default.aspx"
                             "?c=apply&lJobID=495930&lJobSourceTypeID=796&sLanguage=en",
               "location_raw": "VIC|Melbourne,WA|Perth"},
    )
    assert description.startswith("About The Role\nThis is a highly impactful role")
    assert "<p>" not in description and "&lt;" not in description
    assert second["employment_type"] == "Full Time,Part Time"
    assert len(second["locations"]) == 5


def test_virginia_feed_agency_is_employer_and_hiring_range_is_pay() -> None:
    items = {i["source_id"]: i for i in parse_feed("rss_virginia_3items_edited.xml", VA)}
    peer = items["5083718"]
    description = peer.pop("description")
    assert peer == common(
        VA, source_id="5083718", url=f"{VA}job/5083718", title="Peer Recovery Specialist",
        employer="Dept Behavioral Health/Develop", location="Petersburg, Virginia",
        locations=["Petersburg, Virginia"],
        pay_text="$33,828.00 to $51,572.00 - Commensurate with experience.",
        posted_at="Mon, 26 Oct 2026 04:00:00 Z", closes_at="Tue, 10 Nov 2026 04:59:00 Z",
        employment_type="Full Time (Salaried)", source_updated_at="2026-10-26T04:00:00Z",
        extra={"business_layer_1": "Central State Hospital", "categories": ["Healthcare"],
               "apply_link": "https://secure.dc4.pageuppeople.com/apply/1125/gateway/default.aspx"
                             "?c=apply&lJobID=5083718&lJobSourceTypeID=796&sLanguage=en-us",
               "state_role_title": "49053", "pay_band": "3",
               "facility": "Central State Hospital",
               "agency_website": "https://dbhds.virginia.gov/facilities/csh/",
               "recruitment_type": "General Public - G"},
    )
    assert description.startswith("Title: Peer Recovery Specialist\nState Role Title: 49053\n")
    # No Agency line: the registry's employer; the business layer stays in extra.
    wage = items["5084120"]
    assert (wage["employer"], wage["pay_text"], wage["extra"]["business_layer_1"]) == (
        "Commonwealth of Virginia", None, "Western State Hospital")


def test_business_layer_as_employer_when_the_board_says_so() -> None:
    items = {i["source_id"]: i for i in parse_feed("rss_virginia_3items_edited.xml", VA,
                                                    employer_from="businessLayer1")}
    assert items["5084120"]["employer"] == "Western State Hospital"
    assert items["5083718"]["employer"] == "Dept Behavioral Health/Develop"  # Agency line first


def test_lehigh_capture_other_namespace_prefixes_and_partial_remote() -> None:
    url = f"https://{HOST}/865/cw/en-us/"
    [item] = parse_feed("rss_lehigh_partial_remote_capture.xml", url)
    assert (item["source_id"], item["location"], item["remote"], item["employment_type"]) == (
        "504065", "Partial Remote,Bethlehem", None, "Nonexempt Staff Full-time")
    assert "approximate salary range of $37,190-$44,640" in item["description"]


def test_empty_feed_capture_is_an_empty_board() -> None:
    url = f"https://{HOST}/434/cbw/en/"
    assert parse_feed("rss_empty_cpb_capture.xml", url) == []


def test_labelled_header_lines() -> None:
    assert labelled_lines("Agency: DBHDS\nLocation: Central State Hospital\n\nAgency: other") == {
        "agency": "DBHDS", "location": "Central State Hospital"}


# -- crawls -----------------------------------------------------------------------------


def paths(result: CrawlResult) -> list[str]:
    return [f"{r.path}?{r.query}" if r.query else r.path for r in result.requests
            if r.path != "/robots.txt"]


def test_rss_crawl_is_one_request_for_the_whole_board(data_dir: Path) -> None:
    result = run_crawl(data_dir, "pageup", SITE, boards=[VA], registry=[registry(VA)])
    assert sorted(result.by_id()) == ["5083718", "5083999", "5084120"]
    stats = result.board(source(VA))
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["requests"]) == (
        "complete", 3, 1, 1)
    assert paths(result) == ["/1125/cw/en-us/rss"] and stats["problems"] == {}
    assert all(i["url"].startswith(f"{VA}job/") for i in result.items)
    assert result.by_id()["5083999"]["employer"] == "Department of Transportation"


def test_failed_rss_falls_back_to_the_html_listing_paged_to_the_end(data_dir: Path) -> None:
    result = run_crawl(data_dir, "pageup", SITE, boards=[HTML_BOARD],
                       registry=[registry(HTML_BOARD, page_items=2)])
    stats = result.board(source(HTML_BOARD))
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["requests"]) == (
        "complete", 3, 2, 6)
    assert stats["problems"] == {"http_5xx": 1}  # counted; the listing still saw every posting
    # The RSS is asked first and the listing pages in order; job pages interleave with page 2
    # depending on concurrency, so only the order that follows from the links is asserted.
    order = paths(result)
    listing = [p for p in order if "/listing/" in p]
    assert order[0] == "/1126/cw/en-us/rss"
    assert listing == ["/1126/cw/en-us/listing/?page=1&page-items=2",
                       "/1126/cw/en-us/listing/?page=2&page-items=2"]
    assert order.index(listing[0]) == 1
    peer = result.by_id()["5083718"]
    assert peer == {**peer, "title": "Peer Recovery Specialist",
                    "employer": "Dept Behavioral Health/Develop",
                    "location": "Petersburg, Virginia",
                    "pay_text": "$33,828.00 to $51,572.00 - Commensurate with experience.",
                    "posted_at": "2026-10-26T04:00:00Z", "closes_at": "2026-11-10T04:59:00Z",
                    "employment_type": "Full Time (Salaried)",
                    "url": f"{HTML_BOARD}job/5083718/peer-recovery-specialist"}
    assert peer["extra"]["job_number"] == "5083718" and peer["source_updated_at"].startswith(
        "list-sha1:")
    wage = result.by_id()["5084120"]
    assert (wage["employer"], wage["closes_at"]) == ("Commonwealth of Virginia", None)


def test_second_run_skips_unchanged_job_pages_and_refetches_an_edited_row(
        data_dir: Path, tmp_path: Path) -> None:
    entry = [registry(HTML_BOARD, page_items=2), registry(VA)]
    boards = [HTML_BOARD, VA]
    first = run_crawl(data_dir, "pageup", SITE, boards=boards, registry=entry)
    assert len(paths(first)) == 7
    build(data_dir, data_dir / "archive", lambda row: {})
    second = run_crawl(data_dir, "pageup", SITE, boards=boards, registry=entry,
                       now="2026-11-09T03:00:00Z")
    assert sorted(paths(second)) == ["/1125/cw/en-us/rss", "/1126/cw/en-us/listing/?page=1&"
                                     "page-items=2", "/1126/cw/en-us/listing/?page=2&page-items=2",
                                     "/1126/cw/en-us/rss"]
    assert second.board(source(HTML_BOARD))["details_skipped"] == 3
    # The RSS carries every posting in full: nothing to skip, same stamps as before.
    rss_items = [i for i in second.items if i["source"] == source(VA)]
    assert {i["detail_skipped"] for i in rss_items} == {None}
    assert {i["source_updated_at"] for i in rss_items} == {
        "2026-10-26T04:00:00Z", "2026-10-29T09:15:00Z", "2026-10-20T12:00:00Z"}
    build(data_dir, data_dir / "archive", lambda row: {})

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    page = changed / HOST / "1126" / "cw" / "en-us" / "listing?page=2&page-items=2"
    page.write_text(page.read_text().replace("Salem, Virginia", "Roanoke, Virginia", 1))
    third = run_crawl(data_dir, "pageup", changed, boards=[HTML_BOARD], registry=entry[:1],
                      now="2026-11-16T03:00:00Z")
    assert [p for p in paths(third) if "/job/" in p] == [
        "/1126/cw/en-us/job/5083999/transportation-operator-ii"]
    assert third.by_id()["5083999"]["detail_skipped"] is None


# -- bad input -----------------------------------------------------------------------------


def account(n: int) -> str:
    return f"https://{HOST}/{n}/cw/en-us/"


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    boards = [account(n) for n in (2001, 2002, 2004, 2005, 2006, 2007, 2008, 2009)]
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "pageup", SITE, boards=boards,
                     registry=[registry(b) for b in boards],
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


@pytest.mark.parametrize(("n", "problems"), [
    (2001, {"login_wall": 2}), (2002, {"access_denied": 2}), (2004, {"http_404": 2}),
    (2007, {"redirect_loop": 2}), (2008, {"html_instead_of_rss": 1, "no_listing_found": 1}),
])
def test_a_board_neither_surface_answers_fails_alone(listing_crawl: CrawlResult, n: int,
                                                    problems: dict[str, int]) -> None:
    stats = listing_crawl.board(source(account(n)))
    assert (stats["status"], stats["problems"], stats["items"]) == ("failed", problems, 0)
    assert listing_crawl.stats["finish_reason"] == "finished"


def test_429_is_retried_and_an_empty_feed_is_a_complete_empty_board(
        listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board(source(account(2005)))
    assert (stats["status"], stats["items"], stats["requests"], stats["problems"]) == (
        "complete", 0, 2, {})


def test_truncated_feed_falls_back_and_lands_the_posting(listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board(source(account(2006)))
    assert (stats["status"], stats["items"], stats["problems"]) == (
        "complete", 1, {"truncated": 1})


def test_500_is_retried_then_a_page_beyond_the_last_is_counted(
        listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board(source(account(2009)))
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["problems"]) == (
        "complete", 1, 2, {"http_5xx": 1, "beyond_last_page": 1})
    assert paths(listing_crawl).count("/2009/cw/en-us/rss") == 3


def test_robots_disallowed_board_is_never_fetched(data_dir: Path) -> None:
    # Alone in its crawl: see the report on concurrent first requests and robots.txt.
    result = run_crawl(data_dir, "pageup", SITE, boards=[account(2003)],
                       registry=[registry(account(2003))])
    stats = result.board(source(account(2003)))
    assert (stats["status"], stats["problems"], stats["requests"]) == (
        "failed", {"robots_disallowed": 2}, 0)
    assert [r.path for r in result.requests] == ["/robots.txt"]


def test_failed_job_pages_land_as_sightings(tmp_path: Path) -> None:
    result = run_crawl(tmp_path / "data", "pageup", SITE, boards=[account(1127)],
                       registry=[registry(account(1127))], settings={"DOWNLOAD_TIMEOUT": 2})
    stats = result.board(source(account(1127)))
    assert stats["problems"] == {"timeout": 2, "http_5xx": 1, "detail_gone": 1,
                                 "job_unavailable": 1}
    assert (stats["status"], stats["items"]) == ("complete", 5)
    got = {i["source_id"]: (i["detail_skipped"], i["extra"].get("detail_error"))
           for i in result.items}
    # The job page that 404s keeps the listing's copy: the listing still shows the posting.
    assert got == {"509001": (None, None), "509002": (True, "http_5xx"),
                   "509003": (True, "timeout"), "509004": (True, "detail_gone"),
                   "509005": (True, "job_unavailable")}
