"""USAJOBS Historic JOA API: records parse to exact items whatever the key casing; the first run
backfills yearly windows through continuation tokens, later runs read only the recent window."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, fake_response, fixture_bytes, make_spider, run_crawl

from crawlers.items import JobPosting
from crawlers.platforms.usajobs_historic import (
    ci_get,
    historic_fields,
    location_texts,
    next_page_url,
    year_windows,
)
from crawlers.registry import Board
from crawlers.spiders.usajobs_historic import UsajobsHistoricSpider

SITE = FIXTURES / "usajobs_historic" / "site"
BOARD = Board(platform="usajobs_historic", board="peer-roles", key="peer-roles",
              options={"multi_employer": True})
SOURCE = "usajobs_historic:peer-roles"
RETRY = {"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0}
URL = "https://data.usajobs.gov/api/historicjoa?PositionSeries=0102"
PARAMS = {"PositionSeries": "0102", "StartPositionOpenDate": "2025-01-01",
          "EndPositionOpenDate": "2025-12-31"}


def parse(*name: str) -> tuple[list[dict[str, Any]], list[str]]:
    spider = make_spider(UsajobsHistoricSpider)
    response = fake_response(URL, fixture_bytes(*name), board=BOARD, html=False,
                             meta={"params": PARAMS, "page": 1, "tokens": [], "listing": True})
    out = list(spider.parse_page(response))
    return ([asdict(o) for o in out if isinstance(o, JobPosting)],
            [o.url for o in out if not isinstance(o, JobPosting)])


def common(**fields: object) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": SOURCE, "platform": "usajobs_historic", "board": "peer-roles",
        "fetched_at": FETCHED_AT, "source_updated_at": None, "detail_skipped": None,
        "pay_text": None, "pay_min": None, "pay_max": None, "pay_period": None,
        "pay_currency": None, "description": None, "remote": None,
    }
    base.update(fields)
    return base


def registry(**options: Any) -> list[dict[str, Any]]:
    return [{"platform": "usajobs_historic", "board": "peer-roles", "multi_employer": True,
             **options}]


def test_reconstructed_record_every_field() -> None:
    items, more = parse("usajobs_historic", "historicjoa_response_reconstructed.json")
    assert more == []
    assert items == [common(
        source_id="880882900", url="https://www.usajobs.gov/job/880882900",
        title="ADMINISTRATIVE SPECIALIST (CONTRACT SPECIALIST PAE Robotic and Autonomous Systems)",
        employer="Commander, Naval Information Warfare Systems Command (NAVWARSYSCOM)",
        location="San Diego, California",
        locations=["San Diego, California", "Washington, District of Columbia"],
        pay_min=102246.0, pay_max=158062.0, pay_period="Per Year", pay_currency="USD",
        posted_at="2026-08-18", closes_at="2026-08-25", employment_type="Full-time",
        extra={"announcement_number": "DE-13035134-26-JCP", "hiring_agency_code": "NV39",
               "hiring_department_code": "NV", "hiring_department_name": "Department of the Navy",
               "position_opening_status": "Applications under review", "pay_scale": "DP",
               "minimum_grade": "3", "maximum_grade": "3", "promotion_potential": "3",
               "appointment_type": "Permanent", "telework_eligible": "Y",
               "supervisory_status": "N", "total_openings": "1", "security_clearance": "Secret",
               "hiring_paths": ["The public"], "series": ["1102"]},
    )]


def test_camel_case_record_without_salary_every_field() -> None:
    items, more = parse("usajobs_historic", "site", "_bodies", "y2025_p2.json")
    # page 2's next link names only the series: the window is added back, original spelling
    assert more == ["https://data.usajobs.gov/api/historicjoa?continuationtoken="
                    "XyZ0123456789AbCdEfGhI%3D%3D&positionseries=0102"
                    "&StartPositionOpenDate=2025-01-01&EndPositionOpenDate=2025-12-31"]
    assert items[0] == common(
        source_id="881000003", url="https://www.usajobs.gov/job/881000003",
        title="Social Science Aid", employer="Veterans Health Administration",
        location="Reno, Nevada", locations=["Reno, Nevada"], posted_at="2025-08-04",
        closes_at="2025-08-08", employment_type="Part-time",
        extra={"announcement_number": "CBSY-12600003-25-AB", "hiring_agency_code": "VATA",
               "hiring_department_code": "VA",
               "hiring_department_name": "Department of Veterans Affairs",
               "position_opening_status": "Job canceled", "pay_scale": "GS",
               "minimum_grade": "4", "maximum_grade": "4", "promotion_potential": "4",
               "appointment_type": "Temporary", "telework_eligible": "N",
               "supervisory_status": "N", "total_openings": "1",
               "security_clearance": "Not Required", "hiring_paths": ["The public"],
               "series": ["0102"]},
    )
    assert items[1]["extra"]["hiring_paths"] == ["Veterans", "Individuals with disabilities"]


def test_pascal_case_and_a_null_capitalised_twin_are_read() -> None:
    items, more = parse("usajobs_historic", "site", "_bodies", "y2025_p3.json")
    assert more == []
    [item] = items
    raw = json.loads(fixture_bytes("usajobs_historic", "site", "_bodies", "y2025_p3.json"))
    assert raw["data"][0]["HiringPaths"] is None and "hiringpaths" in raw["data"][0]
    assert item["extra"]["hiring_paths"] == ["Veterans"]
    assert item["extra"]["series"] == ["0102"]
    assert item["locations"] == ["Los Angeles, California"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ({"HiringPaths": None, "hiringPaths": [], "hiringpaths": [{"hiringPath": "x"}]},
         [{"hiringPath": "x"}]),
        ({"hiringPaths": None}, None),
        ({"HIRINGPATHS": {"hiringPath": "single"}}, {"hiringPath": "single"}),
    ],
)
def test_keys_are_found_whatever_their_case(row: dict[str, Any], expected: Any) -> None:
    assert ci_get(row, "hiringPaths") == expected


def test_odd_records_never_raise() -> None:
    assert historic_fields({"usajobsControlNumber": 881000009.0, "PositionTitle": "Peer",
                            "positionlocations": {"positionLocationCity": "Seoul",
                                                  "positionLocationCountry": "Korea, South"},
                            "hiringpaths": {"hiringPath": "The public"},
                            "minimumSalary": "41,000", "maximumSalary": None,
                            "jobcategories": ["0102"]}) == {
        "source_id": "881000009", "url": "https://www.usajobs.gov/job/881000009",
        "title": "Peer", "employer": None, "location": "Seoul, Korea, South",
        "locations": ["Seoul, Korea, South"], "pay_min": 41000.0, "pay_max": 41000.0,
        "pay_period": None, "pay_currency": "USD", "posted_at": None, "closes_at": None,
        "employment_type": None,
        "extra": {"hiring_paths": ["The public"], "series": ["0102"]},
    }
    assert historic_fields({})["source_id"] is None
    assert location_texts([None, {"positionLocationCity": "Tampa",
                                  "positionLocationState": "Florida",
                                  "positionLocationCountry": "United States"}]) == \
        ["Tampa, Florida"]


def test_next_page_urls() -> None:
    # The docs' own example: next carries lower-cased names and the encoded token.
    assert next_page_url("/api/historicjoa?continuationtoken=WMwzNNcOmf1Uau6HUM03Nw%3D%3D"
                         "&hiringagencycodes=VALA", "WMwzNNcOmf1Uau6HUM03Nw%3D%3D",
                         {"HiringAgencyCodes": "VALA"}) == \
        ("https://data.usajobs.gov/api/historicjoa?continuationtoken="
         "WMwzNNcOmf1Uau6HUM03Nw%3D%3D&hiringagencycodes=VALA")
    # No next link: our own query plus the metadata token (encoded once, not twice).
    assert next_page_url(None, "WMwz==", PARAMS) == (
        "https://data.usajobs.gov/api/historicjoa?PositionSeries=0102&StartPositionOpenDate="
        "2025-01-01&EndPositionOpenDate=2025-12-31&continuationtoken=WMwz%3D%3D")
    # A next link without the token gets it; an absolute one stays on the API host.
    assert next_page_url("http://data.usajobs.gov/api/historicjoa?positionseries=0102"
                         "&startpositionopendate=2025-01-01&endpositionopendate=2025-12-31",
                         "abc", PARAMS) == (
        "https://data.usajobs.gov/api/historicjoa?positionseries=0102&startpositionopendate="
        "2025-01-01&endpositionopendate=2025-12-31&continuationtoken=abc")


def test_year_windows() -> None:
    assert year_windows(date(2024, 6, 1), date(2026, 3, 2)) == [
        (date(2024, 6, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 3, 2))]
    assert year_windows(date(2026, 3, 2), date(2026, 3, 2)) == [
        (date(2026, 3, 2), date(2026, 3, 2))]


def test_backfill_until_a_complete_backfill_is_on_record(tmp_path: Path) -> None:
    settings = {"PEERJOBS_DATA_DIR": str(tmp_path)}
    board = Board(platform="usajobs_historic", board="peer-roles", key="peer-roles",
                  options={"since": "2025-01-01", "recent_days": 30})
    spider = make_spider(UsajobsHistoricSpider, settings=settings)
    assert spider.windows(board) == ("backfill", [(date(2025, 1, 1), date(2025, 12, 31)),
                                                  (date(2026, 1, 1), date(2026, 11, 2))])
    folder = tmp_path / "archive" / "usajobs_historic"
    folder.mkdir(parents=True)

    def record(name: str, status: str, mode: str, start: str) -> None:
        entry = {"status": status, "mode": mode, "window_start": start}
        (folder / f"{name}.stats.json").write_text(json.dumps({"boards": {SOURCE: entry}}))

    record("a", "partial", "backfill", "2025-01-01")
    record("b", "complete", "recent", "2026-10-01")
    record("c", "complete", "backfill", "2025-06-01")  # did not reach back to `since`
    assert spider.windows(board)[0] == "backfill"
    record("d", "complete", "backfill", "2024-01-01")
    assert spider.windows(board) == ("recent", [(date(2026, 10, 3), date(2026, 11, 2))])
    forced = Board(platform="usajobs_historic", board="peer-roles", key="peer-roles",
                   options={"since": "2026-01-01", "backfill": "always"})
    assert spider.windows(forced) == ("backfill", [(date(2026, 1, 1), date(2026, 11, 2))])
    never = Board(platform="usajobs_historic", board="peer-roles", key="peer-roles",
                  options={"backfill": "never"})
    assert spider.windows(never) == ("recent", [(date(2026, 8, 4), date(2026, 11, 2))])


def test_first_run_backfills_through_three_token_pages_and_a_204(data_dir: Path) -> None:
    result = run_crawl(data_dir, "usajobs_historic", SITE, boards=["peer-roles"],
                       registry=registry(since="2025-01-01"))
    assert sorted(result.by_id()) == ["881000001", "881000002", "881000003", "881000004",
                                      "881000005"]
    board = result.board(SOURCE)
    assert board["status"] == "complete" and board["problems"] == {}
    assert board["listing_pages"] == 4 and board["requests"] == 4
    assert board["http_status"] == {"200": 3, "204": 1} and board["empty_windows"] == 1
    assert (board["mode"], board["window_start"], board["window_end"]) == \
        ("backfill", "2025-01-01", "2026-11-02")
    assert sorted(r.query for r in result.requests if r.path == "/api/historicjoa") == [
        "PositionSeries=0102&StartPositionOpenDate=2025-01-01&EndPositionOpenDate=2025-12-31",
        "PositionSeries=0102&StartPositionOpenDate=2026-01-01&EndPositionOpenDate=2026-11-02",
        # the API's next link, followed as written: lower-cased names, token left encoded
        "continuationtoken=AbCdEfGhIjKlMnOpQrStUv%3D%3D&positionseries=0102"
        "&startpositionopendate=2025-01-01&endpositionopendate=2025-12-31",
        # page 2's next link named only the series: the window was added back
        "continuationtoken=XyZ0123456789AbCdEfGhI%3D%3D&positionseries=0102"
        "&StartPositionOpenDate=2025-01-01&EndPositionOpenDate=2025-12-31",
    ]
    assert all(i["url"] == f"https://www.usajobs.gov/job/{i['source_id']}" for i in result.items)
    by_id = result.by_id()
    assert (by_id["881000001"]["posted_at"], by_id["881000001"]["closes_at"]) == \
        ("2025-03-03", "2025-03-17")
    assert by_id["881000001"]["locations"] == ["Tampa, Florida", "Bay Pines, Florida"]
    assert by_id["881000004"]["extra"]["telework_eligible"] == "Y"
    assert by_id["881000005"]["extra"]["hiring_paths"] == ["Veterans"]


def test_later_runs_read_only_the_recent_window(data_dir: Path) -> None:
    from db.build import build

    options = registry(since="2025-01-01")
    first = run_crawl(data_dir, "usajobs_historic", SITE, boards=["peer-roles"],
                      registry=options)
    build(data_dir, data_dir / "archive", lambda row: {})
    second = run_crawl(data_dir, "usajobs_historic", SITE, boards=["peer-roles"],
                       registry=options, now="2026-11-03T03:00:00Z")
    assert first.board(SOURCE)["requests"] == 4 and second.board(SOURCE)["requests"] == 1
    assert [r.query for r in second.requests if r.path == "/api/historicjoa"] == [
        "PositionSeries=0102&StartPositionOpenDate=2026-08-05&EndPositionOpenDate=2026-11-03"]
    board = second.board(SOURCE)
    assert board["status"] == "complete"
    assert (board["mode"], board["window_start"], board["window_end"]) == \
        ("recent", "2026-08-05", "2026-11-03")
    assert sorted(second.by_id()) == ["881000011", "881000012"]
    assert second.by_id()["881000012"]["extra"]["position_opening_status"] == \
        "Accepting applications"


BAD = {
    # series: (problems, status, postings beyond the good series' two)
    "E403": ({"http_403": 1}, "partial", []),
    "E404": ({"http_404": 1}, "partial", []),
    "E500": ({"http_5xx": 1}, "partial", []),
    "HANG": ({"timeout": 1}, "partial", []),
    "TRUNC": ({"malformed_json": 1}, "partial", []),
    "HTML": ({"html_instead_of_json": 1}, "partial", []),
    "SHAPE": ({"unexpected_shape": 1}, "partial", []),
    "REDIR": ({"redirect_loop": 1}, "partial", []),
    "MISSING": ({"missing_title": 1}, "partial", ["881000003"]),
    "BEYOND": ({"beyond_last_page": 1}, "complete", ["881000003"]),
    "LOOP": ({"pagination_loop": 1}, "partial", ["881000003", "881000004"]),
    "EMPTY": ({}, "complete", []),
    "NOCONTENT": ({}, "complete", []),
    "R429": ({}, "complete", ["881000003"]),
}


@pytest.fixture(scope="module")
def bad_crawl(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One crawl, one board per bad answer: each board also reads the good series 0102."""
    data = tmp_path_factory.mktemp("bad") / "data"
    boards = [{"platform": "usajobs_historic", "board": f"bad-{k}", "multi_employer": True,
               "series": ["0102", k], "backfill": "never", "recent_days": 30} for k in BAD]
    return run_crawl(data, "usajobs_historic", SITE, boards=[f"bad-{k}" for k in BAD],
                     registry=boards, settings={**RETRY, "DOWNLOAD_TIMEOUT": 2})


@pytest.mark.parametrize("series", list(BAD))
def test_bad_answer_is_counted_and_the_other_series_lands(bad_crawl: Any, series: str) -> None:
    problems, status, landed = BAD[series]
    source = f"usajobs_historic:bad-{series}"
    board = bad_crawl.board(source)
    assert board["problems"] == problems
    assert board["status"] == status
    ids = sorted(i["source_id"] for i in bad_crawl.items if i["source"] == source)
    assert ids == sorted(["881000011", "881000012", *landed])
    if series == "NOCONTENT":
        assert board["empty_windows"] == 1 and board["listing_pages"] == 2
    if series == "R429":
        assert board["requests"] == 3 and board["http_status"] == {"200": 2, "429": 1}
