"""Trend tables, rebuilt from ``clusters``, ``postings``, ``runs`` and ``sightings`` by every build.

``demand_weekly`` and ``demand_monthly``: one row per period × geography × role family, for
peer clusters only (``clusters.is_peer = 1``: a job posted on several sources counts once). A
cluster is counted with its representative's fields (db/dedup.py): state, county, metro,
region, division, role family, employer, pay and certification requirement.

* **Periods**: weeks start on Monday, months on the 1st; ``period_start`` is that date.
* **Observation window** (db/coverage.py): a geography's series starts at the first period in
  which a board covering it had a complete run, never earlier, and runs to the period holding
  the build's as-of date, which is published with ``complete = 0`` (it is still going on;
  anything that says "latest" uses the latest complete period). Inside the window every period
  × geography × family cell exists, with explicit zeros where nothing was active; outside it
  there is no row. ``boards_watched`` repeats the coverage table's count for the period and
  place: growth in it is growth in coverage, not in demand.
* **Geographies** (``geo_level`` / ``geo_code`` / ``geo_name``): ``nation`` (US), ``region``
  and ``division`` (Census names as codes), ``state`` (USPS code), ``cbsa`` (2023 CBSA code
  and title), ``county`` (5-digit FIPS, "County, ST"). A cluster without a state counts in the
  nation only; one without a county is missing from the county level, and so on.
* **Role family**: each family code of the taxonomy, plus ``all`` for every peer family
  together (including peer clusters the taxonomy could not place in a family).
* **When a cluster counts**: from ``max(active_from, watch start)`` to ``active_to`` (both
  inclusive; an open cluster runs to the as-of date). The watch start is the first complete
  run of the earliest-watched board among the cluster's sources: a posting backdated to a
  posted date before its board was watched counts from that first run on, so the start of
  observation never reads as a ramp of demand.
* ``active_postings``: clusters counting in the period.
* ``new_postings``: clusters whose counting starts in the period, except the **stock**: those
  first seen no later than the period after their watch start's period were already there when
  watching began. The stock is counted once, as ``stock_at_start`` in the coverage tables.
* ``employers``: distinct canonical employers among the active clusters (clusters without an
  employer are not counted).
* ``n``: the active clusters behind the shares (= ``active_postings``); ``n_pay``: those of them
  with posted pay, behind the pay quantiles.
* **Pay**: the representative's hourly equivalent — the midpoint of ``hourly_min`` and
  ``hourly_max`` (the one figure when only one is given). ``pay_hourly_p25``, ``_median`` and
  ``_p75`` are quantiles by linear interpolation between order statistics (numpy's default
  "linear" method, Hyndman and Fan type 7), rounded to the cent.
* ``share_with_pay`` = ``n_pay / n``; ``share_cert_required`` = share of the ``n`` clusters
  whose ``cert_requirement`` is ``required`` or ``required_within``; rounded to 4 decimals.
* **Withheld figures** (small-cell threshold, default 5; environment ``PEERJOBS_MIN_CELL`` or
  the build's ``min_cell`` argument): the shares are withheld when ``0 < n < threshold``, the
  pay quantiles when ``0 < n_pay < threshold``. ``shares_withheld`` and ``pay_withheld`` are 1
  when a figure existed and was withheld, 0 when it is shown, and null when there was nothing
  to show (``n = 0``, ``n_pay = 0``). Counts are never withheld.

``demand_index_weekly`` and ``demand_index_monthly`` (nation, region, division and state): a
constant panel. The window runs from the first period in which any board had a complete run
(the base period; ``PEERJOBS_PANEL_FROM``, an ISO date, chooses a later one) to the latest
complete period; the panel is the boards watched through the whole of it: a complete run in the
base period or before and one in the latest complete period or after. ``active_postings``
counts the peer clusters with a member from a panel board, and ``demand_index`` = 100 × that
count / its count in the base period (null when the base is 0). Boards added later never move
it: it separates demand from coverage. The base period and the panel's size are in
``build_info``.

``title_variants``: every cleaned title with the family and canonical title the taxonomy gave
it, how many postings, clusters and employers used it, when it was first and last seen.

``employers_summary``: per canonical employer, its clusters, peer clusters, open peer clusters,
peer share, the median hourly pay of its peer clusters (withheld by the same rule), states,
dates.
"""

from __future__ import annotations

import json
import logging
import os
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db.coverage import (
    COVERAGE_COLUMNS,
    GEO_LEVEL_NUMBERS,
    GEO_LEVELS,
    GRANULARITIES,
    MONTHLY,
    WEEKLY,
    Counts,
    Geo,
    Granularity,
    Place,
    Watching,
    coverage_rows,
    listed_counts,
    load_watching,
    places,
    watch_start,
)
from db.parallel import each_attached, map_parts, read_only, scratch_database
from db.schema import INDEX_COLUMNS, TREND_COLUMNS

logger = logging.getLogger(__name__)

__all__ = ["GEO_LEVELS", "MONTHLY", "WEEKLY", "build_trend_tables", "demand_rows", "quantile"]

