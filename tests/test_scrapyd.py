"""``peerjobs crawl --scrapyd``: two real Scrapyd nodes on loopback ports and the replay server
crawl one week of the demo corpus, one job per board, into the same runs, items and statuses
as a local crawl of that week; a board whose job fails on its node is recorded failed and the
others complete. Plus the pieces: the egg runs from the zip alone, the spread, the receipts
written for jobs that failed or vanished."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from datetime import time as clock
from pathlib import Path
from typing import Any

from conftest import REPO, free_port
from test_build import stub

from crawlers.crawl import available_spiders, crawl_sources, plan_jobs
from crawlers.demo import DEMO_CRAWL_SETTINGS, assign_platforms, registry_text, render_week
from crawlers.demo.corpus import build_corpus
from crawlers.demo.platforms import demo_platforms
from crawlers.registry import load_registry
from crawlers.replay import ReplayServer
from crawlers.runner import CrawlJob
from crawlers.scrapyd_crawl import (
    Node,
    Placed,
    board_jobs,
    build_egg,
    egg_version,
    parse_nodes,
    record,
    spread,
)
from db.build import build

SLOTS = 2
FAILING_RUNNER = """\
# A Scrapyd runner that fails one board's job on this node, as a broken node would.
import sys
if "crawl" in sys.argv and "board={board}" in sys.argv:
    sys.exit(3)
