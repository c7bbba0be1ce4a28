"""Scrapy's duplicate filter, except for redirect hops.

A redirect back to a URL already requested (a redirect loop) would otherwise be dropped in
silence; letting hops through means a loop ends at REDIRECT_MAX_TIMES and is counted as a
``redirect_loop`` problem for its board.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter


class RedirectAwareDupeFilter(RFPDupeFilter):
    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_times"):
            return False
        return bool(super().request_seen(request))
