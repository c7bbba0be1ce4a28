"""Rendered career pages: listings that exist only after JavaScript runs are read with Debian's
chromium (scrapy-playwright), while a plain request of the same page finds none; only this
spider starts a browser, api_base reaches the browser's own requests, and every bad input is
counted while the rest of the run lands.

The browser tests drive the real chromium at /usr/bin/chromium (``make setup`` installs it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, REPO, CrawlResult, fake_response, make_spider, run_crawl
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from crawlers.platforms.rendered import (
    CHROMIUM,
    HANDLER,
    ListingsTimeout,
    browser_failure,
    launch_options,
    looks_denied,
)
from crawlers.registry import Board
from crawlers.spiders.rendered import RenderedCareerPagesSpider

SITE = FIXTURES / "rendered" / "site"
HOST = "careers.example.net"
CAREERS = f"https://{HOST}/careers/"
SOURCE = f"rendered:{HOST}/careers"
BOARD = Board(platform="rendered", board=CAREERS, key=f"{HOST}/careers")
GOOD = {"platform": "rendered", "board": CAREERS, "render": True,
        "start_urls": [CAREERS], "wait_for": "#openings.loaded", "follow": "/careers/jobs/"}
MISSING_CHROMIUM = (f"Debian's chromium is not installed at {CHROMIUM}: run `make setup`, "
                    "which installs it with apt-get (the browser tests drive the real browser)")


def entry(path: str, host: str = HOST, **options: Any) -> dict[str, Any]:
    return {"platform": "rendered", "board": f"https://{host}/{path}/", "render": True,
            "wait_for": "#openings.loaded", "follow": "/careers/jobs/", **options}


def browser_settings(token: str, **more: Any) -> dict[str, Any]:
    """The real launch options plus a harmless marker flag, to find this run's chromium."""
    return {"PLAYWRIGHT_LAUNCH_OPTIONS": launch_options(extra_args=(token,)), **more}


