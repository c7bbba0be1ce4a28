"""Workday CXS: the JSON behind every ``*.myworkdayjobs.com`` career site (undocumented, public).

A board is the career site's URL, ``https://<tenant>.wd<N>.myworkdayjobs.com/<site>`` (a locale
segment such as ``/en-US/<site>`` is accepted, and so is the ``wd<N>.myworkdaysite.com/recruiting/
<tenant>/<site>`` form). Site names are case-sensitive and kept as given.

- List: ``POST https://{host}/wday/cxs/{tenant}/{site}/jobs`` with
  ``{"appliedFacets": {}, "limit": 20, "offset": N, "searchText": ""}``. ``limit`` is capped at 20
  (21 is refused), a GET is refused (400) and an unknown tenant or site answers 422. ``total`` is
  meaningful on the first page only: deeper pages say ``total: 0`` while still listing postings.
  Paging follows the first page's total and stops on a short or empty page, with a cap on pages
  (board option ``max_pages``). Workday also stops counting at 2,000 postings; a board that
  reaches that is marked partial (we cannot know that we saw it all).
- Detail: ``GET https://{host}/wday/cxs/{tenant}/{site}{externalPath}`` (``externalPath``
  already starts with ``/job/``) gives ``jobPostingInfo`` and, on complete captures,
  ``hiringOrganization``. Pay appears only in the description's prose.

The list carries no update stamp, so the incremental signal is a digest of what the list does
say about a posting (:func:`version_signal`); see its docstring for why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawlers.items import JobPosting
from crawlers.platforms.base import BoardSpider
from crawlers.platforms.pages import listing_signal as digest_of
from crawlers.registry import Board
from crawlers.text import html_to_text

PAGE_LIMIT = 20
"""The most postings Workday gives per list page (21 is answered with HTTP 400)."""
DEFAULT_MAX_PAGES = 100
RESULT_CAP = 2000
"""Workday's list stops counting here; a first-page total this high is not the whole board."""
JOB_HOST_SUFFIXES = (".myworkdayjobs.com", ".myworkdayjobs-impl.com")
SITE_HOST_SUFFIXES = (".myworkdaysite.com",)
_LOCALE = re.compile(r"^[a-z]{2}(-[A-Za-z]{2,4})?$")
_PLACEHOLDER_LOCATIONS = re.compile(r"^\d+\s+locations?$", re.IGNORECASE)


@dataclass(frozen=True)
class WorkdaySite:
    """Where one career site's CXS endpoints and public pages live."""

    host: str
    tenant: str
    site: str
    public_base: str
    """The career site's public URL (locale kept when the board had one); posting pages hang
    below it as ``public_base + externalPath``."""

    @property
    def cxs_base(self) -> str:
        return f"https://{self.host}/wday/cxs/{self.tenant}/{self.site}"

    @property
    def jobs_url(self) -> str:
        return f"{self.cxs_base}/jobs"

    def detail_url(self, external_path: str) -> str:
        return f"{self.cxs_base}{_with_slash(external_path)}"

    def public_url(self, external_path: str) -> str:
        return f"{self.public_base}{_with_slash(external_path)}"


def _with_slash(path: str) -> str:
    return path if path.startswith("/") else f"/{path}"


def parse_board_url(board: str, *, tenant: str | None = None,
                    site: str | None = None) -> WorkdaySite:
    """The tenant, site and hosts of a Workday board URL; ``ValueError`` says what is wrong.

    ``tenant``/``site`` (board options) override what the URL says, for tenants whose CXS path
    does not follow the host name.
    """
    text = board.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    locale = None
    if len(segments) > 1 and _LOCALE.match(segments[0]):
        locale = segments.pop(0)
    if len(segments) >= 4 and segments[:2] == ["wday", "cxs"]:
        found_tenant, found_site = segments[2], segments[3]
        locale = None
    elif host.endswith(SITE_HOST_SUFFIXES):
        if len(segments) < 3 or segments[0] != "recruiting":
            raise ValueError(f"{board!r}: expected https://{host}/recruiting/<tenant>/<site>")
        found_tenant, found_site = segments[1], segments[2]
    elif host.endswith(JOB_HOST_SUFFIXES) or tenant:
        if not segments:
            raise ValueError(f"{board!r}: the career site name is missing after the host")
        found_tenant, found_site = host.split(".", 1)[0], segments[0]
    else:
        raise ValueError(f"{board!r}: not a Workday career site (*.myworkdayjobs.com or "
                         "*.myworkdaysite.com); set the board options tenant and site")
    tenant = tenant or found_tenant
    site = site or found_site
    prefix = f"https://{host}" + (f"/{locale}" if locale else "")
    if host.endswith(SITE_HOST_SUFFIXES):
        public_base = f"{prefix}/recruiting/{tenant}/{site}"
    else:
        public_base = f"{prefix}/{site}"
    return WorkdaySite(host=host, tenant=tenant, site=site, public_base=public_base)


