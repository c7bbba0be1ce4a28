"""e3applicants tenant career boards (``https://<tenant>.e3applicants.com/careers/``): HTML.

A board is the tenant (``bhr``, ``lifeworksnw``) or its board URL. The tenant is often not the
employer's name, so postings carry the registry's employer.

- Listing: ``GET https://{tenant}.e3applicants.com/careers/``: one ``div.row.JobPostRow`` per
  posting with a relative link to the posting, ``span.title`` and a ``small`` holding the
  location mixed with "Full Time"/"Part Time". No paging has been observed; a ``rel=next`` or
  "Next" pager link would be followed (board option ``max_pages``, default 20).
- Detail: ``https://{tenant}.e3applicants.com/careers/{Title-Slug}-{id}``. The id is the LAST
  hyphen-separated number (``Peer-Support-Specialist-280-234`` is "Peer Support Specialist
  280", id 234); tracking queries (``?source=Indeed.com``) are dropped before deduplicating.
  The body is ``div.col-lg-8.col-lg-offset-2.divMainContentArea``. Pay is only in the prose
  ("Starting Salary: $12.58 hourly; $26,175 annually") and stays in the description for the
  normalizer. JobPosting JSON-LD is read when a page has it.
- The legacy single-host ASP.NET board (``www.e3applicants.com/hrm/CareersFrame.aspx``, paged by
  ``__doPostBack``) has no real capture anywhere we could find: such a board is counted as
  ``unsupported_board`` and not crawled.

The incremental signal is a digest of the listing row (:func:`row_signal`); boards carry no
update stamp. Login walls, access-denied pages and bot challenges served with HTTP 200 are
counted (``login_wall``, ``access_denied``, ``bot_challenge``) and fail the board.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from lxml import html as lxml_html
from lxml.etree import ParserError
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
)
from crawlers.platforms.values import number
from crawlers.registry import Board
from crawlers.text import html_to_text

HOST_SUFFIX = ".e3applicants.com"
LEGACY_HOSTS = ("www.e3applicants.com", "e3applicants.com")
DEFAULT_MAX_PAGES = 20
_TYPE_WORDS = re.compile(
    r"\b(?:full[ -]?time|part[ -]?time|per[ -]?diem|prn|on[ -]?call|temporary|seasonal|"
    r"contract|internship|intern|casual|relief|variable)\b", re.IGNORECASE)
_EDGE_PUNCT = re.compile(r"^[\s|•·,;:/\-–—]+|[\s|•·,;:/\-–—]+$")
_LAST_NUMBER = re.compile(r"-(\d+)$")
_DROP = ("//script", "//style", "//form", "//button", "//noscript",
         "//a[contains(concat(' ', normalize-space(@class), ' '), ' btn ')]")


def tenant_of(board: str) -> str | None:
    """The tenant of a board token or board URL; None for the legacy single-host board."""
    text = board.strip().strip("/")
    if "://" not in text and "." not in text and "/" not in text:
        return text.lower() or None
    host = (urlsplit(text if "://" in text else f"https://{text}").hostname or "").lower()
    if host in LEGACY_HOSTS or not host.endswith(HOST_SUFFIX):
        return None
    return host[: -len(HOST_SUFFIX)] or None


def listing_url(tenant: str) -> str:
    return f"https://{tenant}{HOST_SUFFIX}/careers/"


def posting_url(href: str, page_url: str) -> str:
    """The posting's URL without query (tracking such as ``?source=Indeed.com``) or fragment."""
    parts = urlsplit(urljoin(page_url, href.strip()))
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def posting_id(url: str) -> str | None:
    """The last hyphen-separated number of the posting's path (``...-280-234`` → ``234``)."""
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    found = _LAST_NUMBER.search(segment)
    return found.group(1) if found else None


def split_small(text: str | None) -> tuple[str | None, str | None]:
    """``(location, employment type)`` from a row's ``small`` text, both as written."""
    if not text:
        return None, None
    kinds = [m.group(0) for m in _TYPE_WORDS.finditer(text)]
    rest = _TYPE_WORDS.sub(" ", text)
    rest = squash(re.sub(r"\s*[|•·]\s*", " | ", rest)) or ""
    parts = [_EDGE_PUNCT.sub("", p) for p in rest.split(" | ")]
    location = squash(" | ".join(p for p in parts if p))
    return location, (", ".join(kinds) or None)


