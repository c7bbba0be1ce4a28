"""The fault matrix: every platform against every way a server or a network fails.

One crawl per platform covers every fault. The platform's healthy recorded board is cloned once
per fault under a new token (the strings that name the board rewritten in paths, routes and
bodies; nothing else is invented): on board ``l<fault>`` the fault hits the listing, on board
``d<fault>`` (platforms with detail pages) it hits one posting's detail page, and the healthy
board runs beside them. Every board is first crawled healthy and built; then comes the faulty
crawl and a second build. Asserted per board: its status, the exact problems counted, what lands;
per platform: the healthy board completes with its items, no Scrapy traceback is logged, and no
posting closes (a failed or partial run closes nothing; a detail fault keeps the posting open).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, CrawlResult, run_crawl

from crawlers.platforms.rendered import CHROMIUM
from crawlers.registry import board_key
from db.build import build

FIRST = "2026-11-02T03:00:00Z"
SECOND = "2026-11-02T04:00:00Z"
TIMEOUT = 3
SETTINGS: dict[str, Any] = {
    "DOWNLOAD_TIMEOUT": TIMEOUT,
    "RETRY_TIMES": 1,
    "PEERJOBS_RETRY_BACKOFF_BASE": 0,
    # Every detail is asked for in the faulty run, however unchanged its posting.
    "PEERJOBS_INCREMENTAL": False,
}
HTML_ERROR = {"Content-Type": "text/html"}

# -- the faults -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    name: str
    route: dict[str, Any]
    """What the replay route answers (see crawlers/replay.py); ``robots`` is served apart."""
    kind: str
    """The problem counted when a JSON request fails this way."""


FAULTS = [
    Fault("403", {"status": 403, "headers": HTML_ERROR,
                  "body": "<html><body><h1>403 Forbidden</h1></body></html>"}, "http_403"),
    Fault("404", {"status": 404, "headers": HTML_ERROR,
                  "body": "<html><body>Not Found</body></html>"}, "http_404"),
    Fault("500", {"status": 500, "headers": HTML_ERROR,
                  "body": "<html><body>Internal Server Error</body></html>"}, "http_5xx"),
    Fault("503", {"status": 503, "headers": {**HTML_ERROR, "Retry-After": "0"},
                  "body": "<html><body>Service Unavailable</body></html>"}, "http_5xx"),
    Fault("429", {"status": 429, "headers": {"Content-Type": "text/plain", "Retry-After": "0"},
                  "body": "Too Many Requests"}, "http_429"),
    Fault("reset", {"fault": "reset"}, "connection_lost"),
    Fault("stall", {"hang": True}, "timeout"),
    Fault("truncate", {"fault": "truncate"}, "malformed_json"),
    Fault("cutlength", {"fault": "cut_length"}, "truncated"),
    Fault("wrongtype", {}, "html_instead_of_json"),
    Fault("loop", {"fault": "redirect_loop"}, "redirect_loop"),
    Fault("robots", {}, "robots_disallowed"),
    Fault("empty", {}, "empty_body"),
    Fault("huge", {"fault": "huge"}, "too_large"),
]
FAULT_NAMES = [f.name for f in FAULTS]

# Where HTML or XML is expected these faults count otherwise (an HTML page that never closes
# its <html>, a feed or sitemap that never closes its root, are cut). What a platform makes of
# a wrong type where XML is expected is its own: those platforms say it in ``expect``.
HTML_KINDS = {"truncate": "truncated", "wrongtype": "not_html"}
XML_KINDS = {"truncate": "truncated"}

# What a server answers instead of the expected type: an error page labelled as the expected
# type where JSON or XML is expected, a JSON error labelled as JSON where HTML is expected.
HTML_PAGE = ("<html><head><title>Service Unavailable</title></head>"
             "<body><h1>Service Unavailable</h1></body></html>")
WRONG_TYPE = {
    "json": {"headers": {"Content-Type": "application/json"}, "body": HTML_PAGE},
    "xml": {"headers": {"Content-Type": "application/xml"}, "body": HTML_PAGE},
    "html": {"headers": {"Content-Type": "application/json"},
             "body": '{"status":500,"error":"Internal Server Error"}'},
}
EMPTY = {
    "json": {"headers": {"Content-Type": "application/json"}, "body": ""},
    "xml": {"headers": {"Content-Type": "application/xml"}, "body": ""},
    "html": {"headers": {"Content-Type": "text/html; charset=utf-8"}, "body": ""},
}


# -- the platforms ----------------------------------------------------------------------------

Pairs = list[tuple[str, str]]


@dataclass
class Platform:
    """How to clone one platform's healthy recorded board and where to break the clones.

    Clone pairs ``(old, new)`` rewrite file paths, bodies and routes; an ``old`` starting with
    ``=`` replaces a whole route value (a query or JSON value) and nothing else, one starting
    with ``^`` the start of a route path and nothing else.
    """

    name: str
    site: Path
    healthy: str
    """Token of the recorded healthy board (the one cloned for listing faults)."""
    pairs: Callable[[str, str], Pairs]
    """Clone pairs from the healthy board to ``token`` (called with variant and token)."""
    board: Callable[[str], str]
    """The board as the registry and ``-a board=`` name it, from a token."""
    listing: Callable[[str], list[dict[str, Any]]]
    """Route matchers of the board's listing requests (``_expects``: json, html or xml)."""
    expects: str = "json"
    """What the listing and detail requests expect unless a matcher says otherwise."""
    registry: Callable[[str], dict[str, Any]] = lambda token: {}
    detail: Callable[[str], dict[str, Any]] | None = None
    """Route matcher of one detail request of the board (detail pages' own type in
    ``_expects``); ``detail_id`` names the posting it belongs to."""
    detail_id: Callable[[str], str] = lambda token: ""
    detail_healthy: str | None = None
    """Token of the healthy board cloned for detail faults, when not ``healthy``."""
    detail_fallback: bool = True
    """Whether the listing holds a copy of the posting to keep when its detail fails."""
    robots_host: Callable[[str], str] | None = None
    """The board's own host, when it has one (None: the host is shared by every board)."""
    robots_prefix: Callable[[str], str] = lambda token: "/"
    """What robots.txt disallows to keep the board out when its host is shared."""
    detail_robots: Callable[[str], str] | None = None
    """What robots.txt disallows to keep the detail out (default: the detail's path)."""
    listing_fallback: dict[str, int] = field(default_factory=dict)
    """Problems of the board's second listing surface, read when the first one fails: the
    fault hits the first one, and the recorded board has no second one."""
    baseline: dict[str, int] = field(default_factory=dict)
    """Problems the recorded healthy board always has (a broken value in one posting)."""
    token: Callable[[str, str], str] = lambda variant, fault: f"{variant}{fault}"
    settings: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Route keys added to a fault's answer on this platform, by fault name."""
    expect: dict[str, tuple[str, dict[str, int]]] = field(default_factory=dict)
    """Outcomes that differ from the defaults, by ``<variant><fault>``."""
    detail_error: dict[str, str] = field(default_factory=dict)
    """``extra.detail_error`` of the faulted posting where it is not the problem kind."""

    def source(self, token: str) -> str:
        return f"{self.name}:{board_key(self.board(token))}"

    def healthy_tokens(self) -> list[str]:
        return [self.healthy] + ([self.detail_healthy] if self.detail_healthy else [])

    def variants(self) -> tuple[str, ...]:
        return ("l", "d") if self.detail else ("l",)

    def tokens(self) -> list[str]:
        return self.healthy_tokens() + [self.token(v, f) for v in self.variants()
                                        for f in FAULT_NAMES]

    def origin(self, token: str) -> str:
        """The healthy board a token's board is a clone of."""
        detail_clones = [self.token("d", f) for f in FAULT_NAMES]
        if self.detail_healthy and (token in detail_clones or token == self.detail_healthy):
            return self.detail_healthy
        return self.healthy


