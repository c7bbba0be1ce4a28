"""One chromium for every rendering crawler of a process (``PLAYWRIGHT_BROWSER_PROVIDER``).

scrapy-playwright starts a Playwright driver and a browser per crawler. A crawl with several
``rendered`` runs in one process (the demo runs each week's runs side by side) would start
one each; here they share one driver and one browser, and each crawler still gets its own
browser contexts, pages and limits from scrapy-playwright, so their cookies and pages never
mix. The browser stays up between runs (a spider's runs of several weeks follow each other)
and closes when the process's reactor shuts down.

A crawler whose handler runs Playwright on its own thread (``use_threaded_loop``), or that
connects to a remote browser (``PLAYWRIGHT_CDP_URL``, ``PLAYWRIGHT_CONNECT_URL``), keeps
scrapy-playwright's own provider: sharing needs one event loop and a browser launched here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from playwright.async_api import Browser, BrowserContext, Playwright, async_playwright
from scrapy_playwright.provider import PlaywrightBrowserProvider


@dataclass
class _Shared:
    """A driver and (once launched) a browser, with the providers currently using them."""

    manager: Any  # what async_playwright() returns
    playwright: Playwright
    users: int = 0
    browser: Browser | None = None
    launching: asyncio.Lock = field(default_factory=asyncio.Lock)


_SHARED: dict[str, _Shared] = {}
_starting: dict[str, asyncio.Lock] = {}
_closing_registered = False


class BrowserLease:
    """What one crawler's handler holds of the shared browser: it can open contexts and listen
    for disconnection like on a browser, and its ``close`` gives the browser back instead of
    closing it for everyone."""

    def __init__(self, browser: Browser) -> None:
        self._browser = browser
        self._listeners: list[tuple[str, Callable[..., Any]]] = []

    def on(self, event: str, callback: Callable[..., Any]) -> None:
        self._listeners.append((event, callback))
        self._browser.on(event, callback)  # type: ignore[call-overload]

    async def new_context(self, **kwargs: Any) -> BrowserContext:
        return await self._browser.new_context(**kwargs)

    async def close(self) -> None:
        """Stop listening; the browser stays up for the other crawlers."""
        for event, callback in self._listeners:
            self._browser.remove_listener(event, callback)
        self._listeners.clear()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


class SharedBrowserProvider(PlaywrightBrowserProvider):  # type: ignore[misc]
    """scrapy-playwright's provider, with the driver and browser shared per launch options."""

    _shared: _Shared | None = None

    def _shares(self) -> bool:
        return not (self.config.use_threaded_loop or self.config.cdp_url
                    or self.config.connect_url)

    def _key(self) -> str:
        return json.dumps([self.config.browser_type_name, self.config.launch_options],
                          sort_keys=True, default=str)

    async def start(self) -> None:
        if not self._shares():
            await super().start()
            return
        key = self._key()
        async with _starting.setdefault(key, asyncio.Lock()):
            shared = _SHARED.get(key)
            if shared is None:
                manager = async_playwright()
                shared = _SHARED[key] = _Shared(manager, await manager.start())
            shared.users += 1
        self._shared = shared
        self.browser_type = getattr(shared.playwright, self.config.browser_type_name)

    async def launch_browser(self) -> Browser:
        shared = self._shared
        if shared is None:
            return await super().launch_browser()  # type: ignore[no-any-return]
        async with shared.launching:
            if shared.browser is None or not shared.browser.is_connected():
                shared.browser = await super().launch_browser()
        assert shared.browser is not None
        return BrowserLease(shared.browser)  # type: ignore[return-value]

    async def close(self) -> None:
        shared = self._shared
        if shared is None:
            await super().close()
            return
        self._shared = None
        shared.users -= 1
        _close_at_shutdown()


def _close_at_shutdown() -> None:
    """Once per process: close every shared browser and driver before the reactor stops."""
    global _closing_registered
    if _closing_registered:
        return
    _closing_registered = True
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import reactor

    # (the reactor module is typed as its interface, whose methods mypy reads without self)
    cast(Any, reactor).addSystemEventTrigger(
        "before", "shutdown", lambda: deferred_from_coro(close_shared_browsers()))


async def close_shared_browsers() -> None:
    """Close the browsers and drivers no crawler uses any more."""
    for key, shared in list(_SHARED.items()):
        if shared.users > 0:
            continue
        _SHARED.pop(key, None)
        if shared.browser is not None and shared.browser.is_connected():
            await shared.browser.close()
        # as scrapy-playwright's own provider stops its driver
        await shared.manager.__aexit__()
        await shared.playwright.stop()
