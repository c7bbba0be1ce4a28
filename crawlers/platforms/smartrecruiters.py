"""SmartRecruiters Posting API: public JSON, no key, one board per company identifier.

- List: ``GET https://api.smartrecruiters.com/v1/companies/{company}/postings?limit=100&offset=N``
  → ``{offset, limit, totalFound, content[]}``; paging runs to the first page's ``totalFound``
  (at most 100 a page; board option ``max_pages`` caps it). Each entry has ``id``, ``name``,
  ``releasedDate``, ``location{...}``, ``typeOfEmployment``, ``department``, ``customField[]``,
  ``company{identifier,name}`` and ``ref`` (its detail URL).
- Detail: ``GET .../postings/{id}`` adds ``jobAd.sections.{companyDescription, jobDescription,
  qualifications, additionalInformation}.{title,text}`` (HTML), ``postingUrl`` and ``applyUrl``.
  There is no pay field: pay, when given, is in the sections' prose.

``releasedDate`` is the only time stamp the list carries; it is the incremental signal. An
unknown company answers like an empty board (``totalFound: 0``), so an empty board is a complete
run with a log line, not a counted problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import scrapy
from scrapy.http import Response

from crawlers.items import JobPosting
from crawlers.platforms.base import BoardSpider
from crawlers.registry import Board
from crawlers.text import html_to_text

API = "https://api.smartrecruiters.com/v1/companies"
PUBLIC = "https://jobs.smartrecruiters.com"
PAGE_LIMIT = 100
DEFAULT_MAX_PAGES = 50
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")


def _text(value: Any) -> str | None:
    """A string from a string, a number or a ``{id, label}`` object; None when empty."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, dict):
        return _text(value.get("label") or value.get("name"))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def company_id(board: str) -> str:
    """The company identifier of a board: the token itself, or the first path segment of a
    ``careers.smartrecruiters.com/<company>`` or ``jobs.smartrecruiters.com/<company>`` URL."""
    token = board.strip()
    if "smartrecruiters.com" in token:
        parts = urlsplit(token if "://" in token else f"https://{token}")
        segments = [s for s in parts.path.split("/") if s]
        if segments[:2] == ["v1", "companies"] and len(segments) > 2:
            return segments[2]
        if segments:
            return segments[0]
        raise ValueError(f"{board!r}: no company identifier in the URL")
    if not token or "/" in token:
        raise ValueError(f"{board!r}: not a SmartRecruiters company identifier")
    return token


def list_url(company: str, offset: int, limit: int = PAGE_LIMIT) -> str:
    return f"{API}/{quote(company, safe='')}/postings?limit={limit}&offset={offset}"


def detail_url(company: str, entry: dict[str, Any]) -> str | None:
    """The entry's own ``ref`` when it is the API's URL, else built from the company and id."""
    ref = _text(entry.get("ref"))
    if ref and ref.startswith(f"{API}/"):
        return ref
    posting = _text(entry.get("id"))
    if not posting:
        return None
    return f"{API}/{quote(company, safe='')}/postings/{quote(posting, safe='')}"


def location_text(location: dict[str, Any]) -> str | None:
    full = _text(location.get("fullLocation"))
    if full:
        return full
    parts = [_text(location.get(k)) for k in ("city", "region", "country")]
    joined = ", ".join(p for p in parts if p)
    return joined or None


def remote_flag(location: dict[str, Any]) -> bool | None:
    """``location.remote`` as sent: true is remote; false (on-site or hybrid) is not."""
    value = location.get("remote")
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value if isinstance(value, bool) else None


def description_text(job_ad: Any) -> str | None:
    """The ad's sections in reading order, each under its own heading, as plain text."""
    sections = _dict(_dict(job_ad).get("sections"))
    parts = []
    for key in SECTIONS:
        section = _dict(sections.get(key))
        body = section.get("text")
        text = html_to_text(body) if isinstance(body, str) else None
        if not text:
            continue
        heading = _text(section.get("title"))
        parts.append(f"{heading}\n{text}" if heading else text)
    return "\n\n".join(parts) or None


def custom_fields(value: Any) -> dict[str, str]:
    fields: dict[str, str] = {}
    for field in value if isinstance(value, list) else []:
        label = _text(_dict(field).get("fieldLabel"))
        answer = _text(_dict(field).get("valueLabel"))
        if label and answer is not None:
            fields[label] = answer
    return fields


