"""USAJOBS Search API (``GET https://data.usajobs.gov/api/search``): open federal announcements.

A board (``usajobs:peer-roles``) is a set of queries, not an employer: one ``Keyword`` query per
peer title variant of the taxonomy (``normalize.taxonomy.peer_search_terms()``; the board option
``keywords = [...]`` replaces that list) plus one ``JobCategoryCode`` query per occupational
series (option ``series``, default ``["0102"]``, the series of VA peer support specialists). Every
query asks for ``ResultsPerPage=500`` (the documented maximum) and ``WhoMayApply=All`` (status-only
announcements too) and is paged with ``Page=N`` up to ``SearchResult.UserArea.NumberOfPages`` (a
string), at most ``max_pages`` pages (default 20: the API serves 10,000 results per query). An
announcement found by several queries is emitted once per run, by ``MatchedObjectId`` (the control
number); the repeats are counted as ``repeated_in_run``.

Authentication: ``Authorization-Key: <USAJOBS_API_KEY>`` and ``User-Agent: <USAJOBS_EMAIL>`` (the
address the key was registered to), read from the Scrapy settings of those names, then from the
environment. Without both, every board is skipped with a clear message: the run is recorded as
skipped, not failed. The docs' ``Host: data.usajobs.gov`` header is what the HTTP client sends for
the real URL anyway; it is not set by hand, so an ``api_base`` mirror receives its own host.

Incremental runs: a search result carries the whole announcement (summary, duties,
qualifications, pay, dates), so there is no detail request to skip; every run reads the listing
pages only, and the API gives no last-modified stamp.
"""

from __future__ import annotations

import importlib
import math
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import scrapy
from scrapy.http import Response

from crawlers.platforms.base import BoardSpider
from crawlers.registry import Board
from crawlers.text import html_to_text

SEARCH_URL = "https://data.usajobs.gov/api/search"
PUBLIC_URL = "https://www.usajobs.gov/job/{control}"
RESULTS_PER_PAGE = 500
DEFAULT_SERIES = ("0102",)
DEFAULT_MAX_PAGES = 20
KEY_SETTING = "USAJOBS_API_KEY"
EMAIL_SETTING = "USAJOBS_EMAIL"

# developer.usajobs.gov code lists (positionscheduletypes, positionofferingtypes): the search
# result often sends ``"Name": ""`` with only the code.
SCHEDULE_NAMES = {"1": "Full-time", "2": "Part-time", "3": "Shift work", "4": "Intermittent",
                  "5": "Job sharing", "6": "Multiple schedules"}
OFFERING_NAMES = {"15317": "Permanent", "15318": "Temporary", "15319": "Term", "15320": "Detail",
                  "15321": "Temporary promotion", "15322": "Seasonal", "15323": "Summer",
                  "15326": "Recent graduates", "15327": "Multiple", "15328": "Internships"}
DESCRIPTION_SECTIONS = (("Summary", "JobSummary"), ("Duties", "MajorDuties"),
                        ("Qualifications", "QualificationSummary"),
                        ("Requirements", "Requirements"), ("Education", "Education"))

# -- raw value helpers (shared with the Historic JOA platform) ------------------------------


def text(value: Any) -> str | None:
    """A string value stripped, numbers as their text; None for empty or structured values."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float | str):
        cleaned = str(value).strip()
        return cleaned or None
    return None


def number(value: Any) -> float | None:
    """``"111234.0"``, ``111234`` or ``"$111,234"`` as a float; None when it is not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        cleaned = value.strip().replace(",", "").replace("$", "")
        if re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
            return float(cleaned)
    return None


