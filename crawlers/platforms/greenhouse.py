"""Greenhouse Job Board API: a whole board in one list call, pay on the per-job detail.

- List: ``GET https://boards-api.greenhouse.io/v1/boards/{token}/jobs?content=true``. No paging:
  one call returns every posting and ``meta.total``. ``content`` is the description as HTML,
  entity-escaped once in real data (twice in the vendor's docs example); ``title`` may carry
  trailing spaces; ``location.name`` is free text; custom fields sit in ``metadata[]``.
- Detail: ``GET .../jobs/{id}?pay_transparency=true`` adds ``pay_input_ranges[]`` =
  ``{min_cents, max_cents, currency_type, title, blurb}`` (cents, no period field). It is
  fetched only for postings that are new or whose ``updated_at`` changed since the stored copy;
  an unchanged posting is emitted from the list with ``detail_skipped=True``.
- A detail that fails (HTTP error, timeout, bad JSON) is counted, and the posting is still
  emitted from the list data (it was seen) without ``source_updated_at``, so the next run
  fetches its detail again. A lost detail never makes the board's run partial.
- ``remote`` comes only from a custom field that flags it ("Workplace Type", "Location Type",
  "Remote"...); a location text such as "Remote, US" is left to normalize/.
- A board whose list says ``"jobs": []`` is a complete run with no postings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import scrapy
from scrapy.http import Response

from crawlers.platforms.base import BoardSpider
from crawlers.platforms.values import as_list, number, text
from crawlers.registry import Board
from crawlers.text import html_to_text, unescape

API = "https://boards-api.greenhouse.io/v1/boards"

EMPLOYMENT_FIELDS = ("employment type", "employment status", "job type", "type of employment",
                     "position type", "employment")
WORKPLACE_FIELDS = ("workplace type", "location type", "work location type", "workplace",
                    "remote", "remote status", "work arrangement", "remote eligible",
                    "is remote", "remote work")
_REMOTE_WORDS = {"remote", "fully remote", "remote only", "100% remote", "telecommute",
                 "work from home", "wfh", "yes", "true"}
_ONSITE_WORDS = {"on-site", "onsite", "on site", "in office", "in-office", "in person",
                 "in-person", "office", "office-based", "no", "false"}
_ESCAPED_TAG = re.compile(r"&(?:amp;)*lt;\s*/?\s*[a-zA-Z]")
_REAL_TAG = re.compile(r"<\s*/?\s*[a-zA-Z]")
_PERIOD_WORD = re.compile(
    r"\b(hour|hourly|hr|annual|annually|annum|year|yearly|month|monthly|week|weekly|day|daily)\b",
    re.IGNORECASE,
)


def board_token(board: str) -> str:
    """The board token from a token or a board URL (``boards.greenhouse.io/<token>``,
    ``job-boards.greenhouse.io/<token>``, ``.../embed/job_board?for=<token>``)."""
    value = board.strip()
    if "://" not in value:
        return value.strip("/")
    parts = urlsplit(value)
    wanted = parse_qs(parts.query).get("for")
    if wanted:
        return wanted[-1]
    segments = [s for s in parts.path.split("/") if s]
    if "boards" in segments and segments.index("boards") + 1 < len(segments):
        return segments[segments.index("boards") + 1]
    return segments[0] if segments else parts.netloc


def content_text(content: Any) -> str | None:
    """``content`` as plain text. Real boards escape the HTML once (``&lt;p&gt;``), the docs
    example twice (``&amp;lt;p&amp;gt;``): unescape until the markup shows, then strip it."""
    if not isinstance(content, str):
        return None
    for _ in range(3):
        if _REAL_TAG.search(content) or not _ESCAPED_TAG.search(content):
            break
        content = unescape(content)
    return html_to_text(content)


def custom_fields(metadata: Any) -> dict[str, Any]:
    """``metadata[]`` as ``{name: value}`` (values as sent: text, numbers, lists)."""
    fields: dict[str, Any] = {}
    for entry in as_list(metadata):
        if not isinstance(entry, dict):
            continue
        name = text(entry.get("name"))
        if name and entry.get("value") not in (None, "", []):
            fields[name] = entry.get("value")
    return fields


def _field_text(value: Any) -> str | None:
    if isinstance(value, list):
        parts = [t for t in (text(v) for v in value) if t]
        return ", ".join(parts) or None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return text(value)


def _lookup(fields: dict[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    lowered = {name.strip().lower(): (name, value) for name, value in fields.items()}
    for wanted in names:
        if wanted in lowered:
            return lowered[wanted]
    return None


def remote_flag(fields: dict[str, Any]) -> bool | None:
    """True/False only when a custom field flags the workplace; hybrid and anything else: None."""
    found = _lookup(fields, WORKPLACE_FIELDS)
    if found is None:
        return None
    values = found[1] if isinstance(found[1], list) else [found[1]]
    flags: set[bool] = set()
    for value in values:
        if isinstance(value, bool):
            flags.add(value)
            continue
        word = (text(value) or "").lower()
        if word in _REMOTE_WORDS:
            flags.add(True)
        elif word in _ONSITE_WORDS:
            flags.add(False)
        else:
            return None
    return flags.pop() if len(flags) == 1 else None


def pay_fields(ranges: Any) -> dict[str, Any]:
    """``pay_input_ranges`` → pay in dollars (cents / 100) from the first range with numbers.

    The API has no period field; the range's own title is used as ``pay_period`` only when it
    names a unit ("Hourly Pay Range", "Annual Salary"), otherwise the period stays None.
    """
    for entry in as_list(ranges):
        if not isinstance(entry, dict):
            continue
        low, high = number(entry.get("min_cents")), number(entry.get("max_cents"))
        if low is None and high is None:
            continue
        out: dict[str, Any] = {
            "pay_min": None if low is None else round(low / 100, 2),
            "pay_max": None if high is None else round(high / 100, 2),
        }
        currency = text(entry.get("currency_type"))
        if currency:
            out["pay_currency"] = currency
        title = text(entry.get("title"))
        if title and _PERIOD_WORD.search(title):
            out["pay_period"] = title
        return out
    return {}


def _names(values: Any) -> list[str]:
    names = []
    for value in as_list(values):
        name = text(value.get("name")) if isinstance(value, dict) else text(value)
        if name:
            names.append(name)
    return names


def _offices(values: Any) -> list[dict[str, str]]:
    offices = []
    for value in as_list(values):
        if isinstance(value, dict):
            office = {k: t for k in ("name", "location") if (t := text(value.get(k)))}
            if office:
                offices.append(office)
    return offices


def job_fields(job: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """Raw JobPosting fields from one Greenhouse job (list entry, or list merged with detail);
    ``description``, when given, is the text of this job's ``content``, already converted."""
    location = job.get("location")
    place = text(location.get("name")) if isinstance(location, dict) else text(location)
    metadata = custom_fields(job.get("metadata"))
    employment = _lookup(metadata, EMPLOYMENT_FIELDS)
    fields: dict[str, Any] = {
        "source_id": text(job.get("id")),
        "url": text(job.get("absolute_url")),
        "title": text(job.get("title")),
        "employer": text(job.get("company_name")),
        "location": place,
        "locations": [place] if place else None,
        "description": description if description is not None
        else content_text(job.get("content")),
        "posted_at": text(job.get("first_published")),
        "closes_at": text(job.get("application_deadline")),
        "employment_type": _field_text(employment[1]) if employment else None,
        "remote": remote_flag(metadata),
        "source_updated_at": text(job.get("updated_at")),
    }
    fields.update(pay_fields(job.get("pay_input_ranges")))
    extra: dict[str, Any] = {}
    for key in ("internal_job_id", "requisition_id", "language"):
        if text(job.get(key)):
            extra[key] = job[key]
    if departments := _names(job.get("departments")):
        extra["departments"] = departments
    if offices := _offices(job.get("offices")):
        extra["offices"] = offices
    if metadata:
        extra["metadata"] = metadata
    ranges = [r for r in as_list(job.get("pay_input_ranges")) if isinstance(r, dict)]
    if ranges:
        extra["pay_input_ranges"] = ranges
    fields["extra"] = extra
    return fields


