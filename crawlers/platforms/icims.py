"""iCIMS career portals (``https://<prefix>-<tenant>.icims.com``): server-rendered search pages,
JSON-LD on posting pages.

A board is the portal URL; host prefixes vary (``careers-``, ``jobs-``, ``careersat-``,
``hospital-``...). A board on another host (an employer page that embeds the portal) is read
as a wrapper: its ``<iframe src=...icims.com...>`` is followed. Board option ``start_url``
starts from such a wrapper page for an iCIMS board too.

- Search: ``GET {portal}/jobs/search?ss=1&in_iframe=1&pr={page}`` (``pr`` counts from 0).
  Results are cards ``ul.iCIMS_JobsTable > li.iCIMS_JobCardItem`` (the current template), rows
  ``div.iCIMS_JobsTable > div.row`` or a ``table.iCIMS_JobsTable`` (older templates). Each card
  links ``/jobs/{id}/{slug}/job`` and carries tenant-defined header fields
  (``dl.iCIMS_JobHeaderGroup``: "ID", "Job Location" as ``US-IL-Chicago``, "Position Type"...).
  Paging goes on while the pager (``.iCIMS_Pager``, ``.iCIMS_Paging``, ``a.iCIMS_Pager_Next``,
  "Page 1 of N") offers a next page, up to the board option ``max_pages`` (default 100).
- Detail: ``GET {portal}/jobs/{id}/{slug}/job?in_iframe=1`` gives a JobPosting in JSON-LD and
  the header fields again (Pay Range, Position Type, Shift, Requisition ID...). ``validThrough``
  is synthetic (1 to 3 years after ``datePosted``): it is kept raw in ``extra``, never as
  ``closes_at``. ``baseSalary`` can be a bare MonetaryAmount without a unit; the header's
  "Pay Range" text is kept as ``pay_text``. ``"UNAVAILABLE"`` placeholders are dropped.
- The posting id is the ``/jobs/{id}/`` of the URL. The header "Requisition ID"/"ID" is
  another string (``26-49315``), kept in ``extra``.

Pages that stand in for the content are counted, never parsed: a "Human Verification" page
or HTTP 405 (``bot_challenge``), a login wall (``login_wall``), "access denied"
(``access_denied``). An expired posting redirects to the search page: a detail answer at
another URL, or with search cards and no JSON-LD, is counted as ``expired_redirect`` and, like
a 404 (``detail_gone``), keeps the search card's copy as a sighting: only absence from a complete
search closes a posting. The incremental signal is a digest of the card (:func:`card_signal`):
search pages carry no update stamp.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.platforms.base import BoardSpider
from crawlers.platforms.jsonld import jobpostings_in_html, posting_fields
from crawlers.platforms.pages import (
    blocked_page,
    listing_signal,
    node_text,
    says_no_postings,
    squash,
    without_params,
)
from crawlers.platforms.values import number
from crawlers.registry import Board
from crawlers.text import html_to_text

DEFAULT_MAX_PAGES = 100
CHALLENGE_STATUS = 405
PLACEHOLDER = "UNAVAILABLE"
_JOB_ID = re.compile(r"/jobs/(\d+)(?:/|$)")
_PAGE_OF = re.compile(r"\bPage\s+(\d+)\s+of\s+(\d+)\b", re.IGNORECASE)
_PR = re.compile(r"[?&]pr=(\d+)")
LOCATION_LABELS = ("job location", "job locations", "location", "locations", "job location(s)",
                   "work location")
TYPE_LABELS = ("position type", "employment type", "job type", "type", "employment status")
REQUISITION_LABELS = ("requisition id", "id", "job id", "req id", "requisition number",
                      "job number")
PAY_LABELS = ("pay range", "pay rate", "salary range", "pay", "salary", "compensation",
              "hourly rate", "wage", "pay scale", "hiring range")


def portal_of(board: str) -> str:
    """``https://host`` of a portal URL (the scheme defaults to https)."""
    text = board.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    return f"{parts.scheme or 'https'}://{(parts.hostname or '').lower()}"


