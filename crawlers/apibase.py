"""``-a api_base=http://127.0.0.1:PORT``: send every request to a mirror, keep the real URLs.

The rewrite happens in the download handler, the last step before the network, so everything
above it (robots.txt, per-domain throttling, redirects, the spiders and the items) still sees
the real platform URLs. Only the scheme and host change; paths and queries stay exactly as the
platform expects them. The original host travels in a header so one mirror can serve many hosts.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scrapy import Request
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Response

ORIGINAL_HOST_HEADER = "X-Peerjobs-Original-Host"


def normalize_api_base(api_base: str | None) -> str | None:
    """``127.0.0.1:8000`` or ``http://127.0.0.1:8000/`` → ``http://127.0.0.1:8000``."""
    if not api_base:
        return None
    value = api_base.strip()
    if "://" not in value:
        value = f"http://{value}"
    parts = urlsplit(value)
    if not parts.netloc:
        raise ValueError(f"api_base must name a host, got {api_base!r}")
    return f"{parts.scheme}://{parts.netloc}"


def rewrite_url(url: str, api_base: str) -> str:
    """The same path and query on the mirror's scheme and host."""
    base = urlsplit(api_base)
    parts = urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))


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
