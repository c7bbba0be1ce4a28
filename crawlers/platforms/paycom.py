"""Paycom applicant tracking: the career portal at ``www.paycomonline.net`` and its JSON service.

A board is the employer's 32-hex portal key (``clientkey``), as in sources.toml. The career page
is a client-rendered shell; the postings come from a separate JSON service it names:

1. ``GET https://www.paycomonline.net/v4/ats/web.php/portal/{KEY}/career-page`` embeds
   ``var configsFromHost = {"sessionJWT": "...", "libConfig": "{\\"atsPortalMantleServiceUrl\\":
   ...}"}``: ``libConfig`` is a JSON string inside the object (decoded twice); the service URL is
   also accepted at the top level. The host is read from the page, never assumed.
2. ``GET {service}api/ats/company-name`` → ``{"companyName": ...}`` (the employer; the registry's
   employer when it fails).
3. ``POST {service}api/ats/job-posting-previews/search`` with ``Authorization: {jwt}`` and the
   page's full ``filtersForQuery`` body (a bare ``{skip, take}`` lists nothing), paged by
   ``skip``/``take`` until ``skip >= jobPostingPreviewsCount`` or a page comes back empty.
4. ``GET {service}api/ats/job-postings/{jobId}`` → ``{"jobPosting": {...}}``: ``description`` and
   ``qualifications`` HTML, ``salaryRange`` text, ``positionType``, ``remoteType``, locations, and
   ``googleJobJson``, a schema.org JobPosting serialized as a string (decoded again; read with
   :func:`crawlers.platforms.jsonld.posting_fields`; a string that does not parse is counted and
   the rest of the posting kept).

The token is anonymous and short-lived, so it is read fresh on every run; a refused token (HTTP
401) is counted as ``stale_token``. robots.txt is obeyed per host like every request: a service
host whose robots.txt refuses the search is counted as ``robots_disallowed`` and the board fails.

Incremental signal: the preview carries no update stamp (``postedOn`` is ``""`` in every
capture), so ``source_updated_at`` is a digest of what the preview says (:func:`version_signal`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.items import JobPosting
from crawlers.platforms.base import BoardSpider
from crawlers.platforms.jsonld import format_address, posting_fields
from crawlers.platforms.pages import listing_signal as digest_of
from crawlers.platforms.pages import wall_kind
from crawlers.platforms.values import as_list, number, text
from crawlers.registry import Board
from crawlers.text import html_to_text

PORTAL = "https://www.paycomonline.net/v4/ats/web.php/portal"
PAGE_SIZE = 50
"""Previews asked for per search page (the page itself asks for 10; public clients 50-100)."""
DEFAULT_MAX_PAGES = 100
SERVICE_HOST_SUFFIX = ".paycomonline.net"
FILTERS: dict[str, Any] = {
    "distanceFrom": 0, "workEnvironments": [], "positionTypes": [], "educationLevels": [],
    "categories": [], "travelTypes": [], "shiftTypes": [], "otherFilters": [],
    "keywordSearchText": "", "location": "", "sortOption": "",
}
_KEY = re.compile(r"^[0-9A-Fa-f]{32}$")
_CONFIGS = re.compile(r"\bconfigsFromHost\s*=\s*")


def portal_key(board: str) -> str:
    """The 32-hex key of a board token or portal URL, upper case as real pages write it."""
    value = board.strip()
    if "://" in value:
        match = re.search(r"/portal/([0-9A-Fa-f]{32})(?:/|$)", value) \
            or re.search(r"clientkey=([0-9A-Fa-f]{32})", value)
        value = match.group(1) if match else ""
    if not _KEY.match(value):
        raise ValueError(f"{board!r} is not a 32-hex Paycom portal key")
    return value.upper()


def career_page_url(key: str) -> str:
    return f"{PORTAL}/{key}/career-page"


def public_url(key: str, job_id: str) -> str:
    return f"{PORTAL}/{key}/jobs/{job_id}"


def _json_value(value: Any) -> Any:
    """A value that may be JSON serialized as a string (``libConfig``, ``googleJobJson``)."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        return json.loads(value)
    return value


