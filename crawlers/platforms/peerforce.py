"""PeerForce (peerforce.org), the Texas peer-workforce job board: WordPress + WP Job Manager.

Evidence that it is WP Job Manager: posting URLs ``/job/{slug}/`` whose slugs are built the way
the plugin builds them (company-location-type-title: ``mhmr-tarrant-fort-worth-full-time-family-
partner-eop``), and stored posting pages that open with the plugin's company box ("Website MHMR
Tarrant"). The same base reads any WP Job Manager board (board = the site URL).

- Listing: ``POST {site}/jm-ajax/get_listings/`` (form: ``per_page``, ``page``, ``orderby=date``,
  ``order=DESC``, empty search fields) answers JSON ``{found_jobs, showing, max_num_pages,
  showing_links, html}``; ``html`` holds one ``li.job_listing`` per posting (``post-{id}`` class,
  link, ``h3`` title, ``div.company strong``, ``div.location``, ``li.job-type``,
  ``time[datetime]``). Pages are read up to ``max_num_pages``. ``found_jobs: false`` is an empty
  board (a complete run). When the endpoint fails (HTTP error, HTML, broken JSON), the plugin's
  RSS feed ``{site}?feed=job_feed`` is read instead.
- Posting: ``{site}/job/{slug}/``: the plugin's JobPosting JSON-LD (read with the JSON-LD
  functions), else the page's ``.job_description``, ``.company``, ``ul.meta``.

Every posting is a peer role at some employer; the board is never the employer (the registry
marks these boards ``multi_employer``). The employer is the JSON-LD ``hiringOrganization``, else
the company box, else the listing's company, else the "Employer – City, TX – Full Time – Title"
title pattern some postings use. The incremental signal is a digest of the listing entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from crawlers.mirror import with_scheme
from crawlers.platforms.base import BoardSpider
from crawlers.platforms.jsonld import jobpostings_in_html, posting_fields
from crawlers.platforms.pages import (
    block_text,
    inline_text,
    listing_signal,
    wall_kind,
)
from crawlers.platforms.values import number, text
from crawlers.registry import Board

DEFAULT_PER_PAGE = 50
DEFAULT_MAX_PAGES = 40
_POST_ID = re.compile(r"\bpost-(\d+)\b")
_TYPE_WORDS = re.compile(r"\b(full[ -]?time|part[ -]?time|per[ -]?diem|prn|temporary|contract"
                         r"|internship|volunteer|freelance|seasonal)\b", re.IGNORECASE)
_DASHES = re.compile(r"\s+[–—-]\s+")


def site_url(board: str) -> str:
    parts = urlsplit(with_scheme(
        board, scheme="https",
        problem=f"{board!r}: expected the board site's URL (https://peerforce.org/)"))
    path = parts.path.rstrip("/")
    return f"{parts.scheme or 'https'}://{parts.netloc}{path}/"


def title_pattern(title: str | None) -> dict[str, str] | None:
    """"Employer – City, TX – Full Time – Title" → its parts (None when the title is plain)."""
    if not title:
        return None
    parts = _DASHES.split(title)
    if len(parts) < 4:
        return None
    for index in range(2, len(parts) - 1):
        if _TYPE_WORDS.fullmatch(parts[index].strip()):
            return {"employer": parts[0].strip(), "location": " – ".join(parts[1:index]).strip(),
                    "employment_type": parts[index].strip(),
                    "title": " – ".join(parts[index + 1:]).strip()}
    return None


def _location(value: str | None) -> str | None:
    """The plugin prints "Anywhere" when a posting has no location: that is no location."""
    return None if value is None or value.strip().lower() == "anywhere" else value


def listing_entry(node: Selector, page_url: str) -> dict[str, Any] | None:
    """One ``li.job_listing`` of the ``html`` the plugin sends."""
    href = node.css("a::attr(href)").get()
    if not href or not href.strip():
        return None
    url = urljoin(page_url, href.strip())
    classes = node.attrib.get("class", "")
    found = _POST_ID.search(classes)
    post_id = found.group(1) if found else None
    title = inline_text(node.css("h3")[0]) if node.css("h3") else None
    company = inline_text(node.css(".company strong")[0]) if node.css(".company strong") else None
    tagline = inline_text(node.css(".company .tagline")[0]) \
        if node.css(".company .tagline") else None
    location = _location(inline_text(node.css(".location")[0]) if node.css(".location") else None)
    types = [t for t in (inline_text(li) for li in node.css("li.job-type")) if t]
    posted = node.css("time::attr(datetime)").get() or node.css("li.date").xpath("string()").get()
    extra = {"post_id": post_id, "company_tagline": tagline,
             "posted_text": inline_text(node.css("li.date")[0]) if node.css("li.date") else None,
             "featured": True if "job_position_featured" in classes else None,
             "latitude": text(node.attrib.get("data-latitude")),
             "longitude": text(node.attrib.get("data-longitude"))}
    pattern = title_pattern(title) if not company else None
    return {
        "source_id": post_id or url,
        "url": url,
        "title": title,
        "employer": company or (pattern or {}).get("employer"),
        "location": location,
        "locations": [location] if location else None,
        "posted_at": text(posted),
        "employment_type": ", ".join(types) or None,
        "source_updated_at": listing_signal(post_id, url, title, company, location, types,
                                            posted),
        "extra": {k: v for k, v in extra.items() if v not in (None, "")},
    }


def feed_entries(selector: Selector) -> list[dict[str, Any]]:
    """Items of the plugin's RSS job feed (namespaced fields read by local name)."""
    entries: list[dict[str, Any]] = []
    for item in selector.xpath("//item"):
        link = text(item.xpath("link/text()").get())
        guid = text(item.xpath("guid/text()").get())
        if not link:
            continue
        query = dict(parse_qsl(urlsplit(guid or "").query))
        post_id = query.get("p")
        title = text(item.xpath("title/text()").get())

        def local(name: str, node: Selector = item) -> str | None:
            return text(" ".join(node.xpath(f"*[local-name()='{name}']/text()").getall()))

        company, location, kind = local("company"), local("location"), local("job_type")
        posted = text(item.xpath("pubDate/text()").get())
        entries.append({
            "source_id": post_id or link,
            "url": link,
            "title": title,
            "employer": company,
            "location": location,
            "locations": [location] if location else None,
            "posted_at": posted,
            "employment_type": kind,
            "source_updated_at": listing_signal(post_id, link, title, company, location,
                                                [kind] if kind else [], posted),
            "extra": {"post_id": post_id} if post_id else {},
        })
    return entries