def is_portal(url: str) -> bool:
    host = (urlsplit(url if "://" in url else f"https://{url}").hostname or "").lower()
    return host.endswith(".icims.com")


def search_url(portal: str, page: int) -> str:
    return f"{portal}/jobs/search?ss=1&in_iframe=1&pr={page}"


def job_id_of(url: str | None) -> str | None:
    if not url:
        return None
    found = _JOB_ID.search(urlsplit(url).path)
    return found.group(1) if found else None


def detail_url(url: str) -> str:
    """The posting page as the portal serves it inside its iframe: ``in_iframe=1`` once."""
    base = url.split("#", 1)[0]
    query = urlsplit(base).query
    if re.search(r"(?:^|&)in_iframe=1(?:&|$)", query):
        return base
    return f"{base}{'&' if query else '?'}in_iframe=1"


def public_url(url: str) -> str:
    """The posting's own page: the URL without ``in_iframe`` (and without a fragment)."""
    return without_params(url, ["in_iframe"])


def _drop_placeholders(value: Any) -> Any:
    """JSON-LD with iCIMS's ``"UNAVAILABLE"`` placeholders removed (they mean "no value")."""
    if isinstance(value, dict):
        return {k: _drop_placeholders(v) for k, v in value.items()
                if not (isinstance(v, str) and v.strip().upper() == PLACEHOLDER)}
    if isinstance(value, list):
        return [_drop_placeholders(v) for v in value]
    return value


def header_fields(node: Selector) -> dict[str, str]:
    """Label → value of every ``dl.iCIMS_JobHeaderGroup`` pair under ``node``.

    A label with an icon carries its text in ``span.field-label`` (screen-reader only).
    """
    fields: dict[str, str] = {}
    for dt in node.css("dl.iCIMS_JobHeaderGroup dt, dt.iCIMS_JobHeaderField"):
        label = squash(" ".join(dt.css(".field-label ::text").getall())) \
            or node_text(dt, skip_sr_only=False)
        dd = dt.xpath("following-sibling::dd[1]")
        value = node_text(dd[0]) if dd else None
        if label and value and label not in fields:
            fields[label] = value
    return fields


def lookup(fields: dict[str, str], labels: tuple[str, ...]) -> str | None:
    lowered = {k.strip().lower().rstrip(":"): v for k, v in fields.items()}
    for label in labels:
        if lowered.get(label):
            return lowered[label]
    return None


def card_nodes(selector: Selector) -> list[Selector]:
    """Result cards in whichever search template the portal uses."""
    for css in ("li.iCIMS_JobCardItem", ".iCIMS_JobsTable > div.row",
                ".iCIMS_JobsTable > .row", "table.iCIMS_JobsTable tr", ".iCIMS_JobsTable tr"):
        nodes = [n for n in selector.css(css) if n.xpath(".//a[contains(@href, '/jobs/')]")]
        if nodes:
            return nodes
    return []


