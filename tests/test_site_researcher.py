"""The researcher's site (issue 14), on a demo build served by ``peerjobs serve``.

One demo database (two weekly crawls of the sample corpus), one server and one browser for the
whole module. In the browser: the front page, the dashboard for the nation, a state, a state
with a thin family (figures withheld) and one with no postings, and every canned query load
with no console error and no request to another host; the map draws the 51 states; every chart
draws marks or says why it has none; the sample-data banner is on every page and chart.
Over HTTP: every table and view streams each row exactly once as CSV and as JSON pages, ids
come as text in JSON, parameters are checked, and the data dictionary is a page.

Screenshots of the front page and the dashboard are written to build/screenshots/ for people to
look at (never compared).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from playwright.sync_api import Browser, Page
from site_browser import SCREENSHOTS, Site, Visit, chromium, serve, visit

from crawlers.demo.corpus import SAMPLE_NOTE

STATE, THIN, NONE = "MI", "recovery_coach_sud", "veteran_peer"
"""Michigan; a family with 1-4 active postings there (pay and shares withheld) and one with
none, in the latest complete week of the two-week demo."""
DASHBOARD = "/-/dashboards/peer-demand"
CANNED = {
    "postings_per_week_for_state": "?state=mi",
    "demand_trend": f"?state={STATE.lower()}&role_family=",
    "demand_trend_monthly": "?geo_code=midwest&geo_level=&role_family=",
    "states_latest_week": "?role_family=",
    "search_postings": "?q=peer+support&state=",
}
PAGES = ["/", "/peerjobs", DASHBOARD, f"{DASHBOARD}?state={STATE}",
         f"{DASHBOARD}?state={STATE}&role_family={THIN}",
         f"{DASHBOARD}?state={STATE}&role_family={NONE}&measure=pay",
         *(f"/peerjobs/{name}{query}" for name, query in CANNED.items()),
         "/peerjobs/search_postings", "/-/data-dictionary", "/peerjobs/postings"]
VEGA_CHARTS = {"map", "active-trend", "families-trend", "regions-trend", "divisions-trend",
               "pay-trend", "families", "pay-by-state", "cert-by-state"}
METRICS = ("active-now", "new-last-week", "median-pay", "cert-share")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("researcher")
    result = subprocess.run(
        [sys.executable, "-m", "crawlers.cli", "--data-dir", str(data), "demo", "--no-serve",
         "--weeks", "2"], capture_output=True, text=True, cwd=REPO, timeout=900, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return data / "demo" / "peerjobs.db"


@pytest.fixture(scope="module")
def db(demo: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{demo}?mode=ro", uri=True)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def site(demo: Path) -> Iterator[Site]:
    yield from serve(demo.parent, demo.parent / "serve.log")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from chromium()


@pytest.fixture(scope="module")
def visits(site: Site, browser: Browser) -> dict[str, Visit]:
    """Every page of PAGES, opened once in the browser (desktop width); screenshots taken."""
    base = site.base
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    found = {}
    try:
        for path in PAGES:
            found[path] = visit(page, base, path)
            if path == "/peerjobs":
                _screenshot(page, "front-page.png", height=900)
            elif path == DASHBOARD:
                _screenshot(page, "dashboard-nation.png", height=1150)
    finally:
        page.close()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        found["mobile"] = visit(page, base, f"{DASHBOARD}?state={STATE}&role_family={THIN}")
        _screenshot(page, "dashboard-thin-cell-390px.png", height=1150)
    finally:
        page.close()
    return found


def _screenshot(page: Page, name: str, *, height: int) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 1200
    page.screenshot(path=str(SCREENSHOTS / name), clip={"x": 0, "y": 0, "width": width,
                                                        "height": height}, full_page=True)


def get(site: Site, path: str) -> tuple[int, dict[str, str], bytes]:
    return site.get(path)


def latest(db: sqlite3.Connection, key: str) -> str:
    return str(db.execute("select value from build_info where key = ?", (key,)).fetchone()[0])


def cell(db: sqlite3.Connection, state: str, family: str) -> dict[str, Any]:
    cursor = db.execute(
        "select * from demand_weekly where geo_level = 'state' and geo_code = ? and "
        "role_family = ? and period_start = ?", (state, family, latest(db, "latest_complete_week")))
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone(), strict=True))


# -- in the browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_with_no_error_and_no_request_elsewhere(visits: dict[str, Visit],
                                                                 path: str) -> None:
    page = visits[path]
    assert (page.status, page.errors, page.foreign_requests, page.dialogs) == (200, [], [], [])
    assert page.width == 1200  # nothing wider than the window
    assert page.banner is not None and page.banner.startswith(SAMPLE_NOTE)
    errors = [c for c in page.charts if c["state"] not in ("drawn", "empty")]
    assert errors == []


@pytest.mark.browser
def test_the_map_draws_the_51_states_and_every_chart_draws_marks(visits: dict[str, Visit],
                                                                 db: sqlite3.Connection) -> None:
    charts = {str(c["slug"]): c for c in visits[DASHBOARD].charts}
    assert set(charts) == VEGA_CHARTS | set(METRICS)
    assert charts["map"]["marks"] == 51
    assert {s for s, c in charts.items() if c["state"] == "drawn"} == set(charts)
    assert all(int(charts[s]["marks"]) > 0 and charts[s]["sample"] for s in VEGA_CHARTS)
    month = latest(db, "latest_complete_month")
    assert month == "2026-09-01"
    assert charts["map"]["title"] == ("Map of the states: active postings per 100,000 residents, "
                                      "all peer roles, September 2026")
    nation = db.execute(
        "select active_postings from demand_weekly where geo_level = 'nation' and "
        "role_family = 'all' and period_start = ?", (latest(db, "latest_complete_week"),)
    ).fetchone()[0]
    assert str(charts["active-now"]["text"]).splitlines()[0] == f"{nation:,} jobs"
    assert charts["active-now"]["title"] == ("Active postings, the United States, all peer roles, "
                                             "week of 28 Sep 2026")


@pytest.mark.browser
def test_a_thin_cell_says_withheld_and_never_shows_zero(visits: dict[str, Visit],
                                                        db: sqlite3.Connection) -> None:
    thin = cell(db, STATE, THIN)
    assert 0 < thin["n_pay"] <= thin["n"] < 5 and (thin["pay_withheld"], thin["shares_withheld"]) \
        == (1, 1)
    for key in (f"{DASHBOARD}?state={STATE}&role_family={THIN}", "mobile"):
        charts = {str(c["slug"]): c for c in visits[key].charts}
        first = {s: str(charts[s]["text"]).splitlines()[0] for s in METRICS}
        assert first == {
            "active-now": f"{thin['active_postings']} jobs",
            "new-last-week": "no new postings" if thin["new_postings"] == 0 else first["new-last-week"],
            "median-pay": "withheld: fewer than 5 postings with pay",
            "cert-share": "withheld: fewer than 5 postings",
        }
        assert charts["pay-trend"]["state"] == "empty"
        assert str(charts["pay-trend"]["text"]).startswith(
            "No week has enough postings with pay to show for Michigan (MI), Substance-use "
            "recovery peers (recovery_coach_sud) (withheld below 5 postings with pay).")
        assert charts["median-pay"]["title"] == ("Median hourly pay, Michigan (MI), Substance-use "
                                                 "recovery peers (recovery_coach_sud), week of "
                                                 "28 Sep 2026")
        drawn = [s for s in VEGA_CHARTS if charts[s]["state"] == "drawn"]
        assert all(int(charts[s]["marks"]) > 0 for s in drawn)
        assert "$0.00" not in " ".join(str(c["text"]) for c in charts.values())
    assert visits["mobile"].width == 390  # nothing scrolls sideways at 390 px


@pytest.mark.browser
def test_a_cell_with_no_postings_says_so(visits: dict[str, Visit], db: sqlite3.Connection) -> None:
    assert cell(db, STATE, NONE)["active_postings"] == 0
    charts = {str(c["slug"]): c for c in
              visits[f"{DASHBOARD}?state={STATE}&role_family={NONE}&measure=pay"].charts}
    assert {s: str(charts[s]["text"]).splitlines()[0] for s in METRICS} == {
        "active-now": "no postings", "new-last-week": "no new postings",
        "median-pay": "no postings", "cert-share": "no postings"}
    # the weekly line falls to zero instead of stopping
    assert charts["active-trend"]["state"] == "drawn" and int(charts["active-trend"]["marks"]) > 0
    assert charts["map"]["marks"] == 51
    assert charts["map"]["title"] == ("Map of the states: median hourly pay, Veteran peers "
                                      "(veteran_peer), September 2026")


# -- over HTTP --------------------------------------------------------------------------------


def _keys(db: sqlite3.Connection, name: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The unique key of a table or view (rowid for rowid tables) and its values."""
    view = db.execute("select 1 from sqlite_master where type = 'view' and name = ?",
                      (name,)).fetchone()
    if view:
        key = ["id"]
    else:
        pks = [r[1] for r in sorted(db.execute(f"pragma table_info([{name}])"),
                                    key=lambda r: r[5]) if r[5]]
        key = pks or ["rowid"]
    rows = db.execute(f"select {', '.join(key)} from [{name}]").fetchall()
    return key, [tuple(str(v) for v in row) for row in rows]


