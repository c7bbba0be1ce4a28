"""Career pages whose listings exist only after JavaScript runs, rendered by Debian's chromium.

A board with ``platform = "rendered"`` has its listing pages opened in a headless browser
(scrapy-playwright): the page loads, its scripts run, the spider waits until the ``wait_for``
CSS selector appears, and the rendered HTML then goes through the JSON-LD base exactly as a
plain page would (JobPosting JSON-LD on the page, posting links matching ``follow``, next
pages). Posting pages are plain requests unless ``render_postings`` says they need the browser
too. Only this spider installs the Playwright download handler, so no other spider ever starts
a browser; robots.txt is read (and obeyed) by Scrapy before the browser opens a page.

Board options in sources.toml (besides ``start_urls``, ``follow``, ``next_page`` and
``max_listing_pages`` of the JSON-LD base):

- ``render`` (default true): open listing pages in the browser; ``false`` fetches them plainly.
- ``wait_for``: CSS selector that appears once the listings have loaded, e.g.
  ``"#openings li a"``. Without it the page is read once its network has been idle for 0.5 s.
- ``wait_timeout``: seconds to wait for it (default ``PEERJOBS_RENDER_TIMEOUT``, 30).
- ``navigation_timeout``: seconds for the page itself to load (default
  ``PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT``, 30 s).
- ``no_openings``: CSS selector of the page's own "no open positions" message; a rendered
  listing with no postings that shows it is an empty board (a complete run with no items),
  not a broken page. Include it in ``wait_for`` (``"#openings li a, .no-openings"``).
- ``render_postings`` (default false): posting pages need the browser too; they wait for
  ``posting_wait_for`` (default: a JSON-LD script).

Problems: listings that never appear (``wait_for`` timeout) or a page that never finishes
loading count ``render_timeout``; a page whose document announces more than DOWNLOAD_MAXSIZE
is not read and counts ``too_large`` (the browser has loaded it by then: Scrapy's limit does
not reach the browser); a page the browser cannot load counts
``connection``,
``connection_lost`` (closed or reset before the page came), ``truncated`` (cut short),
``redirect_loop`` or ``render_failed``; an "access denied" page served with status 200 counts
``access_denied``; HTTP errors and robots.txt refusals are counted by the base as for any
request. Each leaves the board's run failed or partial, never complete. A missing chromium
counts ``browser_missing`` and starts no request.

No incremental signal: a listing of links carries no version stamp. The browser's cost is one
page per listing page, which every run must read anyway; posting pages are cheap plain requests.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from cssselect import SelectorError
from parsel import Selector
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from scrapy.http import Response, TextResponse
from scrapy_playwright.page import PageMethod
from twisted.python.failure import Failure

from crawlers.items import JobPosting
from crawlers.platforms.jsonld import JsonLdSpider, jobpostings_in_html
from crawlers.platforms.values import number
from crawlers.registry import Board

if TYPE_CHECKING:
    from playwright.async_api import Page
    from playwright.async_api import Request as BrowserRequest
    from playwright.async_api import Response as BrowserResponse

logger = logging.getLogger(__name__)


class _CountedPageFailure(logging.Filter):
    """scrapy-playwright logs each page that fails with the exception's traceback; the spider
    counts the same failure with one clear line (:meth:`RenderedSpider.on_error`), so the
    traceback is left out of that record (its one-line message stays)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Closing page due to failed request"):
            record.exc_info = None
            record.exc_text = None
        return True


logging.getLogger("scrapy-playwright").addFilter(_CountedPageFailure())

HANDLER = "crawlers.playwright_handler.RenderingDownloadHandler"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
)
SKIPPED_RESOURCES = frozenset({"image", "media", "font"})
DEFAULT_POSTING_WAIT = 'script[type="application/ld+json"]'

# What block pages say (Akamai, Cloudflare, WAFs, plain web servers). Written so Python and the
# browser's RegExp read it the same way. Only short pages are judged: real block pages are.
DENIED = (r"access (is )?denied|access to this page has been denied|you (do not|don't) have "
          r"permission to access|request (was )?blocked|you have been blocked|attention required"
          r"|verify (that )?you are (a )?human|are you a robot|403 forbidden")
DENIED_RE = re.compile(DENIED, re.IGNORECASE)
DENIED_TEXT_LIMIT = 3000