ALL_FAMILIES = "all"
DEFAULT_MIN_CELL = 5
MIN_CELL_ENV = "PEERJOBS_MIN_CELL"
CERT_REQUIRED = frozenset({"required", "required_within"})
INDEX_LEVELS = 4
"""The index tables cover nation, region, division and state (the first four levels)."""


def min_cell_from_env(default: int = DEFAULT_MIN_CELL) -> int:
    """The small-cell threshold from ``PEERJOBS_MIN_CELL`` (a positive integer), else default."""
    value = os.environ.get(MIN_CELL_ENV, "").strip()
    if not value:
        return default
    threshold = int(value)
    if threshold < 1:
        raise ValueError(f"{MIN_CELL_ENV} must be a positive integer, got {value!r}")
    return threshold


def quantile(values: Sequence[float], p: float) -> float:
    """The ``p`` quantile of sorted ``values`` by linear interpolation (numpy's "linear")."""
    if not values:
        raise ValueError("quantile of no values")
    position = (len(values) - 1) * p
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def family_codes() -> tuple[str, ...]:
    from normalize.taxonomy import load_taxonomy

    return load_taxonomy().family_codes


@dataclass(frozen=True, slots=True)
class TrendCluster:
    counted_from: date
    """``max(active_from, watch start)``: the first day the cluster counts."""
    active_to: date
    first_seen: date
    watch_from: date
    """The first complete run of the earliest-watched board among its sources."""
    employer_id: int | None
    pay: float | None
    cert_required: bool
    families: tuple[str, ...]
    places: tuple[tuple[str, str, str] | None, ...]
    """(level, code, name) per level of :data:`GEO_LEVELS`, None where the cluster has none."""
    sources: tuple[str, ...]


_CLUSTER_COLUMNS = ("active_from", "active_to", "first_seen", "sources", "employer_id",
                    "pay_hourly", "cert_requirement", "role_family", "state", "county",
                    "county_fips", "cbsa_code", "cbsa_title", "region", "division")
_PLACE_COLUMNS = _CLUSTER_COLUMNS[8:]


def load_clusters(db: Database, watching: Watching) -> list[TrendCluster]:
    """Peer clusters with the fields the trend tables use, their counting clipped to the watch
    start and the as-of date.

    Every worker of the trend tables loads them all (439k at a million postings), so what
    depends only on a column's raw value (a date, the sources and their watch start, the
    places, the families) is worked out once per distinct value: about 4,000 distinct source
    lists and 1,200 distinct places there."""
    as_of_day = watching.as_of_day
    clusters = []
    days: dict[str, date] = {}

    def day(text: str) -> date:
        found = days.get(text)
        if found is None:
            found = days[text] = date.fromisoformat(text)
        return found

    watched: dict[str, tuple[tuple[str, ...], date | None]] = {"": ((), None)}
    located: dict[tuple[Any, ...], tuple[Place | None, ...]] = {}
    families_of: dict[str | None, tuple[str, ...]] = {}
    for (active_from, active_to, first_seen, sources_json, employer_id, pay, cert, family,
         *place) in db.conn.execute(
            f"select {', '.join(_CLUSTER_COLUMNS)} from clusters where is_peer = 1 "
            f"and active_from is not null order by cluster_id"):
        start = day(active_from)
        end = min(day(active_to), as_of_day) if active_to else as_of_day
        seen = day(first_seen[:10]) if first_seen else start
        sources_key = sources_json or ""
        if sources_key not in watched:
            sources = tuple(sorted(json.loads(sources_key)))
            watched[sources_key] = (sources, watch_start(sources, watching.first_complete))
        sources, first_watched = watched[sources_key]
        # A cluster no complete run ever saw counts from its first sighting.
        watch_from = seen if first_watched is None else first_watched
        counted_from = max(start, watch_from)
        if counted_from > end:
            continue
        families = families_of.get(family)
        if families is None:
            families = families_of[family] = (family, ALL_FAMILIES) if family \
                else (ALL_FAMILIES,)
        key = tuple(place)
        where = located.get(key)
        if where is None:
            where = located[key] = places(dict(zip(_PLACE_COLUMNS, place, strict=True)))
        clusters.append(TrendCluster(
            counted_from, end, seen, watch_from, employer_id, pay, cert in CERT_REQUIRED,
            families, where, sources))
    return clusters


Indexes = list[tuple[int, int, bool, int]]
"""Per cluster, in one granularity: the periods of its counting start and end (the end clipped
to the last period), whether it is stock (first seen no later than the period after its watch
start's: already there when watching began), and its watch start's period."""


def cluster_indexes(clusters: Sequence[TrendCluster], granularity: Granularity, last: int
                    ) -> Indexes:
    index = granularity.index
    memo: dict[date, int] = {}

    def at(day: date) -> int:
        found = memo.get(day)
        if found is None:
            found = memo[day] = index(day)
        return found

    return [(at(c.counted_from), min(at(c.active_to), last),
             at(c.first_seen) <= at(c.watch_from) + 1, at(c.watch_from)) for c in clusters]