def _public(site: Site) -> list[str]:
    status, _, body = get(site, "/peerjobs.json")
    assert status == 200
    data = json.loads(body)
    return sorted([t["name"] for t in data["tables"] if not t["hidden"]]
                  + [v["name"] for v in data["views"]])


def test_every_table_and_view_streams_each_row_once(site: Site, db: sqlite3.Connection) -> None:
    names = _public(site)
    assert {"postings", "peer_postings", "demand_weekly", "employer_names"} <= set(names)
    assert "_sqlite_migrations" not in names and "postings_fts" not in names
    # postings: 617 rows share two last_seen values, the default sort
    assert db.execute("select count(distinct last_seen) from postings").fetchone()[0] == 2
    measured = {}
    for name in names:
        key, expected = _keys(db, name)
        table = urllib.parse.quote(name)
        # 1. the CSV link as the site gives it (whole), 2. a stream in small pages, 3. JSON pages
        ways = {"csv": f"/peerjobs/{table}.csv", "csv-97": f"/peerjobs/{table}.csv?_stream=on&_size=97"}
        for way, path in ways.items():
            status, headers, body = get(site, path)
            assert status == 200, (name, way)
            rows = list(csv.DictReader(io.StringIO(body.decode())))
            found = [tuple(r[k] for k in key) for r in rows]
            assert len(found) == len(expected) and sorted(found) == sorted(expected), (name, way)
            assert headers.get("x-peerjobs-sample-data") == SAMPLE_NOTE
        found = []
        path: str | None = f"/peerjobs/{table}.json?_size=97&_shape=objects"
        pages = 0
        while path:
            status, _, body = get(site, path)
            assert status == 200, (name, path)
            page = json.loads(body)
            assert page["sample_data"] == SAMPLE_NOTE
            found += [tuple(str(r[k]) for k in key) for r in page["rows"]]
            path = page["next_url"] and urllib.parse.urlsplit(page["next_url"])._replace(
                scheme="", netloc="").geturl()
            pages += 1
        assert len(found) == len(expected) and sorted(found) == sorted(expected), (name, "json")
        measured[name] = (len(expected), pages)
    assert measured["postings"] == (617, 7)


