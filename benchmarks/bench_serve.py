"""The public site under load, hostile queries included, beside bare Datasette on the same file.

Run: ``.venv/bin/python benchmarks/bench_serve.py [--db FILE] [--clients 8] [--seconds 20]``
or, page by page at a size: ``.venv/bin/python benchmarks/bench_serve.py --postings 1000000``

Without ``--db`` it builds the demo database first (``peerjobs demo --no-serve --weeks 4`` into
``benchmarks/out/serve``). Two servers are measured one after the other on the same file and
URLs: ``peerjobs serve --public`` (the project's metadata, plugins and limits) and a bare
``datasette serve`` (no metadata, no plugins) as the baseline. Each runs under an address-space
cap (``--cap-gb``, default 4) so a failure of the limits cannot harm the machine. ``--clients``
threads request a fixed mix of pages (tables, facets, canned queries, CSV downloads, search) and,
one request in ten, a hostile query (huge blobs and strings; the baseline gets none, since
without the limits they would take it down). Printed per server: requests,
errors (5xx or no answer), hostile queries refused with a 4xx, latency percentiles per kind of
page, and the server's peak memory; then the ratio of the two medians. Figures are printed,
never asserted.

``--postings N`` measures each page instead, one request at a time, on a database built from
bench_history.py's archive of N postings (``data/bench-history-N``, hard-linked into
``--folder``, default ``data/bench-serve-N``; generated there when that archive is missing).
The database is built once and kept; a kept one is migrated to the current schema first, as a
deployed database would be. Every table page, view page and canned query is requested with no
filter and with a state filter (the state with the most postings, or ``--state``): one first
request, then ``--repeat`` more; printed per URL are the first request and the p50/p95 of the
repeats, beside the same URLs on bare Datasette (canned queries as the same SQL through
``/peerjobs.json?sql=``), the ratio of the p95s, and the machine's CPU speed line.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "serve"

PAGES = {
    "table": ["/peerjobs/postings?_size=50", "/peerjobs/demand_weekly?_size=100",
              "/peerjobs/clusters?_size=50", "/peerjobs/runs?_size=100"],
    "json": ["/peerjobs/postings.json?_size=100&_shape=array",
             "/peerjobs/demand_weekly.json?geo_level=state&_size=200"],
    "csv": ["/peerjobs/demand_monthly.csv?_size=max", "/peerjobs/employers.csv?_size=max"],
    "sql": ["/peerjobs.json?sql=select+state%2C+count(*)+from+postings+group+by+state",
            "/peerjobs.json?sql=select+role_family%2C+avg(hourly_min)+from+postings+"
            "where+is_peer+group+by+role_family"],
}
CANNED = ["/peerjobs/demand_trend.json?state=MI&role_family=all",
          "/peerjobs/states_latest_week.json",
          "/peerjobs/search_postings.json?q=peer"]
HOSTILE = [
    "select zeroblob(1000000000)",
    "select randomblob(1e9)",
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000) "
    "select group_concat(printf('%0100d', i)) from n",
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 5000) "
    "select zeroblob(4000000) from n",
]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refused: int = 0
    hostile: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_demo() -> Path:
    database = OUT / "demo" / "peerjobs.db"
    if not database.exists():
        print("building the demo database (peerjobs demo --no-serve --weeks 4) ...", flush=True)
        subprocess.run([sys.executable, "-m", "crawlers.cli", "--data-dir", str(OUT), "demo",
                        "--no-serve", "--weeks", "4"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return database


def start(command: list[str], port: int, cap_bytes: int) -> subprocess.Popen[bytes]:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))

    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, preexec_fn=cap)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2):
                return process
        except urllib.error.HTTPError:
            return process  # public mode answers 404 there: it is up
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"server did not start: {command}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def client(base: str, pages: dict[str, list[str]], stop: float, tally: Tally, seed: int,
           hostile_share: float) -> None:
    rng = random.Random(seed)
    kinds = sorted(pages)
    while time.monotonic() < stop:
        hostile = rng.random() < hostile_share
        if hostile:
            kind = "hostile"
            path = "/peerjobs.json?" + urllib.parse.urlencode({"sql": rng.choice(HOSTILE)})
        else:
            kind = rng.choice(kinds)
            path = rng.choice(pages[kind])
        elapsed_ms, status = timed_get(base, path, timeout=60)
        elapsed = elapsed_ms / 1000
        with tally.lock:
            if hostile:
                tally.hostile += 1
                if 400 <= status < 500:
                    tally.refused += 1
            tally.latencies[kind].append(elapsed)
            if status == 0 or status >= 500:
                tally.errors[kind] += 1


def measure(name: str, command: list[str], port: int, pages: dict[str, list[str]],
            args: argparse.Namespace, *, hostile_share: float) -> float:
    process = start(command, port, int(args.cap_gb * 2**30))
    tally = Tally()
    stop = time.monotonic() + args.seconds
    threads = [threading.Thread(target=client, args=(f"http://127.0.0.1:{port}", pages, stop,
                                                     tally, seed, hostile_share))
               for seed in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    alive = process.poll() is None
    peak = peak_rss_mb(process.pid) if alive else float("nan")
    process.terminate()
    process.wait(timeout=30)
    every = [x for values in tally.latencies.values() for x in values]
    print(f"\n== {name}: {len(every):,} requests from {args.clients} clients in {args.seconds} s; "
          f"errors (5xx or no answer) {sum(tally.errors.values())}; "
          f"hostile {tally.hostile}, refused with a 4xx {tally.refused}; "
          f"server {'alive' if alive else 'DEAD'}, peak RSS {peak:,.0f} MB")
    print(f"  {'page':<8} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'errors':>7}")
    for kind in sorted(tally.latencies):
        values = sorted(tally.latencies[kind])
        q = statistics.quantiles(values, n=100) if len(values) > 1 else values * 99
        print(f"  {kind:<8} {len(values):>6} {q[49] * 1000:>9.1f} {q[94] * 1000:>9.1f} "
              f"{q[98] * 1000:>9.1f} {tally.errors[kind]:>7}")
    safe = [x for kind, values in tally.latencies.items() if kind != "hostile" for x in values]
    return statistics.median(safe) if safe else float("nan")


# -- page by page at a size (--postings) --------------------------------------------------------

STATE_FILTER = {
    "postings": "state={}", "clusters": "state={}", "peer_postings": "state={}",
    "employer_names": "state={}", "runs": "board_state={}",
    **{table: "geo_level=state&geo_code={}" for table in (
        "demand_weekly", "demand_monthly", "coverage_weekly", "coverage_monthly",
        "demand_index_weekly", "demand_index_monthly")},
}
"""How a table or view is limited to one state (the others have no state to filter on)."""
CANNED_PARAMS: dict[str, tuple[dict[str, str] | None, dict[str, str] | None]] = {
    "postings_per_week_for_state": (None, {"state": "{}"}),
    "demand_trend": (None, {"state": "{}", "role_family": ""}),
    "demand_trend_monthly": ({"geo_code": "US", "geo_level": "nation", "role_family": ""},
                             {"geo_code": "{}", "geo_level": "state", "role_family": ""}),
    "states_latest_week": ({"role_family": ""}, None),
    "search_postings": ({"q": "peer support", "state": ""}, {"q": "peer support", "state": "{}"}),
}
"""Each canned query's parameters with no filter and with a state filter (None: not asked)."""


