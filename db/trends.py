"""Trend tables, rebuilt from ``clusters`` and ``postings`` by every build.

``demand_weekly`` and ``demand_monthly``: one row per period × geography × role family, for
peer clusters only (``clusters.is_peer = 1``: a job posted on several sources counts once). A
cluster is counted with its representative's fields (db/dedup.py): state, county, metro,
region, division, role family, employer, pay and certification requirement.

* **Periods**: weeks start on Monday, months on the 1st; ``period_start`` is that date. The
  series runs from the period of the earliest ``active_from`` to the period holding the build's
  as-of date. Cells with no active cluster are left out (read them as zero).
* **Geographies** (``geo_level`` / ``geo_code`` / ``geo_name``): ``nation`` (US), ``region``
  and ``division`` (Census names as codes), ``state`` (USPS code), ``cbsa`` (2023 CBSA code
  and title), ``county`` (5-digit FIPS, "County, ST"). A cluster without a state counts in the
  nation only; one without a county is missing from the county level, and so on.
* **Role family**: each family code, plus ``all`` for every peer family together (including
  peer clusters the taxonomy could not place in a family).
* ``active_postings``: clusters whose active interval [``active_from``, ``active_to``] (both
  inclusive; an open cluster runs to the as-of date) overlaps the period.
* ``new_postings``: clusters whose ``active_from`` falls in the period.
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
* **Small cells**: shares are null when ``n`` is below the threshold (default 5; environment
  ``PEERJOBS_MIN_CELL`` or the build's ``min_cell`` argument), pay quantiles are null when
  ``n_pay`` is below it, and ``suppressed`` is 1 when either was withheld (a cell with no pay at
  all has nothing to withhold). Counts are never suppressed.

``title_variants``: every cleaned title with the family and canonical title the taxonomy gave
it, how many postings, clusters and employers used it, when it was first and last seen.

``employers_summary``: per canonical employer, its clusters, peer clusters, open peer clusters,
peer share, the median hourly pay of its peer clusters (same suppression), states, dates.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import us
from sqlite_utils import Database

from db.parallel import each_attached, map_parts, read_only, scratch_database
from db.schema import TREND_COLUMNS

GEO_LEVELS: tuple[str, ...] = ("nation", "region", "division", "state", "cbsa", "county")
ALL_FAMILIES = "all"
DEFAULT_MIN_CELL = 5
MIN_CELL_ENV = "PEERJOBS_MIN_CELL"
CERT_REQUIRED = frozenset({"required", "required_within"})
_MONDAY = date(1970, 1, 5).toordinal()


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


@dataclass(frozen=True)
class Granularity:
    table: str
    index: Callable[[date], int]
    start: Callable[[int], date]


def _week_index(day: date) -> int:
    return (day.toordinal() - _MONDAY) // 7


def _week_start(index: int) -> date:
    return date.fromordinal(_MONDAY + 7 * index)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


WEEKLY = Granularity("demand_weekly", _week_index, _week_start)
MONTHLY = Granularity("demand_monthly", _month_index, _month_start)


@dataclass(frozen=True, slots=True)
class TrendCluster:
    active_from: date
    active_to: date
    employer_id: int | None
    pay: float | None
    cert_required: bool
    families: tuple[str, ...]
    places: tuple[tuple[str, str, str] | None, ...]
    """(code, name) per level of :data:`GEO_LEVELS`, None where the cluster has none."""


def _state_name(code: str) -> str:
    found = us.states.lookup(code)
    return found.name if found else code


def places(row: dict[str, Any]) -> tuple[tuple[str, str, str] | None, ...]:
    """A cluster's geography at every level, as ``(level, code, name)``."""
    state = row.get("state")
    county = None
    if row.get("county_fips"):
        label = row.get("county") or row["county_fips"]
        county = ("county", row["county_fips"], f"{label}, {state}" if state else label)
    return (
        ("nation", "US", "United States"),
        ("region", row["region"], row["region"]) if row.get("region") else None,
        ("division", row["division"], row["division"]) if row.get("division") else None,
        ("state", state, _state_name(state)) if state else None,
        ("cbsa", row["cbsa_code"], row.get("cbsa_title") or row["cbsa_code"])
        if row.get("cbsa_code") else None,
        county,
    )