def card_fields(card: Selector, page_url: str) -> dict[str, Any] | None:
    """What one search card says; None when it links to no posting."""
    link = None
    for anchor in card.css("a.iCIMS_Anchor[href], a[href]"):
        href = anchor.attrib.get("href", "")
        if job_id_of(href):
            link = anchor
            break
    if link is None:
        return None
    url = public_url(urljoin(page_url, link.attrib["href"].strip()))
    job_id = job_id_of(url)
    title = node_text(link.css("h3, h2, h1")[0]) if link.css("h3, h2, h1") else None
    if not title:
        heading = card.css(".title h3, .title h2, h3, h2")
        title = node_text(heading[0]) if heading else None
    if not title:
        attr = squash(link.attrib.get("title"))
        if attr and job_id and attr.startswith(f"{job_id} - "):
            attr = attr[len(job_id) + 3:]
        title = attr or node_text(link)
    fields = header_fields(card)
    for side in ("left", "right"):
        for box in card.css(f".header.{side}"):
            label = squash(" ".join(box.css(".field-label ::text").getall())) or f"header {side}"
            value = node_text(box)
            if value and label not in fields:
                fields[label] = value
    teaser = node_text(card.css(".description")[0]) if card.css(".description") else None
    if not fields and not card.css(".description"):
        cells = [c for td in card.css("td") if (c := node_text(td)) and c != title]
        if cells:
            fields["cells"] = " | ".join(cells)
    location = lookup(fields, LOCATION_LABELS)
    extra: dict[str, Any] = {
        "requisition_id": lookup(fields, REQUISITION_LABELS),
        "facility": fields.get("Facility"),
        "category": lookup(fields, ("category", "job category", "category (portal searching)")),
        "shift": lookup(fields, ("shift",)),
        "teaser": teaser,
        "card_fields": fields or None,
    }
    return {
        "source_id": job_id,
        "url": url,
        "title": title,
        "location": location,
        "locations": [location] if location else None,
        "employment_type": lookup(fields, TYPE_LABELS),
        "source_updated_at": card_signal(job_id, url, title, fields, teaser),
        "extra": {k: v for k, v in extra.items() if v is not None},
    }


def card_signal(job_id: str | None, url: str, title: str | None, fields: dict[str, str],
                teaser: str | None) -> str | None:
    """The incremental signal: a digest of the card (title, link, header fields, teaser).

    The search page has no update stamp; an edit that changes none of these is not seen
    (``-s PEERJOBS_INCREMENTAL=0`` refetches every posting)."""
    if not job_id:
        return None
    return listing_signal(job_id, url, title, sorted(fields.items()), teaser)


def next_page_offered(selector: Selector, page: int) -> bool | None:
    """True/False when the pager says whether a page follows ``page`` (0-based); None: no pager."""
    pager = selector.css(".iCIMS_Pager, .iCIMS_Paging, .iCIMS_PagingBatch, "
                         ".iCIMS_JobsTablePaging, .iCIMS_Paginator_Bottom")
    if selector.css("a.iCIMS_Pager_Next[href]"):
        return True
    found = None
    for node in pager:
        text = node_text(node) or ""
        match = _PAGE_OF.search(text)
        if match:
            found = int(match.group(1)) < int(match.group(2))
        hrefs = node.css("a::attr(href)").getall()
        pages = [int(m.group(1)) for h in hrefs if (m := _PR.search(h))]
        if any(p > page for p in pages):
            return True
    if found is not None:
        return found
    return False if pager else None


def iframe_src(selector: Selector, page_url: str) -> str | None:
    """The iCIMS search page a wrapper page embeds, if any."""
    for src in selector.css("iframe::attr(src)").getall():
        url = urljoin(page_url, src.strip())
        if is_portal(url) or "in_iframe=1" in url:
            return url
    return None


def description_sections(selector: Selector) -> str | None:
    """The posting text from the page's own sections, when it has no JSON-LD."""
    parts = []
    for node in selector.css(".iCIMS_InfoMsg_Job, .iCIMS_JobContent"):
        heading = node.xpath("preceding-sibling::*[contains(@class, 'iCIMS_InfoField_Job')][1]")
        text = html_to_text(node.get())
        if text:
            title = node_text(heading[0]) if heading else None
            parts.append(f"{title}\n{text}" if title else text)
    return "\n\n".join(parts) or None


