"""Workday CXS: real captures parse to exact items; paging follows the first page's total through
deep pages that say ``total: 0``; unchanged postings skip their detail; bad input is counted.

(A GET on the list URL is refused by Workday with 400; the spider only ever POSTs, and the
replay server answers whatever it is told, so that behaviour is not tested here.)
"""

from __future__ import annotations

import json
import re
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

from crawlers.platforms.workday import (
    detail_fields,
    parse_board_url,
    posting_id,
    remote_flag,
    version_signal,
)
from crawlers.registry import Board
from crawlers.spiders.workday import WorkdayCareerSitesSpider
from db.build import build

SITE = FIXTURES / "workday" / "site"
HOST = "analogdevices.wd1.myworkdayjobs.com"
BOARD_URL = f"https://{HOST}/External"
SOURCE = f"workday:{HOST}/External"
CXS = "/wday/cxs/analogdevices"
ROCKWELL = "https://rockwellautomation.wd1.myworkdayjobs.com/External-Rockwell-Automation-Early-Careers"
NVIDIA = "https://nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite"
SIGNAL = re.compile(r"^list-sha1:[0-9a-f]{16}$")


def board(url: str = BOARD_URL, **options: Any) -> Board:
    return Board(platform="workday", board=url, key=url.split("://", 1)[1],
                 options=options)


def registry(site: str = "External", **options: Any) -> dict[str, Any]:
    """A registry entry like the real ones: Workday boards are disabled pending a terms review."""
    return {"platform": "workday", "board": f"https://{HOST}/{site}", "enabled": False,
            "employer": "Analog Devices (fixture)", **options}


def load(name: str) -> Any:
    return json.loads(fixture_bytes("workday", name))


def item(fields: dict[str, Any] | None, url_board: str) -> dict[str, Any]:
    """What a spider makes of ``fields``: the JobPosting every field of which a test compares."""
    assert fields is not None
    spider = make_spider(WorkdayCareerSitesSpider)
    return asdict(spider.posting(board(url_board), **fields))


def common(url_board: str, **fields: Any) -> dict[str, Any]:
    base = {
        "source": f"workday:{url_board.split('://', 1)[1]}", "platform": "workday",
        "board": url_board, "fetched_at": FETCHED_AT, "detail_skipped": None,
        "pay_text": None, "pay_min": None, "pay_max": None, "pay_period": None,
        "pay_currency": None, "closes_at": None, "employer": None,
    }
    base.update(fields)
    return base


# -- board URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://centerstone.wd5.myworkdayjobs.com/CenterstoneCareers",
         ("centerstone.wd5.myworkdayjobs.com", "centerstone", "CenterstoneCareers",
          "https://centerstone.wd5.myworkdayjobs.com/CenterstoneCareers")),
        ("https://analogdevices.wd1.myworkdayjobs.com/en-US/External/",
         (HOST, "analogdevices", "External", f"https://{HOST}/en-US/External")),
        ("https://analogdevices.wd1.myworkdayjobs.com/External/job/US-MA-Boston/X_R1",
         (HOST, "analogdevices", "External", f"https://{HOST}/External")),
        ("Maine.WD5.myworkdayjobs.com/executive",
         ("maine.wd5.myworkdayjobs.com", "maine", "executive",
          "https://maine.wd5.myworkdayjobs.com/executive")),
        ("https://wd1.myworkdaysite.com/en-US/recruiting/fmr/FidelityCareers",
         ("wd1.myworkdaysite.com", "fmr", "FidelityCareers",
          "https://wd1.myworkdaysite.com/en-US/recruiting/fmr/FidelityCareers")),
        ("https://nvidia.wd5.myworkdayjobs.com/wday/cxs/nvidia/NVIDIAExternalCareerSite/jobs",
         ("nvidia.wd5.myworkdayjobs.com", "nvidia", "NVIDIAExternalCareerSite", NVIDIA)),
    ],
)
def test_board_urls_name_host_tenant_and_case_sensitive_site(
        url: str, expected: tuple[str, str, str, str]) -> None:
    site = parse_board_url(url)
    assert (site.host, site.tenant, site.site, site.public_base) == expected


