"""Coverage: which boards were watched, where and when. It is what separates demand from
coverage in every trend series.

* A board (a source) is **watched** in a period when at least one of its complete runs started
  in the period. Only complete runs count: a failed or partial run says nothing about what a
  board was not listing.
* A board **covers** a geography when it has ever listed a posting there (peer or not) or when
  ``sources.toml`` gives its state (``runs.board_state``). A board covers the nation always.
* A geography's **observation window** starts at the first period in which a board covering it
  had a complete run and ends with the period holding the build's as-of date. That last
  period is published with ``complete = 0``: it is still going on.
* ``coverage_weekly`` / ``coverage_monthly`` (one row per period × geography inside its window):
  ``boards_watched``; ``boards_every_week`` (boards with a complete run in every week starting in
  the period, up to the as-of date; equals ``boards_watched`` in the weekly table);
  ``postings_listed`` and ``peer_postings_listed`` (distinct postings located there that a
  complete run saw in the period); ``stock_at_start`` (peer jobs that were already posted when
  their board began to be watched, counted once, in the period watching began; see
  db/trends.py).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import us
from sqlite_utils import Database

from db.schema import COVERAGE_COLUMN_TYPES, places_index_hint

Day = TypeVar("Day", date, str)
"""A day, as a date or as ISO text."""

GEO_LEVELS: tuple[str, ...] = ("nation", "region", "division", "state", "cbsa", "county")
GEO_LEVEL_NUMBERS: dict[str, int] = {name: number for number, name in enumerate(GEO_LEVELS)}
"""A level's number (the first of a :data:`Geo`) from its name, as the tables store it."""
STATES_CSV = Path(__file__).resolve().parent.parent / "normalize" / "data" / "geo" / "states.csv"
_MONDAY = date(1970, 1, 5).toordinal()

Place = tuple[str, str, str]
"""(level, code, name)."""
Geo = tuple[int, str]
"""(index of the level in :data:`GEO_LEVELS`, code)."""


@dataclass(frozen=True)
class Granularity:
    table: str
    coverage_table: str
    index_table: str
    index: Callable[[date], int]
    start: Callable[[int], date]

    def complete(self, period: int, as_of_day: date) -> bool:
        """A period is complete once the as-of date has reached the next period's start."""
        return self.start(period + 1) <= as_of_day


def _week_index(day: date) -> int:
    return (day.toordinal() - _MONDAY) // 7


def _week_start(index: int) -> date:
    return date.fromordinal(_MONDAY + 7 * index)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


WEEKLY = Granularity("demand_weekly", "coverage_weekly", "demand_index_weekly",
                     _week_index, _week_start)
MONTHLY = Granularity("demand_monthly", "coverage_monthly", "demand_index_monthly",
                      _month_index, _month_start)
GRANULARITIES = {g.table: g for g in (WEEKLY, MONTHLY)}


@cache
def _state_rows() -> dict[str, dict[str, str]]:
    with STATES_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["state"]: row for row in csv.DictReader(handle)}


@cache
def state_geography() -> dict[str, tuple[str, str]]:
    """USPS code → (Census region, division), from the vendored Census table."""
    return {code: (row["region"], row["division"]) for code, row in _state_rows().items()}


@cache
def state_names() -> dict[str, str]:
    """USPS code → name, for the 50 states, DC and Puerto Rico (the vendored Census table)."""
    return {code: row["name"] for code, row in _state_rows().items()}


@cache
def state_name(code: str) -> str:
    found = us.states.lookup(code)
    return found.name if found else code


def places(row: dict[str, Any]) -> tuple[Place | None, ...]:
    """A posting's or cluster's geography at every level, None where it has none."""
    state = row.get("state")
    county = None
    if row.get("county_fips"):
        label = row.get("county") or row["county_fips"]
        county = ("county", row["county_fips"], f"{label}, {state}" if state else label)
    return (
        ("nation", "US", "United States"),
        ("region", row["region"], row["region"]) if row.get("region") else None,
        ("division", row["division"], row["division"]) if row.get("division") else None,
        ("state", state, state_name(state)) if state else None,
        ("cbsa", row["cbsa_code"], row.get("cbsa_title") or row["cbsa_code"])
        if row.get("cbsa_code") else None,
        county,
    )


def board_state_places(state: str) -> tuple[Place | None, ...]:
    """The nation, region, division and state of a board's registry state."""
    region, division = state_geography().get(state, (None, None))
    return places({"state": state, "region": region, "division": division})