_NAVIGATION_STATUS_JS = """() => {
  const entry = performance.getEntriesByType('navigation')[0];
  return entry && entry.responseStatus ? entry.responseStatus : null;
}"""
_LISTINGS_OR_DENIAL_JS = """([selector, denied, limit]) => {
  if (document.querySelector(selector)) return 'listings';
  const text = document.body ? document.body.innerText : '';
  if (text.length <= limit && new RegExp(denied, 'i').test(document.title + ' ' + text))
    return 'denied';
  return false;
}"""


def launch_options(executable: str = CHROMIUM, extra_args: tuple[str, ...] = ()) -> dict[str, Any]:
    """``PLAYWRIGHT_LAUNCH_OPTIONS`` for Debian's chromium: headless, quiet, no sandbox as root.
    Playwright's own browser download does not work offline; ``make setup`` installs chromium."""
    args = list(CHROMIUM_FLAGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # chromium refuses to start its sandbox as root
    return {"executable_path": executable, "headless": True, "args": [*args, *extra_args]}


def skip_heavy_resources(request: BrowserRequest) -> bool:
    """``PLAYWRIGHT_ABORT_REQUEST``: listings need no images, video or fonts; don't fetch them."""
    return request.resource_type in SKIPPED_RESOURCES


class ListingsTimeout(Exception):
    """The page loaded but what ``wait_for`` names never appeared."""

    def __init__(self, selector: str | None, seconds: float, url: str) -> None:
        self.selector, self.seconds, self.url = selector, seconds, url
        what = f"listings ({selector})" if selector else "a quiet network"
        super().__init__(f"{what} did not appear within {seconds:g} s at {url}")


class PageTooLarge(Exception):
    """The page's document is larger than DOWNLOAD_MAXSIZE: it is not read."""


async def wait_for_listings(page: Page, selector: str | None, seconds: float,
                            too_large: list[str] | None = None) -> str:
    """Page method: wait until ``selector`` (or an "access denied" text) is on the page.

    Error pages (status >= 400) are not waited for: Scrapy then sees their status, retries
    429/503 and counts the rest like any HTTP error. A page noted in ``too_large`` (see
    :func:`_failed_requests_recorder`) is refused.
    """
    if too_large:
        raise PageTooLarge(f"not read: {too_large[0]}")
    status = await page.evaluate(_NAVIGATION_STATUS_JS)
    if isinstance(status, int | float) and status >= 400:
        return "error_status"
    try:
        if selector:
            handle = await page.wait_for_function(
                _LISTINGS_OR_DENIAL_JS, arg=[selector, DENIED, DENIED_TEXT_LIMIT],
                timeout=seconds * 1000, polling=200)
            return str(await handle.json_value())
        await page.wait_for_load_state("networkidle", timeout=seconds * 1000)
        return "idle"
    except PlaywrightTimeoutError as exc:
        raise ListingsTimeout(selector, seconds, page.url) from exc


def _failed_requests_recorder(found: list[str], too_large: list[str] | None = None,
                              limit: int = 0) -> dict[str, Callable[..., Any]]:
    """Page event handlers that note the page's own failed requests, for the timeout log line.

    With a ``limit`` (DOWNLOAD_MAXSIZE), a page whose own document announces more bytes than
    that is noted in ``too_large`` (Scrapy's size limit does not reach the browser), and
    :func:`wait_for_listings` refuses to read it."""

    def note(url: str, what: str) -> None:
        if len(found) < 5 and not any(entry.endswith(f" {url}") for entry in found):
            found.append(f"{what} {url}")

    def response(answer: BrowserResponse) -> None:
        if answer.status >= 400:
            note(answer.url, f"HTTP {answer.status}")
        if limit and too_large is not None and _main_document(answer):
            announced = answer.headers.get("content-length", "")
            if announced.isdigit() and int(announced) > limit:
                too_large.append(f"{answer.url} announces {announced} bytes, more than "
                                 f"DOWNLOAD_MAXSIZE ({limit})")

    def request_failed(request: BrowserRequest) -> None:
        if request.resource_type not in SKIPPED_RESOURCES:
            note(request.url, request.failure or "failed")

    return {"response": response, "requestfailed": request_failed}


def _main_document(answer: BrowserResponse) -> bool:
    try:
        return answer.request.is_navigation_request() and answer.frame.parent_frame is None
    except PlaywrightError:
        return False


def browser_failure(exc: BaseException | None, url: str) -> tuple[str, str] | None:
    """(kind, message) for a failure of the browser, or None when it is not one."""
    if isinstance(exc, ListingsTimeout):
        return "render_timeout", str(exc)
    if isinstance(exc, PageTooLarge):
        return "too_large", f"{url}: {exc}"
    if not isinstance(exc, PlaywrightError):
        return None
    first = (exc.message or str(exc)).strip().splitlines()[0] if str(exc).strip() else repr(exc)
    if isinstance(exc, PlaywrightTimeoutError) or "ERR_TIMED_OUT" in first:
        return "render_timeout", f"page did not finish loading in the browser at {url}: {first}"
    if "ERR_TOO_MANY_REDIRECTS" in first:
        return "redirect_loop", f"too many redirects from {url} (browser): {first}"
    if any(code in first for code in ("ERR_CONNECTION_RESET", "ERR_CONNECTION_CLOSED",
                                      "ERR_EMPTY_RESPONSE")):
        return "connection_lost", f"the connection for {url} was closed before the page came " \
                                  f"(browser): {first}"
    if any(code in first for code in ("ERR_CONTENT_LENGTH_MISMATCH",
                                      "ERR_INCOMPLETE_CHUNKED_ENCODING")):
        return "truncated", f"the page at {url} was cut short (browser): {first}"
    if any(code in first for code in ("ERR_CONNECTION_REFUSED", "ERR_NAME_NOT_RESOLVED",
                                      "ERR_ADDRESS_UNREACHABLE", "ERR_INTERNET_DISCONNECTED")):
        return "connection", f"browser cannot connect for {url}: {first}"
    if "launch" in first.lower() or "executable" in first.lower():
        return "browser_error", f"chromium did not start for {url}: {first}"
    return "render_failed", f"browser could not load {url}: {first}"


def page_text(selector: Selector) -> str:
    words = selector.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)"
                           " and not(ancestor::noscript) and not(ancestor::template)]").getall()
    return " ".join(" ".join(words).split())


