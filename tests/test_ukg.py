"""UKG Pro (UltiPro): real captures parse to exact items; robots.txt decides whether a tenant's
list is read at all (recruiting.ultipro.com refuses JobBoardView); where it is allowed the list is
paged to the end and each OpportunityDetail read; bad input is counted."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, CrawlResult, fixture_bytes, make_spider, run_crawl

from crawlers.platforms.ukg import (
    detail_fields,
    listing_fields,
    opportunity_json,
    parse_board_url,
    search_body,
    version_signal,
)
from crawlers.registry import Board, board_key
from crawlers.spiders.ukg import UkgJobBoardsSpider
from db.build import build

SITE = FIXTURES / "ukg" / "site"
GUID = "09584b08-b32f-4882-8c7b-223bbd8e3851"
HOST = "crhukg.rec.pro.ukg.net"
BOARD = f"https://{HOST}/CHE1004CRHC/JobBoard/{GUID}"
DISALLOWED = f"https://recruiting.ultipro.com/GRE1050GNHP/JobBoard/{GUID}"
LIST_PATH = f"/CHE1004CRHC/JobBoard/{GUID}/JobBoardView/LoadSearchResults"


def board_url(tenant: str) -> str:
    return f"https://{HOST}/{tenant}/JobBoard/{GUID}"


def source(url: str) -> str:
    return f"ukg:{board_key(url)}"


def registry(url: str, **options: Any) -> dict[str, Any]:
    return {"platform": "ukg", "board": url, "enabled": False, "employer": "Fixture Health",
            **options}


def page(name: str) -> str:
    return fixture_bytes("ukg", name).decode("utf-8")


def item(fields: dict[str, Any]) -> dict[str, Any]:
    spider = make_spider(UkgJobBoardsSpider)
    return asdict(spider.posting(Board(platform="ukg", board=BOARD, key=board_key(BOARD)),
                                 **fields))


def common(**fields: Any) -> dict[str, Any]:
    base = {"source": source(BOARD), "platform": "ukg", "board": BOARD, "fetched_at": FETCHED_AT,
            "employer": None, "detail_skipped": None, "pay_text": None,
            "pay_min": None, "pay_max": None, "pay_period": None, "pay_currency": None,
            "closes_at": None, "remote": None}
    base.update(fields)
    return base


def test_board_urls_and_the_reconstructed_list_body() -> None:
    site = parse_board_url(BOARD + "/?q=&o=postedDateDesc")
    assert (site.base, site.tenant, site.guid) == (BOARD, "CHE1004CRHC", GUID)
    assert site.list_url == f"https://{HOST}{LIST_PATH}"
    assert json.loads(fixture_bytes("ukg", "load_search_results_request_body_reconstructed.json")) \
        == search_body(0, 50)
    with pytest.raises(ValueError, match="JobBoard"):
        parse_board_url("https://recruiting.ultipro.com/GRE1050GNHP/")


def test_cape_regional_capture_with_a_visible_pay_range() -> None:
    detail = opportunity_json(page("opportunity_detail_cape_regional_payrange_trimmed.html"))
    assert detail is not None
    entry = {"Id": detail["Id"], "Title": detail["Title"], "FullTime": False,
             "JobCategoryName": "Clinical Support", "RequisitionNumber": "PATIE003589",
             "PostedDate": detail["PostedDate"], "Locations": detail["Locations"],
             "BriefDescription": "", "JobLocationType": 1}
    got = item(detail_fields(detail, entry, parse_board_url(BOARD)))
    description = got.pop("description")
    assert got == common(
        source_id="ce8462e8-a236-4a24-a8ac-ff5b46765540",
        url=f"{BOARD}/OpportunityDetail?opportunityId=ce8462e8-a236-4a24-a8ac-ff5b46765540",
        title="Patient Care Equipment Technician (FLEXI - EVENINGS)",
        location="Chesapeake, VA 23320", locations=["Chesapeake, VA 23320"],
        pay_min=17.0, pay_max=27.0, pay_currency="USD",
        posted_at="2026-09-09T14:02:59.569Z", employment_type="Not full time",
        source_updated_at=version_signal(entry),
        extra={"requisition_number": "PATIE003589", "job_category": "Clinical Support",
               "full_time": False, "location_names": ["Hospital Medical Center"],
               "job_location_type": 1, "updated_date": "2026-09-09T14:14:58.536Z",
               "salaried": False, "pay_range_visible": True, "education": ["High School"],
               "opportunity_closed": False},
    )
    assert description.startswith("Summary\n\nThe Patient Care Equipment Technician is responsible")
    assert "\n\n- Clean, disinfect, and prepare patient care equipment for use" in description
    assert description.endswith("Ability to work evening, weekend, or on-call shifts")


def test_granite_hills_capture_without_pay() -> None:
    detail = opportunity_json(page("opportunity_detail_granite_hills_short_trimmed.html"))
    assert detail is not None
    entry = {"Id": detail["Id"], "Title": detail["Title"]}
    got = item(detail_fields(detail, entry, parse_board_url(BOARD)))
    assert got == common(
        source_id="b5863d47-1084-4760-befd-a211c489f61d",
        url=f"{BOARD}/OpportunityDetail?opportunityId=b5863d47-1084-4760-befd-a211c489f61d",
        title="Patient Care Technician II, 6 Tower, Medical, Part Time",
        location="Greenwood, SC 29646", locations=["Greenwood, SC 29646"],
        description="7:00AM-7:00PM to include every other weekend.\n\nHigh School graduate or "
        "equivalent and current S.C Nurse Aide Certification OR current CPCT certification.",
        posted_at="2026-09-21T13:36:13.364Z", employment_type="Not full time",
        source_updated_at=version_signal(entry),
        extra={"updated_date": "2026-09-21T13:35:52.743Z", "salaried": False,
               "pay_range_visible": False, "opportunity_closed": False,
               "requisition_number": "PATIE006681", "job_category": "Nursing Related",
               "full_time": False},
    )


def test_deaconess_list_entry_keeps_pay_lines_of_the_brief_description() -> None:
    entry = json.loads(fixture_bytes("ukg", "load_search_results_deaconess_2items.json"))[
        "opportunities"][0]
    fields = listing_fields(entry, parse_board_url(BOARD))
    assert (fields["title"], fields["location"], fields["employment_type"], fields["posted_at"]) \
        == ("Clinic Office Assistant (RN,LPN, CMA/RMA/CCMA) - Elkton Primary Care",
            "Elkton, KY 42220", "Full time", "2026-09-10T04:18:12.543Z")
    assert fields["extra"]["brief_description"].endswith("Clinic RN: $26.04")
    assert fields["extra"]["location_names"] == ["Elkton Clinic"]


def test_compensation_fields_and_hidden_pay_ranges() -> None:
    site = parse_board_url(BOARD)
    hourly = detail_fields({"CompensationHourlyMinimum": 18.5, "CompensationHourlyMaximum": None,
                            "CompensationCurrencyCode": "USD", "PayRangeVisible": False,
                            "PayRange": {"PayRangeMinimum": "30", "PayRangeMaximum": "40"}},
                           {"Id": "x"}, site)
    assert (hourly["pay_min"], hourly["pay_max"], hourly["pay_period"], hourly["pay_currency"]) \
        == (18.5, 18.5, "Hourly", "USD")
    assert "pay_min" not in detail_fields({"PayRange": None, "Locations": "x"}, {"Id": "x"}, site)


# -- crawls ---------------------------------------------------------------------------------


def sent(result: CrawlResult, host: str = HOST) -> list[tuple[str, str, Any]]:
    out = []
    for r in result.requests:
        if r.host != host or r.path == "/robots.txt":
            continue
        skip = json.loads(r.body)["opportunitySearch"]["Skip"] if r.method == "POST" else r.query
        out.append((r.method, r.path, skip))
    return out


def test_robots_decide_disallowed_tenant_fails_allowed_tenant_is_read(data_dir: Path) -> None:
    result = run_crawl(data_dir, "ukg", SITE, boards=[BOARD, DISALLOWED],
                       registry=[registry(BOARD, page_size=2), registry(DISALLOWED)])
    refused = result.board(source(DISALLOWED))
    assert (refused["status"], refused["problems"], refused["items"]) == (
        "failed", {"robots_disallowed": 1}, 0)
    # Nothing but robots.txt was asked of the refusing host: no list, no detail, no board page.
    assert [(r.method, r.path) for r in result.requests if r.host == "recruiting.ultipro.com"] \
        == [("GET", "/robots.txt")]
    log = (data_dir / "crawl.log").read_text(encoding="utf-8")
    assert "robots.txt of recruiting.ultipro.com forbids JobBoardView" in log

    stats = result.board(source(BOARD))
    assert stats["status"] == "complete" and stats["problems"] == {}
    assert (stats["items"], stats["listing_pages"], stats["requests"]) == (5, 3, 8)
    assert [s[2] for s in sent(result) if s[0] == "POST"] == [0, 2, 4]
    by_id = {i["source_id"]: i for i in result.items if i["source"] == source(BOARD)}
    assert len(by_id) == 5
    peer = by_id["3f1c7a52-9b0e-4d6a-8c21-5e7f4b2a9d10"]
    assert (peer["title"], peer["pay_min"], peer["pay_max"], peer["pay_currency"]) == (
        "Peer Recovery Specialist - Behavioral Health", 18.5, 22.0, "USD")
    assert all(i["url"].startswith(f"{BOARD}/OpportunityDetail?opportunityId=")
               for i in result.items)


def test_second_run_skips_unchanged_details_and_refetches_an_edited_posting(
        data_dir: Path, tmp_path: Path) -> None:
    entry = [registry(BOARD, page_size=2)]
    first = run_crawl(data_dir, "ukg", SITE, boards=[BOARD], registry=entry)
    assert len(sent(first)) == 8
    build(data_dir, data_dir / "archive", lambda row: {})
    second = run_crawl(data_dir, "ukg", SITE, boards=[BOARD], registry=entry,
                       now="2026-11-09T03:00:00Z")
    assert [(m, s) for m, _, s in sent(second)] == [("POST", 0), ("POST", 2), ("POST", 4)]
    assert {i["detail_skipped"] for i in second.items} == {True}
    assert second.board(source(BOARD))["details_skipped"] == 5

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    body = changed / "bodies" / "main" / "list_skip4.json"
    data = json.loads(body.read_text(encoding="utf-8"))
    data["opportunities"][0]["BriefDescription"] = "Now hiring two Peer Recovery Specialists."
    body.write_text(json.dumps(data, indent=1), encoding="utf-8")
    third = run_crawl(data_dir, "ukg", changed, boards=[BOARD], registry=entry,
                      now="2026-11-16T03:00:00Z")
    assert [s[2] for s in sent(third) if s[0] == "GET"] == [
        "opportunityId=3f1c7a52-9b0e-4d6a-8c21-5e7f4b2a9d10"]
    assert third.board(source(BOARD))["details_skipped"] == 4


# -- bad input ------------------------------------------------------------------------------

LISTING = ["EMPTY", "HTML", "DENIED", "LOGIN", "FORBIDDEN", "MISSING", "LOOP", "BUSY", "CUT",
           "SHRUNK"]


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    boards = [registry(board_url(t), page_size=2) for t in LISTING]
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "ukg", SITE,
                     boards=[b["board"] for b in boards], registry=boards,
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


@pytest.fixture(scope="module")
def detail_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    url = board_url("BROKEN")
    return run_crawl(tmp_path_factory.mktemp("detail") / "data", "ukg", SITE, boards=[url],
                     registry=[registry(url)], settings={"DOWNLOAD_TIMEOUT": 2})


def outcome(result: CrawlResult, tenant: str) -> tuple[str, dict[str, int], int]:
    stats = result.board(source(board_url(tenant)))
    return stats["status"], stats["problems"], stats["items"]


@pytest.mark.parametrize(("tenant", "expected"), [
    ("EMPTY", ("complete", {}, 0)),
    ("HTML", ("failed", {"html_instead_of_json": 1}, 0)),
    ("DENIED", ("failed", {"access_denied": 1}, 0)),
    ("LOGIN", ("failed", {"login_wall": 1}, 0)),
    ("FORBIDDEN", ("failed", {"http_403": 1}, 0)),
    ("MISSING", ("failed", {"http_404": 1}, 0)),
    ("LOOP", ("failed", {"redirect_loop": 1}, 0)),
    ("BUSY", ("partial", {"http_5xx": 1}, 2)),
    ("CUT", ("partial", {"malformed_json": 1}, 2)),  # the title missing from the list is on the detail
    ("SHRUNK", ("complete", {"beyond_last_page": 1}, 2)),
])
def test_listing_problems_are_counted(listing_crawl: CrawlResult, tenant: str,
                                      expected: tuple[str, dict[str, int], int]) -> None:
    assert outcome(listing_crawl, tenant) == expected


def test_429_is_retried_and_503_retried_to_the_limit(listing_crawl: CrawlResult) -> None:
    skips = [json.loads(r.body)["opportunitySearch"]["Skip"] for r in listing_crawl.requests
             if r.method == "POST" and r.path.startswith("/BUSY/")]
    assert skips == [0, 0, 2, 2, 2]
    assert listing_crawl.stats["finish_reason"] == "finished"


def test_failed_details_land_as_sightings(detail_crawl: CrawlResult) -> None:
    status, problems, items = outcome(detail_crawl, "BROKEN")
    assert problems == {"http_5xx": 1, "timeout": 1, "malformed_json": 1, "access_denied": 1,
                        "detail_gone": 1}
    assert (status, items) == ("complete", 6)
    got = {i["title"]: (i["detail_skipped"], i["extra"].get("detail_error"))
           for i in detail_crawl.items}
    assert got == {"Peer Support Specialist": (None, None),
                   "Recovery Coach (PRN)": (True, "http_5xx"),
                   "Family Support Partner": (True, "timeout"),
                   "Youth Peer Advocate": (True, "malformed_json"),
                   "Peer Bridger": (True, "access_denied"),
                   # its detail 404s; the board still lists it, so it stays open
                   "Peer Navigator (filled)": (True, "detail_gone")}