def load_clusters(db: Database, as_of_day: date) -> list[TrendCluster]:
    """Peer clusters with the fields the trend tables use, active intervals clipped to as-of."""
    clusters = []
    shared: dict[Any, Any] = {}  # one object per distinct place, family tuple and date
    for row in db.query(
        "select active_from, active_to, employer_id, pay_hourly, cert_requirement, "
        "role_family, state, county, county_fips, cbsa_code, cbsa_title, region, division "
        "from clusters where is_peer = 1 and active_from is not null order by cluster_id"
    ):
        start = shared.setdefault(row["active_from"], date.fromisoformat(row["active_from"]))
        end = shared.setdefault(row["active_to"], date.fromisoformat(row["active_to"])) \
            if row["active_to"] else as_of_day
        end = min(end, as_of_day)
        if start > end:
            continue
        family = row["role_family"]
        families = (family, ALL_FAMILIES) if family else (ALL_FAMILIES,)
        located = places(row)
        clusters.append(TrendCluster(
            start, end, row["employer_id"], row["pay_hourly"],
            row["cert_requirement"] in CERT_REQUIRED,
            shared.setdefault(families, families), shared.setdefault(located, located),
        ))
    return clusters


def _cell_rows(
    entries: list[tuple[int, int, TrendCluster]],
    starts_of: Callable[[int], str],
    key: tuple[str, str, str, str],
    min_cell: int,
) -> list[tuple[Any, ...]]:
    """Sweep one cell's clusters over its periods; one row per period with an active cluster.

    Between two periods where a cluster starts or ends, every figure but ``new_postings`` stays
    the same, so each figure is computed once per stretch.
    """
    level, code, name, family = key
    starts: dict[int, list[TrendCluster]] = defaultdict(list)
    ends: dict[int, list[TrendCluster]] = defaultdict(list)
    for first, last, cluster in entries:
        starts[first].append(cluster)
        ends[last + 1].append(cluster)
    moments = sorted(set(starts) | set(ends))
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
        new = starts.get(period, ())
        for cluster in new:
            active += 1
            certified += cluster.cert_required
            if cluster.employer_id is not None:
                employers[cluster.employer_id] += 1
            if cluster.pay is not None:
                insort(pays, cluster.pay)
        if not active:
            continue
        n_pay = len(pays)
        shares_ok = active >= min_cell
        pay_ok = n_pay >= min_cell
        figures = (
            active, len(employers),
            round(quantile(pays, 0.25), 2) if pay_ok else None,
            round(quantile(pays, 0.5), 2) if pay_ok else None,
            round(quantile(pays, 0.75), 2) if pay_ok else None,
            round(n_pay / active, 4) if shares_ok else None,
            round(certified / active, 4) if shares_ok else None,
            active, n_pay, int(not shares_ok or 0 < n_pay < min_cell),
        )
        rows.append((starts_of(period), level, code, name, family, len(new), *figures))
        stop = moments[position + 1] if position + 1 < len(moments) else period + 1
        rows.extend((starts_of(current), level, code, name, family, 0, *figures)
                    for current in range(period + 1, stop))
    return rows


def demand_rows(
    clusters: Sequence[TrendCluster], granularity: Granularity, min_cell: int, level: int,
    spans: Sequence[tuple[int, int]] | None = None,
) -> list[tuple[Any, ...]]:
    """Every row of one geography level of one trend table, sorted by code, family, period.

    ``spans`` are the clusters' first and last period indexes (computed here when not given).
    """
    if spans is None:
        spans = [(granularity.index(c.active_from), granularity.index(c.active_to))
                 for c in clusters]
    cells: dict[tuple[str, str], list[tuple[int, int, TrendCluster]]] = defaultdict(list)
    names: dict[str, str] = {}
    for cluster, (first, last) in zip(clusters, spans, strict=True):
        place = cluster.places[level]
        if place is None:
            continue
        _, code, name = place
        if code not in names or name < names[code]:
            names[code] = name
        span = (first, last, cluster)
        for family in cluster.families:
            cells[(code, family)].append(span)
    starts: dict[int, str] = {}

    def starts_of(index: int) -> str:
        if index not in starts:
            starts[index] = granularity.start(index).isoformat()
        return starts[index]

    rows: list[tuple[Any, ...]] = []
    for code, family in sorted(cells):
        key = (GEO_LEVELS[level], code, names[code], family)
        rows.extend(_cell_rows(cells[(code, family)], starts_of, key, min_cell))
    return rows


_CLUSTERS: dict[tuple[Path, str], list[TrendCluster]] = {}
"""Clusters loaded by this process for the trend tasks of one build (key: database, as-of)."""


TrendTask = tuple[str, int, str, int]
"""(table, geography level or -1, as-of date, small-cell threshold)."""


