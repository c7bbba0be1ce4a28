"""``peerjobs nightly`` tells a scheduler how the night went: exit 0 healthy, 2 degraded, 1 failed,
and posts its summary to a webhook (a local server here) without ever losing the run."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, free_port, write_registry
from test_cli import PEERJOBS, run

from crawlers.nightly import DEGRADED, FAILED, HEALTHY, NightlySummary, judge_crawl, notify
from crawlers.replay import ReplayServer

GOOD = {"platform": "jsonld", "board": "https://careers.example.org/jobs/", "state": "WA",
        "employer": "Fixture employer"}
GONE = {"platform": "jsonld", "board": "https://careers.example.org/closed-board/",
        "state": "WA", "employer": "Gone employer"}


class Hook:
    """A webhook on 127.0.0.1 that keeps every body posted to it and answers ``status``."""

    def __init__(self, status: int = 204) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.types: list[str] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                hook.bodies.append(json.loads(self.rfile.read(length)))
                hook.paths.append(self.path)
                hook.types.append(self.headers.get("Content-Type", ""))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/peerjobs"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Hook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook() -> Iterator[Hook]:
    with Hook() as server:
        yield server


def nightly(tmp_path: Path, boards: list[dict[str, Any]], *extra: str) -> tuple[Any, Path]:
    registry = write_registry(tmp_path / "sources.toml", boards)
    data = tmp_path / "data"
    with ReplayServer(FIXTURES / "jsonld" / "site") as server:
        result = run([*PEERJOBS, "--data-dir", str(data), "nightly", "--api-base", server.url,
                      "-s", f"PEERJOBS_SOURCES={registry}", "-s", "DOWNLOAD_DELAY=0",
                      "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "RETRY_TIMES=0",
                      "-s", "PEERJOBS_NOW=2026-11-02T03:00:00Z", *extra])
    return result, data


def test_a_healthy_night_exits_0_and_posts_its_summary(tmp_path: Path, hook: Hook) -> None:
    result, data = nightly(tmp_path, [GOOD], "--notify", hook.url)
    assert result.returncode == HEALTHY, result.stderr[-2000:]
    assert f"summary posted to {hook.url}" in result.stdout
    [body] = hook.bodies
    assert hook.paths == ["/hooks/peerjobs"] and hook.types == ["application/json"]
    [report] = (data / "reports").glob("health-*.json")
    assert body == {
        "status": "healthy", "exit_code": 0, "as_of": "2026-11-02T03:00:00Z",
        "sources": {"complete": 1},
        "build": body["build"], "exports": body["exports"], "health_report": str(report),
        "warnings": [], "errors": []}
    assert "loaded 1 run(s), 3 item(s); 3 new and 0 changed posting(s)" in body["build"]
    assert body["exports"] == len(json.loads((data / "exports" / "manifest.json").read_text())
                                  ["rows"]) + 3  # the manifest, DATA_DICTIONARY.md and .csv


def test_a_failing_source_degrades_the_night_to_2(tmp_path: Path, hook: Hook) -> None:
    result, data = nightly(tmp_path, [GOOD, GONE], "--notify", hook.url)
    assert result.returncode == DEGRADED, result.stderr[-2000:]
    [body] = hook.bodies
    assert (body["status"], body["sources"], body["errors"]) == (
        "degraded", {"complete": 1, "failed": 1}, [])
    assert body["warnings"] == ["jsonld:careers.example.org/closed-board: failed tonight"]
    assert "nightly: degraded (exit 2)" in result.stderr
    runs = sqlite3.connect(data / "peerjobs.db").execute(
        "select source, status, items from runs order by source").fetchall()
    assert runs == [("jsonld:careers.example.org/closed-board", "failed", 0),
                    ("jsonld:careers.example.org/jobs", "complete", 3)]


def test_no_source_read_fails_the_night_with_1(tmp_path: Path) -> None:
    result, data = nightly(tmp_path, [GONE])
    assert result.returncode == FAILED, result.stderr[-2000:]
    assert "  error: no source could be read (1 tried)" in result.stderr
    # The failure is still recorded for the health report and the site.
    assert sqlite3.connect(data / "peerjobs.db").execute(
        "select status from runs").fetchall() == [("failed",)]


def test_a_webhook_that_fails_is_a_warning_and_loses_nothing(tmp_path: Path) -> None:
    closed = f"http://127.0.0.1:{free_port()}/hook"
    result, data = nightly(tmp_path, [GOOD], "--notify", closed)
    assert result.returncode == DEGRADED, result.stderr[-2000:]
    assert f"  warning: webhook {closed} could not be reached: [Errno 111] Connection refused" \
        in result.stderr
    assert sqlite3.connect(data / "peerjobs.db").execute(
        "select count(*) from postings").fetchone() == (3,)
    assert len(list((data / "reports").glob("health-*.json"))) == 1


def test_notify_reports_an_error_answer() -> None:
    with Hook(status=500) as failing:
        problem = notify(failing.url, {"status": "healthy"})
        assert failing.bodies == [{"status": "healthy"}]
    assert problem == f"webhook {failing.url} answered 500 Internal Server Error"
    assert notify("not a url", {}) == "webhook not a url could not be reached: unknown url type: " \
        "'not a url'"


def test_exit_code_follows_errors_then_warnings() -> None:
    summary = NightlySummary()
    judge_crawl(summary, {"complete": 2, "partial": 1}, [])
    assert (summary.exit_code, summary.status) == (HEALTHY, "healthy")
    summary.warnings.append("lever:a: robots.txt disallows what the spider needs; obeyed")
    assert (summary.exit_code, summary.status) == (DEGRADED, "degraded")
    judge_crawl(summary, {"failed": 2, "skipped": 1}, ["a", "b"])
    assert summary.errors == ["no source could be read (3 tried)"]
    assert (summary.exit_code, summary.status) == (FAILED, "failed")
    empty = NightlySummary()
    judge_crawl(empty, {}, [])
    assert empty.errors == ["nothing to crawl: no enabled boards for the requested sources"]
