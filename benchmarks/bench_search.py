"""search_postings within a state: the query as it is beside the ones it replaced, same run.

Run: ``.venv/bin/python benchmarks/bench_search.py DATABASE [--q "peer support"] [--repeat 20]``
on a built database of the current schema (migration 0008), for example the one
``bench_serve.py --postings 1000000`` keeps. Both queries run through sqlite3 on one connection
(no web server: bench_serve.py measures the pages), interleaved request by request, for no
state, the state with the most postings and the one with the fewest. The baselines are
search_postings as it was at earlier commits (``BASELINES``, or ``--against REV``): ranked by
bm25 within the state (the state's word in the index, migration 0008), and before 0008 every
match in the country scored, then the state checked. Printed: the machine's CPU speed line,
p50/p95 per query and state, the ratio of the p95s and how many of the 100 rows each shares
with the query as it is (the order changed: title matches first, then newest).
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BASELINES = {"4f5ee7a": "bm25 in the state", "dc9a928": "bm25, then the state"}
"""The last commit that ranked by bm25 within the state's matches, and the last before 0008."""


def search_sql(revision: str | None) -> str:
    """search_postings' SQL from metadata.yml, as it is or at a commit."""
    path = ROOT / "datasette" / "metadata.yml"
    text = path.read_text() if revision is None else subprocess.run(
        ["git", "show", f"{revision}:datasette/metadata.yml"], cwd=ROOT, check=True,
        capture_output=True, text=True).stdout
    return str(yaml.safe_load(text)["databases"]["peerjobs"]["queries"]["search_postings"]["sql"])


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--q", default="peer support")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--against", action="append", metavar="REV",
                        help=f"a commit whose search_postings to time beside (default: "
                             f"{', '.join(BASELINES)})")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_history import cpu_speed

    print(cpu_speed(), flush=True)
    conn = sqlite3.connect(f"file:{args.database}?mode=ro", uri=True)
    by_size = [row[0] for row in conn.execute(
        "select state from postings where state is not null group by state order by count(*)")]
    count = conn.execute("select count(*) from postings").fetchone()[0]
    queries = {"now": search_sql(None)}
    for revision in args.against or list(BASELINES):
        queries[f"{revision} {BASELINES.get(revision, '')}".strip()] = search_sql(revision)
    print(f"{args.database}: {count:,} postings; q={args.q!r}; {args.repeat} runs of each "
          "after a first one, interleaved")
    print(f"{'state':<6} {'query':<30} {'p50':>8} {'p95':>8} {'rows':>5}   (ms)")
    for state in ("", by_size[-1], by_size[0]):
        times: dict[str, list[float]] = {name: [] for name in queries}
        answers = {}
        for run in range(args.repeat + 1):
            for name, sql in queries.items():
                started = time.perf_counter()
                answers[name] = conn.execute(sql, {"q": args.q, "state": state}).fetchall()
                if run:
                    times[name].append((time.perf_counter() - started) * 1000)
        for name in queries:
            print(f"{state or 'none':<6} {name:<30} {statistics.median(times[name]):>8.1f} "
                  f"{p95(times[name]):>8.1f} {len(answers[name]):>5}")
        kept = {row[0] for row in answers["now"]}
        for name in list(queries)[1:]:
            shared = len(kept & {row[0] for row in answers[name]})
            print(f"{'':<6} p95 now / {name.split()[0]}: {p95(times['now']) / p95(times[name]):.2f}"
                  f"; rows in common: {shared} of {len(kept)}")


if __name__ == "__main__":
    main()
