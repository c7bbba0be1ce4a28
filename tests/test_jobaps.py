"""JobAps: real MD/CT captures parse to exact items; crawls follow the board and count bad input."""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FETCHED_AT,
    FIXTURES,
    CrawlResult,
    fake_response,
    fixture_bytes,
    make_spider,
    run_crawl,
)
from parsel import Selector

from crawlers.platforms.jobaps import bulletin_ids, is_pseudo_posting, listing_rows, listing_url
from crawlers.registry import Board
from crawlers.spiders.jobaps import JobApsBoardsSpider
from db.build import build

SITE = FIXTURES / "jobaps" / "site"
MD = "https://www.jobapscloud.com/MD/"
SOURCE = "jobaps:www.jobapscloud.com/MD"
BOARD = Board(platform="jobaps", board=MD, key="www.jobapscloud.com/MD",
              employer="Maryland Department of Health")
BULLETIN = "https://www.jobapscloud.com/MD/sup/bulpreview.asp?R1={}&R2={}&R3={}"


def registry(board: str, **options: Any) -> dict[str, Any]:
    return {"platform": "jobaps", "board": board, "employer": "Maryland Department of Health",
            "state": "MD", **options}


def rows_of(name: str, page: str = MD) -> list[dict[str, Any]]:
    rows, found = listing_rows(Selector(text=fixture_bytes("jobaps", name).decode()), page)
    assert found
    return rows


def bulletin_items(name: str, row: dict[str, Any]) -> list[dict[str, Any]]:
    spider = make_spider(JobApsBoardsSpider)
    row = {k: v for k, v in row.items() if k != "_ids"}
    response = fake_response(row["url"], fixture_bytes("jobaps", name), board=BOARD,
                             meta={"row": row, "fallback": spider.posting(BOARD, **row)})
    return [asdict(item) for item in spider.parse_bulletin(response)]


def common(**fields: Any) -> dict[str, Any]:
    base = {
        "source": SOURCE, "platform": "jobaps", "board": MD, "fetched_at": FETCHED_AT,
        "detail_skipped": None, "pay_text": None, "pay_min": None, "pay_max": None,
        "pay_period": None, "pay_currency": None, "remote": None,
    }
    base.update(fields)
    return base


def test_board_urls_and_bulletin_ids() -> None:
    assert listing_url("MD") == MD
    assert listing_url("https://www.jobaps.com/MD") == "https://www.jobaps.com/MD/"
    assert listing_url("https://www.jobapscloud.com/Alameda/jobboard.asp") == \
        "https://www.jobapscloud.com/Alameda/jobboard.asp"
    with pytest.raises(ValueError):
        listing_url("https://www.jobapscloud.com/")
    assert bulletin_ids(BULLETIN.format(18, "000213", "0007")) == ("18", "000213", "0007")
    assert bulletin_ids("https://www.jobapscloud.com/MD/sup/bulpreview.asp?b=&r1=26") is None
    assert is_pseudo_posting(("00", "PR0000", "001")) and is_pseudo_posting(("AF", "000", "1"))
    assert not is_pseudo_posting(("26", "000960", "0001"))


def test_md_listing_capture_reads_every_row_by_its_header() -> None:
    rows = rows_of("md_listing_capture.html")
    assert [r["source_id"] for r in rows] == [
        "26-000960-0001", "26-004582-0001", "26-004549-0009", "26-004549-0010",
        "26-004545-0006"]
    first = rows[0]
    assert first == {
        "source_id": "26-000960-0001", "url": BULLETIN.format(26, "000960", "0001"),
        "title": "*REPOST* Managing Tax Attorney (Legal Division)",
        "employer": "Comptroller of Maryland", "location": "Anne Arundel",
        "locations": ["Anne Arundel"],
        "pay_text": "$106,087.00 - $137,244.00/ year with the potential to grow up to "
                    "$167,304.00/ year over time.",
        "closes_at": "Monday, October 12, 2026 11:59 PM", "employment_type": None,
        "source_updated_at": first["source_updated_at"],
        "extra": {"recruitment_number": "26-000960-0001", "department": "Comptroller of Maryland"},
        "_ids": ("26", "000960", "0001"),
    }
    assert first["source_updated_at"].startswith("list-sha1:")
    assert rows[2]["extra"]["is_new"] is True  # the JobNum anchor's IconNew class