def test_ids_are_text_in_json_and_exact(site: Site, db: sqlite3.Connection) -> None:
    ids = {str(r[0]) for r in db.execute("select id from postings")}
    assert sum(int(i) > 2**53 for i in ids) > 600
    status, _, body = get(site, "/peerjobs/postings.json?_shape=array&_size=max&_col=cluster_id"
                                "&_col=employer_id")
    rows = json.loads(body)
    assert status == 200 and {r["id"] for r in rows} == ids
    assert all(isinstance(r[k], str) for r in rows for k in ("id", "cluster_id", "employer_id"))
    status, _, body = get(site, "/peerjobs.json?" + urllib.parse.urlencode(
        {"sql": "select id, cluster_id, title_score from postings order by id limit 1",
         "_shape": "array"}))
    [row] = json.loads(body)
    smallest = db.execute("select id, cluster_id, title_score from postings order by id").fetchone()
    assert row == {"id": str(smallest[0]), "cluster_id": str(smallest[1]),
                   "title_score": smallest[2]}


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/peerjobs/demand_trend.json?state=ZZ&role_family=", 400,
     "state must be a two-letter state code such as MI or DC (any case); 'ZZ' is not one"),
    ("/peerjobs/demand_trend.json?state=PR&role_family=", 400,
     "no series for Puerto Rico (PR) yet: no board covering it has had a complete run"),
    ("/peerjobs/demand_trend.json?state=mi&role_family=recovery", 400,
     "role_family must be one of peer_support_mh, recovery_coach_sud, family_peer, youth_peer, "
     "forensic_peer, veteran_peer, peer_navigator, peer_supervisor, peer_other, or empty (or "
     "all) for every peer family; 'recovery' is not one"),
    ("/peerjobs/demand_trend.json?role_family=", 400, "state is required"),
    ("/peerjobs/demand_trend_monthly.json?geo_code=zz&geo_level=", 400,
     "no place 'zz' has a series: geo_code is US, a Census region (Northeast, Midwest, South, "
     "West), a division (such as East North Central), a state code (MI), a CBSA code or a "
     "county FIPS code (5 digits), or the place's name"),
    ("/peerjobs/demand_trend_monthly.json?geo_code=midwest&geo_level=state", 400,
     "'midwest' is not a state: it is a region; set geo_level to that or leave it empty"),
    ("/peerjobs/demand_trend_monthly.json?geo_code=mi&geo_level=town", 400,
     "geo_level must be nation, region, division, state, cbsa or county, or empty to find it "
     "from geo_code; 'town' is not one"),
    ("/peerjobs/postings.json?_sort=nope", 400, "Cannot sort table by nope"),
])
def test_wrong_parameters_are_a_400_that_says_what_was_wrong(site: Site, path: str, status: int,
                                                             message: str) -> None:
    got, _, body = get(site, path)
    assert (got, json.loads(body)["error"]) == (status, message)


