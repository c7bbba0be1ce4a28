"""NEOGOV agency boards: the captured listing fragments give each posting once (the fragment
renders every posting twice); listing pages are followed to the end; bulletins are fetched
without the XHR header; unchanged entries skip their bulletin; bad input is counted.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, CrawlResult, fake_response, make_spider, run_crawl
from parsel import Selector

from crawlers.platforms.neogov import agency_and_host, listing_cards, listing_url
from crawlers.registry import Board
from crawlers.spiders.neogov import NeogovAgenciesSpider
from db.build import build

HERE = FIXTURES / "neogov"
SITE = HERE / "site"
GOV = "www.governmentjobs.com"
SCHOOL = "www.schooljobs.com"
SIGNAL = re.compile(r"^list-sha1:[0-9a-f]{16}$")
ROUTES: list[dict[str, Any]] = json.loads((SITE / "routes.json").read_text())["routes"]
CWC_PAGE_1 = ["4125290", "4503058", "5282562", "5326093", "5367035", "5340918", "5421529",
              "5429594", "5429336", "5283374"]


def board(agency: str, host: str = GOV, **options: Any) -> Board:
    return Board(platform="neogov", board=agency, key=agency, options={"host": host, **options})


def entry(agency: str, **options: Any) -> dict[str, Any]:
    return {"platform": "neogov", "board": agency, "enabled": False,
            "employer": "Fixture agency", **options}


def served(host: str, path: str, **query: str) -> bytes:
    for route in ROUTES:
        if (route["host"], route["path"]) == (host, path) and route.get("status") == 200 \
                and "file" in route \
                and all(route.get("query", {}).get(k) == v for k, v in query.items()):
            return (SITE / route["file"]).read_bytes()
    raise LookupError(f"{host}{path} {query}")


def listing_response(agency: str, host: str, page: int = 1, body: bytes | None = None) -> Any:
    return fake_response(listing_url(host, agency, page),
                         body or served(host, "/careers/home/index", agency=agency, page=str(page)),
                         board=board(agency, host),
                         meta={"agency": agency, "host": host, "page": page, "seen": set()})


def bulletin_item(agency: str, host: str, job_id: str) -> dict[str, Any]:
    spider = make_spider(NeogovAgenciesSpider)
    [request] = [r for r in spider.parse_listing(listing_response(agency, host))
                 if r.meta.get("card", {}).get("source_id") == job_id]
    path = request.url.split(host, 1)[1]
    response = fake_response(request.url, served(host, path), board=board(agency, host),
                             meta=request.meta)
    [item] = spider.parse_detail(response)
    return asdict(item)


def common(agency: str, **fields: Any) -> dict[str, Any]:
    base = {"source": f"neogov:{agency}", "platform": "neogov", "board": agency,
            "fetched_at": FETCHED_AT, "detail_skipped": None, "remote": None,
            "closes_at": None, "pay_text": None, "pay_min": None, "pay_max": None,
            "pay_period": None, "pay_currency": None}
    base.update(fields)
    return base


# -- boards and listing fragments -----------------------------------------------------------


def test_agency_host_and_listing_url() -> None:
    assert agency_and_host(board("saccounty")) == ("saccounty", GOV)
    assert agency_and_host(board("cwc", SCHOOL)) == ("cwc", SCHOOL)
    assert agency_and_host(Board(platform="neogov", board="https://schooljobs.com/careers/cwc",
                                 key="x")) == ("cwc", SCHOOL)
    with pytest.raises(ValueError):
        agency_and_host(Board(platform="neogov", board="https://www.governmentjobs.com/jobs",
                              key="x"))
    assert listing_url(GOV, "kingcounty", 3) == (
        "https://www.governmentjobs.com/careers/home/index?agency=kingcounty&sort=PostingDate"
        "&isDescendingSort=true&page=3")


def test_captured_fragment_gives_each_posting_once_with_its_table_row() -> None:
    fragment = (HERE / "careers_home_index_fragment_schooljobs_cwc.html").read_text()
    selector = Selector(text=fragment)
    assert len(selector.css("[data-job-id]")) == 20  # each posting twice: card and table row
    cards = listing_cards(selector, SCHOOL)
    assert [c["source_id"] for c in cards] == CWC_PAGE_1
    adjunct, livestock = cards[0], cards[8]
    assert adjunct == {
        "source_id": "4125290", "url": "https://www.schooljobs.com/careers/cwc/jobs/4125290/adjunct",
        "title": "Adjunct", "location": "Riverton", "locations": ["Riverton"],
        "employment_type": "Adjunct", "pay_text": None, "posted_at": "06/07/24",
        "closes_at": None, "source_updated_at": adjunct["source_updated_at"],
        "extra": {"job_number": "24-N001", "department": "Academic Affairs",
                  "category": "Education", "snippet": adjunct["extra"]["snippet"],
                  "posted_text": "Posted more than 30 days ago"},
    }
    assert adjunct["extra"]["snippet"].startswith("**This is an open position to gather")
    assert SIGNAL.match(adjunct["source_updated_at"])
    assert {k: livestock[k] for k in ("title", "employment_type", "pay_text", "posted_at")} == {
        "title": "Livestock Technician", "employment_type": "Part-Time",
        "pay_text": "$15.00 - $17.00 Hourly", "posted_at": "07/29/26"}
    assert livestock["extra"]["job_number"] == "202300205"


def test_captured_contracosta_fragment_without_table_keeps_relative_dates_in_extra() -> None:
    selector = Selector(text=(HERE / "careers_home_index_fragment_contracosta_trimmed.html")
                        .read_text())
    first = listing_cards(selector, GOV)[0]
    assert {k: v for k, v in first.items() if k not in ("source_updated_at", "extra")} == {
        "source_id": "5463760",
        "url": "https://www.governmentjobs.com/careers/contracosta/jobs/5463760/"
               "deputy-district-attorney-i",
        "title": "Deputy District Attorney I", "location": "Contra Costa County, CA",
        "locations": ["Contra Costa County, CA"], "employment_type": "Permanent Full-Time",
        "pay_text": "$130,481.26 Annually", "posted_at": None, "closes_at": None}
    assert (first["extra"]["posted_text"], first["extra"]["closing_text"],
            first["extra"]["department"]) == ("Posted today", "Closes in 3 weeks",
                                              "District Attorney")


def test_only_the_listing_request_carries_the_xhr_header() -> None:
    spider = make_spider(NeogovAgenciesSpider)
    [first] = spider.start_board(board("cwc", SCHOOL))
    assert first.headers.get("X-Requested-With") == b"XMLHttpRequest"
    requests = list(spider.parse_listing(listing_response("cwc", SCHOOL)))
    details = [r for r in requests if r.callback == spider.parse_detail]
    assert len(details) == 10 and all(b"X-Requested-With" not in r.headers for r in details)
    [following] = [r for r in requests if r.callback == spider.parse_listing]
    assert following.url.endswith("&page=2") and following.headers.get("X-Requested-With")


# -- bulletins: every field of two, the reconstructed header block ----------------------------


def test_riverside_bulletin_capture_with_pay_and_a_real_closing_date() -> None:
    item = bulletin_item("riverside", GOV, "5479054")
    description = item.pop("description")
    assert item == common(
        "riverside", source_id="5479054",
        url="https://www.governmentjobs.com/careers/riverside/jobs/5479054/registered-nurse-ii-iii",
        title="Registered Nurse II/III - MC/CHC - Nurse Support Teams - Wound Care Team",
        employer="County of Riverside", location="Moreno Valley, CA 92502-1569, US",
        locations=["Moreno Valley, CA 92502-1569, US"], pay_text="$45.75 - $80.24 Hourly",
        pay_min=45.75, pay_max=80.24, pay_period="HOUR", pay_currency="USD",
        posted_at="2026-09-16", closes_at="2026-09-22", employment_type="Permanent Full-Time",
        source_updated_at=item["source_updated_at"],
        extra={"department": "Riverside University Health System", "posted_text": "Posted today",
               "closing_text": "Closes in 5 days", "directApply": True,
               "listing_location": "Moreno Valley, CA", "employment_type_jsonld": "OTHER"},
    )
    # The description is entity-escaped HTML in the JSON-LD: it comes out as plain text.
    assert description.startswith("The County of Riverside's Riverside University Health System")
    assert "\n\nSalary Range (Hourly) & Differentials\n\n- Registered Nurse II - MC/CHC - " \
           "$45.7530 - $70.8141\n" in description
    assert "&lt;" not in description and "<" not in description


def test_cwc_bulletin_without_pay() -> None:
    item = bulletin_item("cwc", SCHOOL, "4125290")
    assert item == common(
        "cwc", source_id="4125290", url="https://www.schooljobs.com/careers/cwc/jobs/4125290/adjunct",
        title="Adjunct", employer="Central Wyoming College", location="Riverton, WY 82501, US",
        locations=["Riverton, WY 82501, US"], description="Adjunct at Central Wyoming College.",
        posted_at="2024-06-07", employment_type="Adjunct",
        source_updated_at=item["source_updated_at"],
        extra={"job_number": "24-N001", "department": "Academic Affairs", "category": "Education",
               "posted_text": "Posted more than 30 days ago", "directApply": True,
               "listing_location": "Riverton", "listing_posted_at": "06/07/24",
               "employment_type_jsonld": "FULL_TIME"},
    )


def test_header_block_and_details_tab_are_read_when_present() -> None:
    item = bulletin_item("contracosta", GOV, "5475404")
    assert item["pay_text"] == "$53,315.36 - $82,709.62 Annually"  # no header: the listing's
    spider = make_spider(NeogovAgenciesSpider)
    request = next(r for r in spider.parse_listing(listing_response("contracosta", GOV, 2))
                   if r.callback == spider.parse_detail)
    path = request.url.split(GOV, 1)[1]
    [peer] = spider.parse_detail(fake_response(request.url, served(GOV, path),
                                               board=board("contracosta"), meta=request.meta))
    assert (peer.title, peer.employment_type, peer.pay_text, peer.closes_at) == (
        "Peer Support Specialist - Behavioral Health", "Permanent Full-Time",
        "$24.37 - $29.62 Hourly", "2026-11-10")
    assert (peer.extra["job_number"], peer.extra["division"], peer.extra["opening_date"]) == (
        "25-9PA3-01", "Behavioral Health Services", "10/27/2026")


# -- crawls -----------------------------------------------------------------------------------

MAIN = [entry("cwc", host=SCHOOL), entry("contracosta"), entry("riverside")]


def listings(result: CrawlResult, agency: str) -> list[str]:
    return [dict(p.split("=", 1) for p in r.query.split("&"))["page"] for r in result.requests
            if r.path == "/careers/home/index" and f"agency={agency}&" in r.query]


def bulletins(result: CrawlResult, agency: str) -> list[str]:
    return sorted(r.path for r in result.requests if r.path.startswith(f"/careers/{agency}/jobs/"))


def test_crawl_follows_the_pager_and_the_total_to_the_end(data_dir: Path) -> None:
    result = run_crawl(data_dir, "neogov", SITE, boards=["cwc", "contracosta", "riverside"],
                       registry=MAIN)
    cwc = result.board("neogov:cwc")
    assert (cwc["status"], cwc["items"], cwc["listing_pages"], cwc["requests"]) == (
        "complete", 13, 2, 15)
    assert listings(result, "cwc") == ["1", "2"] and cwc["problems"] == {}
    costa = result.board("neogov:contracosta")
    assert (costa["status"], costa["items"], costa["listing_pages"], costa["requests"]) == (
        "complete", 3, 2, 5)
    assert listings(result, "contracosta") == ["1", "2"]  # no pager: the total (3) says go on
    assert result.board("neogov:riverside")["status"] == "complete"
    assert len(result.items) == 17
    assert sorted(i["source_id"] for i in result.items if i["board"] == "cwc") == sorted(
        [*CWC_PAGE_1, "5440015", "5440016", "5440017"])
    assert {r.host for r in result.requests} == {GOV, SCHOOL}
    assert all(i["url"].startswith(("https://www.schooljobs.com/careers/cwc/jobs/",
                                     "https://www.governmentjobs.com/careers/"))
               for i in result.items)
    peer = result.by_id()["5440017"]
    assert (peer["title"], peer["pay_text"], peer["pay_min"], peer["pay_max"], peer["pay_period"],
            peer["posted_at"]) == ("Peer Recovery Coach - Collegiate Recovery",
                                   "$18.50 - $21.00 Hourly", 18.5, 21.0, "HOUR", "2026-08-03")
    assert all(SIGNAL.match(i["source_updated_at"]) for i in result.items)


def test_second_run_skips_unchanged_entries_and_refetches_an_edited_one(
        data_dir: Path, tmp_path: Path) -> None:
    boards = ["cwc", "contracosta", "riverside"]
    first = run_crawl(data_dir, "neogov", SITE, boards=boards, registry=MAIN)
    assert len([r for r in first.requests if r.path != "/robots.txt"]) == 22
    build(data_dir, data_dir / "archive", lambda row: {})

    second = run_crawl(data_dir, "neogov", SITE, boards=boards, registry=MAIN,
                       now="2026-11-09T03:00:00Z")
    fetched = [r for r in second.requests if r.path != "/robots.txt"]
    assert {r.path for r in fetched} == {"/careers/home/index"} and len(fetched) == 5
    assert {i["detail_skipped"] for i in second.items} == {True} and len(second.items) == 17
    assert second.board("neogov:cwc")["details_skipped"] == 13

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    route = next(r for r in ROUTES if r["host"] == SCHOOL and r.get("query", {}).get("page") == "2")
    page = changed / route["file"]
    page.write_text(page.read_text().replace("$18.50 - $21.00 Hourly", "$19.25 - $22.00 Hourly"))
    third = run_crawl(data_dir, "neogov", changed, boards=boards, registry=MAIN,
                      now="2026-11-16T03:00:00Z")
    assert bulletins(third, "cwc") == [
        "/careers/cwc/jobs/5440017/peer-recovery-coach-collegiate-recovery"]
    refetched = third.by_id()["5440017"]
    assert (refetched["detail_skipped"], refetched["pay_text"]) == (None, "$19.25 - $22.00 Hourly")
    assert third.board("neogov:cwc")["details_skipped"] == 12


# -- bad input ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    entries = [entry(a) for a in ("busy", "forbidden", "missing", "broken500", "loop", "login",
                                  "denied", "verify", "empty", "shell", "beyond")]
    entries.append(entry("capped", max_pages=1))
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "neogov", SITE,
                     boards=[e["board"] for e in entries], registry=entries,
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


@pytest.fixture(scope="module")
def detail_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("detail") / "data", "neogov", SITE,
                     boards=["slow", "broken"], registry=[entry("slow"), entry("broken")],
                     settings={"DOWNLOAD_TIMEOUT": 2})


def stats_of(result: CrawlResult, agency: str) -> dict[str, Any]:
    return result.board(f"neogov:{agency}")


@pytest.mark.parametrize(
    ("agency", "problems", "requests"),
    [("forbidden", {"http_403": 1}, 1), ("missing", {"http_404": 1}, 1),
     ("broken500", {"http_5xx": 1}, 3), ("loop", {"redirect_loop": 1}, 6)],
)
def test_http_errors_and_redirect_loops_fail_the_board_alone(
        listing_crawl: CrawlResult, agency: str, problems: dict[str, int], requests: int) -> None:
    stats = stats_of(listing_crawl, agency)
    assert (stats["status"], stats["problems"], stats["requests"], stats["items"]) == (
        "failed", problems, requests, 0)
    assert stats_of(listing_crawl, "empty")["status"] == "complete"


def test_429_is_retried_and_a_503_page_leaves_the_run_partial(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "busy")
    assert (stats["status"], stats["problems"], stats["listing_pages"], stats["items"]) == (
        "partial", {"http_5xx": 1}, 1, 2)
    assert listings(listing_crawl, "busy") == ["1", "1", "2", "2", "2"]


@pytest.mark.parametrize(
    ("agency", "kind"),
    [("login", "login_wall"), ("denied", "access_denied"), ("verify", "bot_challenge")],
)
def test_walls_served_with_200_fail_the_board(listing_crawl: CrawlResult, agency: str,
                                              kind: str) -> None:
    stats = stats_of(listing_crawl, agency)
    assert (stats["status"], stats["problems"], stats["http_status"]) == (
        "failed", {kind: 1}, {"200": 1})


def test_the_javascript_shell_instead_of_a_fragment_is_counted(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "shell")
    assert (stats["status"], stats["problems"]) == ("failed", {"no_postings_found": 1})


def test_empty_agency_is_a_complete_run_with_no_postings(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "empty")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["problems"]) == (
        "complete", 0, 1, {})


def test_an_empty_page_beyond_the_last_one_ends_paging(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "beyond")
    assert (stats["status"], stats["listing_pages"], stats["problems"], stats["items"]) == (
        "complete", 2, {"beyond_last_page": 1}, 1)


def test_page_cap_stops_paging_and_marks_the_run_partial(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "capped")
    assert (stats["status"], stats["listing_pages"], stats["problems"], stats["items"]) == (
        "partial", 1, {"page_cap": 1}, 1)


def test_robots_txt_is_obeyed_and_recorded(data_dir: Path) -> None:
    result = run_crawl(data_dir, "neogov", HERE / "site_robots", boards=["saccounty"],
                       registry=[entry("saccounty")])
    stats = result.board("neogov:saccounty")
    assert (stats["status"], stats["problems"], stats["requests"]) == (
        "failed", {"robots_disallowed": 1}, 0)
    assert [(r.host, r.path) for r in result.requests] == [(GOV, "/robots.txt")]


def test_a_listing_that_never_answers_is_a_counted_timeout(detail_crawl: CrawlResult) -> None:
    stats = stats_of(detail_crawl, "slow")
    assert (stats["status"], stats["problems"], stats["items"]) == ("failed", {"timeout": 1}, 0)


def test_bulletin_problems_are_counted_and_sightings_land(detail_crawl: CrawlResult) -> None:
    stats = stats_of(detail_crawl, "broken")
    assert stats["problems"] == {"http_5xx": 1, "timeout": 1, "detail_gone": 1,
                                 "expired_redirect": 1, "missing_title": 1, "login_wall": 1,
                                 "malformed_jsonld": 1, "unexpected_page": 1}
    # Only the posting without a title leaves the run partial (it is dropped, unseen).
    assert (stats["status"], stats["incomplete"], stats["items"]) == ("partial", 1, 7)
    got = {i["source_id"]: (i["detail_skipped"], i["extra"].get("detail_error"))
           for i in detail_crawl.items if i["board"] == "broken"}
    # A bulletin that 404s or redirects to the agency page does not close the posting the
    # listing shows: the listing's copy lands as a sighting.
    assert got == {"5490000": (None, None), "5490001": (True, "http_5xx"),
                   "5490002": (True, "timeout"), "5490003": (True, "detail_gone"),
                   "5490004": (True, "expired_redirect"), "5490006": (True, "login_wall"),
                   "5490007": (True, "unexpected_page")}
