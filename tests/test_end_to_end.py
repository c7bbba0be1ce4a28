"""Replay server → real spider → build → Datasette: the whole pipeline on real-format pages."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, run_crawl
from datasette.app import Datasette

from db.pipeline import build_database

SITE = FIXTURES / "jsonld" / "site"
BOARD = {"platform": "jsonld", "board": "https://careers.example.org/", "state": "WA",
         "employer": "Fixture employer"}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("e2e") / "data"
    for week, when in (("week1", "2026-10-26T03:00:00Z"), ("week2", "2026-11-02T03:00:00Z")):
        run_crawl(data, "jsonld", SITE, boards=[BOARD["board"]], now=when,
                  registry=[{**BOARD, "start_urls": [
                      f"https://careers.example.org/sitemap-{week}.xml"]}])
    build_database(data)
    return data / "peerjobs.db"


def datasette_for(database: Path) -> Datasette:
    import yaml

    metadata = yaml.safe_load((REPO / "datasette" / "metadata.yml").read_text(encoding="utf-8"))
    return Datasette([str(database)], metadata=metadata,
                     plugins_dir=str(REPO / "datasette" / "plugins"))


@pytest.mark.asyncio
async def test_canned_query_json_and_csv(database: Path) -> None:
    ds = datasette_for(database)
    response = await ds.client.get(
        "/peerjobs/postings_per_week_for_state.json?state=wa&_shape=array")
    assert response.status_code == 200
    assert response.json() == [
        {"week_start": "2026-10-26", "new_postings": 1, "new_peer_postings": 0},
        {"week_start": "2026-11-02", "new_postings": 1, "new_peer_postings": 1},
    ]
    response = await ds.client.get("/peerjobs/postings_per_week_for_state.csv?state=CA")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows == [["week_start", "new_postings", "new_peer_postings"],
                    ["2026-10-26", "2", "0"]]


@pytest.mark.asyncio
async def test_normalized_columns_and_pages_a_user_opens(database: Path) -> None:
    ds = datasette_for(database)
    response = await ds.client.get(
        "/peerjobs/postings.json?source_id=4150001&_shape=array"
        "&_col=is_peer&_col=role_family&_col=hourly_min&_col=hourly_max&_col=state"
        "&_col=county_fips&_col=cert_requirement&_col=cert_within_days&_col=first_seen")
    assert response.json() == [{
        "id": response.json()[0]["id"], "is_peer": 1, "role_family": "peer_support_mh",
        "hourly_min": 19.5, "hourly_max": 22.75, "state": "WA", "county_fips": "53031",
        "cert_requirement": "required_within", "cert_within_days": 360,  # 12 months x 30
        "first_seen": "2026-11-02T03:00:00Z",
    }]
    for path in ("/", "/peerjobs", "/peerjobs/postings", "/peerjobs/runs", "/peerjobs/sightings",
                 "/peerjobs/postings_per_week_for_state?state=WA", "/-/metadata"):
        page = await ds.client.get(path)
        assert page.status_code == 200, path
    home = await ds.client.get("/")
    assert "peerjobs: US peer-support job postings" in home.text