def trends_part(database: Path, scratch: Path, task: TrendTask) -> None:
    """The rows of one trend table (one geography level of a demand table) into the scratch
    table ``rows`` (a :func:`db.parallel.map_parts` task)."""
    table, level, as_of_day, min_cell = task
    if table in AUDIT_TABLES:
        db = read_only(database)
        rows = AUDIT_TABLES[table][1](db, min_cell)
        db.close()
        columns = AUDIT_TABLES[table][0]
    else:
        key = (database, as_of_day)
        if key not in _CLUSTERS:
            _CLUSTERS.clear()
            db = read_only(database)
            _CLUSTERS[key] = load_clusters(db, date.fromisoformat(as_of_day))
            db.close()
        granularity = WEEKLY if table == WEEKLY.table else MONTHLY
        rows = demand_rows(_CLUSTERS[key], granularity, min_cell, level)
        columns = tuple(TREND_COLUMNS)
    out = scratch_database(scratch)
    out.execute(f"create table rows ({', '.join(columns)})")
    with out.atomic():
        out.conn.executemany(f"insert into rows values ({', '.join('?' * len(columns))})",
                             rows)
    out.close()


def build_trend_tables(db: Database, *, as_of: str | None, min_cell: int, workers: int = 0,
                       tables: tuple[str, ...] | None = None) -> dict[str, int]:
    """Rebuild the trend tables (``demand_weekly``, ``demand_monthly``, and the audit tables
    ``title_variants`` and ``employers_summary``); returns their row counts.

    Each audit table and each demand table's geography level is one task for ``workers``
    worker processes (none: in this process), the audit tables first: they are the longest
    single tasks, and the demand levels fill in around them. Rows are merged in key order.
    """
    wanted = tables or (*AUDIT_TABLES, WEEKLY.table, MONTHLY.table)
    as_of_day = (as_of or date.max.isoformat())[:10]
    levels = sorted(range(len(GEO_LEVELS)), key=GEO_LEVELS.__getitem__)
    tasks: list[TrendTask] = [(table, -1, as_of_day, min_cell)
                              for table in AUDIT_TABLES if table in wanted]
    tasks += [(granularity.table, level, as_of_day, min_cell)
              for granularity in (WEEKLY, MONTHLY) if granularity.table in wanted
              for level in levels]
    scratch = map_parts(db, trends_part, tasks, workers=workers, label="trends")
    _CLUSTERS.clear()
    counts = dict.fromkeys(wanted, 0)
    with db.atomic():
        for table in counts:
            db.conn.execute(f"delete from {table}")
    for (table, _, _, _), part in zip(tasks, each_attached(db, scratch), strict=True):
        columns = ", ".join(AUDIT_TABLES[table][0] if table in AUDIT_TABLES else TREND_COLUMNS)
        with db.atomic():
            counts[table] += db.conn.execute(
                f"insert into {table} ({columns}) select * from {part}.rows").rowcount
    return counts


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
                   "peer_share", "peer_pay_hourly_median", "n_pay", "suppressed", "states",
                   "first_seen", "last_seen")


def employers_summary_rows(db: Database, min_cell: int) -> list[tuple[Any, ...]]:
    """The rows of ``employers_summary`` (in the order of :data:`SUMMARY_COLUMNS`)."""
    pays: dict[int, list[float]] = defaultdict(list)
    for employer_id, pay in db.conn.execute(
        "select employer_id, pay_hourly from clusters where is_peer = 1 and "
        "employer_id is not null and pay_hourly is not null order by employer_id, pay_hourly"
    ):
        pays[employer_id].append(pay)
    states: dict[int, set[str]] = defaultdict(set)
    for employer_id, state in db.conn.execute(
        "select distinct employer_id, state from clusters where employer_id is not null "
        "and state is not null"
    ):
        states[employer_id].add(state)
    rows = []
    for (employer_id, name, total, peer, open_peer, first_seen, last_seen) in db.conn.execute(
        "select c.employer_id, e.name, count(*), coalesce(sum(c.is_peer = 1), 0), "
        "coalesce(sum(c.is_peer = 1 and c.status = 'open'), 0), min(c.first_seen), "
        "max(c.last_seen) from clusters c join employers e on e.employer_id = c.employer_id "
        "group by c.employer_id order by c.employer_id"
    ):
        values = pays.get(employer_id, [])
        pay_ok = len(values) >= min_cell
        rows.append((
            employer_id, name, total, peer, open_peer, round(peer / total, 4) if total else None,
            round(quantile(values, 0.5), 2) if pay_ok else None, len(values),
            int(0 < len(values) < min_cell), json.dumps(sorted(states.get(employer_id, ()))),
            first_seen, last_seen,
        ))
    return rows


AUDIT_TABLES: dict[str, tuple[tuple[str, ...],
                              Callable[[Database, int], list[tuple[Any, ...]]]]] = {
    "title_variants": (VARIANT_COLUMNS, title_variant_rows),
    "employers_summary": (SUMMARY_COLUMNS, employers_summary_rows),
}
"""Tables computed whole by one task each: their columns and their rows."""
