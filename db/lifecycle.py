"""A posting's life, from its sightings and the runs of its source.

These columns of ``postings`` follow from ``sightings``, ``runs`` and the as-of time alone, so
incremental builds and a rebuild from the archive agree. A rebuild computes them for every
posting; an incremental build only for the postings its new runs can change
(:func:`mark_touched`), the others' stored values being what a recomputation would give:

``first_seen``, ``last_seen``, ``times_seen``, ``last_run_id``
    Earliest and latest ``seen_at`` of the posting's sightings, their number, and the run of the
    latest one (ties: the greater run id).
``status``, ``closed_at``
    A posting closes when a *complete* run of its source (``runs.status = 'complete'``) that
    started after its latest sighting does not see it: ``closed_at`` is that run's
    ``started_at``. A failed, partial or skipped run never closes anything. A posting also
    closes when its own closing date has passed: ``closed_at`` is the end of the closing day
    (``YYYY-MM-DDT23:59:59Z``) when that is before the build's as-of time, unless a sighting on a
    later day contradicts the date. When both apply, the earlier moment wins.
``reposted_count``
    How many times the posting reopened: seen again after a complete run of its source missed
    it. (A reposting with a new id on its source is a different posting; dedup links it.)
``posted_on``, ``closes_on``
    ``posted_at`` and ``closes_at`` parsed to ISO dates (:func:`parse_posting_date`: ISO 8601,
    US ``MM/DD/YYYY``, month names, RFC 822, epoch seconds or milliseconds), the calendar date
    as written (no time-zone shift). Implausible values are left out: a posted date after the
    last sighting, a closing date before the posted date or more than
    :data:`CLOSES_HORIZON_DAYS` after the posting was first seen (or posted, for backfills).
``active_from``, ``active_to``
    The interval the trend tables count the posting as active (ISO dates, both inclusive).
    ``active_from`` is ``posted_on`` when it falls within :data:`POSTED_WINDOW_DAYS` before the
    first sighting (a board added to the crawl late still dates its postings right), otherwise
    the date of the first sighting. ``active_to`` is null while the posting is open; for a
    posting closed by a run it is the date of its last sighting (the last day it was seen
    open); for one closed by its closing date, that date. Reposting gaps lie inside the
    interval: a posting that reopened counts as active throughout.

Backfilled postings (platform ``usajobs_historic``: announcements from the USAJOBS historic API,
whose ``posted_at``/``closes_at`` are the real open and close dates) carry their real dates:
``active_from`` is the open date, the posting closes at the end of its close date once the
as-of time passes it (``active_to`` = close date), and runs never close or reopen it (the
historic API returns each announcement once, so absence from a later run means nothing). A
backfill without usable dates follows the general rules.

The build's as-of time (:func:`build_as_of`) is the latest ``finished_at`` in ``runs``: it
depends only on the archive, never on the clock, so rebuilding gives the same tables.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import groupby, pairwise
from pathlib import Path
from typing import Any, NamedTuple

from sqlite_utils import Database

from db.parallel import each_attached, map_parts, read_only, scratch_database

HISTORIC_PLATFORMS = frozenset({"usajobs_historic"})
"""Platforms whose postings are backfilled announcements with real open and close dates."""
POSTED_WINDOW_DAYS = 90
"""A posted date at most this many days before the first sighting dates the posting's start."""
CLOSES_HORIZON_DAYS = 366
"""Closing dates further ahead of the first sighting (or posted date) than this are ignored."""
FIRST_PLAUSIBLE_YEAR = 1990
LAST_PLAUSIBLE_YEAR = 2100

LIFECYCLE_COLUMNS: tuple[str, ...] = (
    "first_seen", "last_seen", "times_seen", "last_run_id", "status", "closed_at",
    "reposted_count", "active_from", "active_to", "posted_on", "closes_on",
)

RunKey = tuple[str, str]
"""A run's place in its source's history: ``(started_at, run_id)``."""


class Sighting(NamedTuple):
    key: RunKey
    """The sighting run's ``(started_at, run_id)`` (``seen_at`` when the run is unknown)."""
    seen_at: str
    run_id: str


class Lifecycle(NamedTuple):
    """The lifecycle columns of one posting, in the order of :data:`LIFECYCLE_COLUMNS`."""

    first_seen: str
    last_seen: str
    times_seen: int
    last_run_id: str
    status: str
    """``open`` or ``closed``."""
    closed_at: str | None
    reposted_count: int
    active_from: str
    active_to: str | None
    posted_on: str | None
    closes_on: str | None


# -- dates ------------------------------------------------------------------------------------

