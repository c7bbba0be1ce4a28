"""How a request reaches a mirror: the same path and query on the mirror's scheme and host, with
the real host in a header. Shared by the crawler's download handler (crawlers/apibase.py) and
the replay server (crawlers/replay.py), which must not need Scrapy to start.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

ORIGINAL_HOST_HEADER = "X-Peerjobs-Original-Host"


def with_scheme(text: str, *, scheme: str, problem: str) -> str:
    """``text`` stripped, with ``scheme`` in front when it names none; ``ValueError(problem)``
    when it then names no host (a board URL or an api_base typed without ``https://``)."""
    value = text.strip()
    if "://" not in value:
        value = f"{scheme}://{value}"
    if not urlsplit(value).netloc:
        raise ValueError(problem)
    return value


def normalize_api_base(api_base: str | None) -> str | None:
    """``127.0.0.1:8000`` or ``http://127.0.0.1:8000/`` → ``http://127.0.0.1:8000``."""
    if not api_base:
        return None
    parts = urlsplit(with_scheme(api_base, scheme="http",
                                 problem=f"api_base must name a host, got {api_base!r}"))
    return f"{parts.scheme}://{parts.netloc}"


def rewrite_url(url: str, api_base: str) -> str:
    """The same path and query on the mirror's scheme and host."""
    base = urlsplit(api_base)
    parts = urlsplit(url)
    return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))
