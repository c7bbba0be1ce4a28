"""Greenhouse: real recordings parse to exact items; crawls follow list → detail, skip unchanged
details on the next run, and count every bad input while the other postings land."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import FETCHED_AT, FIXTURES, fake_response, fixture_bytes, make_spider, run_crawl

from crawlers.platforms.greenhouse import board_token, job_fields, pay_fields, remote_flag
from crawlers.registry import Board
from crawlers.spiders.greenhouse import GreenhouseBoardsSpider
from db.build import build

SITE = FIXTURES / "greenhouse" / "site"
API = "https://boards-api.greenhouse.io/v1/boards"
MAIN = "fixturehealth"
MAIN_LIST = SITE / "boards-api.greenhouse.io" / "v1" / "boards" / MAIN / "jobs?content=true"
RETRY = {"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0, "DOWNLOAD_TIMEOUT": 2}


def board(token: str) -> Board:
    return Board(platform="greenhouse", board=token, key=token)


def common(token: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": f"greenhouse:{token}", "platform": "greenhouse", "board": token,
        "fetched_at": FETCHED_AT, "source_updated_at": None, "detail_skipped": None,
        "pay_text": None, "pay_min": None, "pay_max": None, "pay_period": None,
        "pay_currency": None, "remote": None, "closes_at": None, "description": None,
        "location": None, "locations": None, "employment_type": None, "employer": None,
        "posted_at": None, "extra": {},
    }
    base.update(fields)
    return base


def list_response(spider: Any, token: str, body: bytes) -> list[Any]:
    url = f"{API}/{token}/jobs?content=true"
    response = fake_response(url, body, board=board(token), html=False,
                             meta={"listing": True, "token": token})
    return list(spider.parse_list(response))


def detail_items(spider: Any, request: Any, body: bytes) -> list[dict[str, Any]]:
    response = fake_response(request.url, body, board=request.meta["board"], html=False,
                             meta=request.meta)
    return [asdict(item) for item in spider.parse_detail(response)]


# -- in-process parsing of the recordings ----------------------------------------------------


def test_gitlab_capture_unchanged_postings_come_from_the_list_alone() -> None:
    spider = make_spider(GreenhouseBoardsSpider)
    spider.known = {("greenhouse:gitlab", "8503792002"): "2026-07-17T08:48:22-04:00",
                    ("greenhouse:gitlab", "8565469002"): "2026-07-16T08:40:10-04:00"}
    items = [asdict(i) for i in list_response(
        spider, "gitlab", fixture_bytes("greenhouse", "jobs_list_content_true_gitlab_remote.json"))]
    first, second = items
    for item, length in ((first, 7566), (second, 11682)):
        description = item["description"]
        assert description.startswith("GitLab is the intelligent orchestration platform for "
                                      "DevSecOps. GitLab enables organizations")
        assert description.endswith("please let us know during the recruiting process.")
        assert "&lt;" not in description and "&quot;" not in description
        assert len(description) == length
    assert first == common(
        "gitlab", source_id="8503792002",
        url="https://job-boards.greenhouse.io/gitlab/jobs/8503792002",
        title="Account Executive - Italy", employer="GitLab", location="Remote, Italy",
        locations=["Remote, Italy"], posted_at="2026-04-17T05:58:03-04:00",
        source_updated_at="2026-07-17T08:48:22-04:00", detail_skipped=True,
        extra={"internal_job_id": 6396658002, "requisition_id": "6263", "language": "en",
               "departments": ["EMEA - Commercial"], "offices": [{"name": "Italy"}],
               "metadata": {"Quota Coverage Type": "Account Executive"}},
    ) | {"description": first["description"]}
    # "Remote, US" is location text, not a flag: remote stays None.
    assert second == common(
        "gitlab", source_id="8565469002",
        url="https://job-boards.greenhouse.io/gitlab/jobs/8565469002", title="AI Engineer",
        employer="GitLab", location="Remote, US", locations=["Remote, US"],
        posted_at="2026-05-29T07:49:29-04:00", source_updated_at="2026-07-16T08:40:10-04:00",
        detail_skipped=True,
        extra={"internal_job_id": 6421347002, "requisition_id": "6418", "language": "en",
               "departments": ["Enterprise Applications"],
               "offices": [{"name": "United States of America"}],
               "metadata": {"Quota Coverage Type": "n/a"}},
    ) | {"description": second["description"]}
    stats = spider.crawler.stats.get_stats()
    # The author of the capture kept 2 of the board's 167 jobs: counted, not fatal.
    assert stats["peerjobs/board/greenhouse:gitlab//problems/total_mismatch"] == 1
    assert stats["peerjobs/board/greenhouse:gitlab//details_skipped"] == 2
    assert "peerjobs/board/greenhouse:gitlab//incomplete" not in stats


def test_new_postings_ask_for_their_detail_with_pay_transparency() -> None:
    spider = make_spider(GreenhouseBoardsSpider)
    requests = list_response(
        spider, "gitlab", fixture_bytes("greenhouse", "jobs_list_content_true_gitlab_remote.json"))
    assert [r.url for r in requests] == [
        f"{API}/gitlab/jobs/8503792002?pay_transparency=true",
        f"{API}/gitlab/jobs/8565469002?pay_transparency=true",
    ]
    # Losing a detail never makes the board partial: the posting was seen in the list.
    assert [r.meta["fallback"].source_id for r in requests] == ["8503792002", "8565469002"]
    assert all(not r.meta["listing"] and r.errback == spider.on_error for r in requests)


def test_list_then_detail_escaped_content_and_cents() -> None:
    spider = make_spider(GreenhouseBoardsSpider)
    requests = list_response(spider, MAIN, MAIN_LIST.read_bytes())
    assert len(requests) == 3
    details = {r.meta["listed_job"]["id"]: r for r in requests}
    detail_dir = MAIN_LIST.parent / "jobs"
    [peer] = detail_items(spider, details[7000001001], (
        detail_dir / "7000001001?pay_transparency=true").read_bytes())
    [lcsw] = detail_items(spider, details[7000001003], (
        detail_dir / "7000001003?pay_transparency=true").read_bytes())
    assert peer == common(
        MAIN, source_id="7000001001",
        url="https://job-boards.greenhouse.io/fixturehealth/jobs/7000001001",
        title="Peer Support Specialist", employer="Fixture Health (test data)",
        location="Denver, CO", locations=["Denver, CO"],
        pay_min=20.0, pay_max=24.0, pay_period="Colorado Hourly Pay Range", pay_currency="USD",
        description=(
            "Fixture Health (test data) runs community recovery programs across Colorado.\n\n"
            "What you will do\n\n- Share your lived experience of recovery to build hope and "
            "trust.\n- Connect participants with housing, benefits & mutual-aid groups.\n\n"
            "Requirements\n\nMust hold a current CPFS certification or obtain it within 6 "
            "months of hire.\n\nPay: $20.00 - $24.00 per hour"),
        posted_at="2026-10-01T08:00:00-04:00", employment_type="Full-time", remote=False,
        source_updated_at="2026-10-20T09:15:00-04:00",
        extra={"internal_job_id": 6000001001, "requisition_id": "PSS-101", "language": "en",
               "departments": ["Peer Services"],
               "offices": [{"name": "Denver", "location": "Denver, Colorado, United States"}],
               "metadata": {"Employment Type": "Full-time", "Workplace Type": "On-site"},
               "pay_input_ranges": [{
                   "min_cents": 2000, "max_cents": 2400, "currency_type": "USD",
                   "title": "Colorado Hourly Pay Range",
                   "blurb": "Pay within the range depends on experience and certification."}]},
    )
    assert lcsw == common(
        MAIN, source_id="7000001003",
        url="https://job-boards.greenhouse.io/fixturehealth/jobs/7000001003",
        title="Licensed Clinical Social Worker", employer="Fixture Health (test data)",
        location="Hybrid - Denver, CO", locations=["Hybrid - Denver, CO"],
        description=("Provide therapy to adults in our outpatient clinic.\n\n"
                     "- Current LCSW license required."),
        posted_at="2026-09-30T08:00:00-04:00", employment_type="Full-time, Per Diem",
        source_updated_at="2026-10-15T16:45:00-04:00",
        extra={"internal_job_id": 6000001003, "requisition_id": "ONE", "language": "en",
               "departments": ["Clinical"],
               "offices": [{"name": "Denver", "location": "Denver, Colorado, United States"}],
               "metadata": {"Employment Type": ["Full-time", "Per Diem"],
                            "Workplace Type": "Hybrid"}},
    )


def test_docs_examples_double_escaped_content_and_cents() -> None:
    detail = json.loads(fixture_bytes("greenhouse", "job_detail_docs_example_questions_pay.json"))
    assert job_fields(detail) == {
        "source_id": "44444", "url": "http://your.co/careers?gh_jid=444444",
        "title": "Product Engineer", "employer": None, "location": "San Francisco, CA",
        "locations": ["San Francisco, CA"],
        "description": ("This is the job description.\n\nAny HTML included through the hosted "
                        "job application editor will be automatically converted into "
                        "corresponding HTML entities."),
        "posted_at": None, "closes_at": None, "employment_type": None, "remote": None,
        "source_updated_at": "2013-07-02T19:39:23Z",
        "pay_min": 50000.0, "pay_max": 75000.0, "pay_currency": "USD",
        "extra": {"internal_job_id": 55555, "requisition_id": "50", "language": "en",
                  "metadata": {"Field Name": "Some value"},
                  "pay_input_ranges": [{"min_cents": 5000000, "max_cents": 7500000,
                                        "currency_type": "USD", "title": "NYC Salary Range",
                                        "blurb": "In order to provide transparency..."}]},
    }
    listing = json.loads(fixture_bytes("greenhouse", "jobs_list_content_true_docs_example.json"))
    fields = job_fields(listing["jobs"][0])
    assert (fields["source_id"], fields["location"], fields["description"]) == (
        "127817", "NYC", "This is the job description.\n\nAny HTML included through the hosted "
        "job application editor will be automatically converted into corresponding HTML "
        "entities.")
    assert fields["extra"]["offices"] == [
        {"name": "East Coast", "location": "United States"},
        {"name": "New York City", "location": "New York, NY, United States"}]


@pytest.mark.parametrize(
    ("ranges", "expected"),
    [
        ([{"min_cents": 2050, "max_cents": 2475, "currency_type": "USD", "title": "Hourly"}],
         {"pay_min": 20.5, "pay_max": 24.75, "pay_currency": "USD", "pay_period": "Hourly"}),
        ([{"min_cents": "4160000", "max_cents": None, "currency_type": "USD", "title": ""}],
         {"pay_min": 41600.0, "pay_max": None, "pay_currency": "USD"}),
        ([{"min_cents": None, "max_cents": None}, {"min_cents": 100, "max_cents": 200,
                                                   "title": "Annual Salary"}],
         {"pay_min": 1.0, "pay_max": 2.0, "pay_period": "Annual Salary"}),
        ([{"min_cents": 5000000, "max_cents": 7500000, "title": "NYC Salary Range"}],
         {"pay_min": 50000.0, "pay_max": 75000.0}),
        ([], {}), (None, {}), ("garbage", {}), ([{"min_cents": "n/a"}], {}),
    ],
)
def test_pay_input_ranges(ranges: Any, expected: dict[str, Any]) -> None:
    assert pay_fields(ranges) == expected


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"Workplace Type": "Remote"}, True), ({"Location Type": "On-site"}, False),
        ({"workplace type": "Hybrid"}, None), ({"Remote": True}, True), ({"Remote": "No"}, False),
        ({"Workplace Type": ["Remote", "Hybrid"]}, None), ({"Employment Type": "Remote"}, None),
        ({}, None),
    ],
)
def test_remote_only_from_custom_field_flags(fields: dict[str, Any], expected: bool | None) -> None:
    assert remote_flag(fields) is expected


@pytest.mark.parametrize(
    ("given", "token"),
    [("talkspace", "talkspace"), ("https://boards.greenhouse.io/talkspace", "talkspace"),
     ("https://job-boards.greenhouse.io/ophelia/jobs/5234368008", "ophelia"),
     ("https://boards.greenhouse.io/embed/job_board?for=firsthand", "firsthand"),
     ("https://boards-api.greenhouse.io/v1/boards/charliehealth/jobs", "charliehealth")],
)
def test_board_token_from_token_or_url(given: str, token: str) -> None:
    assert board_token(given) == token


# -- crawls through the replay server --------------------------------------------------------


def test_crawl_reads_the_list_and_every_detail(data_dir: Path) -> None:
    result = run_crawl(data_dir, "greenhouse", SITE, registry=[
        {"platform": "greenhouse", "board": MAIN, "employer": "Registry name", "state": "CO"},
        {"platform": "greenhouse", "board": "empty", "enabled": False},
    ])
    by_id = result.by_id()
    assert sorted(by_id) == ["7000001001", "7000001002", "7000001003"]
    stats = result.board(f"greenhouse:{MAIN}")
    assert stats["status"] == "complete" and stats["items"] == 3
    assert stats["listing_pages"] == 1 and stats["requests"] == 4 and stats["problems"] == {}
    assert stats["http_status"] == {"200": 4} and stats["state"] == "CO"
    assert list(result.boards) == [f"greenhouse:{MAIN}"]  # the disabled board is not crawled
    advocate = by_id["7000001002"]
    assert (advocate["title"], advocate["pay_min"], advocate["pay_max"], advocate["pay_period"],
            advocate["remote"], advocate["employment_type"], advocate["employer"]) == (
        "Certified Recovery Peer Advocate", 41600.0, 49920.0, None, True, "Part-time",
        "Fixture Health (test data)")
    assert by_id["7000001001"]["title"] == "Peer Support Specialist"  # trailing space gone
    assert all(i["url"].startswith("https://job-boards.greenhouse.io/fixturehealth/jobs/")
               for i in result.items)
    assert sorted((r.host, r.path, r.query) for r in result.requests) == [
        ("boards-api.greenhouse.io", "/robots.txt", ""),
        ("boards-api.greenhouse.io", f"/v1/boards/{MAIN}/jobs", "content=true"),
        ("boards-api.greenhouse.io", f"/v1/boards/{MAIN}/jobs/7000001001", "pay_transparency=true"),
        ("boards-api.greenhouse.io", f"/v1/boards/{MAIN}/jobs/7000001002", "pay_transparency=true"),
        ("boards-api.greenhouse.io", f"/v1/boards/{MAIN}/jobs/7000001003", "pay_transparency=true"),
    ]


def test_second_run_skips_unchanged_details_and_refetches_a_changed_one(
        data_dir: Path, tmp_path: Path) -> None:
    first = run_crawl(data_dir, "greenhouse", SITE, boards=[MAIN], now="2026-11-02T03:00:00Z")
    assert len([r for r in first.requests if r.path != "/robots.txt"]) == 4
    build(data_dir, data_dir / "archive", lambda row: {})

    second = run_crawl(data_dir, "greenhouse", SITE, boards=[MAIN], now="2026-11-09T03:00:00Z")
    assert [(r.path, r.query) for r in second.requests if r.path != "/robots.txt"] == [
        (f"/v1/boards/{MAIN}/jobs", "content=true")]
    assert {i["source_id"]: (i["detail_skipped"], i["pay_min"]) for i in second.items} == {
        "7000001001": (True, None), "7000001002": (True, None), "7000001003": (True, None)}
    stats = second.board(f"greenhouse:{MAIN}")
    assert stats["details_skipped"] == 3 and stats["requests"] == 1
    assert stats["status"] == "complete"
    report = build(data_dir, data_dir / "archive", lambda row: {})
    assert report.changed_postings == 0  # a listing-only sighting keeps the stored detail

    changed_site = tmp_path / "changed"
    shutil.copytree(SITE, changed_site)
    changed_list = changed_site / MAIN_LIST.relative_to(SITE)
    data = json.loads(changed_list.read_text(encoding="utf-8"))
    data["jobs"][1]["updated_at"] = "2026-11-05T10:00:00-05:00"
    data["jobs"][1]["title"] = "Certified Recovery Peer Advocate - Bilingual"
    changed_list.write_text(json.dumps(data), encoding="utf-8")
    third = run_crawl(data_dir, "greenhouse", changed_site, boards=[MAIN],
                      now="2026-11-16T03:00:00Z")
    assert [(r.path, r.query) for r in third.requests if r.path != "/robots.txt"] == [
        (f"/v1/boards/{MAIN}/jobs", "content=true"),
        (f"/v1/boards/{MAIN}/jobs/7000001002", "pay_transparency=true")]
    refetched = third.by_id()["7000001002"]
    assert (refetched["detail_skipped"], refetched["title"], refetched["pay_min"],
            refetched["source_updated_at"]) == (
        None, "Certified Recovery Peer Advocate - Bilingual", 41600.0,
        "2026-11-05T10:00:00-05:00")
    assert [i["detail_skipped"] for i in third.items if i["source_id"] != "7000001002"] == [
        True, True]


# -- bad input: one crawl over many small boards, one assertion per case ----------------------

BAD_BOARDS = ["retry429", "retry503", "down500", "forbidden", "gone", "slow", "loop", "htmlpage",
              "truncated", "empty", "messy", "detailfail"]


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return run_crawl(tmp_path_factory.mktemp("greenhouse-bad") / "data", "greenhouse", SITE,
                     boards=BAD_BOARDS, settings=RETRY)


@pytest.mark.parametrize(
    ("token", "status", "problems", "items"),
    [
        # 429 and 503 are retried (Retry-After: 0) and then answer: nothing is lost.
        ("retry429", "complete", {}, ["7000001001"]),
        ("retry503", "complete", {}, ["7000001001"]),
        # A list that never answers is a failed board: it closes nothing.
        ("down500", "failed", {"http_5xx": 1}, []),
        ("forbidden", "failed", {"http_403": 1}, []),
        ("gone", "failed", {"http_404": 1}, []),
        ("slow", "failed", {"timeout": 1}, []),
        ("loop", "failed", {"redirect_loop": 1}, []),
        ("htmlpage", "failed", {"html_instead_of_json": 1}, []),
        ("truncated", "failed", {"malformed_json": 1}, []),
        # Greenhouse says zero jobs: a complete run with no postings, not a problem.
        ("empty", "complete", {}, []),
        # A job without id, one without title and one that is not an object are counted; the
        # job with wrong types everywhere still lands.
        ("messy", "partial", {"missing_source_id": 1, "missing_title": 1, "unexpected_shape": 1},
         ["7000009004"]),
        # Details that fail (500, malformed JSON, 404) are counted; the postings land from the
        # list and the board stays complete. A 404 detail does not close a posting the list
        # still shows: it is counted as detail_gone and lands as a sighting too.
        ("detailfail", "complete", {"http_5xx": 1, "malformed_json": 1, "detail_gone": 1},
         ["7000008001", "7000008002", "7000008003"]),
    ],
)
def test_bad_input_is_counted_and_the_rest_lands(
        bad: Any, token: str, status: str, problems: dict[str, int], items: list[str]) -> None:
    stats = bad.board(f"greenhouse:{token}")
    assert stats["status"] == status
    assert stats["problems"] == problems
    assert sorted(i["source_id"] for i in bad.items if i["board"] == token) == items


def test_bad_input_details(bad: Any) -> None:
    assert bad.board("greenhouse:down500")["requests"] == 3  # first try + 2 retries
    assert bad.board("greenhouse:retry429")["requests"] == 3  # 429, list again, detail
    assert bad.board("greenhouse:loop")["requests"] == 6  # REDIRECT_MAX_TIMES = 5
    failed = {i["source_id"]: i for i in bad.items if i["board"] == "detailfail"}
    # A posting whose detail failed carries no version stamp: the next run asks again.
    assert {k: (v["source_updated_at"], v["detail_skipped"], v["extra"]["detail_error"],
                v["pay_min"]) for k, v in failed.items()} == {
        "7000008001": (None, True, "http_5xx", None),
        "7000008002": (None, True, "unreadable", None),
        "7000008003": (None, True, "detail_gone", None)}
    odd = next(i for i in bad.items if i["source_id"] == "7000009004")
    assert (odd["title"], odd["location"], odd["description"], odd["source_updated_at"],
            odd["extra"].get("metadata"), odd["extra"].get("offices")) == (
        "Peer Navigator", "Remote", None, "1760000000", None, None)
    assert bad.stats["finish_reason"] == "finished"