def test_parameters_are_read_in_any_case_and_places_by_name(site: Site,
                                                            db: sqlite3.Connection) -> None:
    for query, level, code in (("geo_code=mi&geo_level=", "state", "MI"),
                               ("geo_code=Michigan", "state", "MI"),
                               ("geo_code=MIDWEST&geo_level=Region", "region", "Midwest"),
                               ("geo_code=east+north+central", "division", "East North Central"),
                               ("geo_code=us", "nation", "US")):
        status, _, body = get(site, f"/peerjobs/demand_trend_monthly.json?{query}&role_family="
                                    "RECOVERY_COACH_SUD&_shape=array")
        rows = json.loads(body)
        expected = db.execute(
            "select count(*) from demand_monthly where geo_level = ? and geo_code = ? and "
            "role_family = 'recovery_coach_sud'", (level, code)).fetchone()[0]
        assert status == 200 and len(rows) == expected > 0, query
        assert {(r["geo_level"], r["geo_code"]) for r in rows} == {(level, code)}
    status, _, body = get(site, "/peerjobs/demand_trend?state=zz&role_family=")
    assert status == 400 and b"&#39;zz&#39; is not one" in body and b'name="state" value="zz"' in body


def test_search_reads_words_and_shows_the_match(site: Site) -> None:
    for q in ("", '"', "NEAR(", "*", "()"):
        status, _, body = get(site, "/peerjobs/search_postings.json?_shape=array&state=&q="
                                    + urllib.parse.quote(q))
        assert (status, json.loads(body)) == (200, []), q
    # FTS syntax is read as plain words: the same rows as the words alone
    answers = [get(site, "/peerjobs/search_postings.json?_shape=array&state=wa&q="
                   + urllib.parse.quote(q)) for q in ("peer AND (", "peer and")]
    assert answers[0][0] == answers[1][0] == 200 and answers[0][2] == answers[1][2]
    assert json.loads(answers[0][2])
    status, _, body = get(site, "/peerjobs/search_postings")
    assert status == 200 and b'id="qp1" name="q" value=""' in body
    status, _, body = get(site, "/peerjobs/search_postings.json?_shape=array&state=mi&q="
                                + urllib.parse.quote('"recovery coach'))
    rows = json.loads(body)
    assert status == 200 and rows and all(r["state"] == "MI" for r in rows)
    assert all("[" in r["excerpt"] and "]" in r["excerpt"] for r in rows)
    assert all(any(w in r["excerpt"].lower() for w in ("[recovery]", "[coach]")) for r in rows)


