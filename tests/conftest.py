"""Shared test helpers: run real spiders against recorded responses, build, inspect.

Two layers, as in the projects we learn from: parse functions fed recorded pages in-process
(``make_spider`` + ``fake_response``), and whole crawls in a child process through the replay
server and ``api_base`` (``run_crawl``), exactly as ``peerjobs crawl`` runs them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawlers.demo import LOCAL_CRAWL_SETTINGS
from crawlers.registry import Board, board_key
from crawlers.replay import Logged, ReplayServer
from crawlers.runner import CrawlJob, run_in_child

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
FETCHED_AT = "2026-11-02T03:00:00Z"

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")


@dataclass
class CrawlResult:
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    requests: list[Logged] = field(default_factory=list)
    data_dir: Path | None = None

    @property
    def boards(self) -> dict[str, dict[str, Any]]:
        return dict(self.stats.get("boards") or {})

    def board(self, source: str) -> dict[str, Any]:
        return self.boards[source]

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {str(item["source_id"]): item for item in self.items}

    def problem(self, kind: str) -> int:
        return int(self.stats["stats"].get(f"peerjobs/problems/{kind}", 0))


def write_registry(path: Path, boards: list[dict[str, Any]]) -> Path:
    """A sources.toml for a test: each dict is one [[boards]] entry."""
    lines = []
    for entry in boards:
        lines.append("[[boards]]")
        for key, value in entry.items():
            lines.append(f"{key} = {json.dumps(value)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def run_crawl(
    data_dir: Path,
    spider: str,
    replay_root: Path | None,
    *,
    boards: list[str] | None = None,
    registry: list[dict[str, Any]] | None = None,
    settings: dict[str, Any] | None = None,
    now: str = FETCHED_AT,
    api_base: str | None = None,
) -> CrawlResult:
    """Crawl ``replay_root`` with the real spider in a child process, as ``peerjobs crawl`` does."""
    data_dir.mkdir(parents=True, exist_ok=True)
    registry_path = write_registry(data_dir / "sources.toml", registry or [])
    all_settings = {
        **LOCAL_CRAWL_SETTINGS,
        "RETRY_TIMES": 0,
        "PEERJOBS_DATA_DIR": str(data_dir),
        "PEERJOBS_SOURCES": str(registry_path),
        "PEERJOBS_NOW": now,
        **(settings or {}),
    }
    expected = [f"{spider}:{board_key(b)}" for b in boards or []]
    job = CrawlJob(spider=spider, boards=list(boards or []), sources=expected)
    log_file = data_dir / "crawl.log"

    def crawl(base: str | None, log: list[Logged]) -> CrawlResult:
        outcome = run_in_child([job], api_base=base, settings=all_settings, log_file=log_file)[0]
        feed = data_dir / "archive" / spider / f"{job.run_id}.jsonl"
        items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()
                 if line.strip()] if feed.exists() else []
        return CrawlResult(items, outcome.stats, log, data_dir)

    if replay_root is None:
        return crawl(api_base, [])
    with ReplayServer(replay_root) as server:
        return crawl(api_base or server.url, server.log)


def make_spider(spider_cls: type, settings: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A spider wired to a crawler (stats, settings) for in-process parse tests."""
    crawler = get_crawler(spider_cls, {"PEERJOBS_NOW": FETCHED_AT, **(settings or {})})
    spider = crawler._create_spider(**kwargs)
    crawler.spider = spider
    return spider


def fake_response(url: str, body: bytes | str, *, board: Board, html: bool = True,
                  meta: dict[str, Any] | None = None, status: int = 200) -> TextResponse:
    """A recorded page as the spider would receive it for ``board``."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    request = Request(url, meta={"board": board, "listing": False, **(meta or {})})
    cls = HtmlResponse if html else TextResponse
    return cls(url=url, body=data, encoding="utf-8", request=request, status=status)


def fixture_bytes(*parts: str) -> bytes:
    return FIXTURES.joinpath(*parts).read_bytes()


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data"
    path.mkdir()
    yield path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def datasette_server(data: Path, *extra: str, ready_path: str, stdout: Any,
                     preexec_fn: Callable[[], None] | None = None,
                     ) -> Iterator[tuple[subprocess.Popen[Any], int]]:
    """``peerjobs serve`` of ``data`` on a free port, yielded once ``ready_path`` answers 200;
    stopped afterwards. Public mode is off unless ``extra`` asks for it."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "crawlers.cli", "--data-dir", str(data), "serve", "--port",
         str(port), *extra], stdout=stdout, stderr=subprocess.STDOUT, cwd=REPO,
        env={**os.environ, "PEERJOBS_PUBLIC": ""}, preexec_fn=preexec_fn)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}",
                                            timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert process.poll() is None, f"Datasette exited with {process.returncode}"
            assert time.monotonic() < deadline, "Datasette did not start"
            time.sleep(0.3)
        yield process, port
    finally:
        process.terminate()
        process.wait(timeout=30)
