"""Paycom: real captures parse to exact items; the crawl reads the token from the career page,
pages the search to the end and fetches each detail; unchanged previews skip their detail; bad
input (login walls, access-denied pages, stale tokens, robots.txt refusals...) is counted."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, CrawlResult, fake_response, fixture_bytes, make_spider, run_crawl

from crawlers.platforms.paycom import (
    detail_fields,
    portal_key,
    read_configs,
    remote_flag,
    service_url,
    version_signal,
)
from crawlers.registry import Board
from crawlers.spiders.paycom import PaycomPortalsSpider
from db.build import build

SITE = FIXTURES / "paycom" / "site"
MAIN = "772e59a3981b29a14463ec6c3223083c"
KEY = MAIN.upper()
SOURCE = f"paycom:{MAIN}"
SERVICE = "portal-applicant-tracking.us-cent.paycomonline.net"
PORTAL = "https://www.paycomonline.net/v4/ats/web.php/portal"


def key(name: str) -> str:
    """The portal key of a test board (the replay folder's keys are md5 digests of its name)."""
    return hashlib.md5(name.encode()).hexdigest()


def registry(board: str, **options: Any) -> dict[str, Any]:
    return {"platform": "paycom", "board": board, "enabled": False,
            "employer": "Registry employer (fixture)", **options}


def load(name: str) -> Any:
    return json.loads(fixture_bytes("paycom", name))


def item(fields: dict[str, Any] | None, board: str = MAIN) -> dict[str, Any]:
    assert fields is not None
    spider = make_spider(PaycomPortalsSpider)
    return asdict(spider.posting(Board(platform="paycom", board=board, key=board), **fields))


def common(**fields: Any) -> dict[str, Any]:
    base = {"source": SOURCE, "platform": "paycom", "board": MAIN, "fetched_at": FETCHED_AT,
            "detail_skipped": None, "pay_text": None, "pay_min": None, "pay_max": None,
            "pay_period": None, "pay_currency": None, "closes_at": None, "remote": None}
    base.update(fields)
    return base


# -- the career page and the board token ---------------------------------------------------


def test_career_page_config_is_decoded_twice() -> None:
    page = fixture_bytes("paycom", "career_page_reconstructed.html").decode()
    configs = read_configs(page)
    assert configs is not None and configs["sessionJWT"].startswith("eyJ")
    assert isinstance(configs["libConfig"], str)  # a JSON string inside the object
    assert service_url(configs) == f"https://{SERVICE}/"
    assert service_url({"atsPortalMantleServiceUrl": "https://x.paycomonline.net"}) == \
        "https://x.paycomonline.net/"
    assert read_configs("<html><div>Loading...</div></html>") is None


@pytest.mark.parametrize(("board", "expected"), [
    (MAIN, KEY), (f"{PORTAL}/{KEY}/career-page", KEY),
    ("https://www.paycomonline.net/v4/ats/web.php/jobs?clientkey=" + MAIN, KEY)])
def test_portal_keys_are_upper_case(board: str, expected: str) -> None:
    assert portal_key(board) == expected


def test_bad_board_is_a_board_error() -> None:
    spider = make_spider(PaycomPortalsSpider)
    assert list(spider.start_board(Board(platform="paycom", board="acme", key="acme"))) == []
    assert spider.crawler.stats.get_value("peerjobs/board/paycom:acme//problems/board_error") == 1


def test_first_request_is_the_career_page_then_the_search_posts_the_full_filters() -> None:
    spider = make_spider(PaycomPortalsSpider)
    board = Board(platform="paycom", board=MAIN, key=MAIN)
    [first] = list(spider.start_board(board))
    assert first.url == f"{PORTAL}/{KEY}/career-page" and first.meta["listing"] is True
    response = fake_response(first.url, fixture_bytes("paycom", "career_page_reconstructed.html"),
                             board=board, meta=first.meta)
    [company] = list(spider.parse_career_page(response))
    assert company.url == f"https://{SERVICE}/api/ats/company-name"
    assert company.headers["Authorization"].startswith(b"eyJ")
    state = company.meta["paycom"]
    search = spider.search_request(board, state, skip=0, page=1)
    body = json.loads(search.body)
    expected = load("job_posting_previews_search_request_body_reconstructed.json")
    assert body == {**expected, "take": 50}
    assert search.headers["Authorization"] == company.headers["Authorization"]


# -- details: every field ---------------------------------------------------------------


def test_elpaso_capture_prn_with_google_job_json() -> None:
    preview = {"jobId": 318211, "jobTitle": "Nurse Tech NICU, PRN (57753)", "positionType": "PRN",
               "remoteType": "", "locations": "El Paso Childrens Hospital - El Paso, TX 79905",
               "description": "Performs basic patient care ...", "postedOn": "", "isHotJob": False}
    fields, error = detail_fields(load("job_posting_detail_elpaso_childrens_prn.json"), preview,
                                  KEY, "El Paso Children's Hospital")
    assert error is None
    got = item(fields)
    description = got.pop("description")
    assert got == common(
        source_id="318211", url=f"{PORTAL}/{KEY}/jobs/318211",
        title="Nurse Tech NICU, PRN (57753)", employer="El Paso Children's Hospital",
        location="El Paso Childrens Hospital - El Paso, TX 79905",
        locations=["El Paso Childrens Hospital - El Paso, TX 79905"],
        posted_at="2026-09-02", closes_at="2027-01-01", employment_type="PRN",
        source_updated_at=version_signal(preview),
        extra={"client_code": "0AQ34", "identifier": "J0AQ34318211",
               "job_category": "Health Care", "education_level": "High School",
               "travel_percentage": "None", "job_shift": "Rotating", "level": "Entry",
               "city": "El Paso", "address": "4845 Alameda Ave., El Paso, TX 79905, USA",
               "google_employment_type": "OTHER",
               "hiring_organization": "EL PASO CHILDRENS HOSPITAL CORPORATION",
               "is_hot_job": False, "industry": "Health Care", "workHours": "Rotating"},
    )
    assert description.startswith("Performs basic patient care activities and procedures")
    assert "\n\nQualifications\nWork Experience\n\n- Hospital setting preferred." in description
    assert description.endswith("within the scope of practice of a Nurse Technician.")


def test_edited_peer_posting_with_pay_text_and_a_hot_job_flag() -> None:
    preview = load("site/bodies/main/search_skip4.json")["jobPostingPreviews"][0]
    fields, error = detail_fields(load("site/bodies/main/detail_165820.json"), preview, KEY,
                                  "Connally Memorial Medical Center")
    assert error is None
    assert item(fields) == common(
        source_id="165820", url=f"{PORTAL}/{KEY}/jobs/165820", title="Peer Support Specialist",
        employer="Connally Memorial Medical Center",
        location="Main 499 - Floresville, TX 78114", locations=["Main 499 - Floresville, TX 78114"],
        pay_text="$17.50 - $20.25 Hourly",
        description="The Peer Support Specialist uses lived experience of recovery to support "
        "patients in the behavioral health unit and after discharge.\n\nQualifications\nHigh "
        "school diploma or GED.\n\nCertified Peer Specialist (Texas) required, or obtained "
        "within 6 months of hire.",
        posted_at="2026-10-20", employment_type="Full Time",
        source_updated_at=version_signal(preview),
        extra={"is_hot_job": True, "client_code": "0FO19", "identifier": "J0FO19165820",
               "job_shift": "Day", "city": "Floresville",
               "address": "499 10th St, Floresville, TX 78114, USA",
               "google_employment_type": "FULL_TIME",
               "hiring_organization": "CONNALLY MEMORIAL MEDICAL CENTER", "workHours": "Day"},
    )


def test_google_job_json_cut_short_keeps_what_precedes_the_cut() -> None:
    preview = load("job_posting_previews_search_connally_2items.json")["jobPostingPreviews"][0]
    fields, error = detail_fields(load("job_posting_detail_connally_strings_cut_by_author.json"),
                                  preview, KEY, None)
    assert error is not None and error.startswith("Unterminated string")
    assert fields is not None
    assert (fields["posted_at"], fields["extra"]["identifier"], fields["employment_type"]) == (
        "2026-08-27", "J0FO19165817", "Full Time")
    assert fields["description"].endswith("Certificates, Licenses, Registrations")
    assert fields["extra"]["google_job_json_error"] == error


def test_detail_tolerates_nulls_and_wrong_types() -> None:
    data = {"jobPosting": {"jobId": "7", "jobTitle": None, "location": None,
                           "secondaryLocations": ["Site B - Austin, TX", {"location": "Site C"}],
                           "salaryRange": 19, "remoteType": "Remote", "description": None,
                           "qualifications": 3, "googleJobJson": "[]", "positionType": []}}
    fields, error = detail_fields(data, {"jobId": 7, "jobTitle": "Peer Specialist"}, KEY, None)
    assert fields is not None and error == "not an object"
    assert (fields["title"], fields["locations"], fields["pay_text"], fields["remote"],
            fields["description"], fields["employment_type"]) == (
        "Peer Specialist", ["Site B - Austin, TX", "Site C"], "19", True, None, None)
    assert detail_fields({"jobPosting": []}, {}, KEY, None) == (None, None)


@pytest.mark.parametrize(("value", "flag"), [("Remote", True), ("Fully Remote", True),
                                             ("Hybrid", False), ("On-site", False), ("R", None),
                                             ("", None), (None, None)])
def test_remote_type_words_only(value: str | None, flag: bool | None) -> None:
    assert remote_flag(value) is flag


# -- crawls -------------------------------------------------------------------------------


def requests_of(result: CrawlResult) -> list[tuple[str, str, str, int | None]]:
    out = []
    for r in result.requests:
        if r.path == "/robots.txt":
            continue
        skip = json.loads(r.body)["skip"] if r.method == "POST" else None
        out.append((r.method, r.host, r.path, skip))
    return out


SEARCH = "/api/ats/job-posting-previews/search"
IDS = ["165813", "165817", "165820", "318211", "335044"]


def test_crawl_pages_the_search_to_the_end(data_dir: Path) -> None:
    result = run_crawl(data_dir, "paycom", SITE, boards=[MAIN], registry=[registry(MAIN, page_size=2)])
    assert sorted(i["source_id"] for i in result.items) == IDS
    stats = result.board(SOURCE)
    assert stats["status"] == "complete"
    assert (stats["items"], stats["listing_pages"], stats["requests"]) == (5, 3, 10)
    assert stats["problems"] == {"malformed_google_job_json": 1}  # the capture cut by its author
    sent = requests_of(result)
    assert sent[:2] == [("GET", "www.paycomonline.net",
                         f"/v4/ats/web.php/portal/{KEY}/career-page", None),
                        ("GET", SERVICE, "/api/ats/company-name", None)]
    assert [s[3] for s in sent if s[0] == "POST"] == [0, 2, 4]
    assert sorted(s[2] for s in sent if "/job-postings/" in s[2]) == [
        f"/api/ats/job-postings/{i}" for i in IDS]
    assert all(i["url"] == f"{PORTAL}/{KEY}/jobs/{i['source_id']}" for i in result.items)
    assert {i["employer"] for i in result.items} == {"Connally Memorial Medical Center"}
    peer = result.by_id()["165820"]
    assert (peer["pay_text"], peer["posted_at"], peer["detail_skipped"]) == (
        "$17.50 - $20.25 Hourly", "2026-10-20", None)


def test_second_run_skips_unchanged_details_and_refetches_an_edited_posting(
        data_dir: Path, tmp_path: Path) -> None:
    entry = [registry(MAIN, page_size=2)]
    first = run_crawl(data_dir, "paycom", SITE, boards=[MAIN], registry=entry)
    assert len(requests_of(first)) == 10
    build(data_dir, data_dir / "archive", lambda row: {})
    second = run_crawl(data_dir, "paycom", SITE, boards=[MAIN], registry=entry,
                       now="2026-11-09T03:00:00Z")
    assert [s[2] for s in requests_of(second)] == [
        f"/v4/ats/web.php/portal/{KEY}/career-page", "/api/ats/company-name", SEARCH, SEARCH, SEARCH]
    assert {i["detail_skipped"] for i in second.items} == {True}
    assert second.board(SOURCE)["details_skipped"] == 5
    assert second.board(SOURCE)["status"] == "complete"

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    page = changed / "bodies" / "main" / "search_skip4.json"
    data = json.loads(page.read_text(encoding="utf-8"))
    data["jobPostingPreviews"][0]["jobTitle"] = "Peer Support Specialist - Bilingual"
    page.write_text(json.dumps(data, indent=1), encoding="utf-8")
    third = run_crawl(data_dir, "paycom", changed, boards=[MAIN], registry=entry,
                      now="2026-11-16T03:00:00Z")
    assert [s[2] for s in requests_of(third) if "/job-postings/" in s[2]] == [
        "/api/ats/job-postings/165820"]
    refetched = third.by_id()["165820"]
    assert (refetched["detail_skipped"], refetched["source_updated_at"]) == (
        None, version_signal(data["jobPostingPreviews"][0]))
    assert third.board(SOURCE)["details_skipped"] == 4


# -- bad input ------------------------------------------------------------------------------

LISTING_BOARDS = ["empty", "stale", "forbidden", "unknown", "login", "denied", "html", "loop",
                  "busy", "cut", "shrunk", "robots", "nojwt", "untrusted"]


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    boards = [registry(key(n), page_size=2) for n in LISTING_BOARDS]
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "paycom", SITE,
                     boards=[b["board"] for b in boards], registry=boards,
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


@pytest.fixture(scope="module")
def detail_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("detail") / "data", "paycom", SITE,
                     boards=[key("broken")], registry=[registry(key("broken"))],
                     settings={"DOWNLOAD_TIMEOUT": 2})