def templates(*patterns: str, healthy: str | None = None,
              detail_healthy: str | None = None) -> Callable[[str, str], Pairs]:
    """Clone pairs from patterns naming the board as ``{token}``."""

    def pairs(variant: str, token: str) -> Pairs:
        source = detail_healthy if variant == "d" and detail_healthy else healthy
        assert source is not None
        return [(p.replace("{token}", source), p.lstrip("=^").replace("{token}", token))
                for p in patterns]

    return pairs


def md5_hex(name: str) -> str:
    return hashlib.md5(f"fault-matrix-{name}".encode()).hexdigest()


JSON_DETAIL_ERRORS = {"truncate": "unreadable", "wrongtype": "unreadable", "empty": "unreadable"}

GREENHOUSE = Platform(
    name="greenhouse",
    site=FIXTURES / "greenhouse" / "site",
    healthy="fixturehealth",
    pairs=templates("/v1/boards/{token}/", "greenhouse.io/{token}/", healthy="fixturehealth"),
    board=lambda t: t,
    listing=lambda t: [{"host": "boards-api.greenhouse.io", "path": f"/v1/boards/{t}/jobs",
                        "query": {"content": "true"}}],
    detail=lambda t: {"host": "boards-api.greenhouse.io",
                      "path": f"/v1/boards/{t}/jobs/7000001001"},
    detail_id=lambda t: "7000001001",
    robots_prefix=lambda t: f"/v1/boards/{t}/",
    detail_error=JSON_DETAIL_ERRORS,
)

LEVER = Platform(
    name="lever",
    site=FIXTURES / "lever" / "site",
    healthy="fixturesite",
    pairs=templates("/v0/postings/{token}?", "lever.co/{token}/", healthy="fixturesite"),
    board=lambda t: t,
    registry=lambda t: {"limit": 2},
    listing=lambda t: [{"host": "api.lever.co", "path": f"/v0/postings/{t}",
                        "query": {"skip": "0"}}],
    robots_prefix=lambda t: f"/v0/postings/{t}?",
)

ASHBY = Platform(
    name="ashby",
    site=FIXTURES / "ashby" / "site",
    healthy="fixtureboard",
    pairs=templates("/job-board/{token}?", "ashbyhq.com/{token}/", healthy="fixtureboard"),
    board=lambda t: t,
    listing=lambda t: [{"host": "api.ashbyhq.com", "path": f"/posting-api/job-board/{t}"}],
    robots_prefix=lambda t: f"/posting-api/job-board/{t}?",
)

SMARTRECRUITERS = Platform(
    name="smartrecruiters",
    site=FIXTURES / "smartrecruiters" / "site",
    healthy="Guidehealth",
    pairs=templates("/v1/companies/{token}/", healthy="Guidehealth"),
    board=lambda t: t,
    registry=lambda t: {"page_size": 2},
    listing=lambda t: [{"host": "api.smartrecruiters.com", "path": f"/v1/companies/{t}/postings",
                        "query": {"offset": "0"}}],
    detail=lambda t: {"host": "api.smartrecruiters.com",
                      "path": f"/v1/companies/{t}/postings/3743990015568355"},
    detail_id=lambda t: "3743990015568355",
    robots_prefix=lambda t: f"/v1/companies/{t}/",
    detail_error=JSON_DETAIL_ERRORS,
)

