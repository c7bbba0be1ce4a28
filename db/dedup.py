"""Cross-source deduplication: the same job on several sources becomes one cluster.

**Blocking.** Postings are compared only within a block of the same state, the same peer flag
and role family, and the same canonical employer (db/employers.py decides employer identity,
including initialisms such as ISK = Integrated Services of Kalamazoo). Two postings of one
source are never one job: each source gives each job one id.

**Matching** (:func:`match_pair`; settings in :class:`MatchSettings`), all of:

* time: their active intervals overlap once each is widened by ``window_days`` (an open
  posting's interval runs to the build's as-of date);
* place: the same county FIPS code when both have one (the normalizer resolves a city to its
  county, so this is also the city test); otherwise the same state, from the block;
* pay: when both post pay, hourly midpoints within ``pay_tolerance`` of each other;
* title: rapidfuzz ``fuzz.token_set_ratio`` of the cleaned titles with
  ``processor=utils.default_process`` at least ``title_cutoff``, and no conflicting levels in
  the titles as posted ("Peer Support Specialist I" and "... II" are two jobs; a level on one
  side only is allowed: boards drop suffixes);
* text: when both descriptions have at least ``min_description_words`` words, rapidfuzz
  ``fuzz.ratio`` (no processor: the texts are normalized first, lower case and words only) of
  their first ``compare_chars`` characters, cut to the shorter text's length (an aggregator
  that shortens the text or adds a header still matches), at least ``description_cutoff`` —
  different jobs at one employer share boilerplate but not their duties. When either
  description is missing, the titles must agree closely instead (``fuzz.token_sort_ratio`` at
  least ``strict_title_cutoff``).

**Lifecycle.** The clusters use each posting's current lifecycle: when the build left it staged
(db/lifecycle.STAGED), this step reads it from there and writes it into postings together with
the employer and cluster ids, in one pass over postings instead of two.

**Clustering.** Matching pairs are merged best score first (union-find), never putting two
postings of one source in a cluster. ``cluster_id`` is the smallest posting id in the cluster.

**Representative** (the posting whose fields the cluster and the trend tables use): the
richest record — pay posted first, then a county known, then the longest description, then the
earliest first sighting, then the smallest id.

**Cluster lifetime.** ``active_from`` is the earliest member's, ``active_to`` null while any
member is open (else the latest member's), ``status`` open while any member is open.

**Incremental builds** look again only at the sub-blocks (one employer's postings of one peer
flag in a block) that hold a posting the build inserted or changed (db/changes.py) or whose
lifecycle changed, one whose employer changed or was renamed, or a member of a stored cluster
such a posting belonged to; the others' postings, hence their clusters, are as before (an open
posting's interval runs to the as-of date, but it already overlapped every posting that started
before it). Every matching pair is stored (``cluster_edges``): within a sub-block only the pairs
with a changed posting are compared again, and only the connected parts of the pairs that hold
one, or a member of its stored cluster, are clustered again (:func:`recluster`); the other
parts keep their clusters, whose rows are written again only when an open member was seen
again or the employer renamed.

**What changed.** Each block's new peer clusters are compared with the stored ones of its
postings (the columns the trend tables read); for every place of a changed, new or vanished
cluster (its old and its new places), the earliest day it counts from (a period earlier for
the stock, db/trends.py) is noted for the trend tables (db/changes.py), which keep that
place's periods before it. One old cluster changed must not recompute every place's months.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from itertools import chain, groupby
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, utils
from sqlite_utils import Database

from db.changes import TOUCHED, changed_since, note_places
from db.coverage import Geo, first_complete_days, places, watch_start
from db.employers import EmployerMap, canonicalize
from db.lifecycle import LIFECYCLE_COLUMNS, STAGED
from db.parallel import database_path, each_attached, map_parts, read_only, scratch_database
from db.schema import EDGES_TABLE, restore_indexes, suspend_indexes

TextKey = str
"""A description normalized for comparison (lower case, words only, cut short)."""


@dataclass(frozen=True)
class MatchSettings:
    window_days: int = 30
    """Active intervals widened by this many days on each side must overlap."""
    title_cutoff: float = 90.0
    """Minimum ``fuzz.token_set_ratio`` (0-100) of the cleaned titles."""
    strict_title_cutoff: float = 95.0
    """Minimum ``fuzz.token_sort_ratio`` when a description is missing on either side."""
    pay_tolerance: float = 0.15
    """Largest relative difference between hourly pay midpoints (when both post pay)."""
    description_cutoff: float = 80.0
    """Minimum ``fuzz.ratio`` (0-100) of the normalized descriptions (cut to equal length)."""
    min_description_words: int = 40
    """Descriptions shorter than this are treated as missing."""
    compare_chars: int = 1500
    """Only the first this many characters of a normalized description are compared."""


DEFAULT_MATCH = MatchSettings()


@dataclass
class DedupRecord:
    """What the matcher and the cluster table need from one posting."""

    id: int
    source: str
    state: str | None
    is_peer: int | None
    role_family: str | None
    employer_id: int | None
    title: str
    county_fips: str | None
    hourly: float | None
    active_from: str
    active_end: str
    """``active_to``, or the build's as-of date while the posting is open."""
    first_seen: str
    description_length: int = 0
    levels: frozenset[str] = frozenset()
    """Level markers of the title as posted (:func:`title_levels`)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Columns carried to the cluster table (the representative's)."""
    start: int = field(init=False)
    """``active_from`` as a day number (``date.toordinal``)."""
    end: int = field(init=False)
    """``active_end`` as a day number."""

    def __post_init__(self) -> None:
        self.start = date.fromisoformat(self.active_from[:10]).toordinal()
        self.end = date.fromisoformat(self.active_end[:10]).toordinal()