_MONTHS = {name: number for number, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
    ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
    ("oct", "october"), ("nov", "november"), ("dec", "december"),
), start=1) for name in names}
_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_US = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?!\d)")
_DAY_MONTH = re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?[-\s]+([A-Za-z]{3,9})\.?[-\s,]+(\d{4})")
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?(?:\.\d+)?$")


def _date(year: int, month: int, day: int) -> date | None:
    if not FIRST_PLAUSIBLE_YEAR <= year <= LAST_PLAUSIBLE_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _epoch(value: float) -> date | None:
    seconds = value / 1000 if value > 1e11 else value
    try:
        moment = datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return _date(moment.year, moment.month, moment.day)


def parse_posting_date(value: Any) -> date | None:
    """The calendar date in a raw posted/closing value, or None.

    >>> parse_posting_date("2024-06-16T23:59:59.9970"), parse_posting_date("6/16/2024")
    (datetime.date(2024, 6, 16), datetime.date(2024, 6, 16))
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _epoch(float(value)) if value > 1e8 else None
    text = str(value).strip()
    if not text:
        return None
    if _EPOCH.match(text):
        return _epoch(float(text))
    if match := _ISO.search(text):
        return _date(int(match[1]), int(match[2]), int(match[3]))
    if match := _US.search(text):
        year = int(match[3])
        return _date(year + 2000 if year < 100 else year, int(match[1]), int(match[2]))
    if (match := _DAY_MONTH.search(text)) and match[2].lower() in _MONTHS:
        return _date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    if (match := _MONTH_DAY.search(text)) and match[1].lower() in _MONTHS:
        return _date(int(match[3]), _MONTHS[match[1].lower()], int(match[2]))
    return None


def end_of_day(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


# -- one posting ------------------------------------------------------------------------------


def compute_lifecycle(
    sightings: Sequence[Sighting],
    complete_runs: Sequence[RunKey],
    *,
    platform: str | None,
    posted_at: Any,
    closes_at: Any,
    as_of: str | None,
) -> Lifecycle:
    """The lifecycle of one posting (see the module docstring for the rules).

    ``complete_runs`` are the keys of its source's complete runs, sorted; ``sightings`` must
    not be empty.
    """
    seen = sorted(sightings)
    first_seen = min(s.seen_at for s in seen)
    last = max(seen, key=lambda s: (s.seen_at, s.run_id))
    first_day = date.fromisoformat(first_seen[:10])
    last_day = date.fromisoformat(last.seen_at[:10])

    historic = (platform or "") in HISTORIC_PLATFORMS
    posted = parse_posting_date(posted_at)
    if posted is not None and posted > last_day + timedelta(days=1):
        posted = None
    closes = parse_posting_date(closes_at)
    reference = posted if historic and posted is not None else first_day
    if closes is not None and (
        closes > reference + timedelta(days=CLOSES_HORIZON_DAYS)
        or (posted is not None and closes < posted)
    ):
        closes = None

    if historic and posted is not None and closes is not None:
        closed = as_of is not None and end_of_day(closes) < as_of
        return Lifecycle(
            first_seen, last.seen_at, len(seen), last.run_id,
            "closed" if closed else "open", end_of_day(closes) if closed else None, 0,
            posted.isoformat(), closes.isoformat() if closed else None,
            posted.isoformat(), closes.isoformat(),
        )

    reposts = 0
    for before, after in pairwise(seen):
        index = bisect_right(complete_runs, before.key)
        if index < len(complete_runs) and complete_runs[index] < after.key:
            reposts += 1
    index = bisect_right(complete_runs, seen[-1].key)
    run_close = complete_runs[index][0] if index < len(complete_runs) else None
    date_close = None
    if closes is not None and closes >= last_day and as_of is not None \
            and end_of_day(closes) < as_of:
        date_close = end_of_day(closes)
    closings = [moment for moment in (run_close, date_close) if moment is not None]
    closed_at = min(closings) if closings else None

    window_start = first_day - timedelta(days=POSTED_WINDOW_DAYS)
    if posted is not None and (historic or window_start <= posted <= first_day):
        active_from = posted
    else:
        active_from = first_day
    active_to: date | None = None
    if closed_at is not None:
        active_to = closes if closed_at == date_close and closes is not None else last_day
    return Lifecycle(
        first_seen, last.seen_at, len(seen), last.run_id,
        "closed" if closed_at else "open", closed_at, reposts,
        active_from.isoformat(), active_to.isoformat() if active_to else None,
        posted.isoformat() if posted else None, closes.isoformat() if closes else None,
    )


# -- every posting ----------------------------------------------------------------------------


def build_as_of(db: Database) -> str | None:
    """The build's as-of time: the latest run's ``finished_at`` (its start when it has none)."""
    row = db.conn.execute(
        "select max(coalesce(finished_at, started_at)) from runs").fetchone()
    return str(row[0]) if row and row[0] else None


def _run_history(db: Database) -> tuple[dict[tuple[str, str], str], dict[str, list[RunKey]]]:
    started: dict[tuple[str, str], str] = {}
    complete: dict[str, list[RunKey]] = {}
    for run_id, source, started_at, status in db.conn.execute(
        "select run_id, source, started_at, status from runs"
    ):
        started[(run_id, source)] = started_at or ""
        if status == "complete":
            complete.setdefault(source, []).append((started_at or "", run_id))
    for keys in complete.values():
        keys.sort()
    return started, complete


def _sightings_by_posting(db: Database, low: int, high: int, only_touched: bool = False
                          ) -> Iterator[tuple[int, list[tuple[str, str, str]]]]:
    if only_touched:
        cursor = db.conn.execute(
            f"select s.posting_id, s.run_id, s.source, s.seen_at from [{TOUCHED}] t "
            f"cross join sightings s on s.posting_id = t.id where t.id between ? and ? "
            f"order by t.id", (low, high))
    else:
        cursor = db.conn.execute(
            "select posting_id, run_id, source, seen_at from sightings "
            "where posting_id between ? and ? order by posting_id", (low, high))
    rows: Iterator[Any] = iter(lambda: cursor.fetchmany(20_000), [])
    flat = (row for batch in rows for row in batch)
    for posting, group in groupby(flat, key=lambda row: row[0]):
        yield posting, [(run_id, source, seen_at) for _, run_id, source, seen_at in group]


ID_LIMIT = 2 ** 63
"""Posting ids are 63-bit hashes, spread evenly over [0, ID_LIMIT)."""


TOUCHED = "lifecycle_touched"
"""Table of the posting ids whose lifecycle an incremental build recomputes
(:func:`mark_touched`); without it every posting's is recomputed."""

