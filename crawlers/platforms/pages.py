"""Readers shared by the platforms that parse HTML pages (iCIMS, e3applicants, NEOGOV, JobAps,
PageUp, PeerForce, the NC PSS board) and the JSON platforms that can be handed an HTML page.

- :func:`wall_kind` / :func:`blocked_page` tell a page that stands in for the content (a bot
  challenge, a login wall, an "access denied" page, all served with HTTP 200) from a real page.
  Call them only after the expected content was not found: real pages carry "Log in" links too.
- :func:`listing_signal` is the incremental signal of a listing entry when the platform has no
  update stamp: a digest of what the listing shows (leave out relative dates such as "Posted 3
  days ago", which change by themselves). Edits to the detail alone are not seen;
  ``-s PEERJOBS_INCREMENTAL=0`` refetches everything.
- text helpers turn markup into the raw text an item carries.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Response, TextResponse

from crawlers.text import html_to_text

_SPACES = re.compile(r"\s+")
_CHALLENGE = re.compile(
    r"human verification|verify (?:that )?you are (?:a )?human|are you a robot|"
    r"unusual traffic|captcha|challenge-platform|bot detection|just a moment\.\.\.",
    re.IGNORECASE)
_ACCESS_DENIED = re.compile(
    r"access (?:is )?denied|forbidden|not authori[sz]ed|unauthori[sz]ed|permission denied"
    r"|request (?:was )?(?:blocked|rejected)|you have been blocked|attention required"
    r"|don.t have permission|do not have permission|error 40[13]\b", re.IGNORECASE)
_LOGIN_HEADLINE = re.compile(
    r"^\s*(?:please\s+)?(?:log ?in|sign ?in)\b|login required|authentication required"
    r"|session (?:has )?expired", re.IGNORECASE)

_NO_POSTINGS = re.compile(
    r"\b(?:no|0|zero)\s+(?:current\s+|open\s+|available\s+|matching\s+)?"
    r"(?:jobs?|positions?|openings?|opportunities|postings?|results?|vacancies)\b"
    r"|\bthere are (?:currently )?no\b|\bnot currently hiring\b|\bno jobs were found\b",
    re.IGNORECASE)


def squash(value: str | None) -> str | None:
    """Whitespace collapsed to single spaces; None for blank text."""
    if value is None:
        return None
    text = _SPACES.sub(" ", value.replace("\u00a0", " ")).strip()
    return text or None


def node_text(node: Selector | None, *, skip_sr_only: bool = True) -> str | None:
    """The visible text of an element (screen-reader-only labels left out), squashed."""
    if node is None:
        return None
    xpath = ".//text()[not(ancestor::script) and not(ancestor::style)"
    if skip_sr_only:
        xpath += (" and not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '),"
                  " ' sr-only ')])")
    xpath += "]"
    return squash(" ".join(node.xpath(xpath).getall()))


def _page_text(selector: Selector) -> str:
    parts = selector.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    if not parts:
        parts = selector.xpath("//text()[not(ancestor::script) and not(ancestor::style)]")
    return squash(" ".join(parts.getall())) or ""


_HIDDEN = ("ancestor-or-self::*[@hidden or @aria-hidden='true' or contains(@style, 'display: none')"
           " or contains(@style, 'display:none') or contains(concat(' ', normalize-space(@class),"
           " ' '), ' hidden ') or contains(@class, 'modal') or contains(@class, 'popup')]")
SHORT_PAGE = 1500
"""Visible text shorter than this is a page that is only a wall (real boards say much more)."""


def blocked_page(selector: Selector) -> tuple[str, str] | None:
    """``(kind, what)`` when the page is a bot challenge, a login wall or an access-denied page.

    Kinds: ``bot_challenge``, ``access_denied``, ``login_wall``. None for any other page. The
    page's ``<title>`` decides alone; headings and password fields only on a short page, and
    never inside a hidden container or a sign-in popup (governmentjobs.com ships one, hidden,
    on every page).
    """
    title = squash(" ".join(selector.xpath("//title//text()").getall())) or ""
    headings = [squash(node.xpath("string()").get()) or "" for node in selector.xpath(
        f"//*[self::h1 or self::h2][not({_HIDDEN}) and not(ancestor::form)]")]
    body = _page_text(selector)
    short = len(body) < SHORT_PAGE
    shown = [title, *headings] if short else [title]
    if any(_CHALLENGE.search(t) for t in shown) or (short and _CHALLENGE.search(body)):
        return "bot_challenge", f"a bot challenge page ({(title or body)[:80]!r})"
    if any(_ACCESS_DENIED.search(t) for t in shown):
        return "access_denied", f"an access-denied page ({(title or body)[:80]!r})"
    password = selector.xpath(
        f"//input[translate(@type, 'PASSWORD', 'password')='password'][not({_HIDDEN})]")
    if any(_LOGIN_HEADLINE.search(t) for t in shown) or (short and password):
        return "login_wall", f"a login page ({(title or 'password form')[:80]!r})"
    return None


def says_no_postings(selector: Selector) -> bool:
    """True when the page's own words say the board lists nothing."""
    return bool(_NO_POSTINGS.search(_page_text(selector)))


def listing_signal(*values: Any) -> str:
    """``list-sha1:<16 hex>`` of the values a listing shows for a posting (the version signal)."""
    digest = hashlib.sha1(json.dumps(values, ensure_ascii=False, sort_keys=True,
                                     default=str).encode("utf-8")).hexdigest()
    return f"list-sha1:{digest[:16]}"


def without_params(url: str, names: Iterable[str]) -> str:
    """The URL without the named query parameters (and without a fragment)."""
    drop = {n.lower() for n in names}
    parts = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in drop]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))


def unique(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return out


def fragment_html(value: Selector | str | None) -> str | None:
    """A string as is; an element as its inner markup (so an ``<li>`` gets no bullet)."""
    if value is None:
        return None
    if isinstance(value, Selector):
        if isinstance(value.root, str):
            return value.root
        return "".join(value.xpath("node()").getall())
    return str(value)


def text_lines(value: Selector | str | None) -> list[str]:
    """Markup as its non-blank lines of text, in order (``<br>`` and blocks end a line)."""
    text = html_to_text(fragment_html(value))
    if not text:
        return []
    return [_SPACES.sub(" ", line).strip() for line in text.split("\n") if line.strip()]


def inline_text(value: Selector | str | None) -> str | None:
    """Markup as one line of text: line breaks (``<br>``, blocks) become single spaces."""
    return " ".join(text_lines(value)) or None


def block_text(value: Selector | str | None) -> str | None:
    """Markup as plain text with its paragraphs (the description form)."""
    return html_to_text(fragment_html(value))


def html_selector(response: Response) -> Selector | None:
    if not isinstance(response, TextResponse):
        return None
    return Selector(text=response.text, type="html")


def wall_kind(page: Response | Selector | str | None) -> str | None:
    """``bot_challenge``, ``access_denied``, ``login_wall`` or None (see :func:`blocked_page`)."""
    if page is None:
        return None
    if isinstance(page, Response):
        selector = html_selector(page)
    elif isinstance(page, Selector):
        selector = page
    else:
        selector = Selector(text=page, type="html") if page.strip() else None
    if selector is None:
        return None
    found = blocked_page(selector)
    return found[0] if found else None