@dataclass(frozen=True)
class Match:
    score: float
    reason: str


_NOT_WORD = re.compile(r"[^a-z0-9]+")
_LEVEL = re.compile(
    r"\b(?:(I{1,3}|IV|V)|([1-5])|(senior|sr|junior|jr|trainee|level\s*[1-5]))\b(?!-)",
    re.IGNORECASE)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}


@lru_cache(maxsize=65536)
def title_levels(title: str | None) -> frozenset[str]:
    """Level markers in a title as posted: roman numerals or digits 1-5 standing alone
    ("Specialist II", "Coach 2"), senior, junior, trainee, "Level 3"; numerals as digits."""
    found: set[str] = set()
    for match in _LEVEL.finditer(title or ""):
        roman, digit, word = match.groups()
        if roman and roman.isupper():
            found.add(_ROMAN[roman.lower()])
        elif digit:
            found.add(digit)
        elif word:
            word = word.lower().replace(" ", "")
            found.add({"sr": "senior", "jr": "junior"}.get(word, word).removeprefix("level"))
    return frozenset(found)


def text_key(text: str | None, settings: MatchSettings = MatchSettings()) -> TextKey | None:
    """The description as compared, or None when it is too short to judge by."""
    if not text:
        return None
    words = _NOT_WORD.sub(" ", text[: 2 * settings.compare_chars].lower()).split()
    if len(words) < settings.min_description_words:
        return None
    return " ".join(words)[: settings.compare_chars]


def text_similarity(a: TextKey, b: TextKey, cutoff: float = 0.0) -> float:
    """``fuzz.ratio`` of two normalized descriptions cut to the shorter one's length (0 when
    below ``cutoff``: rapidfuzz then stops early on clearly different texts)."""
    size = min(len(a), len(b))
    return float(fuzz.ratio(a[:size], b[:size], processor=None, score_cutoff=cutoff))


def hourly_midpoint(low: float | None, high: float | None) -> float | None:
    """The middle of an hourly range (the one figure when only one is given), to the cent."""
    values = [v for v in (low, high) if v is not None and v > 0]
    return round(sum(values) / len(values), 2) if values else None


def match_pair(
    a: DedupRecord,
    b: DedupRecord,
    describe: Callable[[int], TextKey | None],
    settings: MatchSettings = MatchSettings(),
) -> Match | None:
    """The evidence that ``a`` and ``b`` are one job on two sources, or None (rules above)."""
    if a.source == b.source or a.employer_id is None or a.employer_id != b.employer_id:
        return None
    if (a.state, a.is_peer, a.role_family) != (b.state, b.is_peer, b.role_family):
        return None
    window = 2 * settings.window_days
    if a.start > b.end + window or b.start > a.end + window:
        return None
    if a.county_fips and b.county_fips and a.county_fips != b.county_fips:
        return None
    if a.hourly and b.hourly and \
            abs(a.hourly - b.hourly) / max(a.hourly, b.hourly) > settings.pay_tolerance:
        return None
    if a.levels and b.levels and a.levels != b.levels:
        return None
    title = fuzz.token_set_ratio(a.title, b.title, processor=utils.default_process,
                                 score_cutoff=settings.title_cutoff)
    if not title:
        return None
    text_a, text_b = describe(a.id), describe(b.id)
    if text_a is not None and text_b is not None:
        text = text_similarity(text_a, text_b, settings.description_cutoff)
        if text < settings.description_cutoff:
            return None
        return Match((title + text) / 2, "title+description")
    strict = fuzz.token_sort_ratio(a.title, b.title, processor=utils.default_process,
                                   score_cutoff=settings.strict_title_cutoff)
    return Match(strict, "title") if strict else None


def representative_key(record: DedupRecord) -> tuple[int, int, int, str, int]:
    """Sort key of the representative choice: pay, county, longest text, earliest, smallest id."""
    return (0 if record.hourly else 1, 0 if record.county_fips else 1,
            -record.description_length, record.first_seen, record.id)


Edge = tuple[float, int, int]
"""A matching pair as the clustering sorts it: (minus its score, smaller id, larger id)."""


def _candidate_pairs(records: list[DedupRecord], settings: MatchSettings,
                     fresh: set[int] | None = None
                     ) -> Iterator[tuple[DedupRecord, DedupRecord]]:
    """The pairs of a block from two sources whose widened intervals may meet (each once);
    with ``fresh``, only the pairs with a fresh record in them."""
    by_source: dict[str, list[DedupRecord]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.start, r.id)):
        by_source[record.source].append(record)
    reach = 2 * settings.window_days
    names = sorted(by_source)
    for index, first in enumerate(names):
        for second in names[index + 1:]:
            others = by_source[second]
            starts = [o.start for o in others]
            longest = max(o.end - o.start for o in others)
            new = others if fresh is None else [o for o in others if o.id in fresh]
            new_starts = starts if fresh is None else [o.start for o in new]
            for a in by_source[first]:
                pool, pool_starts = (others, starts) if fresh is None or a.id in fresh \
                    else (new, new_starts)
                low = bisect_left(pool_starts, a.start - reach - longest)
                high = bisect_right(pool_starts, a.end + reach)
                for b in pool[low:high]:
                    yield a, b