LifecycleTask = tuple[int, int, str | None, bool]
"""(lowest id, highest id, as-of time, only the postings in :data:`TOUCHED`)."""


def lifecycle_part(database: Path, scratch: Path, task: LifecycleTask) -> None:
    """Lifecycles of the postings with ids in ``[low, high]`` (those in :data:`TOUCHED` only,
    when asked) whose stored values are out of date, into the scratch table ``changes`` (a
    :func:`db.parallel.map_parts` task)."""
    low, high, as_of, only_touched = task
    db = read_only(database)
    out = scratch_database(scratch)
    columns = ", ".join(LIFECYCLE_COLUMNS)
    out.execute(f"create table changes (id integer primary key, {columns})")
    insert = f"insert into changes values (?{', ?' * len(LIFECYCLE_COLUMNS)})"
    started, complete = _run_history(db)
    pending: list[tuple[Any, ...]] = []
    # The touched ids drive both reads (CROSS JOIN keeps them the outer loop).
    source = f"[{TOUCHED}] t cross join " if only_touched else ""
    key = "t.id" if only_touched else "p.id"
    postings = db.conn.execute(
        f"select p.id, p.source, p.platform, p.posted_at, p.closes_at, "
        f"{', '.join(f'p.{c}' for c in LIFECYCLE_COLUMNS)} from {source}postings p "
        f"{'on p.id = t.id ' if only_touched else ''}where {key} between ? and ? "
        f"order by {key}", (low, high))
    sightings = _sightings_by_posting(db, low, high, only_touched)
    current = next(sightings, None)
    with out.atomic():
        for rows in iter(lambda: postings.fetchmany(20_000), []):
            for pid, source_name, platform, posted_at, closes_at, *old in rows:
                while current is not None and current[0] < pid:
                    current = next(sightings, None)
                if current is None or current[0] != pid:
                    continue
                seen = [Sighting((started.get((run_id, src)) or seen_at, run_id), seen_at, run_id)
                        for run_id, src, seen_at in current[1]]
                life = compute_lifecycle(
                    seen, complete.get(source_name, ()), platform=platform,
                    posted_at=posted_at, closes_at=closes_at, as_of=as_of)
                if life != tuple(old):
                    pending.append((pid, *life))
                    if len(pending) >= 20_000:
                        out.conn.executemany(insert, pending)
                        pending.clear()
        out.conn.executemany(insert, pending)
    out.close()
    db.close()