@dataclass
class Watching:
    """Complete runs and covered geographies of every board, up to the as-of date."""

    as_of_day: date
    complete_days: dict[str, list[date]]
    """Source → sorted days on which one of its complete runs started."""
    geos: dict[str, set[Geo]]
    """Source → the geographies it covers."""
    names: dict[Geo, str]
    """Geography → its name (the smallest name seen for the code, as the demand rows use)."""

    def first_complete(self, source: str) -> date | None:
        days = self.complete_days.get(source)
        return days[0] if days else None

    def periods(self, granularity: Granularity) -> dict[str, set[int]]:
        """Source → the periods in which it was watched."""
        return {source: {granularity.index(day) for day in days}
                for source, days in self.complete_days.items()}

    def windows(self, granularity: Granularity) -> dict[Geo, int]:
        """Geography → the first period of its observation window."""
        starts: dict[Geo, int] = {}
        for source, covered in self.geos.items():
            first = self.first_complete(source)
            if first is None:
                continue
            index = granularity.index(first)
            for geo in covered:
                if geo not in starts or index < starts[geo]:
                    starts[geo] = index
        return starts

    def last_period(self, granularity: Granularity) -> int:
        return granularity.index(self.as_of_day)

    def boards_watched(self, granularity: Granularity) -> dict[Geo, dict[int, int]]:
        """Geography → period → boards covering it that were watched in the period."""
        counts: dict[Geo, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for source, periods in self.periods(granularity).items():
            for geo in self.geos.get(source, ()):
                cell = counts[geo]
                for period in periods:
                    cell[period] += 1
        return counts

    def boards_every_week(self, granularity: Granularity) -> dict[Geo, dict[int, int]]:
        """Geography → period → boards with a complete run in every week starting in the
        period (up to the as-of date)."""
        if granularity is WEEKLY:
            return self.boards_watched(granularity)
        weeks_of: dict[int, set[int]] = defaultdict(set)
        counts: dict[Geo, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for source, days in self.complete_days.items():
            if not days:
                continue
            watched_weeks = {_week_index(day) for day in days}
            for period in {granularity.index(day) for day in days}:
                if period not in weeks_of:
                    weeks_of[period] = _weeks_starting_in(granularity, period, self.as_of_day)
                if weeks_of[period] <= watched_weeks:
                    for geo in self.geos.get(source, ()):
                        counts[geo][period] += 1
        return counts


def _weeks_starting_in(granularity: Granularity, period: int, as_of_day: date) -> set[int]:
    first, after = granularity.start(period), granularity.start(period + 1)
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    weeks = set()
    while monday < after and monday <= as_of_day:
        weeks.add(_week_index(monday))
        monday += timedelta(days=7)
    return weeks


def _day(value: str) -> date:
    return date.fromisoformat(value[:10])


def watch_start(sources: Iterable[str], first_complete: Callable[[str], Day | None]
                ) -> Day | None:
    """When a cluster's watching began: the first complete run of its earliest-watched source
    (None when no complete run saw any; the trend tables then count it from its first
    sighting). ``first_complete`` gives a source's first complete run, as a date or ISO day."""
    days = [day for day in map(first_complete, sources) if day is not None]
    return min(days) if days else None


def first_complete_days(db: Database, as_of_day: str) -> dict[str, str]:
    """Source → the ISO day of its first complete run up to ``as_of_day``: what
    :meth:`Watching.first_complete` gives, without the rest of :func:`load_watching`."""
    return dict(db.conn.execute(
        "select source, min(substr(started_at, 1, 10)) from runs where status = 'complete' "
        "and started_at is not null and substr(started_at, 1, 10) <= ? group by source",
        (as_of_day[:10],)).fetchall())


def load_watching(db: Database, as_of_day: date) -> Watching:
    complete: dict[str, set[date]] = defaultdict(set)
    for source, started_at in db.conn.execute(
            "select source, started_at from runs where status = 'complete' "
            "and started_at is not null"):
        day = _day(started_at)
        if day <= as_of_day:
            complete[source].add(day)
    geos: dict[str, set[Geo]] = defaultdict(set)
    names: dict[Geo, str] = {}

    def cover(source: str, located: tuple[Place | None, ...]) -> None:
        for level, place in enumerate(located):
            if place is None:
                continue
            geo = (level, place[1])
            geos[source].add(geo)
            if geo not in names or place[2] < names[geo]:
                names[geo] = place[2]

    for row in db.query(
            "select distinct source, state, county, county_fips, cbsa_code, cbsa_title, region, "
            f"division from postings {places_index_hint(db)}"):
        cover(row["source"], places(row))
    for source, state in db.conn.execute(
            "select distinct source, board_state from runs where board_state is not null"):
        cover(source, board_state_places(state))
    for source in complete:
        cover(source, (("nation", "US", "United States"),))
    return Watching(as_of_day, {s: sorted(days) for s, days in complete.items()}, dict(geos),
                    names)


# -- coverage rows ------------------------------------------------------------------------------

COVERAGE_COLUMNS: tuple[str, ...] = tuple(COVERAGE_COLUMN_TYPES)


Counts = dict[Geo, dict[int, int]]
"""Geography → period → a count."""


def listed_counts(db: Database, watching: Watching,
                  granularities: tuple[Granularity, ...] = (WEEKLY, MONTHLY),
                  since: date | None = None) -> dict[str, tuple[Counts, Counts]]:
    """Per granularity (by demand table name): distinct postings, and peer postings, located in
    each geography that a complete run saw in each period (only the periods from the one
    holding ``since`` on, when given: only their runs' sightings are read).

    One pass over the sightings in posting order for every granularity at once. Postings are
    counted per *shape* (their geographies and peer flag) first and spread over the geographies
    afterwards: a few thousand shapes stand for a million postings."""
    run_periods: dict[tuple[str, str], tuple[int, ...]] = {}
    firsts = tuple(g.index(since) for g in granularities) if since else None
    for run_id, source, started_at in db.conn.execute(
            "select run_id, source, started_at from runs where status = 'complete' "
            "and started_at is not null"):
        day = _day(started_at)
        if day <= watching.as_of_day:
            indexes = tuple(g.index(day) for g in granularities)
            if firsts is None or any(i >= f for i, f in zip(indexes, firsts, strict=True)):
                run_periods[(run_id, source)] = indexes
    shape_of: dict[int, int] = {}
    shapes: dict[tuple[Any, ...], int] = {}
    shape_geos: list[tuple[tuple[Geo, ...], bool]] = []
    for posting, is_peer, state, county, fips, cbsa, cbsa_title, region, division in (
            db.conn.execute("select id, is_peer, state, county, county_fips, cbsa_code, "
                            f"cbsa_title, region, division from postings "
                            f"{places_index_hint(db)}")):
        key = (bool(is_peer), state, fips, cbsa, region, division)
        shape = shapes.get(key)
        if shape is None:
            shape = shapes[key] = len(shape_geos)
            located = places({"state": state, "county": county, "county_fips": fips,
                              "cbsa_code": cbsa, "cbsa_title": cbsa_title, "region": region,
                              "division": division})
            shape_geos.append((tuple((level, place[1]) for level, place in enumerate(located)
                                     if place is not None), bool(is_peer)))
        shape_of[posting] = shape
    per_shape: list[dict[tuple[int, int], int]] = [defaultdict(int) for _ in granularities]
    current: int | None = None
    seen: list[set[int]] = [set() for _ in granularities]

    def flush() -> None:
        shape = shape_of.get(current) if current is not None else None
        for counts, periods in zip(per_shape, seen, strict=True):
            if shape is not None:
                for period in periods:
                    counts[(shape, period)] += 1
            periods.clear()

    if firsts is None:
        sightings = db.conn.execute(
            "select posting_id, run_id, source from sightings order by posting_id")
    else:
        # The runs of those periods only, through the index on sightings.run_id.
        db.conn.execute("create temp table if not exists listed_runs (run_id text primary key)")
        db.conn.execute("delete from temp.listed_runs")
        db.conn.executemany("insert or ignore into temp.listed_runs values (?)",
                            [(run_id,) for run_id, _ in run_periods])
        sightings = db.conn.execute(
            "select s.posting_id, s.run_id, s.source from temp.listed_runs r "
            "cross join sightings s on s.run_id = r.run_id order by s.posting_id")
    for posting, run_id, source in sightings:
        if posting != current:
            flush()
            current = posting
        found = run_periods.get((run_id, source))
        if found is not None:
            for periods, period in zip(seen, found, strict=True):
                periods.add(period)
    flush()
    result: dict[str, tuple[Counts, Counts]] = {}
    for granularity, counts in zip(granularities, per_shape, strict=True):
        listed: Counts = defaultdict(lambda: defaultdict(int))
        peer_listed: Counts = defaultdict(lambda: defaultdict(int))
        for (shape, period), count in counts.items():
            geos, is_peer = shape_geos[shape]
            for geo in geos:
                listed[geo][period] += count
                if is_peer:
                    peer_listed[geo][period] += count
        result[granularity.table] = (listed, peer_listed)
    return result


def coverage_rows(watching: Watching, granularity: Granularity, stock: Counts,
                  listed: tuple[Counts, Counts], since: int | None = None,
                  earlier: dict[Geo, int] | None = None) -> list[tuple[Any, ...]]:
    """Every row of one coverage table (of the periods from ``since`` on when given, from
    ``earlier[geo]`` for the places there), sorted by level, code and period."""
    windows = watching.windows(granularity)
    last = watching.last_period(granularity)
    watched = watching.boards_watched(granularity)
    every_week = watching.boards_every_week(granularity)
    stamps = {period: (granularity.start(period).isoformat(), int(period < last))
              for period in range(min(windows.values(), default=last), last + 1)}
    empty: dict[int, int] = {}
    rows: list[tuple[Any, ...]] = []
    for geo in sorted(windows, key=lambda g: (GEO_LEVELS[g[0]], g[1])):
        level, code = geo
        head = (GEO_LEVELS[level], code, watching.names[geo])
        counts = (watched.get(geo, empty), every_week.get(geo, empty),
                  listed[0].get(geo, empty), listed[1].get(geo, empty), stock.get(geo, empty))
        first = windows[geo] if since is None else max(
            windows[geo], min(since, (earlier or {}).get(geo, since)))
        for period in range(first, last + 1):
            start, complete = stamps[period]
            rows.append((start, *head, complete, *(cell.get(period, 0) for cell in counts)))
    return rows