def outcome(result: CrawlResult, name: str) -> tuple[str, dict[str, int], list[str]]:
    stats = result.board(f"paycom:{key(name)}")
    items = sorted(i["source_id"] for i in result.items if i["source"] == f"paycom:{key(name)}")
    return stats["status"], stats["problems"], items


def test_empty_portal_is_complete_with_no_postings(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "empty") == ("complete", {}, [])
    assert listing_crawl.board(f"paycom:{key('empty')}")["listing_pages"] == 1


def test_stale_token_401_is_counted_and_fails_the_board(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "stale") == ("failed", {"stale_token": 1}, [])


def test_career_page_403_and_404(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "forbidden") == ("failed", {"http_403": 1}, [])
    assert outcome(listing_crawl, "unknown") == ("failed", {"http_404": 1}, [])


def test_login_wall_served_with_200(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "login") == ("failed", {"login_wall": 1}, [])


def test_access_denied_page_instead_of_the_search(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "denied") == ("failed", {"access_denied": 1}, [])


def test_html_error_page_instead_of_json(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "html") == ("failed", {"html_instead_of_json": 1}, [])


def test_redirect_loop(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "loop") == ("failed", {"redirect_loop": 1}, [])


def test_429_retried_then_503_on_page_two_leaves_the_run_partial(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "busy") == (
        "partial", {"http_5xx": 1, "malformed_google_job_json": 1}, ["165813", "165817"])
    skips = [json.loads(r.body)["skip"] for r in listing_crawl.requests
             if r.method == "POST" and r.path == f"/busy{SEARCH}"]
    assert skips == [0, 0, 2, 2, 2]