def processes_with(token: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if token.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def assert_browser_closed(token: str, log: Path) -> None:
    """No chromium process of the run is left once the crawl has ended (bounded wait for
    the last helper processes to exit)."""
    deadline = time.monotonic() + 10
    while processes_with(token) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_with(token) == []
    assert "[scrapy-playwright] INFO: Closing browser" in log.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def chromium() -> str:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(MISSING_CHROMIUM)
    return CHROMIUM


# -- in-process: posting pages, classification, who gets the browser -------------------------


def common(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": SOURCE, "platform": "rendered", "board": CAREERS, "fetched_at": FETCHED_AT,
        "source_updated_at": None, "detail_skipped": None, "pay_text": None, "pay_min": None,
        "pay_max": None, "pay_period": None, "pay_currency": None, "remote": None,
        "closes_at": None, "description": None, "location": None, "locations": None,
        "employment_type": None, "extra": {},
    }
    base.update(fields)
    return base


PEER_SUPPORT = common(
    source_id="4150001", url=f"{CAREERS}jobs/4150001", title="Peer Support Specialist",
    employer="Jefferson Healthcare", location="2500 W Sims Way, Port Townsend, WA 98368, US",
    locations=["2500 W Sims Way, Port Townsend, WA 98368, US"],
    pay_min=19.5, pay_max=22.75, pay_period="HOUR", pay_currency="USD",
    posted_at="2026-10-29 00:00:00", closes_at="2031-09-09 00:00:00T23:59",
    employment_type="FULL_TIME", extra={"identifier_name": "Jefferson Healthcare"},
    description=(
        "Peer Support Specialist\n\nAnnouncement #342326\n\nJefferson Healthcare is currently "
        "looking for a full-time Peer Support Specialist to join our team. We have a fully "
        "accredited Home Health & Hospice program and this role will involve providing direct "
        "personal care to patients in their homes. You will be following a specific plan of "
        "care prepared by the RN Case Manager to ensure that patients receive the best possible "
        "care. You will use your own lived experience of recovery to support people with mental "
        "health and substance use challenges.\n\nWhat can we offer you?\n\n- Competitive wages\n"
        "- Low premiums for Medical, Dental, Vision, and Prescription coverage for employees and "
        "their families\n- Outstanding benefits including PTO, Employee Assistant Program, "
        "Voluntary Benefits, and Retirement Plans.\n- Hands-on training\n- Supportive and "
        "inclusive work environment\n\nEducation and experience required\n\n- High School "
        "diploma or GED equivalent required\n- Washington State Certified Peer Specialist (CPS) "
        "credential required, or obtained within 12 months of hire\n- Current AHA BLS/CPR "
        "(Healthcare Provider version) required\n- Current valid state driver's license and "
        "proof of auto insurance required\n\nSchedule: Full-Time; Day Shift (M-F 8:30a-5p)\n\n"
        "To apply: Please visit our careers website at "
        "https://jeffersonhealthcare.org/healthcare-careers."
    ),
)
RECOVERY_COACH = common(
    source_id=f"{CAREERS}jobs/76032", url=f"{CAREERS}jobs/76032", title="PEER RECOVERY COACH",
    employer="Covenant Health",
    location="550 Fort Loudoun Medical Center Drive, Lenoir City, TN 37772, US",
    locations=["550 Fort Loudoun Medical Center Drive, Lenoir City, TN 37772, US"],
    posted_at="2026-10-20T04:00:00.000Z", closes_at="2026-12-20T05:00:00.000Z",
    employment_type="OTHER", extra={"directApply": True},
    description=(
        "Overview\n\nPeer Recovery Coach\n\nPRN/OCC, Day Shift\n\nPosition Summary:\n\nThe Peer "
        "Recovery Coach uses lived experience of recovery to meet patients in the emergency "
        "department after an overdose and connect them with treatment and community recovery "
        "supports.\n\nResponsibilities\n\n- Shares their own recovery story to build hope and "
        "trust.\n- Connects patients with treatment, mutual-aid groups and recovery housing.\n"
        "- Maintains required records, reports and statistics as directed.\n\nQualifications\n\n"
        "Licensure Requirement\n\nTennessee Certified Peer Recovery Specialist (CPRS), or "
        "obtained within 6 months of hire."
    ),
)
FAMILY_PEER = common(
    source_id=f"{CAREERS}jobs/1567", url=f"{CAREERS}jobs/1567",
    title="Family Peer Advocate, Full-Time, Day Shift", employer="Blythedale Children's Hospital",
    location="95 Bradhurst Avenue, Valhalla, NY 10595, US",
    locations=["95 Bradhurst Avenue, Valhalla, NY 10595, US"],
    pay_min=24.25, pay_max=24.55, pay_currency="USD",
    posted_at="2026-09-08T04:00:00.000Z", closes_at="2027-09-08T04:00:00.000Z",
    employment_type="FULL_TIME",
    extra={"occupationalCategory": "Peer Support", "directApply": True},
    description=(
        "Pay Range\n\nUSD $24.25 - USD $24.55 /Hr.\n\nAbout Us\n\nBlythedale Children's Hospital "
        "is a leading pediatric hospital dedicated to providing comprehensive, compassionate "
        "care.\n\nOverview\n\nThe Family Peer Advocate is a parent or caregiver who has raised a "
        "child with complex medical or behavioral health needs and supports families through "
        "their child\u2019s stay.\n\nResponsibilities\n\n- Meeting families at admission and "
        "sharing lived experience as a parent.\n- Connecting families with community resources "
        "and parent support groups.\n\nEducation, Licensure, and Certification\n\n- High School "
        "Diploma or GED.\n- New York State Family Peer Advocate (FPA) credential, or willing to "
        "obtain it within 12 months."
    ),
)
YOUTH_PEER = common(
    source_id=f"{CAREERS}jobs/49315", url=f"{CAREERS}jobs/49315",
    title="Youth Peer Support Specialist", employer="Legacy Health",
    location="2801 N GANTENBEIN AVE, PORTLAND, OR 97227-1623, US",
    locations=["2801 N GANTENBEIN AVE, PORTLAND, OR 97227-1623, US"],
    posted_at="2026-10-05T01:06:16.428Z", closes_at="2027-10-05T01:06:16.428Z",
    employment_type="FULL_TIME", extra={"directApply": True},
    description=(
        "Overview\n\nMaking life better for people. Bringing good health to all.\n\n"
        "Responsibilities\n\nThe Youth Peer Support Specialist draws on their own experience as "
        "a young adult in mental health services to support youth ages 16 to 25 on the unit.\n\n"
        "Qualifications\n\n- Oregon Peer Wellness Specialist (PWS) certification required.\n"
        "- Lived experience of mental health services as a young adult."
    ),
)


def site_page(*parts: str) -> bytes:
    return SITE.joinpath(HOST, *parts).read_bytes()


@pytest.mark.parametrize(("path", "expected"), [
    ("jobs/4150001", PEER_SUPPORT),
    ("jobs/76032", RECOVERY_COACH),
    ("jobs/1567", FAMILY_PEER),
])
def test_posting_pages_parse_to_exact_items(path: str, expected: dict[str, Any]) -> None:
    spider = make_spider(RenderedCareerPagesSpider)
    response = fake_response(CAREERS + path, site_page("careers", path, "index.html"),
                             board=BOARD)
    assert [asdict(item) for item in spider.parse_posting(response)] == [expected]


def test_listing_html_before_javascript_has_no_postings() -> None:
    spider = make_spider(RenderedCareerPagesSpider)
    board = Board(platform="rendered", board=CAREERS, key=f"{HOST}/careers",
                  options={"follow": "/careers/jobs/"})
    response = fake_response(CAREERS, site_page("careers", "index.html"), board=board)
    assert list(spider.parse_listing(response)) == []
    assert spider.crawler.stats.get_value(f"peerjobs/board/{SOURCE}//problems/no_postings_found") == 1


@pytest.mark.parametrize(("page", "denied"), [
    (("denied", "index.html"), True),
    (("careers", "index.html"), False),
    (("careers", "jobs", "4150001", "index.html"), False),
])
def test_access_denied_pages_are_recognized(page: tuple[str, ...], denied: bool) -> None:
    response = fake_response(f"https://{HOST}/x", site_page(*page), board=BOARD)
    assert looks_denied(response) is denied


@pytest.mark.parametrize(("error", "kind"), [
    (ListingsTimeout("#openings li a", 3, CAREERS), "render_timeout"),
    (PlaywrightTimeoutError("Page.goto: Timeout 3000ms exceeded."), "render_timeout"),
    (PlaywrightError(f"Page.goto: net::ERR_TIMED_OUT at {CAREERS}"), "render_timeout"),
    (PlaywrightError(f"Page.goto: net::ERR_CONNECTION_REFUSED at {CAREERS}"), "connection"),
    (PlaywrightError(f"Page.goto: net::ERR_TOO_MANY_REDIRECTS at {CAREERS}"), "redirect_loop"),
    (PlaywrightError("BrowserType.launch: Executable doesn't exist at /x"), "browser_error"),
    (PlaywrightError(f"Page.goto: net::ERR_CERT_INVALID at {CAREERS}"), "render_failed"),
    (ValueError("not the browser"), None),
])
def test_browser_failures_are_classified(error: BaseException, kind: str | None) -> None:
    found = browser_failure(error, CAREERS)
    assert (found[0] if found else None) == kind
    if found:
        assert CAREERS in found[1]


def test_only_listing_pages_of_rendered_boards_get_the_browser() -> None:
    spider = make_spider(RenderedCareerPagesSpider)
    rendered = Board(platform="rendered", board=CAREERS, key="a",
                     options={"wait_for": "#openings li a", "wait_timeout": 7})
    plain = Board(platform="rendered", board=CAREERS, key="b", options={"render": False})
    both = Board(platform="rendered", board=CAREERS, key="c", options={"render_postings": True})
    listing = spider.request(CAREERS, spider.parse_listing, rendered, listing=True)
    assert listing.meta["playwright"] is True
    [wait] = listing.meta["playwright_page_methods"]
    assert (wait.method.__name__, wait.args) == ("wait_for_listings", ("#openings li a", 7.0))
    assert "playwright" not in spider.request(CAREERS + "jobs/1", spider.parse_posting, rendered).meta
    assert "playwright" not in spider.request(CAREERS, spider.parse_listing, plain).meta
    assert "playwright" not in spider.request(f"https://{HOST}/sitemap.xml", spider.parse_listing,
                                              rendered).meta
    posting = spider.request(CAREERS + "jobs/1", spider.parse_posting, both)
    assert posting.meta["playwright"] is True
    assert posting.meta["playwright_page_methods"][0].args == (
        'script[type="application/ld+json"]', 30.0)


@pytest.mark.parametrize(("options", "message"), [
    ({"wait_for": "#openings li a["}, "wait_for '#openings li a[' is not a CSS selector"),
    ({"no_openings": ""}, "no_openings '' is not a CSS selector"),
    ({"wait_timeout": "soon"}, "wait_timeout 'soon' is not a number of seconds"),
    ({"navigation_timeout": 0}, "navigation_timeout 0 is not a number of seconds"),
])
def test_board_options_that_cannot_work_start_nothing(
        options: dict[str, Any], message: str, caplog: pytest.LogCaptureFixture) -> None:
    spider = make_spider(RenderedCareerPagesSpider)
    board = Board(platform="rendered", board=CAREERS, key=f"{HOST}/careers", options=options)
    assert list(spider.start_board(board)) == []
    assert spider.crawler.stats.get_value(f"peerjobs/board/{SOURCE}//problems/board_error") == 1
    assert message in caplog.text


def test_no_other_spider_loads_the_playwright_handler() -> None:
    """Every spider but ``rendered`` keeps the api_base HTTP handler, and loading all spiders
    does not even import scrapy-playwright's handler (checked in a fresh interpreter)."""
    code = (
        "import json, sys\n"
        "from scrapy.spiderloader import SpiderLoader\n"
        "from scrapy.utils.project import get_project_settings\n"
        "project = get_project_settings()\n"
        "loader = SpiderLoader.from_settings(project)\n"
        "handlers = {}\n"
        "for name in loader.list():\n"
        "    settings = project.copy()\n"
        "    loader.load(name).update_settings(settings)\n"
        "    handlers[name] = settings.getdict('DOWNLOAD_HANDLERS')\n"
        "print(json.dumps({'handlers': handlers,\n"
        "                  'imported': sorted(m for m in sys.modules if 'playwright_handler' in m\n"
        "                                     or m == 'scrapy_playwright.handler')}))\n"
    )
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawlers.settings"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, env=env, check=True, timeout=120)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    ours = {"http": "crawlers.apibase.ApiBaseDownloadHandler",
            "https": "crawlers.apibase.ApiBaseDownloadHandler"}
    handlers = report["handlers"]
    assert handlers.pop("rendered") == {"http": HANDLER, "https": HANDLER}
    assert "jsonld" in handlers and len(handlers) >= 8
    assert all(found == ours for found in handlers.values()), handlers
    assert report["imported"] == []


