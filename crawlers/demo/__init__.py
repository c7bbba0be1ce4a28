"""``peerjobs demo``: the whole pipeline, offline, on the bundled sample corpus.

Each week of the sample corpus is rendered in every platform's real format, served by the
replay server, and crawled by the real spiders through ``api_base`` with the run clock set to
that week; then the database is built from the archive as in real use.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, time
from pathlib import Path
from types import ModuleType
from typing import Any

from crawlers.demo.corpus import SAMPLE_NOTE, Corpus, SampleEmployer, build_corpus
from crawlers.demo.platforms import demo_platforms
from crawlers.demo.site import ReplaySite
from crawlers.runner import CrawlJob

LOCAL_CRAWL_SETTINGS: dict[str, Any] = {
    # The replay server is on this machine: no need to be gentle with it.
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 1,
    "PEERJOBS_RETRY_BACKOFF_BASE": 0,
    "DOWNLOAD_TIMEOUT": 20,
}
# Crawler processes the demo's spiders are spread over: one per core, with the replay servers
# and chromium beside them.
DEMO_PROCESSES = int(os.environ.get("PEERJOBS_DEMO_PROCESSES", min(2, os.cpu_count() or 1)))
DEMO_ALONE = tuple(os.environ.get("PEERJOBS_DEMO_ALONE", "rendered").split(","))
# The sample USAJOBS mirror needs no real key; the spider still sends the headers it would.
DEMO_CRAWL_SETTINGS: dict[str, Any] = {
    **LOCAL_CRAWL_SETTINGS,
    "USAJOBS_API_KEY": "sample-demo-key",
    "USAJOBS_EMAIL": "demo@peerjobs.example",
}


def assign_platforms(corpus: Corpus, platforms: list[ModuleType]) -> dict[int, ModuleType]:
    return {e.index: platforms[e.index % len(platforms)] for e in corpus.employers}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def registry_text(corpus: Corpus, assignment: dict[int, ModuleType]) -> str:
    lines = [f"# {SAMPLE_NOTE}", "# The demo's source registry: one sample board per employer.", ""]
    for employer in corpus.employers:
        module = assignment[employer.index]
        entry: dict[str, Any] = {
            "platform": module.PLATFORM,
            **module.board_entry(employer),
            "employer": employer.name,
            "state": employer.state,
            "org_type": employer.org_type,
            "enabled": True,
            "terms": "sample data served locally by the demo",
            "robots": "served by the replay server (allow all)",
        }
        lines.append("[[boards]]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in entry.items())
        lines.append("")
    return "\n".join(lines)


def render_week(root: Path, corpus: Corpus, assignment: dict[int, ModuleType], week: int) -> Path:
    site = ReplaySite(root / f"week-{week + 1:02d}")
    when = corpus.snapshot_date(week)
    active = corpus.snapshot(week)
    by_employer: dict[int, list[Any]] = {}
    for posting in active:
        by_employer.setdefault(posting.employer.index, []).append(posting)
    employer: SampleEmployer
    for employer in corpus.employers:
        assignment[employer.index].render(site, employer, by_employer.get(employer.index, []), when)
    site.finish()
    return site.root


def run_demo(folder: Path, *, weeks: int = 8, echo: Callable[[str], Any] = print) -> Path:
    """Build ``folder/peerjobs.db`` from a fresh sample corpus; returns the database path.

    Every week is rendered and served by its own replay server, then one crawler process runs
    every week's jobs at once, each week's runs with that week's clock and server: the weeks
    are independent snapshots (the database is built only afterwards), and Python, Scrapy and
    chromium start once instead of once a week. Each run keeps its own feed, stats and status."""
    from crawlers.crawl import plan_jobs, run_jobs
    from crawlers.registry import load_registry
    from crawlers.replay import ReplayServer
    from db.exports import SAMPLE_MARKER
    from db.pipeline import build_database

    if folder.exists():
        shutil.rmtree(folder)
    corpus_dir = folder / "corpus"
    corpus_dir.mkdir(parents=True)
    corpus = build_corpus(weeks=weeks)
    platforms = demo_platforms()
    assignment = assign_platforms(corpus, platforms)
    registry = corpus_dir / "sources.toml"
    registry.write_text(registry_text(corpus, assignment), encoding="utf-8")
    echo(f"sample corpus: {len(corpus.employers)} employers, {len(corpus.postings)} postings, "
         f"{weeks} weekly snapshots, platforms: {', '.join(m.PLATFORM for m in platforms)}")
    settings = {**DEMO_CRAWL_SETTINGS, "PEERJOBS_DATA_DIR": str(folder),
                "PEERJOBS_SOURCES": str(registry)}
    boards = load_registry(settings)
    # Every demo platform has its spider; a spider that cannot load fails its own runs only.
    spiders = {module.PLATFORM for module in platforms}
    moments = [datetime.combine(corpus.snapshot_date(week), time(3, 0), tzinfo=UTC)
               for week in range(weeks)]
    weekly: list[list[CrawlJob]] = []
    with ExitStack() as servers:
        for week, moment in enumerate(moments):
            root = render_week(corpus_dir, corpus, assignment, week)
            server = servers.enter_context(ReplayServer(root))
            jobs = plan_jobs((), boards, spiders)
            for job in jobs:
                job.api_base = server.url
                job.settings = {"PEERJOBS_NOW": moment.isoformat()}
            weekly.append(jobs)
        outcomes = run_jobs([job for jobs in weekly for job in jobs], api_base=None,
                            settings={**settings, "PEERJOBS_NOW": moments[0].isoformat()},
                            processes=DEMO_PROCESSES, alone=DEMO_ALONE)
    by_run = {outcome.job.run_id: outcome for outcome in outcomes}
    for week, (moment, jobs) in enumerate(zip(moments, weekly, strict=True)):
        runs = [by_run[job.run_id].boards.values() for job in jobs]
        items = sum(b.get("items", 0) for boards_of_run in runs for b in boards_of_run)
        statuses = [b.get("status") for boards_of_run in runs for b in boards_of_run]
        echo(f"week {week + 1}/{weeks} ({moment.date()}): {items} postings from "
             f"{len(statuses)} boards, {statuses.count('complete')} complete")
    report = build_database(folder)
    echo(report.summary())
    # Marks the folder as sample data for `peerjobs serve` and `peerjobs export` (db/exports.py).
    (folder / SAMPLE_MARKER).write_text(SAMPLE_NOTE + "\n", encoding="utf-8")
    return folder / "peerjobs.db"


def demo_metadata(base: Path, target: Path) -> Path:
    """The project's Datasette metadata, relabeled so every page says it shows sample data:
    the title, the description, and ``peerjobs_site: sample_data``, which the site's plugins
    turn into a banner on every page, a label on every chart and a header on every download."""
    import yaml

    metadata = yaml.safe_load(base.read_text(encoding="utf-8"))
    metadata["title"] = f"SAMPLE DATA: {metadata.get('title', 'peerjobs')}"
    metadata["description_html"] = (
        f"<p><strong>{SAMPLE_NOTE}</strong> This database was built by <code>peerjobs demo</code> "
        "from a generated corpus served locally; employers, postings and figures are fictional."
        "</p>" + str(metadata.get("description_html", ""))
    )
    plugins = metadata.setdefault("plugins", {})
    plugins.setdefault("peerjobs_site", {})["sample_data"] = SAMPLE_NOTE
    target.write_text(yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True),
                      encoding="utf-8")
    return target


def served_metadata(database: Path, base: Path) -> Path | None:
    """For a demo database (``SAMPLE_DATA.txt`` beside it), the sample-labelled metadata,
    written afresh from ``base`` next to it; None for a real build, served with ``base``."""
    from db.exports import sample_note

    if sample_note(database) is None:
        return None
    return demo_metadata(base, database.parent / "metadata.yml")
