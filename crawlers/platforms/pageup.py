"""PageUp People career sites (``careers.pageuppeople.com``): the Commonwealth of Virginia, ...

A board is ``https://careers.pageuppeople.com/{account}/{channel}/{locale}/`` (a job, listing
or RSS URL of the board is accepted and cut back to that).

- RSS first: ``{board}rss`` is the whole board in one response (measured on 17 boards: it missed
  none of the HTML listing's postings and sometimes adds a few). Namespace
  ``job = http://pageuppeople.com/``: ``job:refNo`` (the id), ``title``, ``link``, ``pubDate``,
  ``a10:updated`` (the update stamp), ``job:closingDate``, ``job:location`` (several groups in one
  string), ``job:workType``, ``job:category`` (repeated), ``job:description`` (the full HTML, often
  escaped once more), ``job:applyLink``, ``job:businessLayer1``. No detail request is needed.
  An RSS channel without items is an empty board (a complete run with no postings).
- HTML fallback, when the RSS fails (HTTP error, not RSS, broken XML): the listing
  ``{board}listing/?page=N&page-items=M`` read inside ``#search-results-content`` only (desktop and
  mobile copies and commented-out rows elsewhere are ignored), paged by its "More Jobs" link
  (``a.more-link``) to the end; then each ``{board}job/{id}/{slug}`` page (``#job-content``:
  ``h2`` title, ``.job-externalJobNo``, ``.work-type``, ``.location``, ``.categories``,
  ``#job-details``, ``.open-date time``, ``.close-date time``). The fallback's incremental signal is
  a digest of the listing row.

Employer: PageUp's ``job:businessLayer1`` is an org unit (campus, division, agency) and not
reliably the employer. The Virginia template opens each description with labelled lines
("Agency: Dept Behavioral Health/Develop", "Location: Central State Hospital", "Hiring Range:
..."): when an ``Agency:`` line is there it is the employer (the hiring agency, not the
Commonwealth); with the board option ``employer_from = "businessLayer1"`` the business layer is
used; otherwise the registry's employer. "Hiring Range:" is kept as ``pay_text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from crawlers.platforms.base import BoardSpider
from crawlers.platforms.pages import (
    block_text,
    inline_text,
    listing_signal,
    unique,
    wall_kind,
)
from crawlers.platforms.values import number
from crawlers.registry import Board

JOB_NS = "http://pageuppeople.com/"
ATOM_NS = "http://www.w3.org/2005/Atom"
DEFAULT_PAGE_ITEMS = 100
DEFAULT_MAX_PAGES = 50
_JOB_ID = re.compile(r"/job/(\d+)(?:/|$)")
_LABEL_LINE = re.compile(
    r"^(Title|State Role Title|Hiring Range|Pay Band|Agency|Location|Agency Website"
    r"|Recruitment Type|Job Open Date|Job Close Date)\s*:\s*(.+)$", re.IGNORECASE)
_EXTRA_LABELS = {"state role title": "state_role_title", "pay band": "pay_band",
                 "agency": "agency", "location": "facility", "agency website": "agency_website",
                 "recruitment type": "recruitment_type"}


def board_base(board: str) -> str:
    """``https://host/{account}/{channel}/{locale}/`` of a board; ``ValueError`` if it is none."""
    text = board.strip()
    if "://" not in text:
        text = f"https://careers.pageuppeople.com/{text.strip('/')}/"
    parts = urlsplit(text)
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[0] == "mob":
        segments = segments[1:]
    if len(segments) < 3 or not segments[0].isdigit():
        raise ValueError(f"{board!r}: expected https://careers.pageuppeople.com/<account>/"
                         "<channel>/<locale>/")
    return f"{parts.scheme or 'https'}://{parts.netloc}/{'/'.join(segments[:3])}/"


def job_id(url: str | None) -> str | None:
    found = _JOB_ID.search(urlsplit(url or "").path)
    return found.group(1) if found else None


def split_locations(raw: str | None) -> list[str]:
    """``VIC|Melbourne,WA|Perth`` → its groups; a plain "Marion, IN" stays whole."""
    if not raw:
        return []
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    if len(parts) > 1 and all("|" in p for p in parts):
        return parts
    return [raw.strip()]


def labelled_lines(description: str | None) -> dict[str, str]:
    """The "Label: value" lines a description opens with (the Virginia template's header)."""
    out: dict[str, str] = {}
    for line in (description or "").split("\n")[:20]:
        found = _LABEL_LINE.match(line.strip())
        if found and found.group(1).lower() not in out:
            out[found.group(1).lower()] = found.group(2).strip()
    return out


def _text(node: Selector, path: str) -> str | None:
    value = " ".join(node.xpath(path).getall()).strip()
    return value or None


