"""Kill -9 trials: builds and crawls killed at a random moment, and what they leave behind.

    .venv/bin/python benchmarks/bench_faults.py                  # 20 build trials, 10 crawl trials
    .venv/bin/python benchmarks/bench_faults.py --trials 40 --crawl-trials 20 --seed 7

Not a test: it prints figures. Builds (``peerjobs build`` and ``peerjobs rebuild``, alternately)
run on a small synthetic archive (benchmarks/bench_history.py's generator: real formats, one
year, ``--postings`` postings) whose last week is pending; each trial copies the published
database of the earlier weeks, starts the command, sends SIGKILL to it at a random moment of its
clean run time (x1.2) and checks, once it is dead:

- ``PRAGMA integrity_check`` of the published file;
- that the published file is the previous database or the finished one (same rows in every
  table as the clean build's; nothing in between);
- that no process of the build is left (its session is scanned);
- after the next ``peerjobs build`` runs to its end: postings lost or duplicated (posting keys and
  sightings compared with the clean build) and any other difference from the clean build.

Crawls (``peerjobs crawl jsonld``) run against the replay server with a listing page that never
answers (as tests/test_interrupted.py does); the ``peerjobs crawl`` command alone is killed at a
random moment of its first seconds, and each trial checks that no crawler process outlives it,
and that the next ``peerjobs build`` records the feed left without stats as an ``interrupted``
run that closes nothing (a kill that lands before the crawler opened its feed leaves nothing to
record).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

PEERJOBS = [sys.executable, "-m", "crawlers.cli"]
SKIP_TABLES = ("sqlite_stat", "_sqlite_migrations", "postings_fts", "build_info")
JSONLD_SITE = REPO / "tests" / "fixtures" / "jsonld" / "site"
CRAWL_BOARD = "https://careers.example.org/jobs/"
CRAWL_SOURCE = "jsonld:careers.example.org/jobs"


# -- processes --------------------------------------------------------------------------------


def session_processes(sid: int) -> list[int]:
    """Live processes of a session (everything a command started with start_new_session)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[4]) == sid:
            found.append(int(entry.name))
    return found


def wait_gone(sid: int, seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    while True:
        left = session_processes(sid)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


def reap(pids: list[int]) -> None:
    """Ends processes this benchmark started and that outlived their trial (counted before)."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def peerjobs(data: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PEERJOBS, "--data-dir", str(data), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, check=False)


# -- databases --------------------------------------------------------------------------------


def integrity(database: Path) -> str:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return str(conn.execute("pragma integrity_check").fetchone()[0])
    finally:
        conn.close()


def digest(database: Path) -> str:
    """A digest of every table's rows, in order (internal and build-time tables left out)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' order by name")
            if not r[0].startswith(SKIP_TABLES)]
        hasher = hashlib.sha256()
        for name in names:
            hasher.update(name.encode())
            rows = sorted(repr(row) for row in conn.execute(f"select * from [{name}]"))
            for row in rows:
                hasher.update(row.encode())
        return hasher.hexdigest()
    finally:
        conn.close()


