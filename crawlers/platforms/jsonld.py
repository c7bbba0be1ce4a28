"""schema.org ``JobPosting`` in JSON-LD: the markup Google for Jobs asks of every career site.

The functions here read JSON-LD the way real pages write it: top-level objects, lists and
``@graph``, several postings per page, ``baseSalary`` as a ``MonetaryAmount`` (or, on some
applicant-tracking systems, bare min/max values or numeric strings), ``jobLocation`` as one
``Place`` or many, ``TELECOMMUTE`` with ``applicantLocationRequirements``. They return raw
values; the :class:`JsonLdSpider` base crawls sitemaps and listing pages named in sources.toml.
Other platform bases reuse :func:`jobpostings_in_html` and :func:`posting_fields`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse
from scrapy.utils.sitemap import Sitemap

from crawlers.platforms.base import BoardSpider
from crawlers.registry import Board
from crawlers.text import html_to_text

_COMMENTS = re.compile(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(-->|//\s*\]\]>|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_SITEMAP_END = re.compile(rb"</(?:[\w-]+:)?(?:urlset|sitemapindex)\s*>\s*$")
DEFAULT_FOLLOW = r"/(jobs?|careers?|positions?|openings?|postings?|vacanc\w*|opportunit\w*)\b"


@dataclass
class JsonLdScan:
    """What a page's JSON-LD held: the JobPosting objects and how many blocks failed to parse."""

    postings: list[dict[str, Any]] = field(default_factory=list)
    blocks: int = 0
    malformed: int = 0
    errors: list[str] = field(default_factory=list)


def parse_jsonld_block(text: str) -> Any:
    """One ``<script type="application/ld+json">`` body, tolerating what real pages ship."""
    body = _COMMENTS.sub("", text.strip()).strip().rstrip(";")
    try:
        return json.loads(body, strict=False)
    except ValueError:
        return json.loads(_TRAILING_COMMA.sub(r"\1", body), strict=False)


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {str(v).rsplit("/", 1)[-1] for v in values if v}


def find_jobpostings(data: Any) -> Iterator[dict[str, Any]]:
    """Every JobPosting object inside parsed JSON-LD, however it is nested."""
    stack = [data]
    while stack:
        node = stack.pop(0)
        if isinstance(node, list):
            stack[0:0] = node
        elif isinstance(node, dict):
            if "JobPosting" in _types(node):
                yield node
                continue
            children = [v for k, v in node.items() if k in ("@graph", "itemListElement", "item",
                                                              "mainEntity", "hasPart")]
            stack[0:0] = children


def jobpostings_in_html(page: str | Selector) -> JsonLdScan:
    selector = page if isinstance(page, Selector) else Selector(text=page)
    scan = JsonLdScan()
    for block in selector.xpath(
        "//script[contains(translate(@type, 'LDJSON', 'ldjson'), 'ld+json')]/text()"
    ).getall():
        if not block.strip():
            continue
        scan.blocks += 1
        try:
            data = parse_jsonld_block(block)
        except ValueError as exc:
            scan.malformed += 1
            scan.errors.append(str(exc))
            continue
        scan.postings.extend(find_jobpostings(data))
    return scan


# -- field mapping ------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = value.get("name") or value.get("value") or value.get("@value")
    if isinstance(value, list):
        value = next((v for v in (_text(x) for x in value) if v), None)
    if value is None:
        return None
    text = html.unescape(str(value)).strip()
    return text or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        cleaned = value.strip().replace(",", "")
        if re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
            return float(cleaned)
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def format_address(address: Any) -> str | None:
    """``PostalAddress`` as one line: street, locality, region and postal code, country."""
    if isinstance(address, str):
        return _text(address)
    if not isinstance(address, dict):
        return None
    street = _text(address.get("streetAddress"))
    locality = _text(address.get("addressLocality"))
    region = _text(address.get("addressRegion"))
    postal = _text(address.get("postalCode"))
    country = _text(address.get("addressCountry"))
    region_postal = " ".join(p for p in (region, postal) if p)
    parts = [p for p in (street, locality, region_postal, country) if p]
    return ", ".join(parts) or None


def place_texts(job_location: Any) -> list[str]:
    """Each Place as text. When every Place repeats one address under different names (a
    template bug seen on real pages), the names are the locations."""
    places = [p for p in _as_list(job_location) if p]
    names = [_text(p.get("name")) if isinstance(p, dict) else None for p in places]
    addresses = [format_address(p.get("address") if isinstance(p, dict) else p) for p in places]
    if len(places) > 1 and len(set(addresses)) == 1 and all(names) and len(set(names)) > 1:
        return [n for n in names if n]
    texts = []
    for name, address in zip(names, addresses, strict=True):
        text = address or name
        if text and text not in texts:
            texts.append(text)
    return texts


