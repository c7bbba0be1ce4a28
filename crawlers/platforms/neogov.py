"""NEOGOV agency boards on governmentjobs.com (and schooljobs.com, the same platform).

A board is the agency slug NEOGOV uses (``saccounty``, ``kingcounty``), taken from the
registry, never guessed. Board options: ``host`` (default ``www.governmentjobs.com``;
``www.schooljobs.com`` for education), ``department_folder`` (an agency's sub-board),
``max_pages`` (cap on listing pages, default 100).

- Listing: ``GET https://{host}/careers/home/index?agency={agency}&sort=PostingDate&
  isDescendingSort=true&page=N`` with ``X-Requested-With: XMLHttpRequest`` (without it the
  server answers with the JavaScript shell). The answer is an HTML fragment: the total in
  ``span#job-postings-number``, about 10 postings a page, and every posting rendered twice,
  as a card in ``ul.job-listing-container`` and as a row of a (hidden) table. Postings are
  taken once, from the cards (deduplicated by ``data-job-id``); the table row of the same id
  adds what the cards lack: the posting date (``MM/DD/YY``), the job number and the closing
  date. ``div.jobs-not-found-container`` is an empty page. Paging follows the pager's Next
  link (or, without a pager, the total).
- Detail: ``https://{host}/careers/{agency}/jobs/{id}/{slug}``, server-rendered, fetched
  WITHOUT the XHR header (it answers 404 with it). It carries a JobPosting in JSON-LD (the
  description entity-escaped once, ``baseSalary`` with a unit, a real ``validThrough``) and the
  header block (Salary, Location, Job Type, Job Number, Department, Opening/Closing Date).

The incremental signal is a digest of the listing entry (:func:`entry_signal`): posting date,
job number, title, salary, type, place and closing date; relative texts ("Posted 4 days ago",
"Closes in 3 weeks", the "New" label) are left out because they change by themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.platforms.base import BoardSpider
from crawlers.platforms.jsonld import jobpostings_in_html, posting_fields
from crawlers.platforms.pages import (
    blocked_page,
    listing_signal,
    node_text,
    squash,
    unique,
)
from crawlers.platforms.values import number
from crawlers.registry import Board
from crawlers.text import html_to_text

DEFAULT_HOST = "www.governmentjobs.com"
HOSTS = ("www.governmentjobs.com", "www.schooljobs.com")
DEFAULT_MAX_PAGES = 100
XHR = {"X-Requested-With": "XMLHttpRequest"}
_JOB_PATH = re.compile(r"/jobs/(\d+)(?:/|$)")
_PREFIXED = re.compile(r"^(Category|Department|Division|Location|Closing(?: Date)?|Closes)\s*:\s*",
                       re.IGNORECASE)
_CLOSING = re.compile(r"^(continuous|closes?\b|closing\b)", re.IGNORECASE)
HEADER_LABELS = {"salary", "location", "job type", "job number", "department", "division",
                 "division / service area", "opening date", "closing date", "bargaining unit",
                 "flsa", "work schedule", "category"}


def agency_and_host(board: Board) -> tuple[str, str]:
    """The agency slug and host of a board (a slug, or an agency page URL)."""
    text = board.board.strip().strip("/")
    host = str(board.option("host") or DEFAULT_HOST).strip().lower()
    if "://" in text or "/" in text:
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host = (parts.hostname or host).lower()
        segments = [s for s in parts.path.split("/") if s]
        if "careers" in segments and segments.index("careers") + 1 < len(segments):
            text = segments[segments.index("careers") + 1]
        else:
            raise ValueError(f"{board.board!r}: expected https://{host}/careers/<agency>")
    if not text:
        raise ValueError("the board names no agency")
    if host in ("governmentjobs.com", "schooljobs.com"):
        host = f"www.{host}"
    return text, host


def listing_url(host: str, agency: str, page: int, department_folder: str | None = None) -> str:
    folder = f"&departmentFolder={quote(department_folder, safe='')}" if department_folder else ""
    return (f"https://{host}/careers/home/index?agency={quote(agency, safe='')}{folder}"
            f"&sort=PostingDate&isDescendingSort=true&page={page}")


def job_id_of(url: str | None) -> str | None:
    found = _JOB_PATH.search(urlsplit(url or "").path)
    return found.group(1) if found else None


def table_rows(selector: Selector) -> dict[str, dict[str, str]]:
    """The hidden table's rows by job id: ``{"posted": "06/07/24", "jobnumber": ..., ...}``."""
    rows: dict[str, dict[str, str]] = {}
    for head in selector.css("tr > th.job-table-title[data-job-id], tr > [data-job-id]"):
        job_id = squash(head.attrib.get("data-job-id"))
        if not job_id or job_id in rows:
            continue
        cells: dict[str, str] = {}
        for td in head.xpath("ancestor::tr[1]/td"):
            names = [c for c in (td.attrib.get("class") or "").split() if c.startswith("job-table-")]
            value = node_text(td)
            if names and value:
                cells[names[0][len("job-table-"):]] = value
        rows[job_id] = cells
    return rows