def row_signal(job_id: str | None, url: str, title: str | None, small: str | None) -> str | None:
    """The incremental signal: a digest of the listing row (link, title, small text).

    The board has no update stamp; an edit to the posting's text alone is not seen
    (``-s PEERJOBS_INCREMENTAL=0`` refetches every posting)."""
    return listing_signal(job_id, url, title, small) if job_id else None


def row_fields(row: Selector, page_url: str) -> dict[str, Any] | None:
    """What one ``JobPostRow`` says; None when it links nowhere."""
    href = next((h for h in row.css("a::attr(href)").getall()
                 if h.strip() and not h.strip().startswith(("#", "javascript:"))), None)
    if href is None:
        return None
    url = posting_url(href, page_url)
    title_node = row.css("span.title")
    title = node_text(title_node[0]) if title_node else None
    small_node = row.css("small")
    small = node_text(small_node[0]) if small_node else None
    location, kind = split_small(small)
    job_id = posting_id(url)
    slug = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or None
    extra = {"listing_small": small, "slug": slug,
             "id_from": None if job_id else "slug"}
    return {
        "source_id": job_id or slug,
        "url": url,
        "title": title,
        "location": location,
        "locations": [location] if location else None,
        "employment_type": kind,
        "source_updated_at": row_signal(job_id or slug, url, title, small),
        "extra": {k: v for k, v in extra.items() if v is not None},
    }


def main_area(selector: Selector) -> Selector | None:
    found = selector.css("div.divMainContentArea")
    return found[0] if found else None


def body_text(area: Selector, title: str | None) -> str | None:
    """The posting body as text, without apply buttons, forms and a heading repeating the title."""
    try:
        root = lxml_html.fragment_fromstring(area.get(), create_parent="div")
    except (ParserError, ValueError):
        return html_to_text(area.get())
    for xpath in _DROP:
        for node in root.xpath(xpath):
            node.drop_tree()
    if title:
        for heading in root.xpath("(.//h1 | .//h2 | .//h3)[1]"):
            if squash(heading.text_content()) == squash(title):
                heading.drop_tree()
    return html_to_text(lxml_html.tostring(root, encoding="unicode"))


def detail_fields(selector: Selector, listing: dict[str, Any]) -> dict[str, Any] | None:
    """Raw JobPosting fields from a posting page and its listing row; None: no posting here."""
    area = main_area(selector)
    scan = jobpostings_in_html(selector)
    obj = scan.postings[0] if scan.postings else None
    if area is None and obj is None:
        return None
    found = posting_fields(obj, listing["url"]) if obj else {}
    heading = None
    if area is not None:
        nodes = area.css("h1, h2, h3")
        heading = node_text(nodes[0]) if nodes else None
    title = listing.get("title") or found.get("title") or heading
    description = body_text(area, title) if area is not None else None
    extra = {**(listing.get("extra") or {}), **(found.get("extra") or {})}
    if found.get("employer"):
        extra["hiring_organization"] = found["employer"]
    if heading and heading != title:
        extra["page_heading"] = heading
    fields: dict[str, Any] = {
        "source_id": listing["source_id"],
        "url": listing["url"],
        "title": title,
        "location": listing.get("location") or found.get("location"),
        "locations": listing.get("locations") or found.get("locations"),
        "description": description or found.get("description"),
        "posted_at": found.get("posted_at"),
        "closes_at": found.get("closes_at"),
        "employment_type": listing.get("employment_type") or found.get("employment_type"),
        "remote": found.get("remote"),
        "source_updated_at": listing.get("source_updated_at"),
    }
    for key in ("pay_min", "pay_max", "pay_period", "pay_currency", "pay_text"):
        if found.get(key) is not None:
            fields[key] = found[key]
    fields["extra"] = {k: v for k, v in extra.items() if v not in (None, "", [], {})}
    return fields