def detail_fields(obj: dict[str, Any] | None, header: dict[str, str],
                  listing: dict[str, Any], selector: Selector) -> dict[str, Any]:
    """Raw JobPosting fields from a posting page (JSON-LD and header) and its search card."""
    url = listing["url"]
    found = posting_fields(_drop_placeholders(obj), url) if obj else {}
    valid_through = found.get("closes_at")
    places = found.get("locations") or listing.get("locations")
    position_type = lookup(header, TYPE_LABELS)
    extra: dict[str, Any] = {
        **(listing.get("extra") or {}),
        **(found.get("extra") or {}),
        "requisition_id": lookup(header, REQUISITION_LABELS)
        or (listing.get("extra") or {}).get("requisition_id"),
        "valid_through": valid_through,
        "employment_type_jsonld": found.get("employment_type"),
        "header": header or None,
        "jsonld_url": found.get("url") if found.get("url") != url else None,
    }
    description = found.get("description") or description_sections(selector)
    if description:
        extra.pop("teaser", None)
    fields: dict[str, Any] = {
        "source_id": listing["source_id"],
        "url": url,
        "title": found.get("title") or listing.get("title"),
        "employer": found.get("employer"),
        "location": places[0] if places else None,
        "locations": places or None,
        "description": description,
        "posted_at": found.get("posted_at"),
        "closes_at": None,
        "employment_type": position_type or listing.get("employment_type")
        or found.get("employment_type"),
        "remote": found.get("remote"),
        "source_updated_at": listing.get("source_updated_at"),
        "pay_text": lookup(header, PAY_LABELS),
    }
    for key in ("pay_min", "pay_max", "pay_period", "pay_currency"):
        if found.get(key) is not None:
            fields[key] = found[key]
    if fields["pay_text"] is None and found.get("pay_text"):
        fields["pay_text"] = found["pay_text"]
    fields["extra"] = {k: v for k, v in extra.items() if v not in (None, "", [], {})}
    return fields


