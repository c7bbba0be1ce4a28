"""Helpers for the site's browser tests (test_site_researcher.py, test_site_hostile.py).

A page is opened in Debian's chromium (Playwright, the launch options the rendered-page spider
uses) as a researcher would: everything the page logs as an error, every request it makes to a
host other than the site's own, every dialog it opens and every link whose target would run
code are recorded. Pages with charts are read once every chart has finished (drawn, empty or
failed): ``document.body.dataset.charts == "done"``, set by static/peerjobs-dashboard.js.
"""

from __future__ import annotations

import json
import re
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import datasette_server
from playwright.sync_api import Browser, Page, sync_playwright

from crawlers.platforms.rendered import CHROMIUM, launch_options

REPO = Path(__file__).resolve().parent.parent
SCREENSHOTS = REPO / "build" / "screenshots"
"""Written by the browser tests for people to look at (git-ignored; never compared)."""
CHART_WAIT_MS = 30_000

# Every <a href>, <area href>, <iframe src>, <form action> and the like whose scheme would run
# code or load inline content when followed; browsers ignore tabs, newlines and leading spaces
# and read the scheme in any case.
_CODE_TARGETS_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (!/(^|:)(href|src|action|formaction)$/i.test(attr.name)) continue;
      const scheme = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (scheme.startsWith('javascript:') || scheme.startsWith('data:') || scheme.startsWith('vbscript:')) {
        found.push(el.tagName.toLowerCase() + ' ' + attr.name + '=' + attr.value);
      }
    }
  }
  return found;
}"""
_HANDLERS_JS = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) found.push(el.tagName.toLowerCase() + ' ' + attr.name);
    }
  }
  return found;
}"""
CHARTS_JS = """() => Array.from(document.querySelectorAll('.pj-chart')).map(el => ({
  slug: el.dataset.chart,
  state: el.dataset.state,
  title: (document.getElementById('title-' + el.dataset.chart) || {}).textContent || '',
  text: el.innerText,
  marks: el.querySelectorAll('svg g.role-mark > *').length,
  sample: Array.from(el.querySelectorAll('svg text')).some(t => t.textContent === 'SAMPLE DATA (fictional)'),
}))"""


@dataclass
class Site:
    """``peerjobs serve`` on a data folder, its log in a file (a pipe nobody reads would fill
    with Datasette's access log and stop the server)."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=60) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def json(self, path: str) -> tuple[int, object]:
        status, _, body = self.get(path)
        return status, json.loads(body)


def serve(data: Path, log: Path) -> Iterator[Site]:
    with log.open("wb") as out, datasette_server(data, ready_path="/-/versions.json",
                                                 stdout=out) as (process, port):
        yield Site(process, port, log)


@dataclass
class Visit:
    """What one page did in the browser."""

    path: str
    status: int
    errors: list[str] = field(default_factory=list)
    """Console errors and uncaught exceptions."""
    foreign_requests: list[str] = field(default_factory=list)
    """Requests to any host but the site's own."""
    dialogs: list[str] = field(default_factory=list)
    code_targets: list[str] = field(default_factory=list)
    """Links, frames and forms with a javascript:, data: or vbscript: target."""
    handlers: list[str] = field(default_factory=list)
    """Inline event-handler attributes (onload=, onerror=, ...) in the page."""
    charts: list[dict[str, Any]] = field(default_factory=list)
    """Each chart: slug, state (drawn, empty, error), title, text, marks drawn, sample label."""
    banner: str | None = None
    width: int = 0
    """The page's scroll width: wider than the window means a sideways scroll."""


def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM}: run `make setup`, which "
                    "installs it with apt-get (the browser tests drive the real browser)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        try:
            yield browser
        finally:
            browser.close()


def visit(page: Page, base: str, path: str, *, hover: bool = False) -> Visit:
    """Open ``base + path`` in ``page`` and record what happened, charts included; with
    ``hover``, the pointer also passes over every table cell and link of the page."""
    host = urllib.parse.urlsplit(base).netloc
    errors: list[str] = []
    foreign: list[str] = []
    dialogs: list[str] = []

    def on_console(message: object) -> None:
        if getattr(message, "type", "") == "error":
            errors.append(str(getattr(message, "text", message)))

    def on_dialog(dialog: object) -> None:
        dialogs.append(f"{getattr(dialog, 'type', '')}: {getattr(dialog, 'message', '')}")
        dialog.dismiss()  # type: ignore[attr-defined]

    def on_request(request: object) -> None:
        url = str(getattr(request, "url", ""))
        if urllib.parse.urlsplit(url).netloc != host and not url.startswith(("data:", "blob:",
                                                                             "about:")):
            foreign.append(url)

    def on_page_error(error: object) -> None:
        errors.append(f"uncaught: {error}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("dialog", on_dialog)
    page.on("request", on_request)
    try:
        response = page.goto(base + path, wait_until="networkidle")
        if page.query_selector(".pj-chart"):
            page.wait_for_function("document.body.dataset.charts === 'done'",
                                   timeout=CHART_WAIT_MS)
            page.wait_for_load_state("networkidle")
        if hover:
            for element in page.query_selector_all("td, th, a, h1, h2, p"):
                if element.is_visible():
                    element.hover()
        found = Visit(path=path, status=response.status if response else 0, errors=errors,
                      foreign_requests=foreign, dialogs=dialogs)
        found.code_targets = page.evaluate(_CODE_TARGETS_JS)
        found.handlers = page.evaluate(_HANDLERS_JS)
        found.charts = page.evaluate(CHARTS_JS)
        found.width = page.evaluate("document.documentElement.scrollWidth")
        banner = page.query_selector(".sample-banner")
        found.banner = re.sub(r"\s+", " ", banner.inner_text()).strip() if banner else None
        return found
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_page_error)
        page.remove_listener("dialog", on_dialog)
        page.remove_listener("request", on_request)
