"""Hostile postings never run in the researcher's browser (issue 14).

Three JobPosting pages whose title, employer, location, URL and description carry script tags,
event handlers and ``javascript:`` / ``data:`` URLs are crawled by the real JSON-LD spider
(tests/fixtures/site_hostile/) twice, built into a database and served by ``peerjobs serve``.
Every page a researcher opens (the front page, the dashboard with and without filters, each
canned query) and the pages that show the postings themselves open in chromium with no dialog,
no console error, no inline event handler from the data and no link, frame or form whose target
would run code. The build is real, not the demo: no page says sample data.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, run_crawl
from playwright.sync_api import Browser
from site_browser import Site, Visit, chromium, serve, visit

from db.pipeline import build_database

SITE = FIXTURES / "site_hostile"
BOARD = {"platform": "jsonld", "board": "https://careers.hostile.example/", "state": "MI",
         "employer": "Hostile Recovery Center",
         "start_urls": ["https://careers.hostile.example/sitemap.xml"]}
DASHBOARD = "/-/dashboards/peer-demand"
RESEARCHER_PAGES = [
    "/", "/peerjobs", DASHBOARD, f"{DASHBOARD}?state=MI",
    f"{DASHBOARD}?state=MI&role_family=recovery_coach_sud",
    "/peerjobs/postings_per_week_for_state?state=MI",
    "/peerjobs/demand_trend?state=MI&role_family=",
    "/peerjobs/demand_trend_monthly?geo_code=MI&geo_level=&role_family=",
    "/peerjobs/states_latest_week?role_family=",
    "/peerjobs/search_postings?q=peer&state=",
    "/peerjobs/search_postings?q=alert&state=",
]
DATA_PAGES = ["/peerjobs/postings", "/peerjobs/peer_postings", "/peerjobs/clusters",
              "/peerjobs/employers", "/peerjobs/employer_names", "/peerjobs/title_variants",
              "/-/data-dictionary"]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile") / "data"
    for when in ("2026-10-26T03:00:00Z", "2026-11-02T03:00:00Z"):
        result = run_crawl(folder, "jsonld", SITE, boards=[BOARD["board"]], now=when,
                           registry=[BOARD])
        assert result.board("jsonld:careers.hostile.example")["status"] == "complete"
    build_database(folder)
    return folder


@pytest.fixture(scope="module")
def site(data: Path) -> Iterator[Site]:
    yield from serve(data, data / "serve.log")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


@pytest.fixture(scope="module")
def hostile_ids(data: Path) -> list[int]:
    conn = sqlite3.connect(data / "peerjobs.db")
    rows = conn.execute("select id, title, employer, url from postings order by id").fetchall()
    conn.close()
    # the payloads reached the database as text, as the boards gave them
    assert sorted(r[3][:11] for r in rows) == ["data:text/h", "https://car", "javascript:"]
    assert any("<script>" in r[1] for r in rows) and any("onerror" in r[2] for r in rows)
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def visits(site: Site, browser: Browser, hostile_ids: list[int]) -> dict[str, Visit]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    rows = [f"/peerjobs/postings/{i}" for i in hostile_ids]
    try:
        found = {path: visit(page, site.base, path)
                 for path in RESEARCHER_PAGES + DATA_PAGES + rows}
        # the pointer passing over what the data drew must not run anything either
        # (the title ends an attribute and adds onmouseover= if it is not escaped)
        for path in ("/peerjobs/search_postings?q=alert&state=", rows[-1]):
            found[f"{path} (hovered)"] = visit(page, site.base, path, hover=True)
        return found
    finally:
        page.close()


@pytest.mark.browser
def test_no_page_runs_the_postings_payloads(visits: dict[str, Visit]) -> None:
    assert len(visits) == len(RESEARCHER_PAGES) + len(DATA_PAGES) + 3 + 2
    for path, page in visits.items():
        assert page.status == 200, path
        assert page.dialogs == [], path
        assert page.errors == [], path
        assert page.foreign_requests == [], path
        assert page.code_targets == [], path
        assert page.handlers == [], path
        assert page.banner is None, path  # a real build: no sample-data label


@pytest.mark.browser
def test_the_payloads_are_shown_as_text(visits: dict[str, Visit], site: Site) -> None:
    status, _, body = site.get("/peerjobs/search_postings?q=alert&state=")
    assert status == 200
    assert b"&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in body
    assert b"<script>alert(" not in body
    charts = {str(c["slug"]): c for c in visits[f"{DASHBOARD}?state=MI"].charts}
    assert charts["map"]["marks"] == 51 and not any(c["sample"] for c in charts.values())
    assert {c["state"] for c in charts.values()} <= {"drawn", "empty"}


def test_a_real_build_carries_no_sample_label(site: Site) -> None:
    status, headers, body = site.get("/peerjobs/postings.csv")
    assert status == 200 and "x-peerjobs-sample-data" not in {k.lower() for k in headers}
    assert len(list(csv.reader(io.StringIO(body.decode())))) == 1 + 3  # header, 3 postings
    status, page = site.json("/peerjobs/postings.json?_size=1")
    assert status == 200 and isinstance(page, dict) and "sample_data" not in page