def next_page(selector: Selector, page_url: str) -> str | None:
    hrefs = selector.css("a[rel~=next]::attr(href), link[rel~=next]::attr(href), "
                         ".pagination li.next a::attr(href)").getall()
    for anchor in selector.css(".pagination a, .pager a"):
        if (node_text(anchor) or "").lower() in ("next", "next ›", "next »", "›", "»", ">"):
            hrefs.append(anchor.attrib.get("href", ""))
    for href in hrefs:
        if href.strip() and not href.strip().startswith(("#", "javascript:")):
            return urljoin(page_url, href.strip())
    return None


class E3ApplicantsSpider(BoardSpider):
    """e3applicants tenant boards: the ``/careers/`` listing, then each posting's page.

    Board options in sources.toml: ``max_pages`` (cap on listing pages, default 20).
    """

    platform = "e3applicants"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        tenant = tenant_of(board.board)
        if tenant is None:
            self.problem(board, "unsupported_board", f"{board.board!r} is not an e3applicants "
                         "tenant board (https://<tenant>.e3applicants.com/careers/); the legacy "
                         "CareersFrame.aspx board is not supported: no real capture of it exists "
                         "to build and test a parser on", incomplete=True)
            return
        yield self.request(listing_url(tenant), self.parse_listing, board, listing=True,
                           meta={"page": 1})

    def parse_listing(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        page: int = response.meta.get("page", 1)
        selector = self.html_page(response, board, incomplete=True)
        if isinstance(selector, str):
            return
        rows = [r for r in (row_fields(n, response.url)
                            for n in selector.css("div.JobPostRow")) if r]
        if not rows:
            blocked = blocked_page(selector)
            if blocked:
                self.problem(board, blocked[0], f"{response.url} is {blocked[1]}; no postings "
                             "read", incomplete=True)
            elif says_no_postings(selector):
                self.listing_read(board)
                self.logger.info("[%s] the board lists no postings", board.source)
            else:
                self.problem(board, "no_postings_found", f"{response.url} has no JobPostRow "
                             "and does not say it lists nothing (changed template?)",
                             incomplete=True)
            return
        self.listing_read(board)
        for row in rows:
            yield from self.from_row(row, board)
        following = next_page(selector, response.url)
        if following and following != response.url:
            cap = number(board.option("max_pages", DEFAULT_MAX_PAGES)) or DEFAULT_MAX_PAGES
            if page >= int(cap):
                self.problem(board, "page_cap", f"stopped after {page} listing pages "
                             "(max_pages); the board offers more", incomplete=True)
                return
            yield self.request(following, self.parse_listing, board, listing=True,
                               dont_filter=False, meta={"page": page + 1})

    def from_row(self, row: dict[str, Any], board: Board) -> Iterator[Any]:
        yield from self.detail_or_sighting(board, row, row["url"], self.parse_detail,
                                           meta={"row": row})

    def parse_detail(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        row: dict[str, Any] = response.meta["row"]
        fallback = response.meta["fallback"]
        selector = self.html_page(response, board, incomplete=False)
        if isinstance(selector, str):
            yield self.listing_only(fallback, reason=selector)
            return
        if urlsplit(response.url).path.rstrip("/") != urlsplit(row["url"]).path.rstrip("/"):
            # Closed by the site, maybe; the listing showed it, and only absence from a
            # complete listing closes a posting: the listing's copy is kept.
            self.problem(board, "expired_redirect", f"posting {row['source_id']} now "
                         f"redirects to {response.url}; the listing's copy is kept")
            yield self.listing_only(fallback, reason="expired_redirect")
            return
        scan = jobpostings_in_html(selector)
        if scan.malformed:
            self.problem(board, "malformed_jsonld",
                         f"{response.url}: a JSON-LD block does not parse ({scan.errors[0]})")
        fields = detail_fields(selector, row)
        if fields is None:
            blocked = blocked_page(selector)
            kind, what = blocked or ("unexpected_page", "not a posting page "
                                     "(no divMainContentArea, no JSON-LD)")
            self.problem(board, kind, f"{response.url} is {what}")
            yield self.listing_only(fallback, reason=kind)
            return
        yield self.posting(board, **fields)