def test_board_url_endpoints() -> None:
    site = parse_board_url("https://centerstone.wd5.myworkdayjobs.com/en-US/CenterstoneCareers")
    path = "/job/Nashville-TN/Peer-Support-Specialist_R123"
    assert site.jobs_url == ("https://centerstone.wd5.myworkdayjobs.com/wday/cxs/centerstone/"
                             "CenterstoneCareers/jobs")
    assert site.detail_url(path) == ("https://centerstone.wd5.myworkdayjobs.com/wday/cxs/"
                                     f"centerstone/CenterstoneCareers{path}")
    assert site.public_url(path) == ("https://centerstone.wd5.myworkdayjobs.com/en-US/"
                                     f"CenterstoneCareers{path}")


@pytest.mark.parametrize("url", ["https://careers.example.org/jobs", "https://x.wd5.myworkdayjobs.com/",
                                 "https://wd1.myworkdaysite.com/en-US/fmr"])
def test_bad_board_urls_are_refused_with_a_reason(url: str) -> None:
    with pytest.raises(ValueError, match=r"Workday|site name|recruiting"):
        parse_board_url(url)


# -- parsing list pages in-process --------------------------------------------------------


def list_response(name: str, url_board: str, *, offset: int, page: int,
                  planned: int | None, limit: int = 20) -> Any:
    b = board(url_board)
    site = parse_board_url(url_board)
    return fake_response(site.jobs_url, fixture_bytes("workday", name), board=b, html=False,
                         meta={"workday": site, "offset": offset, "page": page, "limit": limit,
                               "planned": planned, "listing": True})


def test_first_request_posts_the_documented_body() -> None:
    spider = make_spider(WorkdayCareerSitesSpider)
    [request] = list(spider.start_board(board()))
    assert request.method == "POST"
    assert request.url == f"https://{HOST}{CXS}/External/jobs"
    assert json.loads(request.body) == load("cxs_jobs_request_body.json")
    assert request.headers["Content-Type"] == b"application/json"
    assert request.meta["listing"] is True


def test_short_first_page_asks_each_detail_and_no_further_page() -> None:
    spider = make_spider(WorkdayCareerSitesSpider)
    out = list(spider.parse_list(list_response("cxs_jobs_list_rockwell.json", ROCKWELL,
                                               offset=0, page=1, planned=None)))
    base = ("https://rockwellautomation.wd1.myworkdayjobs.com/wday/cxs/rockwellautomation/"
            "External-Rockwell-Automation-Early-Careers/job/")
    assert [r.url for r in out] == [
        base + "Mayfield-Heights-Ohio-United-States/"
               "Intern--AI-Software-Engineering--June-August-2027-_R26-6980",
        base + "Mayfield-Heights-Ohio-United-States/"
               "Co-op--AI-Software-Engineering--6-8-months-_R26-6982",
        base + "Waterloo-Ontario-Canada/"
               "Co-op--Robotics-Research---Data-Engineering--OTTO-at-Rockwell-Automation-_R26-6871",
    ]
    assert {(r.method, r.meta["fallback"].platform, r.meta["listing"]) for r in out} == {
        ("GET", "workday", False)}
    assert spider.crawler.stats.get_value(
        f"peerjobs/board/workday:{ROCKWELL.split('://')[1]}//listing_pages") == 1


