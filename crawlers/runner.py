"""Running spiders as one crawl: every selected spider in one Scrapy process, each with its own
run id, feed, stats file and log, so one broken board or platform cannot sink the others.

``peerjobs crawl`` starts ``python -m crawlers.runner`` as a child process and reads the stats
files afterwards; a spider whose stats file is missing (the child died) gets a "crashed" stats
file written for it, so the build records the failure instead of silently skipping it.

A job may carry its own ``api_base`` and setting overrides (``PEERJOBS_NOW`` above all): the
demo runs every week of its corpus as jobs of one crawl, each week's runs with that week's
clock and replay server, so Python, Scrapy and the browser start once, not once a week. The
jobs of one spider run one after another in the order given (a spider may read its earlier
runs); different spiders run side by side, in one process or spread over several
(``processes``). A job that cannot even start (an unknown spider, a spider whose constructor
fails) is logged and skipped; the others run, and the skipped one is recorded as crashed like
a job whose process died.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Collection, Generator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crawlers import config
from crawlers.interrupted import holding_run_locks
from crawlers.runfiles import STATS_FORMAT, feed_path, stats_path, write_json_atomically

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
# A job's own settings outrank the crawl's (Scrapy's "cmdline", 40): CrawlerProcess.crawl
# merges the crawl's settings into each crawler, and equal priorities would let them win.
JOB_PRIORITY = 50
PARENT_ENV = "PEERJOBS_CRAWL_PARENT"


@dataclass
class CrawlJob:
    spider: str
    boards: list[str] = field(default_factory=list)
    """Board tokens to crawl; empty means every enabled board of the platform."""
    sources: list[str] = field(default_factory=list)
    """The registry sources this job is expected to cover (for crash reports)."""
    run_id: str = ""
    api_base: str | None = None
    """This job's mirror; None takes the crawl's ``api_base``."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Setting overrides for this job alone, over the crawl's (e.g. its own ``PEERJOBS_NOW``)."""


@dataclass
class CrawlOutcome:
    job: CrawlJob
    stats: dict[str, Any]

    @property
    def boards(self) -> dict[str, dict[str, Any]]:
        boards = self.stats.get("boards")
        return boards if isinstance(boards, dict) else {}


def assign_run_ids(jobs: Sequence[CrawlJob], settings: dict[str, Any]) -> None:
    used: set[str] = set()
    for job in jobs:
        base = config.make_run_id(config.now({**settings, **job.settings}), job.spider)
        run_id, n = base, 1
        while run_id in used:
            n += 1
            run_id = f"{base}-{n}"
        used.add(run_id)
        job.run_id = run_id


def run_in_child(
    jobs: Sequence[CrawlJob],
    *,
    api_base: str | None,
    settings: dict[str, Any],
    log_file: Path | None = None,
    cwd: Path | None = None,
    processes: int = 1,
    alone: Collection[str] = (),
) -> list[CrawlOutcome]:
    """Run the jobs in child processes and return every job's stats (crash stats if needed).

    With ``processes`` > 1 the spiders are spread over that many crawler processes (each
    spider's jobs stay together, in order), and the spiders named in ``alone`` get a process
    of their own on top; a process that dies fails only its own jobs."""
    assign_run_ids(jobs, settings)
    env = dict(os.environ)
    env[config.DATA_DIR_ENV] = str(config.data_dir(settings))
    env.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    env[PARENT_ENV] = str(os.getpid())
    groups = spread_over_processes(jobs, processes, alone=alone)
    returncodes: dict[str, int] = {}
    log = log_file.open("ab") if log_file else None
    try:
        children = []
        for group in groups:
            child = subprocess.Popen(
                [sys.executable, "-m", "crawlers.runner"],
                stdin=subprocess.PIPE,
                stdout=log or subprocess.DEVNULL,
                stderr=subprocess.STDOUT if log else None,
                env=env,
                cwd=cwd,
                preexec_fn=_die_with_parent,
            )
            children.append((child, group))
        for child, group in children:
            spec = {"jobs": [asdict(j) for j in group], "api_base": api_base, "settings": settings}
            assert child.stdin is not None
            try:
                child.stdin.write(json.dumps(spec).encode())
                child.stdin.close()
            except BrokenPipeError:
                pass  # it died at start: its jobs get crash stats below
        for child, group in children:
            code = child.wait()
            returncodes.update((job.run_id, code) for job in group)
    finally:
        if log:
            log.close()
    archive = config.archive_dir(settings)
    outcomes = []
    for job in jobs:
        path = stats_path(archive, job.spider, job.run_id)
        if not path.exists():
            write_crash_stats(archive, job, returncodes[job.run_id], {**settings, **job.settings})
        outcomes.append(CrawlOutcome(job, json.loads(path.read_text(encoding="utf-8"))))
    return outcomes