def test_ct_listing_capture_reads_row_props_and_both_tables() -> None:
    rows = rows_of("ct_listing_capture.html", "https://www.jobapscloud.com/CT/")
    assert len(rows) == 6
    social = rows[1]
    assert (social["title"], social["employment_type"], social["employer"], social["location"],
            social["closes_at"]) == (
        "Advanced Clinical Social Worker (20 Hour) (Office/On-Site)", "Part-Time",
        "Department of Mental Health & Addiction Services", "Torrington, CT",
        "Wednesday, October 14, 2026 11:59 PM")
    assert social["extra"] == {
        "recruitment_number": "260930-0965FP-001",
        "department": "Department of Mental Health & Addiction Services",
        "listing_section": "Open to the Public",
        "apply_url": "https://www.jobapscloud.com/CT/NewRegPages/TermsOfUse.asp?"
                     "RecruitNum1=260930&RecruitNum2=0965FP&RecruitNum3=001",
    }
    assert rows[4]["extra"]["is_new"] is True  # "boolIsNew": "True"
    assert rows[5]["extra"]["listing_section"] == "Open Only to Statewide Employees"


def test_real_bulletin_with_salary_every_field() -> None:
    row = rows_of("md_listing_capture.html")[1]
    [item] = bulletin_items("md_bulletin_26-004582-0001_capture.html", row)
    description = item.pop("description")
    assert item == common(
        source_id="26-004582-0001", url=BULLETIN.format(26, "004582", "0001"),
        title="*REPOST* SYSTEMS CONTROL ACCOUNTANT SUPERVISOR",
        employer="COMP General Accounting Division",
        location="Annapolis, Maryland", locations=["Annapolis, Maryland", "Anne Arundel"],
        pay_text="$87,253.00 - $112,878.00 with the potential to grow up to $137, 603.00/ year "
                 "over time.",
        posted_at="10/2/2026 10:00:00 AM", closes_at="10/16/2026 11:59:00 PM",
        employment_type="Full-Time", source_updated_at=row["source_updated_at"],
        extra={"recruitment_number": "26-004582-0001", "grade": "20",
               "department": "COMP General Accounting Division",
               "subtitle": "General Accounting Division",
               "location_of_position": "Annapolis, Maryland", "work_locations": ["Anne Arundel"],
               "telework_eligible": "Yes",
               "hiring_organization": "State of Maryland - COMP General Accounting Division"},
    )
    assert description.startswith("Introduction\n\nOPEN TO ALL QUALIFIED APPLICANTS\n\n")
    assert "\n\nGRADE\n\n20\n\nLOCATION OF POSITION\n\nAnnapolis, Maryland\n\n" in description
    assert "Taylor Koppie" not in description  # the HR analyst row is not part of the posting
    assert description.endswith("including fiscal year-end close and ACFR")


def test_peer_bulletin_without_salary_agency_as_employer() -> None:
    row = rows_of("md_listing_capture.html")[3]  # structure only; values come from the bulletin
    row = {**row, "source_id": "18-000213-0007", "url": BULLETIN.format(18, "000213", "0007"),
           "locations": None, "location": None, "employer": None, "pay_text": None,
           "closes_at": None, "extra": {}, "source_updated_at": "list-sha1:0000000000000000"}
    [item] = bulletin_items("md_bulletin_18-000213-0007_peer_edited.html", row)
    description = item.pop("description")
    assert item == common(
        source_id="18-000213-0007", url=BULLETIN.format(18, "000213", "0007"),
        title="Peer Recovery Specialist I, Certified",
        employer="MDH - Cecil County Health Department",
        location="MDH, Cecil County Health Department, Elkton, MD",
        locations=["MDH, Cecil County Health Department, Elkton, MD", "Cecil"],
        posted_at="3/9/2018 3:00:00 PM", closes_at="3/23/2018 11:59:00 PM",
        employment_type="Full-Time", source_updated_at="list-sha1:0000000000000000",
        extra={"recruitment_number": "18-000213-0007", "grade": "8",
               "department": "MDH - Cecil County Health Department",
               "subtitle": "Cecil County Health Department",
               "location_of_position": "MDH, Cecil County Health Department, Elkton, MD",
               "work_locations": ["Cecil"], "telework_eligible": "No",
               "hiring_organization": "State of Maryland - MDH - Cecil County Health "
                                      "Department"},
    )
    assert description.startswith("GRADE\n\n8\n\nLOCATION OF POSITION\n\n")
    for heading in ("Main Purpose of Job", "MINIMUM QUALIFICATIONS",
                    "LICENSES, REGISTRATIONS AND CERTIFICATIONS", "SPECIAL REQUIREMENTS"):
        assert f"\n\n{heading}\n\n" in description