@dataclass
class Frame:
    """What every demand, index and coverage row of one table needs besides the clusters."""

    granularity: Granularity
    watching: Watching
    families: tuple[str, ...]
    clusters: Sequence[TrendCluster]
    windows: dict[Geo, int] = field(init=False)
    last: int = field(init=False)
    watched: dict[Geo, dict[int, int]] = field(init=False)
    indexes: Indexes = field(init=False)
    starts: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        self.windows = self.watching.windows(self.granularity)
        self.last = self.watching.last_period(self.granularity)
        self.watched = self.watching.boards_watched(self.granularity)
        self.indexes = cluster_indexes(self.clusters, self.granularity, self.last)
        first = min(self.windows.values(), default=self.last)
        self.starts = {period: self.granularity.start(period).isoformat()
                       for period in range(min(first, self.last), self.last + 1)}

    def geos(self, level: int) -> list[Geo]:
        return sorted(geo for geo in self.windows if geo[0] == level)

    def stamps(self, geo: Geo) -> list[tuple[str, int, int]]:
        """(period start, complete, boards watched) for every period of a geography's window."""
        watched = self.watched.get(geo, {})
        return [(self.starts[period], int(period < self.last), watched.get(period, 0))
                for period in range(self.windows[geo], self.last + 1)]


_ZERO_FIGURES = (0, 0, None, None, None, None, None, 0, 0, None, None)
"""The figures of a period with nothing active: explicit zeros, nothing withheld (null)."""


def _cell_rows(entries: list[tuple[int, int, TrendCluster]], new: dict[int, int],
               head: tuple[str, str, str, str], stamps: list[tuple[str, int, int]],
               window: int, min_cell: int, since: int | None = None) -> list[tuple[Any, ...]]:
    """Sweep one cell's clusters over its window; one row per period, zeros included (only the
    periods from ``since`` on, when given: the sweep still starts at the window's start).

    Between two periods where a cluster starts or ends, every figure but ``new_postings`` stays
    the same, so each figure is computed once per stretch.
    """
    level, code, name, family = head
    skip = max(0, (since or window) - window)
    if not entries:
        return [(start, level, code, name, family, complete, watched, 0, *_ZERO_FIGURES)
                for start, complete, watched in stamps[skip:]]
    end = window + len(stamps)
    starts: dict[int, list[TrendCluster]] = defaultdict(list)
    ends: dict[int, list[TrendCluster]] = defaultdict(list)
    for first, last, cluster in entries:
        starts[first].append(cluster)
        ends[last + 1].append(cluster)
    moments = sorted({window, *starts, *ends, *new} - {end})
    active = 0
    certified = 0
    employers: dict[int, int] = defaultdict(int)
    pays: list[float] = []
    rows: list[tuple[Any, ...]] = []
    for position, period in enumerate(moments):
        for cluster in ends.get(period, ()):
            active -= 1
            certified -= cluster.cert_required
            if cluster.employer_id is not None:
                employers[cluster.employer_id] -= 1
                if not employers[cluster.employer_id]:
                    del employers[cluster.employer_id]
            if cluster.pay is not None:
                del pays[bisect_left(pays, cluster.pay)]
        for cluster in starts.get(period, ()):
            active += 1
            certified += cluster.cert_required
            if cluster.employer_id is not None:
                employers[cluster.employer_id] += 1
            if cluster.pay is not None:
                insort(pays, cluster.pay)
        stop = moments[position + 1] if position + 1 < len(moments) else end
        if stop - window <= skip:
            continue  # a stretch before the periods asked for: no figures needed
        if active:
            n_pay = len(pays)
            shares_ok = active >= min_cell
            pay_ok = n_pay >= min_cell
            figures: tuple[Any, ...] = (
                active, len(employers),
                round(quantile(pays, 0.25), 2) if pay_ok else None,
                round(quantile(pays, 0.5), 2) if pay_ok else None,
                round(quantile(pays, 0.75), 2) if pay_ok else None,
                round(n_pay / active, 4) if shares_ok else None,
                round(certified / active, 4) if shares_ok else None,
                active, n_pay, int(not pay_ok) if n_pay else None,
                int(not shares_ok),
            )
        else:
            figures = _ZERO_FIGURES
        if period - window >= skip:
            start, complete, watched = stamps[period - window]
            rows.append((start, level, code, name, family, complete, watched,
                         new.get(period, 0), *figures))
        rows.extend((start, level, code, name, family, complete, watched, 0, *figures)
                    for start, complete, watched
                    in stamps[max(period + 1 - window, skip):stop - window])
    return rows


Cells = dict[tuple[str, str], list[tuple[int, int, TrendCluster]]]


