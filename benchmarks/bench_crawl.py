"""Crawl benchmark: the project's Greenhouse spider against a bare Scrapy spider, same replay.

    .venv/bin/python benchmarks/bench_crawl.py                  # 1,500 postings, 3 rounds
    .venv/bin/python benchmarks/bench_crawl.py --rounds 5 --postings 3000
    .venv/bin/python benchmarks/bench_crawl.py --profile benchmarks/out/crawl.prof

A Greenhouse replay in the recorded format (the demo's renderer, crawlers/demo/platforms/
greenhouse.py: one list call per board with every job's content, one detail call per job with
its pay ranges) of ``--postings`` postings on boards of 100 is served by crawlers/replay.py on
127.0.0.1 from this process. Each crawl runs in a fresh child process, alternating:

- **project**: the real ``greenhouse`` spider with the project's settings, middlewares
  (robots.txt, retries, the api_base handler), pipelines, run stats and JSON-lines feed, made
  local as the demo makes it (no delay, no AutoThrottle, 32 requests at once, 8 per host).
- **bare**: a ``scrapy.Spider`` that requests the same list and detail URLs and yields each
  detail as a dict: Scrapy's default settings with the same concurrency, no delay, the same
  reactor and log level, no pipelines, no feed.
- **bare, tuned**: the bare spider with the Scrapy settings the project changes for speed
  (``CONCURRENT_ITEMS = 1``, ``WARN_ON_GENERATOR_RETURN_VALUE = False`` and ``STATS_CLASS``, the
  stats collector without its deprecation shim; crawlers/settings.py), so the project's own
  cost is visible apart from Scrapy's.

CPU time is ``time.process_time()`` in the crawling process from ``engine_started`` to
``engine_stopped`` (imports and start-up excluded), divided by the items the crawl yielded.
Printed: the machine's CPU speed (bench_history.py's line), each round's figures, the medians,
and the project's ratio to the bare spider measured in the same run. ``--profile FILE`` adds
one profiled project crawl (cProfile) for finding the project's extra cost.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

BOARD_SIZE = 100
GREENHOUSE_HOST = "boards-api.greenhouse.io"
KINDS = ("project", "bare", "bare-tuned")
# The settings both spiders share so that only the project's own machinery differs.
LOCAL = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 32,
         "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "LOG_LEVEL": "INFO",
         "TELNETCONSOLE_ENABLED": False,
         "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor"}
TUNED = {"CONCURRENT_ITEMS": 1, "WARN_ON_GENERATOR_RETURN_VALUE": False,
         "STATS_CLASS": "crawlers.runstats.PlainStatsCollector"}


def write_replay(folder: Path, postings: int) -> list[str]:
    """A Greenhouse replay of ``postings`` postings on boards of BOARD_SIZE; the board tokens."""
    from crawlers.demo.corpus import build_corpus
    from crawlers.demo.platforms import greenhouse
    from crawlers.demo.site import ReplaySite

    corpus = build_corpus()
    source = corpus.postings
    site = ReplaySite(folder)
    tokens = []
    for board in range((postings + BOARD_SIZE - 1) // BOARD_SIZE):
        employer = dataclasses.replace(corpus.employers[board % len(corpus.employers)],
                                       slug=f"bench-board-{board:03d}")
        count = min(BOARD_SIZE, postings - board * BOARD_SIZE)
        jobs = [dataclasses.replace(source[(board * BOARD_SIZE + i) % len(source)],
                                    uid=board * BOARD_SIZE + i + 1, employer=employer)
                for i in range(count)]
        greenhouse.render(site, employer, jobs, date(2026, 11, 16))
        tokens.append(greenhouse.token(employer))
    site.finish()
    return tokens


class CrawlCpu:
    """CPU seconds between the crawler's engine start and stop (signals hold receivers weakly:
    keep this object referenced for the crawl)."""

    def __init__(self, crawler: Any) -> None:
        from scrapy import signals

        self.start = self.stop = 0.0
        crawler.signals.connect(self.started, signal=signals.engine_started)
        crawler.signals.connect(self.stopped, signal=signals.engine_stopped)

    def started(self) -> None:
        self.start = time.process_time()

    def stopped(self) -> None:
        self.stop = time.process_time()


def child(kind: str, api_base: str, tokens: list[str], data: Path, profile: str | None) -> None:
    """Run one crawl in this process and print its CPU seconds and items as JSON."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    if kind == "project":
        from scrapy.utils.project import get_project_settings

        os.environ["SCRAPY_SETTINGS_MODULE"] = "crawlers.settings"
        settings = get_project_settings()
        for name, value in {**LOCAL, "PEERJOBS_DATA_DIR": str(data), "RETRY_TIMES": 1,
                            "PEERJOBS_RETRY_BACKOFF_BASE": 0}.items():
            settings.set(name, value, priority="cmdline")
        process = CrawlerProcess(settings)
        crawler = process.create_crawler("greenhouse")
        kwargs: dict[str, Any] = {"board": ",".join(tokens), "api_base": api_base,
                                  "run_id": "bench"}
    else:
        class BareSpider(scrapy.Spider):
            name = "bare"

            async def start(self) -> Any:
                for token in tokens:
                    yield scrapy.Request(f"{api_base}/v1/boards/{token}/jobs?content=true",
                                         headers={"X-Peerjobs-Original-Host": GREENHOUSE_HOST},
                                         cb_kwargs={"token": token})

            def parse(self, response: Any, token: str) -> Any:
                for job in response.json()["jobs"]:
                    yield response.follow(
                        f"/v1/boards/{token}/jobs/{job['id']}?pay_transparency=true",
                        headers={"X-Peerjobs-Original-Host": GREENHOUSE_HOST},
                        callback=self.parse_detail)

            def parse_detail(self, response: Any) -> Any:
                yield response.json()

        process = CrawlerProcess({**LOCAL, **(TUNED if kind == "bare-tuned" else {})})
        crawler = process.create_crawler(BareSpider)
        kwargs = {}
    cpu = CrawlCpu(crawler)
    process.crawl(crawler, **kwargs)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    process.start()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    items = crawler.stats.get_value("item_scraped_count", 0)
    print(json.dumps({"cpu": cpu.stop - cpu.start, "items": items}))