def test_missing_chromium_fails_the_board_with_a_clear_problem(data_dir: Path) -> None:
    result = run_crawl(
        data_dir, "rendered", SITE, boards=[CAREERS], registry=[GOOD],
        settings={"PLAYWRIGHT_LAUNCH_OPTIONS": launch_options("/nonexistent/chromium")},
    )
    board = result.board(SOURCE)
    assert board["status"] == "failed" and board["problems"] == {"browser_missing": 1}
    assert board["requests"] == 0 and result.items == []
    assert [r.path for r in result.requests] == []
    log = (data_dir / "crawl.log").read_text(encoding="utf-8")
    assert "chromium not found at /nonexistent/chromium: `make setup` installs" in log
    assert "Launching browser" not in log


# -- the real browser through the replay server --------------------------------------------


@pytest.fixture(scope="module")
def rendered_run(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlResult, str]:
    token = f"--peerjobs-test-run={uuid.uuid4().hex}"
    data = tmp_path_factory.mktemp("rendered")
    result = run_crawl(data, "rendered", SITE, boards=[CAREERS], registry=[GOOD],
                       settings=browser_settings(token))
    return result, token


@pytest.mark.browser
def test_rendered_crawl_extracts_postings_that_exist_only_after_javascript(
        rendered_run: tuple[CrawlResult, str]) -> None:
    result, token = rendered_run
    assert result.by_id() == {item["source_id"]: item for item in
                              (PEER_SUPPORT, RECOVERY_COACH, FAMILY_PEER, YOUTH_PEER)}
    board = result.board(SOURCE)
    assert board["status"] == "complete" and board["problems"] == {}
    assert board["items"] == 4 and board["listing_pages"] == 2
    # Two rendered listing pages, three posting pages fetched without the browser.
    assert board["requests"] == 5 and board["http_status"] == {"200": 5}
    stats = result.stats["stats"]
    assert stats["playwright/page_count"] == 2 and stats["playwright/browser_count"] == 1
    assert stats["playwright/request_count/navigation"] == 2
    # Everything, the page's own script and JSON included, came from the mirror at real paths;
    # the mirror's redirect /careers/page/2 -> /careers/page/2/ was followed for the browser.
    paths = sorted(r.path for r in result.requests if r.path != "/favicon.ico")
    assert paths == sorted([
        "/robots.txt", "/careers/", "/careers/static/openings.js", "/careers/api/openings.json",
        "/careers/page/2", "/careers/page/2/", "/careers/static/openings.js",
        "/careers/api/openings-2.json", "/careers/jobs/4150001", "/careers/jobs/76032",
        "/careers/jobs/1567",
    ])
    assert result.requests[0].path == "/robots.txt"
    assert {r.host for r in result.requests} == {HOST}
    assert all(item["url"].startswith(f"https://{HOST}/") for item in result.items)
    assert result.data_dir is not None
    assert_browser_closed(token, result.data_dir / "crawl.log")


