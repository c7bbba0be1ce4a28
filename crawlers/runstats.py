"""Writes each run's stats beside its JSON-lines feed: items, problems, HTTP statuses, per board.

The stats file is the run's receipt. ``peerjobs build`` loads only runs that have one, and reads
from it whether each board's run was complete, partial, failed or skipped; the lifecycle closes
postings only after complete runs. The file is written atomically after the feed is closed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import MemoryStatsCollector
from twisted.python.failure import Failure

from crawlers import config
from crawlers.platforms.base import STATS_PREFIX, board_stat
from crawlers.runfiles import STATS_FORMAT, stats_path, write_json_atomically

logger = logging.getLogger(__name__)

def board_status(board: dict[str, Any], finish_reason: str | None) -> str:
    """complete | partial | failed | skipped, from a board's counters and the run's end."""
    if board.get("skipped"):
        return "skipped"
    if not board.get("listing_pages"):
        return "failed"
    if board.get("incomplete") or finish_reason != "finished":
        return "partial"
    return "complete"


def boards_from_stats(stats: dict[str, Any], finish_reason: str | None) -> dict[str, dict[str, Any]]:
    prefix = f"{STATS_PREFIX}/board/"
    boards: dict[str, dict[str, Any]] = {}
    for key, value in stats.items():
        if not key.startswith(prefix):
            continue
        source, _, name = key[len(prefix):].partition("//")
        board = boards.setdefault(source, {"items": 0, "requests": 0, "listing_pages": 0,
                                           "incomplete": 0, "problems": {}, "http_status": {}})
        if name.startswith("problems/"):
            board["problems"][name.split("/", 1)[1]] = value
        elif name.startswith("status/"):
            board["http_status"][name.split("/", 1)[1]] = value
        else:
            board[name] = value
    for board in boards.values():
        board["status"] = board_status(board, finish_reason)
    return boards


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return config.iso(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class PlainStatsCollector(MemoryStatsCollector):
    """Scrapy's in-memory stats without its deprecation shim (``STATS_CLASS``).

    Scrapy 2.19 sends every attribute read of a stats collector through a Python
    ``__getattribute__`` that wraps its methods to warn about a ``spider`` argument; a run reads
    its stats some twenty times per item. The methods and the stats are Scrapy's own."""

    __getattribute__ = object.__getattribute__


class RunRecorder:
    """Counts requests, responses and items per board, and writes the stats file at the end."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.finish_reason: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunRecorder:
        ext = cls(crawler)
        crawler.signals.connect(ext.request_reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def _source(self, request: Request | None) -> str | None:
        board = request.meta.get("board") if request is not None else None
        return getattr(board, "source", None)

    def request_reached(self, request: Request, spider: Spider) -> None:
        source = self._source(request)
        if source:
            self.crawler.stats.inc_value(board_stat(source, "requests"))

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        source = self._source(request)
        if source:
            self.crawler.stats.inc_value(board_stat(source, f"status/{response.status}"))

    def item_scraped(self, item: Any, response: Response | None, spider: Spider) -> None:
        source = getattr(item, "source", None)
        if source:
            self.crawler.stats.inc_value(board_stat(source, "items"))

    def spider_error(self, failure: Failure, response: Response, spider: Spider) -> None:
        """A parse callback raised: count it against the board; the rest of the run goes on."""
        request = response.request if response is not None else None
        source = self._source(request)
        self.crawler.stats.inc_value(f"{STATS_PREFIX}/problems/parse_error")
        if source:
            self.crawler.stats.inc_value(board_stat(source, "problems/parse_error"))
            self.crawler.stats.inc_value(board_stat(source, "incomplete"))
        logger.warning("[%s] parse_error: %s at %s", source or spider.name,
                       failure.getErrorMessage(), getattr(response, "url", "?"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.finish_reason = reason

    def engine_stopped(self) -> None:
        spider = self.crawler.spider
        run_id = getattr(spider, "run_id", None)
        if spider is None or not run_id:
            return
        raw = self.crawler.stats.get_stats()
        stats = {key: _jsonable(value) for key, value in raw.items()}
        finish_reason = self.finish_reason or str(raw.get("finish_reason") or "unknown")
        payload = {
            "format": STATS_FORMAT,
            "run_id": run_id,
            "spider": spider.name,
            "platform": getattr(spider, "platform", spider.name),
            "started_at": getattr(spider, "started_at", None),
            "finished_at": config.iso(config.now(self.crawler.settings)),
            "finish_reason": finish_reason,
            "api_base": getattr(spider, "api_base", None),
            "boards": boards_from_stats(stats, finish_reason),
            "stats": stats,
        }
        path = stats_path(getattr(spider, "archive_dir", ""), spider.name, run_id)
        write_json_atomically(path, payload)
        logger.info("run stats written to %s", path)
