"""USAJOBS Historic JOA API (``GET https://data.usajobs.gov/api/historicjoa``): every announcement
ever posted on USAJOBS, open or closed, without a key.

What can be asked: the API's only filters are ``HiringAgencyCodes``, ``HiringDepartmentCodes``,
``PositionSeries``, ``AnnouncementNumbers``, ``USAJOBSControlNumbers``,
``Start/EndPositionOpenDate`` and ``Start/EndPositionCloseDate`` (developer.usajobs.gov,
GET /api/HistoricJoa). There is no keyword or title filter, so a board crawls whole occupational
series (option ``series``, default ``["0102"]``, the series of VA peer support specialists) and
keeps every announcement in them; the normalizer decides which titles are peer roles. Option
``agency_codes`` (for instance ``["VATA"]``) narrows each series query to those hiring agencies,
one query per code.

Backfill, then cheap nightly runs: the first run reads windows of open dates, one calendar year
each, from ``since`` (default 2013-01-01: the docs name no first year; a public mirror of this API
holds announcements from late 2013 on, another service describes it as reaching back to 2017, so
the early years may be sparse; windows before the first announcement cost one 204 each) to today.
Once a run of the board has completed such a backfill (read from the stats files of earlier runs in
the archive), later runs read only the recent window, the last ``recent_days`` days of open dates
(default 90). Option ``backfill`` (``"auto"``, ``"always"`` or ``"never"``; also the spider
argument ``-a backfill=``) forces either mode. Each run records ``mode``, ``window_start`` and
``window_end`` in its board stats. A recent-window run sees only announcements opened in that
window, so the open and close dates (``posted_at``, ``closes_at``), not the sightings, say when a
backfilled announcement ran.

Paging: ``paging.next`` is followed as the API writes it (a relative URL whose parameter names are
lower-cased, e.g. ``/api/historicjoa?continuationtoken=...&positionseries=0102``); a filter it
leaves out is added back, and without ``next`` the ``paging.metadata.continuationToken`` is sent as
``continuationtoken``. HTTP 204 with an empty body is the API's "no announcements": a window read
completely with no items. Keys are looked up without regard to case (``hiringPaths``,
``hiringpaths`` and ``HiringPaths`` all occur), preferring a non-empty value when two spellings
are present, and an array may arrive as a single object.

Incremental runs: every field comes with the listing page; there is no detail request to skip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import scrapy
from scrapy.http import Response

from crawlers import config
from crawlers.platforms.base import BoardSpider, board_stat
from crawlers.platforms.usajobs import as_list, clean_terms, compact, number, text, unique
from crawlers.registry import Board

API_HOST = "https://data.usajobs.gov"
HISTORIC_URL = f"{API_HOST}/api/historicjoa"
PUBLIC_URL = "https://www.usajobs.gov/job/{control}"
DEFAULT_SERIES = ("0102",)
DEFAULT_SINCE = "2013-01-01"
DEFAULT_RECENT_DAYS = 90
DEFAULT_MAX_PAGES = 500
NO_CONTENT = b"204 No Content"

# Item fields kept in ``extra``: (extra name, API key).
EXTRA_FIELDS = (
    ("announcement_number", "announcementNumber"),
    ("hiring_agency_code", "hiringAgencyCode"),
    ("hiring_department_code", "hiringDepartmentCode"),
    ("hiring_department_name", "hiringDepartmentName"),
    ("hiring_subelement_name", "hiringSubelementName"),
    ("position_opening_status", "positionOpeningStatus"),
    ("position_expire_date", "positionExpireDate"),
    ("pay_scale", "payScale"),
    ("minimum_grade", "minimumGrade"),
    ("maximum_grade", "maximumGrade"),
    ("promotion_potential", "promotionPotential"),
    ("appointment_type", "appointmentType"),
    ("telework_eligible", "teleworkEligible"),
    ("supervisory_status", "supervisoryStatus"),
    ("total_openings", "totalOpenings"),
    ("who_may_apply", "whoMayApply"),
    ("service_type", "serviceType"),
    ("security_clearance", "securityClearance"),
    ("travel_requirement", "travelRequirement"),
    ("announcement_closing_type", "announcementClosingTypeDescription"),
)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def ci_get(obj: Any, *names: str) -> Any:
    """``obj[name]`` whatever the key's case; a non-empty value wins over an empty spelling."""
    if not isinstance(obj, dict):
        return None
    for name in names:
        if name in obj and not _empty(obj[name]):
            return obj[name]
    wanted = {n.lower() for n in names}
    fallback = None
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() in wanted:
            if not _empty(value):
                return value
            if fallback is None:
                fallback = value
    return fallback


def _inner(entries: Any, key: str) -> list[str]:
    """``[{key: value}]`` (or bare strings, or one object) as a list of values."""
    return unique(text(ci_get(e, key)) if isinstance(e, dict) else text(e)
                  for e in as_list(entries))