def test_truncated_page_and_a_preview_without_title(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "cut") == (
        "partial", {"malformed_google_job_json": 1, "malformed_json": 1, "missing_title": 1},
        ["165817"])


def test_empty_page_before_the_promised_count(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "shrunk") == (
        "complete", {"beyond_last_page": 1, "malformed_google_job_json": 1}, ["165813", "165817"])


def test_robots_txt_refusing_the_search_is_obeyed_and_recorded(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "robots") == ("failed", {"robots_disallowed": 1}, [])
    east = "portal-applicant-tracking.us-east.paycomonline.net"
    assert [(r.method, r.path) for r in listing_crawl.requests if r.host == east] == [
        ("GET", "/robots.txt"), ("GET", "/api/ats/company-name")]


def test_career_page_without_token_or_with_a_foreign_service(listing_crawl: CrawlResult) -> None:
    assert outcome(listing_crawl, "nojwt") == ("failed", {"missing_field": 1}, [])
    assert outcome(listing_crawl, "untrusted") == ("failed", {"untrusted_service": 1}, [])
    assert not [r for r in listing_crawl.requests if "example.net" in r.host]
    assert listing_crawl.stats["finish_reason"] == "finished"


def test_failed_details_land_as_sightings(detail_crawl: CrawlResult) -> None:
    status, problems, ids = outcome(detail_crawl, "broken")
    assert problems == {"http_5xx": 2, "timeout": 1, "malformed_json": 1,
                        "html_instead_of_json": 1, "detail_gone": 1, "stale_token": 1}
    assert status == "complete"  # every posting was sighted in the search
    # 900006 answered 404: the search still shows it, so its preview lands as a sighting.
    assert ids == ["900001", "900002", "900003", "900004", "900005", "900006", "900007"]
    got = {i["source_id"]: (i["detail_skipped"], i["extra"].get("detail_error"), i["employer"])
           for i in detail_crawl.items}
    assert got == {
        "900001": (None, None, "Registry employer (fixture)"),  # company-name answered 500
        "900002": (True, "http_5xx", "Registry employer (fixture)"),
        "900003": (True, "timeout", "Registry employer (fixture)"),
        "900004": (True, "unreadable", "Registry employer (fixture)"),
        "900005": (True, "unreadable", "Registry employer (fixture)"),
        "900006": (True, "detail_gone", "Registry employer (fixture)"),
        "900007": (True, "stale_token", "Registry employer (fixture)"),
    }
