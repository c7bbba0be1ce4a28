"""How a request reaches a mirror: the same path and query on the mirror's scheme and host, with
the real host in a header. Shared by the crawler's download handler (crawlers/apibase.py) and
the replay server (crawlers/replay.py), which must not need Scrapy to start.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

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