def looks_denied(response: TextResponse) -> bool:
    """An "access denied" or bot-check page (served with status 200). The body is read as HTML
    whatever its label (Scrapy's selector of a JSON answer cannot be asked for XPath)."""
    selector = Selector(text=response.text, type="html")
    title = " ".join(selector.xpath("//title//text()").getall())
    text = page_text(selector)
    return len(text) <= DENIED_TEXT_LIMIT and bool(DENIED_RE.search(f"{title} {text}"))


class RenderedSpider(JsonLdSpider):
    """Career pages rendered by a headless chromium before the JSON-LD base reads them."""

    platform = "rendered"
    custom_settings = {  # noqa: RUF012 - Scrapy reads it once, per crawler
        # Only this spider replaces the download handler; see crawlers/playwright_handler.py.
        "DOWNLOAD_HANDLERS": {"http": HANDLER, "https": HANDLER},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        # Runs of this spider in one process (the demo's weeks) share one chromium.
        "PLAYWRIGHT_BROWSER_PROVIDER": "crawlers.shared_browser.SharedBrowserProvider",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch_options(),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
        # One context; at most two pages open at once keeps a 2-core machine responsive.
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
        "PLAYWRIGHT_ABORT_REQUEST": "crawlers.platforms.rendered.skip_heavy_resources",
        "PEERJOBS_RENDER_TIMEOUT": 30,
    }

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        if self.renders(board) or board.option("render_postings"):
            missing = self.browser_missing()
            if missing:
                self.problem(board, "browser_missing", missing, incomplete=True)
                return
            for name in ("wait_for", "posting_wait_for", "no_openings"):
                selector = board.option(name)
                if selector is not None and not self.valid_css(selector):
                    self.problem(board, "board_error", f"{name} {selector!r} is not a CSS selector",
                                 incomplete=True)
                    return
            for name in ("wait_timeout", "navigation_timeout"):
                seconds = board.option(name)
                if seconds is not None and not (number(seconds) or 0) > 0:
                    self.problem(board, "board_error", f"{name} {seconds!r} is not a number of "
                                 "seconds", incomplete=True)
                    return
        yield from super().start_board(board)

    def browser_missing(self) -> str | None:
        options = self.settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
        executable = options.get("executable_path")
        if executable and not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
            return (f"chromium not found at {executable}: `make setup` installs Debian's "
                    "chromium (apt-get install chromium); rendered boards need it")
        return None

    @staticmethod
    def valid_css(selector: Any) -> bool:
        if not isinstance(selector, str) or not selector.strip():
            return False
        try:
            Selector(text="<html></html>").css(selector)
        except (SelectorError, ValueError):
            return False
        return True

    def renders(self, board: Board) -> bool:
        return bool(board.option("render", True))

    # -- requests -------------------------------------------------------------------------

    def request(
        self,
        url: str,
        callback: Any,
        board: Board,
        *,
        listing: bool = False,
        meta: dict[str, Any] | None = None,
        fallback: JobPosting | None = None,
        **kwargs: Any,
    ) -> scrapy.Request:
        """Listing pages (and posting pages with ``render_postings``) go to the browser."""
        render: dict[str, Any] = {}
        sitemap = url.split("?")[0].lower().endswith((".xml", ".xml.gz"))
        if callback == self.parse_listing and self.renders(board) and not sitemap:
            render = self.render_meta(board, board.option("wait_for"))
        elif callback == self.parse_posting and board.option("render_postings"):
            render = self.render_meta(board, board.option("posting_wait_for",
                                                          DEFAULT_POSTING_WAIT))
        return super().request(url, callback, board, listing=listing,
                               meta={**render, **(meta or {})}, fallback=fallback, **kwargs)

    def render_meta(self, board: Board, selector: str | None) -> dict[str, Any]:
        seconds = (number(board.option("wait_timeout"))
                   or self.settings.getfloat("PEERJOBS_RENDER_TIMEOUT", 30))
        failed: list[str] = []
        too_large: list[str] = []
        limit = self.settings.getint("DOWNLOAD_MAXSIZE")
        meta: dict[str, Any] = {
            "playwright": True,
            "playwright_page_methods": [PageMethod(wait_for_listings, selector, seconds,
                                                   too_large=too_large)],
            "playwright_page_event_handlers": _failed_requests_recorder(failed, too_large,
                                                                        limit),
            "render_failed_requests": failed,
        }
        navigation = number(board.option("navigation_timeout"))
        if navigation:
            meta["playwright_page_goto_kwargs"] = {"timeout": navigation * 1000}
        return meta

    def on_error(self, failure: Failure) -> Iterator[JobPosting]:
        """Browser failures are counted by kind (``render_timeout``...); the rest as in the base."""
        request = failure.request  # type: ignore[attr-defined]
        found = browser_failure(failure.value, request.url)
        if found is None:
            yield from super().on_error(failure)
            return
        kind, message = found
        failed = request.meta.get("render_failed_requests")
        if failed:
            message += f"; the page's failed requests: {', '.join(failed)}"
        board: Board | None = request.meta.get("board")
        fallback: JobPosting | None = request.meta.get("fallback")
        sighted = bool(request.meta.get("sighted")) or fallback is not None
        self.problem(board, kind, message, incomplete=not sighted)
        if fallback is not None:
            yield self.listing_only(fallback, reason=kind)

    # -- pages ----------------------------------------------------------------------------

    def parse_listing(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        if isinstance(response, TextResponse) and self.denied(response, board):
            self.problem(board, "access_denied", f"{response.url} answered with an access-denied "
                         "page (status 200); not read", incomplete=True)
            return
        if isinstance(response, TextResponse) and self.says_no_openings(response, board):
            self.listing_read(board)
            logger.info("[%s] %s says there are no openings: an empty board", board.source,
                        response.url)
            return
        yield from super().parse_listing(response)

    def says_no_openings(self, response: TextResponse, board: Board) -> bool:
        css = board.option("no_openings")
        if not css or not self.valid_css(css):
            return False
        page = Selector(text=response.text, type="html")
        if not page.css(css):
            return False
        if jobpostings_in_html(page).postings or self.next_pages(response, board, page):
            return False
        return not any(True for _ in self.posting_links(response, board, page))

    def parse_posting(self, response: Response) -> Iterator[Any]:
        board: Board = response.meta["board"]
        if isinstance(response, TextResponse) and self.denied(response, board):
            self.problem(board, "access_denied", f"{response.url} answered with an access-denied "
                         "page (status 200); not read", incomplete=True)
            return
        yield from super().parse_posting(response)

    def denied(self, response: TextResponse, board: Board) -> bool:
        """A short block page with no postings or posting links on it."""
        if not looks_denied(response):
            return False
        selector = Selector(text=response.text, type="html")
        if jobpostings_in_html(selector).postings:
            return False
        return not any(True for _ in self.posting_links(response, board, selector))