def test_deep_page_reporting_total_zero_still_pages_on_by_the_first_total() -> None:
    spider = make_spider(WorkdayCareerSitesSpider)
    out = list(spider.parse_list(list_response(
        "cxs_jobs_list_analogdevices_deep_offset_total0.json", BOARD_URL,
        offset=20, page=2, planned=45)))
    details, pages = out[:20], out[20:]
    assert len(details) == 20 and all(r.method == "GET" for r in details)
    assert details[8].url == (f"https://{HOST}{CXS}/External/job/US-CO-Colorado-Springs-Chapel-"
                              "Hills/Principal-Analog---Mixed-Signal-Design-Engineer_R258818-1")
    [next_page] = pages
    assert json.loads(next_page.body) == {"appliedFacets": {}, "limit": 20, "offset": 40,
                                          "searchText": ""}
    assert (next_page.meta["planned"], next_page.meta["page"]) == (45, 3)


def test_deep_page_at_the_planned_end_stops() -> None:
    spider = make_spider(WorkdayCareerSitesSpider)
    out = list(spider.parse_list(list_response(
        "cxs_jobs_list_analogdevices_deep_offset_total0.json", BOARD_URL,
        offset=20, page=2, planned=40)))
    assert len(out) == 20 and all(r.method == "GET" for r in out)


def test_first_page_at_workdays_2000_cap_marks_the_board_incomplete() -> None:
    spider = make_spider(WorkdayCareerSitesSpider)
    out = list(spider.parse_list(list_response("cxs_jobs_list_nvidia_trimmed.json", NVIDIA,
                                               offset=0, page=1, planned=None, limit=2)))
    stats = spider.crawler.stats
    key = "peerjobs/board/workday:nvidia.wd5.myworkdayjobs.com/NVIDIAExternalCareerSite//"
    assert stats.get_value(key + "problems/result_cap") == 1
    assert stats.get_value(key + "incomplete") == 1
    assert [r.method for r in out] == ["GET", "GET", "POST"]
    assert json.loads(out[2].body)["offset"] == 2 and out[2].meta["planned"] == 2000


# -- parsing details in-process: every field -----------------------------------------------


def test_rockwell_capture_complete_detail_hybrid_and_hiring_organization() -> None:
    entry = load("cxs_jobs_list_rockwell.json")["jobPostings"][0]
    got = item(detail_fields(load("cxs_job_detail_rockwell_hybrid.json"), entry,
                             parse_board_url(ROCKWELL)), ROCKWELL)
    path = ("/job/Mayfield-Heights-Ohio-United-States/"
            "Intern--AI-Software-Engineering--June-August-2027-_R26-6980")
    assert got == common(
        ROCKWELL,
        source_id="Intern--AI-Software-Engineering--June-August-2027-_R26-6980",
        url=ROCKWELL + path,
        title="Intern, AI Software Engineering (June-August 2027)",
        employer="Rockwell Automation (USA)",
        location="Mayfield Heights, Ohio, United States",
        locations=["Mayfield Heights, Ohio, United States", "Milwaukee, Wisconsin, United States"],
        description=ROCKWELL_TEXT,
        posted_at="2026-09-25",
        employment_type="Full time",
        remote=False,  # remoteType "Hybrid"
        source_updated_at=version_signal(entry),
        extra={
            "external_path": path, "locations_text": "2 Locations",
            "posted_on": "Posted 2 Days Ago", "bullet_fields": ["R26-6980"],
            "job_req_id": "R26-6980", "workday_id": "77ef2167306410020528df5516150000",
            "job_posting_id": "Intern--AI-Software-Engineering--June-August-2027-_R26-6980",
            "job_posting_site_id": "External-Rockwell-Automation-Early-Careers",
            "requisition_location": "United States of America Mayfield Heights",
            "country": "United States of America", "country_code": "US",
            "remote_type": "Hybrid",
        },
    )
    assert SIGNAL.match(got["source_updated_at"])


