"""Helpers for the server-rendered HTML boards of iCIMS, e3applicants and NEOGOV.

- :func:`blocked_page` tells a page that stands in for the content (a bot challenge, a login
  wall, an "access denied" page, all served with HTTP 200) from a real page. Call it only
  after the expected content was not found: real pages carry "Log in" links too.
- :func:`listing_signal` is the incremental signal of a listing entry when the platform has
  no update stamp: a digest of what the listing shows, without relative dates ("Posted 3 days
  ago") that change by themselves.
- :func:`says_no_postings` recognises the wording boards use to say they list nothing.

The first two would serve any HTML platform; they are candidates for ``crawlers.platforms.base``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector

_SPACES = re.compile(r"\s+")
_CHALLENGE = re.compile(
    r"human verification|verify (?:that )?you are (?:a )?human|are you a robot|"
    r"unusual traffic|captcha|challenge-platform|bot detection|just a moment\.\.\.",
    re.IGNORECASE)
_ACCESS_DENIED = re.compile(r"access denied|you don.t have permission to access|"
                            r"request blocked|forbidden|attention required", re.IGNORECASE)
_LOGIN_HEADLINE = re.compile(r"^\s*(?:please\s+)?(?:log ?in|sign ?in)\b", re.IGNORECASE)
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
        f"//h1[not({_HIDDEN}) and not(ancestor::form)]")]
    body = _page_text(selector)
    short = len(body) < SHORT_PAGE
    shown = [title, *headings] if short else [title]
    if any(_CHALLENGE.search(t) for t in shown) or (short and _CHALLENGE.search(body)):
        return "bot_challenge", f"a bot challenge page ({(title or body)[:80]!r})"
    if any(_ACCESS_DENIED.search(t) for t in shown):
        return "access_denied", f"an access-denied page ({(title or body)[:80]!r})"
    password = selector.xpath(
        f"//input[translate(@type, 'PASSWORD', 'password')='password'][not({_HIDDEN})]")
    if any(_LOGIN_HEADLINE.match(t) for t in shown) or (short and password):
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
