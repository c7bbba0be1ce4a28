"""README command 1: `peerjobs demo` crawls the sample corpus of every platform through the
replay server, builds the database and serves it with Datasette at the printed URL."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, free_port

from crawlers.demo.platforms import demo_platforms


def peerjobs(*args: str) -> list[str]:
    return [sys.executable, "-m", "crawlers.cli", *args]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("demo")
    result = subprocess.run(peerjobs("--data-dir", str(data), "demo", "--no-serve", "--weeks", "2"),
                            capture_output=True, text=True, cwd=REPO, timeout=900, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "week 2/2" in result.stdout
    return data / "demo" / "peerjobs.db"


def test_every_platform_is_crawled_and_every_board_completes(demo_db: Path) -> None:
    conn = sqlite3.connect(demo_db)
    platforms = {row[0] for row in conn.execute("select distinct platform from postings")}
    assert platforms == {module.PLATFORM for module in demo_platforms()}
    statuses = {row[0] for row in conn.execute("select distinct status from runs")}
    assert statuses == {"complete"}
    (peer, total) = conn.execute("select sum(is_peer), count(*) from postings").fetchone()
    assert total > 300 and 0.3 < peer / total < 0.9
    employers = {row[0] for row in conn.execute("select distinct employer from postings")}
    assert all("sample" in e.lower() for e in employers if e)


def test_sample_data_is_labeled(demo_db: Path) -> None:
    metadata = (demo_db.parent / "metadata.yml").read_text(encoding="utf-8")
    assert metadata.startswith("title: 'SAMPLE DATA: peerjobs")
    conn = sqlite3.connect(demo_db)
    unlabeled = conn.execute(
        "select count(*) from postings where description is not null "
        "and description not like '%SAMPLE DATA%'").fetchone()
    assert unlabeled == (0,)


def test_demo_serves_datasette_at_the_printed_url(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        peerjobs("--data-dir", str(tmp_path), "demo", "--weeks", "1", "--port", str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO, env=env)
    try:
        assert process.stdout is not None
        url = None
        for line in process.stdout:
            if line.startswith("Datasette at "):
                url = line.split()[2]
                break
        assert url == f"http://127.0.0.1:{port}/peerjobs"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/postings.json?_shape=array&_size=5",
                                            timeout=5) as response:
                    rows = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        assert len(rows) == 5 and all("SAMPLE DATA" in (r["description"] or "") for r in rows)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert "SAMPLE DATA: peerjobs" in response.read().decode()
    finally:
        # `peerjobs demo` became Datasette (exec), so this stops the server itself.
        process.terminate()
        process.wait(timeout=30)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


def test_the_demo_series_start_at_the_first_crawl_and_the_last_week_is_partial(
        demo_db: Path) -> None:
    conn = sqlite3.connect(demo_db)
    # Postings are backdated to their posted dates, but no series starts before the first
    # complete run (2026-09-28); the week of the last crawl (as-of 2026-10-05) is going on.
    assert conn.execute(
        "select period_start, complete from demand_weekly where geo_level = 'nation' "
        "and role_family = 'all' order by period_start").fetchall() == [
        ("2026-09-28", 1), ("2026-10-05", 0)]
    assert conn.execute("select value from build_info where key = 'latest_complete_week'"
                        ).fetchone() == ("2026-09-28",)
    assert conn.execute("select min(period_start) from coverage_weekly").fetchone() == (
        "2026-09-28",)


def test_the_capitals_zip_codes_are_the_zipcodes_packages() -> None:
    from crawlers.demo.corpus import CAPITAL_ZIPS, capital_zips_from_package

    assert capital_zips_from_package() == CAPITAL_ZIPS