def read_configs(page: str) -> dict[str, Any] | None:
    """The ``configsFromHost`` object of a career page, or None when the page has none."""
    match = _CONFIGS.search(page)
    if not match:
        return None
    try:
        data, _ = json.JSONDecoder(strict=False).raw_decode(page, match.end())
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def service_url(configs: dict[str, Any]) -> str | None:
    """``atsPortalMantleServiceUrl`` from ``libConfig`` (a JSON string, or an object) or the top
    level; with a trailing slash so endpoints join below it."""
    found = None
    try:
        lib = _json_value(configs.get("libConfig"))
    except ValueError:
        lib = None
    if isinstance(lib, dict):
        found = text(lib.get("atsPortalMantleServiceUrl"))
    found = found or text(configs.get("atsPortalMantleServiceUrl"))
    if not found:
        return None
    return found if found.endswith("/") else f"{found}/"


def trusted_service(url: str) -> bool:
    """Only Paycom's own hosts receive the token (a page naming another host is not followed)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and (host == SERVICE_HOST_SUFFIX[1:]
                                        or host.endswith(SERVICE_HOST_SUFFIX))


def version_signal(preview: dict[str, Any]) -> str | None:
    """The incremental signal of a preview, stored as ``source_updated_at``.

    The search gives no update stamp and ``postedOn`` is empty in every capture. What the preview
    does show (title, position and remote type, locations, the description's opening words,
    ``postedOn``, ``isHotJob``) changes when the posting is edited in a way a reader of the list
    would see. An edit deep in the description alone is not seen; ``-s PEERJOBS_INCREMENTAL=0``
    refetches everything.
    """
    job_id = text(preview.get("jobId"))
    if not job_id:
        return None
    seen = [job_id, text(preview.get("jobTitle")), text(preview.get("positionType")),
            text(preview.get("remoteType")), text(preview.get("locations")),
            text(preview.get("description")), text(preview.get("postedOn")),
            preview.get("isHotJob") is True]
    return digest_of(*seen)


def remote_flag(remote_type: str | None) -> bool | None:
    """``remoteType`` as a flag, only for values that say so in words; single letters (R, H, O...)
    seen in one public client are unverified and left to normalize/ (the raw value is kept)."""
    if not remote_type or len(remote_type) < 3:
        return None
    value = remote_type.lower().replace("-", " ")
    if "hybrid" in value:
        return False
    if "remote" in value:
        return True
    if value.replace(" ", "") in ("onsite", "inoffice", "office", "onlocation"):
        return False
    return None


def _location_texts(values: Any) -> list[str]:
    out: list[str] = []
    for value in as_list(values):
        if isinstance(value, dict):
            value = value.get("location") or value.get("name") or value.get("description")
        found = text(value)
        if found and found not in out:
            out.append(found)
    return out


def preview_fields(preview: dict[str, Any], key: str) -> dict[str, Any]:
    """What one search preview says: enough for a sighting when the detail is skipped or lost."""
    job_id = text(preview.get("jobId"))
    locations = _location_texts(preview.get("locations"))
    remote_type = text(preview.get("remoteType"))
    extra = {"remote_type": remote_type, "is_hot_job": preview.get("isHotJob")
             if isinstance(preview.get("isHotJob"), bool) else None}
    return {
        "source_id": job_id,
        "url": public_url(key, job_id) if job_id else None,
        "title": text(preview.get("jobTitle")),
        "location": locations[0] if locations else None,
        "locations": locations or None,
        "posted_at": text(preview.get("postedOn")),
        "employment_type": text(preview.get("positionType")),
        "remote": remote_flag(remote_type),
        "source_updated_at": version_signal(preview),
        "extra": {k: v for k, v in extra.items() if v is not None},
    }


_GOOGLE_SCALARS = ("title", "identifier", "url", "datePosted", "validThrough", "employmentType")


def _salvage(raw: str) -> dict[str, Any] | None:
    """The top-level scalar fields that precede the cut in a ``googleJobJson`` cut short."""
    found: dict[str, Any] = {}
    for key in _GOOGLE_SCALARS:
        match = re.search(rf'"{key}"\s*:\s*("(?:[^"\\]|\\.)*")\s*[,}}]', raw)
        if match:
            try:
                found[key] = json.loads(match.group(1))
            except ValueError:
                continue
    return found or None


def google_job(posting: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """``googleJobJson`` decoded (None when absent), and the reason when it does not parse. A
    string cut short keeps the scalar fields written before the cut (``datePosted``...)."""
    raw = posting.get("googleJobJson")
    if isinstance(raw, dict):
        return raw, None
    if not isinstance(raw, str) or not raw.strip():
        return None, None
    try:
        data = json.loads(raw, strict=False)
    except ValueError as exc:
        return _salvage(raw), str(exc)
    return (data, None) if isinstance(data, dict) else (None, "not an object")


def _section(body: Any, heading: Any, default: str) -> str | None:
    content = html_to_text(body) if isinstance(body, str) else None
    if not content:
        return None
    return f"{text(heading) or default}\n{content}"


def detail_fields(data: Any, preview: dict[str, Any], key: str,
                  company: str | None) -> tuple[dict[str, Any] | None, str | None]:
    """Raw fields of one ``job-postings`` detail and its preview: (fields, googleJobJson error).
    Fields are None when the answer has no ``jobPosting`` object."""
    posting = data.get("jobPosting") if isinstance(data, dict) else None
    if not isinstance(posting, dict):
        return None, None
    listed = preview_fields(preview, key)
    google, google_error = google_job(posting)
    job_id = text(posting.get("jobId")) or listed["source_id"]
    url = public_url(key, job_id) if job_id else listed["url"]
    schema = posting_fields(google, url) if google else {}
    locations = _location_texts([posting.get("location"), *as_list(posting.get("secondaryLocations"))])
    locations = locations or listed["locations"] or []
    description = "\n\n".join(p for p in (
        html_to_text(posting["description"]) if isinstance(posting.get("description"), str)
        else None,
        _section(posting.get("qualifications"), posting.get("qualificationsTitle"),
                 "Qualifications"),
    ) if p) or schema.get("description")
    remote_type = text(posting.get("remoteType")) or listed["extra"].get("remote_type")
    remote = remote_flag(remote_type)
    if remote is None:
        remote = schema.get("remote")
    address = None
    if google and isinstance(google.get("jobLocation"), dict):
        address = format_address(google["jobLocation"].get("address"))
    organization = google.get("hiringOrganization") if google else None
    extra = {
        **listed["extra"],
        "remote_type": remote_type,
        "client_code": text(posting.get("clientCode")),
        "identifier": schema.get("source_id"),
        "job_category": text(posting.get("jobCategory")),
        "education_level": text(posting.get("educationLevel")),
        "travel_percentage": text(posting.get("travelPercentage")),
        "job_shift": text(posting.get("jobShift")),
        "level": text(posting.get("level")),
        "start_date": text(posting.get("startDate")),
        "end_date": text(posting.get("endDate")),
        "country_paid_in": text(posting.get("countryPaidIn")),
        "city": text(posting.get("city")),
        "address": address,
        "google_employment_type": schema.get("employment_type"),
        "hiring_organization": text(organization.get("name"))
        if isinstance(organization, dict) else None,
        "is_hot_job": posting["isHotJob"] if isinstance(posting.get("isHotJob"), bool)
        else listed["extra"].get("is_hot_job"),
        **{k: v for k, v in (schema.get("extra") or {}).items() if k in ("industry", "workHours")},
    }
    if google_error:
        extra["google_job_json_error"] = google_error
    fields: dict[str, Any] = {
        "source_id": job_id,
        "url": url,
        "title": text(posting.get("jobTitle")) or schema.get("title") or listed["title"],
        "employer": company,
        "location": locations[0] if locations else None,
        "locations": locations or None,
        "pay_text": text(posting.get("salaryRange")),
        "description": description,
        "posted_at": schema.get("posted_at") or listed["posted_at"],
        "closes_at": schema.get("closes_at"),
        "employment_type": text(posting.get("positionType")) or listed["employment_type"],
        "remote": remote,
        "source_updated_at": listed["source_updated_at"],
        "extra": {k: v for k, v in extra.items() if v is not None},
    }
    for name in ("pay_min", "pay_max", "pay_period", "pay_currency"):
        if schema.get(name) is not None:
            fields[name] = schema[name]
    if fields["pay_text"] is None and schema.get("pay_text"):
        fields["pay_text"] = schema["pay_text"]
    return fields, google_error


class PaycomSpider(BoardSpider):
    """Paycom career portals, one board per 32-hex portal key.

    Board options in sources.toml: ``page_size`` (previews per search page, default 50),
    ``max_pages`` (cap on search pages, default 100).
    """

    platform = "paycom"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            key = portal_key(board.board)
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        yield self.request(career_page_url(key), self.parse_career_page, board, listing=True,
                           meta={"paycom_key": key})

    def parse_career_page(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        key: str = response.meta["paycom_key"]
        page = response.text if isinstance(response, TextResponse) else ""
        configs = read_configs(page)
        jwt = text(configs.get("sessionJWT")) if configs else None
        service = service_url(configs) if configs else None
        if not configs or not jwt or not service:
            kind = wall_kind(page)
            if kind:
                self.problem(board, kind, f"{response.url} is a {kind.replace('_', ' ')} page, "
                             "not the career page", incomplete=True)
            else:
                missing = "configsFromHost" if not configs else "sessionJWT" if not jwt \
                    else "atsPortalMantleServiceUrl"
                self.problem(board, "missing_field", f"{response.url} has no {missing}; "
                             "cannot reach the job-posting service", incomplete=True)
            return
        if not trusted_service(service):
            self.problem(board, "untrusted_service", f"{response.url} names a job-posting "
                         f"service outside Paycom ({service}); not followed", incomplete=True)
            return
        state = {"key": key, "jwt": jwt, "service": service, "company": None}
        request = self.request(urljoin(service, "api/ats/company-name"), self.parse_company,
                               board, meta={"paycom": state, "sighted": True},
                               headers=self.auth_headers(jwt))
        yield request.replace(errback=self.on_company_error)

    def auth_headers(self, jwt: str) -> dict[str, str]:
        return {"Authorization": jwt, "Accept": "application/json"}

    def parse_company(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        state: dict[str, Any] = response.meta["paycom"]
        data = self.load_json(response, board)
        if data is not None:
            name = text(data.get("companyName")) if isinstance(data, dict) else None
            if name:
                state["company"] = name
            else:
                self.problem(board, "missing_field", f"{response.url} gives no companyName; "
                             "the registry's employer is used")
        yield self.search_request(board, state, skip=0, page=1)

    def on_company_error(self, failure: Failure) -> Iterator[Any]:
        """The employer name is a nicety: count its failure and list the postings anyway."""
        yield from self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]
        yield self.search_request(request.meta["board"], request.meta["paycom"], skip=0, page=1)

    def page_size(self, board: Board) -> int:
        wanted = number(board.option("page_size", PAGE_SIZE))
        return max(1, min(100, int(wanted))) if wanted else PAGE_SIZE

    def search_request(self, board: Board, state: dict[str, Any], *, skip: int,
                       page: int) -> scrapy.Request:
        take = self.page_size(board)
        body = {"skip": skip, "take": take, "filtersForQuery": dict(FILTERS)}
        return self.json_request(urljoin(state["service"], "api/ats/job-posting-previews/search"),
                                 self.parse_search, board, body=body, listing=True,
                                 meta={"paycom": state, "skip": skip, "take": take, "page": page},
                                 headers={"Authorization": state["jwt"]})

    def parse_search(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        state: dict[str, Any] = response.meta["paycom"]
        skip: int = response.meta["skip"]
        page: int = response.meta["page"]
        data = self.load_json(response, board, listing=True)
        if data is None:
            return
        previews = data.get("jobPostingPreviews") if isinstance(data, dict) else None
        if not isinstance(previews, list):
            self.problem(board, "unexpected_shape", f"{response.url} (skip {skip}) has no "
                         "jobPostingPreviews list", incomplete=True)
            return
        self.listing_read(board)
        count = number(data.get("jobPostingPreviewsCount"))
        for preview in previews:
            yield from self.preview(preview, board, state)
        if not previews:
            if count and skip < count:
                self.problem(board, "beyond_last_page", f"the search page at skip {skip} is "
                             f"empty although the service reports {int(count)} postings")
            elif skip == 0:
                self.logger.info("[%s] the portal lists no postings", board.source)
            return
        next_skip = skip + len(previews)
        if count is not None and next_skip >= count:
            return
        if count is None and len(previews) < response.meta["take"]:
            return
        if page >= (number(board.option("max_pages", DEFAULT_MAX_PAGES)) or DEFAULT_MAX_PAGES):
            self.problem(board, "page_cap", f"stopped after {page} search pages (max_pages); "
                         "the portal lists more", incomplete=True)
            return
        yield self.search_request(board, state, skip=next_skip, page=page + 1)

    def preview(self, preview: Any, board: Board, state: dict[str, Any]) -> Iterator[Any]:
        if not isinstance(preview, dict):
            self.problem(board, "unexpected_shape", f"a preview is not an object: {preview!r:.80}",
                         incomplete=True)
            return
        fields = preview_fields(preview, state["key"])
        job_id = fields["source_id"]
        yield from self.detail_or_sighting(
            board, {**fields, "employer": state["company"]},
            urljoin(state["service"], f"api/ats/job-postings/{job_id}"), self.parse_detail,
            meta={"paycom": state, "preview": preview}, headers=self.auth_headers(state["jwt"]))

    def parse_detail(self, response: Response) -> Iterator[JobPosting]:
        board: Board = response.meta["board"]
        state: dict[str, Any] = response.meta["paycom"]
        data = self.load_json(response, board)
        if data is None:
            yield self.listing_only(response.meta["fallback"], reason="unreadable")
            return
        fields, google_error = detail_fields(data, response.meta["preview"], state["key"],
                                             state["company"])
        if fields is None:
            self.problem(board, "unexpected_shape", f"{response.url} has no jobPosting object")
            yield self.listing_only(response.meta["fallback"], reason="unexpected_shape")
            return
        if google_error:
            self.problem(board, "malformed_google_job_json", f"{response.url}: googleJobJson "
                         f"does not parse ({google_error}); the posting is kept without it")
        yield self.posting(board, **fields)

    def on_error(self, failure: Failure) -> Iterator[JobPosting]:
        """A 401 is the session token being refused: counted as ``stale_token``."""
        exc = failure.value
        if not (isinstance(exc, HttpError) and exc.response.status == 401):
            yield from super().on_error(failure)
            return
        request = failure.request  # type: ignore[attr-defined]
        board: Board | None = request.meta.get("board")
        fallback: JobPosting | None = request.meta.get("fallback")
        sighted = bool(request.meta.get("sighted")) or fallback is not None
        self.problem(board, "stale_token", f"HTTP 401 for {request.url}: the career page's "
                     "session token was refused (stale or expired)", incomplete=not sighted)
        if fallback is not None:
            yield self.listing_only(fallback, reason="stale_token")