@pytest.mark.browser
def test_plain_request_of_the_same_page_finds_no_postings(
        rendered_run: tuple[CrawlResult, str], data_dir: Path) -> None:
    """What must hold: the listings exist only after JavaScript runs. The plain JSON-LD spider,
    given the same page and link pattern, finds nothing; the browser found every posting."""
    plain = run_crawl(data_dir, "jsonld", SITE, boards=[CAREERS],
                      registry=[{**GOOD, "platform": "jsonld"}])
    assert plain.items == []
    board = plain.board(f"jsonld:{HOST}/careers")
    assert board["status"] == "failed" and board["problems"] == {"no_postings_found": 1}
    assert [r.path for r in plain.requests] == ["/robots.txt", "/careers/"]
    assert not [key for key in plain.stats["stats"] if key.startswith("playwright")]
    assert "scrapy-playwright" not in (data_dir / "crawl.log").read_text(encoding="utf-8")
    rendered, _ = rendered_run
    assert len(rendered.items) == 4


BAD_BOARDS = [
    entry("careers"),
    entry("stuck", wait_timeout=3),
    entry("slow", navigation_timeout=3),
    entry("broken"),
    entry("loop"),
    entry("denied"),
    entry("careers", host="jobs.example.net"),
    entry("partial", wait_timeout=3),
    entry("empty", wait_for="#openings li a, .no-openings", no_openings=".no-openings"),
    entry("retry"),
]


