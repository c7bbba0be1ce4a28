"""Progress a person can follow: on a terminal, ``crawl``, ``build``, ``rebuild``, ``export`` and
``nightly`` draw bars with counts and an estimate of the time left (``rich``).

The code doing the work reports through the module functions (:func:`update`, :func:`note`,
:func:`watch_crawl`); they do nothing unless the command line installed a display with
:func:`showing`, which it does only when stderr is a terminal. Anywhere else (cron, systemd,
CI, a pipe, tests) the output stays exactly as it was: one plain line per step. The bars go to
stderr, so what a command prints on stdout (export's JSON) is never mixed with them.
``TTY_COMPATIBLE=1`` and ``TTY_INTERACTIVE=1`` make rich treat any stderr as a terminal.

No Scrapy and no database here: the crawler, db/ and the command line all import it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from crawlers.runfiles import stats_path

POLL_SECONDS = 0.5
"""How often a crawl's receipts are looked for."""


class Display(Protocol):
    def update(self, step: str, done: int, total: int | None) -> None: ...

    def note(self, text: str) -> None: ...


_display: Display | None = None


def active() -> bool:
    return _display is not None


def update(step: str, done: int, total: int | None = None) -> None:
    """``done`` of ``total`` for ``step`` (e.g. "runs loaded", 3, 12)."""
    if _display is not None:
        _display.update(step, done, total)


def note(text: str) -> None:
    """A line above the bars (a finished phase); nothing when no display is installed."""
    if _display is not None:
        _display.note(text)


class RichDisplay:
    """One bar per step: description, bar, done/total, elapsed and estimated time left."""

    def __init__(self, console: Any) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
            console=console, transient=False, refresh_per_second=4)
        self.tasks: dict[str, Any] = {}
        self.lock = threading.Lock()

    def update(self, step: str, done: int, total: int | None) -> None:
        with self.lock:
            if step not in self.tasks:
                self.tasks[step] = self.progress.add_task(step, total=total)
            self.progress.update(self.tasks[step], completed=done, total=total)

    def note(self, text: str) -> None:
        self.progress.console.print(text, highlight=False)


@contextmanager
def showing(console: Any = None) -> Iterator[bool]:
    """Install a rich display for the duration when ``console`` (default: rich's console on
    stderr) is a terminal; yields whether it did."""
    global _display
    from rich.console import Console

    console = console or Console(stderr=True)
    if not console.is_terminal or _display is not None:
        yield False
        return
    display = RichDisplay(console)
    _display = display
    try:
        with display.progress:
            yield True
    finally:
        _display = None


def crawl_done(jobs: Sequence[Any], archive: Path) -> tuple[int, int]:
    """(sources done, sources in all): a job's sources are done once its receipt exists."""
    total = done = 0
    for job in jobs:
        size = max(1, len(job.sources))
        total += size
        if job.run_id and stats_path(archive, job.spider, job.run_id).exists():
            done += size
    return done, total


@contextmanager
def watch_crawl(jobs: Sequence[Any], archive: Path) -> Iterator[None]:
    """While the crawler process runs ``jobs`` (``spider``, ``sources``, ``run_id`` once
    assigned), count their sources done as their runs' stats files appear."""
    if not active():
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while True:
            update("sources crawled", *crawl_done(jobs, archive))
            if stop.wait(POLL_SECONDS):
                return

    watcher = threading.Thread(target=poll, name="crawl-progress", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        update("sources crawled", *crawl_done(jobs, archive))
