"""Readers shared by the Sources II HTML boards (JobAps, PageUp, PeerForce, the NC PSS board).

Server-rendered boards have no update stamp and no error codes of their own: a login page or an
"Access Denied" page comes back with HTTP 200. These helpers turn markup into raw text, give a
listing row a cheap version signal, and say when a page is a wall rather than a board.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from parsel import Selector
from scrapy.http import Response, TextResponse

from crawlers.text import html_to_text

_DENIED = re.compile(
    r"access denied|access is denied|forbidden|not authori[sz]ed|unauthori[sz]ed"
    r"|request (?:was )?(?:blocked|rejected)|you have been blocked|attention required"
    r"|permission denied|don.t have permission|do not have permission|error 40[13]\b",
    re.IGNORECASE,
)
_LOGIN = re.compile(
    r"\b(?:log ?in|sign ?in|login required|please log ?in|authentication required)\b",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


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


def version_signal(*parts: Any) -> str:
    """A digest of what a listing says about a posting, stored as ``source_updated_at``.

    These boards give no update stamp; a listing row that reads the same is taken to be the same
    posting, and a row that changes is fetched again. Edits to the detail alone are not seen
    (``-s PEERJOBS_INCREMENTAL=0`` refetches everything).
    """
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return "list-sha1:" + hashlib.sha1(blob.encode("utf-8")).hexdigest()[:16]


def html_selector(response: Response) -> Selector | None:
    if not isinstance(response, TextResponse):
        return None
    return Selector(text=response.text, type="html")


def wall_kind(response: Response) -> str | None:
    """``access_denied`` or ``login_wall`` when a 200 page is a wall instead of the board.

    Called only after the expected structure was not found, so a posting that mentions
    "sign in" in its prose is never mistaken for one.
    """
    selector = html_selector(response)
    if selector is None:
        return None
    title = " ".join(selector.css("title::text").getall())
    heading = " ".join(selector.css("h1 ::text, h2 ::text").getall()[:4])
    if _DENIED.search(title) or _DENIED.search(heading):
        return "access_denied"
    if selector.css("input[type=password]") or _LOGIN.search(title) or _LOGIN.search(heading):
        return "login_wall"
    return None


def unique(values: list[str | None]) -> list[str]:
    out: list[str] = []
    for value in values:
        if value and value not in out:
            out.append(value)
    return out