def test_literal_crlf_sequences_are_line_breaks_and_split_two_locations() -> None:
    row = {"source_id": "26-003901-0001", "url": BULLETIN.format(26, "003901", "0001"),
           "title": "x", "extra": {}}
    [item] = bulletin_items("md_bulletin_26-003901-0001_peer_literal_crlf_edited.html", row)
    assert item["locations"] == [
        "Prince George's County, 14735 Main St., Upper Marlboro, MD 20772",
        "Baltimore City, 3027 E. Madison St., Baltimore, MD 21215",
        "Prince George's", "Baltimore City"]
    assert item["extra"]["grade"] == "ASTD10" and item["pay_text"] is None
    assert "\\r\\n" not in item["description"]
    assert "PRIOR TO BEING HIRED**\n\nA Peer Recovery Specialist II\nprovides" in \
        item["description"]


# -- crawls through the replay server -------------------------------------------------------


def paths(result: CrawlResult) -> list[str]:
    return sorted(f"{r.path}?{r.query}" if r.query else r.path for r in result.requests
                  if r.path != "/robots.txt")


MD_PATHS = sorted(["/MD/"] + [f"/MD/sup/bulpreview.asp?R1={a}&R2={b}&R3={c}" for a, b, c in (
    ("26", "000960", "0001"), ("26", "004582", "0001"), ("18", "000213", "0007"),
    ("26", "003901", "0001"))])


def test_crawl_reads_the_board_and_every_bulletin(data_dir: Path) -> None:
    result = run_crawl(data_dir, "jobaps", SITE, boards=[MD], registry=[registry(MD)])
    assert sorted(result.by_id()) == ["18-000213-0007", "26-000960-0001", "26-003901-0001",
                                      "26-004582-0001"]  # the Practice Application row is not
    stats = result.board(SOURCE)
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["requests"]) == (
        "complete", 4, 1, 5)
    assert stats["problems"] == {} and stats["pseudo_postings"] == 1
    assert paths(result) == MD_PATHS
    peer = result.by_id()["26-003901-0001"]
    assert (peer["employer"], peer["title"], peer["extra"]["grade"]) == (
        "Department of Public Safety and Correctional Services",
        "Peer Recovery Specialist II, Certified (Statewide)", "ASTD10")
    assert all(i["url"].startswith("https://www.jobapscloud.com/MD/sup/bulpreview.asp?R1=")
               for i in result.items)


def test_second_run_skips_unchanged_bulletins_and_refetches_an_edited_row(
        data_dir: Path, tmp_path: Path) -> None:
    entry = [registry(MD)]
    first = run_crawl(data_dir, "jobaps", SITE, boards=[MD], registry=entry)
    assert len(paths(first)) == 5
    build(data_dir, data_dir / "archive", lambda row: {})
    second = run_crawl(data_dir, "jobaps", SITE, boards=[MD], registry=entry,
                       now="2026-11-09T03:00:00Z")
    assert paths(second) == ["/MD/"]
    assert {i["detail_skipped"] for i in second.items} == {True}
    assert second.board(SOURCE)["details_skipped"] == 4
    assert second.board(SOURCE)["status"] == "complete"
    build(data_dir, data_dir / "archive", lambda row: {})

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    page = changed / "www.jobapscloud.com" / "MD" / "index.html"
    page.write_text(page.read_text().replace("Open Until Filled", "Friday,<br />November 20, "
                                             "2026 11:59 PM"))
    third = run_crawl(data_dir, "jobaps", changed, boards=[MD], registry=entry,
                      now="2026-11-16T03:00:00Z")
    assert paths(third) == ["/MD/", "/MD/sup/bulpreview.asp?R1=26&R2=003901&R3=0001"]
    refetched = third.by_id()["26-003901-0001"]
    assert refetched["detail_skipped"] is None and refetched["description"]
    assert third.board(SOURCE)["details_skipped"] == 3


# -- bad input -----------------------------------------------------------------------------

LISTING_BOARDS = [f"https://www.jobapscloud.com/{n}/" for n in (
    "Down", "Busy", "Gone", "Denied", "Loop", "Login", "Walled", "Empty", "Splash", "Changed")]
