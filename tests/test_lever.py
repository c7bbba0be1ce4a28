"""Lever: real recordings parse to exact items; crawls page to the end (skip/limit, no total)
and count every bad input while the other postings land."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, fake_response, fixture_bytes, make_spider, run_crawl

from crawlers.platforms.lever import epoch_ms_to_iso, pay_fields, remote_flag, site_of
from crawlers.registry import Board
from crawlers.spiders.lever import LeverSitesSpider
from db.build import build

SITE = FIXTURES / "lever" / "site"
MAIN = "fixturesite"
RETRY = {"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0, "DOWNLOAD_TIMEOUT": 2}


def common(site: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": f"lever:{site}", "platform": "lever", "board": site, "employer": None,
        "fetched_at": FETCHED_AT, "source_updated_at": None, "detail_skipped": None,
        "pay_text": None, "pay_min": None, "pay_max": None, "pay_period": None,
        "pay_currency": None, "remote": None, "closes_at": None, "description": None,
        "location": None, "locations": None, "employment_type": None, "posted_at": None,
        "extra": {},
    }
    base.update(fields)
    return base


def parse_page(spider: Any, site: str, body: bytes, *, skip: int = 0,
               limit: int = 100) -> list[Any]:
    board = Board(platform="lever", board=site, key=site)
    url = f"https://api.lever.co/v0/postings/{site}?mode=json&skip={skip}&limit={limit}"
    response = fake_response(url, body, board=board, html=False, meta={
        "listing": True, "site": site, "eu": False, "limit": limit, "skip": skip})
    return list(spider.parse_page(response))


# -- in-process parsing of the recordings ----------------------------------------------------


def test_match_group_capture_salary_range_and_lists() -> None:
    spider = make_spider(LeverSitesSpider)
    hinge, azar = (asdict(i) for i in parse_page(
        spider, "matchgroup", fixture_bytes("lever", "postings_list_with_salaryRange.json")))
    description = hinge["description"]
    assert description.startswith("Hinge is the dating app designed to be deleted\n\nIn today's "
                                  "digital world")
    assert ("\n\nResponsibilities\n- Cross-Disciplinary Collaboration: Work closely with a "
            "diverse team") in description
    assert "\n\nWhat We're Looking For\n- Professional Android Development Experience:" \
        in description
    assert description.endswith("please let your Talent Acquisition partner know.\n\n#Hinge")
    assert len(description) == 5955
    assert hinge == common(
        "matchgroup", source_id="3414ba28-35f7-45d3-8e13-35c883959635",
        url="https://jobs.lever.co/matchgroup/3414ba28-35f7-45d3-8e13-35c883959635",
        title="Android Engineer III", location="New York, New York",
        locations=["New York, New York"], description=description,
        pay_min=150000.0, pay_max=180000.0, pay_period="per-year-salary", pay_currency="USD",
        pay_text=("Factors such as scope and responsibilities of the position, candidate's work "
                  "experience, education/training, job-related skills, internal peer equity, as "
                  "well as market and business considerations may influence base pay offered. "
                  "This salary range is reflective of a position based in New York City. This "
                  "salary will be subject to a geographic adjustment (according to a specific "
                  "city and state), if an authorization is granted to work outside of the "
                  "location listed in this posting."),
        posted_at="2026-05-19T20:38:11.267Z", employment_type="Full-time", remote=None,
        extra={"team": "Engineering", "department": "Hinge", "country": "US",
               "workplace_type": "hybrid",
               "apply_url": "https://jobs.lever.co/matchgroup/"
                            "3414ba28-35f7-45d3-8e13-35c883959635/apply"},
    )
    assert azar["pay_min"] is None and azar["pay_text"] is None
    assert azar["posted_at"] == "2026-01-05T06:59:28.549Z" and azar["extra"]["country"] == "KR"
    assert azar["description"].startswith("[Android Team 소개]\n\nAndroid팀은")
    assert "\n\nHiring Process\n- 고용 형태: 정규직" in azar["description"]
    stats = spider.crawler.stats.get_stats()
    assert stats["peerjobs/board/lever:matchgroup//listing_pages"] == 1


def test_veeva_capture_remote_without_lists_or_pay() -> None:
    spider = make_spider(LeverSitesSpider)
    first, second = (asdict(i) for i in parse_page(
        spider, "veeva", fixture_bytes("lever", "postings_list_remote_redacted.json")))
    assert first == common(
        "veeva", source_id="466ed4a1-2c00-400e-8b9b-77b0c63d64d2",
        url="https://jobs.lever.co/veeva/466ed4a1-2c00-400e-8b9b-77b0c63d64d2",
        title="(Associate) Team Lead - Data Operations", location="Portugal - Lisbon",
        locations=["Portugal - Lisbon"],
        description=(
            "Veeva Systems is a missi [redacted for the fixture]\n\n#RemotePortugal\n\n"
            "#LI-MidSenior\n\nVeeva’s headquarters is located in the San Francisco Bay Area with "
            "offices in more than 15 countries around the world.\n\nAs an equal opportunity "
            "employer, Veeva is committed to fostering a culture of inclusion and growing a "
            "diverse workforce. Diversity makes us stronger. It comes in many forms. Gender, "
            "race, ethnicity, religion, politics, sexual orientation, age, disability and life "
            "experience shape us all into unique individuals. We value people for the "
            "individuals they are and the contributions they can bring to our teams.\n\nIf you "
            "need assistance or accommodation due to a disability or special need when applying "
            "for a role or in our recruitment process, please contact us at "
            "talent_accommodations@veeva.com."),
        posted_at="2026-01-30T19:29:35.307Z", employment_type="Full-Time", remote=True,
        extra={"team": "Data Operations - EU", "department": "Data Operations", "country": "PT",
               "workplace_type": "remote",
               "apply_url": "https://jobs.lever.co/veeva/"
                            "466ed4a1-2c00-400e-8b9b-77b0c63d64d2/apply"},
    )
    assert (second["location"], second["remote"], second["posted_at"]) == (
        "Spain - Barcelona", True, "2026-01-30T19:28:54.009Z")


def test_a_full_page_asks_for_the_next_one() -> None:
    spider = make_spider(LeverSitesSpider)
    out = parse_page(spider, "veeva", fixture_bytes("lever", "postings_list_remote_redacted.json"),
                     skip=4, limit=2)
    *items, following = out
    assert len(items) == 2
    assert following.url == "https://api.lever.co/v0/postings/veeva?mode=json&skip=6&limit=2"
    assert following.meta["listing"] is True and following.meta["skip"] == 6


@pytest.mark.parametrize(
    ("posting", "expected"),
    [
        ({"salaryRange": {"currency": "USD", "interval": "per-hour-wage", "min": 19.5,
                          "max": 23}},
         {"pay_min": 19.5, "pay_max": 23.0, "pay_period": "per-hour-wage",
          "pay_currency": "USD"}),
        ({"salaryRange": {"currency": "USD", "interval": "per-year-salary", "min": "42000",
                          "max": None}},
         {"pay_min": 42000.0, "pay_max": None, "pay_period": "per-year-salary",
          "pay_currency": "USD"}),
        ({"salaryRange": {"currency": "USD", "interval": "per-hour-wage"},
          "salaryDescription": "<div><b>$21.50</b> per hour</div>"},
         {"pay_text": "$21.50 per hour"}),
        ({"salaryDescriptionPlain": "Starting at $21.50 per hour.\n"},
         {"pay_text": "Starting at $21.50 per hour."}),
        ({"salaryRange": "n/a"}, {}), ({}, {}),
    ],
)
def test_salary_range_and_description(posting: dict[str, Any], expected: dict[str, Any]) -> None:
    assert pay_fields(posting) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("remote", True), ("on-site", False), ("hybrid", None), ("unspecified", None),
     (None, None), ("Remote", True)],
)
def test_workplace_type(value: Any, expected: bool | None) -> None:
    assert remote_flag(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1779223091267, "2026-05-19T20:38:11.267Z"), ("1767596368549", "2026-01-05T06:59:28.549Z"),
     (0, "1970-01-01T00:00:00.000Z"), ("not a date", "not a date"), (None, None),
     (10**20, "100000000000000000000")],
)
def test_created_at_milliseconds_to_iso(value: Any, expected: str | None) -> None:
    assert epoch_ms_to_iso(value) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [("veeva", ("veeva", False)), ("https://jobs.lever.co/veeva", ("veeva", False)),
     ("https://jobs.eu.lever.co/acme/abc", ("acme", True)),
     ("https://api.eu.lever.co/v0/postings/acme?mode=json", ("acme", True))],
)
def test_site_from_name_or_url(given: str, expected: tuple[str, bool]) -> None:
    assert site_of(given) == expected


# -- crawls through the replay server --------------------------------------------------------


def test_crawl_pages_to_the_end_and_reads_an_eu_site(data_dir: Path) -> None:
    result = run_crawl(data_dir, "lever", SITE, registry=[
        {"platform": "lever", "board": MAIN, "limit": 2, "employer": "Fixture Recovery Network"},
        {"platform": "lever", "board": "fixtureeu", "eu": True},
    ])
    by_id = result.by_id()
    assert len(result.items) == 6
    stats = result.board(f"lever:{MAIN}")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["requests"],
            stats["problems"]) == ("complete", 5, 3, 3, {})
    eu = result.board("lever:fixtureeu")
    assert (eu["status"], eu["items"], eu["listing_pages"], eu["requests"]) == (
        "complete", 1, 1, 1)
    assert sorted((r.host, r.query) for r in result.requests if r.path != "/robots.txt") == [
        ("api.eu.lever.co", "mode=json&skip=0&limit=100"),
        ("api.lever.co", "mode=json&skip=0&limit=2"),
        ("api.lever.co", "mode=json&skip=2&limit=2"),
        ("api.lever.co", "mode=json&skip=4&limit=2"),
    ]
    peer = by_id["a1f0c6de-0001-4c2b-9a10-1d2e3f405001"]
    assert peer == common(
        MAIN, source_id="a1f0c6de-0001-4c2b-9a10-1d2e3f405001",
        url="https://jobs.lever.co/fixturesite/a1f0c6de-0001-4c2b-9a10-1d2e3f405001",
        title="Peer Support Specialist", employer="Fixture Recovery Network",
        location="Denver, Colorado", locations=["Denver, Colorado"],
        description=(
            "Peer Support Specialist\n\nWalk alongside people in recovery in Denver, Colorado."
            "\n\nResponsibilities\n- Share your lived experience to build hope.\n- Connect "
            "participants with community resources & groups.\n\nRequirements\n- Must obtain "
            "state peer certification within 6 months of hire.\n\nFixture Recovery Network "
            "(test data) is an equal opportunity employer.\n\nPeople in recovery are "
            "encouraged to apply."),
        pay_min=19.5, pay_max=23.0, pay_period="per-hour-wage", pay_currency="USD",
        pay_text="Pay depends on experience and certification.",
        posted_at="2026-10-04T08:00:00.000Z", employment_type="Full-time", remote=False,
        extra={"team": "Peer Services", "department": "Community Programs", "country": "US",
               "workplace_type": "on-site",
               "apply_url": "https://jobs.lever.co/fixturesite/"
                            "a1f0c6de-0001-4c2b-9a10-1d2e3f405001/apply"},
    )
    assert {i["title"]: i["remote"] for i in result.items} == {
        "Peer Support Specialist": False, "Recovery Coach": True, "Family Peer Advocate": None,
        "Case Manager": None, "Peer Bridger": False, "Peer Support Worker": True}
    assert by_id["b2e1d7ef-0001-4d3c-8b21-2e3f40516001"]["url"].startswith(
        "https://jobs.eu.lever.co/fixtureeu/")
    assert all(i["url"].startswith("https://jobs.") for i in result.items)


def test_every_run_reads_the_pages_and_sees_changes(data_dir: Path, tmp_path: Path) -> None:
    """Lever gives no update stamp and keeps everything in the list: nothing to skip."""
    registry = [{"platform": "lever", "board": MAIN, "limit": 2}]
    first = run_crawl(data_dir, "lever", SITE, boards=[MAIN], registry=registry,
                      now="2026-11-02T03:00:00Z")
    build(data_dir, data_dir / "archive", lambda row: {})
    changed_site = tmp_path / "changed"
    shutil.copytree(SITE, changed_site)
    page = changed_site / "api.lever.co" / "v0" / "postings" / f"{MAIN}?mode=json&skip=2&limit=2"
    postings = json.loads(page.read_text(encoding="utf-8"))
    postings[0]["salaryRange"]["min"] = 44000
    page.write_text(json.dumps(postings), encoding="utf-8")
    second = run_crawl(data_dir, "lever", changed_site, boards=[MAIN], registry=registry,
                       now="2026-11-09T03:00:00Z")

    def queries(result: Any) -> list[str]:
        return [r.query for r in result.requests if r.path != "/robots.txt"]

    assert queries(first) == queries(second) == [
        "mode=json&skip=0&limit=2", "mode=json&skip=2&limit=2", "mode=json&skip=4&limit=2"]
    assert [i["detail_skipped"] for i in second.items] == [None] * 5
    assert "details_skipped" not in second.board(f"lever:{MAIN}")
    assert second.by_id()["a1f0c6de-0003-4c2b-9a10-1d2e3f405003"]["pay_min"] == 44000.0
    report = build(data_dir, data_dir / "archive", lambda row: {})
    assert (report.items, report.new_postings, report.changed_postings) == (5, 0, 1)


# -- bad input: one crawl over many small sites, one assertion per case -----------------------

BAD_SITES = ["exact", "empty", "retry429", "retry503", "page2down", "page2bad", "repeat",
             "htmlpage", "errorobject", "forbidden", "down500", "gone", "slow", "loop"]


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Any:
    registry = [{"platform": "lever", "board": s, "limit": 2} for s in BAD_SITES]
    registry.append({"platform": "lever", "board": "messy", "limit": 5})
    return run_crawl(tmp_path_factory.mktemp("lever-bad") / "data", "lever", SITE,
                     boards=[*BAD_SITES, "messy"], registry=registry, settings=RETRY)


FIRST_TWO = ["a1f0c6de-0001-4c2b-9a10-1d2e3f405001", "a1f0c6de-0002-4c2b-9a10-1d2e3f405002"]


@pytest.mark.parametrize(
    ("site", "status", "problems", "pages", "items"),
    [
        # A page beyond the last one is an empty array: the natural end, not a problem.
        ("exact", "complete", {}, 2, FIRST_TWO),
        # An empty first page: Lever says the site has no postings.
        ("empty", "complete", {}, 1, []),
        ("retry429", "complete", {}, 1, FIRST_TWO[:1]),
        ("retry503", "complete", {}, 1, FIRST_TWO[:1]),
        # A lost later page keeps the first page's postings; the run is partial.
        ("page2down", "partial", {"http_5xx": 1}, 1, FIRST_TWO),
        ("page2bad", "partial", {"malformed_json": 1}, 1, FIRST_TWO),
        # A server that ignores skip would page forever: stopped and counted.
        ("repeat", "partial", {"repeated_page": 1}, 1, FIRST_TWO),
        ("htmlpage", "failed", {"html_instead_of_json": 1}, 0, []),
        ("errorobject", "failed", {"api_error": 1}, 0, []),
        ("forbidden", "failed", {"http_403": 1}, 0, []),
        ("down500", "failed", {"http_5xx": 1}, 0, []),
        ("gone", "failed", {"http_404": 1}, 0, []),
        ("slow", "failed", {"timeout": 1}, 0, []),
        ("loop", "failed", {"redirect_loop": 1}, 0, []),
        ("messy", "partial", {"missing_source_id": 1, "missing_title": 1, "unexpected_shape": 1},
         1, ["a1f0c6de-0004-4c2b-9a10-1d2e3f405004"]),
    ],
)
def test_bad_input_is_counted_and_the_rest_lands(
        bad: Any, site: str, status: str, problems: dict[str, int], pages: int,
        items: list[str]) -> None:
    stats = bad.board(f"lever:{site}")
    assert (stats["status"], stats["problems"], stats["listing_pages"]) == (
        status, problems, pages)
    assert sorted(i["source_id"] for i in bad.items if i["board"] == site) == items


def test_bad_input_details(bad: Any) -> None:
    assert bad.board("lever:page2down")["requests"] == 4  # page 1, then page 2 three times
    assert bad.board("lever:retry503")["requests"] == 2
    odd = next(i for i in bad.items if i["board"] == "messy")
    # categories as a string, createdAt not a number, lists not a list, only a salary minimum.
    assert (odd["location"], odd["employment_type"], odd["posted_at"], odd["pay_min"],
            odd["pay_max"], odd["pay_period"], odd["remote"]) == (
        None, None, "not a date", 20.0, None, "per-hour-wage", None)
    # description is null: descriptionPlain stands in.
    assert odd["description"] == (
        "Support people in early recovery as a Case Manager.\n\n#LI-Remote\n\nFixture Recovery "
        "Network (test data) is an equal opportunity employer.")
    assert bad.stats["finish_reason"] == "finished"