WORKDAY_HOST = "analogdevices.wd1.myworkdayjobs.com"
WORKDAY = Platform(
    name="workday",
    site=FIXTURES / "workday" / "site",
    healthy="External",
    pairs=templates("/analogdevices/{token}/", healthy="External"),
    board=lambda t: f"https://{WORKDAY_HOST}/{t}",
    registry=lambda t: {"page_size": 2},
    listing=lambda t: [{"method": "POST", "host": WORKDAY_HOST,
                        "path": f"/wday/cxs/analogdevices/{t}/jobs", "json": {"offset": 0}}],
    detail=lambda t: {"host": WORKDAY_HOST, "path": f"/wday/cxs/analogdevices/{t}/job/"
                      "US-MA-Boston/Principal-Engineer--AI-ML-Software_R264071"},
    detail_id=lambda t: "Principal-Engineer--AI-ML-Software_R264071",
    robots_prefix=lambda t: f"/wday/cxs/analogdevices/{t}/",
    detail_error=JSON_DETAIL_ERRORS,
)

E3APPLICANTS = Platform(
    name="e3applicants",
    site=FIXTURES / "e3applicants" / "site",
    healthy="lifeworksnw",
    pairs=templates("{token}.e3applicants.com", healthy="lifeworksnw"),
    board=lambda t: t,
    registry=lambda t: {"employer": "LifeWorks NW"},
    expects="html",
    listing=lambda t: [{"host": f"{t}.e3applicants.com", "path": "/careers/"}],
    detail=lambda t: {"host": f"{t}.e3applicants.com",
                      "path": "/careers/Peer-Support-Specialist-280-234"},
    detail_id=lambda t: "234",
    robots_host=lambda t: f"{t}.e3applicants.com",
)

ICIMS = Platform(
    name="icims",
    site=FIXTURES / "icims" / "site",
    healthy="primehealthcare",
    pairs=templates("careers-{token}.icims.com", healthy="primehealthcare"),
    board=lambda t: f"https://careers-{t}.icims.com",
    registry=lambda t: {"employer": "Fixture employer"},
    expects="html",
    listing=lambda t: [{"host": f"careers-{t}.icims.com", "path": "/jobs/search",
                        "query": {"pr": "0"}}],
    detail=lambda t: {"host": f"careers-{t}.icims.com", "path": "/jobs/278990/social-worker-ii/job"},
    detail_id=lambda t: "278990",
    robots_host=lambda t: f"careers-{t}.icims.com",
)

NEOGOV_HOST = "www.governmentjobs.com"
NEOGOV = Platform(
    name="neogov",
    site=FIXTURES / "neogov" / "site",
    healthy="riverside",
    pairs=templates("={token}", "/careers/{token}/", healthy="riverside"),
    board=lambda t: t,
    registry=lambda t: {"employer": "Fixture agency"},
    expects="html",
    listing=lambda t: [{"host": NEOGOV_HOST, "path": "/careers/home/index",
                        "query": {"agency": t, "page": "1"}}],
    detail=lambda t: {"host": NEOGOV_HOST,
                      "path": f"/careers/{t}/jobs/5479054/registered-nurse-ii-iii"},
    detail_id=lambda t: "5479054",
    robots_prefix=lambda t: f"/careers/home/index?agency={t}&",
    # The listing is an HTML fragment (no <html> to miss its end); cut in half it still holds
    # the board's only card and its total: nothing is lost, nothing to tell.
    expect={"ltruncate": ("complete", {})},
)

JOBAPS = Platform(
    name="jobaps",
    site=FIXTURES / "jobaps" / "site",
    healthy="MD",
    pairs=templates("www.jobapscloud.com/{token}/", healthy="MD"),
    board=lambda t: f"https://www.jobapscloud.com/{t}/",
    registry=lambda t: {"employer": "Maryland Department of Health", "state": "MD"},
    expects="html",
    listing=lambda t: [{"host": "www.jobapscloud.com", "path": f"/{t}/"}],
    detail=lambda t: {"host": "www.jobapscloud.com", "path": f"/{t}/sup/bulpreview.asp",
                      "query": {"R2": "000960"}},
    detail_id=lambda t: "26-000960-0001",
    detail_robots=lambda t: f"/{t}/sup/bulpreview.asp?R1=26&R2=000960",
    robots_prefix=lambda t: f"/{t}/",
)

PAGEUP_HOST = "careers.pageuppeople.com"


def pageup_token(variant: str, fault: str) -> str:
    return str((9100 if variant == "l" else 9200) + FAULT_NAMES.index(fault))


PAGEUP = Platform(
    name="pageup",
    site=FIXTURES / "pageup" / "site",
    # Listing faults on the RSS board, detail faults on the board read from its HTML listing.
    healthy="1125",
    detail_healthy="1126",
    pairs=templates(f"{PAGEUP_HOST}/{{token}}/", "/{token}/cw/", healthy="1125",
                    detail_healthy="1126"),
    board=lambda t: f"https://{PAGEUP_HOST}/{t}/cw/en-us/",
    registry=lambda t: {"employer": "Commonwealth of Virginia", "state": "VA",
                        **({"html_only": True, "page_items": 2}
                           if t == "1126" or t.startswith("92") else {})},
    expects="xml",
    listing=lambda t: [{"host": PAGEUP_HOST, "path": f"/{t}/cw/en-us/rss"}],
    listing_fallback={"http_404": 1},
    expect={
        "lwrongtype": ("failed", {"html_instead_of_rss": 1, "http_404": 1}),
        # robots.txt keeps the whole board out: the feed and the listing it falls back on.
        "lrobots": ("failed", {"robots_disallowed": 2}),
    },
    detail=lambda t: {"host": PAGEUP_HOST, "_expects": "html",
                      "path": f"/{t}/cw/en-us/job/5083718/peer-recovery-specialist"},
    detail_id=lambda t: "5083718",
    robots_prefix=lambda t: f"/{t}/",
    token=pageup_token,
)

