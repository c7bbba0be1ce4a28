"""Incremental clustering from stored matching pairs (issue 16): :func:`db.dedup.recluster`
compares only the pairs with a changed posting, reads the others' pairs as stored, and forms
again only the connected parts a change reaches; with the clusters the other parts keep, it
must give exactly what clustering the whole block afresh gives, pairs and clusters alike.

Checked against :func:`db.dedup.cluster_block` on random blocks (titles from a few words, so
that some pairs match and some conflict; three sources, so that a cluster can refuse a second
posting of one source; pay and county that veto pairs), after random changes: postings edited,
moved out of the block, and new ones.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace

import pytest

from db.dedup import (
    DedupRecord,
    Edge,
    block_edges,
    cluster_block,
    greedy_clusters,
    recluster,
)

TITLES = ["peer support specialist", "peer support specialist ii", "recovery coach",
          "peer recovery coach", "peer support specialist part time", "peer specialist"]
DAYS = ["2026-01-05", "2026-01-20", "2026-02-10", "2026-03-30", "2026-06-01"]


def no_text(pid: int) -> None:
    return None


def record(rng: random.Random, pid: int) -> DedupRecord:
    start = rng.randrange(len(DAYS) - 1)
    end = rng.randrange(start, len(DAYS))
    title = rng.choice(TITLES)
    return DedupRecord(
        id=pid, source=rng.choice(["greenhouse:a", "lever:b", "jsonld:c"]), state="MI",
        is_peer=1, role_family="peer_support_mh", employer_id=7, title=title,
        county_fips=rng.choice(["26077", "26077", None, "26163"]),
        hourly=rng.choice([None, 18.0, 19.0, 25.0]), active_from=DAYS[start],
        active_end=DAYS[end], first_seen=DAYS[start],
        levels=frozenset({"2"}) if title.endswith(" ii") else frozenset())


def ids(clusters: list[list[DedupRecord]]) -> list[list[int]]:
    return sorted([r.id for r in members] for members in clusters)


def both_ways(edges: list[Edge]) -> dict[int, list[tuple[int, int, float]]]:
    stored: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    for score, a, b in edges:
        stored[a].append((a, b, -score))
        stored[b].append((b, a, -score))
    return stored


@pytest.mark.parametrize("seed", range(400))
def test_recluster_equals_clustering_the_block_afresh(seed: int) -> None:
    rng = random.Random(seed)
    before = [record(rng, pid) for pid in range(1, rng.randrange(4, 30))]
    stored_edges = block_edges(before, no_text)
    stored = both_ways(stored_edges)
    cluster_of = {r.id: members[0].id
                  for members in greedy_clusters(before, stored_edges) for r in members}

    after: list[DedupRecord] = []
    fresh: set[int] = set()
    gone: set[int] = set()
    for old in before:
        roll = rng.random()
        if roll < 0.08:
            gone.add(old.id)  # moved to another block
        elif roll < 0.2:
            changed = record(rng, old.id)
            after.append(replace(changed, source=old.source) if rng.random() < 0.5 else changed)
            fresh.add(old.id)
        else:
            after.append(old)
    for pid in range(100, 100 + rng.randrange(0, 4)):
        after.append(record(rng, pid))
        fresh.add(pid)
    stale = {cluster_of[pid] for pid in fresh | gone if pid in cluster_of}
    seeds = {r.id for r in after if cluster_of.get(r.id) in stale}

    def neighbours(asked: list[int]) -> Iterator[tuple[int, int, float]]:
        assert not set(asked) & fresh  # a changed posting's stored pairs are never read
        for pid in asked:
            yield from stored[pid]

    formed, new_edges = recluster(after, fresh, seeds, neighbours, no_text)
    reached = {r.id for members in formed for r in members}
    kept: dict[int, list[DedupRecord]] = defaultdict(list)
    for r in after:
        if r.id not in reached:
            kept[cluster_of[r.id]].append(r)
    assert ids(formed + list(kept.values())) == ids(cluster_block(after, no_text))
    # The pairs stored after the build: the unchanged ones kept, the new ones added.
    unchanged = {(a, b) for _, a, b in stored_edges if not {a, b} & (fresh | gone)}
    assert unchanged | {(a, b) for _, a, b in new_edges} == \
        {(a, b) for _, a, b in block_edges(after, no_text)}
    assert all({a, b} & fresh for _, a, b in new_edges)


def test_a_part_no_change_reaches_keeps_its_clusters_unread() -> None:
    rng = random.Random(5)
    base = record(rng, 1)
    far = [replace(base, id=10, source="greenhouse:a", active_from="2026-06-01",
                   active_end="2026-06-01", first_seen="2026-06-01"),
           replace(base, id=11, source="lever:b", active_from="2026-06-01",
                   active_end="2026-06-01", first_seen="2026-06-01")]
    near = [replace(base, id=1, source="greenhouse:a", active_from="2026-01-05",
                    active_end="2026-01-05", first_seen="2026-01-05"),
            replace(base, id=2, source="lever:b", active_from="2026-01-05",
                    active_end="2026-01-05", first_seen="2026-01-05")]
    stored = both_ways(block_edges(near + far, no_text))
    assert sorted(stored) == [1, 2, 10, 11]
    asked: list[int] = []

    def neighbours(pids: list[int]) -> Iterator[tuple[int, int, float]]:
        asked.extend(pids)
        for pid in pids:
            yield from stored[pid]

    new = replace(base, id=3, source="jsonld:c", active_from="2026-01-05",
                  active_end="2026-01-05", first_seen="2026-01-05")
    formed, new_edges = recluster(near + far + [new], {3}, set(), neighbours, no_text)
    assert ids(formed) == [[1, 2, 3]] and sorted(asked) == [1, 2]
    assert sorted((a, b) for _, a, b in new_edges) == [(1, 3), (2, 3)]
