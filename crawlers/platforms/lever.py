"""Lever Postings API: every field of every posting is in the paged list.

- List: ``GET https://api.lever.co/v0/postings/{site}?mode=json&skip=N&limit=M`` (EU sites:
  ``api.eu.lever.co``). The response is a bare JSON array with no total: pages are read one
  after another until a page is shorter than ``limit``. A page beyond the last one is an empty
  array, which simply ends the board (a board whose size is a multiple of ``limit`` ends so).
  An empty first page is a complete run with no postings.
- Board options in sources.toml: ``limit`` (page size, default 100), ``eu = true`` (the EU
  site), ``max_pages`` (a guard against a server that ignores ``skip``, default 200).
- Lever gives no update stamp, and the list already holds everything the detail endpoint
  would, so there is no detail request to skip on incremental runs: each run reads the pages.
- ``createdAt`` (epoch milliseconds) becomes ISO 8601 UTC; ``salaryRange`` gives pay with its
  ``interval`` as the period word; ``workplaceType`` flags remote (``remote`` → True,
  ``on-site`` → False, ``hybrid``/``unspecified`` → None; the raw value stays in ``extra``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import scrapy
from scrapy.http import Response

from crawlers.platforms.base import BoardSpider
from crawlers.platforms.values import as_list, number, text
from crawlers.registry import Board
from crawlers.text import html_to_text

HOSTS = {False: "api.lever.co", True: "api.eu.lever.co"}
DEFAULT_LIMIT = 100
DEFAULT_MAX_PAGES = 200
_REMOTE = {"remote": True, "on-site": False, "onsite": False, "on site": False}


def site_of(board: str) -> tuple[str, bool]:
    """``(site, eu)`` from a site name or a Lever URL (``jobs.lever.co/<site>``,
    ``jobs.eu.lever.co/<site>``, ``api.lever.co/v0/postings/<site>``)."""
    value = board.strip()
    if "://" not in value:
        return value.strip("/"), False
    parts = urlsplit(value)
    segments = [s for s in parts.path.split("/") if s]
    if segments[:2] == ["v0", "postings"]:
        segments = segments[2:]
    return (segments[0] if segments else parts.netloc), ".eu." in f".{parts.netloc}"


def epoch_ms_to_iso(value: Any) -> str | None:
    """Epoch milliseconds → ISO 8601 UTC with milliseconds (a lossless change of format)."""
    millis = number(value)
    if millis is None:
        return text(value)
    try:
        moment = datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return text(value)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def remote_flag(workplace: Any) -> bool | None:
    word = (text(workplace) or "").lower()
    return _REMOTE.get(word)


def pay_fields(posting: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    salary = posting.get("salaryRange")
    if isinstance(salary, dict):
        low, high = number(salary.get("min")), number(salary.get("max"))
        if low is not None or high is not None:
            out["pay_min"], out["pay_max"] = low, high
            if text(salary.get("interval")):
                out["pay_period"] = text(salary.get("interval"))
            if text(salary.get("currency")):
                out["pay_currency"] = text(salary.get("currency"))
    prose = text(posting.get("salaryDescriptionPlain"))
    if prose is None and isinstance(posting.get("salaryDescription"), str):
        prose = html_to_text(posting["salaryDescription"])
    if prose:
        out["pay_text"] = prose
    return out


def _html_or_plain(posting: dict[str, Any], key: str) -> str | None:
    markup = posting.get(key)
    if isinstance(markup, str) and markup.strip():
        return html_to_text(markup)
    return html_to_text(text(posting.get(f"{key}Plain")))


def description(posting: dict[str, Any]) -> str | None:
    """The description, each list under its heading, then the closing ("additional") text."""
    parts = [_html_or_plain(posting, "description")]
    for entry in as_list(posting.get("lists")):
        if not isinstance(entry, dict):
            continue
        heading = text(entry.get("text"))
        content = entry.get("content")
        body = html_to_text(f"<ul>{content}</ul>") if isinstance(content, str) else None
        parts.append("\n".join(p for p in (heading, body) if p) or None)
    parts.append(_html_or_plain(posting, "additional"))
    joined = "\n\n".join(p for p in parts if p)
    return joined or None


def posting_fields(posting: dict[str, Any]) -> dict[str, Any]:
    """Raw JobPosting fields from one Lever posting."""
    categories = posting.get("categories")
    categories = categories if isinstance(categories, dict) else {}
    primary = text(categories.get("location"))
    places = [primary] if primary else []
    for place in as_list(categories.get("allLocations")):
        name = text(place)
        if name and name not in places:
            places.append(name)
    workplace = text(posting.get("workplaceType"))
    fields: dict[str, Any] = {
        "source_id": text(posting.get("id")),
        "url": text(posting.get("hostedUrl")),
        "title": text(posting.get("text")),
        "location": places[0] if places else None,
        "locations": places or None,
        "description": description(posting),
        "posted_at": epoch_ms_to_iso(posting.get("createdAt")),
        "employment_type": text(categories.get("commitment")),
        "remote": remote_flag(workplace),
    }
    fields.update(pay_fields(posting))
    extra: dict[str, Any] = {}
    for key in ("team", "department", "level"):
        if text(categories.get(key)):
            extra[key] = text(categories.get(key))
    for key, name in (("country", "country"), ("workplaceType", "workplace_type"),
                      ("applyUrl", "apply_url")):
        if text(posting.get(key)):
            extra[name] = text(posting.get(key))
    fields["extra"] = extra
    return fields


class LeverSpider(BoardSpider):
    """Lever job sites (``api.lever.co``); the board is the Lever site name."""

    platform = "lever"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        site, eu_url = site_of(board.board)
        eu = bool(board.option("eu", False)) or eu_url
        limit = int(board.option("limit", DEFAULT_LIMIT))
        if limit < 1:
            raise ValueError(f"limit must be positive, got {limit}")
        yield self.page_request(board, site, eu, limit, 0)

    def page_request(self, board: Board, site: str, eu: bool, limit: int,
                     skip: int) -> scrapy.Request:
        url = (f"https://{HOSTS[eu]}/v0/postings/{quote(site, safe='')}"
               f"?mode=json&skip={skip}&limit={limit}")
        return self.request(url, self.parse_page, board, listing=True,
                            meta={"site": site, "eu": eu, "limit": limit, "skip": skip})

    def parse_page(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        data = self.load_json(response, board, listing=True)
        if data is None:
            return
        if isinstance(data, dict) and ("error" in data or data.get("ok") is False):
            self.problem(board, "api_error", f"{response.url}: {data.get('error')!r}",
                         incomplete=True)
            return
        if not isinstance(data, list):
            self.problem(board, "unexpected_shape",
                         f"{response.url}: expected a JSON array of postings", incomplete=True)
            return
        meta = response.meta
        limit, skip = int(meta["limit"]), int(meta["skip"])
        ids = [p.get("id") for p in data if isinstance(p, dict)]
        if skip and ids and ids == meta.get("previous_ids"):
            self.problem(board, "repeated_page", f"{response.url} repeats the previous page: the "
                         "server ignores skip; stopped", incomplete=True)
            return
        self.listing_read(board)
        if not data and skip == 0:
            self.logger.info("[%s] the site lists no postings", board.source)
        for posting in data:
            if not isinstance(posting, dict):
                self.problem(board, "unexpected_shape",
                             f"{response.url}: a posting is not an object")
                continue
            yield self.posting(board, **posting_fields(posting))
        if len(data) > limit:
            self.logger.info("[%s] %s returned %d postings for limit=%d: the whole site came at "
                             "once", board.source, response.url, len(data), limit)
            return
        if len(data) < limit:
            return
        page = skip // limit + 1
        max_pages = int(board.option("max_pages", DEFAULT_MAX_PAGES))
        if page >= max_pages:
            self.problem(board, "too_many_pages",
                         f"stopped after {page} pages of {limit} (max_pages)", incomplete=True)
            return
        following = self.page_request(board, meta["site"], bool(meta["eu"]), limit, skip + limit)
        following.meta["previous_ids"] = ids
        yield following