PEERFORCE = Platform(
    name="peerforce",
    site=FIXTURES / "peerforce" / "site",
    healthy="peerforce.org",
    pairs=templates("{token}", healthy="peerforce.org"),
    board=lambda t: f"https://{t}/",
    registry=lambda t: {"employer": "PeerForce (peer-only job board, Texas)", "state": "TX",
                        "multi_employer": True, "per_page": 2},
    expects="html",
    listing=lambda t: [{"method": "POST", "host": t, "path": "/jm-ajax/get_listings/",
                        "form": {"page": "1"}, "_expects": "json"}],
    listing_fallback={"http_404": 1},
    # robots.txt keeps the whole site out: the listings and the feed they fall back on.
    expect={"lrobots": ("failed", {"robots_disallowed": 2})},
    detail=lambda t: {"host": t, "path": "/job/mhmr-tarrant-fort-worth-full-time-family-partner-eop/"},
    detail_id=lambda t: "2231",
    robots_host=lambda t: t,
    token=lambda variant, fault: f"{variant}{fault}.wpjm.example",
)

NCPSS = Platform(
    name="ncpss",
    site=FIXTURES / "ncpss" / "site",
    healthy="pss.unc.edu",
    pairs=templates("{token}", healthy="pss.unc.edu"),
    board=lambda t: f"https://{t}/pssjobs",
    registry=lambda t: {"employer": "NC Peer Support Specialist Program job board",
                        "state": "NC", "multi_employer": True},
    expects="html",
    listing=lambda t: [{"host": t, "path": "/pssjobs"}],
    detail=lambda t: {"host": t, "path": "/pssjobs/peer-navigator-peer-specialist"},
    detail_id=lambda t: "pssjobs/peer-navigator-peer-specialist",
    robots_host=lambda t: t,
    token=lambda variant, fault: f"pss-{variant}{fault}.example",
)

JSONLD = Platform(
    name="jsonld",
    site=FIXTURES / "jsonld" / "site",
    healthy="careers.example.org",
    pairs=templates("{token}", healthy="careers.example.org"),
    board=lambda t: f"https://{t}/",
    registry=lambda t: {"state": "WA", "start_urls": [f"https://{t}/sitemap-week1.xml"]},
    expects="html",
    listing=lambda t: [{"host": t, "path": "/sitemap-week1.xml", "_expects": "xml"}],
    detail=lambda t: {"host": t, "path": "/jobs/jefferson.html"},
    detail_id=lambda t: "4147596",
    detail_fallback=False,
    # A start URL may be a sitemap or a listing page: an HTML page there is read as a listing
    # page, and shows no postings.
    expect={"lwrongtype": ("failed", {"no_postings_found": 1})},
    robots_host=lambda t: t,
    token=lambda variant, fault: f"{variant}{fault}.example.org",
)

PAYCOM_SERVICE = "portal-applicant-tracking.us-cent.paycomonline.net"
PAYCOM_MAIN = "772e59a3981b29a14463ec6c3223083c"


def paycom_key(token: str) -> str:
    return PAYCOM_MAIN if token == "main" else md5_hex(f"paycom-{token}")


def paycom_pairs(variant: str, token: str) -> Pairs:
    # The career page names the job-posting service; each clone gets its own path under it.
    return [(f"/portal/{PAYCOM_MAIN.upper()}/", f"/portal/{paycom_key(token).upper()}/"),
            (f"{PAYCOM_SERVICE}\\/\\\"", f"{PAYCOM_SERVICE}\\/{token}\\/\\\""),
            ("^/api/ats/", f"/{token}/api/ats/")]


PAYCOM = Platform(
    name="paycom",
    site=FIXTURES / "paycom" / "site",
    healthy="main",
    pairs=paycom_pairs,
    board=paycom_key,
    registry=lambda t: {"employer": "Registry employer (fixture)", "page_size": 2},
    baseline={"malformed_google_job_json": 1},  # posting 165817's googleJobJson, cut in capture
    # robots.txt keeps the whole service path out: the employer name and the search.
    expect={"lrobots": ("failed", {"robots_disallowed": 2})},
    listing=lambda t: [{"method": "POST", "host": PAYCOM_SERVICE,
                        "path": f"/{t}/api/ats/job-posting-previews/search", "json": {"skip": 0}}],
    detail=lambda t: {"host": PAYCOM_SERVICE, "path": f"/{t}/api/ats/job-postings/165813"},
    detail_id=lambda t: "165813",
    robots_prefix=lambda t: f"/{t}/",
    detail_error=JSON_DETAIL_ERRORS,
)

PAYLOCITY_HOST = "recruiting.paylocity.com"
PAYLOCITY_MAIN = "70f7d03b-6c9f-4106-8e70-9d781a8bbcba"
PAYLOCITY_JOBS = ("4263561", "4263570", "4263588", "4263599")


def paylocity_guid(token: str) -> str:
    if token == "main":
        return PAYLOCITY_MAIN
    h = md5_hex(f"paylocity-{token}")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def paylocity_job(token: str, job: str) -> str:
    """Job details live outside the board's path: each clone's jobs get their own ids."""
    if token == "main":
        return job
    variant, fault = token[0], token[1:]
    return f"{1 if variant == 'l' else 2}{FAULT_NAMES.index(fault):02d}{job}"


