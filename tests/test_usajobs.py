"""USAJOBS Search API: the captured search page parses to exact items; keyword and series queries
page to the end, repeats across queries are emitted once, and every bad answer is counted."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, fake_response, fixture_bytes, make_spider, run_crawl

from crawlers.items import JobPosting
from crawlers.platforms.usajobs import item_fields, search_url
from crawlers.registry import Board
from crawlers.spiders.usajobs import UsajobsSpider

SITE = FIXTURES / "usajobs" / "site"
BOARD = Board(platform="usajobs", board="peer-roles", key="peer-roles",
              options={"multi_employer": True})
SOURCE = "usajobs:peer-roles"
AUTH = {"USAJOBS_API_KEY": "test-key", "USAJOBS_EMAIL": "peerjobs-tests@example.org"}
RETRY = {"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0}
PAGE1 = "https://data.usajobs.gov/api/search?Keyword=peer%20support&ResultsPerPage=500&WhoMayApply=All&Page=1"


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Crawls see only the settings a test gives (the child process inherits the environment)."""
    monkeypatch.delenv("USAJOBS_API_KEY", raising=False)
    monkeypatch.delenv("USAJOBS_EMAIL", raising=False)


def parse(name: str, page: int = 2) -> tuple[list[dict[str, Any]], list[str]]:
    spider = make_spider(UsajobsSpider, settings=AUTH)
    response = fake_response(PAGE1, fixture_bytes(*name.split("/")), board=BOARD, html=False,
                             meta={"query": {"Keyword": "peer support"}, "page": page,
                                   "listing": True})
    out = list(spider.parse_search(response))
    return ([asdict(o) for o in out if isinstance(o, JobPosting)],
            [o.url for o in out if not isinstance(o, JobPosting)])


def common(**fields: object) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": SOURCE, "platform": "usajobs", "board": "peer-roles", "fetched_at": FETCHED_AT,
        "source_updated_at": None, "detail_skipped": None, "pay_text": None, "pay_min": None,
        "pay_max": None, "pay_period": None, "pay_currency": None,
    }
    base.update(fields)
    return base


def registry(**options: Any) -> list[dict[str, Any]]:
    return [{"platform": "usajobs", "board": "peer-roles", "multi_employer": True, **options}]


def test_captured_page_every_field_of_both_items() -> None:
    items, more = parse("usajobs/search_response_2items.json", page=1)
    raw = json.loads(fixture_bytes("usajobs", "search_response_2items.json"))
    first = raw["SearchResult"]["SearchResultItems"][0]["MatchedObjectDescriptor"]
    details = first["UserArea"]["Details"]
    description = (f"Summary\n{details['JobSummary']}\n\nDuties\n{details['MajorDuties'][0]}"
                   f"\n\nQualifications\n{first['QualificationSummary']}\n\nEducation\n"
                   f"{details['Education']}")
    extra = {
        "position_id": "24-BPA40376-12437752-MP", "department": "Department of Energy",
        "job_categories": [{"Name": "Information Technology Management", "Code": "2210"}],
        "pay_plans": ["GS"], "low_grade": "13", "high_grade": "13",
        "promotion_potential": "None",
        "hiring_paths": ["fed-transition", "fed-competitive", "disability", "land", "mspouse",
                         "peace", "special-authorities", "vet"],
        "appointment_type": "Permanent", "schedule_codes": ["1"],
        "offering_type_codes": ["15317"], "telework_eligible": True, "total_openings": "1",
        "coordinates": [{"location": "Portland, Oregon", "latitude": 45.511795,
                         "longitude": -122.67563}],
        "pay_description": "Per Year",
    }
    assert items[0] == common(
        source_id="794441100", url="https://www.usajobs.gov:443/GetJob/ViewDetails/794441100",
        title="IT Specialist (SYSADMIN/SYSANALYSIS)", employer="Bonneville Power Administration",
        location="Portland, Oregon", locations=["Portland, Oregon"], pay_min=111234.0,
        pay_max=144608.0, pay_period="PA", pay_currency="USD", description=description,
        posted_at="2024-06-06T00:00:00.0000", closes_at="2024-06-16T23:59:59.9970",
        employment_type="Full-time", remote=False, extra=extra,
    )
    assert items[1]["source_id"] == "794441400"
    assert items[1]["extra"]["hiring_paths"] == ["public"]
    assert items[1]["extra"]["position_id"] == "24-BPA40376-12437753-DE"
    # NumberOfPages is the string "8": page 1 asks for pages 2 to 8 of the same query.
    assert more == [PAGE1.replace("Page=1", f"Page={n}") for n in range(2, 9)]