def demand_rows(frame: Frame, min_cell: int, level: int, since: int | None = None,
                families_before: set[str] | None = None, earlier: dict[str, int] | None = None
                ) -> tuple[list[tuple[Any, ...]], bool]:
    """The rows of one geography level of one demand table, sorted by code, family, period,
    and whether they are all of them: only the periods from ``since`` on when given (from
    ``earlier[code]`` for the codes there), unless the level's families differ from
    ``families_before`` (the stored rows' families), which changes every period."""
    # Each code's first recomputed period: the level's, or its own when earlier.
    firsts = {} if since is None else {code: min(since, day)
                                       for code, day in (earlier or {}).items()}
    cells, new, families = demand_cells(frame, level, since, firsts)
    if since is not None and families != families_before:
        since = None
        cells, new, families = demand_cells(frame, level)
    rows: list[tuple[Any, ...]] = []
    ordered = sorted(families)
    for geo in frame.geos(level):
        code = geo[1]
        name = frame.watching.names[geo]
        stamps = frame.stamps(geo)
        for family in ordered:
            rows.extend(_cell_rows(cells.get((code, family), []), new.get((code, family), {}),
                                   (GEO_LEVELS[level], code, name, family), stamps,
                                   frame.windows[geo], min_cell,
                                   since if since is None else firsts.get(code, since)))
    return rows, since is None


def demand_cells(frame: Frame, level: int, floor: int | None = None,
                 floors: dict[str, int] | None = None
                 ) -> tuple[Cells, dict[tuple[str, str], dict[int, int]], set[str]]:
    """Per (geography code, family) of one level: the clusters counting there (first and last
    period; only those still counting in period ``floor`` or later, when given, or in the
    code's own period in ``floors`` for the codes there: the others leave the rows from there
    on as they are), the new ones per period; and every family of the level."""
    floors = floors or {}
    cells: Cells = defaultdict(list)
    new: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    families = set(frame.families) | {ALL_FAMILIES}
    for cluster, (counted, last, stock, _) in zip(frame.clusters, frame.indexes, strict=True):
        place = cluster.places[level]
        if place is None:
            continue
        window = frame.windows.get((level, place[1]))
        if window is None:
            continue  # no board covering the place was ever watched: outside every window
        first = max(counted, window)
        if first > last:
            continue
        families.update(cluster.families)
        # Most places keep all but their last periods: a cluster gone before then is skipped
        # there even when other places recompute from months back.
        if floor is not None and last < floors.get(place[1], floor):
            continue
        fresh = not stock and counted >= window
        for family in cluster.families:
            cells[(place[1], family)].append((first, last, cluster))
            if fresh:
                new[(place[1], family)][first] += 1
    return cells, new, families


# -- the constant panel -----------------------------------------------------------------------

@dataclass(frozen=True)
class Panel:
    base: int
    """The base period: the first in which any board had a complete run (or the period of
    ``PEERJOBS_PANEL_FROM``, when set and later)."""
    end: int
    """The latest complete period (the base itself when none is complete yet)."""
    boards: frozenset[str]
    """Boards watched through the whole window: a complete run in the base period or before,
    and one in the end period or after. A night or a week missed in between does not drop a
    board: its postings stay open through a failed run, as the lifecycle keeps them."""


PANEL_FROM_ENV = "PEERJOBS_PANEL_FROM"


def choose_panel(watching: Watching, granularity: Granularity) -> Panel | None:
    periods = {source: found for source, found in watching.periods(granularity).items() if found}
    if not periods:
        return None
    base = min(min(found) for found in periods.values())
    chosen = os.environ.get(PANEL_FROM_ENV, "").strip()
    if chosen:
        base = max(base, granularity.index(date.fromisoformat(chosen)))
    end = max(base, watching.last_period(granularity) - 1)
    return Panel(base, end, frozenset(
        source for source, found in periods.items() if min(found) <= base and max(found) >= end))


def index_rows(frame: Frame, level: int) -> list[tuple[Any, ...]]:
    """Every row of one geography level of one index table, sorted by code, family, period."""
    panel = choose_panel(frame.watching, frame.granularity)
    if panel is None or level >= INDEX_LEVELS:
        return []
    covering: dict[str, int] = defaultdict(int)
    for source in panel.boards:
        for geo in frame.watching.geos.get(source, ()):
            if geo[0] == level:
                covering[geo[1]] += 1
    diffs: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for cluster, (counted, last, _, _) in zip(frame.clusters, frame.indexes, strict=True):
        place = cluster.places[level]
        if place is None or place[1] not in covering or panel.boards.isdisjoint(cluster.sources):
            continue
        first = max(counted, panel.base)
        if first > last:
            continue
        for family in cluster.families:
            diffs[(place[1], family)][first] += 1
            diffs[(place[1], family)][last + 1] -= 1
    families = sorted(set(frame.families) | {ALL_FAMILIES} | {f for _, f in diffs})
    starts = {period: frame.granularity.start(period).isoformat()
              for period in range(panel.base, frame.last + 1)}
    rows: list[tuple[Any, ...]] = []
    for code in sorted(covering):
        name = frame.watching.names[(level, code)]
        for family in families:
            diff = diffs.get((code, family), {})
            active = 0
            base_count = None
            for period in range(panel.base, frame.last + 1):
                active += diff.get(period, 0)
                if base_count is None:
                    base_count = active
                value = round(100 * active / base_count, 2) if base_count else None
                rows.append((starts[period], GEO_LEVELS[level], code, name, family,
                             int(period < frame.last), covering[code], active, value))
    return rows