class GreenhouseSpider(BoardSpider):
    """Greenhouse job boards (``boards-api.greenhouse.io``); the board is the board token."""

    platform = "greenhouse"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        token = board_token(board.board)
        yield self.request(f"{API}/{quote(token, safe='')}/jobs?content=true", self.parse_list,
                           board, listing=True, meta={"token": token})

    def parse_list(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        data = self.load_json(response, board, listing=True)
        if data is None:
            return
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            self.problem(board, "unexpected_shape",
                         f"{response.url}: no 'jobs' list in the response", incomplete=True)
            return
        self.listing_read(board)
        meta = data.get("meta")
        total = number(meta.get("total")) if isinstance(meta, dict) else None
        if total is not None and int(total) != len(jobs):
            self.problem(board, "total_mismatch",
                         f"{response.url}: meta.total is {int(total)} but {len(jobs)} jobs came")
        if not jobs:
            self.logger.info("[%s] the board lists no jobs (meta.total=%s)", board.source, total)
        token = response.meta.get("token") or board_token(board.board)
        for job in jobs:
            if not isinstance(job, dict):
                self.problem(board, "unexpected_shape", f"{response.url}: a job is not an object")
                continue
            yield from self.job_from_list(job, board, token)

    def job_from_list(self, job: dict[str, Any], board: Board, token: str) -> Iterator[Any]:
        fields = job_fields(job)
        job_id = fields["source_id"]
        url = (f"{API}/{quote(token, safe='')}/jobs/{quote(job_id, safe='')}?pay_transparency=true"
               if job_id else None)
        yield from self.detail_or_sighting(board, fields, url, self.parse_detail,
                                           meta={"listed_job": job})

    def parse_detail(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        listed: dict[str, Any] = response.meta["listed_job"]
        data = self.load_json(response, board)
        if data is not None and not isinstance(data, dict):
            self.problem(board, "unexpected_shape", f"{response.url}: the job is not an object")
            data = None
        if data is None:
            yield self.listing_only(response.meta["fallback"], reason="unreadable")
            return
        # The list's values win where it has them; the detail adds pay and fills the gaps.
        merged = {**data, **{k: v for k, v in listed.items() if v not in (None, "", [])}}
        # The list's content won: its text is the listing copy's (HTML to text is the
        # costliest step of a posting; it need not run twice).
        listed_text = (response.meta["fallback"].description
                       if merged.get("content") is listed.get("content") else None)
        yield self.posting(board, **job_fields(merged, listed_text))

