"""Planning and reporting a crawl: which spiders run for which boards, and how each source did."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import click

from crawlers import config
from crawlers.interrupted import record_interrupted_runs
from crawlers.progress import watch_crawl
from crawlers.registry import Board, load_registry
from crawlers.runner import CrawlJob, CrawlOutcome, run_in_child


def available_spiders() -> set[str]:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    return set(SpiderLoader.from_settings(get_project_settings()).list())


def plan_jobs(
    wanted: Sequence[str], boards: Sequence[Board], spiders: set[str]
) -> list[CrawlJob]:
    """One job per platform. A platform name takes all its enabled boards; a source key or a
    board token takes just that board (enabled or not: naming it is the operator's choice)."""
    whole: dict[str, list[Board]] = {}
    picked: dict[str, list[Board]] = {}
    if not wanted:
        for board in boards:
            if board.enabled and board.platform in spiders:
                whole.setdefault(board.platform, []).append(board)
    for name in wanted:
        if name in spiders:
            whole[name] = [b for b in boards if b.platform == name and b.enabled]
            continue
        matches = [b for b in boards if name in (b.source, b.board, b.key)]
        if not matches and ":" in name and name.split(":", 1)[0] in spiders:
            platform, token = name.split(":", 1)
            matches = [Board(platform=platform, board=token, key=token)]
        if not matches:
            raise ValueError(f"unknown source {name!r}: give a platform ({', '.join(sorted(spiders))}),"
                             " a source key such as greenhouse:talkspace, or a board token")
        for board in matches:
            if board.platform not in spiders:
                raise ValueError(f"{board.source}: no spider for platform {board.platform!r} yet")
            picked.setdefault(board.platform, []).append(board)
    jobs = [CrawlJob(spider=p, sources=[b.source for b in bs]) for p, bs in sorted(whole.items())]
    for platform, chosen in sorted(picked.items()):
        if platform in whole:
            continue
        jobs.append(CrawlJob(spider=platform, boards=[b.board for b in chosen],
                             sources=[b.source for b in chosen]))
    return jobs


def crawl_sources(
    wanted: Sequence[str], *, api_base: str | None, settings: dict[str, Any]
) -> list[CrawlOutcome]:
    jobs = plan_jobs(wanted, load_registry(settings), available_spiders())
    return run_jobs(jobs, api_base=api_base, settings=settings)


def run_jobs(
    jobs: Sequence[CrawlJob], *, api_base: str | None, settings: dict[str, Any],
    processes: int = 1, alone: Collection[str] = (),
) -> list[CrawlOutcome]:
    """Record runs an earlier crawler left behind, then run ``jobs`` in crawler processes
    (see :func:`crawlers.runner.run_in_child`), logging to ``logs/<time>-crawl.log``."""
    if not jobs:
        return []
    logs = config.data_dir(settings) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stamp = config.make_run_id(config.now(settings), "crawl")
    for feed in record_interrupted_runs(config.archive_dir(settings)):
        click.echo(f"{feed.stem}: recorded as interrupted (an earlier crawler was killed)")
    with watch_crawl(jobs, config.archive_dir(settings)):
        return run_in_child(jobs, api_base=api_base, settings=settings,
                            log_file=logs / f"{stamp}.log", processes=processes, alone=alone)


def print_summary(outcomes: Sequence[CrawlOutcome], *, strict: bool) -> int:
    """One line per source; exit code 1 when no source was read (or any failed, with ``strict``)."""
    if not outcomes:
        click.echo("nothing to crawl: no enabled boards for the requested sources")
        return 1
    statuses: list[str] = []
    for outcome in outcomes:
        reason = outcome.stats.get("finish_reason")
        boards = outcome.boards
        if not boards:
            click.echo(f"{outcome.job.spider}: no boards crawled ({reason})")
            statuses.append("failed")
        for source, board in sorted(boards.items()):
            status = board.get("status", "failed")
            statuses.append(status)
            problems = board.get("problems") or {}
            detail = ", ".join(f"{k} {v}" for k, v in sorted(problems.items()))
            line = f"{status:9} {source}: {board.get('items', 0)} item(s)"
            if board.get("skipped"):
                line += f"; skipped: {board['skipped']}"
            if detail:
                line += f"; problems: {detail}"
            click.echo(line, err=status in ("failed", "partial"))
    failed = sum(1 for s in statuses if s == "failed")
    click.echo(f"{len(statuses)} source(s): {statuses.count('complete')} complete, "
               f"{statuses.count('partial')} partial, {failed} failed, "
               f"{statuses.count('skipped')} skipped")
    read = statuses.count("complete") + statuses.count("partial")
    if read == 0 or (strict and failed):
        return 1
    return 0


def print_sources() -> None:
    from db.queries import last_runs

    runs = last_runs(config.database_path())
    spiders = available_spiders()
    for board in load_registry():
        state = "enabled " if board.enabled else "disabled"
        if board.platform not in spiders:
            state = "no spider"
        last = runs.get(board.source)
        seen = (f"last run {last['started_at']}: {last['status']}, {last['items']} item(s)"
                if last else "never run")
        click.echo(f"{state:9} {board.source:60} {board.state or '--':2}  {seen}")
