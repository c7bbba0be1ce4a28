"""UKG Pro (UltiPro) Recruiting job boards.

A board is the full board URL, ``https://recruiting.ultipro.com/{TENANT}/JobBoard/{guid}`` or
``https://{x}.rec.pro.ukg.net/{TENANT}/JobBoard/{guid}`` (``recruiting2.ultipro.com`` and
``recruiting.ultipro.ca`` too): the host varies by tenant.

- List: ``POST {board}/JobBoardView/LoadSearchResults`` with ``{"opportunitySearch": {"Top": 50,
  "Skip": N, "QueryString": "", "Filters": [], "OrderBy": [...]}, "matchCriteria": {...}}`` →
  ``{"opportunities": [...], "totalCount": N}``; paged by ``Skip`` until ``totalCount`` is reached
  or a page comes back short or empty. Sent without the page's anti-forgery token (cookies are
  off; public clients report the endpoint answers statelessly).
- Detail: ``GET {board}/OpportunityDetail?opportunityId={Id}``: server HTML whose script passes
  the whole opportunity to ``new US.Opportunity.CandidateOpportunityDetail({...})``:
  ``Description`` (HTML), ``UpdatedDate``, ``PayRange{PayRangeMinimum, PayRangeMaximum}`` with
  ``PayRangeVisible`` and ``PayRangeCurrencyCode`` on tenants that post pay, ``Compensation*``.

**robots.txt.** ``recruiting.ultipro.com/robots.txt`` reads ``Disallow: /``, ``Allow:
*/JobBoard/``, ``Disallow: */JobBoardView``: the board page and ``OpportunityDetail`` are allowed,
the listing endpoint is not. Scrapy obeys robots.txt, so on such a tenant the listing is never
sent: the board ends failed with ``robots_disallowed`` counted and a log line saying why. The
board page itself (allowed) is a Knockout application that loads the opportunities by XHR from
that same endpoint and embeds none, so there is no permitted route to the list, and the spider
yields nothing there rather than working around the refusal.

Incremental signal: the list carries no update stamp (``UpdatedDate`` is on the detail only),
so ``source_updated_at`` is a digest of what the list says (:func:`version_signal`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers.items import JobPosting
from crawlers.platforms.base import BoardSpider
from crawlers.platforms.pages import listing_signal as digest_of
from crawlers.platforms.pages import wall_kind
from crawlers.platforms.values import as_list, number, text
from crawlers.registry import Board
from crawlers.text import html_to_text

PAGE_SIZE = 50
DEFAULT_MAX_PAGES = 100
ORDER_BY = [{"Value": "postedDateDesc", "PropertyName": "PostedDate", "Ascending": False}]
MATCH_CRITERIA: dict[str, Any] = {
    "PreferredJobs": [], "Educations": [], "LicenseAndCertifications": [], "Skills": [],
    "hasNoLicenses": False, "SkippedSkills": [],
}
_DETAIL_CALL = re.compile(r"CandidateOpportunityDetail\s*\(\s*")
_UNITED_STATES = {"USA", "US", "UNITED STATES"}


@dataclass(frozen=True)
class UkgBoard:
    """Where one board's endpoints live."""

    base: str
    """``https://{host}/{TENANT}/JobBoard/{guid}``, without a trailing slash."""
    tenant: str
    guid: str

    @property
    def list_url(self) -> str:
        return f"{self.base}/JobBoardView/LoadSearchResults"

    def detail_url(self, opportunity_id: str) -> str:
        return f"{self.base}/OpportunityDetail?opportunityId={opportunity_id}"


def parse_board_url(board: str) -> UkgBoard:
    """The board's base URL, tenant and GUID; ``ValueError`` says what is wrong."""
    value = board.strip()
    if "://" not in value:
        value = f"https://{value}"
    parts = urlsplit(value)
    segments = [s for s in parts.path.split("/") if s]
    if not parts.hostname or len(segments) < 3 or segments[1].lower() != "jobboard":
        raise ValueError(f"{board!r}: expected https://<host>/<TENANT>/JobBoard/<guid>")
    tenant, guid = segments[0], segments[2]
    return UkgBoard(base=f"https://{parts.netloc.lower()}/{tenant}/JobBoard/{guid}",
                    tenant=tenant, guid=guid)


