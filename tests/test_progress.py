"""Progress on a terminal (bars with counts and time left, on stderr) and, anywhere else, the
same plain output as without it."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
from pathlib import Path

from conftest import FIXTURES, write_registry
from rich.console import Console
from test_cli import PEERJOBS, run
from test_source_health import write_archive

from crawlers import progress
from crawlers.replay import ReplayServer
from crawlers.runfiles import stats_path, write_json_atomically
from crawlers.runner import CrawlJob
from db.exports import public_tables

TERMINAL = {"TTY_COMPATIBLE": "1", "TTY_INTERACTIVE": "1", "COLUMNS": "120"}
"""What makes rich take stderr for a terminal (a test has none)."""
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(text: str) -> str:
    return ANSI.sub("", text)


def test_a_terminal_gets_bars_with_counts() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, force_interactive=True, width=100)
    with progress.showing(console) as shown:
        assert shown and progress.active()
        for done in range(1, 4):
            progress.update("runs loaded", done, 3)
        progress.note("build: load 0.5s")
        progress.update("tables exported", 1, 2)
    assert not progress.active()
    text = plain(out.getvalue())
    assert "build: load 0.5s" in text
    last = {line.split()[0] + " " + line.split()[1]: line for line in text.splitlines()
            if line.startswith(("runs loaded", "tables exported"))}
    assert "3/3" in last["runs loaded"] and "1/2" in last["tables exported"]


def test_anything_else_gets_nothing() -> None:
    out = io.StringIO()
    with progress.showing(Console(file=out, force_terminal=False)) as shown:
        assert not shown and not progress.active()
        progress.update("runs loaded", 1, 3)
        progress.note("build: load 0.5s")
    assert out.getvalue() == ""


def test_sources_are_done_when_their_runs_receipts_appear(tmp_path: Path) -> None:
    jobs = [CrawlJob(spider="lever", sources=["lever:a", "lever:b"], run_id="r1"),
            CrawlJob(spider="ukg", sources=["ukg:c"], run_id="r2"),
            CrawlJob(spider="jsonld", sources=[], run_id="")]  # no run id yet, sources unknown
    assert progress.crawl_done(jobs, tmp_path) == (0, 4)
    write_json_atomically(stats_path(tmp_path, "lever", "r1"), {})
    assert progress.crawl_done(jobs, tmp_path) == (2, 4)


def test_build_and_export_on_a_terminal_and_in_a_pipe(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_archive(data / "archive")
    shown = run([*PEERJOBS, "--data-dir", str(data), "rebuild"], env={**os.environ, **TERMINAL})
    assert shown.returncode == 0, shown.stderr[-2000:]
    bars = plain(shown.stderr)
    assert re.search(r"runs loaded .* 9/9", bars), bars
    assert "build: load " in bars and "build: source_health " in bars
    piped = run([*PEERJOBS, "--data-dir", str(data), "rebuild"],
                env={k: v for k, v in os.environ.items() if k not in TERMINAL})
    assert piped.returncode == 0 and piped.stderr == ""
    assert piped.stdout.count("\n") == 1 and "loaded 9 run(s), 0 item(s)" in piped.stdout
    exported = run([*PEERJOBS, "--data-dir", str(data), "export"],
                   env={**os.environ, **TERMINAL})
    assert json.loads(exported.stdout)["files"]  # stdout stays the JSON alone
    conn = sqlite3.connect(data / "peerjobs.db")
    tables, views = public_tables(conn)
    conn.close()
    count = len(tables) + len(views)
    assert re.search(rf"tables exported .* {count}/{count}", plain(exported.stderr)), \
        exported.stderr


def test_a_crawl_on_a_terminal_counts_sources(tmp_path: Path) -> None:
    registry = write_registry(tmp_path / "sources.toml", [{
        "platform": "jsonld", "board": "https://careers.example.org/jobs/", "state": "WA"}])
    with ReplayServer(FIXTURES / "jsonld" / "site") as server:
        result = run([*PEERJOBS, "--data-dir", str(tmp_path / "data"), "crawl", "--api-base",
                      server.url, "-s", f"PEERJOBS_SOURCES={registry}", "-s",
                      "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0"],
                     env={**os.environ, **TERMINAL})
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"sources crawled .* 1/1", plain(result.stderr)), result.stderr
    assert "complete  jsonld:careers.example.org/jobs: 3 item(s)" in result.stdout