def test_edited_item_without_pay_and_part_time_code_every_field() -> None:
    items, more = parse("usajobs/site/_bodies/series_0102_p1.json")
    assert more == []
    assert items[0] == common(
        source_id="810000104", url="https://www.usajobs.gov:443/GetJob/ViewDetails/810000104",
        title="Social Services Assistant", employer="Veterans Health Administration",
        location="Portland, Oregon", locations=["Portland, Oregon"],
        description="Summary\nThis position assists the social work service of the Portland VA "
        "Medical Center.\n\nDuties\nAssists social workers with case management tasks.\n\n"
        "Qualifications\nOne year of specialized experience at the GS-5 level.\n\nEducation\n"
        "Education above high school may substitute for experience.",
        posted_at="2024-06-06T00:00:00.0000", closes_at="2024-06-20T23:59:59.9970",
        employment_type="Part-time", remote=False,
        extra={"position_id": "CBSZ-45678901-24-CD", "department": "Department of Veterans Affairs",
               "job_categories": [{"Name": "Social Science Aid And Technician", "Code": "0102"}],
               "pay_plans": ["GS"], "low_grade": "6", "high_grade": "6",
               "promotion_potential": "6", "hiring_paths": ["public"], "appointment_type": "Term",
               "schedule_codes": ["2"], "offering_type_codes": ["15319"],
               "telework_eligible": False, "total_openings": "1",
               "coordinates": [{"location": "Portland, Oregon", "latitude": 45.511795,
                                "longitude": -122.67563}]},
    )


def test_remote_flag_multiple_locations_and_key_requirements() -> None:
    items, _ = parse("usajobs/site/_bodies/recovery_coach_p1.json")
    remote, multi = items
    assert (remote["remote"], remote["extra"]["telework_eligible"]) == (True, True)
    assert remote["locations"] == ["Anywhere in the U.S. (remote job)"]
    assert multi["location"] == "Tampa, Florida"
    assert multi["locations"] == ["Tampa, Florida", "Bay Pines, Florida"]
    assert multi["extra"]["location_display"] == "Multiple Locations"
    requirements = "Requirements\nMust be a Veteran.\nSelective Service registration"
    assert requirements in multi["description"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({}, {"source_id": None, "url": None, "title": None, "employer": None, "location": None,
              "locations": None, "description": None, "posted_at": None, "closes_at": None,
              "employment_type": None, "remote": None, "extra": {}}),
        ({"MatchedObjectDescriptor": {
            "PositionURI": "https://www.usajobs.gov/job/123456700", "PositionTitle": 42,
            "PositionRemuneration": {"MinimumRange": "$20.5", "MaximumRange": None,
                                     "RateIntervalCode": "PH"},
            "PositionSchedule": [{"Code": 4}], "UserArea": {"Details": {
                "RemoteIndicator": "True", "MajorDuties": "One duty.",
                "HiringPath": "vet"}}}},
         {"source_id": "123456700", "url": "https://www.usajobs.gov/job/123456700",
          "title": "42", "employer": None, "location": None, "locations": None,
          "pay_min": 20.5, "pay_max": 20.5, "pay_period": "PH", "pay_currency": "USD",
          "description": "Duties\nOne duty.", "posted_at": None, "closes_at": None,
          "employment_type": "Intermittent", "remote": True,
          "extra": {"hiring_paths": ["vet"], "schedule_codes": ["4"]}}),
    ],
)
def test_missing_keys_wrong_types_and_single_objects(entry: dict[str, Any],
                                                     expected: dict[str, Any]) -> None:
    assert item_fields(entry) == expected