def search_body(skip: int, top: int) -> dict[str, Any]:
    return {"opportunitySearch": {"Top": top, "Skip": skip, "QueryString": "", "Filters": [],
                                  "OrderBy": ORDER_BY},
            "matchCriteria": dict(MATCH_CRITERIA)}


def _code(value: Any) -> str | None:
    if isinstance(value, dict):
        return text(value.get("Code")) or text(value.get("Name"))
    return text(value)


def location_text(location: Any) -> str | None:
    """One ``Locations[]`` entry as "City, ST 12345" (the country added when not the US), or
    its name when it has no address."""
    if not isinstance(location, dict):
        return text(location)
    found = location.get("Address")
    address: dict[str, Any] = found if isinstance(found, dict) else {}
    city = text(address.get("City"))
    region = " ".join(t for t in (_code(address.get("State")), text(address.get("PostalCode")))
                      if t)
    parts = [p for p in (city, region) if p]
    country = address.get("Country")
    code = _code(country)
    if parts and code and code.upper() not in _UNITED_STATES:
        name = text(country.get("Name")) if isinstance(country, dict) else None
        parts.append(name or code)
    return ", ".join(parts) or text(location.get("LocalizedName")) \
        or text(location.get("LocalizedDescription"))


def location_texts(locations: Any) -> list[str]:
    out: list[str] = []
    for location in as_list(locations):
        found = location_text(location)
        if found and found not in out:
            out.append(found)
    return out


def version_signal(entry: dict[str, Any]) -> str | None:
    """The incremental signal of a list entry, stored as ``source_updated_at``.

    The list has no update stamp. What it says (title, requisition, full time, category,
    locations, ``PostedDate``, the brief description and the location type) changes when the
    posting is edited in a way the list can see. An edit to the full description alone is not
    seen; ``-s PEERJOBS_INCREMENTAL=0`` refetches everything.
    """
    opportunity_id = text(entry.get("Id"))
    if not opportunity_id:
        return None
    seen = [opportunity_id, text(entry.get("Title")), text(entry.get("RequisitionNumber")),
            entry.get("FullTime") if isinstance(entry.get("FullTime"), bool) else None,
            text(entry.get("JobCategoryName")), location_texts(entry.get("Locations")),
            text(entry.get("PostedDate")), text(entry.get("BriefDescription")),
            text(entry.get("JobLocationType"))]
    return digest_of(*seen)


def employment_type(full_time: Any) -> str | None:
    """``FullTime`` is a flag; false covers part time, per diem and flex alike."""
    if full_time is True:
        return "Full time"
    if full_time is False:
        return "Not full time"
    return None


def listing_fields(entry: dict[str, Any], site: UkgBoard) -> dict[str, Any]:
    """What one list entry says: enough for a sighting when the detail is skipped or lost."""
    opportunity_id = text(entry.get("Id"))
    locations = location_texts(entry.get("Locations"))
    names = [text(loc.get("LocalizedName")) or text(loc.get("LocalizedDescription"))
             for loc in as_list(entry.get("Locations")) if isinstance(loc, dict)]
    extra = {
        "requisition_number": text(entry.get("RequisitionNumber")),
        "job_category": text(entry.get("JobCategoryName")),
        "full_time": entry.get("FullTime") if isinstance(entry.get("FullTime"), bool) else None,
        "location_names": [n for n in names if n] or None,
        "brief_description": text(entry.get("BriefDescription")),
        "job_location_type": entry.get("JobLocationType")
        if isinstance(entry.get("JobLocationType"), int | str) else None,
        "featured": entry.get("Featured") if isinstance(entry.get("Featured"), bool) else None,
    }
    return {
        "source_id": opportunity_id,
        "url": site.detail_url(opportunity_id) if opportunity_id else None,
        "title": text(entry.get("Title")),
        "location": locations[0] if locations else None,
        "locations": locations or None,
        "posted_at": text(entry.get("PostedDate")),
        "employment_type": employment_type(entry.get("FullTime")),
        "source_updated_at": version_signal(entry),
        "extra": {k: v for k, v in extra.items() if v is not None},
    }