def rss_item_fields(item: Selector, board: Board) -> dict[str, Any]:
    """Raw fields of one RSS ``item``."""
    link = _text(item, "link/text()") or _text(item, "guid/text()")
    ref = _text(item, "job:refNo/text()") or job_id(link)
    raw_location = _text(item, "job:location/text()")
    locations = split_locations(raw_location)
    description = block_text(_text(item, "job:description/text()")) or \
        block_text(_text(item, "description/text()"))
    labels = labelled_lines(description)
    business_layer = _text(item, "job:businessLayer1/text()")
    categories = unique([t.strip() for t in item.xpath("job:category/text()").getall()])
    employer = labels.get("agency")
    if not employer and board.option("employer_from") == "businessLayer1":
        employer = business_layer
    extra: dict[str, Any] = {
        "business_layer_1": business_layer,
        "categories": categories or None,
        "sub_category": _text(item, "job:subCategory/text()"),
        "apply_link": _text(item, "job:applyLink/text()"),
        "location_raw": raw_location if len(locations) > 1 else None,
    }
    for label, key in _EXTRA_LABELS.items():
        if labels.get(label):
            extra[key] = labels[label]
    if employer and employer == labels.get("agency"):
        extra.pop("agency", None)
    return {
        "source_id": ref,
        "url": link,
        "title": _text(item, "title/text()"),
        "employer": employer,
        "location": locations[0] if locations else None,
        "locations": locations or None,
        "pay_text": labels.get("hiring range"),
        "description": description,
        "posted_at": _text(item, "pubDate/text()"),
        "closes_at": _text(item, "job:closingDate/text()"),
        "employment_type": _text(item, "job:workType/text()"),
        "source_updated_at": _text(item, "a10:updated/text()") or _text(item, "pubDate/text()"),
        "extra": {k: v for k, v in extra.items() if v not in (None, "", [])},
    }


def listing_entries(selector: Selector, page_url: str) -> tuple[list[dict[str, Any]], bool]:
    """Rows of ``#search-results-content`` (and whether that container was there)."""
    scope = selector.css("#search-results-content")
    if not scope:
        return [], False
    entries: list[dict[str, Any]] = []
    for row in scope[0].xpath(".//tr[.//a[contains(concat(' ', normalize-space(@class), ' '), "
                              "' job-link ')]]"):
        anchor = row.css("a.job-link")[0]
        href = anchor.attrib.get("href", "").strip()
        url = urljoin(page_url, href)
        ident = job_id(url)
        title = inline_text(anchor)
        location = inline_text(row.css(".location")[0]) if row.css(".location") else None
        close = row.css(".close-date time::attr(datetime)").get() or \
            (inline_text(row.css(".close-date")[0]) if row.css(".close-date") else None)
        number_text = inline_text(row.css(".job-externalJobNo")[0]) \
            if row.css(".job-externalJobNo") else None
        spans = {c: inline_text(s) for s in row.css("span[class]")
                 for c in (s.attrib.get("class") or "").split()
                 if c not in ("location", "close-date", "job-externalJobNo")}
        summary = row.xpath("following-sibling::tr[1][contains(@class, 'summary')]")
        extra = {"job_number": number_text, "listing_spans": {k: v for k, v in spans.items()
                                                                 if v} or None,
                 "summary": inline_text(summary[0]) if summary else None}
        entries.append({
            "source_id": ident,
            "url": url.split("?")[0],
            "title": title,
            "location": location,
            "locations": [location] if location else None,
            "closes_at": close,
            "source_updated_at": listing_signal(ident, url, title, location, close,
                                                number_text) if ident else None,
            "extra": {k: v for k, v in extra.items() if v not in (None, "")},
        })
    return entries, True


def detail_fields(selector: Selector, entry: dict[str, Any], board: Board) -> dict[str, Any] | None:
    content = selector.css("#job-content")
    if not content:
        return None
    node = content[0]
    title = inline_text(node.css("h2")[0]) if node.css("h2") else None
    details = node.css("#job-details")
    if not title and not details:
        return None
    description = block_text(details[0]) if details else None
    labels = labelled_lines(description)

    def span(css: str) -> str | None:
        found = node.css(css)
        return inline_text(found[0]) if found else None

    location = span(".location") or entry.get("location")
    employer = labels.get("agency")
    extra = {**(entry.get("extra") or {}), "job_number": span(".job-externalJobNo"),
             "categories": span(".categories")}
    for label, key in _EXTRA_LABELS.items():
        if labels.get(label):
            extra[key] = labels[label]
    if employer:
        extra.pop("agency", None)
    return {
        "source_id": entry.get("source_id"),
        "url": entry.get("url"),
        "title": title or entry.get("title"),
        "employer": employer,
        "location": location,
        "locations": [location] if location else None,
        "pay_text": labels.get("hiring range"),
        "description": description,
        "posted_at": node.css(".open-date time::attr(datetime)").get() or span(".open-date"),
        "closes_at": node.css(".close-date time::attr(datetime)").get() or span(".close-date")
        or entry.get("closes_at"),
        "employment_type": span(".work-type"),
        "source_updated_at": entry.get("source_updated_at"),
        "extra": {k: v for k, v in extra.items() if v not in (None, "", [])},
    }


