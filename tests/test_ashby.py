"""Ashby: real recordings parse to exact items (null workplace flags, Salary components next to
equity); crawls read the one board response and count every bad input."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, fake_response, fixture_bytes, make_spider, run_crawl

from crawlers.platforms.ashby import board_name, pay_fields, remote_flag
from crawlers.registry import Board
from crawlers.spiders.ashby import AshbyBoardsSpider
from db.build import build

SITE = FIXTURES / "ashby" / "site"
MAIN = "fixtureboard"
MAIN_FILE = SITE / "api.ashbyhq.com" / "posting-api" / "job-board" / \
    f"{MAIN}?includeCompensation=true"
RETRY = {"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0, "DOWNLOAD_TIMEOUT": 2}


def common(name: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": f"ashby:{name}", "platform": "ashby", "board": name, "employer": None,
        "fetched_at": FETCHED_AT, "source_updated_at": None, "detail_skipped": None,
        "pay_text": None, "pay_min": None, "pay_max": None, "pay_period": None,
        "pay_currency": None, "remote": None, "closes_at": None, "description": None,
        "location": None, "locations": None, "employment_type": None, "posted_at": None,
        "extra": {},
    }
    base.update(fields)
    return base


def parse(spider: Any, name: str, body: bytes) -> list[dict[str, Any]]:
    board = Board(platform="ashby", board=name, key=name)
    url = f"https://api.ashbyhq.com/posting-api/job-board/{name}?includeCompensation=true"
    response = fake_response(url, body, board=board, html=False, meta={"listing": True})
    return [asdict(item) for item in spider.parse_board(response)]


# -- in-process parsing of the recordings ----------------------------------------------------


def test_vanta_capture_remote_and_null_workplace() -> None:
    spider = make_spider(AshbyBoardsSpider)
    remote, null = parse(spider, "vanta", fixture_bytes(
        "ashby", "job_board_vanta_remote_and_null_workplace_redacted.json"))
    assert remote == common(
        "vanta", source_id="fe5fd1a4-12ff-4703-bed5-6c2f34ba7768",
        url="https://jobs.ashbyhq.com/vanta/fe5fd1a4-12ff-4703-bed5-6c2f34ba7768",
        title="Senior Account Executive, Growth Stage", location="Remote U.S.",
        locations=["Remote U.S."],
        description="At Vanta, our mission is to help [redacted for the fixture]",
        posted_at="2026-04-21T12:35:37.500+00:00", employment_type="FullTime", remote=True,
        extra={"department": "Revenue", "team": "Account Executives", "workplace_type": "Remote",
               "apply_url": "https://jobs.ashbyhq.com/vanta/"
                            "fe5fd1a4-12ff-4703-bed5-6c2f34ba7768/application",
               "is_remote": True,
               "postal_address": {"addressRegion": "", "addressCountry": "USA",
                                  "addressLocality": ""}},
    )
    # isRemote and workplaceType both null: nothing is flagged, so remote stays None.
    assert null == common(
        "vanta", source_id="cf4358d4-1f34-40cc-b5b4-31a2e001136f",
        url="https://jobs.ashbyhq.com/vanta/cf4358d4-1f34-40cc-b5b4-31a2e001136f",
        title="Sales Development Representative, Inbound", location="San Francisco, CA",
        locations=["San Francisco, CA"],
        description="At Vanta, our mission is to help [redacted for the fixture]",
        posted_at="2026-07-17T20:18:58.727+00:00", employment_type="FullTime", remote=None,
        extra={"department": "Revenue", "team": "Sales Development",
               "apply_url": "https://jobs.ashbyhq.com/vanta/"
                            "cf4358d4-1f34-40cc-b5b4-31a2e001136f/application",
               "postal_address": {"addressRegion": "California ", "addressCountry": "USA",
                                  "addressLocality": "San Francisco"}},
    )
    stats = spider.crawler.stats.get_stats()
    assert stats["peerjobs/board/ashby:vanta//listing_pages"] == 1


def test_ramp_capture_salary_component_after_equity() -> None:
    spider = make_spider(AshbyBoardsSpider)
    security, android = parse(spider, "ramp", fixture_bytes(
        "ashby", "job_board_ramp_compensation_trimmed.json"))
    equity = {"compensationType": "EquityPercentage", "interval": "NONE", "currencyCode": None,
              "minValue": None, "maxValue": None}
    salary = {"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD",
              "minValue": 189000, "maxValue": 330000}
    assert android == common(
        "ramp", source_id="f564dcf9-9390-4a3f-896f-8047a5086040",
        url="https://jobs.ashbyhq.com/ramp/f564dcf9-9390-4a3f-896f-8047a5086040",
        title="Mobile Engineer, Android", location="New York, NY (HQ)",
        locations=["New York, NY (HQ)", "Remote (Canada)", "San Francisco, CA", "Remote (US)"],
        description=("About Ramp\n\nRamp is building the smart infrastructure for finance teams, "
                     "embedded in the transaction flow of every dollar a business spends. "
                     "…[trimmed for the fixture]"),
        pay_min=189000.0, pay_max=330000.0, pay_period="1 YEAR", pay_currency="USD",
        posted_at="2025-07-31T21:58:34.674+00:00", employment_type="FullTime",
        # isRemote is true but workplaceType says Hybrid: the specific flag wins, hybrid → None.
        remote=None,
        extra={"department": "Engineering", "team": "Mobile", "workplace_type": "Hybrid",
               "apply_url": "https://jobs.ashbyhq.com/ramp/"
                            "f564dcf9-9390-4a3f-896f-8047a5086040/application",
               "is_remote": True,
               "postal_address": {"addressRegion": "NY", "addressCountry": "USA",
                                  "addressLocality": "New York City"},
               "compensation_tier_summary": "$189K – $330K • Offers Equity",
               "compensation_salary_summary": "$189K - $330K",
               "compensation_components": [equity, salary]},
    )
    assert (security["title"], security["pay_min"], security["pay_max"], security["pay_period"],
            security["locations"]) == (
        "Security Engineer, Cloud", 211400.0, 290600.0, "1 YEAR",
        ["New York, NY (HQ)", "Remote (Canada)", "Remote (US)", "Miami, FL"])


def test_edited_board_hourly_pay_summary_text_and_unlisted() -> None:
    spider = make_spider(AshbyBoardsSpider)
    items = parse(spider, MAIN, MAIN_FILE.read_bytes())
    assert [i["title"] for i in items] == [
        "Peer Support Specialist", "Peer Recovery Coach", "Family Support Partner"]
    peer, coach, family = items
    assert peer == common(
        MAIN, source_id="c0ffee00-0000-4000-8000-000000000001",
        url="https://jobs.ashbyhq.com/fixtureboard/c0ffee00-0000-4000-8000-000000000001",
        title="Peer Support Specialist", location="Tucson, AZ",
        locations=["Tucson, AZ", "Phoenix, AZ"],
        description=("About Fixture Recovery (test data)\n\nWalk alongside adults in recovery "
                     "in Pima County.\n\n- Must hold Arizona PRSS certification or obtain it "
                     "within 90 days of hire."),
        pay_min=19.5, pay_max=23.0, pay_period="1 HOUR", pay_currency="USD",
        posted_at="2026-10-12T15:30:00.000+00:00", employment_type="FullTime", remote=False,
        extra={"department": "Peer Services", "team": "Community Support",
               "workplace_type": "OnSite",
               "apply_url": "https://jobs.ashbyhq.com/fixtureboard/"
                            "c0ffee00-0000-4000-8000-000000000001/application",
               "is_remote": False,
               "postal_address": {"addressRegion": "Arizona", "addressCountry": "USA",
                                  "addressLocality": "Tucson"},
               "compensation_tier_summary": "$19.50 – $23 per hour • Offers Bonus",
               "compensation_salary_summary": "$19.50 - $23 per hour",
               "compensation_components": [
                   {"compensationType": "Bonus", "interval": "NONE", "currencyCode": None,
                    "minValue": None, "maxValue": None},
                   {"compensationType": "Salary", "interval": "1 HOUR", "currencyCode": "USD",
                    "minValue": 19.5, "maxValue": 23}]},
    )
    # No Salary component: the summary becomes pay_text.
    assert (coach["pay_text"], coach["pay_min"], coach["remote"]) == ("$41K - $47K", None, True)
    assert (family["remote"], family["pay_text"], family["pay_min"]) == (None, None, None)
    stats = spider.crawler.stats.get_stats()
    assert stats["peerjobs/board/ashby:fixtureboard//unlisted_skipped"] == 1


@pytest.mark.parametrize(
    ("job", "expected"),
    [
        ({"compensation": {"summaryComponents": [
            {"compensationType": "Salary", "interval": "1 MONTH", "currencyCode": "EUR",
             "minValue": 4000, "maxValue": None}]}},
         {"pay_min": 4000.0, "pay_max": None, "pay_period": "1 MONTH", "pay_currency": "EUR"}),
        # summaryComponents empty: the only tier's Salary component is used.
        ({"compensation": {"summaryComponents": [], "compensationTiers": [{"components": [
            {"compensationType": "Salary", "interval": "1 YEAR", "currencyCode": "USD",
             "minValue": 50000, "maxValue": 60000}]}]}},
         {"pay_min": 50000.0, "pay_max": 60000.0, "pay_period": "1 YEAR", "pay_currency": "USD"}),
        # Two tiers are not flattened into one invented range: the summary text stands.
        ({"compensation": {"compensationTierSummary": "$50K – $70K", "compensationTiers": [
            {"components": [{"compensationType": "Salary", "minValue": 50000}]},
            {"components": [{"compensationType": "Salary", "minValue": 60000}]}]}},
         {"pay_text": "$50K – $70K"}),
        ({"compensation": {"summaryComponents": [
            {"compensationType": "EquityCashValue", "interval": "1 YEAR", "currencyCode": "USD",
             "minValue": None, "maxValue": None}],
            "scrapeableCompensationSalarySummary": None, "compensationTierSummary": None}}, {}),
        ({"shouldDisplayCompensationOnJobPostings": False, "compensation": {
            "compensationTierSummary": "$90K"}}, {}),
        ({"compensation": None}, {}), ({}, {}),
    ],
)
def test_compensation(job: dict[str, Any], expected: dict[str, Any]) -> None:
    assert pay_fields(job) == expected


@pytest.mark.parametrize(
    ("job", "expected"),
    [({"workplaceType": "Remote", "isRemote": True}, True),
     ({"workplaceType": "OnSite", "isRemote": False}, False),
     ({"workplaceType": "Hybrid", "isRemote": True}, None),
     ({"workplaceType": None, "isRemote": True}, True),
     ({"workplaceType": None, "isRemote": False}, False),
     ({"workplaceType": None, "isRemote": None}, None), ({}, None)],
)
def test_remote_flags(job: dict[str, Any], expected: bool | None) -> None:
    assert remote_flag(job) is expected


@pytest.mark.parametrize(
    ("given", "name"),
    [("vanta", "vanta"), ("https://jobs.ashbyhq.com/ramp", "ramp"),
     ("https://jobs.ashbyhq.com/ramp/34413f8d-26bf-4bbc-8ade-eb309a0e2245", "ramp"),
     ("https://api.ashbyhq.com/posting-api/job-board/openai?includeCompensation=true", "openai")],
)
def test_board_name_from_name_or_url(given: str, name: str) -> None:
    assert board_name(given) == name


# -- crawls through the replay server --------------------------------------------------------


def test_board_not_in_the_registry_is_crawled_with_its_name(data_dir: Path) -> None:
    result = run_crawl(data_dir, "ashby", SITE, boards=[MAIN])
    assert sorted(i["title"] for i in result.items) == [
        "Family Support Partner", "Peer Recovery Coach", "Peer Support Specialist"]
    stats = result.board(f"ashby:{MAIN}")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["requests"],
            stats["problems"], stats["unlisted_skipped"]) == ("complete", 3, 1, 1, {}, 1)
    assert [(r.host, r.path, r.query) for r in result.requests if r.path != "/robots.txt"] == [
        ("api.ashbyhq.com", f"/posting-api/job-board/{MAIN}", "includeCompensation=true")]
    assert all(i["url"].startswith("https://jobs.ashbyhq.com/fixtureboard/")
               for i in result.items)


def test_every_run_reads_the_board_and_sees_changes(data_dir: Path, tmp_path: Path) -> None:
    """Ashby sends the whole board with pay in one call and no update stamp: nothing to skip."""
    first = run_crawl(data_dir, "ashby", SITE, boards=[MAIN], now="2026-11-02T03:00:00Z")
    build(data_dir, data_dir / "archive", lambda row: {})
    changed_site = tmp_path / "changed"
    shutil.copytree(SITE, changed_site)
    changed = changed_site / MAIN_FILE.relative_to(SITE)
    data = json.loads(changed.read_text(encoding="utf-8"))
    data["jobs"][2]["workplaceType"] = "Remote"
    changed.write_text(json.dumps(data), encoding="utf-8")
    second = run_crawl(data_dir, "ashby", changed_site, boards=[MAIN], now="2026-11-09T03:00:00Z")
    assert len([r for r in first.requests if r.path != "/robots.txt"]) == 1
    assert len([r for r in second.requests if r.path != "/robots.txt"]) == 1
    assert [i["detail_skipped"] for i in second.items] == [None] * 3
    assert second.by_id()["c0ffee00-0000-4000-8000-000000000003"]["remote"] is True
    report = build(data_dir, data_dir / "archive", lambda row: {})
    assert (report.items, report.new_postings, report.changed_postings) == (3, 0, 1)


# -- bad input: one crawl over many small boards, one assertion per case ----------------------

BAD_BOARDS = ["retry429", "retry503", "down500", "forbidden", "gone", "slow", "loop", "htmlpage",
              "truncated", "noshape", "empty", "messy"]


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return run_crawl(tmp_path_factory.mktemp("ashby-bad") / "data", "ashby", SITE,
                     boards=BAD_BOARDS, settings=RETRY)


@pytest.mark.parametrize(
    ("name", "status", "problems", "items"),
    [
        ("retry429", "complete", {}, ["c0ffee00-0000-4000-8000-000000000001"]),
        ("retry503", "complete", {}, ["c0ffee00-0000-4000-8000-000000000001"]),
        ("down500", "failed", {"http_5xx": 1}, []),
        ("forbidden", "failed", {"http_403": 1}, []),
        # Ashby answers an unknown board with 404.
        ("gone", "failed", {"http_404": 1}, []),
        ("slow", "failed", {"timeout": 1}, []),
        ("loop", "failed", {"redirect_loop": 1}, []),
        ("htmlpage", "failed", {"html_instead_of_json": 1}, []),
        ("truncated", "failed", {"malformed_json": 1}, []),
        ("noshape", "failed", {"unexpected_shape": 1}, []),
        # "jobs": [] is Ashby saying the board has no openings: complete, nothing to close wrongly.
        ("empty", "complete", {}, []),
        ("messy", "partial", {"missing_source_id": 1, "missing_title": 1, "unexpected_shape": 1},
         ["c0ffee00-0000-4000-8000-000000000009"]),
    ],
)
def test_bad_input_is_counted_and_the_rest_lands(
        bad: Any, name: str, status: str, problems: dict[str, int], items: list[str]) -> None:
    stats = bad.board(f"ashby:{name}")
    assert (stats["status"], stats["problems"]) == (status, problems)
    assert sorted(i["source_id"] for i in bad.items if i["board"] == name) == items


def test_bad_input_details(bad: Any) -> None:
    assert bad.board("ashby:down500")["requests"] == 3
    assert bad.board("ashby:loop")["requests"] == 6
    odd = next(i for i in bad.items if i["board"] == "messy")
    # secondaryLocations as a string, address as a string, summaryComponents as an object,
    # isRemote "yes" (not a flag), descriptionHtml null (descriptionPlain stands in).
    assert (odd["locations"], odd["remote"], odd["pay_min"], odd["pay_text"],
            odd["description"]) == (
        ["Flagstaff, AZ", "Sedona, AZ"], None, None, None,
        "Support parents raising children with behavioral health needs.")
    assert bad.stats["finish_reason"] == "finished"
