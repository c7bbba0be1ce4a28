"""JobAps: the merit-system job boards of states and counties (Maryland, Connecticut, ...).

A board is the agency's board URL, ``https://www.jobapscloud.com/{agency}/`` (older links use
``www.jobaps.com``; both serve the same paths), or just the agency code (``MD``). A board URL
that names a page (``.../Alameda/jobboard.asp``) is read as given.

- Listing: the agency page itself is the whole board, server-rendered, no paging and no JSON
  (real captures of ``/MD/`` and ``/CT/``): ``table.JobListing`` rows, the title anchor
  (``a.JobTitle``) and number anchor (``a.JobNum``) both linking the bulletin, a column per field
  named in the table header (MD: Work Locations, Agency, Salary, Filing Deadline; CT: Location,
  Department, Type, Close Date). Some boards add a hidden ``input[id^=rowJobProps_]`` whose value
  is JSON ``{url, link, apply, rn, boolIsNew, noapply}``. A board can list one posting in several
  tables (CT: "Open to the Public", "Open Only to Statewide Employees"); it is emitted once.
  "Practice Application" and "Application On-File" rows (``R1=AF...``, ``PR0000``) are not
  postings and are skipped. Some agencies put a splash page at the root and the board at
  ``jobboard.asp``: a root page without a board that links ``jobboard.asp`` is followed once.
- Bulletin: ``/{agency}/sup/bulpreview.asp?R1=..&R2=..&R3=..`` ("Recruitment #R1-R2-R3", the
  posting's id): ``h1#JobBulletinTitle``, ``#JobBulletinNum``, ``table.DetailTable`` (Department,
  Date Opened, Filing Deadline / Close Date, Salary, Employment Type, Work Location, Telework
  Eligible), a JobPosting JSON-LD block and ``#JobBulletinBody`` with ``<h2>`` sections (GRADE,
  LOCATION OF POSITION, Main Purpose of Job / POSITION DUTIES, MINIMUM QUALIFICATIONS, LICENSES,
  REGISTRATIONS AND CERTIFICATIONS, SPECIAL REQUIREMENTS). Literal ``\\r\\n`` sequences occur in
  bulletin text and are read as line breaks.

The employer is the hiring agency the bulletin names (its Department row, else the listing's
Agency/Department column, else the JSON-LD hiringOrganization); the registry's employer only
when none is named. GRADE is a state grade, not pay: it stays in ``extra``; ``pay_text`` is the
printed Salary. The listing has no update stamp: the incremental signal is a digest of the
listing row (:func:`crawlers.platforms.pages.listing_signal`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.platforms.base import BoardSpider
from crawlers.platforms.jsonld import jobpostings_in_html, posting_fields
from crawlers.platforms.pages import (
    block_text,
    inline_text,
    listing_signal,
    text_lines,
    unique,
    wall_kind,
)
from crawlers.registry import Board

DEFAULT_HOST = "www.jobapscloud.com"
_BULLETIN_HREF = ("//a[contains(translate(@href, 'BULPREVIEW', 'bulpreview'), "
                  "'bulpreview.asp')]")
_ROW_XPATH = (".//tr[.//a[contains(translate(@href, 'BULPREVIEW', 'bulpreview'), "
              "'bulpreview.asp')] or .//input[starts-with(@id, 'rowJobProps_')]]")
_RECRUITMENT = re.compile(r"Recruitment\s*#\s*([A-Za-z0-9][A-Za-z0-9-]*)")
_NO_OPENINGS = re.compile(r"no (?:current |open )?(?:job )?(?:openings|recruitments|positions)",
                          re.IGNORECASE)
_COLUMNS: dict[str, tuple[str, ...]] = {
    "location": ("location",),
    "department": ("agency", "department", "dept"),
    "salary": ("salary", "pay"),
    "deadline": ("deadline", "close date", "closing", "closes"),
    "type": ("type",),
}
_CELL_CLASSES = {"location": "Locs", "department": "Dept", "salary": "Salary",
                 "deadline": "Deadline"}


def listing_url(board: str) -> str:
    """The listing page of a board URL or agency code; ``ValueError`` says what is wrong."""
    text = board.strip()
    if not text:
        raise ValueError("empty board")
    if "://" not in text:
        if "/" in text.strip("/") or "." in text:
            text = f"https://{text}"
        else:
            return f"https://{DEFAULT_HOST}/{text.strip('/')}/"
    parts = urlsplit(text)
    segments = [s for s in parts.path.split("/") if s]
    if not parts.netloc or not segments:
        raise ValueError(f"{board!r}: expected https://{DEFAULT_HOST}/<agency>/")
    if "." in segments[-1]:
        return text
    return f"{parts.scheme or 'https'}://{parts.netloc}/{'/'.join(segments)}/"


def bulletin_ids(url: str) -> tuple[str, str, str] | None:
    """(R1, R2, R3) of a bulletin link, the parts of its "Recruitment #"."""
    params = {k.upper(): v.strip() for k, v in parse_qsl(urlsplit(url).query,
                                                          keep_blank_values=True)}
    ids = (params.get("R1", ""), params.get("R2", ""), params.get("R3", ""))
    return ids if all(ids) else None


def bulletin_url(url: str) -> str:
    """The bulletin's URL with only R1, R2 and R3 (listings add ``b=``; the id is the same)."""
    parts = urlsplit(url)
    ids = bulletin_ids(url)
    if ids is None:
        return url
    query = "&".join(f"R{n}={quote(v, safe='')}" for n, v in enumerate(ids, start=1))
    return f"{parts.scheme}://{parts.netloc}{parts.path}?{query}"