def test_pages_have_a_language_titles_and_units(site: Site) -> None:
    status, _, body = get(site, "/peerjobs/demand_trend?state=mi&role_family=")
    page = body.decode()
    assert status == 200 and page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert "<title>Demand trend for a state and role family (weekly) (sample data)</title>" in page
    assert '<td class="col-pay_hourly_median">$20.20/h</td>' in page
    assert '<td class="col-share_with_pay">81.8%</td>' in page
    status, _, body = get(site, "/peerjobs/postings")
    descriptions = [c.split(">", 1)[1] for c in body.decode().split('<td class="col-description ')[1:]]
    assert status == 200 and len(descriptions) == 20  # metadata.yml: postings size
    assert max(len(d.split("</td>")[0]) for d in descriptions) <= 200 + len("…")


def test_the_data_dictionary_is_a_page_with_every_column(site: Site, db: sqlite3.Connection) -> None:
    status, _, body = get(site, "/-/data-dictionary.csv")
    entries = list(csv.DictReader(io.StringIO(body.decode())))
    names = _public(site)
    columns = sum(len(db.execute(f"pragma table_info([{n}])").fetchall()) for n in names)
    assert status == 200 and len(entries) == columns
    read_as = {(e["table"], e["column"]): e["read_as"] for e in entries}
    assert read_as[("postings", "county_fips")] == read_as[("demand_weekly", "geo_code")] == "text"
    assert read_as[("postings", "id")] == read_as[("clusters", "representative_id")] == "text"
    assert read_as[("postings", "hourly_min")] == ""
    weekly = next(e for e in entries if e["table"] == "demand_weekly")
    assert "trends/demand_weekly_county.csv" in weekly["table_description"]
    status, _, body = get(site, "/-/data-dictionary")
    assert status == 200 and b'<section id="coverage_monthly">' in body


def test_a_demo_export_says_it_is_sample_data(demo: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "crawlers.cli", "--data-dir", str(demo.parent),
                             "export", "--out", str(tmp_path)], capture_output=True, text=True,
                            cwd=REPO, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "manifest.json").read_text())["sample_data"] == SAMPLE_NOTE
    assert (tmp_path / "SAMPLE_DATA.txt").read_text() == SAMPLE_NOTE + "\n"
    assert (tmp_path / "DATA_DICTIONARY.md").read_text().splitlines()[2].startswith(
        f"**{SAMPLE_NOTE}**")