from scrapyd.runner import main
main()
"""


@contextmanager
def scrapyd_node(folder: Path, *, runner: str = "scrapyd.runner",
                 files: dict[str, str] | None = None) -> Iterator[str]:
    """A Scrapyd process on a free loopback port, configured by ``folder/scrapyd.conf``
    (``files`` are written beside it: a runner module, say)."""
    folder.mkdir(parents=True)
    for name, text in (files or {}).items():
        (folder / name).write_text(text)
    port = free_port()
    (folder / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = eggs\n"
        f"logs_dir = logs\ndbs_dir = dbs\nmax_proc = {SLOTS}\npoll_interval = 0.2\n"
        f"runner = {runner}\n")
    log = (folder / "scrapyd.out").open("wb")
    process = subprocess.Popen([str(Path(sys.executable).with_name("scrapyd"))], cwd=folder,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/daemonstatus.json", timeout=5):
                    break
            except OSError:
                assert process.poll() is None, (folder / "scrapyd.out").read_text()
                assert time.monotonic() < deadline, "scrapyd did not start"
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def week_settings(corpus_dir: Path) -> tuple[dict[str, Any], Path]:
    corpus = build_corpus(weeks=1)
    assignment = assign_platforms(corpus, demo_platforms())
    registry = corpus_dir / "sources.toml"
    corpus_dir.mkdir(parents=True)
    registry.write_text(registry_text(corpus, assignment), encoding="utf-8")
    root = render_week(corpus_dir, corpus, assignment, 0)
    moment = datetime.combine(corpus.snapshot_date(0), clock(3, 0), tzinfo=UTC)
    return {**DEMO_CRAWL_SETTINGS, "PEERJOBS_SOURCES": str(registry),
            "PEERJOBS_NOW": moment.isoformat()}, root


def runs(database: Path) -> dict[str, tuple[Any, ...]]:
    conn = sqlite3.connect(database)
    try:
        return {r[0]: tuple(r[1:]) for r in conn.execute(
            "select source, status, items, items_loaded, problems, listing_pages from runs")}
    finally:
        conn.close()


def postings(database: Path) -> set[tuple[Any, ...]]:
    conn = sqlite3.connect(database)
    try:
        return set(conn.execute(
            "select source, source_id, title, employer, location, pay_text, posted_at, "
            "closes_at, content_hash, fetched_at, times_seen from postings"))
    finally:
        conn.close()


def test_a_week_on_two_scrapyd_nodes_equals_a_local_crawl(tmp_path: Path) -> None:
    settings, site = week_settings(tmp_path / "corpus")
    # Where the spread puts each board (both nodes idle: every slot free), to break one
    # board's job on the second node.
    jobs = board_jobs(plan_jobs((), load_registry(settings), available_spiders()), settings)
    nodes_of = spread(jobs, [SLOTS, SLOTS])
    broken = next(job for job, node in zip(jobs, nodes_of, strict=True)
                  if node == 1 and job.spider == "greenhouse")
    local, remote = tmp_path / "local", tmp_path / "shared"
    with ExitStack() as stack:
        server = stack.enter_context(ReplayServer(site))
        crawl_sources((), api_base=server.url,
                      settings={**settings, "PEERJOBS_DATA_DIR": str(local)})
        one = stack.enter_context(scrapyd_node(tmp_path / "node1"))
        two = stack.enter_context(scrapyd_node(
            tmp_path / "node2", runner="failing_runner",
            files={"failing_runner.py": FAILING_RUNNER.format(board=broken.boards[0])}))
        overrides = [arg for name, value in settings.items()
                     for arg in ("-s", f"{name}={value}")]
        result = subprocess.run(
            [sys.executable, "-m", "crawlers.cli", "--data-dir", str(remote), "crawl",
             "--scrapyd", f"{one},{two}", "--scrapyd-slots", str(SLOTS),
             "--api-base", server.url, *overrides],
            cwd=REPO, capture_output=True, text=True, timeout=1500, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"scheduled {nodes_of.count(0)} on {one}, {nodes_of.count(1)} on {two}" \
        in result.stdout
    # One run per board, each with its receipt.
    receipts = sorted((remote / "archive").glob("*/*.stats.json"))
    assert len(receipts) == len(jobs) == 51
    build(local, local / "archive", stub)
    build(remote, remote / "archive", stub)
    here, there = runs(local / "peerjobs.db"), runs(remote / "peerjobs.db")
    assert set(here) == set(there) and len(here) == 51
    failed = broken.sources[0]
    assert here[failed][:2] == ("complete", here[failed][1]) and here[failed][1] > 0
    assert there.pop(failed) == ("failed", 0, 0, '{"crashed": 1}', 0)
    here.pop(failed)
    assert there == here
    assert {status for status, *_ in there.values()} == {"complete"}
    assert postings(remote / "peerjobs.db") == {
        p for p in postings(local / "peerjobs.db") if p[0] != failed}
    assert f"failed    {failed}: 0 item(s); problems: crashed 1" in result.stderr


def test_the_egg_runs_from_the_zip_alone(tmp_path: Path) -> None:
    egg = build_egg(REPO)
    assert build_egg(REPO) == egg and egg_version(egg).startswith("0.1.0-")
    path = tmp_path / "peerjobs.egg"
    path.write_bytes(egg)
    names = zipfile.ZipFile(path).namelist()
    assert "EGG-INFO/entry_points.txt" in names and "crawlers/sources.toml" in names
    assert zipfile.ZipFile(path).read("EGG-INFO/entry_points.txt") == \
        b"[scrapy]\nsettings = crawlers.settings\n"
    assert not [n for n in names if "__pycache__" in n or not n.startswith(("crawlers/", "EGG"))]
    # First on the path, the egg's code is the code that runs, spiders and all.
    listed = subprocess.run(
        [sys.executable, "-c", "import crawlers, sys; print(crawlers.__file__); "
         "from scrapy.cmdline import execute; sys.argv = ['scrapy', 'list']; execute()"],
        env={**os.environ, "PYTHONPATH": str(path), "SCRAPY_SETTINGS_MODULE": "crawlers.settings"},
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    lines = listed.stdout.splitlines()
    assert lines[0] == f"{path}/crawlers/__init__.py", listed.stderr[-2000:]
    assert set(lines[1:]) == available_spiders()


def test_jobs_go_where_most_slots_are_free() -> None:
    jobs = [CrawlJob(spider="lever") for _ in range(7)]
    assert spread(jobs, [2, 2]) == [0, 1, 0, 1, 0, 1, 0]
    assert spread(jobs, [0, 3, 1]) == [1, 1, 1, 2, 0, 1, 2]
    assert [n.url for n in parse_nodes(" a:6800, http://b:6801/ ,")] == [
        "http://a:6800", "http://b:6801"]


def test_failed_and_vanished_jobs_get_receipts(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    node = Node("http://127.0.0.1:9")
    settings = {"PEERJOBS_NOW": "2026-11-02T03:00:00Z"}

    def placed(run_id: str, state: str, lines: list[str]) -> Placed:
        job = CrawlJob(spider="lever", boards=[run_id], sources=[f"lever:{run_id}"],
                       run_id=run_id)
        if lines:
            (archive / "lever").mkdir(parents=True, exist_ok=True)
            (archive / "lever" / f"{run_id}.jsonl").write_text("".join(lines))
        return Placed(job, node, "job-" + run_id, state)

    item = '{"source": "lever:gone", "source_id": "1", "fetched_at": "2026-11-02T03:01:00Z"}\n'
    gone = record(placed("gone", "vanished", [item, item]), archive, settings)
    assert gone.boards == {"lever:gone": {
        "status": "interrupted", "items": 2, "requests": 0, "listing_pages": 0, "incomplete": 1,
        "problems": {"interrupted": 1}, "http_status": {}}}
    crashed = record(placed("crashed", "finished", []), archive, settings)
    assert crashed.boards["lever:crashed"]["status"] == "failed"
    assert crashed.boards["lever:crashed"]["problems"] == {"crashed": 1}
    lost = record(placed("lost", "vanished", []), archive, settings)
    assert lost.boards["lever:lost"]["status"] == "failed"
