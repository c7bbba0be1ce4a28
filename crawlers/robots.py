"""Scrapy's robots.txt middleware, with every waiting request really checked.

While a host's robots.txt is being fetched, Scrapy 2.19 lets several requests await one
Deferred; the first waiter's callback passes ``None`` down the chain, so the second and later
requests to that host see "no robots.txt" and go out unchecked. Here each waiter gets its own
copy of the result, so a disallowed path is refused however many requests queue for it.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            own: Deferred[Any] = Deferred()

            def relay(result: Any) -> Any:
                own.callback(result)
                return result  # keep the result for the next waiter

            pending.addBoth(relay)
            result = await maybe_deferred_to_future(own)
            return result if isinstance(result, RobotParser) else None
        return await super().robot_parser(request)