@pytest.fixture(scope="module")
def bad_run(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlResult, str]:
    token = f"--peerjobs-test-run={uuid.uuid4().hex}"
    data = tmp_path_factory.mktemp("rendered-bad")
    result = run_crawl(
        data, "rendered", SITE, boards=[b["board"] for b in BAD_BOARDS], registry=BAD_BOARDS,
        settings=browser_settings(token, RETRY_TIMES=1, PEERJOBS_RETRY_BACKOFF_BASE=0),
    )
    return result, token


def bad(run: tuple[CrawlResult, str], path: str, host: str = HOST) -> dict[str, Any]:
    return run[0].board(f"rendered:{host}/{path}")


def log_of(run: tuple[CrawlResult, str]) -> str:
    assert run[0].data_dir is not None
    return (run[0].data_dir / "crawl.log").read_text(encoding="utf-8")


@pytest.mark.browser
def test_listings_that_never_appear_count_render_timeout_and_the_run_lands(
        bad_run: tuple[CrawlResult, str]) -> None:
    stuck = bad(bad_run, "stuck")
    assert stuck["status"] == "failed" and stuck["problems"] == {"render_timeout": 1}
    assert stuck["items"] == 0 and stuck["requests"] == 1
    assert (f"[rendered:{HOST}/stuck] render_timeout: listings (#openings.loaded) did not appear "
            f"within 3 s at https://{HOST}/stuck/; the page's failed requests: HTTP 404 "
            f"https://{HOST}/stuck/static/openings.js") in log_of(bad_run)
    # Another board in the same run still yields all its postings.
    good = bad(bad_run, "careers")
    assert good["status"] == "complete" and good["items"] == 4 and good["problems"] == {}
    assert bad_run[0].stats["finish_reason"] == "finished"


@pytest.mark.browser
def test_page_that_never_loads_counts_render_timeout(bad_run: tuple[CrawlResult, str]) -> None:
    slow = bad(bad_run, "slow")
    assert slow["status"] == "failed" and slow["problems"] == {"render_timeout": 1}
    assert f"page did not finish loading in the browser at https://{HOST}/slow/" in log_of(bad_run)