def location_texts(entries: Any) -> list[str]:
    """``positionLocations[]`` as "City, State" (the country is added outside the US)."""
    out = []
    for entry in as_list(entries):
        if not isinstance(entry, dict):
            out.append(text(entry))
            continue
        country = text(ci_get(entry, "positionLocationCountry"))
        parts = [text(ci_get(entry, "positionLocationCity")),
                 text(ci_get(entry, "positionLocationState")),
                 country if country not in ("United States", "USA", "US") else None]
        out.append(", ".join(p for p in parts if p) or None)
    return unique(out)


def historic_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """Raw JobPosting fields of one Historic JOA record (no normalization)."""
    control = text(ci_get(row, "usajobsControlNumber"))
    locations = location_texts(ci_get(row, "positionLocations"))
    low = number(ci_get(row, "minimumSalary"))
    high = number(ci_get(row, "maximumSalary"))
    pay: dict[str, Any] = {}
    if low is not None or high is not None:
        pay = {"pay_min": low if low is not None else high,
               "pay_max": high if high is not None else low,
               "pay_period": text(ci_get(row, "salaryType")), "pay_currency": "USD"}
    extra = compact({
        **{name: text(ci_get(row, key)) for name, key in EXTRA_FIELDS},
        "hiring_paths": _inner(ci_get(row, "hiringPaths"), "hiringPath"),
        "series": _inner(ci_get(row, "jobCategories"), "series"),
    })
    return {
        "source_id": control,
        "url": PUBLIC_URL.format(control=control) if control else None,
        "title": text(ci_get(row, "positionTitle")),
        "employer": text(ci_get(row, "hiringAgencyName"))
        or text(ci_get(row, "hiringDepartmentName")),
        "location": locations[0] if locations else None,
        "locations": locations or None,
        **pay,
        "posted_at": text(ci_get(row, "positionOpenDate")),
        "closes_at": text(ci_get(row, "positionCloseDate")),
        "employment_type": text(ci_get(row, "workSchedule")),
        "extra": extra,
    }


def year_windows(since: date, today: date) -> list[tuple[date, date]]:
    """Calendar-year windows of open dates from ``since`` to ``today``, both included."""
    windows = []
    start = since
    while start <= today:
        end = min(date(start.year, 12, 31), today)
        windows.append((start, end))
        start = end + timedelta(days=1)
    return windows


def _encode_token(token: str) -> str:
    """The continuation token as a query value; the API already writes it percent-encoded."""
    return token if re.search(r"%[0-9A-Fa-f]{2}", token) else quote(token, safe="")


def next_page_url(next_link: str | None, token: str | None, params: Mapping[str, str]) -> str:
    """The next page: the API's ``next`` (filters it dropped added back) or our query + token."""
    if next_link:
        parts = urlsplit(urljoin(HISTORIC_URL, next_link))
        query = parts.query
        present = {k.lower() for k, _ in parse_qsl(query, keep_blank_values=True)}
        missing = {k: v for k, v in params.items() if k.lower() not in present}
        pieces = [query] if query else []
        if missing:
            pieces.append(urlencode(missing))
        if token and "continuationtoken" not in present:
            pieces.append(f"continuationtoken={_encode_token(token)}")
        return f"{API_HOST}{parts.path or '/api/historicjoa'}?{'&'.join(pieces)}"
    return f"{HISTORIC_URL}?{urlencode(params)}&continuationtoken={_encode_token(token or '')}"


def _token_in(link: str | None) -> str | None:
    if not link:
        return None
    for key, value in parse_qsl(urlsplit(link).query, keep_blank_values=True):
        if key.lower() == "continuationtoken":
            return value or None
    return None


def _as_date(value: Any, default: str) -> date:
    raw = text(value) or default
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return date.fromisoformat(default)


