"""Canonical employers: one id for every way a posting names the same organisation.

A posting's employer name is its own ``employer`` field, or the registry employer of its board
when the posting names none. Names are compared through normalize/employers.py; each name is
used in a state (the posting's state, else its board's). Names are linked only where the
evidence supports it:

1. **Same key** (same significant words in any order, legal forms and fillers dropped,
   abbreviations expanded): one employer in every state, except for generic keys ("Family
   Services") and initialisms ("ISK"), which are only one employer within a state.
2. **Spelling variants** (:func:`normalize.employers.fuzzy_same`) used in a common state.
3. **Subset names**: "Centerstone" and "Centerstone of Indiana" in a common state, when the
   shorter name is not generic, the longer one adds only place words (state names, compass
   words, "County": "MHMR Tarrant" and "MHMR of Tarrant County") and only one such longer name
   exists in that state.
4. **Initialisms**: "ISK" and "Integrated Services of Kalamazoo" when the short form is one of
   the long name's initialisms and exactly one long name in the state (or on a board they
   share) has it; ambiguous initialisms stay apart.
5. **Aliases the name gives itself**: "Behavioral Healthcare, Inc. (BHI)", "X d/b/a Y".

An employer's id is a stable hash of its canonical key, its display name the full-name variant
used on most postings (:func:`normalize.employers.display_rank`).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlite_utils import Database

from normalize.employers import (
    PLACE_WORDS,
    aliases,
    display_rank,
    employer_key,
    employer_tokens,
    fuzzy_same,
    initialisms,
    is_generic,
    short_form,
)

NameState = tuple[str, str | None]


@dataclass
class NameUse:
    """One employer name as used in one state, with the postings and sources behind it."""

    name: str
    state: str | None
    postings: int = 0
    sources: set[str] = field(default_factory=set)


@dataclass
class Employer:
    employer_id: int
    name: str
    name_key: str
    states: list[str]
    variants: list[str]
    sources: int
    postings: int
    names: dict[NameState, str]
    """Every (name, state) of the employer → how it was linked (key, fuzzy, subset, ...)."""


def stable_id(text: str) -> int:
    digest = hashlib.sha1(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.link: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        if parent != item:
            parent = self.parent[item] = self.find(parent)
        return parent

    def union(self, a: str, b: str, reason: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keep, join = min(ra, rb), max(ra, rb)
        self.parent[join] = keep
        self.link.setdefault(b if b != keep else a, reason)


def _unit(key: str, name: str, state: str | None) -> str:
    """Names with this key are one employer everywhere, or (generic, initialism) per state."""
    if not key:
        return f"raw|{name.strip().lower()}|{state or ''}"
    if is_generic(key) or short_form(name):
        return f"{key}|{state or ''}"
    return key


def canonical_employers(uses: Iterable[NameUse]) -> list[Employer]:
    """Group name uses into employers (rules in the module docstring), sorted by id."""
    uses = list(uses)
    unit_of: dict[NameState, str] = {}
    names_of: dict[str, list[NameUse]] = defaultdict(list)
    states_of: dict[str, set[str]] = defaultdict(set)
    for use in uses:
        unit = _unit(employer_key(use.name), use.name, use.state)
        unit_of[(use.name, use.state)] = unit
        names_of[unit].append(use)
        if use.state:
            states_of[unit].add(use.state)
    groups = _UnionFind()
    for unit in names_of:
        groups.find(unit)
    long_units = [u for u in names_of if not any(short_form(n.name) for n in names_of[u])]
    by_state: dict[str, list[str]] = defaultdict(list)
    for unit in long_units:
        for state in states_of[unit]:
            by_state[state].append(unit)

    # 2 and 3: spelling variants and subset names, within a state.
    for _state, units in sorted(by_state.items()):
        tokens = {u: employer_tokens(names_of[u][0].name) for u in units}
        index: dict[str, list[str]] = defaultdict(list)
        for unit in units:
            for token in set(tokens[unit]):
                index[token].append(unit)
        for unit in sorted(units):
            mine = set(tokens[unit])
            rare = [t for t in mine if len(index[t]) <= 200] or list(mine)
            candidates = sorted({o for t in rare for o in index[t] if o > unit})
            for other in candidates:
                if fuzzy_same(names_of[unit][0].name, names_of[other][0].name):
                    groups.union(unit, other, "fuzzy")
            if is_generic(" ".join(mine)) or not mine:
                continue
            containers = {groups.find(o) for t in mine for o in index[t]
                          if o != unit and mine < set(tokens[o])
                          and set(tokens[o]) - mine <= PLACE_WORDS}
            if len(containers) == 1:
                groups.union(unit, next(iter(containers)), "subset")

    # 4 and 5: initialisms and self-declared aliases.
    by_initial: dict[tuple[str, str], set[str]] = defaultdict(set)
    by_source_initial: dict[tuple[str, str], set[str]] = defaultdict(set)
    for unit in long_units:
        for use in names_of[unit]:
            for initial in initialisms(use.name):
                if use.state:
                    by_initial[(use.state, initial)].add(unit)
                for source in use.sources:
                    by_source_initial[(source, initial)].add(unit)
    for unit, unit_uses in sorted(names_of.items()):
        for use in unit_uses:
            short = short_form(use.name)
            if short:
                found = by_initial.get((use.state or "", short), set())
                if not found:
                    found = set().union(*(by_source_initial.get((src, short), set())
                                          for src in sorted(use.sources)))
                roots = {groups.find(u) for u in found}
                if len(roots) == 1:
                    groups.union(unit, next(iter(roots)), "initialism")
            for alias in aliases(use.name):
                alias_short = short_form(alias)
                if alias_short:
                    target = f"{alias_short}|{use.state or ''}"
                else:
                    target = _unit(employer_key(alias), alias, use.state)
                if target in names_of and target != unit:
                    groups.union(unit, target, "alias")

    members: dict[str, list[str]] = defaultdict(list)
    for unit in names_of:
        members[groups.find(unit)].append(unit)
    employers: list[Employer] = []
    for root, units in members.items():
        group_uses = [use for unit in units for use in names_of[unit]]
        totals: dict[str, int] = defaultdict(int)
        for use in group_uses:
            totals[use.name] += use.postings
        name = min(totals, key=lambda n: display_rank(n, totals[n]))
        key = employer_key(name) or name.strip().lower()
        names = {(use.name, use.state): groups.link.get(unit_of[(use.name, use.state)], "key")
                 for use in group_uses}
        employers.append(Employer(
            employer_id=stable_id(root),
            name=name,
            name_key=key,
            states=sorted({use.state for use in group_uses if use.state}),
            variants=sorted(totals, key=lambda n: display_rank(n, totals[n])),
            sources=len(set().union(*(use.sources for use in group_uses))),
            postings=sum(totals.values()),
            names=names,
        ))
    employers.sort(key=lambda e: e.employer_id)
    return employers


@dataclass(frozen=True)
class EmployerMap:
    """``(name, state) → employer_id`` for every name in the database."""

    ids: dict[NameState, int]
    board_employers: dict[str, str]

    def posting_name(self, employer: str | None, source: str | None) -> str | None:
        """The name a posting is counted under: its own, else its board's registry employer."""
        name = (employer or "").strip()
        return name or self.board_employers.get(source or "") or None

    def employer_id(self, employer: str | None, state: str | None, source: str | None) -> int | None:
        name = self.posting_name(employer, source)
        return self.ids.get((name, state)) if name else None