def detail_fields(selector: Selector, entry: dict[str, Any], page_url: str) -> dict[str, Any] | None:
    """The posting page over its listing entry; None when the page is no posting."""
    scan = jobpostings_in_html(selector)
    ld = posting_fields(scan.postings[0], page_url) if scan.postings else {}
    body = selector.css(".single_job_listing .job_description, .job_description")
    if not ld and not body:
        return None
    company = inline_text(selector.css(".company .name strong, .company strong")[0]) \
        if selector.css(".company .name strong, .company strong") else None
    website = selector.css(".company a.website::attr(href)").get()
    meta_location = _location(inline_text(selector.css("ul.meta li.location")[0])
                              if selector.css("ul.meta li.location") else None)
    meta_type = inline_text(selector.css("ul.meta li.job-type")[0]) \
        if selector.css("ul.meta li.job-type") else None
    heading = selector.css("h1.entry-title, h1.page-title, h1")
    title = ld.get("title") or (inline_text(heading[0]) if heading else None) or entry.get("title")
    pattern = title_pattern(title)
    employer = ld.get("employer") or company or (pattern or {}).get("employer") or \
        entry.get("employer")
    location = ld.get("location") or meta_location or entry.get("location") or \
        (pattern or {}).get("location")
    locations = [p for p in (ld.get("locations") or [location]) if p]
    description = ld.get("description") or (block_text(body[0]) if body else None)
    extra = {**(entry.get("extra") or {}), **(ld.get("extra") or {}),
             "company_website": website,
             "listing_company": entry.get("employer") if not pattern else None,
             "title_pattern": pattern}
    fields: dict[str, Any] = {
        "source_id": entry.get("source_id"),
        "url": entry.get("url") or page_url,
        "title": title,
        "employer": employer,
        "location": location,
        "locations": locations or None,
        "description": description,
        "posted_at": ld.get("posted_at") or entry.get("posted_at"),
        "closes_at": ld.get("closes_at"),
        "employment_type": ld.get("employment_type") or meta_type or
        entry.get("employment_type") or (pattern or {}).get("employment_type"),
        "remote": ld.get("remote"),
        "source_updated_at": entry.get("source_updated_at"),
        "extra": {k: v for k, v in extra.items() if v not in (None, "", [], {})},
    }
    for key in ("pay_min", "pay_max", "pay_period", "pay_currency", "pay_text"):
        if ld.get(key) is not None:
            fields[key] = ld[key]
    return fields


