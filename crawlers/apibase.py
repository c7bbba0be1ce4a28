"""``-a api_base=http://127.0.0.1:PORT``: send every request to a mirror, keep the real URLs.

The rewrite happens in the download handler, the last step before the network, so everything
above it (robots.txt, per-domain throttling, redirects, the spiders and the items) still sees
the real platform URLs. Only the scheme and host change; paths and queries stay exactly as the
platform expects them. The original host travels in a header so one mirror can serve many hosts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Response

# The addressing itself has no Scrapy in it: the replay server (crawlers/replay.py) uses it too.
from crawlers.mirror import ORIGINAL_HOST_HEADER, normalize_api_base, rewrite_url

__all__ = ["ORIGINAL_HOST_HEADER", "ApiBaseDownloadHandler", "api_base_of", "normalize_api_base",
           "rewrite_url"]

def api_base_of(spider: Any) -> str | None:
    return getattr(spider, "api_base", None) if spider is not None else None


class ApiBaseDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, pointed at the spider's api_base when it has one."""

    async def download_request(self, request: Request) -> Response:
        api_base = api_base_of(self._crawler.spider)
        if not api_base:
            return await super().download_request(request)
        mirrored = request.replace(url=rewrite_url(request.url, api_base))
        mirrored.headers[ORIGINAL_HOST_HEADER] = urlsplit(request.url).netloc
        response = await super().download_request(mirrored)
        return response.replace(url=request.url, request=request)
