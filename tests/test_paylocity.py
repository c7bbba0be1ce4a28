"""Paylocity: the real listing pages parse to exact postings; the crawl reads every Jobs[] entry
and its detail page (JSON-LD, or the job-preview HTML without it); PublishedDate skips unchanged
details; bad input (login walls, access-denied pages, robots.txt refusals...) is counted."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, CrawlResult, fake_response, fixture_bytes, make_spider, run_crawl

from crawlers.platforms.paylocity import company_guid, detail_fields, listing_fields, page_data
from crawlers.registry import Board
from crawlers.spiders.paylocity import PaylocityBoardsSpider
from db.build import build

SITE = FIXTURES / "paylocity" / "site"
HOST = "recruiting.paylocity.com"
MAIN = "70f7d03b-6c9f-4106-8e70-9d781a8bbcba"
SOURCE = f"paylocity:{MAIN}"
DETAIL = f"https://{HOST}/Recruiting/Jobs/Details"


def guid(name: str) -> str:
    h = hashlib.md5(name.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def registry(board: str, **options: Any) -> dict[str, Any]:
    return {"platform": "paylocity", "board": board, "enabled": False,
            "employer": "Registry employer (fixture)", **options}


def listing_items(name: str, board: str = MAIN) -> list[Any]:
    spider = make_spider(PaylocityBoardsSpider)
    b = Board(platform="paylocity", board=board, key=board)
    response = fake_response(f"https://{HOST}/recruiting/jobs/All/{board}",
                             fixture_bytes("paylocity", name), board=b)
    return list(spider.parse_listing(response))


def common(**fields: Any) -> dict[str, Any]:
    base = {"source": SOURCE, "platform": "paylocity", "board": MAIN, "fetched_at": FETCHED_AT,
            "detail_skipped": None, "pay_text": None, "pay_min": None, "pay_max": None,
            "pay_period": None, "pay_currency": None, "closes_at": None, "description": None,
            "employment_type": None}
    base.update(fields)
    return base


def test_board_guid_from_token_or_url() -> None:
    assert company_guid(f"https://{HOST}/Recruiting/Jobs/All/{MAIN.upper()}/Laramie-Montessori") \
        == MAIN
    with pytest.raises(ValueError):
        company_guid("laramie")


def test_laramie_capture_listing_entry_every_field() -> None:
    [request] = listing_items("jobs_all_listing_page_laramie_montessori.html")
    assert request.url == f"{DETAIL}/4263561"
    assert asdict(request.meta["fallback"]) == common(
        source_id="4263561", url=f"{DETAIL}/4263561", title="School Custodian-evening",
        employer="Laramie Montessori School Inc",
        location="608 S 4th St, Laramie, WY 82070-3705, USA",
        locations=["608 S 4th St, Laramie, WY 82070-3705, USA"],
        posted_at="2026-06-24T09:37:34-05:00", remote=False,
        source_updated_at="2026-06-24T09:37:34-05:00",
        extra={"location_name": "Laramie Montessori Charter School", "is_internal": False,
               "indeed_remote_type": 2, "county": "Albany", "metro": "LARAMIE"},
    )


def test_whiterock_capture_two_entries_without_module_title() -> None:
    requests = listing_items("jobs_all_listing_page_whiterock_trimmed.html")
    first = asdict(requests[1].meta["fallback"])
    assert [r.url for r in requests] == [f"{DETAIL}/3908880", f"{DETAIL}/4227773"]
    assert first == common(
        source_id="4227773", url=f"{DETAIL}/4227773", title="Registered Nurse - ER (Days)",
        employer=None, location="9440 Poppy Dr, Dallas, TX 75218, USA",
        locations=["9440 Poppy Dr, Dallas, TX 75218, USA"],
        posted_at="2026-09-09T17:08:29-05:00", remote=False,
        source_updated_at="2026-09-09T17:08:29-05:00",
        extra={"location_name": "Dallas", "is_internal": False, "indeed_remote_type": 2,
               "teaser": "White Rock Medical Center is a 218-bed community-based hospital "
               "located near the historic White Rock Lake comm"},
    )


def test_detail_with_jsonld_pay_every_field() -> None:
    data = page_data(fixture_bytes("paylocity", "site", HOST, "recruiting", "jobs", "All", MAIN)
                     .decode())
    assert data is not None
    job = data["Jobs"][1]
    listed = listing_fields(job, "Laramie Montessori School Inc")
    page = fixture_bytes("paylocity", "job_details_peer_support_reconstructed.html").decode()
    fields = detail_fields(page, listed["url"], listed)
    assert fields is not None
    spider = make_spider(PaylocityBoardsSpider)
    got = asdict(spider.posting(Board(platform="paylocity", board=MAIN, key=MAIN), **fields))
    assert got == common(
        source_id="4263570", url=f"{DETAIL}/4263570", title="Peer Support Specialist",
        employer="Laramie Montessori School Inc",
        location="608 S 4th St, Laramie, WY 82070-3705, USA",
        locations=["608 S 4th St, Laramie, WY 82070-3705, USA"],
        pay_min=18.0, pay_max=21.0, pay_period="HOUR", pay_currency="USD",
        description="The Peer Support Specialist uses lived experience of mental health recovery "
        "to support families of enrolled students.\n\nPay: $18.00 - $21.00 per hour.\n\n"
        "Certified Peer Specialist (Wyoming) or able to obtain certification within 6 months "
        "of hire.",
        posted_at="2026-10-27T08:15:02-05:00", closes_at="2026-12-31", employment_type="FULL_TIME",
        remote=False, source_updated_at="2026-10-27T08:15:02-05:00",
        extra={"location_name": "Laramie Montessori Charter School", "is_internal": False,
               "indeed_remote_type": 2, "county": "Albany", "metro": "LARAMIE",
               "teaser": "The Peer Support Specialist uses lived experience of mental health "
               "recovery to support families of enrolled",
               "identifier_name": "Laramie Montessori School Inc",
               "preview_location": "Laramie Montessori Charter School \u2022 Laramie, WY"},
    )


def test_detail_without_jsonld_reads_the_job_preview_html() -> None:
    listed: dict[str, Any] = {
        "source_id": "4263599", "url": f"{DETAIL}/4263599", "title": "Family Peer Partner",
        "employer": None, "location": "Remote", "locations": ["Remote"], "posted_at": None,
        "remote": True, "source_updated_at": None, "extra": {}}
    page = fixture_bytes("paylocity", "job_details_html_only_reconstructed.html").decode()
    fields = detail_fields(page, f"{DETAIL}/4263599", listed)
    assert fields is not None
    assert (fields["description"], fields["employment_type"], fields["remote"],
            fields["extra"]) == (
        "Supports parents by phone and video, sharing lived experience as a parent of a child "
        "with behavioral health needs.\n\nRequirements\nLived experience as a parent or caregiver.",
        "Part-time", True, {"preview_location": "Remote \u2022 Laramie, WY"})
    assert detail_fields("<html><body>Loading...</body></html>", f"{DETAIL}/4263599", listed) \
        is None


# -- crawls ---------------------------------------------------------------------------------


def paths(result: CrawlResult) -> list[str]:
    return [r.path for r in result.requests if r.path != "/robots.txt"]


IDS = ["4263561", "4263570", "4263588", "4263599"]


def test_crawl_reads_the_board_and_every_detail(data_dir: Path) -> None:
    result = run_crawl(data_dir, "paylocity", SITE, boards=[MAIN], registry=[registry(MAIN)])
    assert sorted(i["source_id"] for i in result.items) == IDS
    stats = result.board(SOURCE)
    assert (stats["status"], stats["problems"], stats["items"], stats["listing_pages"],
            stats["requests"]) == ("complete", {}, 4, 1, 5)
    assert sorted(paths(result)) == [f"/Recruiting/Jobs/Details/{i}" for i in IDS] + [
        f"/recruiting/jobs/All/{MAIN}"]
    by_id = result.by_id()
    assert (by_id["4263588"]["extra"]["is_internal"], by_id["4263599"]["remote"],
            by_id["4263570"]["pay_min"]) == (True, True, 18.0)
    assert {i["employer"] for i in result.items} == {"Laramie Montessori School Inc"}
    assert all(i["url"] == f"{DETAIL}/{i['source_id']}" for i in result.items)


def test_second_run_skips_unchanged_details_and_refetches_a_republished_posting(
        data_dir: Path, tmp_path: Path) -> None:
    entry = [registry(MAIN)]
    run_crawl(data_dir, "paylocity", SITE, boards=[MAIN], registry=entry)
    build(data_dir, data_dir / "archive", lambda row: {})
    second = run_crawl(data_dir, "paylocity", SITE, boards=[MAIN], registry=entry,
                       now="2026-11-09T03:00:00Z")
    assert paths(second) == [f"/recruiting/jobs/All/{MAIN}"]
    assert {i["detail_skipped"] for i in second.items} == {True}
    assert second.board(SOURCE)["details_skipped"] == 4

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    listing = changed / HOST / "recruiting" / "jobs" / "All" / MAIN
    text = listing.read_text(encoding="utf-8").replace(
        '"PublishedDate":"2026-10-27T08:15:02-05:00"', '"PublishedDate":"2026-11-10T08:00:00-05:00"')
    listing.write_text(text, encoding="utf-8")
    third = run_crawl(data_dir, "paylocity", changed, boards=[MAIN], registry=entry,
                      now="2026-11-16T03:00:00Z")
    assert paths(third) == [f"/recruiting/jobs/All/{MAIN}", "/Recruiting/Jobs/Details/4263570"]
    assert third.by_id()["4263570"]["source_updated_at"] == "2026-11-10T08:00:00-05:00"


# -- bad input ------------------------------------------------------------------------------

LISTING = ["empty", "forbidden", "missing", "login", "denied", "nodata", "cut", "loop", "busy",
           "notitle"]


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    boards = [registry(guid(n)) for n in LISTING]
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "paylocity", SITE,
                     boards=[b["board"] for b in boards], registry=boards,
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


@pytest.mark.parametrize(("name", "expected"), [
    ("empty", ("complete", {}, 0)),
    ("forbidden", ("failed", {"http_403": 1}, 0)),
    ("missing", ("failed", {"http_404": 1}, 0)),
    ("login", ("failed", {"login_wall": 1}, 0)),
    ("denied", ("failed", {"access_denied": 1}, 0)),
    ("nodata", ("failed", {"missing_field": 1}, 0)),
    ("cut", ("failed", {"truncated": 1}, 0)),  # the page ends before </html>: not read
    ("loop", ("failed", {"redirect_loop": 1}, 0)),
    ("busy", ("complete", {}, 2)),  # 429 once, retried after Retry-After: 0
    ("notitle", ("partial", {"missing_title": 1}, 1)),
])
def test_listing_problems_are_counted(listing_crawl: CrawlResult, name: str,
                                      expected: tuple[str, dict[str, int], int]) -> None:
    stats = listing_crawl.board(f"paylocity:{guid(name)}")
    assert (stats["status"], stats["problems"], stats["items"]) == expected


def test_the_429_was_retried(listing_crawl: CrawlResult) -> None:
    assert paths(listing_crawl).count(f"/recruiting/jobs/All/{guid('busy')}") == 2
    assert listing_crawl.stats["finish_reason"] == "finished"


def test_failed_details_land_as_sightings(data_dir: Path) -> None:
    name = guid("broken")
    result = run_crawl(data_dir, "paylocity", SITE, boards=[name], registry=[registry(name)],
                       settings={"DOWNLOAD_TIMEOUT": 2})
    stats = result.board(f"paylocity:{name}")
    assert stats["problems"] == {"http_5xx": 1, "timeout": 1, "detail_gone": 1,
                                 "no_posting_found": 1, "access_denied": 1}
    assert stats["status"] == "complete"
    got = {i["source_id"]: (i["detail_skipped"], i["extra"].get("detail_error"))
           for i in result.items}
    # The detail that 404s keeps the listing's copy too: the board still lists the job.
    assert got == {"4270001": (None, None), "4270002": (True, "http_5xx"),
                   "4270003": (True, "timeout"), "4270004": (True, "detail_gone"),
                   "4270005": (True, "no_posting_found"), "4270006": (True, "access_denied")}


def test_robots_txt_refusing_the_board_is_obeyed(data_dir: Path) -> None:
    result = run_crawl(data_dir, "paylocity", FIXTURES / "paylocity" / "site_robots",
                       boards=[MAIN], registry=[registry(MAIN)])
    stats = result.board(SOURCE)
    assert (stats["status"], stats["problems"], stats["items"]) == (
        "failed", {"robots_disallowed": 1}, 0)
    assert [r.path for r in result.requests] == ["/robots.txt"]
    assert json.loads(json.dumps(result.items)) == []
