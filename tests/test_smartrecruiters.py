"""SmartRecruiters Posting API: real captures parse to exact items; paging runs to totalFound;
unchanged postings (same releasedDate) skip their detail; bad input is counted per company."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    FETCHED_AT,
    FIXTURES,
    CrawlResult,
    fake_response,
    fixture_bytes,
    make_spider,
    run_crawl,
)

from crawlers.platforms.smartrecruiters import (
    company_id,
    description_text,
    detail_url,
    list_url,
    merge_detail,
    posting_fields,
)
from crawlers.registry import Board
from crawlers.spiders.smartrecruiters import SmartRecruitersCompaniesSpider
from db.build import build

SITE = FIXTURES / "smartrecruiters" / "site"
API = "/v1/companies"


def board(company: str = "Guidehealth", **options: Any) -> Board:
    return Board(platform="smartrecruiters", board=company, key=company, options=options)


def load(name: str) -> Any:
    return json.loads(fixture_bytes("smartrecruiters", name))


def item(fields: dict[str, Any], company: str) -> dict[str, Any]:
    spider = make_spider(SmartRecruitersCompaniesSpider)
    return asdict(spider.posting(board(company), **fields))


def common(company: str, **fields: Any) -> dict[str, Any]:
    base = {
        "source": f"smartrecruiters:{company}", "platform": "smartrecruiters", "board": company,
        "fetched_at": FETCHED_AT, "detail_skipped": None, "pay_text": None, "pay_min": None,
        "pay_max": None, "pay_period": None, "pay_currency": None, "closes_at": None,
    }
    base.update(fields)
    return base


# -- boards and URLs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "company"),
    [("Guidehealth", "Guidehealth"), (" Ubisoft2 ", "Ubisoft2"),
     ("https://careers.smartrecruiters.com/Guidehealth", "Guidehealth"),
     ("jobs.smartrecruiters.com/Vitol/744000133666057-platform-engineer", "Vitol"),
     ("https://api.smartrecruiters.com/v1/companies/ServiceNow/postings", "ServiceNow")],
)
def test_company_ids_from_tokens_and_urls(given: str, company: str) -> None:
    assert company_id(given) == company


@pytest.mark.parametrize("given", ["", "a/b", "https://careers.smartrecruiters.com/"])
def test_bad_company_ids_are_refused(given: str) -> None:
    with pytest.raises(ValueError, match=r"SmartRecruiters|company identifier"):
        company_id(given)


def test_list_and_detail_urls() -> None:
    assert list_url("Guidehealth", 200) == (
        "https://api.smartrecruiters.com/v1/companies/Guidehealth/postings?limit=100&offset=200")
    entry = load("postings_list_ubisoft.json")["content"][0]
    assert detail_url("ubisoft2", entry) == (
        "https://api.smartrecruiters.com/v1/companies/Ubisoft2/postings/744000151912444")
    assert detail_url("Acme", {"id": 42, "ref": "javascript:alert(1)"}) == (
        "https://api.smartrecruiters.com/v1/companies/Acme/postings/42")
    assert detail_url("Acme", {"name": "no id"}) is None


# -- parsing in-process: every field ---------------------------------------------------------


def test_guidehealth_capture_detail_over_its_list_entry_pay_in_prose_remote() -> None:
    entry = load("postings_list_guidehealth.json")["content"][0]
    detail = load("posting_detail_guidehealth_trimmed.json")
    got = item(posting_fields(merge_detail(entry, detail), "Guidehealth"), "Guidehealth")
    assert got == common(
        "Guidehealth",
        source_id="3743990015568355",
        url="https://jobs.smartrecruiters.com/Guidehealth/"
            "3743990015568355-patient-engagement-specialist-remote",
        title="Patient Engagement Specialist - Remote",
        employer="Guidehealth",
        location="Dallas, TX, United States", locations=["Dallas, TX, United States"],
        description=(
            "Company Description\nBuild Your Career in Healthcare\n\nHealthcare is changing "
            "quickly, driven by technology, data, AI, and new approaches to delivering better "
            "care. At Guidehealth, you\u2019ll have the opportunity to build your healthcare "
            "knowledge and develop skills for the future while gaining expos\n\n"
            "Job Description\nWhat You'll Be Doing\n\n- Proactively reaching out to patients and "
            "members through phone, text, chat, email, and other digital channels to engage them "
            "in healthcare programs, services, and recommended care.\n- Building rapport quickly "
            "across different communication cha\n\n"
            "Qualifications\nWhat you'll need for success in this exciting opportunity\n\n"
            "- Experience proactively communicating with customers or patients across multiple "
            "channels, including phone, text, chat, email, or other digital platforms.\n- The "
            "confidence and persistence to initiate outbou\n\n"
            "Additional Information\nThe base pay range for this role is between $20 - $22 per "
            "hour paid bi-weekly\n\nALIVE with Purpose: How We Thrive at Guidehealth\n\n"
            "At Guidehealth, our values come to life in everything we do.\n\n- We are"),
        posted_at="2026-09-22T16:21:42.578Z",
        employment_type="Full-time",
        remote=True,
        source_updated_at="2026-09-22T16:21:42.578Z",
        extra={
            "ref_number": "REF292X", "uuid": "49f889e7-5565-4c5c-92a8-eeabb3bac653",
            "job_ad_id": "ebfee4a1-da77-4f86-9697-c714af69e012",
            "function": "Health Care Provider", "industry": "Hospital And Health Care",
            "experience_level": "Associate", "country_code": "us", "hybrid": False,
            "latitude": "32.7766642", "longitude": "-96.79698789999999", "language": "en",
        },
    )


def test_vitol_capture_complete_detail_on_site_without_pay() -> None:
    got = item(posting_fields(load("posting_detail_vitol_complete.json"), "Vitol"), "Vitol")
    description = got.pop("description")
    assert got == common(
        "Vitol",
        source_id="744000133666057",
        url="https://jobs.smartrecruiters.com/Vitol/744000133666057-platform-engineer",
        title="Platform Engineer", employer="Vitol",
        location="Singapore, , Singapore", locations=["Singapore, , Singapore"],
        posted_at="2026-06-23T17:40:25.923Z", employment_type="Full-time",
        remote=False, source_updated_at="2026-06-23T17:40:25.923Z",
        extra={
            "ref_number": "REF850Y", "uuid": "7509ee47-99d8-42d3-98ad-c8eaa25884d2",
            "job_ad_id": "af96bb61-f0ac-4065-9b13-f2f946eecea6",
            "department": "MIS, Technology",  # a number id in the detail, a string in lists
            "function": "Other", "industry": "Oil And Energy",
            "experience_level": "Mid-Senior Level",
            "custom_fields": {"Country/Region": "Singapore", "Brands": "Vitol",
                              "Department": "MIS, Technology"},
            "country_code": "sg", "hybrid": False, "latitude": "1.2811866",
            "longitude": "103.8503404", "language": "en",
            "apply_url": "https://jobs.smartrecruiters.com/Vitol/"
                         "744000133666057-platform-engineer?oga=true",
        },
    )
    # Sections in reading order under their headings; the empty Additional Information is left out.
    assert [line for line in description.split("\n") if line in (
        "Company Description", "Job Description", "Qualifications",
        "Additional Information")] == ["Company Description", "Job Description", "Qualifications"]
    assert description.startswith("Company Description\nVitol is a leader in the energy sector")
    assert "Vitol\u2019s global Cloud & Platform Engineering team" in description
    assert "\n\nQualifications\n- 3+ years of experience building and operating" in description
    assert description.endswith("- Working knowledge of GCP or Azure.")
    assert "<" not in description and "&#xa0;" not in description and len(description) == 4549


def test_ubisoft_capture_list_entry_alone_as_a_sighting() -> None:
    entry = load("postings_list_ubisoft.json")["content"][1]
    got = item(posting_fields(entry, "Ubisoft2"), "Ubisoft2")
    assert got == common(
        "Ubisoft2",
        source_id="744000151872065",
        url="https://jobs.smartrecruiters.com/Ubisoft2/744000151872065",
        title="CRM Webmarketing Assistant", employer="Ubisoft",
        location="Paris, IDF, France", locations=["Paris, IDF, France"], description=None,
        posted_at="2026-09-25T14:49:00.552Z", employment_type="Intern", remote=False,
        source_updated_at="2026-09-25T14:49:00.552Z",
        extra={
            "ref_number": "REF31996L", "uuid": "46ba4d82-41ee-40d6-b66a-878314e2f20b",
            "job_ad_id": "db45b6d9-45c2-4db3-97be-1d32164338e4", "department": "Ubisoft",
            "function": "Marketing", "industry": "Entertainment",
            "experience_level": "Not Applicable",
            "custom_fields": {
                "Organizational Unit": "Central Publishing", "Contract": "Internship",
                "Job Family": "Marketing", "Brands": "Ubisoft",
                "Job  Function": "Media & Channels", "Reference Job": "Media & Channels Trainee",
                "Management Unit (New)": "UBISOFT", "Department": "Ubisoft",
                "Country/Region": "France", "Work flexibility": "Office-based",
                "OU sub location (select when applicable)": "N/A",
            },
            "country_code": "fr", "hybrid": False, "latitude": "48.8575475",
            "longitude": "2.3513765", "language": "fr",
        },
    )


def test_fields_tolerate_nulls_wrong_types_and_missing_keys() -> None:
    fields = posting_fields({"id": 744000001, "name": "  Recovery Coach ", "location": "Remote",
                             "typeOfEmployment": None, "customField": {"x": 1},
                             "jobAd": {"sections": {"jobDescription": {"text": None},
                                                    "qualifications": "text"}},
                             "company": None, "releasedDate": 17}, "Acme")
    assert (fields["source_id"], fields["title"], fields["location"], fields["remote"],
            fields["description"], fields["url"], fields["posted_at"], fields["extra"]) == (
        "744000001", "Recovery Coach", None, None, None,
        "https://jobs.smartrecruiters.com/Acme/744000001", "17", {})
    assert description_text({"sections": {"qualifications": {"text": "<p>CPRS required.</p>"}}}) \
        == "CPRS required."


def test_list_page_plans_from_totalfound_and_asks_each_detail() -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider)
    b = board("Ubisoft2")
    url = list_url("Ubisoft2", 0, 2)
    response = fake_response(url, fixture_bytes("smartrecruiters", "postings_list_ubisoft.json"),
                             board=b, html=False,
                             meta={"company": "Ubisoft2", "offset": 0, "page": 1, "limit": 2,
                                   "planned": None, "listing": True})
    out = list(spider.parse_list(response))
    assert [r.url for r in out] == [
        "https://api.smartrecruiters.com/v1/companies/Ubisoft2/postings/744000151912444",
        "https://api.smartrecruiters.com/v1/companies/Ubisoft2/postings/744000151872065",
        "https://api.smartrecruiters.com/v1/companies/Ubisoft2/postings?limit=100&offset=2",
    ]
    assert out[2].meta["planned"] == 310 and out[2].meta["listing"] is True
    # The listing's copy travels with the detail request: losing the detail still lands it.
    assert out[0].meta["fallback"].source_id == "744000151912444"
    assert out[0].meta["listing"] is False


# -- crawls through the replay server -------------------------------------------------------


def requested(result: CrawlResult) -> list[tuple[str, str]]:
    return [(r.path, r.query) for r in result.requests if r.path != "/robots.txt"]


def test_crawl_follows_two_pages_to_totalfound(data_dir: Path) -> None:
    result = run_crawl(data_dir, "smartrecruiters", SITE, boards=["Guidehealth"],
                       registry=[{"platform": "smartrecruiters", "board": "Guidehealth",
                                  "employer": "Guidehealth", "state": "TX", "page_size": 2}])
    by_id = result.by_id()
    assert sorted(by_id) == ["3743990015329017", "3743990015329216", "3743990015568355",
                             "3743990015587710"]
    stats = result.board("smartrecruiters:Guidehealth")
    assert stats["status"] == "complete" and stats["problems"] == {}
    assert (stats["items"], stats["listing_pages"], stats["requests"]) == (4, 2, 6)
    assert stats["http_status"] == {"200": 6} and stats["state"] == "TX"
    assert sorted(requested(result)) == [
        (f"{API}/Guidehealth/postings", "limit=2&offset=0"),
        (f"{API}/Guidehealth/postings", "limit=2&offset=2"),
        (f"{API}/Guidehealth/postings/3743990015329017", ""),
        (f"{API}/Guidehealth/postings/3743990015329216", ""),
        (f"{API}/Guidehealth/postings/3743990015568355", ""),
        (f"{API}/Guidehealth/postings/3743990015587710", ""),
    ]
    assert {r.host for r in result.requests} == {"api.smartrecruiters.com"}
    peer = by_id["3743990015587710"]
    assert (peer["title"], peer["remote"], peer["employment_type"], peer["posted_at"]) == (
        "Peer Support Specialist - Remote", True, "Full-time", "2026-09-24T14:05:11.204Z")
    assert "willing to obtain it within 6 months of hire" in peer["description"]
    assert "$18 - $21 per hour" in peer["description"]
    assert peer["extra"]["experience_level"] == "Entry Level"
    assert all(i["url"].startswith("https://jobs.smartrecruiters.com/Guidehealth/")
               for i in result.items)


def test_second_run_skips_unchanged_details_and_refetches_a_rereleased_posting(
        data_dir: Path, tmp_path: Path) -> None:
    entry = [{"platform": "smartrecruiters", "board": "Guidehealth", "page_size": 2}]
    first = run_crawl(data_dir, "smartrecruiters", SITE, boards=["Guidehealth"], registry=entry)
    assert len(requested(first)) == 6
    build(data_dir, data_dir / "archive", lambda row: {})

    second = run_crawl(data_dir, "smartrecruiters", SITE, boards=["Guidehealth"],
                       registry=entry, now="2026-11-09T03:00:00Z")
    assert requested(second) == [(f"{API}/Guidehealth/postings", "limit=2&offset=0"),
                                 (f"{API}/Guidehealth/postings", "limit=2&offset=2")]
    assert {i["source_id"]: (i["detail_skipped"], i["description"]) for i in second.items} == {
        "3743990015568355": (True, None), "3743990015329216": (True, None),
        "3743990015329017": (True, None), "3743990015587710": (True, None)}
    stats = second.board("smartrecruiters:Guidehealth")
    assert (stats["details_skipped"], stats["requests"], stats["status"]) == (4, 2, "complete")
    assert build(data_dir, data_dir / "archive", lambda row: {}).changed_postings == 0

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    page = changed / "bodies" / "list" / "Guidehealth_offset2.json"
    data = json.loads(page.read_text(encoding="utf-8"))
    data["content"][1]["releasedDate"] = "2026-11-12T08:30:00.000Z"
    page.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    third = run_crawl(data_dir, "smartrecruiters", changed, boards=["Guidehealth"],
                      registry=entry, now="2026-11-16T03:00:00Z")
    assert requested(third)[2:] == [(f"{API}/Guidehealth/postings/3743990015587710", "")]
    refetched = third.by_id()["3743990015587710"]
    assert (refetched["detail_skipped"], refetched["source_updated_at"]) == (
        None, "2026-11-12T08:30:00.000Z")
    assert "Certified Peer Support Specialist (CPSS)" in refetched["description"]
    assert third.board("smartrecruiters:Guidehealth")["details_skipped"] == 3


# -- bad input -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    boards: list[dict[str, Any]] = [{"platform": "smartrecruiters", "board": c, "page_size": 2}
                                    for c in ("ShrunkCo", "BusyCo", "CutCo")]
    boards += [{"platform": "smartrecruiters", "board": c}
               for c in ("LoopCo", "HtmlCo", "GoneCo", "EmptyCo")]
    boards.append({"platform": "smartrecruiters", "board": "CappedCo", "page_size": 2,
                   "max_pages": 1})
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "smartrecruiters", SITE,
                     boards=[b["board"] for b in boards], registry=boards,
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


@pytest.fixture(scope="module")
def detail_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("detail") / "data", "smartrecruiters", SITE,
                     boards=["BrokenCo"], settings={"DOWNLOAD_TIMEOUT": 2})


def ids_of(result: CrawlResult, company: str) -> list[str]:
    return sorted(i["source_id"] for i in result.items
                  if i["source"] == f"smartrecruiters:{company}")


def test_unknown_company_404_fails_that_board_only(listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board("smartrecruiters:GoneCo")
    assert (stats["status"], stats["problems"], stats["http_status"]) == (
        "failed", {"http_404": 1}, {"404": 1})
    assert listing_crawl.stats["finish_reason"] == "finished"


def test_redirect_loop_is_counted(listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board("smartrecruiters:LoopCo")
    assert (stats["status"], stats["problems"], stats["requests"]) == (
        "failed", {"redirect_loop": 1}, 6)


def test_html_error_page_instead_of_json(listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board("smartrecruiters:HtmlCo")
    assert (stats["status"], stats["problems"]) == ("failed", {"html_instead_of_json": 1})


def test_empty_company_is_a_complete_run_with_no_postings(listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board("smartrecruiters:EmptyCo")
    assert (stats["status"], stats["items"], stats["problems"]) == ("complete", 0, {})


def test_empty_page_before_totalfound_is_counted(listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board("smartrecruiters:ShrunkCo")
    assert (stats["status"], stats["listing_pages"], stats["problems"]) == (
        "complete", 2, {"beyond_last_page": 1})
    assert ids_of(listing_crawl, "ShrunkCo") == ["3743990015329216", "3743990015568355"]


def test_page_cap_marks_the_run_partial(listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board("smartrecruiters:CappedCo")
    assert (stats["status"], stats["problems"], stats["items"]) == (
        "partial", {"page_cap": 1}, 2)


def test_429_is_retried_and_503_on_a_later_page_leaves_the_run_partial(
        listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board("smartrecruiters:BusyCo")
    assert (stats["status"], stats["problems"], stats["items"]) == (
        "partial", {"http_5xx": 1}, 2)
    assert [r.query for r in listing_crawl.requests if r.path == f"{API}/BusyCo/postings"] == [
        "limit=2&offset=0", "limit=2&offset=0", "limit=2&offset=2", "limit=2&offset=2",
        "limit=2&offset=2"]


def test_truncated_page_and_a_posting_without_id(listing_crawl: CrawlResult) -> None:
    stats = listing_crawl.board("smartrecruiters:CutCo")
    assert (stats["status"], stats["problems"]) == (
        "partial", {"malformed_json": 1, "missing_source_id": 1})
    assert ids_of(listing_crawl, "CutCo") == ["3743990015568355"]


def test_failed_details_still_land_as_sightings(detail_crawl: CrawlResult) -> None:
    stats = detail_crawl.board("smartrecruiters:BrokenCo")
    assert stats["problems"] == {"http_5xx": 1, "timeout": 1, "malformed_json": 1,
                                 "html_instead_of_json": 1, "detail_gone": 1}
    assert (stats["status"], stats["incomplete"], stats["items"]) == ("complete", 0, 6)
    got = {i["source_id"]: (i["detail_skipped"], i["source_updated_at"],
                            i["extra"].get("detail_error"))
           for i in detail_crawl.items}
    released = "2026-09-22T16:21:42.578Z"
    assert got == {
        "3743990015600001": (None, released, None),
        "3743990015600002": (True, None, "http_5xx"),
        "3743990015600003": (True, None, "timeout"),
        "3743990015600004": (True, None, "unreadable"),  # truncated JSON
        "3743990015600005": (True, None, "unreadable"),  # HTML error page
        "3743990015600006": (True, None, "detail_gone"),  # 404: the list still shows it
    }
    full = detail_crawl.by_id()["3743990015600001"]
    assert full["url"] == ("https://jobs.smartrecruiters.com/BrokenCo/"
                           "3743990015600001-patient-engagement-specialist-remote")
    sighting = detail_crawl.by_id()["3743990015600002"]
    assert (sighting["title"], sighting["location"], sighting["url"]) == (
        "Patient Engagement Specialist - Remote", "Dallas, TX, United States",
        "https://jobs.smartrecruiters.com/BrokenCo/3743990015600002")


def test_start_board_with_a_bad_token_counts_a_board_error() -> None:
    spider = make_spider(SmartRecruitersCompaniesSpider)
    assert list(spider.start_board(board("not/a/company"))) == []
    assert spider.crawler.stats.get_value(
        "peerjobs/board/smartrecruiters:not/a/company//problems/board_error") == 1