def _board_employers(db: Database) -> dict[str, str]:
    rows = db.conn.execute(
        "select source, max(employer) from runs where employer is not null and employer != '' "
        "group by source")
    return {source: employer for source, employer in rows}


def canonicalize(db: Database, table: str = "postings") -> EmployerMap:
    """Rebuild ``employers`` and ``employer_names`` from postings (or a narrow copy of their
    ``employer``, ``state``, ``board_state`` and ``source`` columns); return the name → id map."""
    boards = _board_employers(db)
    empty = EmployerMap({}, boards)
    uses: dict[NameState, NameUse] = {}
    for employer, state, source, count in db.conn.execute(
        f"select employer, coalesce(state, board_state), source, count(*) from [{table}] "
        f"group by 1, 2, 3"
    ):
        name = empty.posting_name(employer, source)
        if not name:
            continue
        use = uses.setdefault((name, state), NameUse(name, state))
        use.postings += count
        use.sources.add(source)
    employers = canonical_employers(sorted(uses.values(), key=lambda u: (u.name, u.state or "")))
    ids: dict[NameState, int] = {}
    name_rows = []
    for employer in employers:
        for (name, state), link in employer.names.items():
            ids[(name, state)] = employer.employer_id
            name_rows.append((name, state, employer.employer_id, employer_key(name), link,
                              uses[(name, state)].postings))
    name_rows.sort(key=lambda r: (r[0], r[1] or ""))
    with db.atomic():
        db.conn.execute("delete from employers")
        db.conn.executemany(
            "insert into employers (employer_id, name, name_key, states, variants, sources, "
            "postings) values (?, ?, ?, ?, ?, ?, ?)",
            [(e.employer_id, e.name, e.name_key, json.dumps(e.states),
              json.dumps(e.variants, ensure_ascii=False), e.sources, e.postings)
             for e in employers])
        db.conn.execute("delete from employer_names")
        db.conn.executemany(
            "insert into employer_names (name, state, employer_id, name_key, link, postings) "
            "values (?, ?, ?, ?, ?, ?)", name_rows)
    return EmployerMap(ids, boards)
