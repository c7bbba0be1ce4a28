"""e3applicants tenant boards: listing rows and posting pages parse to exact items; tracking
queries are dropped before deduplicating; unchanged rows skip their posting page; bad input is
counted. The pages are RECONSTRUCTED (see fixtures/e3applicants/README.md): no raw HTML of this
platform was found, so the markup follows the one documented structure.
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

from crawlers.platforms.e3applicants import posting_id, posting_url, split_small, tenant_of
from crawlers.registry import Board
from crawlers.spiders.e3applicants import E3ApplicantsBoardsSpider
from db.build import build

SITE = FIXTURES / "e3applicants" / "site"
SIGNAL = re.compile(r"^list-sha1:[0-9a-f]{16}$")
ROUTES: list[dict[str, Any]] = json.loads((SITE / "routes.json").read_text())["routes"]
EMPLOYERS = {"lifeworksnw": "LifeWorks NW", "ehn": "EHN",
             "bhr": "Behavioral Health Resources",
             "meridian": "Meridian Behavioral Healthcare (Gainesville)"}


def entry(board: str, **options: Any) -> dict[str, Any]:
    return {"platform": "e3applicants", "board": board, "enabled": False,
            "employer": EMPLOYERS.get(board, "Fixture employer"), **options}


def served(host: str, path: str) -> bytes:
    for route in ROUTES:
        if (route["host"], route["path"]) == (host, path) and route.get("status") == 200 \
                and "file" in route:
            return (SITE / route["file"]).read_bytes()
    raise LookupError(f"{host}{path}")


def items_of(tenant: str) -> list[dict[str, Any]]:
    """Listing → posting pages in-process, as the crawl would."""
    spider = make_spider(E3ApplicantsBoardsSpider)
    board = Board(platform="e3applicants", board=tenant, key=tenant, employer=EMPLOYERS[tenant])
    host = f"{tenant}.e3applicants.com"
    listing = fake_response(f"https://{host}/careers/", served(host, "/careers/"), board=board,
                            meta={"page": 1})
    items = []
    for request in spider.parse_listing(listing):
        path = request.url.split(host, 1)[1]
        response = fake_response(request.url, served(host, path), board=board, meta=request.meta)
        items.extend(asdict(i) for i in spider.parse_detail(response))
    return items


def common(tenant: str, **fields: Any) -> dict[str, Any]:
    base = {"source": f"e3applicants:{tenant}", "platform": "e3applicants", "board": tenant,
            "fetched_at": FETCHED_AT, "employer": EMPLOYERS[tenant], "detail_skipped": None,
            "remote": None, "posted_at": None, "closes_at": None, "pay_text": None,
            "pay_min": None, "pay_max": None, "pay_period": None, "pay_currency": None}
    base.update(fields)
    return base


# -- boards, ids, listing rows --------------------------------------------------------------


@pytest.mark.parametrize(
    ("board", "tenant"),
    [("bhr", "bhr"), ("https://LifeWorksNW.e3applicants.com/careers/", "lifeworksnw"),
     ("ehn.e3applicants.com", "ehn"),
     ("https://www.e3applicants.com/hrm/CareersFrame.aspx", None),
     ("https://careers.example.org/jobs", None)],
)
def test_tenant_of_a_board(board: str, tenant: str | None) -> None:
    assert tenant_of(board) == tenant


@pytest.mark.parametrize(
    ("href", "url", "job_id"),
    [("/careers/Peer-Support-Specialist-280-234?source=Indeed.com",
      "https://lifeworksnw.e3applicants.com/careers/Peer-Support-Specialist-280-234", "234"),
     ("Childcare-Provider-On-Call-518-1659#apply",
      "https://lifeworksnw.e3applicants.com/careers/Childcare-Provider-On-Call-518-1659", "1659"),
     ("/careers/Peer-Specialist--29439--32169-477",
      "https://lifeworksnw.e3applicants.com/careers/Peer-Specialist--29439--32169-477", "477"),
     ("/careers/Peer-Support-Specialist",
      "https://lifeworksnw.e3applicants.com/careers/Peer-Support-Specialist", None)],
)
def test_the_id_is_the_last_number_and_tracking_queries_go(href: str, url: str,
                                                           job_id: str | None) -> None:
    assert posting_url(href, "https://lifeworksnw.e3applicants.com/careers/") == url
    assert posting_id(url) == job_id


@pytest.mark.parametrize(
    ("small", "expected"),
    [("Full Time  Milwaukie, OR", ("Milwaukie, OR", "Full Time")),
     ("Gainesville, FL - Part Time", ("Gainesville, FL", "Part Time")),
     ("Kennewick, WA | Full-Time", ("Kennewick, WA", "Full-Time")),
     ("Part Time", (None, "Part Time")), ("Olympia, WA", ("Olympia, WA", None)), (None, (None, None))],
)
def test_small_text_splits_into_location_and_type(small: str | None,
                                                  expected: tuple[str | None, str | None]) -> None:
    assert split_small(small) == expected


# -- every field of two postings ------------------------------------------------------------


def test_lifeworks_peer_posting_keeps_prose_pay_in_the_description() -> None:
    items = {i["source_id"]: i for i in items_of("lifeworksnw")}
    assert sorted(items) == ["1659", "234"]  # the row repeated with ?source=Indeed.com is not
    item = items["234"]
    description = item.pop("description")
    assert item == common(
        "lifeworksnw", source_id="234",
        url="https://lifeworksnw.e3applicants.com/careers/Peer-Support-Specialist-280-234",
        title="Peer Support Specialist 280", location="Milwaukie, OR",
        locations=["Milwaukie, OR"], employment_type="Full Time",
        source_updated_at=item["source_updated_at"],
        extra={"listing_small": "Full Time Milwaukie, OR",
               "slug": "Peer-Support-Specialist-280-234"},
    )
    assert SIGNAL.match(item["source_updated_at"])
    assert description.startswith("The Peer Support Specialist, EASA (Early Assessment Support "
                                  "Alliance) position provides a variety of recovery-oriented")
    assert "\n\nPay/Benefits: $16.05 to $17.25 per hour. Full benefits\n\n" in description
    assert description.endswith("to decrease dependence on the traditional mental health system.")
    assert "Apply Now" not in description and "Peer Support Specialist 280" not in description


def test_ehn_posting_without_a_location() -> None:
    [item] = items_of("ehn")
    assert item == common(
        "ehn", source_id="1390",
        url="https://ehn.e3applicants.com/careers/Peer-Support-Specialist-1390",
        title="Peer Support Specialist", location=None, locations=None,
        employment_type="Full Time", source_updated_at=item["source_updated_at"],
        extra={"listing_small": "Full Time", "slug": "Peer-Support-Specialist-1390"},
        description=(
            "Job Code: PSS - 103\n\nRevision Date: November 9, 2022\n\nStarting Salary: $12.58 "
            "hourly; $26,175 annually\nFLSA: Non-Exempt\n\nWe are an agency committed to "
            "innovative behavioral health services in trauma-informed care that promote healing "
            "and recovery to instill a sense of empowerment and foster a lifelong sense of "
            "resilience.\n\nGeneral Description\n\nPeer Support Specialist assist their peers in "
            "articulating their goals for recovery, learning and practicing new skills, helping "
            "them monitor their progress, assisting them in their treatment, modeling effective "
            "coping techniques and self-help strategies based on the specialist's own recovery "
            "experience, and supporting them in advocating for themselves to obtain effective "
            "services.\n\nDuties and Responsibilities\n\n- Advocates for clients and assists them "
            "in times of crisis or fear.\n- Performs outreach in communities, informing people of "
            "the services available to the client."),
    )


def test_a_page_with_jsonld_adds_dates_but_not_the_employer() -> None:
    spider = make_spider(E3ApplicantsBoardsSpider)
    board = Board(platform="e3applicants", board="bhr", key="bhr", employer="Behavioral Health "
                  "Resources")
    row = {"source_id": "243", "url": "https://bhr.e3applicants.com/careers/Peer-Support-"
           "Specialist-243", "title": None, "location": None, "locations": None,
           "employment_type": None, "source_updated_at": None, "extra": {}}
    page = served("bhr.e3applicants.com", "/careers/Peer-Support-Specialist-243").decode().replace(
        "</head>", '<script type="application/ld+json">{"@type": "JobPosting", "title": "Peer '
        'Support Specialist", "datePosted": "2026-10-01", "hiringOrganization": {"name": "BHR"}}'
        "</script></head>")
    response = fake_response(row["url"], page, board=board,
                             meta={"row": row, "fallback": spider.posting(board, **row)})
    [item] = spider.parse_detail(response)
    assert (item.title, item.posted_at, item.employer, item.extra["hiring_organization"]) == (
        "Peer Support Specialist", "2026-10-01", "Behavioral Health Resources", "BHR")


# -- crawls ---------------------------------------------------------------------------------

MAIN = [entry(t) for t in EMPLOYERS]


def paths(result: CrawlResult, tenant: str) -> list[str]:
    return [r.path for r in result.requests
            if r.host == f"{tenant}.e3applicants.com" and r.path != "/robots.txt"]


def test_crawl_reads_each_board_and_fetches_each_posting_once(data_dir: Path) -> None:
    result = run_crawl(data_dir, "e3applicants", SITE, boards=list(EMPLOYERS), registry=MAIN)
    assert sorted((i["board"], i["source_id"]) for i in result.items) == [
        ("bhr", "243"), ("ehn", "1390"), ("lifeworksnw", "1659"), ("lifeworksnw", "234"),
        ("meridian", "3404")]
    stats = result.board("e3applicants:lifeworksnw")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["requests"]) == (
        "complete", 2, 1, 3)
    assert stats["repeated_in_run"] == 1 and stats["problems"] == {}
    assert sorted(paths(result, "lifeworksnw")) == [
        "/careers/", "/careers/Childcare-Provider-On-Call-518-1659",
        "/careers/Peer-Support-Specialist-280-234"]
    assert all(r.query == "" for r in result.requests)  # ?source=Indeed.com was dropped
    for tenant in EMPLOYERS:
        assert result.board(f"e3applicants:{tenant}")["status"] == "complete"
    by_board = {i["board"]: i for i in result.items if i["board"] != "lifeworksnw"}
    assert by_board["bhr"]["title"] == ("Peer Support Specialist $1,000 Sign-on Bonus and up to "
                                        "$2,000 Relocation Expense Reimbursement!")
    assert (by_board["meridian"]["location"], by_board["meridian"]["employment_type"],
            by_board["meridian"]["employer"]) == (
        "Gainesville, FL", "Part Time", "Meridian Behavioral Healthcare (Gainesville)")
    assert all(i["url"].startswith("https://") and "?" not in i["url"] for i in result.items)


def test_second_run_skips_unchanged_rows_and_refetches_an_edited_one(
        data_dir: Path, tmp_path: Path) -> None:
    first = run_crawl(data_dir, "e3applicants", SITE, boards=list(EMPLOYERS), registry=MAIN)
    assert sum(len(paths(first, t)) for t in EMPLOYERS) == 9
    build(data_dir, data_dir / "archive", lambda row: {})

    second = run_crawl(data_dir, "e3applicants", SITE, boards=list(EMPLOYERS), registry=MAIN,
                       now="2026-11-09T03:00:00Z")
    assert {t: paths(second, t) for t in EMPLOYERS} == {t: ["/careers/"] for t in EMPLOYERS}
    assert {i["detail_skipped"] for i in second.items} == {True} and len(second.items) == 5
    assert {i["source_id"]: i["source_updated_at"] for i in second.items} == {
        i["source_id"]: i["source_updated_at"] for i in first.items}

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    route = next(r for r in ROUTES if r["host"] == "bhr.e3applicants.com"
                 and r["path"] == "/careers/")
    page = changed / route["file"]
    page.write_text(page.read_text().replace("Olympia, WA", "Lacey, WA"))
    third = run_crawl(data_dir, "e3applicants", changed, boards=list(EMPLOYERS), registry=MAIN,
                      now="2026-11-16T03:00:00Z")
    assert paths(third, "bhr") == ["/careers/", "/careers/Peer-Support-Specialist-243"]
    refetched = next(i for i in third.items if i["board"] == "bhr")
    assert (refetched["detail_skipped"], refetched["location"]) == (None, "Lacey, WA")
    assert sum(third.board(f"e3applicants:{t}").get("details_skipped", 0) for t in EMPLOYERS) == 4


# -- bad input ------------------------------------------------------------------------------

LEGACY = "https://www.e3applicants.com/hrm/CareersFrame.aspx"


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    boards = ["busy", "unavailable", "forbidden", "missing", "broken500", "loop", "login",
              "denied", "verify", "empty", "maintenance", "robots", LEGACY]
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "e3applicants", SITE,
                     boards=boards, registry=[entry(b) for b in boards],
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


@pytest.fixture(scope="module")
def detail_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("detail") / "data", "e3applicants", SITE,
                     boards=["slow", "broken"], registry=[entry("slow"), entry("broken")],
                     settings={"DOWNLOAD_TIMEOUT": 2})


def stats_of(result: CrawlResult, tenant: str) -> dict[str, Any]:
    return result.board(f"e3applicants:{tenant}")


def test_429_is_retried_and_the_board_completes(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "busy")
    assert (stats["status"], stats["problems"], stats["items"]) == ("complete", {}, 1)
    assert paths(listing_crawl, "busy") == ["/careers/", "/careers/",
                                            "/careers/Peer-Support-Specialist-1390"]


@pytest.mark.parametrize(
    ("tenant", "problems", "requests"),
    [("unavailable", {"http_5xx": 1}, 3), ("broken500", {"http_5xx": 1}, 3),
     ("forbidden", {"http_403": 1}, 1), ("missing", {"http_404": 1}, 1),
     ("loop", {"redirect_loop": 1}, 6)],
)
def test_http_errors_and_redirect_loops_fail_the_board_alone(
        listing_crawl: CrawlResult, tenant: str, problems: dict[str, int], requests: int) -> None:
    stats = stats_of(listing_crawl, tenant)
    assert (stats["status"], stats["problems"], stats["requests"], stats["items"]) == (
        "failed", problems, requests, 0)
    assert listing_crawl.stats["finish_reason"] == "finished"


@pytest.mark.parametrize(
    ("tenant", "kind"),
    [("login", "login_wall"), ("denied", "access_denied"), ("verify", "bot_challenge")],
)
def test_walls_served_with_200_fail_the_board(listing_crawl: CrawlResult, tenant: str,
                                              kind: str) -> None:
    stats = stats_of(listing_crawl, tenant)
    assert (stats["status"], stats["problems"], stats["http_status"]) == (
        "failed", {kind: 1}, {"200": 1})


def test_html_page_that_is_not_a_board_is_counted(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "maintenance")
    assert (stats["status"], stats["problems"]) == ("failed", {"no_postings_found": 1})


def test_empty_board_is_a_complete_run_with_no_postings(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "empty")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["problems"]) == (
        "complete", 0, 1, {})


def test_legacy_careersframe_board_is_counted_unsupported(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "www.e3applicants.com/hrm/CareersFrame.aspx")
    assert (stats["status"], stats["problems"], stats["requests"]) == (
        "failed", {"unsupported_board": 1}, 0)
    assert not [r for r in listing_crawl.requests if r.host == "www.e3applicants.com"]


def test_robots_txt_is_obeyed_and_recorded(listing_crawl: CrawlResult) -> None:
    stats = stats_of(listing_crawl, "robots")
    assert (stats["status"], stats["problems"], stats["requests"]) == (
        "failed", {"robots_disallowed": 1}, 0)
    assert [r.path for r in listing_crawl.requests if r.host == "robots.e3applicants.com"] == [
        "/robots.txt"]


def test_a_listing_that_never_answers_is_a_counted_timeout(detail_crawl: CrawlResult) -> None:
    stats = stats_of(detail_crawl, "slow")
    assert (stats["status"], stats["problems"], stats["items"]) == ("failed", {"timeout": 1}, 0)


def test_posting_page_problems_are_counted_and_sightings_land(detail_crawl: CrawlResult) -> None:
    stats = stats_of(detail_crawl, "broken")
    assert stats["problems"] == {"http_5xx": 1, "timeout": 1, "detail_gone": 1,
                                 "expired_redirect": 1, "missing_title": 1, "login_wall": 1,
                                 "unexpected_page": 1}
    # Only the posting without a title leaves the run partial (it is dropped, unseen).
    assert (stats["status"], stats["incomplete"], stats["items"]) == ("partial", 1, 7)
    got = {i["source_id"]: (i["detail_skipped"], i["extra"].get("detail_error"))
           for i in detail_crawl.items if i["board"] == "broken"}
    # A posting page that 404s or redirects away does not close the posting the listing
    # shows: the listing's copy lands as a sighting.
    assert got == {"500": (None, None), "501": (True, "http_5xx"), "502": (True, "timeout"),
                   "503": (True, "detail_gone"), "504": (True, "expired_redirect"),
                   "506": (True, "login_wall"), "507": (True, "unexpected_page")}
