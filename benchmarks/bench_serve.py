"""The public site under load, hostile queries included, beside bare Datasette on the same file.

Run: ``.venv/bin/python benchmarks/bench_serve.py [--db FILE] [--clients 8] [--seconds 20]``

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
"""

from __future__ import annotations

import argparse
import random
import resource
import socket
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
        started = time.perf_counter()
        status = 0
        try:
            with urllib.request.urlopen(base + path, timeout=60) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 0
        elapsed = time.perf_counter() - started
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="database to serve (default: build the demo)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--cap-gb", type=float, default=4.0,
                        help="address-space cap of each server (GB)")
    args = parser.parse_args()
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