def _type_and_salary(li: Selector) -> tuple[str | None, str | None]:
    """"Full-Time <span>-</span> $X - $Y Annually" → ("Full-Time", "$X - $Y Annually")."""
    dash = "span[normalize-space()='-'][1]"
    before = li.xpath(f"{dash}/preceding-sibling::text() | {dash}/preceding-sibling::*//text()")
    after = li.xpath(f"{dash}/following-sibling::text() | {dash}/following-sibling::*//text()")
    return squash(" ".join(before.getall())), squash(" ".join(after.getall()))


def card_fields(card: Selector, host: str, table: dict[str, dict[str, str]]) -> dict[str, Any] | None:
    """What one card (and its table row) says; None without a job id."""
    job_id = squash(card.attrib.get("data-job-id"))
    link = card.css("a.item-details-link")
    if not job_id:
        return None
    href = link[0].attrib.get("href", "") if link else ""
    url = urljoin(f"https://{host}/", href.strip()) if href.strip() else None
    title = node_text(link[0]) if link else None
    meta: dict[str, str | None] = {"location": None, "type": None, "salary": None,
                                   "category": None, "department": None, "closing": None}
    for li in card.css("ul.list-meta > li"):
        text = node_text(li)
        if not text:
            continue
        prefixed = _PREFIXED.match(text)
        if "categories-list" in (li.attrib.get("class") or "") or (
                prefixed and prefixed.group(1).lower() == "category"):
            meta["category"] = _PREFIXED.sub("", text)
        elif prefixed and prefixed.group(1).lower() in ("department", "division"):
            meta[prefixed.group(1).lower()] = _PREFIXED.sub("", text)
        elif prefixed and prefixed.group(1).lower() == "location":
            meta["location"] = _PREFIXED.sub("", text)
        elif _CLOSING.match(text) or (prefixed and prefixed.group(1).lower().startswith("clos")):
            meta["closing"] = text
        elif li.xpath("span[normalize-space()='-']"):
            meta["type"], meta["salary"] = _type_and_salary(li)
        elif meta["location"] is None and meta["type"] is None:
            meta["location"] = text
        elif meta["type"] is None:
            meta["type"] = text
    row = table.get(job_id, {})
    department = meta["department"] or squash(link[0].attrib.get("data-department-name")
                                              if link else None) or row.get("department")
    closing_date = row.get("closing")
    closes_at = None if not closing_date or closing_date.lower() == "continuous" else closing_date
    starts = card.css(".list-entry-starts")
    ends = card.css(".list-entry-ends")
    entry = card.css(".list-entry")
    location = meta["location"] or row.get("location")
    employment = meta["type"] or row.get("type")
    salary = meta["salary"] or row.get("salary")
    extra = {
        "job_number": row.get("jobnumber"),
        "department": department,
        "division": meta.get("division") or row.get("division"),
        "category": meta["category"] or row.get("category"),
        "snippet": node_text(entry[0]) if entry else None,
        "posted_text": node_text(starts[0]) if starts else None,
        "closing_text": meta["closing"] or (node_text(ends[0]) if ends else None)
        or (closing_date if closing_date and not closes_at else None),
    }
    return {
        "source_id": job_id,
        "url": url,
        "title": title,
        "location": location,
        "locations": [location] if location else None,
        "employment_type": employment,
        "pay_text": salary,
        "posted_at": row.get("posted"),
        "closes_at": closes_at,
        "source_updated_at": entry_signal(job_id, title, url, location, employment, salary,
                                          row.get("posted"), row.get("jobnumber"), closing_date,
                                          meta["category"], department),
        "extra": {k: v for k, v in extra.items() if v not in (None, "", {})},
    }


def entry_signal(job_id: str, *shown: str | None) -> str:
    """The incremental signal: a digest of the listing entry's absolute values.

    The listing's posting date and job number change when an agency reposts; title, salary,
    type, place and closing date when it edits what the listing shows. An edit to the bulletin
    text alone is not seen (``-s PEERJOBS_INCREMENTAL=0`` refetches every posting)."""
    return listing_signal(job_id, *shown)