def as_list(value: Any) -> list[Any]:
    """A list as given, one object as a list of one, nothing as an empty list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def flag(value: Any) -> bool | None:
    """True/False as the API writes them: JSON booleans, "True"/"False", "Y"/"N"."""
    if isinstance(value, bool):
        return value
    word = text(value)
    if word is None:
        return None
    return {"true": True, "y": True, "yes": True, "false": False, "n": False,
            "no": False}.get(word.lower())


def compact(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the values that say something (no None, empty strings or empty lists)."""
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def unique(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return out


def setting_or_env(settings: Mapping[str, Any], name: str) -> str | None:
    return text(settings.get(name)) or text(os.environ.get(name))


# -- search result items ---------------------------------------------------------------------


def _control_from_uri(uri: str | None) -> str | None:
    match = re.search(r"/(\d+)/?(?:[?#].*)?$", uri or "")
    return match.group(1) if match else None


def _location_text(place: Any) -> str | None:
    if not isinstance(place, dict):
        return text(place)
    name = text(place.get("LocationName"))
    if name:
        return name
    city, region = text(place.get("CityName")), text(place.get("CountrySubDivisionCode"))
    if city and region and region not in city:
        return f"{city}, {region}"
    return city or region or text(place.get("CountryCode"))


def _coordinates(places: list[Any]) -> list[dict[str, Any]]:
    out = []
    for place in places:
        if not isinstance(place, dict):
            continue
        lat, lon = number(place.get("Latitude")), number(place.get("Longitude"))
        if lat is not None and lon is not None:
            out.append({"location": _location_text(place), "latitude": lat, "longitude": lon})
    return out


def _coded(entries: list[Any], names: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(names, codes) of ``[{Name, Code}]``; an empty Name is read from the code list."""
    labels, codes = [], []
    for entry in entries:
        if isinstance(entry, dict):
            code, name = text(entry.get("Code")), text(entry.get("Name"))
        else:
            code, name = text(entry), None
        if code:
            codes.append(code)
        label = name or (names.get(code) if code else None) or code
        if label and label not in labels:
            labels.append(label)
    return labels, codes


def _section(value: Any) -> str | None:
    parts = [html_to_text(text(v)) for v in as_list(value)]
    joined = "\n".join(p for p in parts if p)
    return joined or None


def description_text(descriptor: Mapping[str, Any], details: Mapping[str, Any]) -> str | None:
    """The announcement's own sections as plain text, each under its USAJOBS heading."""
    blocks = []
    for heading, key in DESCRIPTION_SECTIONS:
        source = descriptor if key == "QualificationSummary" else details
        body = _section(source.get(key))
        if key == "Requirements":
            extra = _section(details.get("KeyRequirements"))
            body = "\n".join(p for p in (extra, body) if p) or None
        if body:
            blocks.append(f"{heading}\n{body}")
    return "\n\n".join(blocks) or None


def _pay(descriptor: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(item pay fields, extra) from ``PositionRemuneration[]`` (amounts are strings)."""
    entries = [e for e in as_list(descriptor.get("PositionRemuneration")) if isinstance(e, dict)]
    extra: dict[str, Any] = {}
    if len(entries) > 1:
        extra["remuneration"] = entries
    for entry in entries:
        low, high = number(entry.get("MinimumRange")), number(entry.get("MaximumRange"))
        if low is None and high is None:
            continue
        extra["pay_description"] = text(entry.get("Description"))
        return {
            "pay_min": low if low is not None else high,
            "pay_max": high if high is not None else low,
            "pay_period": text(entry.get("RateIntervalCode")) or text(entry.get("Description")),
            "pay_currency": "USD",
        }, extra
    return {}, extra


def item_fields(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Raw JobPosting fields of one ``SearchResultItems[]`` entry (no normalization)."""
    descriptor = entry.get("MatchedObjectDescriptor")
    descriptor = descriptor if isinstance(descriptor, dict) else {}
    user_area = descriptor.get("UserArea")
    details = user_area.get("Details") if isinstance(user_area, dict) else None
    details = details if isinstance(details, dict) else {}
    uri = text(descriptor.get("PositionURI"))
    control = text(entry.get("MatchedObjectId")) or _control_from_uri(uri)
    places = as_list(descriptor.get("PositionLocation"))
    locations = unique(_location_text(p) for p in places)
    display = text(descriptor.get("PositionLocationDisplay"))
    schedules, schedule_codes = _coded(as_list(descriptor.get("PositionSchedule")), SCHEDULE_NAMES)
    offerings, offering_codes = _coded(as_list(descriptor.get("PositionOfferingType")),
                                       OFFERING_NAMES)
    pay, pay_extra = _pay(descriptor)
    who = details.get("WhoMayApply")
    grades = [text(g.get("Code")) if isinstance(g, dict) else text(g)
              for g in as_list(descriptor.get("JobGrade"))]
    extra = compact({
        "position_id": text(descriptor.get("PositionID")),
        "department": text(descriptor.get("DepartmentName")),
        "sub_agency": text(details.get("SubAgencyName")),
        "job_categories": [c for c in as_list(descriptor.get("JobCategory"))
                           if isinstance(c, dict)],
        "pay_plans": unique(grades),
        "low_grade": text(details.get("LowGrade")),
        "high_grade": text(details.get("HighGrade")),
        "promotion_potential": text(details.get("PromotionPotential")),
        "hiring_paths": unique(text(p) for p in as_list(details.get("HiringPath"))),
        "who_may_apply": who if isinstance(who, dict) and any(text(v) for v in who.values())
        else None,
        "appointment_type": ", ".join(offerings) or None,
        "schedule_codes": schedule_codes,
        "offering_type_codes": offering_codes,
        "telework_eligible": flag(details.get("TeleworkEligible")),
        "total_openings": text(details.get("TotalOpenings")),
        "location_display": display if display and display not in locations[:1] else None,
        "coordinates": _coordinates(places),
        **pay_extra,
    })
    return {
        "source_id": control,
        "url": uri or (PUBLIC_URL.format(control=control) if control else None),
        "title": text(descriptor.get("PositionTitle")),
        "employer": text(descriptor.get("OrganizationName"))
        or text(descriptor.get("DepartmentName")),
        "location": locations[0] if locations else display,
        "locations": locations or ([display] if display else None),
        **pay,
        "description": description_text(descriptor, details),
        "posted_at": text(descriptor.get("PublicationStartDate")),
        "closes_at": text(descriptor.get("ApplicationCloseDate")),
        "employment_type": ", ".join(schedules) or None,
        "remote": flag(details.get("RemoteIndicator")),
        "extra": extra,
    }


def search_url(query: Mapping[str, str], page: int, per_page: int = RESULTS_PER_PAGE) -> str:
    params = {**query, "ResultsPerPage": str(per_page), "WhoMayApply": "All", "Page": str(page)}
    return f"{SEARCH_URL}?{urlencode(params, quote_via=quote)}"


def clean_terms(values: Iterable[Any]) -> list[str]:
    """Search terms stripped and deduplicated without regard to case, first spelling kept."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        term = text(value)
        if term and term.lower() not in seen:
            seen.add(term.lower())
            out.append(term)
    return out


# -- the spider base ---------------------------------------------------------------------------


class UsajobsSearchSpider(BoardSpider):
    """USAJOBS Search API boards: keyword and series queries, one item per announcement.

    Board options in sources.toml: ``keywords`` (list; default: every peer title variant of the
    taxonomy), ``series`` (list of occupational series, default ``["0102"]``), ``max_pages``
    (per query, default 20), ``results_per_page`` (default 500, the API's maximum).
    """

    platform = "usajobs"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def auth_headers(self) -> dict[str, str] | None:
        key = setting_or_env(self.settings, KEY_SETTING)
        email = setting_or_env(self.settings, EMAIL_SETTING)
        if not key or not email:
            return None
        return {"Authorization-Key": key, "User-Agent": email, "Accept": "application/json"}

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        if not setting_or_env(self.settings, KEY_SETTING):
            self.skip_board(board, f"no {KEY_SETTING} configured")
            return
        if not setting_or_env(self.settings, EMAIL_SETTING):
            self.skip_board(board, f"no {EMAIL_SETTING} configured (the API wants the "
                                   "registered email address as User-Agent)")
            return
        queries = self.queries(board)
        if not queries:
            self.problem(board, "board_error", "no keywords and no occupational series to query")
            return
        for query in queries:
            yield self.page_request(board, query, 1)

    def queries(self, board: Board) -> list[dict[str, str]]:
        keywords = board.option("keywords")
        if keywords is None:
            keywords = self.taxonomy_terms(board)
        series = board.option("series", list(DEFAULT_SERIES))
        return ([{"Keyword": k} for k in clean_terms(as_list(keywords))]
                + [{"JobCategoryCode": s} for s in clean_terms(as_list(series))])

    def taxonomy_terms(self, board: Board) -> list[str]:
        """Every peer title and alias of the taxonomy, imported only when a board needs them."""
        try:
            taxonomy = importlib.import_module("normalize.taxonomy")
            return clean_terms(taxonomy.peer_search_terms())
        except Exception as exc:  # a broken taxonomy must not sink the series query
            self.problem(board, "no_search_terms",
                         f"cannot read peer search terms from the taxonomy ({exc!r}); only the "
                         "occupational series are queried", incomplete=True)
            return []

    @staticmethod
    def per_page(board: Board) -> int:
        return int(board.option("results_per_page", RESULTS_PER_PAGE))

    def page_request(self, board: Board, query: dict[str, str], page: int) -> scrapy.Request:
        return self.request(search_url(query, page, self.per_page(board)), self.parse_search,
                            board, listing=True, meta={"query": query, "page": page},
                            headers=self.auth_headers())

    def page_count(self, board: Board, result: Mapping[str, Any], shown: int, url: str) -> int:
        user_area = result.get("UserArea")
        raw = user_area.get("NumberOfPages") if isinstance(user_area, dict) else None
        total = number(result.get("SearchResultCountAll"))
        count = number(raw)
        if count is not None:
            pages = int(count)
        elif total is not None:
            pages = math.ceil(total / self.per_page(board))
        else:
            pages = 1
            if shown >= self.per_page(board):
                self.problem(board, "missing_field", f"{url}: a full page without "
                             "NumberOfPages or SearchResultCountAll; later pages unknown",
                             incomplete=True)
        cap = int(board.option("max_pages", DEFAULT_MAX_PAGES))
        if pages > cap:
            self.problem(board, "page_cap", f"{url}: {pages} pages, reading the first {cap}",
                         incomplete=True)
            pages = cap
        return pages

    def parse_search(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        query: dict[str, str] = response.meta["query"]
        page: int = response.meta["page"]
        data = self.load_json(response, board, listing=True)
        if data is None:
            return
        result = data.get("SearchResult") if isinstance(data, dict) else None
        items = result.get("SearchResultItems") if isinstance(result, dict) else None
        if not isinstance(result, dict) or not isinstance(items, list):
            self.problem(board, "unexpected_shape", f"{response.url}: no "
                         "SearchResult.SearchResultItems list", incomplete=True)
            return
        self.listing_read(board)
        if page == 1:
            for number_ in range(2, self.page_count(board, result, len(items), response.url) + 1):
                yield self.page_request(board, query, number_)
        elif not items:
            self.problem(board, "beyond_last_page", f"{response.url}: page {page} is empty "
                         "(the result set shrank while it was read)")
        for entry in items:
            if not isinstance(entry, dict):
                self.problem(board, "unexpected_shape", f"{response.url}: a result item is "
                             f"{type(entry).__name__}, not an object", incomplete=True)
                continue
            fields = item_fields(entry)
            if fields["source_id"] and not self.first_sighting(board, fields["source_id"]):
                continue
            yield self.posting(board, **fields)