class WpJobManagerSpider(BoardSpider):
    """WP Job Manager boards (PeerForce): the jm-ajax listing (or the RSS feed), then each
    posting's page.

    Board options in sources.toml: ``per_page`` (default 50), ``max_pages`` (default 40).
    """

    platform = "peerforce"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            site = site_url(board.board)
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        yield self.listings_request(board, site, 1)

    def listings_request(self, board: Board, site: str, page: int) -> scrapy.Request:
        per_page = int(number(board.option("per_page", DEFAULT_PER_PAGE)) or DEFAULT_PER_PAGE)
        form = {"search_keywords": "", "search_location": "", "per_page": str(per_page),
                "orderby": "date", "order": "DESC", "page": str(page),
                "show_pagination": "false"}
        request = self.request(
            f"{site}jm-ajax/get_listings/", self.parse_listings, board, listing=True,
            meta={"site": site, "page": page}, method="POST", body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                     "Accept": "application/json, text/javascript, */*; q=0.01",
                     "X-Requested-With": "XMLHttpRequest"})
        return request.replace(errback=self.listings_failed) if page == 1 else request

    def feed_request(self, board: Board, site: str) -> scrapy.Request:
        return self.request(f"{site}?feed=job_feed", self.parse_feed, board, listing=True,
                            meta={"site": site})

    def listings_failed(self, failure: Any) -> Iterator[Any]:
        """The first jm-ajax page failed: count it and read the RSS job feed instead."""
        request = failure.request
        request.meta["sighted"] = True
        yield from self.on_error(failure)
        yield self.feed_request(request.meta["board"], request.meta["site"])

    def parse_listings(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        site: str = response.meta["site"]
        page: int = response.meta["page"]
        body = response.text if isinstance(response, TextResponse) else ""
        if not body.strip():
            yield from self.listings_unreadable(board, site, page, "empty_body",
                                                f"{response.url} page {page} answered an empty "
                                                "body where JSON was expected")
            return
        try:
            data = json.loads(body)
        except ValueError as exc:
            kind = wall_kind(response) or ("html_instead_of_json" if body.lstrip()[:1] == "<"
                                           else "malformed_json")
            yield from self.listings_unreadable(board, site, page, kind,
                                                f"{response.url} page {page}: {exc}")
            return
        html = data.get("html") if isinstance(data, dict) else None
        if not isinstance(html, str):
            yield from self.listings_unreadable(board, site, page, "unexpected_shape",
                                                f"{response.url} page {page} has no html")
            return
        self.listing_read(board)
        nodes = Selector(text=html or "<ul></ul>", type="html").css("li.job_listing")
        entries = [e for e in (listing_entry(n, response.url) for n in nodes) if e]
        if not entries:
            if page > 1:
                self.problem(board, "beyond_last_page", f"page {page} lists no postings")
            elif data.get("found_jobs") not in (False, None) and nodes:
                self.problem(board, "unexpected_shape", "listings without links",
                             incomplete=True)
            else:
                self.logger.info("[%s] the board lists no postings", board.source)
            return
        for entry in entries:
            yield from self.from_entry(entry, board)
        pages = int(number(data.get("max_num_pages")) or 1)
        if page >= pages:
            return
        cap = int(number(board.option("max_pages", DEFAULT_MAX_PAGES)) or DEFAULT_MAX_PAGES)
        if page >= cap:
            self.problem(board, "page_cap", f"stopped after {page} pages (max_pages); the board "
                         f"has {pages}", incomplete=True)
            return
        yield self.listings_request(board, site, page + 1)

    def listings_unreadable(self, board: Board, site: str, page: int, kind: str,
                            message: str) -> Iterator[Any]:
        if page == 1:
            self.problem(board, kind, f"{message}; reading the RSS job feed instead")
            yield self.feed_request(board, site)
        else:
            self.problem(board, kind, message, incomplete=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        body = response.text if isinstance(response, TextResponse) else \
            response.body.decode("utf-8", "replace")
        if not body.strip():
            self.problem(board, "empty_body", f"{response.url} answered an empty body where the "
                         "job feed was expected", incomplete=True)
            return
        if "<rss" not in body[:1024].lower():
            kind = wall_kind(response) or "not_rss"
            self.problem(board, kind, f"{response.url} is not the job feed ({kind})",
                         incomplete=True)
            return
        if not body.rstrip().endswith("</rss>"):
            self.problem(board, "truncated", f"{response.url} ends before </rss>",
                         incomplete=True)
            return
        self.listing_read(board)
        for entry in feed_entries(Selector(text=body, type="xml")):
            yield from self.from_entry(entry, board)

    def from_entry(self, entry: dict[str, Any], board: Board) -> Iterator[Any]:
        yield from self.detail_or_sighting(board, entry, entry["url"], self.parse_job,
                                           meta={"entry": entry})

    def parse_job(self, response: Response) -> Iterator[Any]:
        entry: dict[str, Any] = response.meta["entry"]
        yield from self.html_detail(
            response, lambda page: detail_fields(page, entry, response.url),
            missing="not_a_posting", what="posting")
