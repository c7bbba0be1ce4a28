"""``peerjobs crawl --scrapyd URL[,URL...]``: one crawl spread over Scrapyd nodes.

For crawls that no longer fit one machine's night (thousands of boards): the project is built
into an egg (a zip of the ``crawlers`` package with ``EGG-INFO/entry_points.txt`` naming
``crawlers.settings``; no scrapyd-client needed) and sent to every node (``addversion.json``);
each board becomes one job (``schedule.json``), given to the node with the most free slots
(its slots less what ``daemonstatus.json`` says is running or pending, less what this crawl gave
it already). Every job gets what a local crawl passes its spiders: the run's settings, its own
run id, ``api_base``, and the data folder, which must be a path every node mounts at the same
place (the feeds and the stats files land in its ``archive/``), with a copy of the source
registry there.

While the jobs run, this process holds the run locks of their feeds (crawlers/interrupted.py),
so a build started meanwhile does not take them for interrupted runs. It polls
``listjobs.json`` until every job has finished or vanished, then records each run exactly as a
local crawl does: the stats file the spider wrote; for a job that finished without one (its
process failed on the node), a failed run like a crashed local crawler's; for a job its node
no longer knows (restarted, or unreachable for :data:`UNREACHABLE_SECONDS`), an interrupted run
when its feed holds items, else a failed one. ``peerjobs build`` then loads them as any others.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers import __version__, config
from crawlers.interrupted import holding_run_locks, interrupted_stats, record_interrupted_runs
from crawlers.progress import watch_crawl
from crawlers.registry import DEFAULT_SOURCES, SOURCES_ENV, load_registry
from crawlers.runfiles import feed_path, stats_path, write_json_atomically
from crawlers.runner import CrawlJob, CrawlOutcome, assign_run_ids, write_crash_stats

logger = logging.getLogger(__name__)

PROJECT = "peerjobs"
DEFAULT_SLOTS = 4
"""Jobs a node runs at once when nothing else is known (Scrapyd's ``max_proc``)."""
POLL_SECONDS = 2.0
REQUEST_TIMEOUT = 30.0
UNREACHABLE_SECONDS = 600.0
"""A node that does not answer for this long has lost its unfinished jobs."""
PACKAGES = ("crawlers",)
"""What the spiders import (normalize/ and db/ stay with the build)."""


class ScrapydError(RuntimeError):
    """A node refused or could not be reached where the crawl cannot go on without it."""


# -- the egg ----------------------------------------------------------------------------------


def build_egg(root: Path, packages: Sequence[str] = PACKAGES) -> bytes:
    """The project as an egg Scrapyd can run: the packages' files (no caches), PKG-INFO and
    ``entry_points.txt``. Entries carry a fixed date, so the same code gives the same bytes."""
    buffer = io.BytesIO()
    stamp = (2020, 1, 1, 0, 0, 0)

    def add(name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        archive.writestr(info, data)

    with zipfile.ZipFile(buffer, "w") as archive:
        for package in packages:
            for path in sorted((root / package).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts \
                        and path.suffix not in (".pyc", ".pyo"):
                    add(path.relative_to(root).as_posix(), path.read_bytes())
        add("EGG-INFO/PKG-INFO", f"Metadata-Version: 2.1\nName: {PROJECT}\n"
                                 f"Version: {__version__}\n".encode())
        add("EGG-INFO/entry_points.txt", b"[scrapy]\nsettings = crawlers.settings\n")
        add("EGG-INFO/top_level.txt", "".join(f"{p}\n" for p in packages).encode())
        add("EGG-INFO/zip-safe", b"\n")
    return buffer.getvalue()


def egg_version(egg: bytes) -> str:
    """Scrapyd orders versions as text: the version of the code and a digest of the egg."""
    return f"{__version__}-{hashlib.sha256(egg).hexdigest()[:12]}"


# -- Scrapyd's HTTP API -----------------------------------------------------------------------


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for name, value in fields.items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                   f"{value}\r\n".encode())
    for name, (filename, data) in files.items():
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                   f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                   .encode())
        body.write(data + b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Node:
    url: str
    slots: int = DEFAULT_SLOTS
    last_answer: float = field(default_factory=time.monotonic)

    def call(self, endpoint: str, *, query: dict[str, str] | None = None,
             form: list[tuple[str, str]] | None = None,
             files: dict[str, tuple[str, bytes]] | None = None) -> dict[str, Any]:
        """One API call; Scrapyd's ``status: error`` answers raise :class:`ScrapydError`."""
        url = f"{self.url}/{endpoint}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data, headers = None, {"Accept": "application/json"}
        if files is not None:
            data, headers["Content-Type"] = _multipart(dict(form or []), files)
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as answer:
                payload = json.loads(answer.read())
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ScrapydError(f"{url}: {getattr(exc, 'reason', exc)}") from exc
        if not isinstance(payload, dict) or payload.get("status") != "ok":
            message = payload.get("message") if isinstance(payload, dict) else payload
            raise ScrapydError(f"{url}: {message}")
        self.last_answer = time.monotonic()
        return payload

    def free_slots(self) -> int:
        status = self.call("daemonstatus.json")
        return self.slots - int(status.get("running", 0)) - int(status.get("pending", 0))


def parse_nodes(text: str, slots: int = DEFAULT_SLOTS) -> list[Node]:
    """``http://a:6800,b:6800`` → nodes (scheme defaults to http; no trailing slash)."""
    nodes = []
    for part in text.split(","):
        value = part.strip().rstrip("/")
        if not value:
            continue
        if "://" not in value:
            value = f"http://{value}"
        if not urllib.parse.urlsplit(value).netloc:
            raise ValueError(f"not a Scrapyd address: {part!r}")
        nodes.append(Node(value, slots))
    if not nodes:
        raise ValueError("--scrapyd needs at least one node address")
    return nodes


# -- planning ---------------------------------------------------------------------------------


def board_jobs(jobs: Sequence[CrawlJob], settings: dict[str, Any]) -> list[CrawlJob]:
    """One job per board, from the crawl's jobs (a platform job lists its sources)."""
    boards = {board.source: board for board in load_registry(settings)}
    out = []
    for job in jobs:
        for source in job.sources:
            board = boards.get(source)
            token = board.board if board else source.split(":", 1)[1]
            out.append(CrawlJob(spider=job.spider, boards=[token], sources=[source]))
    return out


def spread(jobs: Sequence[CrawlJob], free: Sequence[int]) -> list[int]:
    """The node (index into ``free``) of each job: always the one with the most free slots
    left, the first listed on a tie; a node with none left still queues jobs."""
    left = list(free)
    chosen = []
    for _ in jobs:
        best = max(range(len(left)), key=lambda i: (left[i], -i))
        chosen.append(best)
        left[best] -= 1
    return chosen


# -- the crawl --------------------------------------------------------------------------------


@dataclass
class Placed:
    job: CrawlJob
    node: Node
    job_id: str
    state: str = "pending"
    """pending, running, finished or vanished."""


def shared_registry(settings: dict[str, Any], data: Path, stamp: str) -> Path:
    """The registry the crawl uses, copied into the shared data folder for the nodes."""
    source = Path(settings.get(SOURCES_ENV) or os.environ.get(SOURCES_ENV) or DEFAULT_SOURCES)
    target = data / "scrapyd" / f"{stamp}-sources.toml"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def job_form(placed: Placed, version: str, api_base: str | None,
             settings: dict[str, Any]) -> list[tuple[str, str]]:
    form = [("project", PROJECT), ("spider", placed.job.spider), ("_version", version),
            ("jobid", placed.job_id), ("run_id", placed.job.run_id),
            ("board", ",".join(placed.job.boards))]
    if api_base:
        form.append(("api_base", api_base))
    form += [("setting", f"{name}={value}") for name, value in sorted(settings.items())]
    return form


def poll(placed: list[Placed], poll_seconds: float, echo: Callable[[str], Any]) -> None:
    """Until every job has finished or vanished."""
    while True:
        for node in {id(p.node): p.node for p in placed}.values():
            mine = [p for p in placed if p.node is node and p.state in ("pending", "running")]
            if not mine:
                continue
            try:
                jobs = node.call("listjobs.json", query={"project": PROJECT})
            except ScrapydError as exc:
                if time.monotonic() - node.last_answer > UNREACHABLE_SECONDS:
                    echo(f"{node.url}: no answer for {UNREACHABLE_SECONDS:.0f}s ({exc}); "
                         f"its {len(mine)} unfinished job(s) are lost")
                    for p in mine:
                        p.state = "vanished"
                continue
            states = {str(j["id"]): state for state in ("pending", "running", "finished")
                      for j in jobs.get(state, [])}
            for p in mine:
                p.state = states.get(p.job_id, "vanished")
        if all(p.state in ("finished", "vanished") for p in placed):
            return
        time.sleep(poll_seconds)


def record(placed: Placed, archive: Path, settings: dict[str, Any]) -> CrawlOutcome:
    """The run's outcome, writing the receipt the node did not."""
    job = placed.job
    stats = stats_path(archive, job.spider, job.run_id)
    feed = feed_path(archive, job.spider, job.run_id)
    if not stats.exists():
        has_items = feed.exists() and feed.stat().st_size > 0
        if placed.state == "vanished" and has_items:
            write_json_atomically(stats, interrupted_stats(feed))
        else:
            # 1: the job's process ended (or vanished) without writing its stats.
            write_crash_stats(archive, job, 1, settings)
    return CrawlOutcome(job, json.loads(stats.read_text(encoding="utf-8")))


def crawl_on_scrapyd(
    jobs: Sequence[CrawlJob], nodes: Sequence[Node], *, api_base: str | None,
    settings: dict[str, Any], root: Path, echo: Callable[[str], Any] = print,
    poll_seconds: float = POLL_SECONDS,
) -> list[CrawlOutcome]:
    """Run ``jobs`` (split into one job per board) on ``nodes``; every run recorded."""
    data = config.data_dir(settings)
    archive = config.archive_dir(settings)
    for feed in record_interrupted_runs(archive):
        echo(f"{feed.stem}: recorded as interrupted (an earlier crawler was killed)")
    per_board = board_jobs(jobs, settings)
    if not per_board:
        return []
    assign_run_ids(per_board, settings)
    stamp = config.make_run_id(config.now(settings), "scrapyd")
    node_settings = {k: v for k, v in settings.items() if k != SOURCES_ENV}
    node_settings["PEERJOBS_DATA_DIR"] = str(data)
    node_settings[SOURCES_ENV] = str(shared_registry(settings, data, stamp))
    egg = build_egg(root)
    version = egg_version(egg)
    for node in nodes:
        answer = node.call("addversion.json", form=[("project", PROJECT), ("version", version)],
                           files={"egg": (f"{PROJECT}-{version}.egg", egg)})
        echo(f"{node.url}: project {PROJECT} version {version}, {answer.get('spiders')} spider(s)")
    free = [node.free_slots() for node in nodes]
    placed = [Placed(job, nodes[i], uuid.uuid4().hex)
              for job, i in zip(per_board, spread(per_board, free), strict=True)]
    feeds = [feed_path(archive, p.job.spider, p.job.run_id) for p in placed]
    with holding_run_locks(feeds):
        for p in placed:
            try:
                p.node.call("schedule.json", form=job_form(p, version, api_base, node_settings))
            except ScrapydError as exc:
                echo(f"{p.job.sources[0]}: not scheduled on {p.node.url}: {exc}")
                p.state = "vanished"
            else:
                logger.info("%s: job %s on %s (run %s)", p.job.sources[0], p.job_id,
                            p.node.url, p.job.run_id)
        counts = {node.url: sum(p.node is node for p in placed) for node in nodes}
        echo("scheduled " + ", ".join(f"{n} on {url}" for url, n in counts.items()))
        with watch_crawl(per_board, archive):
            poll(placed, poll_seconds, echo)
    return [record(p, archive, settings) for p in placed]


def crawl_with_scrapyd(wanted: Sequence[str], nodes: str, *, slots: int, api_base: str | None,
                       settings: dict[str, Any], echo: Callable[[str], Any] = print,
                       poll_seconds: float = POLL_SECONDS) -> list[CrawlOutcome]:
    """``peerjobs crawl --scrapyd``: the same sources a local crawl would take, on ``nodes``."""
    from crawlers.crawl import available_spiders, plan_jobs

    jobs = plan_jobs(wanted, load_registry(settings), available_spiders())
    return crawl_on_scrapyd(jobs, parse_nodes(nodes, slots), api_base=api_base,
                            settings=settings, root=Path(__file__).resolve().parent.parent,
                            echo=echo, poll_seconds=poll_seconds)