def listing_cards(selector: Selector, host: str) -> list[dict[str, Any]]:
    """Each posting once: the cards of ``ul.job-listing-container``, merged with table rows."""
    table = table_rows(selector)
    nodes = selector.css("ul.job-listing-container li.list-item[data-job-id]") \
        or selector.css("li.list-item[data-job-id]")
    cards: list[dict[str, Any]] = []
    seen: set[str] = set()
    for node in nodes:
        card = card_fields(node, host, table)
        if card and card["source_id"] not in seen:
            seen.add(card["source_id"])
            cards.append(card)
    return cards


def total_of(selector: Selector) -> int | None:
    value = number(squash(selector.css("#job-postings-number::text").get()))
    return int(value) if value is not None else None


def next_offered(selector: Selector) -> bool | None:
    """True/False when the pager says whether a next page exists; None when there is no pager."""
    nexts = selector.css("li.PagedList-skipToNext")
    if not nexts:
        return None
    return any("disabled" not in (n.attrib.get("class") or "") and n.css("a[href]")
               for n in nexts)


def header_pairs(selector: Selector) -> dict[str, str]:
    """The detail's header block (Salary, Location, Job Type, Job Number, ...) as label → value."""
    pairs: dict[str, str] = {}
    for block in selector.css(".term-block, .summary .row"):
        label_node = block.css(".term-description, .term-title, .span4")
        value_node = block.css(".span8, .term-value, .span4 + div")
        label = node_text(label_node[0]) if label_node else None
        value = node_text(value_node[0]) if value_node else None
        if label and value:
            pairs.setdefault(label.rstrip(": ").strip(), value)
    for dt in selector.xpath("//dt[not(ancestor::*[@id='details-info'])]"):
        label = node_text(dt)
        dd = dt.xpath("following-sibling::dd[1]")
        value = node_text(dd[0]) if dd else None
        if label and value and label.rstrip(": ").strip().lower() in HEADER_LABELS:
            pairs.setdefault(label.rstrip(": ").strip(), value)
    return pairs


def wall(selector: Selector) -> tuple[str, str] | None:
    """A wall page (see :func:`blocked_page`), except that the sign-in popup governmentjobs.com
    puts on every page (``form.form-signin``) does not make a login wall unless the page's
    title says so: that page is the JavaScript shell, not a wall."""
    blocked = blocked_page(selector)
    if blocked and blocked[0] == "login_wall" and selector.css("form.form-signin"):
        title = " ".join(selector.xpath("//title//text()").getall())
        if not re.search(r"\b(?:sign|log) ?in\b", title, re.IGNORECASE):
            return None
    return blocked


def _lookup(pairs: dict[str, str], *labels: str) -> str | None:
    lowered = {k.lower(): v for k, v in pairs.items()}
    for label in labels:
        if lowered.get(label):
            return lowered[label]
    return None


def detail_fields(selector: Selector, listing: dict[str, Any]) -> dict[str, Any] | None:
    """Raw JobPosting fields from a posting page and its listing entry; None: no posting here."""
    scan = jobpostings_in_html(selector)
    obj = scan.postings[0] if scan.postings else None
    header = header_pairs(selector)
    info = selector.css("#details-info")
    if obj is None and not info and not header:
        return None
    found = posting_fields(obj, listing["url"] or "") if obj else {}
    title_node = selector.css(".entity-title, h2.job-title, h1.job-title")
    closing = _lookup(header, "closing date")
    header_closes = closing if closing and closing.lower() != "continuous" else None
    places = found.get("locations") or unique([_lookup(header, "location")]) \
        or listing.get("locations")
    description = found.get("description") or (html_to_text(info[0].get()) if info else None)
    extra = {
        **(listing.get("extra") or {}),
        **(found.get("extra") or {}),
        "job_number": _lookup(header, "job number") or (listing.get("extra") or {}).get(
            "job_number"),
        "department": _lookup(header, "department") or (listing.get("extra") or {}).get(
            "department"),
        "division": _lookup(header, "division", "division / service area")
        or (listing.get("extra") or {}).get("division"),
        "listing_location": listing.get("location"),
        "listing_posted_at": listing.get("posted_at"),
        "employment_type_jsonld": found.get("employment_type"),
        "header": header or None,
        "opening_date": _lookup(header, "opening date"),
        "closing_text": closing if closing and not header_closes
        else (listing.get("extra") or {}).get("closing_text"),
    }
    if description:
        extra.pop("snippet", None)
    fields: dict[str, Any] = {
        "source_id": listing["source_id"],
        "url": listing["url"],
        "title": found.get("title") or (node_text(title_node[0]) if title_node else None)
        or listing.get("title"),
        "employer": found.get("employer"),
        "location": places[0] if places else None,
        "locations": places or None,
        "pay_text": _lookup(header, "salary") or listing.get("pay_text"),
        "description": description,
        "posted_at": found.get("posted_at") or _lookup(header, "opening date")
        or listing.get("posted_at"),
        "closes_at": found.get("closes_at") or header_closes or listing.get("closes_at"),
        "employment_type": _lookup(header, "job type") or listing.get("employment_type")
        or found.get("employment_type"),
        "remote": found.get("remote"),
        "source_updated_at": listing.get("source_updated_at"),
    }
    for key in ("pay_min", "pay_max", "pay_period", "pay_currency"):
        if found.get(key) is not None:
            fields[key] = found[key]
    fields["extra"] = {k: v for k, v in extra.items() if v not in (None, "", [], {})}
    return fields


