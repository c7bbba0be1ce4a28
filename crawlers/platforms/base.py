"""What every platform spider shares: boards from the registry, api_base, run ids, counted problems.

A platform base subclasses :class:`BoardSpider` and implements :meth:`start_board`, yielding the
board's first requests built with :meth:`request`. Problems are never silent: :meth:`problem`
logs one clear line and counts it, per kind and per board, in the run's stats. A board's run is
*complete* only when every listing page was read; a failed or partial board never closes postings.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, ClassVar

import scrapy
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response, TextResponse
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectionDone,
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.python.failure import Failure

from crawlers import config
from crawlers.apibase import normalize_api_base
from crawlers.items import JobPosting
from crawlers.platforms.pages import wall_kind
from crawlers.registry import Board, RegistryError, board_key, boards_for, find_board

logger = logging.getLogger(__name__)

STATS_PREFIX = "peerjobs"


def board_stat(source: str, name: str) -> str:
    """Stats key of one board's counter; ``//`` separates them since keys may contain ``/``."""
    return f"{STATS_PREFIX}/board/{source}//{name}"


_HTML_OPEN = re.compile(r"<html[\s>]", re.IGNORECASE)
_HTML_CLOSE = re.compile(r"</html\s*>", re.IGNORECASE)


def cut_short(text: str) -> bool:
    """True for an HTML document that opens ``<html>`` and never closes it: a page cut short.
    Fragments (no ``<html>``) cannot tell and are not judged."""
    return bool(_HTML_OPEN.search(text)) and not _HTML_CLOSE.search(text)


def _connection_lost(exc: DownloadFailedError) -> bool:
    """True when Scrapy's DownloadFailedError wraps a connection closed (or reset) by the server
    before the answer came (Twisted's ResponseFailed, whose ``reasons`` say why)."""
    reasons = getattr(exc.__cause__, "reasons", None) or []
    return any(isinstance(getattr(reason, "value", None), ConnectionLost | ConnectionDone)
               for reason in reasons)