ROCKWELL_TEXT = "\n\n".join([
    "Rockwell Automation is a global technology leader focused on helping the world\u2019s "
    "manufacturers be more productive, sustainable, and agile. With more than 28,000 employees who "
    "make the world better every day, we know we have something special. Behind our customers - "
    "amazing companies that help feed the world, provide life-saving medicine on a global scale, "
    "and focus on clean water and green mobility - our people are energized problem solvers that "
    "take pride in how the work we do changes the world for the better.",
    "We welcome all makers, forward thinkers, and problem solvers who are looking for a place to "
    "do their best work. And if that\u2019s you we would love to have you join us!",
    "Job Description",
    "The AI Software Engineering Co-op role involves working on software development projects "
    "within AI. This co-op provides hands-on experience developing AI-powered solutions that "
    "enhance software quality, security, delivery velocity, and engineering efficiency.",
    "You will collaborate with experienced software engineers, AI champions, architects, and "
    "engineering leaders while contributing to real-world projects that support enterprise-scale "
    "industrial automation software development. You will be assigned a dedicated mentor to guide "
    "you through your experience and participate in networking events and company activities.",
    "This role is on a hybrid schedule working in Milwaukee, WI or Mayfield Heights, OH.",
    "This role is full-time and is ONLY June-August 2027.",
    "Your Responsibilities:",
    "- You'll work with development teams, gaining hands-on experience in software development "
    "environments and using development techniques.\n"
    "- You will have exposure to the full development life cycle, agile methodology, system "
    "design, test-driven development, test automation, and build and configuration management.\n"
    "- Build software applications, services, and integrations using modern software engineering "
    "practices and AI technologies.",
    "The Essentials - You Will Have:",
    "- Currently pursuing a bachelor's or advanced degree from an accredited college or "
    "university\n"
    "- Legal authorization to work in the U.S. We will not sponsor individuals for employment "
    "visas, now or in the future, for this job opening.",
    "The Preferred - You Might Also Have:",
    "- Bachelor's or advanced degree from an accredited college or university in Computer "
    "Science, Software Engineering, or a related field.\n"
    "- Graduating in December 2027 or later\n"
    "- Interest in continuous innovation and improvement in software development\n"
    "- Proficiency in one or more programming languages, such as Angular/Node, C++, C#",
])


def test_nvidia_capture_trimmed_detail_without_organization_or_remote_type() -> None:
    entry = {"title": "Senior AI Security Researcher", "postedOn": "Posted Today",
             "externalPath": "/job/US-NC-Durham/Senior-AI-Security-Researcher_JR2017578",
             "locationsText": "6 Locations", "bulletFields": ["JR2017578"]}
    got = item(detail_fields(load("cxs_job_detail_nvidia.json"), entry,
                             parse_board_url(NVIDIA)), NVIDIA)
    description = got.pop("description")
    assert got == common(
        NVIDIA,
        source_id="Senior-AI-Security-Researcher_JR2017578",
        url=f"{NVIDIA}/job/US-NC-Durham/Senior-AI-Security-Researcher_JR2017578",
        title="Senior AI Security Researcher",
        location="US, NC, Durham",
        locations=["US, NC, Durham", "US, NC, Remote", "US, TX, Remote", "US, VA, Remote",
                   "US, WA, Remote", "US, CA, Remote"],
        posted_at="2026-08-18", employment_type="Full time",
        remote=None,  # no remoteType: "Remote" in location text is for normalize/ to read
        source_updated_at=version_signal(entry),
        extra={
            "external_path": "/job/US-NC-Durham/Senior-AI-Security-Researcher_JR2017578",
            "locations_text": "6 Locations", "posted_on": "Posted Today",
            "bullet_fields": ["JR2017578"], "job_req_id": "JR2017578",
            "workday_id": "3f8e2cb5bf0f10064a99686db1780000",
            "job_posting_id": "Senior-AI-Security-Researcher_JR2017578",
            "job_posting_site_id": "NVIDIAExternalCareerSite",
            "requisition_location": "US, NC, Durham", "country": "United States of America",
            "country_code": "US",
        },
    )
    assert description.startswith("NVIDIA is looking for a Senior AI Security Researcher to help")
    assert "\n\nWhat You'll Be Doing:\n\n" in description
    assert description.endswith("Explore a range of AI security problems, such as LLM and")
    assert "<" not in description and "&#39;" not in description