def spread_over_processes(jobs: Sequence[CrawlJob], processes: int, *,
                          alone: Collection[str] = ()) -> list[list[CrawlJob]]:
    """Jobs grouped for crawler processes: all jobs of a spider in one group, in their order
    (a spider may read its earlier runs). Each spider named in ``alone`` is a group of its own
    (a browser's page round trips wait behind every other spider's work in a busy process);
    the others, heaviest first (most sources), go to whichever of ``processes`` groups has the
    fewest sources so far. No empty groups."""
    chains: dict[str, list[CrawlJob]] = {}
    for job in jobs:
        chains.setdefault(job.spider, []).append(job)

    def weight(chain: list[CrawlJob]) -> int:
        return sum(max(1, len(job.sources)) for job in chain)

    own = [chain for spider, chain in chains.items() if spider in alone]
    shared = [chain for spider, chain in chains.items() if spider not in alone]
    groups: list[list[CrawlJob]] = [[] for _ in range(max(1, min(processes, len(shared))))]
    loads = [0] * len(groups)
    for chain in sorted(shared, key=weight, reverse=True):
        lightest = loads.index(min(loads))
        groups[lightest].extend(chain)
        loads[lightest] += weight(chain)
    return [group for group in [*own, *groups] if group]


def _die_with_parent() -> None:
    """In the forked child, before exec: be killed when the parent dies, however it dies.

    SIGKILL, not SIGTERM: Scrapy's graceful stop waits for every request in flight, up to the
    download timeout, so an orphan would linger. The run's feed is left without a stats file,
    and the next crawl or build records it as interrupted (crawlers/interrupted.py)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:  # not Linux: the feed is still recorded as interrupted afterwards
        return
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def write_crash_stats(archive: Path, job: CrawlJob, returncode: int,
                      settings: dict[str, Any]) -> None:
    moment = config.iso(config.now(settings))
    reason = f"crashed (crawler process exit code {returncode})"
    boards = {source: {"status": "failed", "items": 0, "requests": 0, "listing_pages": 0,
                       "incomplete": 1, "problems": {"crashed": 1}, "http_status": {}}
              for source in job.sources}
    feed = feed_path(archive, job.spider, job.run_id)
    feed.parent.mkdir(parents=True, exist_ok=True)
    if not feed.exists():
        feed.touch()
    write_json_atomically(stats_path(archive, job.spider, job.run_id), {
        "format": STATS_FORMAT, "run_id": job.run_id, "spider": job.spider,
        "platform": job.spider, "started_at": moment, "finished_at": moment,
        "finish_reason": reason, "boards": boards, "stats": {},
    })


def _child_main() -> None:
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings
    from twisted.internet.defer import Deferred, inlineCallbacks

    spec = json.loads(sys.stdin.read())
    settings = get_project_settings()
    for name, value in (spec.get("settings") or {}).items():
        settings.set(name, value, priority="cmdline")
    if os.getppid() != int(os.environ.get(PARENT_ENV, os.getppid())):
        return  # the parent died before this process could ask to die with it
    process = CrawlerProcess(settings)
    archive = config.archive_dir(spec.get("settings") or {})
    feeds = [feed_path(archive, job["spider"], job["run_id"]) for job in spec["jobs"]]
    not_started: list[str] = []

    def start(job: dict[str, Any]) -> Deferred[None]:
        kwargs: dict[str, Any] = {"run_id": job["run_id"]}
        if job.get("boards"):
            kwargs["board"] = ",".join(job["boards"])
        api_base = job.get("api_base") or spec.get("api_base")
        if api_base:
            kwargs["api_base"] = api_base
        crawler = process.create_crawler(job["spider"])
        for name, value in (job.get("settings") or {}).items():
            crawler.settings.set(name, value, priority=JOB_PRIORITY)
        return process.crawl(crawler, **kwargs)

    @inlineCallbacks
    def one_after_another(jobs: list[dict[str, Any]]) -> Generator[Deferred[Any], Any, None]:
        # A spider may read its earlier runs (usajobs_historic's backfill receipts), so runs
        # of one spider follow each other like nights; different spiders run side by side.
        for job in jobs:
            try:
                yield start(job)
            except Exception:
                not_started.append(job["run_id"])
                logger.exception("run %s (spider %s) could not start; the other runs go on",
                                 job["run_id"], job["spider"])

    chains: dict[str, list[dict[str, Any]]] = {}
    for job in spec["jobs"]:
        chains.setdefault(job["spider"], []).append(job)
    with holding_run_locks(feeds):
        for jobs in chains.values():
            one_after_another(jobs)
        process.start()
    if not_started:
        sys.exit(1)


if __name__ == "__main__":
    _child_main()