def test_requests_carry_the_key_and_registered_email() -> None:
    spider = make_spider(UsajobsSpider, settings=AUTH)
    board = Board(platform="usajobs", board="peer-roles", key="peer-roles",
                  options={"keywords": ["Peer Support", "peer support", "Recovery Coach"]})
    requests = list(spider.start_board(board))
    assert [r.url for r in requests] == [
        search_url({"Keyword": "Peer Support"}, 1), search_url({"Keyword": "Recovery Coach"}, 1),
        search_url({"JobCategoryCode": "0102"}, 1),
    ]
    assert requests[2].url == ("https://data.usajobs.gov/api/search?JobCategoryCode=0102"
                               "&ResultsPerPage=500&WhoMayApply=All&Page=1")
    assert requests[0].headers["Authorization-Key"] == b"test-key"
    assert requests[0].headers["User-Agent"] == b"peerjobs-tests@example.org"
    assert all(r.meta["listing"] for r in requests)


def test_taxonomy_terms_are_used_when_no_keywords_option(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    module = types.ModuleType("normalize.taxonomy")
    module.peer_search_terms = lambda: ["Peer Specialist", "peer specialist", "Recovery Coach"]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "normalize.taxonomy", module)
    spider = make_spider(UsajobsSpider, settings=AUTH)
    assert spider.queries(BOARD) == [{"Keyword": "Peer Specialist"},
                                     {"Keyword": "Recovery Coach"}, {"JobCategoryCode": "0102"}]


def test_without_taxonomy_terms_the_series_query_still_runs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    monkeypatch.setitem(sys.modules, "normalize.taxonomy", types.ModuleType("normalize.taxonomy"))
    spider = make_spider(UsajobsSpider, settings=AUTH)
    assert spider.queries(BOARD) == [{"JobCategoryCode": "0102"}]
    stats = spider.crawler.stats.get_stats()
    assert stats["peerjobs/board/usajobs:peer-roles//problems/no_search_terms"] == 1
    assert stats["peerjobs/board/usajobs:peer-roles//incomplete"] == 1


def test_crawl_keywords_and_series_pages_to_the_end_once_per_announcement(data_dir: Path) -> None:
    result = run_crawl(data_dir, "usajobs", SITE, boards=["peer-roles"], settings=AUTH,
                       registry=registry(keywords=["peer support", "recovery coach"]))
    assert sorted(result.by_id()) == ["810000101", "810000102", "810000103", "810000104",
                                      "810000105"]
    assert len(result.items) == 5
    board = result.board(SOURCE)
    assert board["status"] == "complete"
    assert board["listing_pages"] == 4 and board["requests"] == 4
    assert board["repeated_in_run"] == 2 and board["problems"] == {}
    assert board["http_status"] == {"200": 4}
    queries = sorted(r.query for r in result.requests if r.path == "/api/search")
    assert queries == [
        "JobCategoryCode=0102&ResultsPerPage=500&WhoMayApply=All&Page=1",
        "JobCategoryCode=0102&ResultsPerPage=500&WhoMayApply=All&Page=2",
        "Keyword=peer%20support&ResultsPerPage=500&WhoMayApply=All&Page=1",
        "Keyword=recovery%20coach&ResultsPerPage=500&WhoMayApply=All&Page=1",
    ]
    assert {r.host for r in result.requests} == {"data.usajobs.gov"}
    assert all(i["url"].startswith("https://www.usajobs.gov:443/GetJob/ViewDetails/")
               for i in result.items)
    hourly = result.by_id()["810000102"]
    assert (hourly["pay_min"], hourly["pay_max"], hourly["pay_period"]) == (19.85, 25.8, "PH")
    assert hourly["employment_type"] == "Part-time"
    assert hourly["extra"]["appointment_type"] == "Temporary"