# -- raw values, however they arrive -------------------------------------------------------


def _text(value: Any) -> str | None:
    """A string from a string, a number or a Workday descriptor object; None when empty."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, dict):
        value = value.get("descriptor") or value.get("name") or value.get("label")
        return _text(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [t for t in (_text(v) for v in items) if t]


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


def _unique(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return out


def posting_id(external_path: str | None) -> str | None:
    """The posting's id: the last segment of ``externalPath`` (the detail's ``jobPostingId``).

    Unique per posting, unlike the requisition id in ``bulletFields``: one requisition can be
    posted several times (``..._R258818-1``).
    """
    if not external_path:
        return None
    last = external_path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last or None


def version_signal(entry: dict[str, Any]) -> str | None:
    """The incremental signal of a list entry, stored as ``source_updated_at``.

    The list has no update stamp. What it does say about a posting (title, ``externalPath``,
    ``locationsText``, ``bulletFields``, and ``remoteType`` where a tenant sends it) changes when
    the posting is edited in a way the list can see, and not otherwise. ``postedOn`` is left out
    on purpose: it is relative text ("Posted 4 Days Ago") that changes every day by itself.
    An edit to the description alone is not seen; ``-s PEERJOBS_INCREMENTAL=0`` refetches all.
    """
    path = _text(entry.get("externalPath"))
    if not path:
        return None
    seen = [_text(entry.get("title")), path, _text(entry.get("locationsText")),
            _texts(entry.get("bulletFields")), _text(entry.get("remoteType"))]
    return digest_of(*seen)


def remote_flag(remote_type: str | None) -> bool | None:
    """``remoteType`` as a flag: remote → True, hybrid or on-site → False, anything else None."""
    if not remote_type:
        return None
    value = remote_type.lower().replace("-", " ")
    if "hybrid" in value:
        return False
    if "remote" in value:
        return True
    if value.replace(" ", "") in ("onsite", "inoffice", "office", "onlocation"):
        return False
    return None


def listing_fields(entry: dict[str, Any], site: WorkdaySite) -> dict[str, Any]:
    """What one list entry says: enough for a sighting when the detail is skipped or lost."""
    path = _text(entry.get("externalPath"))
    locations_text = _text(entry.get("locationsText"))
    location = None
    if locations_text and not _PLACEHOLDER_LOCATIONS.match(locations_text):
        location = locations_text
    remote_type = _text(entry.get("remoteType"))
    extra = {
        "external_path": path,
        "locations_text": locations_text,
        "posted_on": _text(entry.get("postedOn")),
        "bullet_fields": _texts(entry.get("bulletFields")) or None,
        "remote_type": remote_type,
    }
    return {
        "source_id": posting_id(path),
        "url": site.public_url(path) if path else None,
        "title": _text(entry.get("title")),
        "location": location,
        "locations": [location] if location else None,
        "remote": remote_flag(remote_type),
        "source_updated_at": version_signal(entry),
        "extra": {k: v for k, v in extra.items() if v is not None},
    }


def detail_fields(data: dict[str, Any], entry: dict[str, Any],
                  site: WorkdaySite) -> dict[str, Any] | None:
    """Raw JobPosting fields from a detail response and its list entry (None: no jobPostingInfo)."""
    info = data.get("jobPostingInfo")
    if not isinstance(info, dict):
        return None
    listing = listing_fields(entry, site)
    req_location = info.get("jobRequisitionLocation")
    req_location = req_location if isinstance(req_location, dict) else {}
    req_country = req_location.get("country")
    req_country = req_country if isinstance(req_country, dict) else {}
    primary = _text(info.get("location")) or _text(req_location.get("descriptor")) \
        or listing["location"]
    locations = _unique([primary, *_texts(info.get("additionalLocations"))])
    remote_type = _text(info.get("remoteType")) or listing["extra"].get("remote_type")
    external_url = _text(info.get("externalUrl"))
    if external_url and not external_url.startswith(("https://", "http://")):
        external_url = None
    organization = data.get("hiringOrganization")
    description = info.get("jobDescription")
    extra = {
        **listing["extra"],
        "job_req_id": _text(info.get("jobReqId")),
        "workday_id": _text(info.get("id")),
        "job_posting_id": _text(info.get("jobPostingId")),
        "job_posting_site_id": _text(info.get("jobPostingSiteId")),
        "requisition_location": _text(req_location.get("descriptor")),
        "country": _text(info.get("country")) or _text(req_country),
        "country_code": _text(req_country.get("alpha2Code")),
        "remote_type": remote_type,
        "end_date": _text(info.get("endDate")),
        "time_left_to_apply": _text(info.get("timeLeftToApply")),
    }
    return {
        "source_id": listing["source_id"] or _text(info.get("jobPostingId")),
        "url": external_url or listing["url"],
        "title": _text(info.get("title")) or listing["title"],
        "employer": _text(organization),
        "location": locations[0] if locations else None,
        "locations": locations or None,
        "description": html_to_text(description) if isinstance(description, str) else None,
        "posted_at": _text(info.get("startDate")),
        "employment_type": _text(info.get("timeType")),
        "remote": remote_flag(remote_type),
        "source_updated_at": listing["source_updated_at"],
        "extra": {k: v for k, v in extra.items() if v is not None},
    }


class WorkdaySpider(BoardSpider):
    """Workday CXS career sites, one board per site URL.

    Board options in sources.toml: ``max_pages`` (cap on list pages, default 100, i.e. the
    2,000 postings Workday will list), ``page_size`` (postings per page, at most and by default
    20), ``tenant`` and ``site`` (override what the board URL says).
    """

    platform = "workday"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            site = parse_board_url(board.board, tenant=board.option("tenant"),
                                   site=board.option("site"))
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        yield self.list_request(board, site, offset=0, page=1, planned=None)

    def page_size(self, board: Board) -> int:
        wanted = _int(board.option("page_size", PAGE_LIMIT)) or PAGE_LIMIT
        return max(1, min(PAGE_LIMIT, wanted))

    def list_request(self, board: Board, site: WorkdaySite, *, offset: int, page: int,
                     planned: int | None) -> scrapy.Request:
        limit = self.page_size(board)
        body = {"appliedFacets": {}, "limit": limit, "offset": offset, "searchText": ""}
        meta = {"workday": site, "offset": offset, "page": page, "limit": limit,
                "planned": planned}
        return self.json_request(site.jobs_url, self.parse_list, board, body=body,
                                 listing=True, meta=meta)

    def parse_list(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        site: WorkdaySite = response.meta["workday"]
        offset: int = response.meta["offset"]
        page: int = response.meta["page"]
        data = self.load_json(response, board, listing=True)
        if data is None:
            return
        postings = data.get("jobPostings") if isinstance(data, dict) else None
        if postings is None and isinstance(data, dict) and "total" in data \
                and not _int(data.get("total")):
            postings = []
        if not isinstance(postings, list):
            self.problem(board, "unexpected_shape",
                         f"{response.url} (offset {offset}) has no jobPostings list",
                         incomplete=True)
            return
        self.listing_read(board)
        planned: int | None = response.meta.get("planned")
        if page == 1:
            total = _int(data.get("total"))
            planned = total if total else None
            if total and total >= RESULT_CAP:
                self.problem(board, "result_cap", f"the first page reports {total} postings: "
                             f"Workday lists at most {RESULT_CAP}, so some may be unseen",
                             incomplete=True)
        for entry in postings:
            yield from self.listing_entry(entry, board, site)
        if not postings:
            if planned and offset < planned:
                self.problem(board, "beyond_last_page",
                             f"the page at offset {offset} is empty although the first page "
                             f"reported {planned} postings")
            elif offset == 0:
                self.logger.info("[%s] the board lists no postings", board.source)
            return
        next_offset = offset + len(postings)
        if len(postings) < response.meta["limit"] or (planned and next_offset >= planned):
            return
        if page >= (_int(board.option("max_pages", DEFAULT_MAX_PAGES)) or DEFAULT_MAX_PAGES):
            self.problem(board, "page_cap", f"stopped after {page} list pages (max_pages); "
                         "the board lists more", incomplete=True)
            return
        yield self.list_request(board, site, offset=next_offset, page=page + 1, planned=planned)

    def listing_entry(self, entry: Any, board: Board, site: WorkdaySite) -> Iterator[Any]:
        if not isinstance(entry, dict):
            self.problem(board, "unexpected_shape", f"a list entry is not an object: {entry!r:.80}",
                         incomplete=True)
            return
        fields = listing_fields(entry, site)
        path = fields["extra"].get("external_path")
        yield from self.detail_or_sighting(
            board, fields, site.detail_url(path) if path else None, self.parse_detail,
            meta={"workday": site, "entry": entry}, headers={"Accept": "application/json"})

    def parse_detail(self, response: Response) -> Iterator[JobPosting]:
        board: Board = response.meta["board"]
        site: WorkdaySite = response.meta["workday"]
        entry: dict[str, Any] = response.meta["entry"]
        data = self.load_json(response, board)
        if data is None:
            yield self.listing_only(response.meta["fallback"], reason="unreadable")
            return
        fields = detail_fields(data, entry, site) if isinstance(data, dict) else None
        if fields is None:
            self.problem(board, "unexpected_shape", f"{response.url} has no jobPostingInfo")
            yield self.listing_only(response.meta["fallback"], reason="unexpected_shape")
            return
        yield self.posting(board, **fields)

