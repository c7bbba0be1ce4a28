"""scrapy-playwright's download handler, with ``api_base`` for the browser's requests too.

Only the ``rendered`` spider installs this handler (in its ``custom_settings``); every other
spider keeps :class:`crawlers.apibase.ApiBaseDownloadHandler` and never starts Playwright.

Requests without ``meta["playwright"]`` (robots.txt, posting pages) go through
``ApiBaseDownloadHandler`` exactly as in the other spiders. For rendered requests the browser
still navigates to the REAL URL, so the page's origin, its relative links and ``location`` are
the real ones; with an api_base, a route on the page answers every request the page makes (the
document, its scripts, their fetch/XHR calls, on any host) from the mirror: same path and query,
the real host in ``X-Peerjobs-Original-Host``. The response keeps the real URL.

Playwright does not route the second hop of a redirect it was given, so the route follows the
mirror's redirects itself (up to ``REDIRECT_MAX_TIMES``, as Scrapy would); the response then
carries the final real URL, and a loop ends as Scrapy's redirect middleware ends one.

The launch options (Debian's chromium) are in :mod:`crawlers.platforms.rendered`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.async_api import APIResponse, Page, Route
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as BrowserRequest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.misc import load_object
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler

from crawlers.apibase import ORIGINAL_HOST_HEADER, ApiBaseDownloadHandler, api_base_of, rewrite_url

REDIRECTED_TO = "mirror_redirected_to"
REDIRECT_LOOP = "mirror_redirect_loop"
_REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def _abort_code(error: Exception) -> str:
    text = str(error).lower()
    if "econnrefused" in text:
        return "connectionrefused"
    if "timeout" in text or "timed out" in text:
        return "timedout"
    if "enotfound" in text or "eai_again" in text:
        return "namenotresolved"
    return "failed"


def _page_itself(browser_request: BrowserRequest, request: Request) -> bool:
    """The browser request is for the page the Scrapy request asked for. Playwright cannot
    always name a navigation's frame (it throws when the navigation starts before the frame
    exists, which a loaded machine makes likely), so the page's own URL also counts."""
    return _main_document(browser_request) or browser_request.url == request.url


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _main_document(browser_request: BrowserRequest) -> bool:
    try:
        return browser_request.is_navigation_request() and browser_request.frame.parent_frame is None
    except PlaywrightError:
        return False


class MirrorRoute:
    """``playwright_page_init_callback`` that routes every request of the page to the mirror.

    It runs after scrapy-playwright has set its own route on the page, so it takes precedence
    (Playwright runs the last registered route first) and answers each request itself.
    """

    def __init__(self, handler: RenderingDownloadHandler, api_base: str,
                 inner: Any = None) -> None:
        self.handler = handler
        self.api_base = api_base
        self.inner = inner

    async def __call__(self, page: Page, request: Request) -> None:
        async def answer(route: Route, browser_request: BrowserRequest) -> None:
            await self.answer(route, browser_request, request)

        await page.route("**", answer)
        if self.inner:
            await load_object(self.inner)(page, request)

    async def headers_for(self, browser_request: BrowserRequest, request: Request) -> dict[str, str]:
        """The headers scrapy-playwright would send (Scrapy's for the page, its user agent
        for the rest)."""
        process: Callable[..., Awaitable[dict[str, str]] | dict[str, str]] | None = getattr(
            self.handler, "process_request_headers", None)
        if process is None:
            headers = dict(await browser_request.all_headers())
        else:
            headers = dict(await _maybe_await(process(
                browser_type_name=self.handler.config.browser_type_name,
                playwright_request=browser_request,
                scrapy_request_data={"method": request.method, "url": request.url,
                                     "headers": request.headers, "body": request.body,
                                     "encoding": request.encoding},
            )))
        # The mirror fetch negotiates its own encoding; Host is the mirror's.
        return {k: v for k, v in headers.items()
                if k.lower() not in ("accept-encoding", "host", "content-length")}

    async def fetch(self, route: Route, url: str, headers: dict[str, str]) -> APIResponse:
        return await route.fetch(
            url=rewrite_url(url, self.api_base),
            headers={**headers, ORIGINAL_HOST_HEADER: urlsplit(url).netloc},
            max_redirects=0,
            timeout=self.handler.mirror_timeout_ms,
        )

    async def answer(self, route: Route, browser_request: BrowserRequest, request: Request) -> None:
        url = browser_request.url
        if urlsplit(url).scheme not in ("http", "https"):
            await route.fallback()
            return
        try:
            abort = self.handler.abort_request
            if abort is not None and await _maybe_await(abort(browser_request)):
                await route.abort()
                return
            headers = await self.headers_for(browser_request, request)
            follow = browser_request.method in ("GET", "HEAD")
            target = url
            try:
                answer = await self.fetch(route, target, headers)
                hops = 0
                while follow and answer.status in _REDIRECT_STATUSES \
                        and answer.headers.get("location"):
                    hops += 1
                    if hops > self.handler.max_redirects:
                        if _page_itself(browser_request, request):
                            request.meta[REDIRECT_LOOP] = target
                        await route.abort("failed")
                        return
                    target = urljoin(target, answer.headers["location"])
                    answer = await self.fetch(route, target, headers)
            except PlaywrightError as exc:
                await route.abort(_abort_code(exc))
                return
            if target != url and _page_itself(browser_request, request):
                request.meta[REDIRECTED_TO] = target
            await route.fulfill(response=answer)
        except Exception:
            pass  # the page closed (a timeout, the end of the run) while the mirror answered


class RenderingDownloadHandler(ScrapyPlaywrightDownloadHandler,  # type: ignore[misc]
                               ApiBaseDownloadHandler):
    """Browser for ``meta["playwright"]`` requests, ApiBaseDownloadHandler for the others.

    The method order sends plain requests from scrapy-playwright's handler on to
    ``ApiBaseDownloadHandler.download_request`` (api_base rewrite) and then to Scrapy's HTTP
    handler; rendered requests get a :class:`MirrorRoute` when the spider has an api_base.
    """

    @property
    def mirror_timeout_ms(self) -> float:
        return max(1.0, self._crawler.settings.getfloat("DOWNLOAD_TIMEOUT", 180)) * 1000

    @property
    def max_redirects(self) -> int:
        return self._crawler.settings.getint("REDIRECT_MAX_TIMES", 20)

    async def download_request(self, request: Request) -> Response:
        api_base = api_base_of(self._crawler.spider)
        if not (api_base and request.meta.get("playwright")):
            return await super().download_request(request)
        inner = request.meta.get("playwright_page_init_callback")
        if not isinstance(inner, MirrorRoute):
            request.meta["playwright_page_init_callback"] = MirrorRoute(self, api_base, inner)
        request.meta.pop(REDIRECTED_TO, None)
        request.meta.pop(REDIRECT_LOOP, None)
        try:
            response: Response = await super().download_request(request)
        except PlaywrightError as exc:
            loop = request.meta.pop(REDIRECT_LOOP, None)
            if loop:  # as Scrapy's redirect middleware ends a loop
                raise IgnoreRequest(f"max redirections reached from {request.url} "
                                    f"(mirror, last {loop})") from exc
            raise
        final = request.meta.pop(REDIRECTED_TO, None)
        if final:
            request.meta["redirect_urls"] = [request.url]
            return response.replace(url=final)
        return response
