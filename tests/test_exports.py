"""Exports (CSV + data dictionary) and the Datasette metadata that describes them."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette
from test_build_safety import WEEKS, write_week

from db.build import build
from db.derived import make_derivers
from db.exports import export_all, public_tables
from db.stubs import extra_normalizer
from db.trends import GEO_LEVELS

METADATA = Path(__file__).resolve().parent.parent / "datasette" / "metadata.yml"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exports")
    for week in range(len(WEEKS)):
        write_week(root / "archive", week)
    build(root / "data", root / "archive", extra_normalizer, make_derivers(min_cell=1))
    return root / "data" / "peerjobs.db"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_public_table_view_and_trend_series_is_exported(database: Path,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "exports"
    written = export_all(database, out)
    conn = sqlite3.connect(database)
    tables, views = public_tables(conn)
    assert "postings_fts" not in tables and "_sqlite_migrations" not in tables
    assert {"postings", "clusters", "employers", "demand_weekly", "demand_monthly",
            "title_variants", "employers_summary", "peer_postings"} <= set(tables + views)
    names = {p.relative_to(out).as_posix() for p in written}
    expected = {f"{t}.csv" for t in tables + views} | {
        f"trends/{t}_{level}.csv" for t in ("demand_weekly", "demand_monthly",
                                            "coverage_weekly", "coverage_monthly")
        for level in GEO_LEVELS} | {
        f"trends/demand_index_{unit}_{level}.csv" for unit in ("weekly", "monthly")
        for level in ("nation", "region", "division", "state")} | {
        "data_dictionary.csv", "DATA_DICTIONARY.md", "manifest.json"}
    assert names == expected
    manifest = json.loads((out / "manifest.json").read_text())
    for name in tables + views:
        count = conn.execute(f"select count(*) from [{name}]").fetchone()[0]
        assert len(rows(out / f"{name}.csv")) == count == manifest["rows"][f"{name}.csv"]
    state_series = rows(out / "trends" / "demand_weekly_state.csv")
    assert state_series and {r["geo_code"] for r in state_series} == {"MI"}
    assert manifest["as_of"] == "2026-03-02T03:20:00Z"
    assert not list(out.rglob("*.tmp"))


def test_the_data_dictionary_describes_every_exported_column(database: Path,
                                                             tmp_path: Path) -> None:
    export_all(database, tmp_path)
    entries = rows(tmp_path / "data_dictionary.csv")
    missing = [(e["table"], e["column"]) for e in entries if not e["description"]]
    assert missing == []
    conn = sqlite3.connect(database)
    tables, views = public_tables(conn)
    columns = sum(len(conn.execute(f"pragma table_info([{t}])").fetchall())
                  for t in tables + views)
    assert len(entries) == columns
    markdown = (tmp_path / "DATA_DICTIONARY.md").read_text()
    assert "## demand_weekly.csv" in markdown and "| `share_cert_required` |" in markdown


def test_exporting_again_replaces_the_files(database: Path, tmp_path: Path) -> None:
    (tmp_path / "postings.csv").write_text("stale\n")
    export_all(database, tmp_path)
    assert rows(tmp_path / "postings.csv")[0]["id"]


@pytest.mark.asyncio
async def test_canned_queries_run_in_datasette(database: Path) -> None:
    metadata = yaml.safe_load(METADATA.read_text())
    datasette = Datasette([str(database)], metadata=metadata)
    trend = await datasette.client.get(
        "/peerjobs/demand_trend.json?state=mi&role_family=&_shape=array")
    assert trend.status_code == 200
    series = trend.json()
    # From the first complete run (postings backdated to January never start the series
    # earlier) to the week of the as-of date, which is still going on.
    assert [(r["week_start"], r["complete"], r["boards_watched"], r["active_postings"])
            for r in series] == [
        ("2026-02-02", 1, 4, 3), ("2026-02-09", 1, 3, 4), ("2026-02-16", 1, 2, 4),
        ("2026-02-23", 1, 3, 4), ("2026-03-02", 0, 3, 4)]
    search = await datasette.client.get(
        "/peerjobs/search_postings.json?q=recovery+coach&state=&_shape=array")
    assert search.status_code == 200
    assert [r["title"] for r in search.json()] == ["Recovery Coach (ED Bridge)"]
    legacy = await datasette.client.get(
        "/peerjobs/postings_per_week_for_state.json?state=MI&_shape=array")
    assert legacy.status_code == 200 and legacy.json()
    for query in ("demand_trend_monthly", "states_latest_week"):
        response = await datasette.client.get(
            f"/peerjobs/{query}.json?geo_level=state&geo_code=MI&role_family=&_shape=array")
        assert response.status_code == 200 and response.json(), query
    for table in ("clusters", "demand_weekly", "employers", "peer_postings", "title_variants"):
        page = await datasette.client.get(f"/peerjobs/{table}")
        assert page.status_code == 200, table


@pytest.mark.asyncio
async def test_the_dashboard_page_and_every_chart_query(database: Path) -> None:
    metadata = yaml.safe_load(METADATA.read_text())
    dashboard = metadata["plugins"]["datasette-dashboards"]["peer-demand"]
    # The site's plugins and templates: the map and the by-state charts read
    # temp.state_population; the page is the project's own.
    datasette = Datasette([str(database)], metadata=metadata,
                          plugins_dir=str(METADATA.parent / "plugins"),
                          template_dir=str(METADATA.parent / "templates"))
    page = await datasette.client.get("/-/dashboards/peer-demand?state=MI")
    assert page.status_code == 200
    assert "Peer job demand: Michigan (MI), all peer roles" in page.text
    # The state filter offers the states of the trend tables, read by the plugin.
    assert '<option value="MI" selected>MI — Michigan</option>' in page.text
    conn = sqlite3.connect(database)
    latest = conn.execute("select value from build_info where key = 'latest_complete_week'"
                          ).fetchone()[0]
    month = conn.execute("select value from build_info where key = 'latest_complete_month'"
                         ).fetchone()[0]
    assert (latest, month) == ("2026-02-23", "2026-02-01")
    for state, level, code in (("MI", "state", "MI"), ("", "nation", "US")):
        expected_active, expected_new, boards = conn.execute(
            "select active_postings, new_postings, boards_watched from demand_weekly where "
            "geo_level = ? and geo_code = ? and role_family = 'all' and period_start = ?",
            (level, code, latest)).fetchone()
        weeks = conn.execute(
            "select count(*) from demand_weekly where geo_level = ? and geo_code = ? and "
            "role_family = 'all' and complete = 1", (level, code)).fetchone()[0]
        results = {}
        for name, chart in dashboard["charts"].items():
            response = await datasette.client.get(
                "/peerjobs.json", params={"sql": chart["query"], "state": state,
                                          "role_family": "", "measure": "", "_shape": "array"})
            assert response.status_code == 200, (name, response.text[:300])
            results[name] = response.json()
        assert results["active-now"] == [{"value": f"{expected_active} jobs",
                                          "note": f"{boards} boards watched"}]
        assert results["new-last-week"][0]["value"] == (
            "no new postings" if expected_new == 0 else
            "1 new job" if expected_new == 1 else f"{expected_new} new jobs")
        # complete weeks only: the week holding the as-of date is still going on
        assert len(results["active-trend"]) == 2 * weeks
        assert {r["series"] for r in results["active-trend"]} == {"active", "new"}
        # This history's postings carry no family (the stub normalizer gives none).
        assert results["families"] == []
        assert len(results["families-trend"]) == 9 * weeks  # explicit zeros for each family
        assert {r["active_postings"] for r in results["families-trend"]} == {0}
        assert [{k: r[k] for k in ("week_start", "pay_hourly_p25", "pay_hourly_median",
                                   "pay_hourly_p75")} for r in results["pay-trend"]] == [
            {k: v for k, v in zip(("week_start", "pay_hourly_p25", "pay_hourly_median",
                                   "pay_hourly_p75"), row, strict=True)}
            for row in conn.execute(
                "select period_start, pay_hourly_p25, pay_hourly_median, pay_hourly_p75 "
                "from demand_weekly where geo_level = ? and geo_code = ? and role_family = 'all' "
                "and complete = 1 order by period_start",
                (level, code))]
        # The map: one row per state and DC; Michigan, the only state watched, has its rate.
        assert len(results["map"]) == 51
        [michigan] = [r for r in results["map"] if r["state"] == "MI"]
        active = conn.execute("select active_postings from demand_monthly where geo_level = "
                              "'state' and geo_code = 'MI' and role_family = 'all' and "
                              "period_start = ?", (month,)).fetchone()[0]
        assert (michigan["active_postings"], michigan["population"], michigan["selected"]) == (
            active, 10_140_459, 1 if state else 0)
        assert michigan["value"] == round(100_000 * active / 10_140_459, 2)
        assert {r["status"] for r in results["map"] if r["state"] != "MI"} == {"not watched"}