class UsajobsHistoricJoaSpider(BoardSpider):
    """USAJOBS Historic JOA boards: whole occupational series by windows of open dates.

    Board options in sources.toml: ``series`` (default ``["0102"]``), ``agency_codes`` (hiring
    agency codes, one query each), ``since`` (first open date of the backfill, default
    2013-01-01), ``recent_days`` (nightly window, default 90), ``backfill`` (``auto``, ``always``
    or ``never``), ``max_pages`` (per window and series, default 500).
    """

    platform = "usajobs_historic"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    # -- which windows ----------------------------------------------------------------------

    def backfill_mode(self, board: Board) -> str:
        wanted = text(getattr(self, "backfill", None)) or text(board.option("backfill")) or "auto"
        return {"yes": "always", "true": "always", "1": "always", "no": "never",
                "false": "never", "0": "never"}.get(wanted.lower(), wanted.lower())

    def backfilled_before(self, board: Board, since: date) -> bool:
        """Whether an earlier run of this board completed a backfill reaching back to ``since``."""
        folder = Path(self.archive_dir) / self.name
        for path in sorted(folder.glob("*.stats.json")):
            if path.name == f"{self.run_id}.stats.json":
                continue
            try:
                payload = json.loads(path.read_text(encoding="utf-8"))
                entry = payload["boards"][board.source]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if isinstance(entry, dict) and entry.get("status") == "complete" \
                    and entry.get("mode") == "backfill" \
                    and str(entry.get("window_start") or "9999") <= since.isoformat():
                return True
        return False

    def windows(self, board: Board) -> tuple[str, list[tuple[date, date]]]:
        today = config.now(self.settings).date()
        since = _as_date(board.option("since"), DEFAULT_SINCE)
        mode = self.backfill_mode(board)
        if mode == "always" or (mode != "never" and not self.backfilled_before(board, since)):
            return "backfill", year_windows(min(since, today), today)
        days = int(board.option("recent_days", DEFAULT_RECENT_DAYS))
        return "recent", [(today - timedelta(days=days), today)]

    def queries(self, board: Board) -> list[dict[str, str]]:
        series = clean_terms(as_list(board.option("series", list(DEFAULT_SERIES))))
        agencies = clean_terms(as_list(board.option("agency_codes")))
        if not agencies:
            return [{"PositionSeries": s} for s in series]
        if not series:
            return [{"HiringAgencyCodes": a} for a in agencies]
        return [{"PositionSeries": s, "HiringAgencyCodes": a} for s in series for a in agencies]

    # -- requests ------------------------------------------------------------------------------

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        queries = self.queries(board)
        if not queries:
            self.problem(board, "board_error", "no occupational series or agency codes to query")
            return
        mode, windows = self.windows(board)
        stats = self.crawler.stats
        stats.set_value(board_stat(board.source, "mode"), mode)
        stats.set_value(board_stat(board.source, "window_start"), windows[0][0].isoformat())
        stats.set_value(board_stat(board.source, "window_end"), windows[-1][1].isoformat())
        for start, end in windows:
            for query in queries:
                params = {**query, "StartPositionOpenDate": start.isoformat(),
                          "EndPositionOpenDate": end.isoformat()}
                yield self.request(f"{HISTORIC_URL}?{urlencode(params)}", self.parse_page, board,
                                   listing=True, meta={"params": params, "page": 1, "tokens": []})

    def parse_page(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        params: dict[str, str] = response.meta["params"]
        body = response.body.strip()
        # HTTP 204 is the API's "no announcements" (and one client reports a 200 saying so);
        # an empty 200 is no answer at all: counted as empty_body, the window unread.
        if response.status == 204 or body == NO_CONTENT:
            self.listing_read(board)
            self.crawler.stats.inc_value(board_stat(board.source, "empty_windows"))
            return
        data = self.load_json(response, board, listing=True)
        if data is None:
            return
        rows = ci_get(data, "data")
        paging = ci_get(data, "paging")
        if not isinstance(data, dict) or (rows is None and paging is None) \
                or not isinstance(rows, list | dict | type(None)):
            self.problem(board, "unexpected_shape", f"{response.url}: no data array",
                         incomplete=True)
            return
        self.listing_read(board)
        rows = as_list(rows)
        for row in rows:
            if not isinstance(row, dict):
                self.problem(board, "unexpected_shape", f"{response.url}: a record is "
                             f"{type(row).__name__}, not an object", incomplete=True)
                continue
            fields = historic_fields(row)
            if fields["source_id"] and not self.first_sighting(board, fields["source_id"]):
                continue
            yield self.posting(board, **fields)
        follow = self.next_request(response, board, paging, params, bool(rows))
        if follow is not None:
            yield follow

    def next_request(self, response: Response, board: Board, paging: Any,
                     params: dict[str, str], had_rows: bool) -> scrapy.Request | None:
        metadata = ci_get(paging, "metadata")
        link = text(ci_get(paging, "next"))
        token = text(ci_get(metadata, "continuationToken")) or _token_in(link)
        if not link and not token:
            return None
        if not had_rows:
            self.problem(board, "beyond_last_page", f"{response.url}: an empty page still "
                         "points to a next page; stopping")
            return None
        tokens: list[str] = response.meta["tokens"]
        marker = token or link or ""
        if marker in tokens:
            self.problem(board, "pagination_loop", f"{response.url}: continuation token "
                         "repeats; stopping", incomplete=True)
            return None
        page = int(response.meta["page"]) + 1
        if page > int(board.option("max_pages", DEFAULT_MAX_PAGES)):
            self.problem(board, "page_cap", f"{response.url}: more than {page - 1} pages in "
                         "one window; stopping", incomplete=True)
            return None
        return self.request(next_page_url(link, token, params), self.parse_page, board,
                            listing=True, meta={"params": params, "page": page,
                                                "tokens": [*tokens, marker]})