def block_edges(records: list[DedupRecord], describe: Callable[[int], TextKey | None],
                settings: MatchSettings = MatchSettings()) -> list[Edge]:
    """The matching pairs of a block."""
    edges: list[Edge] = []
    for a, b in _candidate_pairs(records, settings):
        found = match_pair(a, b, describe, settings)
        if found:
            edges.append((-found.score, min(a.id, b.id), max(a.id, b.id)))
    return edges


def greedy_clusters(records: list[DedupRecord], edges: Iterable[Edge]
                    ) -> list[list[DedupRecord]]:
    """Clusters of records from their matching pairs, best first, never two postings of one
    source in a cluster; members sorted by id, clusters by their first id. Merges inside one
    connected part of the pairs never depend on another part's."""
    parent = {r.id: r.id for r in records}
    held = {r.id: {r.source} for r in records}

    def root(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for _, x, y in sorted(edges):
        rx, ry = root(x), root(y)
        if rx == ry or held[rx] & held[ry]:
            continue
        keep, join = min(rx, ry), max(rx, ry)
        parent[join] = keep
        held[keep] |= held.pop(join)
    groups: dict[int, list[DedupRecord]] = defaultdict(list)
    for record in records:
        groups[root(record.id)].append(record)
    return [sorted(members, key=lambda r: r.id) for _, members in sorted(groups.items())]


def cluster_block(
    records: list[DedupRecord],
    describe: Callable[[int], TextKey | None],
    settings: MatchSettings = MatchSettings(),
) -> list[list[DedupRecord]]:
    """Clusters of one block (records of one state, family and employer), members sorted by id."""
    return greedy_clusters(records, block_edges(records, describe, settings))


Neighbours = Callable[[list[int]], Iterable[tuple[int, int, float]]]
"""Stored matching pairs of some postings: (posting, other posting, score) for each."""


def recluster(records: list[DedupRecord], fresh: set[int], seeds: set[int],
              stored: Neighbours, describe: Callable[[int], TextKey | None],
              settings: MatchSettings = MatchSettings(),
              load: Callable[[list[int]], None] | None = None,
              ) -> tuple[list[list[DedupRecord]], list[Edge]]:
    """Clusters of a block whose ``fresh`` records changed since its pairs were stored, as
    :func:`cluster_block` forms them, for the connected parts of the pairs that hold a fresh
    record or one of ``seeds`` (members of a stored cluster that must be formed again); and the
    new pairs (with a fresh record). A pair of two records that did not change matches as
    before, so it is read from ``stored``, and a part without a fresh record or a seed keeps its
    stored clusters: :func:`greedy_clusters` merges each part on its own. ``load`` is given the
    records the new pairs compare before they are compared (to read their texts at once)."""
    members = {r.id: r for r in records}
    candidates = list(_candidate_pairs(records, settings, fresh))
    if load is not None:
        load(sorted({r.id for pair in candidates for r in pair}))
    new_edges: list[Edge] = []
    linked: dict[int, list[int]] = defaultdict(list)
    for a, b in candidates:
        found = match_pair(a, b, describe, settings)
        if found:
            new_edges.append((-found.score, min(a.id, b.id), max(a.id, b.id)))
            linked[a.id].append(b.id)
            linked[b.id].append(a.id)
    reached = (fresh | seeds) & members.keys()
    frontier = sorted(reached)
    edges = list(new_edges)
    while frontier:
        following: list[int] = []
        for pid, other, score in stored([pid for pid in frontier if pid not in fresh]):
            if other not in members or other in fresh:
                continue
            if pid < other:  # each stored pair comes twice, once from each side
                edges.append((-score, pid, other))
            if other not in reached:
                reached.add(other)
                following.append(other)
        for pid in frontier:
            for other in linked.get(pid, ()):
                if other not in reached:
                    reached.add(other)
                    following.append(other)
        frontier = following
    return greedy_clusters([members[pid] for pid in sorted(reached)], edges), new_edges


# -- the database -----------------------------------------------------------------------------

INPUT_SCHEMA = "dedup_scratch"
_COPY_SQL = """
create table {schema}.dedup_input as
select p.id, source, state, is_peer, role_family, employer, board_state, title_clean, title,
  county_fips, hourly_min, hourly_max, {active_from} as active_from,
  coalesce({active_to}, :as_of) as active_end, {first_seen} as first_seen,
  {last_seen} as last_seen, {status} as status, {active_to} as active_to,
  length(description) as description_length, role_title, county, cbsa_code, cbsa_title, region,
  division, cert_requirement, employer_id, cluster_id
from postings p {join}
"""
"""One pass over postings in storage order into a narrow table (no descriptions), which the
tasks then read in block order: much cheaper than visiting the wide rows in block order. A
real table so that worker processes can read it, in a file of its own beside the database
(:func:`input_path`, attached as ``dedup_scratch``): built and dropped inside the database, its
pages (160 MB at a million postings) stayed there as free pages, which every later build copied
and checked."""


def input_path(database: Path) -> Path:
    """The file holding ``dedup_input`` while a database's postings are linked (a name the
    build's clean-up removes with its work file)."""
    return database.with_name(f"{database.name}.dedup_input")


CLUSTER_COLUMNS = (
    "cluster_id", "representative_id", "members", "sources", "is_peer", "role_family",
    "role_title", "title", "employer_id", "employer", "state", "county", "county_fips",
    "cbsa_code", "cbsa_title", "region", "division", "hourly_min", "hourly_max", "pay_hourly",
    "cert_requirement", "first_seen", "last_seen", "active_from", "active_to", "status",
)


def _records(rows: Iterable[tuple[Any, ...]], employers: EmployerMap, as_of_day: str
             ) -> Iterator[tuple[DedupRecord, int | None, int | None]]:
    for (pid, source, state, is_peer, family, employer, board_state, title_clean, title,
         county_fips, hourly_min, hourly_max, active_from, active_end, first_seen,
         last_seen, status, active_to, length, role_title, county, cbsa_code, cbsa_title,
         region, division, cert, old_employer, old_cluster) in rows:
        employer_id = employers.employer_id(employer, state or board_state, source)
        first_day = (first_seen or "")[:10] or as_of_day
        record = DedupRecord(
            id=pid, source=source, state=state, is_peer=is_peer, role_family=family,
            employer_id=employer_id, title=title_clean or title or "",
            county_fips=county_fips, hourly=hourly_midpoint(hourly_min, hourly_max),
            active_from=active_from or first_day, active_end=active_end or as_of_day,
            first_seen=first_seen or "", description_length=length or 0,
            levels=title_levels(title),
            extra={"title": title, "role_title": role_title, "county": county,
                   "cbsa_code": cbsa_code, "cbsa_title": cbsa_title, "region": region,
                   "division": division, "cert_requirement": cert,
                   "hourly_min": hourly_min, "hourly_max": hourly_max,
                   "last_seen": last_seen, "status": status, "active_to": active_to},
        )
        yield record, old_employer, old_cluster


def cluster_row(members: list[DedupRecord], employer_names: dict[int, str]) -> tuple[Any, ...]:
    """The ``clusters`` row of a cluster, in the order of :data:`CLUSTER_COLUMNS`."""
    rep = members[0] if len(members) == 1 else min(members, key=representative_key)
    extra = rep.extra
    if len(members) == 1:
        open_member = extra["status"] != "closed"
        active_to = None if open_member else extra["active_to"]
        first_seen, last_seen, active_from = rep.first_seen, extra["last_seen"], rep.active_from
        sources = f'["{rep.source}"]' if '"' not in rep.source else json.dumps([rep.source])
    else:
        open_member = any(m.extra["status"] != "closed" for m in members)
        ends = [m.extra["active_to"] for m in members if m.extra["active_to"]]
        active_to = None if open_member or not ends else max(ends)
        first_seen = min(m.first_seen for m in members)
        last_seen = max(m.extra["last_seen"] or "" for m in members) or None
        active_from = min(m.active_from for m in members)
        sources = json.dumps(sorted({m.source for m in members}))
    return (
        members[0].id, rep.id, len(members), sources, rep.is_peer, rep.role_family,
        extra["role_title"], extra["title"], rep.employer_id,
        employer_names.get(rep.employer_id) if rep.employer_id else None,
        rep.state, extra["county"], rep.county_fips, extra["cbsa_code"], extra["cbsa_title"],
        extra["region"], extra["division"], extra["hourly_min"], extra["hourly_max"],
        rep.hourly, extra["cert_requirement"], first_seen, last_seen, active_from, active_to,
        "open" if open_member else "closed",
    )


TREND_COLUMNS = ("cluster_id", "is_peer", "role_family", "employer_id", "state", "county",
                 "county_fips", "cbsa_code", "cbsa_title", "region", "division", "pay_hourly",
                 "cert_requirement", "first_seen", "active_from", "active_to", "sources")
"""The id of a cluster and the columns of ``clusters`` the trend tables read."""
_TREND_AT = [CLUSTER_COLUMNS.index(column) for column in TREND_COLUMNS]
_FIRST_SEEN, _FROM, _TO, _SOURCES = (TREND_COLUMNS.index(c)
                                     for c in ("first_seen", "active_from", "active_to", "sources"))
_PEER_AT = CLUSTER_COLUMNS.index("is_peer")
STOCK_MARGIN = timedelta(days=31)
"""The stock counts in the period before a cluster's first sighting at the earliest."""


ChangedPlaces = dict[Geo, str]
"""Place → the first day whose trend figures there may have changed."""


def _watched_from(row: tuple[Any, ...], firsts: dict[str, str]) -> tuple[Any, ...]:
    """A cluster's trend columns with its sources replaced by its watch start, the one thing
    the demand and coverage tables read of them (db/trends.py ``load_clusters``): the first
    complete run of the earliest-watched source, else its first sighting. A posting joining a
    cluster from a board watched no earlier changes none of its figures."""
    sources = json.loads(row[_SOURCES]) if row[_SOURCES] else ()
    first_seen = row[_FIRST_SEEN]
    watched = watch_start(sources, firsts.get) or (first_seen[:10] if first_seen else row[_FROM])
    return (*row[:_SOURCES], watched, *row[_SOURCES + 1:])


def _changed_places(db: Database, old_ids: set[int], rows: list[tuple[Any, ...]],
                    firsts: dict[str, str]) -> ChangedPlaces:
    """For each place of a peer cluster that differs between the stored clusters ``old_ids``
    and the block's new cluster ``rows`` (either version's places), the first day it counts
    from. Other places' figures do not read the cluster, so they keep their earlier periods.
    ``firsts``: each source's first complete run (:func:`_watched_from`).

    The trend tables count clusters by what they hold, never by id, so versions are compared
    without it: a posting with a smaller id joining a cluster renames it and changes nothing."""
    old: Counter[tuple[Any, ...]] = Counter()
    ids = sorted(old_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        old.update(_watched_from(row, firsts)[1:] for row in db.conn.execute(
            f"select {', '.join(TREND_COLUMNS)} from clusters where cluster_id in "
            f"({', '.join('?' * len(chunk))}) and is_peer = 1", chunk))
    new = Counter(_watched_from(tuple(row[i] for i in _TREND_AT), firsts)[1:] for row in rows
                  if row[_PEER_AT] == 1)
    # Per cluster but its end: the versions gone and those come.
    moved: dict[tuple[Any, ...], tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]] = {}
    for side, counts in enumerate((old - new, new - old)):
        for row, times in counts.items():
            moved.setdefault(row[:_TO - 1] + row[_TO:], ([], []))[side].extend([row] * times)
    changed: ChangedPlaces = {}
    for gone, came in moved.values():
        versions = gone + came
        days = []
        if len(gone) == 1 and len(came) == 1:
            # Only the end moved (a cluster closed or reopened): the periods before the
            # earlier end (an open cluster's runs to the as-of date, later than any) stay.
            days.append(min(row[_TO - 1] for row in versions if row[_TO - 1]))
        else:
            for row in versions:
                starts = [day for day in (row[_FIRST_SEEN - 1], row[_FROM - 1]) if day]
                if starts:
                    days.append(
                        (date.fromisoformat(min(starts)[:10]) - STOCK_MARGIN).isoformat())
        if not days:
            continue
        day = min(days)[:10]
        for row in versions:
            located = places(dict(zip(TREND_COLUMNS[1:], row, strict=True)))
            for level, place in enumerate(located):
                if place is not None:
                    key = (level, place[1])
                    if key not in changed or day < changed[key]:
                        changed[key] = day
    return changed


class _Descriptions:
    """Normalized descriptions of one block's postings: read together when the block is
    clustered (:meth:`load`), normalized only for the postings a pair comparison reaches."""

    def __init__(self, db: Database, settings: MatchSettings) -> None:
        self.db = db
        self.settings = settings
        self.raw: dict[int, str | None] = {}
        self.cached: dict[int, TextKey | None] = {}

    def load(self, ids: list[int]) -> None:
        self.raw, self.cached = {}, {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            self.raw.update(self.db.conn.execute(
                f"select id, substr(description, 1, ?) from postings where id in ({marks})",
                (2 * self.settings.compare_chars, *chunk)))

    def __call__(self, pid: int) -> TextKey | None:
        if pid not in self.cached:
            if pid not in self.raw:
                self.load([pid])
            self.cached[pid] = text_key(self.raw.get(pid), self.settings)
        return self.cached[pid]


Dirty = tuple[frozenset[int], frozenset[int], frozenset[int], frozenset[int]]
"""What an incremental build must cluster again: postings touched (inserted, changed, new
lifecycle), their stored clusters, employers renamed; and open postings only seen again
(their clusters stand, their rows are computed again)."""
DedupTask = tuple[list[str], str, MatchSettings, EmployerMap, dict[int, str], Dirty | None,
                  dict[str, str]]
"""States of the task ("" for postings without one), as-of date, settings, employers, what
is dirty (None: everything), each source's first complete run."""


def dedup_part(database: Path, scratch: Path, task: DedupTask) -> None:
    """Cluster the postings of some states into the scratch tables ``clusters`` and ``links``
    (postings whose employer or cluster changed), the stored clusters they replace into
    ``gone``, the matching pairs found into ``edges`` and the postings whose stored pairs they
    replace into ``unlinked``; a :func:`db.parallel.map_parts` task."""
    states, as_of_day, settings, employers, names, dirty, firsts = task
    db = read_only(database)
    out = scratch_database(scratch)
    out.execute(f"create table clusters ({', '.join(CLUSTER_COLUMNS)})")
    out.execute("create table links (id integer primary key, employer_id integer, "
                "cluster_id integer)")
    out.execute("create table changed (geo_level integer, geo_code text, day text)")
    out.execute("create table gone (cluster_id integer primary key)")
    out.execute("create table edges (id integer, other integer, score real)")
    out.execute("create table unlinked (id integer primary key)")
    db.conn.execute(f"attach database ? as {INPUT_SCHEMA}",
                    (f"file:{input_path(database)}?mode=ro",))
    describe = _Descriptions(db, settings)
    named = [state for state in states if state]
    marks = ", ".join("?" * len(named))
    cursor = db.conn.execute(
        f"select * from dedup_input where state in ({marks}) or (? and state is null) "
        f"order by state, role_family, id", (*named, "" in states))
    rows = (row for batch in iter(lambda: cursor.fetchmany(20_000), []) for row in batch)
    insert_cluster = f"insert into clusters values ({', '.join('?' * len(CLUSTER_COLUMNS))})"
    changed: ChangedPlaces = {}
    stored = _stored_pairs(db)
    with out.atomic():
        for _, raw_block in groupby(rows, key=lambda row: (row[2], row[4])):
            raw = list(raw_block)
            keys = [_sub_block(row, employers) for row in raw]
            redo, refresh, stale, changed_ids = _dirty_sub_blocks(raw, keys, dirty)
            if not redo and not refresh:
                continue
            # Records only for the sub-blocks formed again and, in those refreshed, for the
            # stored clusters with an open posting seen again (the others' rows stand).
            seen_again = {row[_OLD_CLUSTER] for row, key in zip(raw, keys, strict=True)
                          if key in refresh and row[_ID] in dirty[3]} if dirty else set()
            block = list(_records((row for row, key in zip(raw, keys, strict=True)
                                   if key in redo or (key in refresh
                                                      and row[_OLD_CLUSTER] in seen_again)),
                                  employers, as_of_day))
            by_employer: dict[SubBlock, list[DedupRecord]] = defaultdict(list)
            old = {record.id: (old_employer, old_cluster)
                   for record, old_employer, old_cluster in block}
            for record, _, _ in block:
                by_employer[(record.is_peer, record.employer_id)].append(record)
            clusters_rows: list[tuple[Any, ...]] = []
            links: list[tuple[int, int | None, int]] = []
            replaced: set[int] = set()
            # Clusters formed again, and the stored clusters their members were in: the
            # trend tables read only these. A kept cluster has its stored members, and they
            # changed nothing the trends read (an open posting seen again moves last_seen).
            formed_rows: list[tuple[Any, ...]] = []
            formed_from: set[int] = set()
            edges: list[Edge] = []
            unlinked: list[int] = []
            for key, records in by_employer.items():
                employer_id = key[1]
                fresh = {r.id for r in records if r.id in changed_ids}
                unlinked.extend(fresh)
                if key in refresh:
                    clusters = []
                elif employer_id is None or len({r.source for r in records}) == 1:
                    # No pair can match: each posting is its own cluster. Incrementally, only
                    # the changed ones and those of stale clusters are formed again.
                    clusters = [[r] for r in records if dirty is None or r.id in fresh
                                or old[r.id][1] in stale]
                elif dirty is None:
                    describe.load([r.id for r in records])
                    found = block_edges(records, describe, settings)
                    clusters = greedy_clusters(records, found)
                    edges.extend(found)
                else:
                    seeds = {r.id for r in records if old[r.id][1] in stale}
                    clusters, found = recluster(records, fresh, seeds, stored, describe,
                                                settings, describe.load)
                    edges.extend(found)
                kept = [] if dirty is None else _clusters_kept(
                    records, {m.id for members in clusters for m in members}, old, dirty[3],
                    employer_id in dirty[2])
                for formed, members in chain(((True, c) for c in clusters),
                                             ((False, c) for c in kept)):
                    row = cluster_row(members, names)
                    clusters_rows.append(row)
                    if formed:
                        formed_rows.append(row)
                    for member in members:
                        stored_cluster = old[member.id][1]
                        if stored_cluster is not None:
                            replaced.add(stored_cluster)
                            if formed:
                                formed_from.add(stored_cluster)
                        if old[member.id] != (member.employer_id, members[0].id):
                            links.append((member.id, member.employer_id, members[0].id))
            out.conn.executemany(insert_cluster, clusters_rows)
            out.conn.executemany("insert into links values (?, ?, ?)", links)
            out.conn.executemany("insert or ignore into gone values (?)",
                                 ((c,) for c in replaced))
            out.conn.executemany("insert into edges values (?, ?, ?)",
                                 ((x, y, -score) for score, a, b in edges
                                  for x, y in ((a, b), (b, a))))
            out.conn.executemany("insert into unlinked values (?)", ((i,) for i in unlinked))
            for place, day in _changed_places(db, formed_from, formed_rows, firsts).items():
                if place not in changed or day < changed[place]:
                    changed[place] = day
        out.conn.executemany("insert into changed values (?, ?, ?)",
                             ((level, code, day) for (level, code), day in changed.items()))
    out.close()
    db.close()


def _stored_pairs(db: Database) -> Neighbours:
    """The stored matching pairs (``cluster_edges``, both ways round) of some postings."""
    def neighbours(ids: list[int]) -> Iterator[tuple[int, int, float]]:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            yield from db.conn.execute(
                f"select id, other, score from {EDGES_TABLE} where id in "
                f"({', '.join('?' * len(chunk))})", chunk)
    return neighbours


def _clusters_kept(records: list[DedupRecord], formed: set[int],
                   old: dict[int, tuple[Any, Any]], extended: frozenset[int], renamed: bool
                   ) -> list[list[DedupRecord]]:
    """The stored clusters of a sub-block's records not formed again whose rows change: those
    with an open posting seen again, or all when the employer was renamed. The others stand
    as stored, rows and all."""
    kept = [r for r in records if r.id not in formed]
    clusters = _stored_clusters(kept, old)
    return clusters if renamed else [
        members for members in clusters if any(m.id in extended for m in members)]


SubBlock = tuple[int | None, int | None]
"""(peer flag, employer id) within a block."""


_ID, _SOURCE, _STATE, _PEER, _EMPLOYER, _BOARD_STATE = 0, 1, 2, 3, 5, 6
_OLD_EMPLOYER, _OLD_CLUSTER = 26, 27
"""Positions in a ``dedup_input`` row (:data:`_COPY_SQL`)."""


def _sub_block(row: tuple[Any, ...], employers: EmployerMap) -> SubBlock:
    return row[_PEER], employers.employer_id(row[_EMPLOYER], row[_STATE] or row[_BOARD_STATE],
                                             row[_SOURCE])


def _dirty_sub_blocks(raw: list[tuple[Any, ...]], keys: list[SubBlock], dirty: Dirty | None
                      ) -> tuple[set[SubBlock], set[SubBlock], set[int], set[int]]:
    """The sub-blocks (``keys``) of a block (its ``dedup_input`` rows) whose clusters must be formed
    again (all without ``dirty``), those whose stored clusters stand but whose rows must be
    computed again (an open posting seen again, nothing else dirty), the stored clusters that
    must be formed again, and the postings changed since their pairs were stored (touched,
    moved to another employer, or new): the stale clusters are theirs."""
    if dirty is None:
        return set(keys), set(), set(), set()
    touched, clusters, renamed, extended = dirty
    fresh = {row[_ID] for row, key in zip(raw, keys, strict=True)
             if row[_ID] in touched or key[1] != row[_OLD_EMPLOYER] or row[_OLD_CLUSTER] is None}
    stale = set(clusters) | {row[_OLD_CLUSTER] for row in raw
                             if row[_ID] in fresh and row[_OLD_CLUSTER] is not None}
    redo = {key for row, key in zip(raw, keys, strict=True)
            if row[_ID] in fresh or row[_OLD_CLUSTER] in stale or key[1] in renamed}
    refresh = {key for row, key in zip(raw, keys, strict=True) if row[_ID] in extended}
    return redo, refresh - redo, stale, fresh


def _stored_clusters(records: list[DedupRecord], old: dict[int, tuple[Any, Any]]
                     ) -> list[list[DedupRecord]]:
    """The records grouped as their stored clusters (members by id, clusters by first id),
    as :func:`cluster_block` gives them."""
    groups: dict[int, list[DedupRecord]] = defaultdict(list)
    for record in records:
        groups[old[record.id][1]].append(record)
    return sorted((sorted(members, key=lambda r: r.id) for members in groups.values()),
                  key=lambda members: members[0].id)


def _dirty(db: Database, staged: bool, old_names: dict[int, str], names: dict[int, str]
           ) -> Dirty | None:
    """What an incremental build must cluster again (None: everything, db/changes.py)."""
    full, _ = changed_since(db)
    if full:
        return None
    touched = {row[0] for row in db.conn.execute(f"select id from [{TOUCHED}]")}
    extended: set[int] = set()
    if staged:
        # An open posting seen again, open still from the same day: its interval grew only
        # past the previous as-of date, which every stored posting it could meet already
        # reached (an open one's interval runs to the as-of date), so every pair it forms
        # matches or not as before and its cluster stands; only the cluster's row changes
        # (last_seen). Most of a week's lifecycle changes at a million postings are these.
        extended = {row[0] for row in db.conn.execute(
            f"select c.id from [{STAGED}] c join postings p on p.id = c.id "
            f"where c.status = 'open' and p.status = 'open' and c.active_to is null "
            f"and p.active_to is null and c.active_from is p.active_from "
            f"and c.first_seen is p.first_seen "
            f"and c.id not in (select id from [{TOUCHED}])")}
        touched.update(row[0] for row in db.conn.execute(f"select id from [{STAGED}]"))
        touched -= extended
    # One pass over dedup_input (it has no index on id: a lookup per chunk of ids was a pass
    # per chunk, 28 s for a week at 1M postings).
    sources = f"select id from [{TOUCHED}]" + (f" union select id from [{STAGED}]" if staged
                                                 else "")
    clusters = {cluster for pid, cluster in db.conn.execute(
        f"select id, cluster_id from dedup_input where cluster_id is not null and id in "
        f"({sources})") if pid in touched}
    renamed = {employer for employer, name in names.items() if old_names.get(employer) != name}
    renamed |= set(old_names) - set(names)
    return frozenset(touched), frozenset(clusters), frozenset(renamed), frozenset(extended)


def _state_groups(db: Database, count: int) -> list[list[str]]:
    """States split into ``count`` groups of about equal numbers of postings."""
    sizes = db.conn.execute(
        "select coalesce(state, ''), count(*) from dedup_input group by 1 order by 2 desc, 1"
    ).fetchall()
    groups: list[list[str]] = [[] for _ in range(max(1, min(count, len(sizes))))]
    totals = [0] * len(groups)
    for state, size in sizes:
        smallest = totals.index(min(totals))
        groups[smallest].append(state)
        totals[smallest] += size
    return [sorted(group) for group in groups if group]


def link_postings(db: Database, *, as_of: str | None, settings: MatchSettings = DEFAULT_MATCH,
                  workers: int = 0) -> int:
    """Canonical employers (db/employers.py), then clusters: rebuild ``employers``,
    ``employer_names`` and ``clusters``; set ``employer_id`` and ``cluster_id`` of postings.

    Blocks are clustered by ``workers`` worker processes, states split among them (none: in
    this process); the answer does not depend on the split. Returns the number of postings
    whose employer or cluster changed.
    """
    as_of_day = (as_of or "9999-12-31")[:10]
    staged = bool(db.conn.execute("select 1 from sqlite_master where name = ?",
                                  (STAGED,)).fetchone())
    lifecycle = {column: f"case when c.id is null then p.{column} else c.{column} end"
                 if staged else f"p.{column}"
                 for column in ("active_from", "active_to", "first_seen", "last_seen", "status")}
    join = f"left join [{STAGED}] c on c.id = p.id" if staged else ""
    scratch_input = input_path(database_path(db))
    scratch_input.unlink(missing_ok=True)
    db.conn.execute(f"attach database ? as {INPUT_SCHEMA}", (str(scratch_input),))
    try:
        return _link(db, as_of_day, settings, workers, staged, lifecycle, join)
    finally:
        if db.conn.in_transaction:
            db.conn.rollback()
        db.conn.execute(f"detach database {INPUT_SCHEMA}")
        scratch_input.unlink(missing_ok=True)


def _link(db: Database, as_of_day: str, settings: MatchSettings, workers: int, staged: bool,
          lifecycle: dict[str, str], join: str) -> int:
    db.conn.execute(f"PRAGMA {INPUT_SCHEMA}.journal_mode=OFF")
    db.conn.execute(f"PRAGMA {INPUT_SCHEMA}.synchronous=OFF")
    with db.atomic():
        # Builds before the table had a file of its own dropped it when done; a copy left in
        # the database would be found first by every unqualified name below.
        db.conn.execute("drop table if exists main.dedup_input")
        db.conn.execute(_COPY_SQL.format(schema=INPUT_SCHEMA, join=join, **lifecycle), {"as_of": as_of_day})
        db.conn.execute(f"create index {INPUT_SCHEMA}.dedup_input_block "
                        f"on dedup_input (state, role_family, id)")
    old_names = {row[0]: row[1] for row in db.conn.execute(
        "select employer_id, name from employers")}
    employers = canonicalize(db, "dedup_input")
    names = {row[0]: row[1] for row in db.conn.execute("select employer_id, name from employers")}
    dirty = _dirty(db, staged, old_names, names)
    groups = _state_groups(db, 4 * workers if workers > 1 else 1)
    firsts = first_complete_days(db, as_of_day)
    tasks: list[DedupTask] = [(group, as_of_day, settings, employers, names, dirty, firsts)
                              for group in groups]
    scratch = map_parts(db, dedup_part, tasks, workers=workers, label="dedup")
    with db.atomic():
        db.conn.execute("create temp table dedup_links "
                        "(id integer primary key, employer_id integer, cluster_id integer)")
        db.conn.execute(f"create temp table dedup_new ({', '.join(CLUSTER_COLUMNS)})")
        db.conn.execute("create temp table dedup_gone (cluster_id integer primary key)")
        db.conn.execute("create temp table dedup_edges (id integer, other integer, score real)")
        db.conn.execute("create temp table dedup_unlinked (id integer primary key)")
        if dirty is None:
            db.conn.execute("delete from clusters")
            db.conn.execute(f"delete from {EDGES_TABLE}")
    # Clusters rebuilt whole have their indexes built once afterwards, over sorted keys, rather
    # than kept current through a million inserts in hash order. Clusters formed again replace
    # the stored ones once every part is read (a posting may have moved between parts).
    deferred = suspend_indexes(db, ("clusters",)) if dirty is None else []
    into = "clusters" if dirty is None else "temp.dedup_new"
    for part in each_attached(db, scratch):
        with db.atomic():
            db.conn.execute(f"insert into {into} select * from {part}.clusters "
                            f"order by cluster_id")
            db.conn.execute(f"insert or ignore into temp.dedup_gone select * from {part}.gone")
            db.conn.execute(f"insert into temp.dedup_links select * from {part}.links")
            # Every part's unlinked postings lose their stored pairs before any new pair is
            # written: a posting that moved to another state left its pairs in another part.
            db.conn.execute(f"insert into {EDGES_TABLE if dirty is None else 'temp.dedup_edges'}"
                            f" select * from {part}.edges order by id, other")
            db.conn.execute(f"insert into temp.dedup_unlinked select * from {part}.unlinked")
            note_places(db, {(level, code): day for level, code, day in db.conn.execute(
                f"select geo_level, geo_code, day from {part}.changed")}, "a peer cluster changed")
    restore_indexes(db, deferred)
    with db.atomic():
        if dirty is not None:
            db.conn.execute("delete from clusters where cluster_id in "
                            "(select cluster_id from temp.dedup_gone)")
            db.conn.execute("insert into clusters select * from temp.dedup_new "
                            "order by cluster_id")
            db.conn.execute(f"delete from {EDGES_TABLE} where (id, other) in (select other, id "
                            f"from {EDGES_TABLE} where id in (select id from temp.dedup_unlinked))")
            db.conn.execute(f"delete from {EDGES_TABLE} where id in "
                            f"(select id from temp.dedup_unlinked)")
            db.conn.execute(f"insert into {EDGES_TABLE} select * from temp.dedup_edges "
                            f"order by id, other")
        for table in ("dedup_new", "dedup_gone", "dedup_edges", "dedup_unlinked"):
            db.conn.execute(f"drop table temp.{table}")
    changed = int(db.conn.execute("select count(*) from temp.dedup_links").fetchone()[0])
    with db.atomic():
        if staged:
            _apply_with_lifecycle(db)
        else:
            db.conn.execute(
                "update postings set employer_id = l.employer_id, cluster_id = l.cluster_id "
                "from temp.dedup_links as l where postings.id = l.id")
        db.conn.execute("drop table temp.dedup_links")
    return changed


def _apply_with_lifecycle(db: Database) -> None:
    """Write the staged lifecycle changes and the new employer and cluster ids in one pass
    over postings (each pass rewrites rows of a few KB); then drop the staged changes."""
    life = ", ".join(f"c.{column}" for column in LIFECYCLE_COLUMNS)
    db.conn.execute(
        f"create temp table dedup_apply as select coalesce(c.id, l.id) as id, "
        f"c.id is not null as has_life, {life}, l.id is not null as has_link, l.employer_id, "
        f"l.cluster_id from [{STAGED}] c full outer join temp.dedup_links l on l.id = c.id "
        f"order by 1")
    assignments = [f"{column} = case when a.has_life then a.{column} else postings.{column} end"
                   for column in LIFECYCLE_COLUMNS]
    assignments += [f"{column} = case when a.has_link then a.{column} else postings.{column} end"
                    for column in ("employer_id", "cluster_id")]
    db.conn.execute(f"update postings set {', '.join(assignments)} from temp.dedup_apply as a "
                    f"where postings.id = a.id")
    db.conn.execute("drop table temp.dedup_apply")
    db.conn.execute(f"drop table [{STAGED}]")