def test_second_run_makes_the_same_listing_requests_and_no_detail_requests(
        data_dir: Path) -> None:
    """The search result carries every field: no detail requests exist to skip."""
    from db.build import build

    options = registry(keywords=["peer support"], series=[])
    first = run_crawl(data_dir, "usajobs", SITE, boards=["peer-roles"], settings=AUTH,
                      registry=options)
    build(data_dir, data_dir / "archive", lambda row: {})
    second = run_crawl(data_dir, "usajobs", SITE, boards=["peer-roles"], settings=AUTH,
                       registry=options, now="2026-11-03T03:00:00Z")
    assert [r.query for r in first.requests if r.path == "/api/search"] == \
        [r.query for r in second.requests if r.path == "/api/search"] == \
        ["Keyword=peer%20support&ResultsPerPage=500&WhoMayApply=All&Page=1"]
    assert sorted(second.by_id()) == ["810000101", "810000102"]
    assert all(i["detail_skipped"] is None for i in second.items)
    assert "details_skipped" not in second.board(SOURCE)


def test_no_key_skips_every_board_without_failing(data_dir: Path) -> None:
    result = run_crawl(data_dir, "usajobs", SITE, boards=["peer-roles"],
                       registry=registry(keywords=["peer support"]))
    board = result.board(SOURCE)
    assert board["status"] == "skipped"
    assert board["skipped"] == "no USAJOBS_API_KEY configured"
    assert board["requests"] == 0 and result.items == []
    assert [r for r in result.requests if r.path == "/api/search"] == []


def test_key_without_email_skips_with_its_own_message(data_dir: Path) -> None:
    result = run_crawl(data_dir, "usajobs", SITE, boards=["peer-roles"],
                       settings={"USAJOBS_API_KEY": "test-key"},
                       registry=registry(keywords=["peer support"]))
    assert result.board(SOURCE)["status"] == "skipped"
    assert result.board(SOURCE)["skipped"].startswith("no USAJOBS_EMAIL configured")


BAD = {
    # keyword: (problems, status, postings beyond the good query's two)
    "http403": ({"http_403": 1}, "partial", set()),
    "http404": ({"http_404": 1}, "partial", set()),
    "http500": ({"http_5xx": 1}, "partial", set()),
    "hang": ({"timeout": 1}, "partial", set()),
    "truncated": ({"malformed_json": 1}, "partial", set()),
    "html": ({"html_instead_of_json": 1}, "partial", set()),
    "shape": ({"unexpected_shape": 1}, "partial", set()),
    "redirect": ({"redirect_loop": 1}, "partial", set()),
    "missing": ({"missing_title": 1}, "partial", {"810000103"}),
    "beyond": ({"beyond_last_page": 1}, "complete", {"810000103"}),
    "empty": ({}, "complete", set()),
    "retry": ({}, "complete", {"810000103"}),
}


@pytest.fixture(scope="module")
def bad_crawl(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One crawl, one board per bad answer: each board also asks the good "peer support" query."""
    data = tmp_path_factory.mktemp("bad") / "data"
    boards = [{"platform": "usajobs", "board": f"bad-{k}", "multi_employer": True,
               "keywords": ["peer support", k], "series": []} for k in BAD]
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("USAJOBS_API_KEY", raising=False)
        patch.delenv("USAJOBS_EMAIL", raising=False)
        return run_crawl(data, "usajobs", SITE, boards=[f"bad-{k}" for k in BAD],
                         registry=boards, settings={**AUTH, **RETRY, "DOWNLOAD_TIMEOUT": 2})


@pytest.mark.parametrize("keyword", list(BAD))
def test_bad_answer_is_counted_and_the_other_query_lands(bad_crawl: Any, keyword: str) -> None:
    problems, status, more = BAD[keyword]
    board = bad_crawl.board(f"usajobs:bad-{keyword}")
    assert board["problems"] == problems
    assert board["status"] == status
    ids = {i["source_id"] for i in bad_crawl.items if i["source"] == f"usajobs:bad-{keyword}"}
    assert ids == {"810000101", "810000102"} | more
    if keyword == "retry":
        # The 429 is answered by the retry middleware: one request more, no problem counted.
        assert board["http_status"] == {"200": 2, "429": 1} and board["requests"] == 3
    if keyword == "http500":
        assert board["requests"] == 4  # retried twice, then counted once
    if keyword == "beyond":
        assert board["listing_pages"] == 3
    if keyword == "empty":
        assert board["listing_pages"] == 2 and board["incomplete"] == 0