class BoardSpider(scrapy.Spider):
    """Base of every platform spider: ``scrapy crawl <platform> [-a board=...] [-a api_base=...]``."""

    platform: ClassVar[str] = ""
    """Registry platform name; the spider's ``name`` defaults to it."""

    def __init__(
        self,
        *args: Any,
        board: str | None = None,
        api_base: str | None = None,
        run_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.board_arg = board
        self.api_base = normalize_api_base(api_base)
        self.run_id_arg = run_id
        self.boards: list[Board] = []
        self.run_id = ""
        self.started_at = ""
        self.archive_dir = ""
        self.known: dict[tuple[str, str], str] = {}
        self.sighted: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BoardSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, BoardSpider)
        settings = crawler.settings
        moment = config.now(settings)
        spider.started_at = config.iso(moment)
        spider.run_id = spider.run_id_arg or config.make_run_id(moment, spider.name)
        spider.archive_dir = str(config.archive_dir(settings))
        return spider

    # -- boards ---------------------------------------------------------------------------

    def select_boards(self) -> list[Board]:
        """``-a board=`` picks one board (from the registry, or ad hoc); otherwise every enabled one."""
        settings = self.settings
        if self.board_arg:
            wanted = [w for w in self.board_arg.split(",") if w.strip()]
            chosen = []
            for name in wanted:
                found = None
                try:
                    found = find_board(self.platform, name, settings)
                except RegistryError as exc:
                    logger.warning("source registry unusable (%s); using %r ad hoc", exc, name)
                chosen.append(found or self.adhoc_board(name.strip()))
            return chosen
        return [b for b in boards_for(self.platform, settings) if b.enabled]

    def adhoc_board(self, name: str) -> Board:
        """A board given on the command line that the registry does not list."""
        return Board(platform=self.platform, board=name, key=board_key(name))

    async def start(self) -> AsyncIterator[Any]:
        try:
            self.boards = self.select_boards()
        except RegistryError as exc:
            self.problem(None, "registry_error", str(exc))
            return
        if not self.boards:
            logger.warning("%s: no enabled boards in the registry; nothing to crawl", self.name)
        self.known = self.load_known_versions()
        for board in self.boards:
            stats = self.crawler.stats
            stats.set_value(board_stat(board.source, "board"), board.board)
            for name in ("state", "employer", "org_type"):
                if getattr(board, name):
                    stats.set_value(board_stat(board.source, name), getattr(board, name))
            try:
                for request in self.start_board(board):
                    yield request
            except Exception as exc:  # one board's bad configuration must not sink the others
                self.problem(board, "board_error", f"cannot start board {board.board!r}: {exc!r}")

    def start_board(self, board: Board) -> Iterable[scrapy.Request]:
        raise NotImplementedError

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
        """A request that knows its board and whether losing it leaves the board's run incomplete.

        ``fallback`` is the posting as the listing showed it: if this (detail) request fails,
        that posting is still emitted as a sighting (``detail_skipped``), so a lost detail page
        neither drops the posting nor leaves the board's run partial.
        """
        full_meta = {"board": board, "listing": listing, **(meta or {})}
        if fallback is not None:
            full_meta["fallback"] = fallback
        # Requests are asked for deliberately: each board pages on its own, two boards may share
        # a URL, and platform bases drop repeats per board (first_sighting, first_link).
        kwargs.setdefault("dont_filter", True)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=full_meta, **kwargs)

    def json_request(
        self, url: str, callback: Any, board: Board, *, body: Any, listing: bool = False,
        meta: dict[str, Any] | None = None, headers: dict[str, str] | None = None,
    ) -> scrapy.Request:
        all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
        all_headers.update(headers or {})
        return self.request(
            url, callback, board, listing=listing, meta=meta, method="POST",
            body=json.dumps(body), headers=all_headers,
        )

    def on_error(self, failure: Failure) -> Iterator[JobPosting]:
        """Every failed request is counted by kind; a lost listing page makes the board partial.

        Kinds: ``http_403``, ``http_404`` (404 and 410), ``http_429``, ``http_4xx``/``http_5xx``,
        ``detail_gone`` (404 or 410 on a detail page), ``timeout``, ``connection`` (cannot
        connect), ``connection_lost`` (closed or reset before the answer), ``truncated`` (the
        answer ended before its Content-Length), ``too_large`` (over DOWNLOAD_MAXSIZE),
        ``robots_disallowed``, ``redirect_loop``, ``download_error`` (anything else).
        A failed detail request with a ``fallback`` yields the listing's copy of the posting.
        """
        request = failure.request  # type: ignore[attr-defined]
        board: Board | None = request.meta.get("board")
        exc = failure.value
        status = None
        if isinstance(exc, HttpError):
            status = exc.response.status
            kind = {403: "http_403", 404: "http_404", 410: "http_404", 429: "http_429"}.get(
                status, f"http_{status // 100}xx"
            )
            message = f"HTTP {status} for {request.url}"
        elif isinstance(exc, DownloadTimeoutError | TimeoutError | TCPTimedOutError):
            kind, message = "timeout", f"timed out fetching {request.url}"
        elif isinstance(exc, DownloadConnectionRefusedError | CannotResolveHostError
                        | DNSLookupError | ConnectionRefusedError):
            kind, message = "connection", f"cannot connect for {request.url}: {exc}"
        elif isinstance(exc, ResponseDataLossError):
            kind, message = "truncated", f"response cut short for {request.url}"
        elif isinstance(exc, DownloadCancelledError) and "max size" in str(exc):
            kind, message = "too_large", (f"{request.url} answered more than DOWNLOAD_MAXSIZE "
                                          f"({self.settings.getint('DOWNLOAD_MAXSIZE')} bytes); "
                                          "not read")
        elif isinstance(exc, ConnectionLost | ConnectionDone) or (
                isinstance(exc, DownloadFailedError) and _connection_lost(exc)):
            kind, message = "connection_lost", (f"the connection for {request.url} was closed "
                                                "before an answer came")
        elif isinstance(exc, IgnoreRequest) and "robots.txt" in str(exc):
            kind, message = "robots_disallowed", f"robots.txt disallows {request.url}; not fetched"
        elif isinstance(exc, IgnoreRequest) and "redirect" in str(exc).lower():
            kind, message = "redirect_loop", f"too many redirects from {request.url}"
        else:
            kind, message = "download_error", f"{type(exc).__name__} for {request.url}: {exc}"
        if status in (404, 410) and not request.meta.get("listing"):
            # A detail page that is gone does not make the posting gone: the listing still shows
            # it, and only absence from a complete listing (or its own closing date) closes one.
            kind = "detail_gone"
        fallback: JobPosting | None = request.meta.get("fallback")
        sighted = bool(request.meta.get("sighted")) or fallback is not None
        # A lost page with no listing copy to keep leaves the board's run partial, so that the
        # posting behind it is not closed by a run that never saw it.
        self.problem(board, kind, message, incomplete=not sighted)
        if fallback is not None:
            yield self.listing_only(fallback, reason=kind)

    def html_page(self, response: Response, board: Board, *,
                  incomplete: bool) -> Selector | str:
        """The response as an HTML page, or the kind of problem (counted) that makes it none.

        ``not_html``: a binary body, or JSON where a page was expected (read as HTML it would
        be a page without postings; Scrapy's own selector of a JSON answer cannot even be
        asked for CSS). ``empty_body``: nothing came. ``truncated``: the document opens
        ``<html>`` and never closes it, so it was cut short: what it shows is not read, since
        the part that did not come may hold postings (or the detail's text). ``incomplete``
        (a listing page, or a page with no listing copy of its posting): each leaves the
        board's run incomplete. The Content-Type label is not trusted: an HTML body labelled
        otherwise is still read as HTML.
        """
        if not isinstance(response, TextResponse):
            kind, message = "not_html", f"{response.url} is not a text page"
        else:
            text = response.text
            head = text.lstrip()[:1]
            if not head:
                kind, message = "empty_body", (f"{response.url} answered an empty body where "
                                               "an HTML page was expected")
            elif head in "{[":
                kind, message = "not_html", (f"{response.url} answered JSON where an HTML page "
                                             "was expected")
            elif cut_short(text):
                kind, message = "truncated", (f"{response.url} ends before </html>: the page "
                                              "was cut short; not read")
            else:
                return Selector(text=text, type="html")
        self.problem(board, kind, message, incomplete=incomplete)
        return kind

    def html_detail(self, response: Response,
                    read: Callable[[Selector], dict[str, Any] | None], *,
                    missing: str, what: str) -> Iterator[Any]:
        """A detail page whose fields ``read`` takes from its HTML.

        A page that is no readable HTML (see :meth:`html_page`) or that shows no posting (a
        wall, a challenge, a removed job: ``missing`` names the kind when no wall is
        recognised) is counted as a problem and the listing's copy of the posting is kept as a
        sighting.
        """
        board: Board = response.meta["board"]
        fallback: JobPosting = response.meta["fallback"]
        page = self.html_page(response, board, incomplete=False)
        if isinstance(page, str):
            yield self.listing_only(fallback, reason=page)
            return
        fields = read(page)
        if fields is None:
            kind = wall_kind(response) or missing
            self.problem(board, kind, f"{response.url} shows no {what} ({kind})")
            yield self.listing_only(fallback, reason=kind)
            return
        yield self.posting(board, **fields)

    def listing_only(self, posting: JobPosting, *, reason: str) -> JobPosting:
        """The listing's copy of a posting whose detail could not be read: a sighting only.
        Without the source's update stamp, the next run fetches the detail again."""
        posting.detail_skipped = True
        posting.source_updated_at = None
        posting.extra = {**(posting.extra or {}), "detail_error": reason}
        return posting

    def problem(
        self, board: Board | None, kind: str, message: str, *, incomplete: bool = False
    ) -> None:
        """Count one problem with a clear log line; ``incomplete`` marks the board's run partial."""
        stats = self.crawler.stats
        stats.inc_value(f"{STATS_PREFIX}/problems/{kind}")
        where = board.source if board else self.name
        if board is not None:
            stats.inc_value(board_stat(board.source, f"problems/{kind}"))
            if incomplete:
                stats.inc_value(board_stat(board.source, "incomplete"))
        logger.warning("[%s] %s: %s", where, kind, message)

    def listing_read(self, board: Board) -> None:
        """A listing page was fetched and understood: the board answered."""
        self.crawler.stats.inc_value(board_stat(board.source, "listing_pages"))

    def skip_board(self, board: Board, reason: str) -> None:
        """The board was deliberately not crawled this run (no API key, disabled by robots...)."""
        self.crawler.stats.set_value(board_stat(board.source, "skipped"), reason)
        logger.warning("[%s] skipped: %s", board.source, reason)

    # -- incremental runs -----------------------------------------------------------------

    def load_known_versions(self) -> dict[tuple[str, str], str]:
        """What the database already holds of these boards, to skip unchanged details."""
        if not self.settings.getbool("PEERJOBS_INCREMENTAL", True):
            return {}
        from db.queries import known_versions

        return known_versions(config.database_path(self.settings),
                              [board.source for board in self.boards])

    def unchanged(self, board: Board, source_id: Any, updated_at: Any) -> bool:
        """True when the stored copy has the same source update time: its detail need not be
        fetched again (a listing-only sighting is emitted instead)."""
        if updated_at in (None, "") or source_id in (None, ""):
            return False
        if self.known.get((board.source, str(source_id))) != str(updated_at):
            return False
        self.crawler.stats.inc_value(board_stat(board.source, "details_skipped"))
        return True

    def first_sighting(self, board: Board, source_id: Any) -> bool:
        """True the first time a posting turns up in this run on this board. Keyword searches
        find one announcement under several queries and paging shifts while it is read; the
        repeats are counted, not emitted (or fetched) again."""
        key = (board.source, str(source_id))
        if key in self.sighted:
            self.crawler.stats.inc_value(board_stat(board.source, "repeated_in_run"))
            return False
        self.sighted.add(key)
        return True

    def detail_or_sighting(
        self, board: Board, fields: dict[str, Any], url: str | None, callback: Any, *,
        meta: dict[str, Any] | None = None, **kwargs: Any,
    ) -> Iterator[Any]:
        """The list → detail step every list-and-detail platform takes.

        Each posting once per run; a posting stored with the same version signal is a
        listing-only sighting (its detail is not fetched again); otherwise its detail is
        requested with the listing's copy as the fallback (see :meth:`request`). A posting
        without an id is passed on for the pipeline to count and drop.
        """
        listed = self.posting(board, **fields)
        ident = listed.source_id
        if not ident:
            yield listed
            return
        if not self.first_sighting(board, ident):
            return
        if not url:
            yield listed
            return
        if self.unchanged(board, ident, listed.source_updated_at):
            listed.detail_skipped = True
            yield listed
            return
        yield self.request(url, callback, board, meta=meta, fallback=listed, **kwargs)

    # -- responses and items --------------------------------------------------------------

    def load_json(self, response: Response, board: Board, *, listing: bool = False) -> Any | None:
        """The response's JSON, or None with a counted problem (HTML error pages, truncation)."""
        if not isinstance(response, TextResponse):
            self.problem(board, "not_json", f"binary body at {response.url}", incomplete=listing)
            return None
        text = response.text
        if not text.strip():
            self.problem(board, "empty_body", f"{response.url} answered an empty body where "
                         "JSON was expected", incomplete=listing)
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            if text.lstrip()[:1] == "<":
                # A 200 page standing in for the data: a wall says so, anything else is generic.
                kind = wall_kind(text) or "html_instead_of_json"
                self.problem(board, kind, f"{response.url} answered an HTML page "
                             f"({kind.replace('_', ' ')}) where JSON was expected",
                             incomplete=listing)
            else:
                self.problem(board, "malformed_json", f"{response.url}: {exc}", incomplete=listing)
            return None

    def posting(self, board: Board, **fields: Any) -> JobPosting:
        """A JobPosting stamped with its board, platform and the run's clock."""
        item = JobPosting(**fields)
        item.source = board.source
        item.platform = self.platform
        item.board = board.board
        item.fetched_at = item.fetched_at or config.iso(config.now(self.settings))
        if item.employer is None and board.employer and not board.option("multi_employer"):
            item.employer = board.employer
        return item

    def iter_boards(self) -> Iterator[Board]:
        yield from self.boards