def prepare_database(postings: int, folder: Path) -> Path:
    """The database built from bench_history's archive of ``postings`` postings, built once
    into ``folder`` and kept; a kept one is migrated to the current schema."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT))
    import bench_history

    database = folder / "data" / "peerjobs.db"
    if database.exists():
        from sqlite_utils import Database

        from db.schema import migrate

        print(f"reusing {database}; migrating it to the current schema ...", flush=True)
        started = time.monotonic()
        db = Database(database)
        migrate(db)
        db.close()
        print(f"  migrated in {time.monotonic() - started:.1f}s", flush=True)
        return database
    archive = folder / "archive"
    source = ROOT / "data" / f"bench-history-{postings}" / "archive"
    if not archive.exists() and source.exists():
        print(f"linking the archive of {source.parent} into {folder}", flush=True)
        shutil.copytree(source, archive, copy_function=os.link)
    elif not archive.exists():
        print(f"generating an archive of {postings:,} postings in {folder}", flush=True)
        bench_history.generate(bench_history.World(postings, 3, 20261123), archive)
    print("building the database (a full rebuild with the real normalizer) ...", flush=True)
    built = bench_history.run_child(folder, "real", rebuild=True)
    print(f"  built in {built['wall']:.0f}s ({built['summary']})", flush=True)
    return database


def page_urls(database: Path, state: str) -> list[tuple[str, str, str | None]]:
    """(page, no-filter path, state-filter path) for every table, view and canned query."""
    import yaml

    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    names = [row[0] for row in conn.execute(
        "select name from sqlite_master where type in ('table', 'view') and name not like "
        "'postings_fts%' and name not like 'sqlite%' and name not like '\\_%' escape '\\' "
        "order by type, name")]
    conn.close()
    urls: list[tuple[str, str, str | None]] = []
    for name in names:
        limited = STATE_FILTER.get(name)
        urls.append((name, f"/peerjobs/{name}",
                     f"/peerjobs/{name}?{limited.format(state)}" if limited else None))
    metadata = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text())
    for name in metadata["databases"]["peerjobs"]["queries"]:
        plain, limited_params = CANNED_PARAMS.get(name, ({}, None))
        urls.append((name, _query_path(name, plain, state) or "",
                     _query_path(name, limited_params, state)))
    return urls


def _query_path(name: str, params: dict[str, str] | None, state: str) -> str | None:
    if params is None:
        return None
    return f"/peerjobs/{name}?" + urllib.parse.urlencode(
        {key: value.format(state) for key, value in params.items()})


def bare_path(path: str, canned: dict[str, str]) -> str:
    """The same page on bare Datasette: a canned query becomes its SQL with the same values."""
    name, _, query = path.removeprefix("/peerjobs/").partition("?")
    if name not in canned:
        return path
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    return "/peerjobs?" + urllib.parse.urlencode({"sql": canned[name], **params})


def timed_get(base: str, path: str, timeout: float = 120) -> tuple[float, int]:
    """(milliseconds, HTTP status; 0 when nothing answered)."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return (time.perf_counter() - started) * 1000, status


