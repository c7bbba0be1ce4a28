"""The JSON-LD platform: real recorded pages parse to exact items; crawls count every problem."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest
from conftest import FETCHED_AT, FIXTURES, fake_response, fixture_bytes, make_spider, run_crawl

from crawlers.platforms.jsonld import find_jobpostings, parse_jsonld_block, salary_fields
from crawlers.registry import Board
from crawlers.spiders.jsonld import CareerPagesSpider

SITE = FIXTURES / "jsonld" / "site"
BOARD = Board(platform="jsonld", board="https://careers.example.org/", key="careers.example.org")
SOURCE = "jsonld:careers.example.org"


def parse(name: str, url: str) -> list[dict]:
    spider = make_spider(CareerPagesSpider)
    response = fake_response(url, fixture_bytes("jsonld", name), board=BOARD)
    return [asdict(item) for item in spider.parse_posting(response)]


def common(**fields: object) -> dict:
    base = {
        "source": SOURCE, "platform": "jsonld", "board": "https://careers.example.org/",
        "fetched_at": FETCHED_AT, "source_updated_at": None, "detail_skipped": None,
        "pay_text": None, "pay_min": None, "pay_max": None, "pay_period": None,
        "pay_currency": None, "remote": None, "closes_at": None, "description": None,
        "location": None, "locations": None, "employment_type": None, "extra": {},
    }
    base.update(fields)
    return base


def test_google_documented_examples_three_postings_on_one_page() -> None:
    url = "https://careers.example.org/jobs/google-docs.html"
    items = parse("google_docs_examples_reconstructed.html", url)
    assert items == [
        common(
            source_id="1234567", url=url, title="Software Engineer", employer="Google",
            location="1600 Amphitheatre Pkwy, Mountain View, CA 94043, US",
            locations=["1600 Amphitheatre Pkwy, Mountain View, CA 94043, US"],
            pay_min=40.0, pay_max=40.0, pay_period="HOUR", pay_currency="USD",
            description="Google aspires to be an organization that reflects the globally diverse "
            "audience that our products and technology serve. We believe that in addition to "
            "hiring the best talent, a diversity of perspectives, ideas and cultures leads to the "
            "creation of better products and services.",
            posted_at="2017-01-18", closes_at="2017-03-18T00:00", employment_type="CONTRACTOR",
            extra={"identifier_name": "Google"},
        ),
        common(
            source_id=f"{url}#2", url=url, title="Software Engineer", employer="Google",
            pay_min=40.0, pay_max=50.0, pay_period="HOUR", pay_currency="USD",
            posted_at="2017-01-18", employment_type="FULL_TIME, PART_TIME",
        ),
        common(
            source_id=f"{url}#3", url=url, title="Software Engineer", employer="Google",
            location="Remote (USA)", locations=["Remote (USA)"], remote=True,
            posted_at="2017-01-18",
            extra={"jobLocationType": "TELECOMMUTE", "applicant_location_requirements": ["USA"]},
        ),
    ]


def test_meta_capture_place_names_win_over_a_repeated_address() -> None:
    url = "https://www.metacareers.com/jobs/1234/"
    [item] = parse("meta_careers_jobposting_wrapped.html", url)
    description = item["description"]
    assert item == common(
        source_id=url, url=url, title="Software Engineer, Infrastructure", employer="Meta",
        location="Sunnyvale, CA",
        locations=["Sunnyvale, CA", "Bellevue, WA", "Redmond, WA", "Austin, TX", "Menlo Park, CA",
                   "Seattle, WA", "Burlingame, CA", "Remote, US", "New York, NY"],
        posted_at="2025-06-10T13:07:44-07:00", closes_at="2026-06-08T12:50:57-07:00",
        employment_type="Full-time", extra={"directApply": True},
    ) | {"description": description}
    assert description.startswith("Meta is seeking talented engineers to join our teams")
    assert "\n\nResponsibilities\nCollaborate with cross-functional teams" in description
    assert "\n\nQualifications\nBachelor's degree in Computer Science" in description
    assert description.endswith("staying current with emerging AI technologies")
    assert "&nbsp;" not in description and len(description) == 2997


def test_applicantpro_capture_numeric_strings_and_escaped_slashes() -> None:
    url = "https://jeffersonhealthcare.applicantpro.com/jobs/4147596.html"
    [item] = parse("applicantpro_jeffersonhealthcare_4147596.html", url)
    assert item == common(
        source_id="4147596", url=url, title="Home Health and Hospice Aide (CNA)",
        employer="Jefferson Healthcare",
        location="2500 W Sims Way, Port Townsend, WA 98368, US",
        locations=["2500 W Sims Way, Port Townsend, WA 98368, US"],
        pay_min=23.98, pay_max=35.09, pay_period="HOUR", pay_currency="USD",
        posted_at="2026-07-14 00:00:00", closes_at="2031-09-09 00:00:00T23:59",
        employment_type="FULL_TIME", extra={"identifier_name": "Jefferson Healthcare"},
        description=(
            "Home Health and Hospice Aide (CNA)\n\nAnnouncement #342326\n\nJefferson Healthcare "
            "is currently looking for a full-time Home Health and Hospice Aide (CNA) to join our "
            "team. We have a fully accredited Home Health & Hospice program and this role will "
            "involve providing direct personal care to patients in their homes. You will be "
            "following a specific plan of care prepared by the RN Case Manager to ensure that "
            "patients receive the best possible care. Your role as a CNA is crucial in providing "
            "compassionate care and promoting patient comfort and dignity.\n\nWhat can we offer "
            "you?\n\n- Competitive wages\n- Low premiums for Medical, Dental, Vision, and "
            "Prescription coverage for employees and their families\n- Outstanding benefits "
            "including PTO, Employee Assistant Program, Voluntary Benefits, and Retirement Plans."
            "\n- Hands-on training\n- Supportive and inclusive work environment\n\nEducation and "
            "experience required\n\n- High School diploma or GED equivalent required\n- Current "
            "Washington State Nurse Assistant Certified (NA-C) required\n- Current AHA BLS/CPR "
            "(Healthcare Provider version) required\n- Current valid state driver's license and "
            "proof of auto insurance required\n\nSchedule: Full-Time; Day Shift (M-F 8:30a-5p)"
            "\n\nTo apply: Please visit our careers website at "
            "https://jeffersonhealthcare.org/healthcare-careers."
        ),
    )


@pytest.mark.parametrize(
    ("block", "count"),
    [
        ('{"@type": "JobPosting", "title": "A"}', 1),
        ('[{"@type": "JobPosting", "title": "A"}, {"@type": "JobPosting", "title": "B"}]', 2),
        ('{"@context": "https://schema.org", "@graph": [{"@type": "Organization"}, '
         '{"@type": ["JobPosting"], "title": "A"}]}', 1),
        ('{"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item": '
         '{"@type": "http://schema.org/JobPosting", "title": "A"}}]}', 1),
        ("<!-- {\"@type\": \"JobPosting\", \"title\": \"A\",} -->", 1),
        ('{"@type": "Organization", "name": "no jobs here"}', 0),
    ],
)
def test_jobpostings_found_however_nested(block: str, count: int) -> None:
    assert len(list(find_jobpostings(parse_jsonld_block(block)))) == count


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        ({"@type": "MonetaryAmount", "currency": "USD", "minValue": 24.25, "maxValue": 24.55},
         {"pay_min": 24.25, "pay_max": 24.55, "pay_currency": "USD"}),
        ({"currency": "USD", "value": 52000},
         {"pay_min": 52000.0, "pay_max": 52000.0, "pay_currency": "USD"}),
        ({"currency": "USD", "value": {"minValue": "17", "unitText": "HOUR"}},
         {"pay_min": 17.0, "pay_max": 17.0, "pay_period": "HOUR", "pay_currency": "USD"}),
        ({"currency": "USD", "value": {"value": "$18 - $20", "unitText": "HOUR"}},
         {"pay_text": "$18 - $20", "pay_period": "HOUR", "pay_currency": "USD"}),
        ("Competitive", {"pay_text": "Competitive"}),
        (None, {}),
    ],
)
def test_salary_shapes_seen_on_real_pages(salary: object, expected: dict) -> None:
    assert salary_fields(salary) == expected


def test_crawl_from_a_sitemap_writes_feed_and_stats(data_dir: Path) -> None:
    result = run_crawl(
        data_dir, "jsonld", SITE, boards=["https://careers.example.org/"],
        registry=[{"platform": "jsonld", "board": "https://careers.example.org/",
                   "employer": "Fixture employer", "state": "WA",
                   "start_urls": ["https://careers.example.org/sitemap-week1.xml"],
                   "follow": "/jobs/"}],
    )
    assert sorted(i["source_id"] for i in result.items) == [
        "1234567", "4147596",
        "https://careers.example.org/jobs/google-docs.html#2",
        "https://careers.example.org/jobs/google-docs.html#3",
        "https://careers.example.org/jobs/meta.html",
    ]
    board = result.board(SOURCE)
    assert board["status"] == "complete"
    assert board["items"] == 5 and board["listing_pages"] == 1 and board["requests"] == 4
    assert board["http_status"] == {"200": 4}
    assert board["state"] == "WA" and board["employer"] == "Fixture employer"
    assert result.stats["finish_reason"] == "finished"
    # Every request went to the replay server with its real path, robots.txt first.
    paths = [r.path for r in result.requests]
    assert paths[0] == "/robots.txt"
    assert sorted(paths[1:]) == ["/jobs/google-docs.html", "/jobs/jefferson.html",
                                 "/jobs/meta.html", "/sitemap-week1.xml"]
    assert {r.host for r in result.requests} == {"careers.example.org"}
    # Items carry the real URLs, never the mirror's.
    assert all(i["url"].startswith("https://") for i in result.items)


def test_crawl_follows_listing_links_and_rel_next(data_dir: Path) -> None:
    result = run_crawl(data_dir, "jsonld", SITE,
                       boards=["https://careers.example.org/jobs/"])
    assert sorted(i["title"] for i in result.items) == [
        "Home Health and Hospice Aide (CNA)", "Peer Support Specialist",
        "Software Engineer, Infrastructure",
    ]
    board = result.board("jsonld:careers.example.org/jobs")
    assert board["listing_pages"] == 2 and board["status"] == "complete"


def test_bad_pages_are_counted_and_the_rest_lands(data_dir: Path) -> None:
    result = run_crawl(
        data_dir, "jsonld", SITE, boards=["https://careers.example.org/"],
        registry=[{"platform": "jsonld", "board": "https://careers.example.org/",
                   "start_urls": ["https://careers.example.org/sitemap-bad.xml"]}],
        settings={"DOWNLOAD_TIMEOUT": 2},
    )
    assert sorted(i["source_id"] for i in result.items) == ["4147596", "4150001"]
    board = result.board(SOURCE)
    assert board["problems"] == {
        "no_jsonld": 1, "malformed_jsonld": 1, "missing_title": 1, "detail_gone": 1,
        "http_5xx": 1, "timeout": 1,
    }
    # A lost page (500, timeout, unreadable) leaves the run partial: it closes nothing.
    # A posting page that 404s (detail_gone) is lost too: a sitemap entry is no listing copy
    # of the posting, so nothing closes it in a run that never read it.
    assert board["status"] == "partial"
    assert board["incomplete"] == 6
    assert result.problem("timeout") == 1 and result.problem("http_5xx") == 1


def test_unreachable_source_fails_without_losing_the_run(data_dir: Path) -> None:
    result = run_crawl(data_dir, "jsonld", None, boards=["https://careers.example.org/"],
                       api_base="http://127.0.0.1:9", settings={"DOWNLOAD_TIMEOUT": 2})
    board = result.board(SOURCE)
    assert board["status"] == "failed"
    assert board["problems"] == {"connection": 1}
    assert result.items == []
    assert (data_dir / "archive" / "jsonld").is_dir()