PAYLOCITY = Platform(
    name="paylocity",
    site=FIXTURES / "paylocity" / "site",
    healthy="main",
    pairs=lambda variant, t: [(PAYLOCITY_MAIN, paylocity_guid(t))]
    + [(job, paylocity_job(t, job)) for job in PAYLOCITY_JOBS],
    board=paylocity_guid,
    registry=lambda t: {"employer": "Registry employer (fixture)"},
    expects="html",
    listing=lambda t: [{"host": PAYLOCITY_HOST,
                        "path": f"/recruiting/jobs/All/{paylocity_guid(t)}"}],
    detail=lambda t: {"host": PAYLOCITY_HOST,
                      "path": f"/Recruiting/Jobs/Details/{paylocity_job(t, '4263561')}"},
    detail_id=lambda t: paylocity_job(t, "4263561"),
    robots_prefix=lambda t: f"/recruiting/jobs/All/{paylocity_guid(t)}",
)

UKG_HOST = "crhukg.rec.pro.ukg.net"
UKG_GUID = "09584b08-b32f-4882-8c7b-223bbd8e3851"
UKG = Platform(
    name="ukg",
    site=FIXTURES / "ukg" / "site",
    healthy="CHE1004CRHC",
    pairs=templates("/{token}/JobBoard/", healthy="CHE1004CRHC"),
    board=lambda t: f"https://{UKG_HOST}/{t}/JobBoard/{UKG_GUID}",
    registry=lambda t: {"employer": "Fixture Health", "page_size": 2},
    listing=lambda t: [{"method": "POST", "host": UKG_HOST,
                        "path": f"/{t}/JobBoard/{UKG_GUID}/JobBoardView/LoadSearchResults",
                        "json": {"opportunitySearch": {"Skip": 0}}}],
    detail=lambda t: {"host": UKG_HOST, "path": f"/{t}/JobBoard/{UKG_GUID}/OpportunityDetail",
                      "query": {"opportunityId": "ce9f32ac-832c-472b-8e49-e94ebb77e4b0"},
                      "_expects": "html"},
    detail_id=lambda t: "ce9f32ac-832c-472b-8e49-e94ebb77e4b0",
    detail_robots=lambda t: f"/{t}/JobBoard/{UKG_GUID}/OpportunityDetail?opportunityId=ce9f32ac",
    robots_prefix=lambda t: f"/{t}/JobBoard/",
)

USAJOBS_AUTH = {"USAJOBS_API_KEY": "test-key", "USAJOBS_EMAIL": "peerjobs-tests@example.org"}
USAJOBS = Platform(
    name="usajobs",
    site=FIXTURES / "usajobs" / "site",
    healthy="peer-roles",
    pairs=lambda variant, t: [("=peer support", t)],
    board=lambda t: t,
    registry=lambda t: {"multi_employer": True, "series": [],
                        "keywords": ["peer support" if t == "peer-roles" else t]},
    listing=lambda t: [{"host": "data.usajobs.gov", "path": "/api/search",
                        "query": {"Keyword": t, "Page": "1"}}],
    robots_prefix=lambda t: f"/api/search?Keyword={t}&",
    settings=USAJOBS_AUTH,
)

USAJOBS_HISTORIC = Platform(
    name="usajobs_historic",
    site=FIXTURES / "usajobs_historic" / "site",
    healthy="peer-roles",
    pairs=lambda variant, t: [("=0102", t)],
    board=lambda t: t,
    registry=lambda t: {"multi_employer": True, "backfill": "never", "recent_days": 30,
                        "series": ["0102" if t == "peer-roles" else t]},
    listing=lambda t: [{"host": "data.usajobs.gov", "path": "/api/historicjoa",
                        "query": {"PositionSeries": t}}],
    robots_prefix=lambda t: f"/api/historicjoa?PositionSeries={t}&",
)

