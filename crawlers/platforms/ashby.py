"""Ashby Posting API: a whole job board, with compensation, in one call.

- ``GET https://api.ashbyhq.com/posting-api/job-board/{board}?includeCompensation=true`` returns
  ``{"apiVersion": "1", "jobs": [...]}``; no paging. An unknown board answers 404 (the board's
  run fails); ``"jobs": []`` is a complete run with no postings.
- Pay: the ``Salary`` entry of ``compensation.summaryComponents[]`` (``{compensationType,
  interval, currencyCode, minValue, maxValue}``, seen in real captures next to equity entries
  with null values, in any order) gives pay_min/max, ``interval`` ("1 YEAR", "1 HOUR") as the
  period and ``currencyCode``. Without it, a single compensation tier's Salary component is
  used; failing that, the summary text (``scrapeableCompensationSalarySummary``, else
  ``compensationTierSummary``) becomes ``pay_text``. An employer that set
  ``shouldDisplayCompensationOnJobPostings`` to false gets no pay from us.
- ``isListed: false`` postings are not on the public board (reachable only by direct link):
  they are skipped and counted as ``unlisted_skipped`` in the board's stats.
- ``remote``: ``workplaceType`` Remote → True, OnSite → False, Hybrid → None; when it is null,
  ``isRemote`` true/false decides; both null → None.
- No update stamp and no detail request: every run reads the one board response.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import scrapy
from scrapy.http import Response

from crawlers.platforms.base import BoardSpider, board_stat
from crawlers.platforms.values import as_list, number, text
from crawlers.registry import Board
from crawlers.text import html_to_text

API = "https://api.ashbyhq.com/posting-api/job-board"
_LI_P_OPEN = re.compile(r"(<li\b[^>]*>)\s*<p\b[^>]*>", re.IGNORECASE)
_LI_P_CLOSE = re.compile(r"</p>\s*(</li>)", re.IGNORECASE)
_WORKPLACE = {"remote": True, "onsite": False, "on-site": False, "hybrid": None}


def board_name(board: str) -> str:
    """The job-board name from a name or a URL (``jobs.ashbyhq.com/<name>``,
    ``api.ashbyhq.com/posting-api/job-board/<name>``)."""
    value = board.strip()
    if "://" not in value:
        return value.strip("/")
    segments = [s for s in urlsplit(value).path.split("/") if s]
    if segments[:2] == ["posting-api", "job-board"]:
        segments = segments[2:]
    return segments[0] if segments else value


def description_text(markup: Any, plain: Any) -> str | None:
    """``descriptionHtml`` as text (else ``descriptionPlain``). Ashby wraps every list item in a
    paragraph (``<li><p>...</p></li>``); the paragraph is unwrapped so an item stays one line."""
    if isinstance(markup, str) and markup.strip():
        return html_to_text(_LI_P_CLOSE.sub(r"\1", _LI_P_OPEN.sub(r"\1", markup)))
    return html_to_text(text(plain))


def postal_text(address: Any) -> str | None:
    """``address.postalAddress`` as one line (locality, region, country), blanks skipped."""
    postal = address.get("postalAddress") if isinstance(address, dict) else None
    if not isinstance(postal, dict):
        return None
    parts = [text(postal.get(k)) for k in ("addressLocality", "addressRegion", "addressCountry")]
    return ", ".join(p for p in parts if p) or None


def _place(value: Any) -> str | None:
    if isinstance(value, dict):
        return (text(value.get("location")) or text(value.get("locationName"))
                or text(value.get("name")) or postal_text(value.get("address")))
    return text(value)


def salary_component(compensation: dict[str, Any]) -> dict[str, Any] | None:
    """The Salary component with numbers: from summaryComponents, else from the only tier."""
    candidates = as_list(compensation.get("summaryComponents"))
    if not candidates:
        tiers = [t for t in as_list(compensation.get("compensationTiers")) if isinstance(t, dict)]
        candidates = as_list(tiers[0].get("components")) if len(tiers) == 1 else []
    for component in candidates:
        if not isinstance(component, dict):
            continue
        kind = (text(component.get("compensationType")) or "").lower()
        if kind == "salary" and (number(component.get("minValue")) is not None
                                 or number(component.get("maxValue")) is not None):
            return component
    return None


def pay_fields(job: dict[str, Any]) -> dict[str, Any]:
    compensation = job.get("compensation")
    if not isinstance(compensation, dict) or job.get("shouldDisplayCompensationOnJobPostings") \
            is False:
        return {}
    out: dict[str, Any] = {}
    component = salary_component(compensation)
    if component is not None:
        out["pay_min"] = number(component.get("minValue"))
        out["pay_max"] = number(component.get("maxValue"))
        if text(component.get("interval")):
            out["pay_period"] = text(component.get("interval"))
        if text(component.get("currencyCode")):
            out["pay_currency"] = text(component.get("currencyCode"))
        return out
    summary = (text(compensation.get("scrapeableCompensationSalarySummary"))
               or text(compensation.get("compensationTierSummary")))
    if summary:
        out["pay_text"] = summary
    return out


def remote_flag(job: dict[str, Any]) -> bool | None:
    workplace = text(job.get("workplaceType"))
    if workplace is not None:
        return _WORKPLACE.get(workplace.lower().replace(" ", ""))
    flag = job.get("isRemote")
    return flag if isinstance(flag, bool) else None


def job_fields(job: dict[str, Any]) -> dict[str, Any]:
    """Raw JobPosting fields from one Ashby job."""
    primary = text(job.get("location")) or postal_text(job.get("address"))
    places = [primary] if primary else []
    for secondary in as_list(job.get("secondaryLocations")):
        place = _place(secondary)
        if place and place not in places:
            places.append(place)
    fields: dict[str, Any] = {
        "source_id": text(job.get("id")),
        "url": text(job.get("jobUrl")),
        "title": text(job.get("title")),
        "location": places[0] if places else None,
        "locations": places or None,
        "description": description_text(job.get("descriptionHtml"), job.get("descriptionPlain")),
        "posted_at": text(job.get("publishedAt")),
        "employment_type": text(job.get("employmentType")),
        "remote": remote_flag(job),
        "source_updated_at": text(job.get("updatedAt")),
    }
    fields.update(pay_fields(job))
    extra: dict[str, Any] = {}
    for key, name in (("department", "department"), ("team", "team"),
                      ("workplaceType", "workplace_type"), ("applyUrl", "apply_url")):
        if text(job.get(key)):
            extra[name] = text(job.get(key))
    if isinstance(job.get("isRemote"), bool):
        extra["is_remote"] = job["isRemote"]
    address = job.get("address")
    if isinstance(address, dict) and isinstance(address.get("postalAddress"), dict):
        extra["postal_address"] = address["postalAddress"]
    compensation = job.get("compensation")
    if isinstance(compensation, dict):
        for key, name in (("compensationTierSummary", "compensation_tier_summary"),
                          ("scrapeableCompensationSalarySummary", "compensation_salary_summary")):
            if text(compensation.get(key)):
                extra[name] = text(compensation.get(key))
        components = [c for c in as_list(compensation.get("summaryComponents"))
                      if isinstance(c, dict)]
        if components:
            extra["compensation_components"] = components
    if job.get("shouldDisplayCompensationOnJobPostings") is False:
        extra["compensation_hidden"] = True
    fields["extra"] = extra
    return fields


class AshbySpider(BoardSpider):
    """Ashby job boards (``api.ashbyhq.com``); the board is the job-board name."""

    platform = "ashby"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        name = board_name(board.board)
        yield self.request(f"{API}/{quote(name, safe='')}?includeCompensation=true",
                           self.parse_board, board, listing=True)

    def parse_board(self, response: Response) -> Iterator[Any]:
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
        if not jobs:
            self.logger.info("[%s] the board lists no jobs", board.source)
        unlisted = 0
        for job in jobs:
            if not isinstance(job, dict):
                self.problem(board, "unexpected_shape", f"{response.url}: a job is not an object")
                continue
            if job.get("isListed") is False:
                unlisted += 1
                continue
            yield self.posting(board, **job_fields(job))
        if unlisted:
            self.crawler.stats.inc_value(board_stat(board.source, "unlisted_skipped"), unlisted)
            self.logger.info("[%s] %d unlisted job(s) skipped", board.source, unlisted)