def test_edited_detail_with_pay_in_prose_keeps_pay_in_the_description_only() -> None:
    entry = load("site/bodies/list/External_offset0.json")["jobPostings"][0]
    got = item(detail_fields(load("site/bodies/detail/R264071.json"), entry,
                             parse_board_url(BOARD_URL)), BOARD_URL)
    path = "/job/US-MA-Boston/Principal-Engineer--AI-ML-Software_R264071"
    assert got == common(
        BOARD_URL,
        source_id="Principal-Engineer--AI-ML-Software_R264071",
        url=BOARD_URL + path,
        title="Principal Engineer, AI/ML Software",
        employer="Analog Devices, Inc.",
        location="US, MA, Boston", locations=["US, MA, Boston"],
        description=(
            "Analog Devices is looking for a Principal Engineer to lead AI/ML software for edge "
            "devices.\n\nWhat You'll Do:\n\n- Design and ship machine-learning software that runs "
            "on ADI silicon.\n- Mentor engineers across the Boston team.\n\nThe expected wage "
            "range for a new hire into this position is $158,400 to $217,800."),
        posted_at="2026-08-12", employment_type="Full time", remote=False,
        source_updated_at=version_signal(entry),
        extra={
            "external_path": path, "locations_text": "US, MA, Boston",
            "posted_on": "Posted 30+ Days Ago", "bullet_fields": ["R264071"],
            "job_req_id": "R264071", "workday_id": "470898b8f3fc86957b4463c232200000",
            "job_posting_id": "Principal-Engineer--AI-ML-Software_R264071",
            "job_posting_site_id": "External", "requisition_location": "US, MA, Boston",
            "country": "United States of America", "country_code": "US", "remote_type": "Hybrid",
        },
    )


def test_detail_tolerates_nulls_wrong_types_and_missing_keys() -> None:
    entry = {"title": "Peer Support Specialist", "externalPath": "/job/X/Peer_R1",
             "locationsText": None, "bulletFields": "R1", "postedOn": 3}
    data = {"jobPostingInfo": {"title": None, "location": None,
                               "additionalLocations": "US, TN, Remote",
                               "jobRequisitionLocation": "weird", "country": None, "timeType": 7,
                               "jobDescription": None, "externalUrl": "/relative",
                               "remoteType": "Remote"},
            "hiringOrganization": {"name": None, "url": ""}}
    fields = detail_fields(data, entry, parse_board_url(BOARD_URL))
    assert fields is not None
    assert (fields["title"], fields["location"], fields["locations"], fields["remote"],
            fields["employment_type"], fields["url"], fields["employer"],
            fields["description"]) == (
        "Peer Support Specialist", "US, TN, Remote", ["US, TN, Remote"], True, "7",
        f"{BOARD_URL}/job/X/Peer_R1", None, None)
    assert detail_fields({"jobPostingInfo": []}, entry, parse_board_url(BOARD_URL)) is None


@pytest.mark.parametrize(
    ("value", "flag"),
    [("Remote", True), ("Fully Remote", True), ("Hybrid", False), ("Hybrid Remote", False),
     ("On-site", False), ("Onsite", False), ("Flexible", None), (None, None), ("", None)],
)
def test_remote_type_flags(value: str | None, flag: bool | None) -> None:
    assert remote_flag(value) is flag


def test_version_signal_ignores_relative_posted_text_but_sees_list_edits() -> None:
    entry = load("cxs_jobs_list_rockwell.json")["jobPostings"][2]
    later = dict(entry, postedOn="Posted 30+ Days Ago")
    retitled = dict(entry, title=entry["title"] + " (Remote)")
    moved = dict(entry, locationsText="2 Locations")
    assert version_signal(entry) == version_signal(later)
    assert len({version_signal(entry), version_signal(retitled), version_signal(moved)}) == 3
    assert version_signal({"title": "No path"}) is None
    assert posting_id("/job/US-CO-X/Principal_R258818-1") == "Principal_R258818-1"