RENDERED_HOST = "careers.example.net"
RENDERED = Platform(
    name="rendered",
    site=FIXTURES / "rendered" / "site",
    healthy="careers",
    pairs=templates("/{token}/", healthy="careers"),
    board=lambda t: f"https://{RENDERED_HOST}/{t}/",
    registry=lambda t: {"render": True, "start_urls": [f"https://{RENDERED_HOST}/{t}/"],
                        "wait_for": "#openings.loaded", "follow": f"/{t}/jobs/",
                        # Generous: a healthy page must never miss them on a busy machine.
                        "wait_timeout": 10, "navigation_timeout": 10},
    expects="html",
    listing=lambda t: [{"host": RENDERED_HOST, "path": f"/{t}/"}],
    detail=lambda t: {"host": RENDERED_HOST, "path": f"/{t}/jobs/4150001"},
    detail_id=lambda t: "4150001",
    detail_fallback=False,
    robots_prefix=lambda t: f"/{t}/",
    # In the browser, the mirror's broken answers surface as Chromium sees them: a connection
    # dropped or an answer cut short is net::ERR_FAILED (render_failed); a page that never
    # comes or shows no listings is render_timeout (a stall, a cut page, JSON, an empty page).
    expect={"lreset": ("failed", {"render_failed": 1}),
            "lstall": ("failed", {"render_timeout": 1}),
            "ltruncate": ("failed", {"render_timeout": 1}),
            "lcutlength": ("failed", {"render_failed": 1}),
            "lwrongtype": ("failed", {"render_timeout": 1}),
            "lempty": ("failed", {"render_timeout": 1})},
    # The pages that wait out wait_timeout wait side by side. The mirror hands each page to
    # Chromium through Playwright's protocol, where 50 MB takes longer than any timeout: the
    # same fault at a smaller scale, a 2 MB answer over a 1 MB DOWNLOAD_MAXSIZE.
    settings={"PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 8, "DOWNLOAD_MAXSIZE": 1024 * 1024},
    answers={"huge": {"size": 2 * 1024 * 1024}},
)

PLATFORMS = [GREENHOUSE, LEVER, ASHBY, SMARTRECRUITERS, WORKDAY, E3APPLICANTS, ICIMS, NEOGOV,
             JOBAPS, PAGEUP, PEERFORCE, NCPSS, JSONLD, PAYCOM, PAYLOCITY, UKG, USAJOBS,
             USAJOBS_HISTORIC, RENDERED]


# -- building the replay folders --------------------------------------------------------------


def _replace(text: str, pairs: Pairs) -> str:
    for old, new in pairs:
        if old[:1] not in ("=", "^"):
            text = text.replace(old, new)
    return text


def _replace_matcher(matcher: dict[str, Any], pairs: Pairs) -> dict[str, Any]:
    """A route's matcher with the board renamed: substrings, whole values, path starts."""

    def value(v: Any, key: str) -> Any:
        if isinstance(v, dict):
            return {k: value(x, key) for k, x in v.items()}
        if not isinstance(v, str):
            return v
        for old, new in pairs:
            if old.startswith("=") and v == old[1:]:
                return new
        if key == "path":
            for old, new in pairs:
                if old.startswith("^") and v.startswith(old[1:]):
                    v = new + v[len(old) - 1:]
        return _replace(v, pairs)

    return {k: value(v, k) for k, v in matcher.items()}


def clone_board(root: Path, files: list[Path], routes: list[dict[str, Any]],
                pairs: Pairs, token: str) -> list[dict[str, Any]]:
    """Copies of the healthy board's files and routes renamed by ``pairs``; the new routes."""
    for path in files:
        relative = path.relative_to(root).as_posix()
        renamed = _replace(relative, pairs)
        if renamed == relative:
            continue
        target = root / renamed
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_replace(path.read_text(encoding="utf-8"), pairs).encode("utf-8"))
    cloned = []
    for route in routes:
        matcher: dict[str, Any] = {k: route[k] for k in ("host", "path", "query", "json", "form")
                                   if k in route}
        renamed_matcher = _replace_matcher(matcher, pairs)
        if renamed_matcher == matcher:
            continue
        new = {**route, **renamed_matcher}
        if "headers" in route:
            new["headers"] = {k: _replace(v, pairs) for k, v in route["headers"].items()}
        if "body" in route:
            new["body"] = _replace(route["body"], pairs)
        if "file" in route:
            text = (root / route["file"]).read_text(encoding="utf-8")
            if _replace(text, pairs) != text:
                copy = Path("clones") / token / route["file"]
                (root / copy).parent.mkdir(parents=True, exist_ok=True)
                (root / copy).write_text(_replace(text, pairs), encoding="utf-8")
                new["file"] = copy.as_posix()
        cloned.append(new)
    return cloned


def _robots_with(existing: str | None, disallow: list[str]) -> str:
    """A robots.txt that also disallows these paths to every agent."""
    rules = "".join(f"Disallow: {path}\n" for path in disallow)
    if existing is None:
        return f"User-agent: *\n{rules}"
    lines = existing.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.strip().lower().replace(" ", "") == "user-agent:*":
            return "".join(lines[: index + 1]) + rules + "".join(lines[index + 1:])
    return f"User-agent: *\n{rules}\n{existing}"


def fault_routes(platform: Platform, fault: Fault, variant: str,
                 token: str) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The routes that break ``token``'s listing or detail, and robots rules by host."""
    assert variant == "l" or platform.detail is not None
    matchers = platform.listing(token) if variant == "l" else [platform.detail(token)]  # type: ignore[misc]
    if fault.name == "robots":
        disallow: dict[str, list[str]] = {}
        for matcher in matchers:
            if variant == "l" and platform.robots_host is not None:
                disallow.setdefault(platform.robots_host(token), []).append("/")
            elif variant == "l":
                disallow.setdefault(matcher["host"], []).append(platform.robots_prefix(token))
            elif platform.detail_robots is not None:
                disallow.setdefault(matcher["host"], []).append(platform.detail_robots(token))
            else:
                disallow.setdefault(matcher["host"], []).append(matcher["path"])
        return [], {host: sorted(set(paths)) for host, paths in disallow.items()}
    routes = []
    for matcher in matchers:
        expects = matcher.get("_expects", platform.expects)
        answer = dict(fault.route)
        if fault.name == "wrongtype":
            answer = dict(WRONG_TYPE[expects])
        if fault.name == "empty":
            answer = dict(EMPTY[expects])
        answer.update(platform.answers.get(fault.name, {}))
        plain = {k: v for k, v in matcher.items() if not k.startswith("_")}
        routes.append({"method": "GET", **plain, **answer})
        if fault.name == "loop" and plain.get("method") == "POST":
            # A 302 turns the POST into a GET of the same URL: that loops too.
            routes.append({"method": "GET", "host": plain["host"], "path": plain["path"],
                           **answer})
    return routes, {}