def is_pseudo_posting(ids: tuple[str, str, str]) -> bool:
    """"Application On-File" (R1=AF...) and "Practice Application" (PR0000) rows."""
    r1, r2 = ids[0].upper(), ids[1].upper()
    return r1.startswith("AF") or "PR0000" in (r1, r2)


def row_props(row: Selector) -> dict[str, Any]:
    """The hidden ``rowJobProps_*`` JSON of a row (HTML-escaped, sometimes twice)."""
    raw = row.xpath(".//input[starts-with(@id, 'rowJobProps_')]/@value").get()
    if not raw:
        return {}
    for candidate in (raw, html.unescape(raw)):
        try:
            data = json.loads(candidate, strict=False)
        except ValueError:
            continue
        if isinstance(data, dict):
            return {k: html.unescape(v) if isinstance(v, str) else v for k, v in data.items()}
    return {}


def _roles(headers: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, header in enumerate(headers):
        name = header.lower()
        if "title" in name or "status" in name:
            continue
        for role, words in _COLUMNS.items():
            if role not in roles and any(w in name for w in words):
                roles[role] = index
                break
    return roles


def _cell(row: Selector, roles: dict[str, int], role: str) -> Selector | None:
    cells = row.xpath("./th|./td")
    index = roles.get(role)
    if index is not None and index < len(cells):
        return cells[index]
    css = _CELL_CLASSES.get(role)
    if css:
        found = row.xpath(f"./td[contains(concat(' ', normalize-space(@class), ' '), ' {css} ')]")
        if found:
            return found[0]
    return None


def row_fields(row: Selector, roles: dict[str, int], page_url: str,
               section: str | None) -> dict[str, Any] | None:
    """What one listing row says; None when it links no bulletin."""
    props = row_props(row)
    anchors = row.xpath("." + _BULLETIN_HREF)
    href = props.get("url") or (anchors[0].attrib.get("href") if anchors else None)
    if not isinstance(href, str) or not href.strip():
        return None
    url = bulletin_url(urljoin(page_url, html.unescape(href.strip())))
    ids = bulletin_ids(url)
    title_anchor = row.xpath(".//a[contains(concat(' ', normalize-space(@class), ' '), "
                             "' JobTitle ')]")
    number_anchor = row.xpath(".//a[contains(concat(' ', normalize-space(@class), ' '), "
                              "' JobNum ')]")
    number_text = inline_text(number_anchor[0]) if number_anchor else None
    title = inline_text(title_anchor[0]) if title_anchor else None
    if not title:
        title = next((t for t in (inline_text(a) for a in anchors) if t and t != number_text),
                     None) or inline_text(props.get("link") if isinstance(props.get("link"),
                                                                          str) else None)
    rn = props.get("rn") if isinstance(props.get("rn"), str) else None
    source_id = (rn or number_text or ("-".join(ids) if ids else None))
    location_cell = _cell(row, roles, "location")
    department_cell = _cell(row, roles, "department")
    salary_cell = _cell(row, roles, "salary")
    deadline_cell = _cell(row, roles, "deadline")
    type_cell = _cell(row, roles, "type")
    locations = text_lines(location_cell) if location_cell is not None else []
    department = inline_text(department_cell) if department_cell is not None else None
    salary = inline_text(salary_cell) if salary_cell is not None else None
    deadline = inline_text(deadline_cell) if deadline_cell is not None else None
    kind = inline_text(type_cell) if type_cell is not None else None
    classes = " ".join(number_anchor.xpath("@class").getall())
    is_new = "IconNew" in classes or str(props.get("boolIsNew", "")).lower() == "true"
    extra = {
        "recruitment_number": source_id,
        "department": department,
        "listing_section": section,
        "is_new": is_new or None,
        "apply_url": props.get("apply") if isinstance(props.get("apply"), str) else None,
    }
    return {
        "source_id": source_id,
        "url": url,
        "title": title,
        "employer": department,
        "location": locations[0] if locations else None,
        "locations": locations or None,
        "pay_text": salary,
        "closes_at": deadline,
        "employment_type": kind,
        "source_updated_at": listing_signal(title, url, locations, department, salary,
                                            deadline, kind, section) if source_id else None,
        "extra": {k: v for k, v in extra.items() if v not in (None, "")},
        "_ids": ids,
    }


def listing_rows(selector: Selector, page_url: str) -> tuple[list[dict[str, Any]], bool]:
    """Every row of every listing table, and whether a JobAps listing table was there at all."""
    tables: list[Selector] = list(selector.css("table.JobListing"))
    found_table = bool(tables)
    if not tables:
        tables = [t for t in selector.xpath("//table[.//a[contains(translate(@href, "
                                            "'BULPREVIEW', 'bulpreview'), 'bulpreview.asp')]]")
                  if not t.xpath(".//table")]
    rows: list[dict[str, Any]] = []
    for table in tables:
        headers = [inline_text(th) or "" for th in table.xpath(
            "(./thead/tr | ./tr[th[@scope='col']] | ./tbody/tr[th[@scope='col']])[1]/th")]
        roles = _roles(headers)
        section = inline_text(table.xpath("preceding::h2[1]")[0]) \
            if table.xpath("preceding::h2[1]") else None
        for row in table.xpath(_ROW_XPATH):
            if row.xpath(".//table"):
                continue
            fields = row_fields(row, roles, page_url, section)
            if fields:
                rows.append(fields)
    return rows, found_table


def detail_table(selector: Selector) -> dict[str, list[str]]:
    """Label → lines of the bulletin's ``table.DetailTable``."""
    out: dict[str, list[str]] = {}
    for tr in selector.css("table.DetailTable tr"):
        label = inline_text(tr.xpath("./th")[0]) if tr.xpath("./th") else None
        cell = tr.xpath("./td")
        if label and cell and label not in out:
            out[label] = text_lines(cell[0])
    return out


def bulletin_sections(body: Selector | None) -> dict[str, str]:
    """Heading → text of the bulletin body's ``<h2>`` sections (first of each name)."""
    out: dict[str, str] = {}
    if body is None:
        return out
    for heading in body.xpath(".//h2|.//h3"):
        name = inline_text(heading)
        following = heading.xpath("following-sibling::*[1]")
        if not name or not following or following[0].root.tag in ("h2", "h3"):
            continue
        text = block_text(following[0])
        if text and name not in out:
            out[name] = text
    return out


def _with_line_breaks(body: Selector) -> Selector:
    """The bulletin body with literal ``\\r\\n`` sequences (seen in JobAps text) as ``<br>``."""
    markup = body.get()
    if "\\n" not in markup:
        return body
    markup = markup.replace("\\r\\n", "<br>").replace("\\n", "<br>").replace("\\r", "")
    found = Selector(text=markup, type="html").xpath("//body/*[1]")
    return found[0] if found else body


def _section(sections: dict[str, str], *names: str) -> str | None:
    for wanted in names:
        for name, text in sections.items():
            if name.strip().upper() == wanted:
                return text
    return None


def _row(details: dict[str, list[str]], *labels: str) -> list[str]:
    for wanted in labels:
        for label, lines in details.items():
            if label.strip().lower() == wanted:
                return lines
    return []


def bulletin_fields(selector: Selector, listing: dict[str, Any],
                    page_url: str) -> dict[str, Any] | None:
    """Raw fields of a bulletin page merged over its listing row; None when it is no bulletin."""
    body_nodes = selector.css("#JobBulletinBody, .JobBulletinBody")
    body = _with_line_breaks(body_nodes[0]) if body_nodes else None
    title_nodes = selector.css("#JobBulletinTitle, .JobBulletinTitle")
    title = inline_text(title_nodes[0]) if title_nodes else None
    scan = jobpostings_in_html(selector)
    ld = posting_fields(scan.postings[0], page_url) if scan.postings else {}
    if not title and body is None and not ld:
        return None
    details = detail_table(selector)
    sections = bulletin_sections(body)
    number = inline_text(selector.css("#JobBulletinNum")[0]) \
        if selector.css("#JobBulletinNum") else None
    if not number:
        found = _RECRUITMENT.search(" ".join(selector.xpath("//body//text()").getall()))
        number = found.group(1) if found else None
    grade = _section(sections, "GRADE")
    grade = " ".join(grade.split()) if grade else None
    place = _section(sections, "LOCATION OF POSITION")
    place_blocks = [", ".join(p.strip() for p in block.split("\n") if p.strip())
                    for block in (place or "").split("\n\n")]
    work_locations = _row(details, "work location", "work locations", "location")
    locations = unique([*place_blocks, *work_locations, *(listing.get("locations") or []),
                        *(ld.get("locations") or [])])
    department = " ".join(_row(details, "department", "agency")) or None
    salary = " ".join(_row(details, "salary")) or None
    employment = ", ".join(_row(details, "employment type")) or None
    description = block_text(body) if body is not None else ld.get("description")
    fields: dict[str, Any] = {
        "source_id": listing.get("source_id") or number,
        "url": listing.get("url") or page_url,
        "title": title or listing.get("title") or ld.get("title"),
        "employer": department or listing.get("employer") or ld.get("employer"),
        "location": locations[0] if locations else None,
        "locations": locations or None,
        "pay_text": salary or listing.get("pay_text"),
        "description": description or None,
        "posted_at": " ".join(_row(details, "date opened")) or ld.get("posted_at"),
        "closes_at": (" ".join(_row(details, "filing deadline", "close date", "closing date"))
                      or listing.get("closes_at") or ld.get("closes_at")),
        "employment_type": employment or listing.get("employment_type")
        or ld.get("employment_type"),
        "remote": ld.get("remote"),
        "source_updated_at": listing.get("source_updated_at"),
    }
    for key in ("pay_min", "pay_max", "pay_period", "pay_currency"):
        if ld.get(key) is not None:
            fields[key] = ld[key]
    subtitle = selector.css("#JobBulletinSubTitle")
    extra = {
        **(listing.get("extra") or {}),
        "recruitment_number": number or listing.get("source_id"),
        "grade": grade,
        "department": department or (listing.get("extra") or {}).get("department"),
        "subtitle": inline_text(subtitle[0]) if subtitle else None,
        "location_of_position": place,
        "work_locations": work_locations or None,
        "telework_eligible": " ".join(_row(details, "telework eligible")) or None,
        "job_type": " ".join(_row(details, "job type")) or None,
        "hiring_organization": ld.get("employer"),
    }
    fields["extra"] = {k: v for k, v in extra.items() if v not in (None, "", [])}
    return fields


class JobApsSpider(BoardSpider):
    """JobAps agency boards: the listing page, then each bulletin.

    Board options in sources.toml: ``listing_path`` (a page under the agency to read instead of
    the agency root, e.g. ``jobboard.asp``).
    """

    platform = "jobaps"

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        try:
            url = listing_url(board.board)
        except ValueError as exc:
            self.problem(board, "board_error", str(exc))
            return
        path = board.option("listing_path")
        if isinstance(path, str) and path.strip():
            url = urljoin(url, path.strip())
        yield self.request(url, self.parse_listing, board, listing=True)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        selector = self.html_page(response, board, incomplete=True)
        if isinstance(selector, str):
            return
        rows, found_table = listing_rows(selector, response.url)
        if not rows:
            yield from self.no_rows(response, selector, board, found_table)
            return
        self.listing_read(board)
        for row in rows:
            yield from self.from_row(row, board)

    def no_rows(self, response: Response, selector: Selector, board: Board,
                found_table: bool) -> Iterator[Any]:
        text = " ".join(selector.xpath("//body//text()").getall())
        if found_table or (selector.css("#BeginJobListing, .JobListing")
                           and _NO_OPENINGS.search(text)):
            self.listing_read(board)
            self.logger.info("[%s] the board lists no recruitments", board.source)
            return
        board_link = selector.xpath("//a[contains(translate(@href, 'JOBBOARD', 'jobboard'), "
                                    "'jobboard.asp')]/@href").get()
        if board_link and not response.meta.get("followed_board_link"):
            url = urljoin(response.url, board_link.strip())
            self.logger.info("[%s] %s is a splash page; reading %s", board.source,
                             response.url, url)
            yield self.request(url, self.parse_listing, board, listing=True,
                               meta={"followed_board_link": True})
            return
        wall = wall_kind(selector)
        if wall:
            self.problem(board, wall, f"{response.url} is a {wall.replace('_', ' ')} page, "
                         "not the board; no postings read", incomplete=True)
            return
        self.problem(board, "no_listing_found", f"{response.url} has no JobAps listing table "
                     "and no bulletin links (changed page?)", incomplete=True)

    def from_row(self, row: dict[str, Any], board: Board) -> Iterator[Any]:
        ids = row.pop("_ids", None)
        if ids and is_pseudo_posting(ids):
            self.crawler.stats.inc_value(f"peerjobs/board/{board.source}//pseudo_postings")
            return
        yield from self.detail_or_sighting(board, row, row["url"], self.parse_bulletin,
                                           meta={"row": row})

    def parse_bulletin(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        row: dict[str, Any] = response.meta["row"]
        fallback = response.meta["fallback"]
        selector = self.html_page(response, board, incomplete=False)
        if isinstance(selector, str):
            yield self.listing_only(fallback, reason=selector)
            return
        fields = bulletin_fields(selector, row, response.url)
        if fields is None:
            kind = wall_kind(selector) or "not_a_bulletin"
            self.problem(board, kind, f"{response.url} is not a bulletin page ({kind})")
            yield self.listing_only(fallback, reason=kind)
            return
        yield self.posting(board, **fields)
