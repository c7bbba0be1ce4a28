"""A crawl killed outright (issue 15): no crawler process outlives `peerjobs crawl`, and a feed
left without its stats file is recorded as an ``interrupted`` run by the next build, never
loaded as complete, and named in the health report."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, write_registry

from crawlers.interrupted import _still_running
from crawlers.replay import ReplayServer
from db.build import build
from db.health import health_report

BOARD = "https://careers.example.org/jobs/"
SOURCE = "jsonld:careers.example.org/jobs"


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command may contain spaces or parentheses: the fields after the last ")" are fixed
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[ReplayServer]:
    folder = tmp_path / "site"
    shutil.copytree(FIXTURES / "jsonld" / "site", folder)
    # The board's first listing page answers; its second never does, so the crawl is caught
    # mid-run with items already in its feed.
    routes = json.loads((folder / "routes.json").read_text())
    routes["routes"].append({"host": "careers.example.org", "path": "/jobs/page-2.html",
                             "hang": True})
    (folder / "routes.json").write_text(json.dumps(routes))
    with ReplayServer(folder) as server:
        yield server


def _wait_for_lock_release(feed: Path) -> None:
    """The killed crawler's run lock free: its leader shows as a zombie while its other
    threads still exit and hold the lock's file (a build then rightly leaves the feed for the
    next one; these tests want this one to find it)."""
    _wait_for(lambda: not _still_running(feed), 30, "the crawler's run lock to be released")


def _start_crawl(data: Path, server: ReplayServer) -> subprocess.Popen[bytes]:
    registry = write_registry(data / "sources.toml", [
        {"platform": "jsonld", "board": BOARD, "employer": "Fixture employer", "state": "OR"}])
    return subprocess.Popen(
        [sys.executable, "-m", "crawlers.cli", "--data-dir", str(data), "crawl", "jsonld",
         "--api-base", server.url, "-s", f"PEERJOBS_SOURCES={registry}", "-s", "RETRY_TIMES=0",
         "-s", "DOWNLOAD_TIMEOUT=300", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "PEERJOBS_NOW=2026-11-02T03:00:00Z"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _crawler_of(parent: subprocess.Popen[bytes], data: Path) -> int:
    """The crawler child, once it holds its run lock and has written an item."""
    feeds = data / "archive" / "jsonld"

    def ready() -> bool:
        feed = next(feeds.glob("*.jsonl"), None) if feeds.exists() else None
        return (bool(_children(parent.pid)) and feed is not None
                and feed.with_suffix(".lock").exists() and feed.stat().st_size > 0)

    _wait_for(ready, 120, "the crawler to start and write an item")
    [child] = _children(parent.pid)
    return child


def test_killing_the_crawl_command_stops_its_crawler(tmp_path: Path,
                                                     site: ReplayServer) -> None:
    parent = _start_crawl(tmp_path, site)
    child = _crawler_of(parent, tmp_path)
    parent.kill()  # SIGKILL: no chance to clean up
    parent.wait(timeout=30)
    _wait_for(lambda: not _alive(child), 10, "the crawler to die with its parent")
    [feed] = (tmp_path / "archive" / "jsonld").glob("*.jsonl")
    _wait_for_lock_release(feed)
    assert not feed.with_name(f"{feed.stem}.stats.json").exists()
    # The next crawl records the orphaned feed before it starts (this one fails fast: nothing
    # listens on port 9).
    registry = tmp_path / "sources.toml"
    result = subprocess.run(
        [sys.executable, "-m", "crawlers.cli", "--data-dir", str(tmp_path), "crawl", "jsonld",
         "--api-base", "http://127.0.0.1:9", "-s", f"PEERJOBS_SOURCES={registry}",
         "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_TIMEOUT=5"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert f"{feed.stem}: recorded as interrupted (an earlier crawler was killed)" in result.stdout
    receipt = json.loads(feed.with_name(f"{feed.stem}.stats.json").read_text())
    assert receipt["boards"][SOURCE]["status"] == "interrupted"
    assert receipt["finish_reason"].startswith("interrupted (the crawler was killed")
    assert not feed.with_suffix(".lock").exists()


def test_a_feed_left_without_stats_is_recorded_as_interrupted(tmp_path: Path,
                                                             site: ReplayServer) -> None:
    parent = _start_crawl(tmp_path, site)
    child = _crawler_of(parent, tmp_path)
    os.killpg(parent.pid, signal.SIGKILL)  # the command and its crawler at once
    parent.wait(timeout=30)
    _wait_for(lambda: not _alive(child), 30, "the crawler to die")
    [feed] = (tmp_path / "archive" / "jsonld").glob("*.jsonl")
    _wait_for_lock_release(feed)
    assert not feed.with_name(f"{feed.stem}.stats.json").exists()
    items = len(feed.read_text().splitlines())
    assert items >= 1

    report = build(tmp_path, tmp_path / "archive", lambda row: {})
    assert report.runs_loaded == 1
    conn = sqlite3.connect(tmp_path / "peerjobs.db")
    assert conn.execute("select source, status, items, problems from runs").fetchall() == [
        (SOURCE, "interrupted", items, '{"interrupted": 1}')]
    # the items are sightings; an interrupted run closes nothing
    assert conn.execute("select count(*), sum(status = 'open') from postings").fetchone() == (
        items, items)
    [source] = health_report(tmp_path / "peerjobs.db").sources
    assert source.last_status == "interrupted"
    assert source.warnings == ["the last run was interrupted (its crawler was killed): its items "
                               "count as sightings, and it closed nothing"]
    # Running the build again records nothing twice.
    assert build(tmp_path, tmp_path / "archive", lambda row: {}).runs_loaded == 0