def replay_folder(root: Path, platform: Platform, *, faulty: bool) -> None:
    shutil.copytree(platform.site, root)
    routes_file = root / "routes.json"
    routes = json.loads(routes_file.read_text(encoding="utf-8"))["routes"] \
        if routes_file.exists() else []
    files = sorted(p for p in root.rglob("*") if p.is_file() and p != routes_file)
    cloned: list[dict[str, Any]] = []
    faults: list[dict[str, Any]] = []
    robots: dict[str, list[str]] = {}
    for variant in platform.variants():
        for fault in FAULTS:
            token = platform.token(variant, fault.name)
            cloned += clone_board(root, files, routes, platform.pairs(variant, token), token)
            if faulty:
                new, disallow = fault_routes(platform, fault, variant, token)
                faults += new
                for host, paths in disallow.items():
                    robots.setdefault(host, []).extend(paths)
    for host, paths in robots.items():
        existing = root / host / "robots.txt"
        text = existing.read_text(encoding="utf-8") if existing.exists() else None
        faults.append({"host": host, "path": "/robots.txt", "headers": {
            "Content-Type": "text/plain"}, "body": _robots_with(text, paths)})
    routes_file.write_text(json.dumps({"routes": faults + routes + cloned}, indent=1),
                           encoding="utf-8")


# -- the crawls -------------------------------------------------------------------------------


@dataclass
class MatrixRun:
    platform: Platform
    healthy: CrawlResult
    faulty: CrawlResult
    before: dict[tuple[str, str], str]
    after: dict[tuple[str, str], str]
    runs: dict[str, str]
    log: str

    def items(self, token: str) -> dict[str, dict[str, Any]]:
        source = self.platform.source(token)
        return {str(i["source_id"]): i for i in self.faulty.items if i["source"] == source}


def _statuses(database: Path) -> dict[tuple[str, str], str]:
    conn = sqlite3.connect(database)
    try:
        rows = conn.execute("select source, source_id, status from postings").fetchall()
    finally:
        conn.close()
    return {(source, ident): status for source, ident, status in rows}


def stub(row: dict[str, Any]) -> dict[str, Any]:
    return {"title_clean": (row.get("title") or "").lower()}


def run_matrix(platform: Platform, tmp: Path) -> MatrixRun:
    data = tmp / "data"
    tokens = platform.tokens()
    boards = [platform.board(t) for t in tokens]
    registry = [{"platform": platform.name, "board": platform.board(t), **platform.registry(t)}
                for t in tokens]
    healthy_site, faulty_site = tmp / "healthy", tmp / "faulty"
    replay_folder(healthy_site, platform, faulty=False)
    replay_folder(faulty_site, platform, faulty=True)
    settings = {**SETTINGS, **platform.settings}
    first = run_crawl(data, platform.name, healthy_site, boards=boards, registry=registry,
                      settings=settings, now=FIRST)
    build(data, data / "archive", stub)
    before = _statuses(data / "peerjobs.db")
    log_start = (data / "crawl.log").stat().st_size
    second = run_crawl(data, platform.name, faulty_site, boards=boards, registry=registry,
                       settings=settings, now=SECOND)
    build(data, data / "archive", stub)
    after = _statuses(data / "peerjobs.db")
    conn = sqlite3.connect(data / "peerjobs.db")
    try:
        runs = dict(conn.execute("select source, status from runs where started_at = ?",
                                 (SECOND,)).fetchall())
    finally:
        conn.close()
    with (data / "crawl.log").open(encoding="utf-8", errors="replace") as handle:
        handle.seek(log_start)
        log = handle.read()
    return MatrixRun(platform, first, second, before, after, runs, log)


_RUNS: dict[str, MatrixRun] = {}


def _params(platforms: list[Platform]) -> list[Any]:
    return [pytest.param(p, id=p.name, marks=[pytest.mark.browser] if p is RENDERED else [])
            for p in platforms]


def _run_once(request: pytest.FixtureRequest, factory: pytest.TempPathFactory) -> MatrixRun:
    """Each platform's two crawls run once, whichever fixture asks first."""
    platform: Platform = request.param
    if platform is RENDERED and not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"chromium is not installed at {CHROMIUM} (`make setup` installs it): the "
                    "rendered platform drives the real browser")
    if platform.name not in _RUNS:
        _RUNS[platform.name] = run_matrix(platform, factory.mktemp(f"matrix-{platform.name}"))
    return _RUNS[platform.name]


@pytest.fixture(scope="module", params=_params(PLATFORMS))
def matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           clean_environment: None) -> MatrixRun:
    return _run_once(request, tmp_path_factory)


@pytest.fixture(scope="module", params=_params([p for p in PLATFORMS if p.detail]))
def detail_matrix(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                  clean_environment: None) -> MatrixRun:
    return _run_once(request, tmp_path_factory)


@pytest.fixture(scope="module")
def clean_environment() -> Any:
    # USAJOBS reads its key from the environment too: the matrix passes its own.
    with pytest.MonkeyPatch.context() as patch:
        for name in ("USAJOBS_API_KEY", "USAJOBS_EMAIL"):
            if name in os.environ:
                patch.delenv(name)
        yield patch


# -- expectations -----------------------------------------------------------------------------


def kind_for(fault: Fault, expects: str) -> str:
    kinds = {"html": HTML_KINDS, "xml": XML_KINDS}.get(expects, {})
    return kinds.get(fault.name, fault.kind)


def _plus(*counts: dict[str, int]) -> dict[str, int]:
    total: dict[str, int] = {}
    for count in counts:
        for kind, n in count.items():
            total[kind] = total.get(kind, 0) + n
    return total


def detail_kind(platform: Platform, fault: Fault) -> str:
    assert platform.detail is not None
    token = platform.token("d", fault.name)
    if fault.name == "404":
        return "detail_gone"
    return kind_for(fault, platform.detail(token).get("_expects", platform.expects))