ROBOTS_BOARD = "https://www.jobaps.com/Robots/"


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    boards = [*LISTING_BOARDS, ROBOTS_BOARD]
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "jobaps", SITE, boards=boards,
                     registry=[{"platform": "jobaps", "board": b} for b in boards],
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


@pytest.fixture(scope="module")
def detail_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    boards = ["https://www.jobapscloud.com/Broken/", "https://www.jobapscloud.com/Slow/"]
    return run_crawl(tmp_path_factory.mktemp("detail") / "data", "jobaps", SITE, boards=boards,
                     registry=[{"platform": "jobaps", "board": b} for b in boards],
                     settings={"DOWNLOAD_TIMEOUT": 2})


def board_of(result: CrawlResult, name: str, host: str = "www.jobapscloud.com") -> dict[str, Any]:
    return result.board(f"jobaps:{host}/{name}")


@pytest.mark.parametrize(("name", "problems"), [
    ("Down", {"http_5xx": 1}), ("Gone", {"http_404": 1}), ("Denied", {"http_403": 1}),
    ("Loop", {"redirect_loop": 1}), ("Login", {"login_wall": 1}),
    ("Walled", {"access_denied": 1}), ("Changed", {"no_listing_found": 1}),
])
def test_a_board_that_cannot_be_read_fails_alone(listing_crawl: CrawlResult, name: str,
                                                 problems: dict[str, int]) -> None:
    stats = board_of(listing_crawl, name)
    assert (stats["status"], stats["problems"], stats["items"]) == ("failed", problems, 0)
    assert board_of(listing_crawl, "Splash")["status"] == "complete"  # the others went on
    assert listing_crawl.stats["finish_reason"] == "finished"


def test_retries_503_and_429(listing_crawl: CrawlResult) -> None:
    assert board_of(listing_crawl, "Down")["requests"] == 3  # RETRY_TIMES 2
    busy = board_of(listing_crawl, "Busy")
    assert (busy["status"], busy["requests"], busy["problems"]) == ("complete", 2, {})


def test_empty_board_is_complete_with_no_postings(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Empty")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["problems"]) == (
        "complete", 0, 1, {})


def test_splash_page_leads_to_jobboard_asp(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Splash")
    assert (stats["status"], stats["items"], stats["requests"]) == ("complete", 1, 3)
    [item] = [i for i in listing_crawl.items if i["source"].endswith("/Splash")]
    assert item["url"] == ("https://www.jobapscloud.com/Splash/sup/bulpreview.asp?"
                           "R1=18&R2=000213&R3=0007")


def test_robots_disallowed_board_is_never_fetched(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Robots", host="www.jobaps.com")
    assert (stats["status"], stats["problems"], stats["requests"]) == (
        "failed", {"robots_disallowed": 1}, 0)
    fetched = [r.path for r in listing_crawl.requests if r.host == "www.jobaps.com"]
    assert fetched == ["/robots.txt"]


def test_failed_bulletins_land_as_sightings(detail_crawl: CrawlResult) -> None:
    stats = board_of(detail_crawl, "Broken")
    assert stats["problems"] == {"detail_gone": 1, "http_5xx": 1, "timeout": 1, "login_wall": 1,
                                 "not_a_bulletin": 2, "missing_title": 1}
    # The posting without a title was dropped, so the run cannot close postings.
    assert (stats["status"], stats["items"]) == ("partial", 7)
    got = {i["source_id"]: (i["detail_skipped"], i["extra"].get("detail_error"))
           for i in detail_crawl.items if i["source"].endswith("/Broken")}
    assert got == {
        "26-000001-0001": (None, None),
        "26-000002-0001": (True, "http_5xx"),
        "26-000003-0001": (True, "timeout"),
        "26-000004-0001": (True, "detail_gone"),  # bulletin 404: the listing still shows it
        "26-000005-0001": (True, "login_wall"),
        "26-000006-0001": (True, "not_a_bulletin"),
        "26-000008-0001": (None, None),  # broken rowJobProps JSON: read from the anchors
    }
    slow = board_of(detail_crawl, "Slow")
    assert (slow["status"], slow["problems"]) == ("failed", {"timeout": 1})


def test_bad_board_is_a_board_error() -> None:
    spider = make_spider(JobApsBoardsSpider)
    bad = Board(platform="jobaps", board="https://www.jobapscloud.com/", key="bad")
    assert list(spider.start_board(bad)) == []
    assert spider.crawler.stats.get_value("peerjobs/board/jobaps:bad//problems/board_error") == 1