def salary_fields(base_salary: Any) -> dict[str, Any]:
    """``baseSalary`` → pay_min, pay_max, pay_period (unitText as given), pay_currency, pay_text."""
    out: dict[str, Any] = {}
    if base_salary is None:
        return out
    if not isinstance(base_salary, dict):
        number = _number(base_salary)
        if number is not None:
            out["pay_min"] = out["pay_max"] = number
        else:
            out["pay_text"] = _text(base_salary)
        return out
    currency = _text(base_salary.get("currency"))
    value = base_salary.get("value", base_salary)
    unit = None
    if isinstance(value, dict):
        unit = _text(value.get("unitText"))
        currency = currency or _text(value.get("currency"))
        low, high = value.get("minValue"), value.get("maxValue")
        single = value.get("value") if value is not base_salary else None
    else:
        low = high = None
        single = value
    unit = unit or _text(base_salary.get("unitText"))
    low_n, high_n, single_n = _number(low), _number(high), _number(single)
    if low_n is None and high_n is None and single_n is not None:
        low_n = high_n = single_n
    if low_n is not None or high_n is not None:
        out["pay_min"] = low_n if low_n is not None else high_n
        out["pay_max"] = high_n if high_n is not None else low_n
    else:
        texts = [t for t in (_text(low), _text(high), _text(single)) if t]
        if texts:
            out["pay_text"] = " - ".join(texts)
    if unit:
        out["pay_period"] = unit
    if currency:
        out["pay_currency"] = currency
    return out


def _identifier(posting: dict[str, Any]) -> str | None:
    ident = posting.get("identifier")
    if isinstance(ident, list):
        ident = ident[0] if ident else None
    if isinstance(ident, dict):
        value = ident.get("value") or ident.get("@value") or ident.get("sameAs")
        return _text(value)
    return _text(ident)


def _description(posting: dict[str, Any]) -> str | None:
    parts = [html_to_text(str(posting["description"]))] if posting.get("description") else []
    body = parts[0] if parts and parts[0] else ""
    for key, heading in (("responsibilities", "Responsibilities"),
                         ("qualifications", "Qualifications"),
                         ("educationRequirements", "Education"),
                         ("experienceRequirements", "Experience"),
                         ("skills", "Skills")):
        value = posting.get(key)
        text = html_to_text(value if isinstance(value, str) else _text(value))
        if text and text not in body:
            parts.append(f"{heading}\n{text}")
    joined = "\n\n".join(p for p in parts if p)
    return joined or None


def posting_fields(posting: dict[str, Any], page_url: str) -> dict[str, Any]:
    """Raw JobPosting fields from one schema.org JobPosting object (no normalization)."""
    url = _text(posting.get("url"))
    places = place_texts(posting.get("jobLocation"))
    location_types = {str(t).upper() for t in _as_list(posting.get("jobLocationType"))}
    remote = True if "TELECOMMUTE" in location_types else None
    requirements = [t for t in (_text(r) for r in _as_list(
        posting.get("applicantLocationRequirements"))) if t]
    if remote and not places and requirements:
        places = [f"Remote ({', '.join(requirements)})"]
    elif remote and not places:
        places = ["Remote"]
    employment = [t for t in (_text(e) for e in _as_list(posting.get("employmentType"))) if t]
    fields: dict[str, Any] = {
        "source_id": _identifier(posting),
        "url": urljoin(page_url, url) if url else page_url,
        "title": _text(posting.get("title") or posting.get("name")),
        "employer": _text(posting.get("hiringOrganization")),
        "location": places[0] if places else None,
        "locations": places or None,
        "description": _description(posting),
        "posted_at": _text(posting.get("datePosted")),
        "closes_at": _text(posting.get("validThrough")),
        "employment_type": ", ".join(employment) or None,
        "remote": remote,
        "source_updated_at": _text(posting.get("dateModified")),
    }
    fields.update(salary_fields(posting.get("baseSalary")))
    if "pay_min" not in fields and "pay_text" not in fields and posting.get("estimatedSalary"):
        estimated = salary_fields(posting.get("estimatedSalary"))
        fields["extra_estimated_salary"] = estimated
    extra = {
        key: posting[key]
        for key in ("industry", "occupationalCategory", "workHours", "directApply",
                    "jobLocationType", "educationRequirements", "experienceRequirements")
        if posting.get(key) not in (None, "", [])
    }
    if requirements:
        extra["applicant_location_requirements"] = requirements
    ident = posting.get("identifier")
    if isinstance(ident, dict) and _text(ident.get("name")):
        extra["identifier_name"] = _text(ident.get("name"))
    if "extra_estimated_salary" in fields:
        extra["estimated_salary"] = fields.pop("extra_estimated_salary")
    fields["extra"] = extra
    return fields


# -- the spider base ------------------------------------------------------------------------