class NeogovSpider(BoardSpider):
    """NEOGOV agency boards: the XHR listing fragment page by page, then each bulletin."""

    platform = "neogov"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            agency, host = agency_and_host(board)
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        yield self.listing_request(board, agency, host, 1, set())

    def listing_request(self, board: Board, agency: str, host: str, page: int,
                        seen: set[str]) -> scrapy.Request:
        folder = board.option("department_folder")
        return self.request(listing_url(host, agency, page, str(folder) if folder else None),
                            self.parse_listing, board, listing=True, headers=dict(XHR),
                            meta={"agency": agency, "host": host, "page": page, "seen": seen})

    def parse_listing(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        agency: str = response.meta["agency"]
        host: str = response.meta["host"]
        page: int = response.meta["page"]
        seen: set[str] = response.meta["seen"]
        selector = self.html_page(response, board, incomplete=True)
        if isinstance(selector, str):
            return
        total = total_of(selector)
        cards = listing_cards(selector, host)
        if not cards:
            if selector.css(".jobs-not-found-container") or total == 0:
                self.listing_read(board)
                if page > 1:
                    self.problem(board, "beyond_last_page", f"listing page {page} is empty "
                                 f"after {len(seen)} of {total} postings")
                else:
                    self.logger.info("[%s] the agency lists no postings", board.source)
                return
            blocked = wall(selector)
            kind, what = blocked or ("no_postings_found", "neither a listing fragment nor an "
                                     "empty one (the JavaScript shell of an unknown agency, or a "
                                     "changed template)")
            self.problem(board, kind, f"{response.url} is {what}", incomplete=True)
            return
        self.listing_read(board)
        fresh = [c for c in cards if c["source_id"] not in seen]
        for card in cards:
            yield from self.from_card(card, board)
        seen = seen | {c["source_id"] for c in cards}
        offered = next_offered(selector)
        more = offered if offered is not None else bool(total and len(seen) < total)
        if not fresh or not more:
            if not fresh:
                self.problem(board, "beyond_last_page", f"listing page {page} repeats earlier "
                             "postings; stopping")
            if total is not None and len(seen) < total:
                self.problem(board, "total_mismatch", f"the listing promised {total} postings "
                             f"but {len(seen)} were listed")
            return
        cap = number(board.option("max_pages", DEFAULT_MAX_PAGES)) or DEFAULT_MAX_PAGES
        if page >= int(cap):
            self.problem(board, "page_cap", f"stopped after {page} listing pages (max_pages); "
                         "the agency lists more", incomplete=True)
            return
        yield self.listing_request(board, agency, host, page + 1, seen)

    def from_card(self, card: dict[str, Any], board: Board) -> Iterator[Any]:
        # No X-Requested-With here: the bulletin answers 404 to an XHR request.
        yield from self.detail_or_sighting(board, card, card["url"], self.parse_detail,
                                           meta={"card": card})

    def parse_detail(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        card: dict[str, Any] = response.meta["card"]
        fallback = response.meta["fallback"]
        selector = self.html_page(response, board, incomplete=False)
        if isinstance(selector, str):
            yield self.listing_only(fallback, reason=selector)
            return
        if job_id_of(response.url) != card["source_id"]:
            # Closed by the site, maybe; the listing showed it, and only absence from a
            # complete listing closes a posting: the listing's copy is kept.
            self.problem(board, "expired_redirect", f"posting {card['source_id']} now redirects "
                         f"to {response.url}; the listing's copy is kept")
            yield self.listing_only(fallback, reason="expired_redirect")
            return
        scan = jobpostings_in_html(selector)
        if scan.malformed:
            self.problem(board, "malformed_jsonld",
                         f"{response.url}: a JSON-LD block does not parse ({scan.errors[0]})")
        fields = detail_fields(selector, card)
        if fields is None:
            blocked = wall(selector)
            kind, what = blocked or ("unexpected_page", "not a bulletin (no JSON-LD, no "
                                     "#details-info, no header block)")
            self.problem(board, kind, f"{response.url} is {what}")
            yield self.listing_only(fallback, reason=kind)
            return
        yield self.posting(board, **fields)