@pytest.mark.browser
def test_page_that_fails_to_load_counts_its_http_error(bad_run: tuple[CrawlResult, str]) -> None:
    broken = bad(bad_run, "broken")
    # Not waited for: the 500 page reaches Scrapy, which retries it once and counts it.
    assert broken["status"] == "failed" and broken["problems"] == {"http_5xx": 1}
    assert broken["requests"] == 2


@pytest.mark.browser
def test_redirect_loop_in_the_browser_is_counted(bad_run: tuple[CrawlResult, str]) -> None:
    loop = bad(bad_run, "loop")
    assert loop["status"] == "failed" and loop["problems"] == {"redirect_loop": 1}
    hops = [r for r in bad_run[0].requests if r.path == "/loop/"]
    assert len(hops) == 6  # the first request and REDIRECT_MAX_TIMES (5) hops


@pytest.mark.browser
def test_access_denied_page_with_status_200(bad_run: tuple[CrawlResult, str]) -> None:
    denied = bad(bad_run, "denied")
    assert denied["status"] == "failed" and denied["problems"] == {"access_denied": 1}
    assert denied["http_status"] == {"200": 1}


@pytest.mark.browser
def test_robots_txt_is_obeyed_before_the_browser_opens_a_page(
        bad_run: tuple[CrawlResult, str]) -> None:
    robots = bad(bad_run, "careers", host="jobs.example.net")
    assert robots["status"] == "failed" and robots["problems"] == {"robots_disallowed": 1}
    assert robots["requests"] == 0
    assert [r.path for r in bad_run[0].requests if r.host == "jobs.example.net"] == ["/robots.txt"]
    # Pages opened: careers 2, stuck 1, slow 1, broken 2, loop 1, denied 1, partial 2, empty 1,
    # retry 2; none for the disallowed board.
    assert bad_run[0].stats["stats"]["playwright/page_count"] == 13


@pytest.mark.browser
def test_lost_next_page_leaves_the_board_partial(bad_run: tuple[CrawlResult, str]) -> None:
    partial = bad(bad_run, "partial")
    assert partial["status"] == "partial" and partial["problems"] == {"render_timeout": 1}
    assert partial["listing_pages"] == 1 and partial["items"] == 1
    assert [i["title"] for i in bad_run[0].items if i["source"] == f"rendered:{HOST}/partial"] \
        == ["Youth Peer Support Specialist"]


@pytest.mark.browser
def test_board_that_says_it_has_no_openings_is_complete_and_empty(
        bad_run: tuple[CrawlResult, str]) -> None:
    empty = bad(bad_run, "empty")
    assert empty["status"] == "complete" and empty["items"] == 0 and empty["problems"] == {}
    assert empty["listing_pages"] == 1


@pytest.mark.browser
def test_rendered_page_answering_503_is_retried(bad_run: tuple[CrawlResult, str]) -> None:
    retry = bad(bad_run, "retry")
    assert retry["status"] == "complete" and retry["items"] == 1 and retry["problems"] == {}
    assert retry["http_status"] == {"503": 1, "200": 1} and retry["requests"] == 2


@pytest.mark.browser
def test_browser_is_closed_after_a_run_with_errors(bad_run: tuple[CrawlResult, str]) -> None:
    result, token = bad_run
    assert result.data_dir is not None
    assert_browser_closed(token, result.data_dir / "crawl.log")


@pytest.mark.browser
def test_unreachable_mirror_fails_without_losing_the_run(chromium: str, data_dir: Path) -> None:
    token = f"--peerjobs-test-run={uuid.uuid4().hex}"
    result = run_crawl(data_dir, "rendered", None, boards=[CAREERS], registry=[GOOD],
                       api_base="http://127.0.0.1:9",
                       settings=browser_settings(token, DOWNLOAD_TIMEOUT=5))
    board = result.board(SOURCE)
    assert board["status"] == "failed" and board["problems"] == {"connection": 1}
    assert result.items == [] and result.stats["finish_reason"] == "finished"
    assert "browser cannot connect for https://careers.example.net/careers/: Page.goto: " \
           "net::ERR_CONNECTION_REFUSED" in (data_dir / "crawl.log").read_text(encoding="utf-8")
    assert_browser_closed(token, data_dir / "crawl.log")