class IcimsSpider(BoardSpider):
    """iCIMS portals: search pages to the end, then each posting's page.

    Board options in sources.toml: ``start_url`` (a page embedding the portal in an iframe),
    ``max_pages`` (cap on search pages, default 100).
    """

    platform = "icims"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        start = board.option("start_url") or board.board
        if not start or not str(start).strip():
            self.problem(board, "board_error", "the board names no portal URL")
            return
        start = str(start).strip()
        if is_portal(start) and not board.option("start_url"):
            portal = portal_of(start)
            yield self.search_request(board, portal, 0)
            return
        url = start if "://" in start else f"https://{start}"
        yield self.request(url, self.parse_search, board, listing=True,
                           meta={"portal": portal_of(url), "page": 0, "wrapper": True,
                                 "handle_httpstatus_list": [CHALLENGE_STATUS]})

    def search_request(self, board: Board, portal: str, page: int, *,
                       via_iframe: bool = False) -> scrapy.Request:
        return self.request(search_url(portal, page), self.parse_search, board, listing=True,
                            meta={"portal": portal, "page": page, "via_iframe": via_iframe,
                                  "handle_httpstatus_list": [CHALLENGE_STATUS]})

    def max_pages(self, board: Board) -> int:
        value = number(board.option("max_pages", DEFAULT_MAX_PAGES))
        return max(1, int(value)) if value else DEFAULT_MAX_PAGES

    def parse_search(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        page: int = response.meta["page"]
        portal: str = response.meta["portal"]
        if response.status == CHALLENGE_STATUS:
            self.problem(board, "bot_challenge", f"HTTP {CHALLENGE_STATUS} challenge for "
                         f"{response.url}; not parsed", incomplete=True)
            return
        selector = self.html_page(response, board, incomplete=True)
        if isinstance(selector, str):
            return
        cards = [c for c in (card_fields(n, response.url) for n in card_nodes(selector)) if c]
        if not cards:
            yield from self.search_without_cards(response, selector, board, page, portal)
            return
        self.listing_read(board)
        seen: set[str] = response.meta.get("seen_ids") or set()
        fresh = [c for c in cards if c["source_id"] not in seen]
        for card in cards:
            yield from self.from_card(card, board)
        if not fresh:
            self.problem(board, "beyond_last_page", f"search page pr={page} repeats the postings "
                         "of earlier pages; stopping")
            return
        seen = seen | {c["source_id"] for c in cards}
        if not next_page_offered(selector, page):
            return
        if page + 1 >= self.max_pages(board):
            self.problem(board, "page_cap", f"stopped after {page + 1} search pages (max_pages); "
                         "the portal offers more", incomplete=True)
            return
        request = self.search_request(board, portal, page + 1)
        request.meta["seen_ids"] = seen
        yield request

    def search_without_cards(self, response: Response, selector: Selector, board: Board,
                             page: int, portal: str) -> Iterator[Any]:
        frame = iframe_src(selector, response.url)
        if frame and not response.meta.get("via_iframe"):
            frame_portal = portal_of(frame) if is_portal(frame) else portal
            self.logger.info("[%s] %s wraps the portal in an iframe; following %s",
                             board.source, response.url, frame)
            yield self.request(frame, self.parse_search, board, listing=True,
                               meta={"portal": frame_portal, "page": page, "via_iframe": True,
                                     "handle_httpstatus_list": [CHALLENGE_STATUS]})
            return
        blocked = blocked_page(selector)
        if blocked:
            kind, what = blocked
            self.problem(board, kind, f"{response.url} is {what}; no postings read",
                         incomplete=True)
            return
        icims_page = "iCIMS" in response.text
        if icims_page and says_no_postings(selector):
            self.listing_read(board)
            if page == 0:
                self.logger.info("[%s] the portal lists no postings", board.source)
            else:
                self.problem(board, "beyond_last_page",
                             f"search page pr={page} is empty although the pager offered it")
            return
        self.problem(board, "no_postings_found", f"{response.url} shows no iCIMS search "
                     "results and does not say it has none (changed template?)",
                     incomplete=True)

    def from_card(self, card: dict[str, Any], board: Board) -> Iterator[Any]:
        yield from self.detail_or_sighting(
            board, card, detail_url(card["url"]), self.parse_detail,
            meta={"card": card, "handle_httpstatus_list": [CHALLENGE_STATUS]})

    def parse_detail(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        card: dict[str, Any] = response.meta["card"]
        fallback = response.meta["fallback"]
        if response.status == CHALLENGE_STATUS:
            self.problem(board, "bot_challenge",
                         f"HTTP {CHALLENGE_STATUS} challenge for {response.url}")
            yield self.listing_only(fallback, reason="bot_challenge")
            return
        selector = self.html_page(response, board, incomplete=False)
        if isinstance(selector, str):
            yield self.listing_only(fallback, reason=selector)
            return
        job_id = card["source_id"]
        if job_id_of(response.url) != job_id:
            # Expired by the site, maybe; the search showed it, and only absence from a
            # complete search closes a posting: the search card's copy is kept.
            self.problem(board, "expired_redirect", f"posting {job_id} now redirects to "
                         f"{response.url}; the search card's copy is kept")
            yield self.listing_only(fallback, reason="expired_redirect")
            return
        scan = jobpostings_in_html(selector)
        header = header_fields(selector)
        if not scan.postings:
            if card_nodes(selector):
                self.problem(board, "expired_redirect", f"posting {job_id} answers with search "
                             "results; the search card's copy is kept")
                yield self.listing_only(fallback, reason="expired_redirect")
                return
            blocked = blocked_page(selector)
            if blocked:
                self.problem(board, blocked[0], f"{response.url} is {blocked[1]}")
                yield self.listing_only(fallback, reason=blocked[0])
                return
            if scan.malformed:
                self.problem(board, "malformed_jsonld",
                             f"{response.url}: JSON-LD does not parse ({scan.errors[0]})")
                if not header:
                    yield self.listing_only(fallback, reason="malformed_jsonld")
                    return
            elif not header and not description_sections(selector):
                self.problem(board, "no_jsonld", f"{response.url} has no JobPosting JSON-LD "
                             "and no iCIMS header")
                yield self.listing_only(fallback, reason="no_jsonld")
                return
        obj = self.pick(scan.postings, job_id)
        yield self.posting(board, **detail_fields(obj, header, card, selector))

    @staticmethod
    def pick(postings: list[dict[str, Any]], job_id: str) -> dict[str, Any] | None:
        for obj in postings:
            if job_id_of(str(obj.get("url") or "")) == job_id:
                return obj
        return postings[0] if postings else None

