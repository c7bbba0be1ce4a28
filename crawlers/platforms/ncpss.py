"""The NC Certified Peer Support Specialist Program job board (``https://pss.unc.edu/pssjobs``).

A Drupal site run by the UNC School of Social Work. Postings live at ``/pssjobs/{slug}`` (also
reachable as ``/node/{nid}``) and carry only an employer-written body with headings of the
employer's own ("Nature of Work", "Program Summary", "Qualifications", "JOB TITLE", "REPORT TO").
No capture of the listing page exists; it is read as a Drupal view, conservatively:

- Listing: the board URL; every link in the page's main content to ``/pssjobs/{slug}`` (or
  ``/node/{nid}``) is a posting; the view row around it (``.views-row``, ``tr``, ``li``) gives the
  text of the incremental signal and, when shown, a date (``time[datetime]``). Paging follows the
  pager's next link (``a[rel=next]``, ``.pager__item--next a``, ``.pager-next a``; Drupal's
  ``?page=N``) up to ``max_pages``. A view that renders its "empty" text (``.view-empty``) or says
  there are no postings is an empty board.
- Posting: the node's title (``h1``), body (``.field--name-body`` / ``.field-name-body`` / the
  node content), labelled fields when the site has them (Employer / Organization / Agency /
  Location / City / County ...) and otherwise "Label: value" lines of the body, the submitted or
  published date (``article:published_time``, ``time[datetime]``), the node id
  (``link[rel=shortlink]``).

The board is never the employer (the registry marks it ``multi_employer``): the employer is what
the posting names (a labelled field or an "Agency:"/"Organization:"/"Employer:" line) or nothing.
The id is the posting's path (``pssjobs/cpss-5``), known from the listing; the node id is kept in
``extra``. The incremental signal is a digest of the listing row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.mirror import with_scheme
from crawlers.platforms.base import BoardSpider
from crawlers.platforms.pages import block_text, inline_text, listing_signal, wall_kind
from crawlers.platforms.values import number
from crawlers.registry import Board

DEFAULT_MAX_PAGES = 30
_EMPLOYER_LABELS = ("employer", "employer name", "organization", "organization name",
                    "organisation", "agency", "agency name", "company", "company name",
                    "provider", "hiring organization")
_LOCATION_LABELS = ("location", "job location", "work location", "city", "county", "address",
                    "location of position")
_POSTED_LABELS = ("date posted", "posted", "posting date", "date")
_CLOSES_LABELS = ("closing date", "deadline", "application deadline", "closes", "open until")
_PAY_LABELS = ("salary", "pay", "pay rate", "hourly rate", "compensation", "wage", "salary range")
_TYPE_LABELS = ("employment type", "job type", "position type", "schedule", "status")
_LINE = re.compile(r"^\s*([A-Za-z][A-Za-z /&()]{1,40}?)\s*:\s*(.+?)\s*$")
_NODE = re.compile(r"/node/(\d+)(?:/|$)")
_NO_POSTINGS = re.compile(r"no (?:current |open )?(?:job )?(?:postings|positions|openings|jobs)"
                          r"|there are (?:currently )?no", re.IGNORECASE)
_MAIN = ("main", "#main-content", "#content", ".region-content", "#block-system-main",
         ".main-container", "body")


def board_url(board: str) -> str:
    return with_scheme(board, scheme="https",
                       problem=f"{board!r}: expected the board's URL (https://pss.unc.edu/pssjobs)")


def posting_path(url: str, board_path: str) -> str | None:
    """``pssjobs/{slug}`` or ``node/{nid}`` when ``url`` is a posting under the board."""
    path = urlsplit(url).path.rstrip("/")
    base = board_path.rstrip("/")
    if base and path.startswith(base + "/"):
        rest = path[len(base) + 1:]
        if rest and "/" not in rest and not rest.startswith(("page", "feed", "rss")):
            return path.lstrip("/")
    if _NODE.fullmatch(path + "/") or re.fullmatch(r"/node/\d+", path):
        return path.lstrip("/")
    return None


def _main(selector: Selector) -> Selector:
    for css in _MAIN:
        found = selector.css(css)
        if found:
            return found[0]
    return selector


def listing_entries(selector: Selector, page_url: str,
                    board_path: str) -> list[dict[str, Any]]:
    main = _main(selector)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for anchor in main.xpath(".//a[@href]"):
        if anchor.xpath("ancestor::*[contains(@class, 'pager') or self::nav]"):
            continue
        url = urljoin(page_url, (anchor.attrib.get("href") or "").strip()).split("#")[0]
        path = posting_path(url, board_path)
        title = inline_text(anchor)
        if not path or path in seen or not title:
            continue
        seen.add(path)
        row = anchor.xpath("ancestor::*[contains(concat(' ', normalize-space(@class), ' '), "
                           "' views-row ') or self::tr or self::li][1]")
        row_text = inline_text(row[0]) if row else title
        posted = row[0].css("time::attr(datetime)").get() if row else None
        out.append({
            "source_id": path,
            "url": url.split("?")[0],
            "title": title,
            "posted_at": posted,
            "source_updated_at": listing_signal(path, title, row_text, posted),
            "extra": {"listing_text": row_text} if row_text and row_text != title else {},
        })
    return out


def next_page(selector: Selector, page_url: str) -> str | None:
    href = selector.css("a[rel~=next]::attr(href), li.pager__item--next a::attr(href), "
                        "li.pager-next a::attr(href), link[rel~=next]::attr(href)").get()
    return urljoin(page_url, href.strip()) if href and href.strip() else None


def labelled(node: Selector) -> dict[str, str]:
    """Drupal field label → value (``.field--label``/``.field-label`` beside the items)."""
    out: dict[str, str] = {}
    for field in node.css(".field, .views-field"):
        label = field.css(".field--label, .field-label, .views-label")
        value = field.css(".field--item, .field-item, .field__item, .field-content")
        if label and value:
            name = (inline_text(label[0]) or "").rstrip(":").strip().lower()
            text = " ".join(t for t in (inline_text(v) for v in value) if t)
            if name and text and name not in out:
                out[name] = text
    return out


def body_lines(description: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in (description or "").split("\n"):
        found = _LINE.match(line.replace("\u00a0", " "))
        if found:
            name = found.group(1).strip().lower()
            if name not in out:
                out[name] = found.group(2).strip()
    return out


def _pick(sources: list[dict[str, str]], labels: tuple[str, ...]) -> str | None:
    for found in sources:
        for label in labels:
            if found.get(label):
                return found[label]
    return None


def posting_fields(selector: Selector, entry: dict[str, Any], page_url: str) -> dict[str, Any] | None:
    heading = selector.css("h1.page-title, h1 .field--name-title, h1")
    title = inline_text(heading[0]) if heading else None
    if not title:
        og = selector.css("meta[property='og:title']::attr(content)").get()
        title = og.strip() if og and og.strip() else None
    body = selector.css(".field--name-body, .field-name-body, .node__content, "
                        "article .content, .node .content")
    if not body:
        return None
    description = block_text(body[0])
    if not description:
        return None
    fields_found = labelled(selector.css("article, .node, main")[0]) \
        if selector.css("article, .node, main") else {}
    lines = body_lines(description)
    sources = [fields_found, lines]
    shortlink = selector.css("link[rel=shortlink]::attr(href)").get() or ""
    nid_found = _NODE.search(shortlink) or _NODE.search(
        selector.css("article::attr(about)").get() or "")
    nid = nid_found.group(1) if nid_found else \
        selector.css("article::attr(data-history-node-id)").get()
    posted = (selector.css("meta[property='article:published_time']::attr(content)").get()
              or selector.css(".node__submitted time::attr(datetime), .submitted "
                              "time::attr(datetime), .field--name-created time::attr(datetime)")
              .get() or _pick(sources, _POSTED_LABELS) or entry.get("posted_at"))
    location = _pick(sources, _LOCATION_LABELS)
    extra = {**(entry.get("extra") or {}), "node_id": nid,
             "modified_at": selector.css("meta[property='article:modified_time']::attr(content)")
             .get(),
             "headings": [h for h in (inline_text(n) for n in body[0].css("h2, h3, h4, strong"))
                          if h and len(h) < 60][:12] or None}
    return {
        "source_id": entry.get("source_id"),
        "url": entry.get("url") or page_url,
        "title": title or entry.get("title"),
        "employer": _pick(sources, _EMPLOYER_LABELS),
        "location": location,
        "locations": [location] if location else None,
        "pay_text": _pick(sources, _PAY_LABELS),
        "description": description,
        "posted_at": posted,
        "closes_at": _pick(sources, _CLOSES_LABELS),
        "employment_type": _pick(sources, _TYPE_LABELS),
        "source_updated_at": entry.get("source_updated_at"),
        "extra": {k: v for k, v in extra.items() if v not in (None, "", [])},
    }


class NcPssSpider(BoardSpider):
    """The NC PSS Program job board: the Drupal listing, paged, then each posting's page.

    Board options in sources.toml: ``max_pages`` (default 30).
    """

    platform = "ncpss"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            url = board_url(board.board)
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        yield self.request(url, self.parse_listing, board, listing=True,
                           meta={"page": 1, "board_path": urlsplit(url).path})

    def parse_listing(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        page: int = response.meta["page"]
        board_path: str = response.meta["board_path"]
        selector = self.html_page(response, board, incomplete=True)
        if isinstance(selector, str):
            return
        entries = listing_entries(selector, response.url, board_path)
        if not entries:
            yield from self.no_entries(response, selector, board, page)
            return
        self.listing_read(board)
        for entry in entries:
            yield from self.from_entry(entry, board)
        following = next_page(selector, response.url)
        if not following or following == response.url:
            return
        cap = int(number(board.option("max_pages", DEFAULT_MAX_PAGES)) or DEFAULT_MAX_PAGES)
        if page >= cap:
            self.problem(board, "page_cap", f"stopped after {page} listing pages (max_pages); "
                         "the pager offers more", incomplete=True)
            return
        yield self.request(following, self.parse_listing, board, listing=True,
                           dont_filter=False, meta={"page": page + 1, "board_path": board_path})

    def no_entries(self, response: Response, selector: Selector, board: Board,
                   page: int) -> Iterator[Any]:
        wall = wall_kind(selector)
        if wall:
            self.problem(board, wall, f"{response.url} is a {wall.replace('_', ' ')} page; no "
                         "postings read", incomplete=True)
            return
        main_text = inline_text(_main(selector)) or ""
        if selector.css(".view-empty") or (selector.css("[class*='view-']")
                                           and _NO_POSTINGS.search(main_text)):
            self.listing_read(board)
            if page > 1:
                self.problem(board, "beyond_last_page", f"listing page {page} lists no postings")
            else:
                self.logger.info("[%s] the board lists no postings", board.source)
            return
        self.problem(board, "no_postings_found", f"{response.url} links no postings and does "
                     "not say it has none (changed page?)", incomplete=True)
        yield from ()

    def from_entry(self, entry: dict[str, Any], board: Board) -> Iterator[Any]:
        yield from self.detail_or_sighting(board, entry, entry["url"], self.parse_posting,
                                           meta={"entry": entry})

    def parse_posting(self, response: Response) -> Iterator[Any]:
        entry: dict[str, Any] = response.meta["entry"]
        yield from self.html_detail(
            response, lambda page: posting_fields(page, entry, response.url),
            missing="not_a_posting", what="posting body")