def run_child(kind: str, api_base: str, tokens: list[str], profile: str | None = None,
              ) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as data:
        spec = json.dumps({"kind": kind, "api_base": api_base, "tokens": tokens,
                           "data": data, "profile": profile})
        done = subprocess.run([sys.executable, __file__, "--child", spec], cwd=ROOT,
                              capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{kind} crawl failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--postings", type=int, default=1_500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", help="also write a cProfile of one project crawl here")
    parser.add_argument("--no-cpu-speed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        child(spec["kind"], spec["api_base"], spec["tokens"], Path(spec["data"]),
              spec["profile"])
        return

    from crawlers.replay import ReplayServer

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    if not args.no_cpu_speed:
        from bench_history import cpu_speed

        print(cpu_speed(), flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-crawl-replay-") as folder:
        tokens = write_replay(Path(folder), args.postings)
        per_item: dict[str, list[float]] = {kind: [] for kind in KINDS}
        with ReplayServer(folder) as server:
            for round_ in range(1, args.rounds + 1):
                line = []
                for kind in KINDS:
                    result = run_child(kind, server.url, tokens)
                    if result["items"] != args.postings:
                        raise SystemExit(f"{kind} crawl yielded {result['items']} items, "
                                         f"expected {args.postings}")
                    per_item[kind].append(result["cpu"] / result["items"] * 1000)
                    line.append(f"{kind} {per_item[kind][-1]:.2f} ms")
                print(f"round {round_}: " + ", ".join(line) + " CPU per item", flush=True)
            if args.profile:
                Path(args.profile).parent.mkdir(parents=True, exist_ok=True)
                run_child("project", server.url, tokens, profile=str(Path(args.profile).resolve()))
                print(f"profile of a project crawl: {args.profile}")
    median = {kind: statistics.median(values) for kind, values in per_item.items()}
    print(f"Greenhouse list + detail, {args.postings:,} postings on {len(tokens)} boards, "
          f"median of {args.rounds} interleaved rounds, CPU per item in the crawling process:")
    print(f"  project spider {median['project']:.2f} ms; bare Scrapy spider "
          f"{median['bare']:.2f} ms (baseline); ratio {median['project'] / median['bare']:.2f}")
    print(f"  bare spider with the project's Scrapy speed settings {median['bare-tuned']:.2f}"
          f" ms; the project's ratio to it {median['project'] / median['bare-tuned']:.2f}")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