# -- crawls through the replay server -------------------------------------------------------


def paths(result: CrawlResult) -> list[tuple[str, str, int | None]]:
    """(method, path, list offset) of every request but robots.txt, in order."""
    out = []
    for r in result.requests:
        if r.path == "/robots.txt":
            continue
        offset = json.loads(r.body)["offset"] if r.method == "POST" else None
        out.append((r.method, r.path, offset))
    return out


DETAIL_PATHS = [
    f"{CXS}/External/job/US-MA-Boston/Principal-Engineer--AI-ML-Software_R264071",
    f"{CXS}/External/job/US-OR-Beaverton/Analyst--Supply-Chain-Planning_R263759",
    f"{CXS}/External/job/US-OR-Beaverton/Lead-Analyst--Supply-Chain-Planning_R263758",
    f"{CXS}/External/job/US-OR-Beaverton/Associate-Equipment-Engineer_R263682",
    f"{CXS}/External/job/US-TX-Austin-Plaza-on-the-Lake/Lead-Software-Architect_R261350",
]


def test_crawl_pages_through_deep_total_zero_pages_to_a_short_page(data_dir: Path) -> None:
    result = run_crawl(data_dir, "workday", SITE, boards=[BOARD_URL],
                       registry=[registry(page_size=2)])
    assert sorted(i["source_id"] for i in result.items) == [
        "Analyst--Supply-Chain-Planning_R263759", "Associate-Equipment-Engineer_R263682",
        "Lead-Analyst--Supply-Chain-Planning_R263758", "Lead-Software-Architect_R261350",
        "Principal-Engineer--AI-ML-Software_R264071",
    ]
    stats = result.board(SOURCE)
    assert stats["status"] == "complete"
    assert (stats["items"], stats["listing_pages"], stats["requests"]) == (5, 3, 8)
    assert stats["problems"] == {} and stats["http_status"] == {"200": 8}
    assert stats["employer"] == "Analog Devices (fixture)"
    lists = [p for p in paths(result) if p[0] == "POST"]
    assert lists == [("POST", f"{CXS}/External/jobs", 0), ("POST", f"{CXS}/External/jobs", 2),
                     ("POST", f"{CXS}/External/jobs", 4)]
    assert sorted(p[1] for p in paths(result) if p[0] == "GET") == sorted(DETAIL_PATHS)
    bodies = [json.loads(r.body) for r in result.requests if r.method == "POST"]
    assert all(b["limit"] == 2 and b["appliedFacets"] == {} and b["searchText"] == ""
               for b in bodies)
    assert {r.host for r in result.requests} == {HOST}
    by_id = result.by_id()
    remote = by_id["Associate-Equipment-Engineer_R263682"]
    assert (remote["remote"], remote["employer"], remote["url"]) == (
        True, "Analog Devices, Inc.",
        f"{BOARD_URL}/job/US-OR-Beaverton/Associate-Equipment-Engineer_R263682")
    two_places = by_id["Analyst--Supply-Chain-Planning_R263759"]
    assert two_places["locations"] == ["US, OR, Beaverton", "US, MA, Wilmington"]
    assert all(i["url"].startswith(f"{BOARD_URL}/job/") for i in result.items)
    assert all(SIGNAL.match(i["source_updated_at"]) and i["detail_skipped"] is None
               for i in result.items)