class JsonLdSpider(BoardSpider):
    """Career sites with JobPosting JSON-LD, started from sitemaps or listing pages.

    Board options in sources.toml: ``start_urls`` (sitemaps or listing pages; default: the
    board itself when it is a URL), ``follow`` (regex for links to posting pages on listing
    pages), ``max_listing_pages`` (a cap on paging, default 50).
    """

    platform = "jsonld"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.followed: set[tuple[str, str]] = set()

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        urls = board.option("start_urls") or ([board.board] if "://" in board.board else [])
        if not urls:
            self.problem(board, "board_error", "no start_urls and the board is not a URL")
            return
        for url in urls:
            yield self.request(url, self.parse_listing, board, listing=True,
                               meta={"listing_depth": 0})

    def parse_listing(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        head = response.text[:2048].lstrip() if isinstance(response, TextResponse) else ""
        if head.startswith("<?xml") or "<urlset" in head or "<sitemapindex" in head:
            yield from self.parse_sitemap(response, board)
            return
        selector = self.html_page(response, board, incomplete=True)
        if isinstance(selector, str):
            return
        scan = jobpostings_in_html(selector)
        next_pages = self.next_pages(response, board, selector)
        links = [u for u in self.posting_links(response, board, selector) if u not in next_pages]
        if not scan.postings and not links and not next_pages:
            kind = "malformed_jsonld" if scan.malformed else "no_postings_found"
            self.problem(board, kind, f"listing {response.url} shows no postings, JSON-LD or "
                         "posting links (login wall or changed page?)", incomplete=True)
            return
        self.listing_read(board)
        yield from self.postings_from_scan(scan, response, board)
        for url in links:
            if self.first_link(board, url):
                yield self.request(url, self.parse_posting, board)
        depth = response.meta.get("listing_depth", 0) + 1
        if depth < int(board.option("max_listing_pages", 50)):
            for url in next_pages:
                if self.first_link(board, url):
                    yield self.request(url, self.parse_listing, board, listing=True,
                                       meta={"listing_depth": depth})

    def parse_sitemap(self, response: Response, board: Board) -> Iterator[scrapy.Request]:
        if not _SITEMAP_END.search(response.body[-512:]):
            # The XML parser recovers what it can of a cut document: the URLs after the cut
            # would be missing from a run that looks complete.
            self.problem(board, "truncated", f"{response.url} ends before </urlset> or "
                         "</sitemapindex>: the sitemap was cut short; not read", incomplete=True)
            return
        try:
            sitemap = Sitemap(response.body)
        except Exception as exc:
            self.problem(board, "malformed_sitemap", f"{response.url}: {exc}", incomplete=True)
            return
        self.listing_read(board)
        pattern = re.compile(board.option("follow") or ".")
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield self.request(loc, self.parse_listing, board, listing=True)
            elif pattern.search(loc) and self.first_link(board, loc):
                yield self.request(loc, self.parse_posting, board,
                                   meta={"lastmod": entry.get("lastmod")})

    def first_link(self, board: Board, url: str) -> bool:
        """Each page once per board and run: listing pages link to the same postings again
        (two boards may share a posting and both must see it, so this is not Scrapy's
        run-wide duplicate filter)."""
        key = (board.source, url)
        if key in self.followed:
            return False
        self.followed.add(key)
        return True

    def posting_links(self, response: Response, board: Board,
                      selector: Selector | None = None) -> Iterator[str]:
        pattern = re.compile(board.option("follow") or DEFAULT_FOLLOW, re.IGNORECASE)
        host = urlsplit(response.url).netloc
        page = selector if selector is not None else Selector(text=response.text, type="html")
        for href in page.css("a::attr(href)").getall():
            url = response.urljoin(href.strip())
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc == host \
                    and pattern.search(parts.path) and url.split("#")[0] != response.url:
                yield url.split("#")[0]

    def next_pages(self, response: Response, board: Board,
                   selector: Selector | None = None) -> list[str]:
        css = board.option("next_page") or "a[rel~=next]::attr(href), link[rel~=next]::attr(href)"
        page = selector if selector is not None else Selector(text=response.text, type="html")
        return [response.urljoin(h) for h in page.css(css).getall() if h.strip()]

    def parse_posting(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        # No listing copy of the posting exists here: a lost page leaves the run incomplete.
        selector = self.html_page(response, board, incomplete=True)
        if isinstance(selector, str):
            return
        scan = jobpostings_in_html(selector)
        if scan.malformed and not scan.postings:
            self.problem(board, "malformed_jsonld",
                         f"{response.url}: JSON-LD does not parse ({scan.errors[0]})",
                         incomplete=True)
            return
        if not scan.postings:
            self.problem(board, "no_jsonld", f"{response.url} has no JobPosting JSON-LD",
                         incomplete=True)
            return
        yield from self.postings_from_scan(scan, response, board)

    def postings_from_scan(
        self, scan: JsonLdScan, response: Response, board: Board
    ) -> Iterator[Any]:
        many = len(scan.postings) > 1
        for index, obj in enumerate(scan.postings):
            fields = posting_fields(obj, response.url)
            if not fields["source_id"]:
                own_url = fields["url"] != response.url
                fields["source_id"] = fields["url"] if own_url or not many else \
                    f"{response.url}#{index + 1}"
            yield self.posting(board, **self.adjust(fields, obj, response))

    def adjust(self, fields: dict[str, Any], obj: dict[str, Any], response: Response) -> dict[str, Any]:
        """Hook for platform bases built on JSON-LD (iCIMS, rendered pages): fix fields up."""
        return fields