def opportunity_json(page: str) -> dict[str, Any] | None:
    """The object a detail page passes to ``CandidateOpportunityDetail(...)``."""
    match = _DETAIL_CALL.search(page)
    if not match:
        return None
    try:
        data, _ = json.JSONDecoder(strict=False).raw_decode(page, match.end())
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def pay_fields(detail: dict[str, Any]) -> dict[str, Any]:
    """``PayRange`` when the tenant shows it, else the ``Compensation*`` hourly or annual values."""
    out: dict[str, Any] = {}
    found = detail.get("PayRange")
    pay_range: dict[str, Any] = found if isinstance(found, dict) else {}
    low, high = number(pay_range.get("PayRangeMinimum")), number(pay_range.get("PayRangeMaximum"))
    currency = text(detail.get("PayRangeCurrencyCode"))
    if (low is not None or high is not None) and detail.get("PayRangeVisible") is not False:
        out["pay_min"] = low if low is not None else high
        out["pay_max"] = high if high is not None else low
    else:
        for period, prefix in (("Hourly", "CompensationHourly"), ("Annual", "CompensationAnnual")):
            low, high = number(detail.get(f"{prefix}Minimum")), number(detail.get(f"{prefix}Maximum"))
            if low is not None or high is not None:
                out["pay_min"] = low if low is not None else high
                out["pay_max"] = high if high is not None else low
                out["pay_period"] = period
                currency = text(detail.get("CompensationCurrencyCode")) or currency
                break
    if out and currency:
        out["pay_currency"] = currency
    return out


def detail_fields(detail: dict[str, Any], entry: dict[str, Any], site: UkgBoard) -> dict[str, Any]:
    """Raw fields of a detail's opportunity object over its list entry's."""
    listed = listing_fields(entry, site)
    locations = location_texts(detail.get("Locations")) or listed["locations"] or []
    description = detail.get("Description")
    extra = {
        **listed["extra"],
        "updated_date": text(detail.get("UpdatedDate")),
        "hours_per_week": detail.get("HoursPerWeek")
        if isinstance(detail.get("HoursPerWeek"), int | float | str) else None,
        "salaried": detail.get("Salaried") if isinstance(detail.get("Salaried"), bool) else None,
        "pay_range_visible": detail.get("PayRangeVisible")
        if isinstance(detail.get("PayRangeVisible"), bool) else None,
        "pay_transparency": html_to_text(detail["PayTransparencyPolicyStatement"])
        if isinstance(detail.get("PayTransparencyPolicyStatement"), str) else None,
        "education": [t for t in (text(e.get("DegreeName")) for e in
                                  as_list(detail.get("EducationCriteria")) if isinstance(e, dict))
                      if t] or None,
        "opportunity_closed": detail.get("OpportunityIsClosed")
        if isinstance(detail.get("OpportunityIsClosed"), bool) else None,
    }
    for key in ("requisition_number", "job_category"):
        found = text(detail.get({"requisition_number": "RequisitionNumber",
                                 "job_category": "JobCategoryName"}[key]))
        if found:
            extra[key] = found
    if isinstance(detail.get("FullTime"), bool):
        extra["full_time"] = detail["FullTime"]
    if isinstance(detail.get("JobLocationType"), int | str):
        extra["job_location_type"] = detail["JobLocationType"]
    fields: dict[str, Any] = {
        **listed,
        "title": text(detail.get("Title")) or listed["title"],
        "location": locations[0] if locations else None,
        "locations": locations or None,
        "description": html_to_text(description) if isinstance(description, str) else None,
        "posted_at": text(detail.get("PostedDate")) or listed["posted_at"],
        "employment_type": employment_type(detail.get("FullTime")) or listed["employment_type"],
        "extra": {k: v for k, v in extra.items() if v is not None},
        **pay_fields(detail),
    }
    return fields