def test_second_run_skips_unchanged_details_and_refetches_an_edited_posting(
        data_dir: Path, tmp_path: Path) -> None:
    entry = [registry(page_size=2)]
    first = run_crawl(data_dir, "workday", SITE, boards=[BOARD_URL], registry=entry)
    assert len(paths(first)) == 8
    build(data_dir, data_dir / "archive", lambda row: {})

    second = run_crawl(data_dir, "workday", SITE, boards=[BOARD_URL], registry=entry,
                       now="2026-11-09T03:00:00Z")
    assert paths(second) == [("POST", f"{CXS}/External/jobs", 0),
                             ("POST", f"{CXS}/External/jobs", 2),
                             ("POST", f"{CXS}/External/jobs", 4)]
    assert {i["detail_skipped"] for i in second.items} == {True}
    assert {i["description"] for i in second.items} == {None}
    assert {i["source_id"]: i["source_updated_at"] for i in second.items} == {
        i["source_id"]: i["source_updated_at"] for i in first.items}
    stats = second.board(SOURCE)
    assert (stats["details_skipped"], stats["requests"], stats["items"]) == (5, 3, 5)
    assert stats["status"] == "complete"
    report = build(data_dir, data_dir / "archive", lambda row: {})
    assert report.changed_postings == 0  # a sighting keeps the stored detail

    changed = tmp_path / "changed"
    shutil.copytree(SITE, changed)
    page = changed / "bodies" / "list" / "External_offset2.json"
    data = json.loads(page.read_text(encoding="utf-8"))
    data["jobPostings"][1]["title"] = "Associate Equipment Engineer (Remote)"
    data["jobPostings"][1]["postedOn"] = "Posted Today"
    page.write_text(json.dumps(data, indent=1), encoding="utf-8")
    third = run_crawl(data_dir, "workday", changed, boards=[BOARD_URL], registry=entry,
                      now="2026-11-16T03:00:00Z")
    assert [p[1] for p in paths(third) if p[0] == "GET"] == [DETAIL_PATHS[3]]
    refetched = third.by_id()["Associate-Equipment-Engineer_R263682"]
    assert refetched["detail_skipped"] is None
    assert refetched["description"] == ("Support fab equipment in Beaverton as an Associate "
                                         "Equipment Engineer.")
    assert refetched["source_updated_at"] == version_signal(data["jobPostings"][1])
    assert third.board(SOURCE)["details_skipped"] == 4


# -- bad input: one crawl for listing problems, one for detail problems ----------------------


@pytest.fixture(scope="module")
def listing_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    boards = [registry(s, page_size=2) for s in ("Shrunk", "Busy", "Cut")]
    boards += [registry(s) for s in ("Missing", "Loop", "Html", "Empty")]
    boards.append(registry("Capped", page_size=2, max_pages=1))
    return run_crawl(tmp_path_factory.mktemp("listing") / "data", "workday", SITE,
                     boards=[b["board"] for b in boards], registry=boards,
                     settings={"RETRY_TIMES": 2, "PEERJOBS_RETRY_BACKOFF_BASE": 0})


@pytest.fixture(scope="module")
def detail_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("detail") / "data", "workday", SITE,
                     boards=[f"https://{HOST}/Broken"], registry=[registry("Broken")],
                     settings={"DOWNLOAD_TIMEOUT": 2})


def board_of(result: CrawlResult, site: str) -> dict[str, Any]:
    return result.board(f"workday:{HOST}/{site}")


def items_of(result: CrawlResult, site: str) -> list[dict[str, Any]]:
    return [i for i in result.items if i["source"] == f"workday:{HOST}/{site}"]