def posting_fields(data: dict[str, Any], company: str) -> dict[str, Any]:
    """Raw JobPosting fields from a list entry, or a detail merged over its list entry."""
    posting = _text(data.get("id"))
    location = _dict(data.get("location"))
    place = location_text(location)
    identifier = _text(_dict(data.get("company")).get("identifier")) or company
    url = _text(data.get("postingUrl"))
    if not (url and url.startswith(("https://", "http://"))):
        # The posting page without its title slug, which SmartRecruiters resolves.
        url = f"{PUBLIC}/{identifier}/{posting}" if posting else None
    language = _dict(data.get("language"))
    extra = {
        "ref_number": _text(data.get("refNumber")),
        "uuid": _text(data.get("uuid")),
        "job_ad_id": _text(data.get("jobAdId")),
        "department": _text(data.get("department")),
        "function": _text(data.get("function")),
        "industry": _text(data.get("industry")),
        "experience_level": _text(data.get("experienceLevel")),
        "custom_fields": custom_fields(data.get("customField")) or None,
        "country_code": _text(location.get("country")),
        "hybrid": location.get("hybrid") if isinstance(location.get("hybrid"), bool) else None,
        "latitude": _text(location.get("latitude")),
        "longitude": _text(location.get("longitude")),
        "language": _text(language.get("code")),
        "apply_url": _text(data.get("applyUrl")),
    }
    return {
        "source_id": posting,
        "url": url,
        "title": _text(data.get("name")),
        "employer": _text(_dict(data.get("company")).get("name")),
        "location": place,
        "locations": [place] if place else None,
        "description": description_text(data.get("jobAd")),
        "posted_at": _text(data.get("releasedDate")),
        "employment_type": _text(data.get("typeOfEmployment")),
        "remote": remote_flag(location),
        "source_updated_at": _text(data.get("releasedDate")),
        "extra": {k: v for k, v in extra.items() if v is not None},
    }


def merge_detail(entry: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
    """The detail over its list entry: the detail wins where it says something."""
    merged = dict(entry)
    merged.update({k: v for k, v in detail.items() if v not in (None, "", [], {})})
    return merged


class SmartRecruitersSpider(BoardSpider):
    """SmartRecruiters companies through the public Posting API.

    Board options in sources.toml: ``page_size`` (postings per list page, at most and by
    default 100), ``max_pages`` (cap on list pages, default 50).
    """

    platform = "smartrecruiters"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            company = company_id(board.board)
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        yield self.list_request(board, company, offset=0, page=1, planned=None)

    def page_size(self, board: Board) -> int:
        wanted = _int(board.option("page_size", PAGE_LIMIT)) or PAGE_LIMIT
        return max(1, min(PAGE_LIMIT, wanted))

    def list_request(self, board: Board, company: str, *, offset: int, page: int,
                     planned: int | None) -> scrapy.Request:
        limit = self.page_size(board)
        meta = {"company": company, "offset": offset, "page": page, "limit": limit,
                "planned": planned}
        return self.request(list_url(company, offset, limit), self.parse_list, board,
                            listing=True, meta=meta, headers={"Accept": "application/json"})

    def parse_list(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        company: str = response.meta["company"]
        offset: int = response.meta["offset"]
        page: int = response.meta["page"]
        data = self.load_json(response, board, listing=True)
        if data is None:
            return
        content = data.get("content") if isinstance(data, dict) else None
        if content is None and isinstance(data, dict) and _int(data.get("totalFound")) == 0:
            content = []
        if not isinstance(content, list):
            self.problem(board, "unexpected_shape",
                         f"{response.url} has no content list", incomplete=True)
            return
        self.listing_read(board)
        planned: int | None = response.meta.get("planned")
        if page == 1:
            planned = _int(data.get("totalFound"))
        for entry in content:
            yield from self.listing_entry(entry, board, company)
        if not content:
            if planned and offset < planned:
                self.problem(board, "beyond_last_page",
                             f"the page at offset {offset} is empty although the first page "
                             f"reported {planned} postings")
            elif offset == 0:
                self.logger.warning("[%s] the company lists no postings (an unknown company id "
                                    "answers the same)", board.source)
            return
        next_offset = offset + len(content)
        if planned is not None:
            if next_offset >= planned:
                return
        elif len(content) < response.meta["limit"]:
            return
        if page >= (_int(board.option("max_pages", DEFAULT_MAX_PAGES)) or DEFAULT_MAX_PAGES):
            self.problem(board, "page_cap", f"stopped after {page} list pages (max_pages); "
                         "the company lists more", incomplete=True)
            return
        yield self.list_request(board, company, offset=next_offset, page=page + 1,
                                planned=planned)

    def listing_entry(self, entry: Any, board: Board, company: str) -> Iterator[Any]:
        if not isinstance(entry, dict):
            self.problem(board, "unexpected_shape", f"a list entry is not an object: {entry!r:.80}",
                         incomplete=True)
            return
        fields = posting_fields(entry, company)
        url = detail_url(company, entry)
        yield from self.detail_or_sighting(
            board, fields, url, self.parse_detail, meta={"company": company, "entry": entry},
            headers={"Accept": "application/json"})

    def parse_detail(self, response: Response) -> Iterator[JobPosting]:
        board: Board = response.meta["board"]
        company: str = response.meta["company"]
        entry: dict[str, Any] = response.meta["entry"]
        data = self.load_json(response, board)
        if data is None:
            yield self.listing_only(response.meta["fallback"], reason="unreadable")
            return
        if not isinstance(data, dict):
            self.problem(board, "unexpected_shape", f"{response.url} is not a posting object")
            yield self.listing_only(response.meta["fallback"], reason="unexpected_shape")
            return
        fields = posting_fields(merge_detail(entry, data), company)
        # The list's id and stamp are what the next run compares with.
        fields["source_id"] = _text(entry.get("id"))
        fields["source_updated_at"] = _text(entry.get("releasedDate"))
        yield self.posting(board, **fields)