class UkgSpider(BoardSpider):
    """UKG Pro / UltiPro Recruiting job boards, one board per board URL.

    Board options in sources.toml: ``page_size`` (``Top``, default 50), ``max_pages`` (default 100).
    """

    platform = "ukg"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            site = parse_board_url(board.board)
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        yield self.list_request(board, site, skip=0, page=1)

    def page_size(self, board: Board) -> int:
        wanted = number(board.option("page_size", PAGE_SIZE))
        return max(1, min(100, int(wanted))) if wanted else PAGE_SIZE

    def list_request(self, board: Board, site: UkgBoard, *, skip: int,
                     page: int) -> scrapy.Request:
        top = self.page_size(board)
        return self.json_request(site.list_url, self.parse_list, board, body=search_body(skip, top),
                                 listing=True, meta={"ukg": site, "skip": skip, "top": top,
                                                     "page": page},
                                 headers={"X-Requested-With": "XMLHttpRequest"})

    def parse_list(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        site: UkgBoard = response.meta["ukg"]
        skip: int = response.meta["skip"]
        page: int = response.meta["page"]
        data = self.load_json(response, board, listing=True)
        if data is None:
            return
        opportunities = data.get("opportunities") if isinstance(data, dict) else None
        if not isinstance(opportunities, list):
            self.problem(board, "unexpected_shape", f"{response.url} (Skip {skip}) has no "
                         "opportunities list", incomplete=True)
            return
        self.listing_read(board)
        total = number(data.get("totalCount"))
        for entry in opportunities:
            yield from self.listing_entry(entry, board, site)
        if not opportunities:
            if total and skip < total:
                self.problem(board, "beyond_last_page", f"the page at Skip {skip} is empty "
                             f"although totalCount is {int(total)}")
            elif skip == 0:
                self.logger.info("[%s] the board lists no opportunities", board.source)
            return
        next_skip = skip + len(opportunities)
        if (total is not None and next_skip >= total) or len(opportunities) < response.meta["top"]:
            return
        if page >= (number(board.option("max_pages", DEFAULT_MAX_PAGES)) or DEFAULT_MAX_PAGES):
            self.problem(board, "page_cap", f"stopped after {page} list pages (max_pages); "
                         "the board lists more", incomplete=True)
            return
        yield self.list_request(board, site, skip=next_skip, page=page + 1)

    def listing_entry(self, entry: Any, board: Board, site: UkgBoard) -> Iterator[Any]:
        if not isinstance(entry, dict):
            self.problem(board, "unexpected_shape", f"an opportunity is not an object: "
                         f"{entry!r:.80}", incomplete=True)
            return
        fields = listing_fields(entry, site)
        opportunity_id = fields["source_id"]
        yield from self.detail_or_sighting(
            board, fields, site.detail_url(opportunity_id) if opportunity_id else None,
            self.parse_detail, meta={"ukg": site, "entry": entry})

    def parse_detail(self, response: Response) -> Iterator[JobPosting]:
        board: Board = response.meta["board"]
        read = self.html_page(response, board, incomplete=False)
        if isinstance(read, str):
            yield self.listing_only(response.meta["fallback"], reason=read)
            return
        page = response.text
        detail = opportunity_json(page)
        if detail is None:
            kind = wall_kind(page) or ("malformed_json" if _DETAIL_CALL.search(page)
                                       else "no_posting_found")
            self.problem(board, kind, f"{response.url} has no readable opportunity object")
            yield self.listing_only(response.meta["fallback"], reason=kind)
            return
        yield self.posting(board, **detail_fields(detail, response.meta["entry"],
                                                  response.meta["ukg"]))

    def on_error(self, failure: Failure) -> Iterator[JobPosting]:
        yield from super().on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        exc = failure.value
        if request.meta.get("listing") and isinstance(exc, IgnoreRequest) \
                and "robots.txt" in str(exc):
            self.logger.warning(
                "[%s] robots.txt of %s forbids JobBoardView, the only route to this board's "
                "list; the board is not crawled (no permitted path lists its opportunities)",
                request.meta["board"].source, urlsplit(request.url).netloc)