def postings_of(database: Path) -> tuple[Counter[tuple[str, str]], int]:
    """How many rows each posting key has, and the number of sightings."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        keys = Counter((s, i) for s, i in conn.execute("select source, source_id from postings"))
        sightings = int(conn.execute("select count(*) from sightings").fetchone()[0])
        return keys, sightings
    finally:
        conn.close()


# -- build trials -----------------------------------------------------------------------------


def make_archive(folder: Path, postings: int, seed: int) -> tuple[Path, Path]:
    """A one-year synthetic archive; its last week is kept aside (the pending runs)."""
    import bench_history

    bench_history.World.truth = False
    world = bench_history.World(postings, 1, seed)
    archive, aside = folder / "archive", folder / "last-week"
    counts = bench_history.generate(world, archive, last_week_aside=aside)
    print(f"archive: {counts['runs']} run files, {counts['items']:,} items, "
          f"{len(world.boards)} boards, {world.weeks} weeks")
    return archive, aside


def restore_last_week(archive: Path, aside: Path) -> None:
    for path in sorted(aside.rglob("*")):
        if path.is_file():
            target = archive / path.relative_to(aside)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def prepare(data: Path, base: Path) -> None:
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(base, data, symlinks=True)


def build_trials(args: argparse.Namespace, work: Path, rng: random.Random) -> None:
    folder = work / "build"
    archive, aside = make_archive(folder, args.postings, args.seed)
    base = folder / "base"
    base.mkdir()
    (base / "archive").symlink_to(archive)
    started = time.monotonic()
    done = peerjobs(base, "rebuild")
    if done.returncode:
        raise SystemExit(f"the base build failed:\n{done.stdout}\n{done.stderr}")
    print(f"base database (earlier weeks): {time.monotonic() - started:.1f}s")
    restore_last_week(archive, aside)
    previous = digest(base / "peerjobs.db")

    clean: dict[str, float] = {}
    reference = folder / "reference"
    for command in ("build", "rebuild"):
        prepare(reference, base)
        started = time.monotonic()
        done = peerjobs(reference, command)
        clean[command] = time.monotonic() - started
        if done.returncode:
            raise SystemExit(f"the clean {command} failed:\n{done.stdout}\n{done.stderr}")
        if command == "build":
            finished = digest(reference / "peerjobs.db")
            keys, sightings = postings_of(reference / "peerjobs.db")
        elif digest(reference / "peerjobs.db") != finished:
            print("note: the clean rebuild differs from the clean incremental build")
    print(f"clean run times: build {clean['build']:.1f}s, rebuild {clean['rebuild']:.1f}s "
          f"(command start included); {len(keys):,} postings, {sightings:,} sightings")

    outcome: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    trial_dir = folder / "trial"
    for number in range(args.trials):
        command = ("build", "rebuild")[number % 2]
        prepare(trial_dir, base)
        moment = rng.uniform(0, clean[command] * 1.2)
        process = subprocess.Popen([*PEERJOBS, "--data-dir", str(trial_dir), command], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            process.wait(timeout=moment)
            landed = "finished before the kill"
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait()
            landed = "landed mid-build"
        outcome[landed] += 1
        left = wait_gone(process.pid, 5)
        if left:
            failures["build processes left after the kill"] += 1
            reap(left)
        published = trial_dir / "peerjobs.db"
        if not published.exists():
            failures["published database missing"] += 1
        else:
            if integrity(published) != "ok":
                failures["integrity_check not ok"] += 1
            state = digest(published)
            if state == previous:
                outcome["published = previous database"] += 1
            elif state == finished:
                outcome["published = finished database"] += 1
            else:
                failures["published is neither the previous nor the finished database"] += 1
        done = peerjobs(trial_dir, "build")
        if done.returncode:
            failures["the next build failed"] += 1
            continue
        recovered = trial_dir / "peerjobs.db"
        if integrity(recovered) != "ok":
            failures["integrity_check not ok after the next build"] += 1
        got_keys, got_sightings = postings_of(recovered)
        lost = len(set(keys) - set(got_keys))
        duplicated = sum(n - 1 for n in got_keys.values() if n > 1)
        if lost:
            failures["postings lost"] += lost
        if duplicated:
            failures["postings duplicated"] += duplicated
        if got_sightings != sightings:
            failures["sightings differ from the clean build"] += 1
        if digest(recovered) != finished:
            failures["recovered database differs from the clean build"] += 1
        leftovers = [p.name for p in trial_dir.iterdir()
                     if p.name.startswith(".peerjobs.db.building")]
        if leftovers:
            failures["work files left after the next build"] += 1
    print(f"\nbuild trials: {args.trials} (build and rebuild alternately, SIGKILL at a random "
          f"moment of the clean run time x1.2)")
    for name in ("landed mid-build", "finished before the kill", "published = previous database",
                 "published = finished database"):
        print(f"  {name}: {outcome[name]}")
    report_failures(failures)


# -- crawl trials -----------------------------------------------------------------------------


def write_registry(path: Path, boards: list[dict[str, Any]]) -> Path:
    """A sources.toml: each dict is one [[boards]] entry."""
    lines = []
    for entry in boards:
        lines.append("[[boards]]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in entry.items())
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def crawl_site(folder: Path) -> Path:
    """The JSON-LD fixture site, its second listing page never answering."""
    site = folder / "site"
    shutil.copytree(JSONLD_SITE, site)
    routes = json.loads((site / "routes.json").read_text())
    routes["routes"].append({"host": "careers.example.org", "path": "/jobs/page-2.html",
                             "hang": True})
    (site / "routes.json").write_text(json.dumps(routes))
    return site


def crawl_trials(args: argparse.Namespace, work: Path, rng: random.Random) -> None:
    from crawlers.replay import ReplayServer

    folder = work / "crawl"
    folder.mkdir()
    site = crawl_site(folder)
    outcome: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    first_item: dict[int, float] = {}
    with ReplayServer(site) as server:
        for number in range(args.crawl_trials):
            data = folder / f"trial-{number}"
            data.mkdir()
            registry = write_registry(data / "sources.toml", [
                {"platform": "jsonld", "board": CRAWL_BOARD, "employer": "Fixture employer"}])
            moment = rng.uniform(0.5, args.crawl_window)
            process = subprocess.Popen(
                [*PEERJOBS, "--data-dir", str(data), "crawl", "jsonld", "--api-base", server.url,
                 "-s", f"PEERJOBS_SOURCES={registry}", "-s", "RETRY_TIMES=0",
                 "-s", "DOWNLOAD_TIMEOUT=300", "-s", "DOWNLOAD_DELAY=0",
                 "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "PEERJOBS_NOW=2026-11-02T03:00:00Z"],
                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True)
            feeds_dir = data / "archive" / "jsonld"
            launched = time.monotonic()
            while process.poll() is None and time.monotonic() - launched < moment:
                if number not in first_item and any(
                        f.stat().st_size for f in feeds_dir.glob("*.jsonl")) \
                        if feeds_dir.exists() else False:
                    first_item[number] = time.monotonic() - launched
                time.sleep(0.05)
            if process.poll() is not None:
                outcome["finished before the kill"] += 1
            else:
                process.send_signal(signal.SIGKILL)  # the command alone, as `kill -9 <pid>`
                process.wait()
            left = wait_gone(process.pid, 10)
            if left:
                failures["crawler processes left after the kill"] += 1
                reap(left)
            feeds = sorted((data / "archive" / "jsonld").glob("*.jsonl")) \
                if (data / "archive" / "jsonld").exists() else []
            if not feeds:
                outcome["killed before the crawler opened its feed"] += 1
            else:
                outcome["killed mid-run (a feed without stats)"] += 1
                lines = len(feeds[0].read_text().splitlines())
                if lines:
                    outcome["  of which with items in the feed"] += 1
            done = peerjobs(data, "build")
            if done.returncode:
                failures["the next build failed"] += 1
                continue
            database = data / "peerjobs.db"
            if integrity(database) != "ok":
                failures["integrity_check not ok"] += 1
            conn = sqlite3.connect(database)
            try:
                runs = conn.execute("select source, status, items from runs").fetchall()
                closed = conn.execute(
                    "select count(*) from postings where status != 'open'").fetchone()[0]
                postings = conn.execute("select count(*) from postings").fetchone()[0]
            finally:
                conn.close()
            if feeds:
                if [(s, st) for s, st, _ in runs] != [(CRAWL_SOURCE, "interrupted")]:
                    failures["feed without stats not recorded as interrupted"] += 1
                elif runs[0][2] != lines or postings != lines:
                    failures["interrupted run's items not all loaded as sightings"] += 1
                receipt = feeds[0].with_name(f"{feeds[0].stem}.stats.json")
                if not receipt.exists():
                    failures["no stats file written for the interrupted run"] += 1
            elif runs:
                failures["a run recorded although no feed was written"] += 1
            if closed:
                failures["postings closed by an interrupted run"] += closed
    print(f"\ncrawl trials: {args.crawl_trials} (`peerjobs crawl` SIGKILLed {0.5}-"
          f"{args.crawl_window:g}s after its start; its crawler must die with it)")
    for name in ("killed mid-run (a feed without stats)", "  of which with items in the feed",
                 "killed before the crawler opened its feed", "finished before the kill"):
        print(f"  {name}: {outcome[name]}")
    if first_item:
        times = sorted(first_item.values())
        print(f"  first item in the feed {times[len(times) // 2]:.1f}s after the start (median "
              f"of {len(times)} trials that got that far before the kill)")
    report_failures(failures)


def report_failures(failures: Counter[str]) -> None:
    if not failures:
        print("  failures: none")
        return
    print("  failures:")
    for name, count in sorted(failures.items()):
        print(f"    {name}: {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--trials", type=int, default=20, help="Build trials.")
    parser.add_argument("--crawl-trials", type=int, default=10)
    parser.add_argument("--postings", type=int, default=3000,
                        help="Postings of the synthetic archive of the build trials.")
    parser.add_argument("--crawl-window", type=float, default=6.0,
                        help="Kill crawls up to this many seconds after their start.")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--keep", action="store_true", help="Keep the work folder.")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="peerjobs-bench-faults-"))
    started = time.monotonic()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"work folder {work}")
    try:
        if args.trials:
            build_trials(args, work, rng)
        if args.crawl_trials:
            crawl_trials(args, work, rng)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\ntotal: {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