def stock_counts(frame: Frame) -> dict[Geo, dict[int, int]]:
    """Geography → period → clusters of the stock, counted in their watch start's period."""
    counts: dict[Geo, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for cluster, (_, _, stock, watch) in zip(frame.clusters, frame.indexes, strict=True):
        if not stock:
            continue
        for level, place in enumerate(cluster.places):
            if place is None:
                continue
            geo = (level, place[1])
            window = frame.windows.get(geo)
            if window is not None:
                counts[geo][max(watch, window)] += 1
    return counts


# -- tasks --------------------------------------------------------------------------------------

@dataclass
class Inputs:
    watching: Watching
    clusters: list[TrendCluster]
    families: tuple[str, ...]
    frames: dict[str, Frame] = field(default_factory=dict)

    def frame(self, granularity: Granularity) -> Frame:
        if granularity.table not in self.frames:
            self.frames[granularity.table] = Frame(granularity, self.watching, self.families,
                                                   self.clusters)
        return self.frames[granularity.table]


_INPUTS: dict[tuple[Path, str], Inputs] = {}
"""What this process loaded for the trend tasks of one build (key: database, as-of)."""


Since = tuple[str, tuple[tuple[int, str, str], ...]]
"""The day from which period rows are recomputed ("" for all of them), and earlier days for
some geographies: (level, code, day)."""
TrendTask = tuple[str, int, str, int, Since]
"""(task, geography level or -1, as-of date, small-cell threshold, :data:`Since`). The task is
an audit table, a demand or index table (one level each), or ``coverage`` (both coverage
tables: their counts come from one pass over the sightings)."""
WHOLE = "_whole"
"""Scratch table naming the tables a task recomputed whole although asked for some periods."""

COVERAGE = "coverage"
COVERAGE_TABLES = {g.coverage_table: g for g in (WEEKLY, MONTHLY)}
INDEX_TABLES = {g.index_table: g for g in (WEEKLY, MONTHLY)}


def _inputs(database: Path, as_of_day: str) -> Inputs:
    key = (database, as_of_day)
    if key not in _INPUTS:
        _INPUTS.clear()
        db = read_only(database)
        watching = load_watching(db, date.fromisoformat(as_of_day))
        _INPUTS[key] = Inputs(watching, load_clusters(db, watching), family_codes())
        db.close()
    return _INPUTS[key]


def _columns(table: str) -> tuple[str, ...]:
    if table in AUDIT_TABLES:
        return AUDIT_TABLES[table][0]
    if table in COVERAGE_TABLES:
        return COVERAGE_COLUMNS
    if table in INDEX_TABLES:
        return tuple(INDEX_COLUMNS)
    return tuple(TREND_COLUMNS)


def _targets(task: str) -> tuple[str, ...]:
    return tuple(COVERAGE_TABLES) if task == COVERAGE else (task,)


def task_rows(database: Path, task: TrendTask
              ) -> tuple[dict[str, list[tuple[Any, ...]]], set[str]]:
    """The rows one task gives each of its tables, and the tables it gave every row of."""
    name, level, as_of_day, min_cell, (since_day, earlier_days) = task
    since = date.fromisoformat(since_day) if since_day else None
    earlier = {(geo_level, code): date.fromisoformat(day)
               for geo_level, code, day in earlier_days}
    if name in AUDIT_TABLES:
        db = read_only(database)
        try:
            return {name: AUDIT_TABLES[name][1](db, min_cell)}, {name}
        finally:
            db.close()
    inputs = _inputs(database, as_of_day)
    if name == COVERAGE:
        db = read_only(database)
        try:
            listed = listed_counts(db, inputs.watching, tuple(COVERAGE_TABLES.values()), since)
            if since is not None:
                _stored_listed(db, listed, earlier, since)
        finally:
            db.close()
        return {table: coverage_rows(inputs.watching, granularity,
                                     stock_counts(inputs.frame(granularity)),
                                     listed[granularity.table],
                                     granularity.index(since) if since else None,
                                     {geo: granularity.index(day) for geo, day in earlier.items()})
                for table, granularity in COVERAGE_TABLES.items()}, \
            set() if since else set(COVERAGE_TABLES)
    if name in INDEX_TABLES:
        return {name: index_rows(inputs.frame(INDEX_TABLES[name]), level)}, {name}
    granularity = GRANULARITIES[name]
    before: set[str] | None = None
    if since is not None:
        db = read_only(database)
        try:
            before = {row[0] for row in db.conn.execute(
                f"select distinct role_family from [{name}] where geo_level = ?",
                (GEO_LEVELS[level],))}
        finally:
            db.close()
    rows, whole = demand_rows(inputs.frame(granularity), min_cell, level,
                              granularity.index(since) if since else None, before,
                              {code: granularity.index(day)
                               for (geo_level, code), day in earlier.items()
                               if geo_level == level})
    return {name: rows}, {name} if whole else set()


def _stored_listed(db: Database, listed: dict[str, tuple[Counts, Counts]],
                   earlier: dict[Geo, date], first: date) -> None:
    """Add to ``listed`` (counted from ``first`` on) the stored counts of postings listed in
    the periods before ``first`` of the places recomputed from earlier (reading every sighting
    since their day cost more than the rest of the trend tables of a week's build).

    Nothing those counts read changed before ``first``: a run, a posting's place or a run's
    status that changes sets the build's day at or before it (db/changes.py). Where a place
    has no stored row (a board now covering it moved its window earlier), none of its postings
    was seen by a complete run: that run's board would have covered it then, so the window
    would have started there already; the count is 0."""
    wanted = {geo: day for geo, day in earlier.items() if day < first}
    if not wanted:
        return
    for table, granularity in COVERAGE_TABLES.items():
        counts = listed[granularity.table]
        low = granularity.start(granularity.index(min(wanted.values()))).isoformat()
        high = granularity.start(granularity.index(first)).isoformat()
        for level, code, start, postings, peer in db.conn.execute(
                f"select geo_level, geo_code, period_start, postings_listed, "
                f"peer_postings_listed from [{table}] where period_start >= ? "
                f"and period_start < ?", (low, high)):
            geo = (GEO_LEVEL_NUMBERS[level], code)
            if geo not in wanted:
                continue
            period = granularity.index(date.fromisoformat(start))
            if period < granularity.index(wanted[geo]):
                continue
            for cell, value in zip(counts, (postings, peer), strict=True):
                if value:
                    cell.setdefault(geo, {})[period] = value


def trends_part(database: Path, scratch: Path, task: TrendTask) -> None:
    """The rows of one trend task into scratch tables named after their tables (a
    :func:`db.parallel.map_parts` task)."""
    out = scratch_database(scratch)
    tables, whole = task_rows(database, task)
    out.execute(f"create table [{WHOLE}] (name text)")
    with out.atomic():
        out.conn.executemany(f"insert into [{WHOLE}] values (?)", [(t,) for t in whole])
    for table, rows in tables.items():
        columns = _columns(table)
        out.execute(f"create table [{table}] ({', '.join(columns)})")
        with out.atomic():
            out.conn.executemany(
                f"insert into [{table}] values ({', '.join('?' * len(columns))})", rows)
    out.close()


TREND_TABLES: tuple[str, ...] = (
    "title_variants", "employers_summary", WEEKLY.table, MONTHLY.table, WEEKLY.coverage_table,
    MONTHLY.coverage_table, WEEKLY.index_table, MONTHLY.index_table)


def build_trend_tables(db: Database, *, as_of: str | None, min_cell: int, workers: int = 0,
                       tables: tuple[str, ...] | None = None, since: str | None = None,
                       places_since: dict[Geo, str] | None = None) -> dict[str, int]:
    """Rebuild the trend tables (demand, coverage and index tables, weekly and monthly, and the
    audit tables ``title_variants`` and ``employers_summary``); returns how many rows each got.

    Each audit table, the coverage tables together, and each geography level of a demand or
    index table is one task for ``workers`` worker processes (none: in this process), the
    longest first. Rows are merged in key order. Without an as-of date (no run yet) the period
    tables are left empty.

    ``since`` (an ISO date: nothing the demand and coverage rows depend on changed before it,
    db/changes.py) keeps their rows of the periods before the one holding it, unless a board
    now covers other places than the stored ``source_geographies`` say (then from that board's
    first complete run on), a place changed its name or a level its families (then all of
    them). ``places_since`` gives places whose rows change from a day before ``since`` (the
    places of the clusters clustering changed, db/changes.py). The index and audit tables are
    recomputed whole.
    """
    wanted = tables or TREND_TABLES
    levels = sorted(range(len(GEO_LEVELS)), key=GEO_LEVELS.__getitem__)
    watching = load_watching(db, date.fromisoformat(as_of[:10])) if as_of else None
    earlier: dict[Geo, str] = {}
    if since is not None and watching is not None:
        since, earlier = _still_since(db, watching, since)
        if since is not None:
            for geo, day in (places_since or {}).items():
                if day < earlier.get(geo, since):
                    earlier[geo] = day
    since_day: Since = (since or "", tuple(sorted((level, code, day)
                                                   for (level, code), day in earlier.items())))
    logger.info("trend periods recomputed from %s%s", since or "the start",
                f" ({len(earlier)} place(s) from earlier)" if earlier else "")
    tasks: list[TrendTask] = [(table, -1, (as_of or "")[:10], min_cell, since_day)
                              for table in AUDIT_TABLES if table in wanted]
    if as_of:
        as_of_day = as_of[:10]
        if any(table in wanted for table in COVERAGE_TABLES):
            tasks.append((COVERAGE, -1, as_of_day, min_cell, since_day))
        tasks += [(granularity.table, level, as_of_day, min_cell, since_day)
                  for granularity in (WEEKLY, MONTHLY) if granularity.table in wanted
                  for level in levels]
        tasks += [(granularity.index_table, level, as_of_day, min_cell, since_day)
                  for granularity in (WEEKLY, MONTHLY) if granularity.index_table in wanted
                  for level in levels if level < INDEX_LEVELS]
    scratch = map_parts(db, trends_part, tasks, workers=workers, label="trends")
    _INPUTS.clear()
    counts = dict.fromkeys(wanted, 0)
    with db.atomic():
        for table in counts:
            if not since or table in AUDIT_TABLES or table in INDEX_TABLES:
                db.conn.execute(f"delete from {table}")
    for (name, level, _, _, _), part in zip(tasks, each_attached(db, scratch), strict=True):
        whole = {row[0] for row in db.conn.execute(f"select name from {part}.[{WHOLE}]")}
        for table in _targets(name):
            if table not in counts:
                continue
            columns = ", ".join(_columns(table))
            with db.atomic():
                if since and table not in AUDIT_TABLES and table not in INDEX_TABLES:
                    _delete_rows(db, table, level, None if table in whole else since)
                    for (geo_level, code), day in () if table in whole else earlier.items():
                        if level in (-1, geo_level):
                            _delete_rows(db, table, geo_level, day, code)
                counts[table] += db.conn.execute(
                    f"insert into {table} ({columns}) select * from {part}.[{table}]").rowcount
    if watching is not None:
        _store_source_geographies(db, watching)
    return counts


def _delete_rows(db: Database, table: str, level: int, since: str | None,
                 code: str | None = None) -> None:
    """A task's stored rows: its level's (every level's for coverage; one place's when
    ``code`` is given), from the period holding ``since`` on when given."""
    clauses, values = [], []
    if level >= 0:
        clauses.append("geo_level = ?")
        values.append(GEO_LEVELS[level])
    if code is not None:
        clauses.append("geo_code = ?")
        values.append(code)
    if since is not None:
        granularity = GRANULARITIES.get(table) or COVERAGE_TABLES[table]
        clauses.append("period_start >= ?")
        values.append(granularity.start(granularity.index(date.fromisoformat(since)))
                      .isoformat())
    where = f" where {' and '.join(clauses)}" if clauses else ""
    db.conn.execute(f"delete from [{table}]{where}", values)


SOURCE_GEOGRAPHIES = "source_geographies"


def _store_source_geographies(db: Database, watching: Watching) -> None:
    rows = sorted((source, GEO_LEVELS[level], code)
                  for source, geos in watching.geos.items() for level, code in geos)
    with db.atomic():
        db.conn.execute(f"delete from [{SOURCE_GEOGRAPHIES}]")
        db.conn.executemany(f"insert into [{SOURCE_GEOGRAPHIES}] values (?, ?, ?)", rows)


def _still_since(db: Database, watching: Watching, since: str
                 ) -> tuple[str | None, dict[Geo, str]]:
    """``since``, and the places whose rows change from earlier: those a board began or
    ceased to cover (its boards watched, perhaps its window, change since that board's first
    complete run). None (recompute everything) when a place's name changed or there is no
    record of the places boards covered."""
    stored: dict[str, set[Geo]] = defaultdict(set)
    for source, level, code in db.conn.execute(
            f"select source, geo_level, geo_code from [{SOURCE_GEOGRAPHIES}]"):
        stored[source].add((GEO_LEVEL_NUMBERS[level], code))
    if not stored:
        return None, {}
    earlier: dict[Geo, str] = {}
    for source in set(stored) | set(watching.geos):
        first = watching.first_complete(source)
        if first is None or first.isoformat() >= since:
            continue
        for geo in watching.geos.get(source, set()) ^ stored.get(source, set()):
            earlier[geo] = min(earlier.get(geo, since), first.isoformat())
    names = {(GEO_LEVELS[level], code): name for (level, code), name in watching.names.items()}
    for level, code, name in db.conn.execute(
            f"select distinct geo_level, geo_code, geo_name from [{WEEKLY.coverage_table}]"):
        if names.get((level, code), name) != name:
            return None, {}
    return since, earlier


def panel_info(db: Database, as_of: str | None) -> list[tuple[str, str, str]]:
    """``build_info`` rows on the panel and the latest complete periods."""
    if not as_of:
        return []
    watching = load_watching(db, date.fromisoformat(as_of[:10]))
    rows = []
    for granularity, unit in ((WEEKLY, "week"), (MONTHLY, "month")):
        last = watching.last_period(granularity)
        rows.append((f"latest_complete_{unit}", granularity.start(last - 1).isoformat(),
                     f"The latest complete {unit} (the {unit} holding the as-of date is "
                     "still going on: its rows carry complete = 0)."))
        panel = choose_panel(watching, granularity)
        if panel is None:
            continue
        rows.append((f"panel_base_{unit}", granularity.start(panel.base).isoformat(),
                     f"Base period (index 100) of {granularity.index_table}: the first {unit} "
                     f"in which any board had a complete run (or {PANEL_FROM_ENV}, when set)."))
        rows.append((f"panel_boards_{unit}ly", str(len(panel.boards)),
                     f"Boards in the constant panel of {granularity.index_table}: watched "
                     f"through the whole window, with a complete run in the {unit} of "
                     f"{granularity.start(panel.base).isoformat()} or before and one in the "
                     f"{unit} of {granularity.start(panel.end).isoformat()} or after."))
    return rows


# -- audit tables -----------------------------------------------------------------------------

VARIANT_COLUMNS = ("title_clean", "is_peer", "role_family", "role_title", "title_match",
                   "example_title", "postings", "clusters", "employers", "first_seen",
                   "last_seen")


def _sql_order(value: Any) -> tuple[int, Any]:
    """Sort key of SQLite's order for the values in these columns: NULL, numbers, text."""
    if value is None:
        return (0, 0)
    return (1, value) if isinstance(value, int | float) else (2, value)


def _mode(counts: dict[Any, int]) -> Any:
    """The most frequent value; ties go to the first in SQLite's order."""
    return min(counts.items(), key=lambda item: (-item[1], _sql_order(item[0])))[0]


def title_variant_rows(db: Database, min_cell: int = DEFAULT_MIN_CELL) -> list[tuple[Any, ...]]:
    """The rows of ``title_variants`` (in the order of :data:`VARIANT_COLUMNS`); ``min_cell``
    is unused (the table has counts only, which are never suppressed).

    Per (cleaned title, peer flag, family, canonical title): postings; distinct clusters and
    employers; first and last seen; the most used taxonomy match and title as posted (ties: the
    first in SQLite's order). One pass over postings, aggregated here: three GROUP BY queries
    each sorted the whole table.
    """
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for (title_clean, is_peer, family, role_title, match, title, cluster_id, employer_id,
         first_seen, last_seen) in db.conn.execute(
        "select title_clean, is_peer, role_family, role_title, title_match, title, cluster_id, "
        "employer_id, first_seen, last_seen from postings where title_clean is not null"
    ):
        key = (title_clean, is_peer, family, role_title)
        group = groups.get(key)
        if group is None:
            group = groups[key] = [0, set(), set(), None, None, defaultdict(int),
                                   defaultdict(int)]
        group[0] += 1
        if cluster_id is not None:
            group[1].add(cluster_id)
        if employer_id is not None:
            group[2].add(employer_id)
        if first_seen is not None and (group[3] is None or first_seen < group[3]):
            group[3] = first_seen
        if last_seen is not None and (group[4] is None or last_seen > group[4]):
            group[4] = last_seen
        group[5][match] += 1
        group[6][title] += 1
    return [
        (*key, _mode(matches), _mode(titles), postings, len(clusters), len(employers),
         first_seen, last_seen)
        for key, (postings, clusters, employers, first_seen, last_seen, matches, titles)
        in sorted(groups.items(), key=lambda item: tuple(map(_sql_order, item[0])))
    ]


SUMMARY_COLUMNS = ("employer_id", "name", "postings", "peer_postings", "open_peer_postings",
                   "peer_share", "peer_pay_hourly_median", "n_pay", "pay_withheld", "states",
                   "first_seen", "last_seen")


def employers_summary_rows(db: Database, min_cell: int) -> list[tuple[Any, ...]]:
    """The rows of ``employers_summary`` (in the order of :data:`SUMMARY_COLUMNS`)."""
    # Every query reads clusters in storage order (NOT INDEXED) and sorts what it keeps: walked
    # through idx_clusters_employer_id, each row is a lookup (10 s against 2 at a million).
    pays: dict[int, list[float]] = defaultdict(list)
    for employer_id, pay in db.conn.execute(
        "select employer_id, pay_hourly from clusters not indexed where is_peer = 1 and "
        "employer_id is not null and pay_hourly is not null order by employer_id, pay_hourly"
    ):
        pays[employer_id].append(pay)
    states: dict[int, set[str]] = defaultdict(set)
    for employer_id, state in db.conn.execute(
        "select distinct employer_id, state from clusters not indexed "
        "where employer_id is not null and state is not null"
    ):
        states[employer_id].add(state)
    rows = []
    for (employer_id, name, total, peer, open_peer, first_seen, last_seen) in db.conn.execute(
        "select c.employer_id, e.name, count(*), coalesce(sum(c.is_peer = 1), 0), "
        "coalesce(sum(c.is_peer = 1 and c.status = 'open'), 0), min(c.first_seen), "
        "max(c.last_seen) from clusters c not indexed "
        "join employers e on e.employer_id = c.employer_id "
        "group by c.employer_id order by c.employer_id"
    ):
        values = pays.get(employer_id, [])
        pay_ok = len(values) >= min_cell
        rows.append((
            employer_id, name, total, peer, open_peer, round(peer / total, 4) if total else None,
            round(quantile(values, 0.5), 2) if pay_ok else None, len(values),
            int(not pay_ok) if values else None,
            json.dumps(sorted(states.get(employer_id, ()))),
            first_seen, last_seen,
        ))
    return rows


AUDIT_TABLES: dict[str, tuple[tuple[str, ...],
                              Callable[[Database, int], list[tuple[Any, ...]]]]] = {
    "title_variants": (VARIANT_COLUMNS, title_variant_rows),
    "employers_summary": (SUMMARY_COLUMNS, employers_summary_rows),
}
"""Tables computed whole by one task each: their columns and their rows."""