def expected(platform: Platform, variant: str, fault: Fault) -> tuple[str, dict[str, int]]:
    token = platform.token(variant, fault.name)
    if f"{variant}{fault.name}" in platform.expect:
        return platform.expect[f"{variant}{fault.name}"]
    if variant == "l":
        expects = platform.listing(token)[0].get("_expects", platform.expects)
        assert not (expects == "xml" and fault.name == "wrongtype"), "say it in expect"
        kind = kind_for(fault, expects)
        return "failed", _plus({kind: 1}, platform.listing_fallback)
    status = "complete" if platform.detail_fallback else "partial"
    return status, _plus(platform.baseline, {detail_kind(platform, fault): 1})


def test_healthy_first_crawl_completes_every_board(matrix: MatrixRun) -> None:
    platform = matrix.platform
    for token in platform.tokens():
        origin = matrix.healthy.board(platform.source(platform.origin(token)))
        stats = matrix.healthy.board(platform.source(token))
        assert (token, stats["status"], stats["problems"], stats["items"]) == (
            token, "complete", platform.baseline, origin["items"])
        assert origin["items"] > 0
    assert set(matrix.before.values()) <= {"open", "closed"} and "open" in matrix.before.values()


def test_healthy_board_completes_beside_the_faults(matrix: MatrixRun) -> None:
    platform = matrix.platform
    for healthy in platform.healthy_tokens():
        stats = matrix.faulty.board(platform.source(healthy))
        first = matrix.healthy.board(platform.source(healthy))
        assert (stats["status"], stats["problems"], stats["items"]) == (
            "complete", platform.baseline, first["items"])
    assert matrix.faulty.stats["finish_reason"] == "finished"


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_NAMES)
def test_listing_fault(matrix: MatrixRun, fault: Fault) -> None:
    platform = matrix.platform
    source = platform.source(platform.token("l", fault.name))
    stats = matrix.faulty.board(source)
    assert (stats["status"], stats["problems"]) == expected(platform, "l", fault)
    assert matrix.runs[source] == stats["status"]


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_NAMES)
def test_detail_fault(detail_matrix: MatrixRun, fault: Fault) -> None:
    matrix = detail_matrix
    platform = matrix.platform
    token = platform.token("d", fault.name)
    stats = matrix.faulty.board(platform.source(token))
    status, problems = expected(platform, "d", fault)
    assert (stats["status"], stats["problems"]) == (status, problems)
    assert matrix.runs[platform.source(token)] == status
    first = matrix.healthy.board(platform.source(token))
    posting = matrix.items(token).get(platform.detail_id(token))
    if not platform.detail_fallback:
        # No listing copy to keep: the posting is not sighted, the run is partial.
        assert (posting, stats["items"]) == (None, first["items"] - 1)
        return
    assert stats["items"] == first["items"]
    assert posting is not None
    kind = detail_kind(platform, fault)
    assert (posting["detail_skipped"], posting["extra"]["detail_error"]) == (
        True, platform.detail_error.get(fault.name, kind))


def test_no_posting_closes_after_the_faulty_crawl(matrix: MatrixRun) -> None:
    closed = {key for key, status in matrix.after.items()
              if status != "open" and matrix.before.get(key) == "open"}
    assert closed == set()
    assert set(matrix.after) == set(matrix.before)


def test_no_traceback_is_logged(matrix: MatrixRun) -> None:
    assert "Traceback" not in matrix.log


# -- the replay server's faults, on the wire -------------------------------------------------


@pytest.fixture
def faulty_server(tmp_path: Path) -> Any:
    from crawlers.replay import ReplayServer

    (tmp_path / "a.example").mkdir()
    (tmp_path / "a.example" / "list.json").write_text('{"jobs": [1, 2, 3, 4, 5, 6, 7, 8]}')
    (tmp_path / "body.json").write_text('{"from": "route"}')
    (tmp_path / "routes.json").write_text(json.dumps({"routes": [
        {"path": "/list.json", "query": {"f": "reset"}, "fault": "reset"},
        {"path": "/list.json", "query": {"f": "truncate"}, "fault": "truncate",
         "file": "a.example/list.json"},
        {"path": "/list.json", "query": {"f": "cut"}, "fault": "cut_length", "cut_at": 5,
         "file": "a.example/list.json"},
        {"path": "/list.json", "query": {"f": "loop"}, "fault": "redirect_loop"},
        {"path": "/list.json", "query": {"f": "huge"}, "fault": "huge", "size": 100_000,
         "file": "a.example/list.json"},
        {"path": "/routed", "fault": "truncate"},
        {"path": "/routed", "file": "body.json"},
    ]}))
    with ReplayServer(tmp_path) as server:
        yield server


def _get(server: Any, path: str) -> Any:
    import http.client

    port = server.httpd.server_address[1]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path, headers={"X-Peerjobs-Original-Host": "a.example"})
    return conn.getresponse()


def test_replay_faults_break_the_answer_as_documented(faulty_server: Any) -> None:
    import http.client

    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        _get(faulty_server, "/list.json?f=reset")
    cut = _get(faulty_server, "/list.json?f=truncate")
    assert (cut.status, cut.getheader("Content-Length"), cut.read()) == (
        200, "17", b'{"jobs": [1, 2, 3')
    short = _get(faulty_server, "/list.json?f=cut")
    assert short.getheader("Content-Length") == "34"
    with pytest.raises(http.client.IncompleteRead):
        short.read()
    loop = _get(faulty_server, "/list.json?f=loop")
    assert (loop.status, loop.getheader("Location")) == (302, "/list.json?f=loop")
    huge = _get(faulty_server, "/list.json?f=huge")
    body = huge.read()
    assert (huge.getheader("Content-Length"), len(body)) == ("100000", 100_000)
    assert body.startswith(b'{"jobs"') and body[34:].strip() == b""
    # Without a body of its own, a fault breaks what the next matching route answers.
    assert _get(faulty_server, "/routed").read() == b'{"from":'