def mark_touched(db: Database, new_runs: Sequence[str], old_as_of: str | None) -> int:
    """Fill :data:`TOUCHED` with every posting whose lifecycle the new runs can change; returns
    how many. The rest keep their stored lifecycle, which a full recomputation would give again:

    * postings the new runs saw (new sightings, new or changed content);
    * for each source with a new complete run starting at ``k``: its open postings (the run may
      close them), those closed at ``k`` or later (it may close them earlier), and those with a
      sighting in a run started at ``k`` or later, or last seen then or later (a run arriving
      late, between two sightings, may count a reposting);
    * when the as-of time moved, postings whose closing date is not before the old as-of day
      (their date may have passed since).
    """
    marks = ", ".join("?" * len(new_runs))
    with db.atomic():
        db.conn.execute(f"drop table if exists [{TOUCHED}]")
        db.conn.execute(f"create table [{TOUCHED}] (id integer primary key)")
        add = f"insert or ignore into [{TOUCHED}] "
        for run_id in new_runs:
            db.conn.execute(add + "select posting_id from sightings where run_id = ?", (run_id,))
        starts = db.conn.execute(
            f"select source, min(started_at) from runs where run_id in ({marks}) "
            f"and status = 'complete' and started_at is not null group by source",
            tuple(new_runs)).fetchall() if new_runs else []
        for source, start in starts:
            db.conn.execute(add + "select id from postings where source = ? and status = 'open'",
                            (source,))
            db.conn.execute(add + "select id from postings where source = ? and status is null",
                            (source,))
            db.conn.execute(add + "select id from postings where source = ? "
                            "and status = 'closed' and closed_at >= ?", (source, start))
            db.conn.execute(add + "select s.posting_id from runs r join sightings s "
                            "on s.run_id = r.run_id where r.source = ? and r.started_at >= ?",
                            (source, start))
        if starts:
            db.conn.execute(add + "select id from postings where last_seen >= ?",
                            (min(start for _, start in starts),))
        new_as_of = build_as_of(db)
        if new_as_of != old_as_of:
            db.conn.execute(add + "select id from postings where closes_on >= ?",
                            ((old_as_of or "")[:10],))
    return int(db.conn.execute(f"select count(*) from [{TOUCHED}]").fetchone()[0])


STAGED = "lifecycle_changes"
"""Table where :func:`refresh_lifecycle` leaves changed lifecycles when asked not to apply
them: the first deriver that rewrites every posting (clustering, db/dedup.py) applies them in
the same pass, and the build applies whatever is left (:func:`apply_staged`)."""


def refresh_lifecycle(db: Database, *, as_of: str | None = None, workers: int = 0,
                      parts: int | None = None, apply: bool = True,
                      only_touched: bool = False) -> int:
    """Recompute every posting's lifecycle columns (only those of the postings in
    :data:`TOUCHED` when ``only_touched``, and the table is dropped afterwards); write the rows
    that changed (into :data:`STAGED` instead when not ``apply``). Returns how many changed.

    The postings are split into id ranges computed by ``workers`` worker processes (none: in
    this process); the answer does not depend on the split.
    """
    as_of = as_of or build_as_of(db)
    count = parts or (4 * workers if workers > 1 else 1)
    bounds = [ID_LIMIT * i // count for i in range(count + 1)]
    tasks = [(bounds[i], bounds[i + 1] - 1, as_of, only_touched) for i in range(count)]
    scratch = map_parts(db, lifecycle_part, tasks, workers=workers, label="lifecycle")
    if only_touched:
        with db.atomic():
            db.conn.execute(f"drop table if exists [{TOUCHED}]")
    columns = ", ".join(LIFECYCLE_COLUMNS)
    with db.atomic():
        db.conn.execute(f"drop table if exists [{STAGED}]")
        db.conn.execute(f"create table [{STAGED}] (id integer primary key, {columns})")
    for part in each_attached(db, scratch):
        with db.atomic():
            db.conn.execute(f"insert into [{STAGED}] select * from {part}.changes")
    changed = int(db.conn.execute(f"select count(*) from [{STAGED}]").fetchone()[0])
    if apply:
        apply_staged(db)
    return changed


def apply_staged(db: Database) -> None:
    """Write staged lifecycle changes into postings (nothing when none are staged)."""
    if not db.conn.execute("select 1 from sqlite_master where name = ?", (STAGED,)).fetchone():
        return
    assignments = ", ".join(f"{c} = c.{c}" for c in LIFECYCLE_COLUMNS)
    with db.atomic():
        db.conn.execute(f"update postings set {assignments} from [{STAGED}] as c "
                        f"where postings.id = c.id")
        db.conn.execute(f"drop table [{STAGED}]")
