"""Running spiders as one crawl: every selected spider in one Scrapy process, each with its own
run id, feed, stats file and log, so one broken board or platform cannot sink the others.

``peerjobs crawl`` starts ``python -m crawlers.runner`` as a child process and reads the stats
files afterwards; a spider whose stats file is missing (the child died) gets a "crashed" stats
file written for it, so the build records the failure instead of silently skipping it.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from crawlers import config
from crawlers.interrupted import holding_run_locks
from crawlers.runfiles import STATS_FORMAT, feed_path, stats_path, write_json_atomically

PR_SET_PDEATHSIG = 1
PARENT_ENV = "PEERJOBS_CRAWL_PARENT"


@dataclass
class CrawlJob:
    spider: str
    boards: list[str] = field(default_factory=list)
    """Board tokens to crawl; empty means every enabled board of the platform."""
    sources: list[str] = field(default_factory=list)
    """The registry sources this job is expected to cover (for crash reports)."""
    run_id: str = ""


@dataclass
class CrawlOutcome:
    job: CrawlJob
    stats: dict[str, Any]

    @property
    def boards(self) -> dict[str, dict[str, Any]]:
        boards = self.stats.get("boards")
        return boards if isinstance(boards, dict) else {}


def assign_run_ids(jobs: Sequence[CrawlJob], settings: dict[str, Any]) -> None:
    moment = config.now(settings)
    used: set[str] = set()
    for job in jobs:
        base = config.make_run_id(moment, job.spider)
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
) -> list[CrawlOutcome]:
    """Run the jobs in a child process and return every job's stats (crash stats if needed)."""
    assign_run_ids(jobs, settings)
    spec = {"jobs": [asdict(j) for j in jobs], "api_base": api_base, "settings": settings}
    env = dict(os.environ)
    env[config.DATA_DIR_ENV] = str(config.data_dir(settings))
    env.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")
    env[PARENT_ENV] = str(os.getpid())
    log = log_file.open("ab") if log_file else None
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "crawlers.runner"],
            input=json.dumps(spec).encode(),
            stdout=log or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if log else None,
            env=env,
            cwd=cwd,
            check=False,
            preexec_fn=_die_with_parent,
        )
    finally:
        if log:
            log.close()
    archive = config.archive_dir(settings)
    outcomes = []
    for job in jobs:
        path = stats_path(archive, job.spider, job.run_id)
        if not path.exists():
            write_crash_stats(archive, job, completed.returncode, settings)
        outcomes.append(CrawlOutcome(job, json.loads(path.read_text(encoding="utf-8"))))
    return outcomes


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

    spec = json.loads(sys.stdin.read())
    settings = get_project_settings()
    for name, value in (spec.get("settings") or {}).items():
        settings.set(name, value, priority="cmdline")
    if os.getppid() != int(os.environ.get(PARENT_ENV, os.getppid())):
        return  # the parent died before this process could ask to die with it
    process = CrawlerProcess(settings)
    archive = config.archive_dir(spec.get("settings") or {})
    feeds = [feed_path(archive, job["spider"], job["run_id"]) for job in spec["jobs"]]
    for job in spec["jobs"]:
        kwargs: dict[str, Any] = {"run_id": job["run_id"]}
        if job.get("boards"):
            kwargs["board"] = ",".join(job["boards"])
        if spec.get("api_base"):
            kwargs["api_base"] = spec["api_base"]
        process.crawl(job["spider"], **kwargs)
    with holding_run_locks(feeds):
        process.start()


if __name__ == "__main__":
    _child_main()