def measure_pages(command: list[str], port: int, paths: list[str], repeat: int,
                  cap_bytes: int) -> dict[str, tuple[float, float, float, int]]:
    """(first ms, p50 ms, p95 ms, last status) per path, one request at a time."""
    process = start(command, port, cap_bytes)
    base = f"http://127.0.0.1:{port}"
    found = {}
    try:
        for path in paths:
            first, status = timed_get(base, path)
            times = sorted(timed_get(base, path)[0] for _ in range(repeat))
            p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
            found[path] = (first, statistics.median(times), p95, status)
            print(".", end="", flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    print(flush=True)
    return found


def busiest_state(database: Path) -> str:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    row = conn.execute("select state from postings where state is not null group by state "
                       "order by count(*) desc limit 1").fetchone()
    conn.close()
    return str(row[0])


def pages_at_size(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_history import cpu_speed

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    print(cpu_speed(), flush=True)
    folder = args.folder or ROOT / "data" / f"bench-serve-{args.postings}"
    database = prepare_database(args.postings, folder).resolve()
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    count = conn.execute("select count(*) from postings").fetchone()[0]
    conn.close()
    state = args.state or busiest_state(database)
    print(f"database: {database} ({database.stat().st_size / 2**30:.2f} GiB, {count:,} "
          f"postings); state filter: {state}; {args.repeat} requests per URL after a first one")
    urls = page_urls(database, state)
    ours_paths = [path for _, plain, limited in urls for path in (plain, limited) if path]
    canned = {name: sql["sql"] for name, sql in _canned_queries().items()}
    cap = int(args.cap_gb * 2**30)
    port = free_port()
    project = [sys.executable, "-m", "crawlers.cli", "--data-dir", str(database.parent), "serve",
               "--public", "--port", str(port)]
    print("peerjobs serve --public: ", end="", flush=True)
    ours = measure_pages(project, port, ours_paths, args.repeat, cap)
    port = free_port()
    bare = [sys.executable, "-m", "datasette", "serve", str(database), "--port", str(port),
            "--setting", "sql_time_limit_ms", "5000", "--setting", "max_returned_rows", "5000"]
    print("bare datasette serve: ", end="", flush=True)
    baseline = measure_pages(bare, port, [bare_path(p, canned) for p in ours_paths],
                             args.baseline_repeat, cap)
    print(f"\n{'page':<28} {'filter':<7} {'first':>8} {'p50':>8} {'p95':>8}   "
          f"{'bare p50':>9} {'bare p95':>9} {'p95 ratio':>9}   (ms; status if not 200)")
    worst = {"": 0.0, state: 0.0}
    for name, plain, limited in urls:
        for label, path in (("none", plain), (state, limited)):
            if not path:
                continue
            first, p50, p95, status = ours[path]
            _, b50, b95, bstatus = baseline[bare_path(path, canned)]
            note = "" if status == 200 else f" status {status}"
            note += "" if bstatus == 200 else f" bare status {bstatus}"
            print(f"{name:<28} {label:<7} {first:>8.0f} {p50:>8.0f} {p95:>8.0f}   {b50:>9.0f} "
                  f"{b95:>9.0f} {p95 / b95:>9.2f}{note}")
            if name != "search_postings":
                key = "" if label == "none" else state
                worst[key] = max(worst[key], p95)
    print(f"\nworst p95 of the table, view and canned pages other than search: "
          f"{worst['']:.0f} ms with no filter, {worst[state]:.0f} ms with state {state}")


def _canned_queries() -> dict[str, dict[str, str]]:
    import yaml

    metadata = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text())
    queries: dict[str, dict[str, str]] = metadata["databases"]["peerjobs"]["queries"]
    return queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="database to serve (default: build the demo)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--cap-gb", type=float, default=4.0,
                        help="address-space cap of each server (GB)")
    parser.add_argument("--postings", type=int,
                        help="measure each page on a database of this many postings")
    parser.add_argument("--folder", type=Path,
                        help="with --postings: where its database is built and kept")
    parser.add_argument("--state", help="with --postings: the state filter (default: the "
                        "state with the most postings)")
    parser.add_argument("--repeat", type=int, default=20,
                        help="with --postings: requests per URL after the first")
    parser.add_argument("--baseline-repeat", type=int, default=5,
                        help="with --postings: requests per URL on bare Datasette")
    args = parser.parse_args()
    if args.postings:
        pages_at_size(args)
        return
    database = (args.db or build_demo()).resolve()
    print(f"database: {database} ({database.stat().st_size / 2**20:,.0f} MB)")

    port = free_port()
    project = [sys.executable, "-m", "crawlers.cli", "--data-dir", str(database.parent), "serve",
               "--public", "--port", str(port)]
    ours = measure("peerjobs serve --public (metadata, plugins, limits)", project, port,
                   {**PAGES, "canned": CANNED}, args, hostile_share=0.1)
    port = free_port()
    bare = [sys.executable, "-m", "datasette", "serve", str(database), "--port", str(port),
            "--setting", "sql_time_limit_ms", "5000", "--setting", "max_returned_rows", "5000"]
    # No hostile queries here: without the limits they would take this server down (that is
    # what the limits are for), and the baseline is for the ordinary pages' latency.
    baseline = measure("baseline: bare datasette serve (no metadata, no plugins, no limits)",
                       bare, port, PAGES, args, hostile_share=0.0)
    print(f"\nmedian latency of ordinary pages: {ours * 1000:.1f} ms vs {baseline * 1000:.1f} ms "
          f"bare (ratio {ours / baseline:.2f})")


if __name__ == "__main__":
    main()
