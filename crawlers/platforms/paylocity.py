"""Paylocity Recruiting: the public job board at ``recruiting.paylocity.com``.

A board is the company GUID (a board URL ``.../Recruiting/Jobs/All/{guid}/{slug}`` is accepted;
the slug is cosmetic).

- List: ``GET https://recruiting.paylocity.com/recruiting/jobs/All/{guid}`` embeds
  ``window.pageData = {...};`` with every posting in ``Jobs[]`` (``JobId``, ``JobTitle``,
  ``LocationName``, ``PublishedDate``, ``Description`` (a teaser, often ""), ``IsInternal``,
  ``HiringDepartment``, ``JobLocation{Address, City, State, Zip, Country, County, Metro}``,
  ``IsRemote``) and the company name in ``ModuleTitle``. One page holds the whole board.
- Detail: ``GET https://recruiting.paylocity.com/Recruiting/Jobs/Details/{JobId}``, server HTML
  with schema.org JobPosting JSON-LD (read with :mod:`crawlers.platforms.jsonld`; pay when the
  employer posts it) and the same text in ``.job-preview-details`` (title, ``.preview-location``,
  sections headed ``.job-listing-header``), read when the JSON-LD is missing.

Internal postings (``IsInternal``) shown on the public board are kept like every other posting
(board coverage) and flagged in ``extra.is_internal``.

Incremental signal: ``PublishedDate`` (it changes when the posting is republished).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.items import JobPosting
from crawlers.platforms.base import BoardSpider
from crawlers.platforms.jsonld import format_address, jobpostings_in_html, posting_fields
from crawlers.platforms.pages import wall_kind
from crawlers.platforms.values import text
from crawlers.registry import Board
from crawlers.text import html_to_text

HOST = "https://recruiting.paylocity.com"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PAGE_DATA = re.compile(r"window\.pageData\s*=\s*")


def company_guid(board: str) -> str:
    """The company GUID of a board token or board URL."""
    match = _GUID.search(board)
    if not match:
        raise ValueError(f"{board!r} has no Paylocity company GUID")
    return match.group(0).lower()


def listing_url(guid: str) -> str:
    return f"{HOST}/recruiting/jobs/All/{guid}"


def detail_url(job_id: str) -> str:
    return f"{HOST}/Recruiting/Jobs/Details/{job_id}"


def page_data(page: str) -> dict[str, Any] | None:
    """The object assigned to ``window.pageData``, decoded without trusting what follows it."""
    match = _PAGE_DATA.search(page)
    if not match:
        return None
    try:
        data, _ = json.JSONDecoder(strict=False).raw_decode(page, match.end())
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def job_location_text(job: dict[str, Any]) -> str | None:
    """``JobLocation`` as one address line; ``LocationName`` (a site name) when it has none."""
    place = job.get("JobLocation")
    if isinstance(place, dict):
        street = ", ".join(t for t in (text(place.get("Address")), text(place.get("Address2"))) if t)
        found = format_address({"streetAddress": street, "addressLocality": place.get("City"),
                                "addressRegion": place.get("State"),
                                "postalCode": place.get("Zip"),
                                "addressCountry": place.get("Country")})
        if found:
            return found
    return text(job.get("LocationName"))


def remote_flag(job: dict[str, Any]) -> bool | None:
    flag = job.get("IsRemote")
    return flag if isinstance(flag, bool) else None


def listing_fields(job: dict[str, Any], company: str | None) -> dict[str, Any]:
    """What one ``Jobs[]`` entry says: enough for a sighting when the detail is skipped or lost."""
    job_id = text(job.get("JobId"))
    location = job_location_text(job)
    found = job.get("JobLocation")
    place: dict[str, Any] = found if isinstance(found, dict) else {}
    extra = {
        "location_name": text(job.get("LocationName")),
        "hiring_department": text(job.get("HiringDepartment")),
        "is_internal": job.get("IsInternal") if isinstance(job.get("IsInternal"), bool) else None,
        "indeed_remote_type": job.get("IndeedRemoteType")
        if isinstance(job.get("IndeedRemoteType"), int | str) else None,
        "county": text(place.get("County")),
        "metro": text(place.get("Metro")),
        "teaser": text(job.get("Description")),
    }
    return {
        "source_id": job_id,
        "url": detail_url(job_id) if job_id else None,
        "title": text(job.get("JobTitle")),
        "employer": company,
        "location": location,
        "locations": [location] if location else None,
        "posted_at": text(job.get("PublishedDate")),
        "remote": remote_flag(job),
        "source_updated_at": text(job.get("PublishedDate")),
        "extra": {k: v for k, v in extra.items() if v is not None},
    }


def html_sections(selector: Selector) -> list[tuple[str, str]]:
    """``(heading, plain text)`` of each ``.job-listing-header`` section of a detail page."""
    out: list[tuple[str, str]] = []
    for header in selector.css(".job-preview-details .job-listing-header"):
        heading = " ".join(header.css("::text").getall()).strip()
        body = header.xpath("following-sibling::*[1]").get()
        content = html_to_text(body) if body else None
        if heading and content:
            out.append((heading, content))
    return out


def detail_fields(page: str, url: str, listed: dict[str, Any]) -> dict[str, Any] | None:
    """Raw fields of a detail page over its listing entry's; None when the page shows neither
    JobPosting JSON-LD nor the job-preview template."""
    selector = Selector(text=page)
    scan = jobpostings_in_html(selector)
    schema = posting_fields(scan.postings[0], url) if scan.postings else {}
    sections = html_sections(selector)
    html_title = " ".join(selector.css(".job-preview-title ::text").getall()).strip() or None
    if not schema and not sections and not html_title:
        return None
    by_heading = {h.lower(): body for h, body in sections}
    html_description = "\n\n".join(f"{h}\n{b}" if h.lower() != "description" else b
                                   for h, b in sections if h.lower() != "job type") or None
    html_location = " ".join(" ".join(selector.css(".preview-location ::text").getall()).split())
    extra = {**listed["extra"], **(schema.get("extra") or {})}
    if html_location:
        extra["preview_location"] = html_location
    if schema.get("location") and schema["location"] != listed["location"]:
        extra["jsonld_location"] = schema["location"]
    fields: dict[str, Any] = {
        **listed,
        "title": listed["title"] or schema.get("title") or html_title,
        "employer": schema.get("employer") or listed["employer"],
        "location": listed["location"] or schema.get("location"),
        "locations": listed["locations"] or schema.get("locations"),
        "description": schema.get("description") or html_description,
        "posted_at": listed["posted_at"] or schema.get("posted_at"),
        "closes_at": schema.get("closes_at"),
        "employment_type": schema.get("employment_type") or by_heading.get("job type"),
        "remote": listed["remote"] if listed["remote"] is not None else schema.get("remote"),
        "extra": extra,
    }
    for name in ("pay_text", "pay_min", "pay_max", "pay_period", "pay_currency"):
        if schema.get(name) is not None:
            fields[name] = schema[name]
    return fields


class PaylocitySpider(BoardSpider):
    """Paylocity Recruiting boards, one board per company GUID."""

    platform = "paylocity"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            guid = company_guid(board.board)
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        yield self.request(listing_url(guid), self.parse_listing, board, listing=True)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        if isinstance(self.html_page(response, board, incomplete=True), str):
            return
        page = response.text
        data = page_data(page)
        if data is None:
            kind = wall_kind(page)
            if kind:
                self.problem(board, kind, f"{response.url} is a {kind.replace('_', ' ')} page, "
                             "not the job board", incomplete=True)
            elif _PAGE_DATA.search(page):
                self.problem(board, "malformed_json", f"{response.url}: window.pageData does "
                             "not parse", incomplete=True)
            else:
                self.problem(board, "missing_field", f"{response.url} has no window.pageData "
                             "(changed page, or not a Paylocity board?)", incomplete=True)
            return
        jobs = data.get("Jobs")
        if jobs is None and "ModuleTitle" in data:
            jobs = []
        if not isinstance(jobs, list):
            self.problem(board, "unexpected_shape", f"{response.url}: pageData has no Jobs list",
                         incomplete=True)
            return
        self.listing_read(board)
        if not jobs:
            self.logger.info("[%s] the board lists no postings", board.source)
        company = text(data.get("ModuleTitle"))
        for job in jobs:
            if not isinstance(job, dict):
                self.problem(board, "unexpected_shape", f"a Jobs entry is not an object: "
                             f"{job!r:.80}", incomplete=True)
                continue
            yield from self.listing_entry(job, board, company)

    def listing_entry(self, job: dict[str, Any], board: Board,
                      company: str | None) -> Iterator[Any]:
        fields = listing_fields(job, company)
        job_id = fields["source_id"]
        yield from self.detail_or_sighting(board, fields, detail_url(job_id) if job_id else None,
                                           self.parse_detail, meta={"paylocity": fields})

    def parse_detail(self, response: Response) -> Iterator[JobPosting]:
        board: Board = response.meta["board"]
        listed: dict[str, Any] = response.meta["paylocity"]
        read = self.html_page(response, board, incomplete=False)
        if isinstance(read, str):
            yield self.listing_only(response.meta["fallback"], reason=read)
            return
        page = response.text
        fields = detail_fields(page, listed["url"], listed)
        if fields is None:
            kind = wall_kind(page) or "no_posting_found"
            self.problem(board, kind, f"{response.url} shows neither JobPosting JSON-LD nor the "
                         "job details")
            yield self.listing_only(response.meta["fallback"], reason=kind)
            return
        yield self.posting(board, **fields)
