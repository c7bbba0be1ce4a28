"""Retries that back off: exponential delays, and the server's own ``Retry-After`` when it sends one.

Scrapy's retry middleware re-queues at once; a platform answering 429 or 503 is asking us to
wait. The wait is per request (other boards keep going) and capped so one hostile server cannot
hold a run hostage. Only the failed request waits.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler.settings)
        self.crawler = crawler
        self.base = crawler.settings.getfloat("PEERJOBS_RETRY_BACKOFF_BASE", 2.0)
        self.cap = crawler.settings.getfloat("PEERJOBS_RETRY_BACKOFF_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    def delay_for(self, request: Request, response: Response | None) -> float:
        attempt = request.meta.get("retry_times", 0)
        delay = self.base * (2**attempt) if self.base > 0 else 0.0
        if response is not None:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"))
            if asked is not None:
                delay = asked
        return min(delay, self.cap)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        board = request.meta.get("board")
        if board is not None:
            # A retried response never reaches the spider; count its status for the board here.
            self.crawler.stats.inc_value(f"peerjobs/board/{board.source}//status/{response.status}")
        delay = self.delay_for(request, response)
        self.crawler.stats.inc_value("peerjobs/retry/backoff_seconds", int(delay))
        if delay > 0:
            logger.info("HTTP %s from %s; retrying in %.1fs", response.status, request.url, delay)
            await sleep(delay)
        return retry