class PageUpSpider(BoardSpider):
    """PageUp career sites: the RSS feed, with the HTML listing and job pages as a fallback.

    Board options in sources.toml: ``employer_from`` (``"businessLayer1"`` to take the employer
    from that field), ``page_items`` (HTML listing page size, default 100), ``max_pages``
    (HTML listing pages, default 50), ``html_only`` (skip the RSS).
    """

    platform = "pageup"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            base = board_base(board.board)
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        if board.option("html_only"):
            yield self.listing_request(board, base, 1)
            return
        rss = self.request(f"{base}rss", self.parse_rss, board, listing=True,
                           meta={"base": base},
                           headers={"Accept": "application/rss+xml, application/xml, */*"})
        yield rss.replace(errback=self.rss_failed)

    def listing_request(self, board: Board, base: str, page: int,
                        url: str | None = None) -> scrapy.Request:
        items = int(number(board.option("page_items", DEFAULT_PAGE_ITEMS)) or DEFAULT_PAGE_ITEMS)
        url = url or f"{base}listing/?page={page}&page-items={items}"
        return self.request(url, self.parse_listing, board, listing=True,
                            meta={"base": base, "page": page})

    # -- RSS -----------------------------------------------------------------------------

    def rss_failed(self, failure: Any) -> Iterator[Any]:
        """The RSS request failed: count it, then read the HTML listing instead. The board is
        not incomplete for this: the listing enumerates the same postings."""
        request = failure.request
        request.meta["sighted"] = True
        yield from self.on_error(failure)
        yield self.listing_request(request.meta["board"], request.meta["base"], 1)

    def parse_rss(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        base: str = response.meta["base"]
        text = response.text if isinstance(response, TextResponse) else \
            response.body.decode("utf-8", "replace")
        head = text.lstrip()[:512].lower()
        if not head:
            self.problem(board, "empty_body", f"{response.url} answered an empty body where the "
                         "RSS feed was expected; reading the HTML listing instead")
            yield self.listing_request(board, base, 1)
            return
        if "<rss" not in head and "<?xml" not in head:
            kind = wall_kind(response) or ("html_instead_of_rss" if "<html" in text[:2048].lower()
                                          or "<!doctype" in head else "not_rss")
            self.problem(board, kind, f"{response.url} is not an RSS feed ({kind}); reading the "
                         "HTML listing instead")
            yield self.listing_request(board, base, 1)
            return
        if not text.rstrip().endswith("</rss>"):
            self.problem(board, "truncated", f"{response.url} ends before </rss> (cut short); "
                         "reading the HTML listing instead")
            yield self.listing_request(board, base, 1)
            return
        try:
            selector = Selector(text=text, type="xml")
        except Exception as exc:  # lxml raises several kinds for broken XML
            self.problem(board, "malformed_xml", f"{response.url}: {exc}; reading the HTML "
                         "listing instead")
            yield self.listing_request(board, base, 1)
            return
        selector.register_namespace("job", JOB_NS)
        selector.register_namespace("a10", ATOM_NS)
        if not selector.xpath("/rss/channel"):
            self.problem(board, "malformed_xml", f"{response.url} has no RSS channel (cut short "
                         "or not a feed); reading the HTML listing instead")
            yield self.listing_request(board, base, 1)
            return
        self.listing_read(board)
        items = selector.xpath("/rss/channel/item")
        if not items:
            self.logger.info("[%s] the feed lists no postings", board.source)
        for item in items:
            fields = rss_item_fields(item, board)
            if fields["source_id"] and not self.first_sighting(board, fields["source_id"]):
                continue
            yield self.posting(board, **fields)

    # -- HTML fallback ---------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        base: str = response.meta["base"]
        page: int = response.meta["page"]
        selector = self.html_page(response, board, incomplete=True)
        if isinstance(selector, str):
            return
        entries, found = listing_entries(selector, response.url)
        if not found:
            kind = wall_kind(selector) or "no_listing_found"
            self.problem(board, kind, f"{response.url} has no #search-results-content ({kind})",
                         incomplete=True)
            return
        self.listing_read(board)
        if not entries and page > 1:
            self.problem(board, "beyond_last_page", f"listing page {page} is empty although the "
                         "previous page offered more")
        for entry in entries:
            yield from self.from_entry(entry, board)
        more = selector.xpath("//a[contains(concat(' ', normalize-space(@class), ' '), "
                              "' more-link ')][not(ancestor::tr)]/@href").get()
        if not more or not entries:
            return
        cap = int(number(board.option("max_pages", DEFAULT_MAX_PAGES)) or DEFAULT_MAX_PAGES)
        if page >= cap:
            self.problem(board, "page_cap", f"stopped after {page} listing pages (max_pages); "
                         "the board lists more", incomplete=True)
            return
        yield self.listing_request(board, base, page + 1, urljoin(response.url, more.strip()))

    def from_entry(self, entry: dict[str, Any], board: Board) -> Iterator[Any]:
        yield from self.detail_or_sighting(board, entry, entry["url"], self.parse_job,
                                           meta={"entry": entry})

    def parse_job(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        entry: dict[str, Any] = response.meta["entry"]
        yield from self.html_detail(response, lambda page: detail_fields(page, entry, board),
                                    missing="job_unavailable", what="job")