def test_bad_slug_422_fails_the_board_alone(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Missing")
    assert (stats["status"], stats["problems"], stats["http_status"]) == (
        "failed", {"http_4xx": 1}, {"422": 1})
    assert items_of(listing_crawl, "Missing") == []
    assert board_of(listing_crawl, "Empty")["status"] == "complete"  # the others went on
    assert listing_crawl.stats["finish_reason"] == "finished"


def test_redirect_loop_is_counted(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Loop")
    assert (stats["status"], stats["problems"], stats["requests"]) == (
        "failed", {"redirect_loop": 1}, 6)  # the POST and REDIRECT_MAX_TIMES (5) redirects


def test_html_error_page_instead_of_json(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Html")
    assert (stats["status"], stats["problems"]) == ("failed", {"html_instead_of_json": 1})


def test_empty_board_is_a_complete_run_with_no_postings(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Empty")
    assert (stats["status"], stats["items"], stats["listing_pages"], stats["problems"]) == (
        "complete", 0, 1, {})


def test_empty_page_before_the_promised_total_is_counted(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Shrunk")
    assert (stats["status"], stats["listing_pages"], stats["problems"]) == (
        "complete", 2, {"beyond_last_page": 1})
    assert sorted(i["source_id"] for i in items_of(listing_crawl, "Shrunk")) == [
        "Analyst--Supply-Chain-Planning_R263759", "Principal-Engineer--AI-ML-Software_R264071"]


def test_page_cap_stops_paging_and_marks_the_run_partial(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Capped")
    assert (stats["status"], stats["listing_pages"], stats["problems"], stats["items"]) == (
        "partial", 1, {"page_cap": 1}, 2)


def test_429_is_retried_and_503_on_a_later_page_leaves_the_run_partial(
        listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Busy")
    assert (stats["status"], stats["problems"], stats["items"]) == (
        "partial", {"http_5xx": 1}, 2)
    offsets = [json.loads(r.body)["offset"] for r in listing_crawl.requests
               if r.method == "POST" and r.path == f"{CXS}/Busy/jobs"]
    assert offsets == [0, 0, 2, 2, 2]  # 429 then 200; 503 three times (RETRY_TIMES 2)


def test_truncated_page_and_a_posting_without_title(listing_crawl: CrawlResult) -> None:
    stats = board_of(listing_crawl, "Cut")
    assert (stats["status"], stats["problems"]) == (
        "partial", {"malformed_json": 1, "missing_title": 1})
    assert [i["source_id"] for i in items_of(listing_crawl, "Cut")] == [
        "Staff-Engineer--Design-Verification-Engineering_R264022"]


def test_failed_details_still_land_as_sightings(detail_crawl: CrawlResult) -> None:
    stats = board_of(detail_crawl, "Broken")
    assert stats["problems"] == {"http_5xx": 1, "timeout": 1, "malformed_json": 1,
                                 "html_instead_of_json": 1, "detail_gone": 1}
    # Every posting was sighted on the list: the run is complete and can close postings.
    assert (stats["status"], stats["incomplete"], stats["items"]) == ("complete", 0, 6)
    got = {i["source_id"]: (i["detail_skipped"], i["source_updated_at"] is None,
                            i["extra"].get("detail_error"), i["title"])
           for i in items_of(detail_crawl, "Broken")}
    assert got == {
        "Buyer--Procurement_R263815": (None, False, None, "Procurement Analyst \u2013 Facilities"),
        "Category-Manager--Site-Purchasing_R263588": (True, True, "http_5xx",
                                                      "Category Manager"),
        "Analyst--Supply-Chain-Planning_R263754": (True, True, "timeout",
                                                   "Analyst, Supply Chain Planning"),
        "Lead-Analyst--Supply-Chain-Planning_R263757": (True, True, "unreadable",
                                                        "Lead Analyst, Supply Chain Planning"),
        "Facilities-Manager_R263964": (True, True, "unreadable", "Facilities Manager"),
        # The detail answered 404, but the list still shows the posting: it stays open.
        "Strategic-Applications--Power-uModules_R262098": (
            True, True, "detail_gone",
            "Product Applications Engineer / Product Definer, Power Management"),
    }
    sighting = detail_crawl.by_id()["Category-Manager--Site-Purchasing_R263588"]
    assert (sighting["location"], sighting["url"]) == (
        "US, WA, Camas", f"https://{HOST}/Broken/job/US-WA-Camas/Category-Manager--Site-Purchasing_R263588")


def test_start_board_with_a_bad_url_counts_a_board_error() -> None:
    spider = make_spider(WorkdayCareerSitesSpider)
    bad = board("https://careers.example.org/jobs")
    assert list(spider.start_board(bad)) == []
    assert spider.crawler.stats.get_value(
        "peerjobs/board/workday:careers.example.org/jobs//problems/board_error") == 1

