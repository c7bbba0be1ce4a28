"""Build benchmark: a full rebuild, one more week as an incremental build, and a build with no
new run, at each size given, with every step's time and the incremental / full ratio.

    .venv/bin/python benchmarks/bench_build.py                       # 25,000 and 100,000 postings
    .venv/bin/python benchmarks/bench_build.py --postings 1000000    # once: ~10 minutes a rebuild
    .venv/bin/python benchmarks/bench_build.py --postings 25000 --check   # + rebuild = incremental

The archives are bench_history.py's (its generator, the same seed and layout): a size whose
``data/bench-history-N`` archive exists is linked from there (hard links into this benchmark's
own folder ``data/bench-build-N``; the original is never modified), any other is generated
into the folder. The last week's runs are held back for the incremental build. Each build runs
in a child process as ``peerjobs build`` does (the normalizer built only when a run needs it,
worker processes as the build chooses them). The full rebuild measured in the same run is the
baseline of the ratio. ``--check`` then rebuilds the whole archive into a second folder and
compares every table with the incrementally built database.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_history import World, cpu_speed, generate  # noqa: E402

SEED = 20261123
YEARS = 3
PER_FILE_STEPS = ("copy", "quick_check", "publish")
"""Steps of an incremental build (db/build.py phases) whose cost is the published file's size."""


def prepare(folder: Path, postings: int) -> tuple[Path, Path, dict[str, Any]]:
    """The archive without its last week, and the last week's runs aside."""
    wanted = {"postings": postings, "years": YEARS, "seed": SEED, "truth": False}
    shared = REPO / "data" / f"bench-history-{postings}"
    stamp = shared / "generated.json"
    archive, aside = folder / "archive", folder / "last-week"
    mine = folder / "generated.json"
    if mine.exists() and json.loads(mine.read_text()).get("world") == wanted:
        generated = json.loads(mine.read_text())
    elif stamp.exists() and json.loads(stamp.read_text()).get("world") == wanted:
        shutil.rmtree(folder, ignore_errors=True)
        held = {path.relative_to(shared / "last-week")
                for path in (shared / "last-week").rglob("*") if path.is_file()}
        for source in (shared / "archive").rglob("*"):
            if source.is_file() and source.relative_to(shared / "archive") not in held:
                target = archive / source.relative_to(shared / "archive")
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(source, target)
        for name in held:
            target = aside / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(shared / "last-week" / name, target)
        generated = json.loads(stamp.read_text())
        mine.write_text(json.dumps(generated))
        print(f"archive: linked from {shared}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
        started = time.monotonic()
        world = World(postings, YEARS, SEED)
        counts = generate(world, archive, last_week_aside=aside)
        generated = {"world": wanted, "seconds": round(time.monotonic() - started, 1), **counts,
                     "boards": len(world.boards), "weeks": world.weeks}
        mine.write_text(json.dumps(generated))
        print(f"archive: generated in {generated['seconds']}s")
    # A previous run of this benchmark may have moved the last week in: take it out again.
    for path in aside.rglob("*"):
        if path.is_file():
            (archive / path.relative_to(aside)).unlink(missing_ok=True)
    return archive, aside, generated


def add_last_week(archive: Path, aside: Path) -> None:
    for path in aside.rglob("*"):
        if path.is_file():
            target = archive / path.relative_to(aside)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                os.link(path, target)


def child_build(data: Path, archive: Path, rebuild: bool) -> None:
    from db.build import build
    from db.derived import make_derivers
    from db.normalized import LazyNormalizer

    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("db.trends").setLevel(logging.INFO)
    logging.getLogger("db.changes").setLevel(logging.INFO)
    started = time.monotonic()
    report = build(data, archive, LazyNormalizer(), make_derivers(), rebuild=rebuild,
                   workers=None)
    print(json.dumps({"seconds": time.monotonic() - started, "summary": report.summary(),
                      "phases": report.phases, "up_to_date": report.up_to_date,
                      "lifecycle_postings": report.lifecycle_postings}))


def run_build(data: Path, archive: Path, rebuild: bool) -> dict[str, Any]:
    """One build in a child process (its own interpreter, as ``peerjobs build`` runs)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(data), str(archive),
               "rebuild" if rebuild else "build"]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    if done.returncode:
        raise SystemExit(f"build failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.monotonic() - started
    result["trends"] = [line.split(": ", 1)[1] for line in done.stderr.splitlines()
                        if line.startswith(("db.trends: trend periods", "db.changes: "))]
    return result


def show(label: str, result: dict[str, Any]) -> None:
    checked = result["lifecycle_postings"]
    extra = f"; lifecycle recomputed for {checked:,} posting(s)" if checked is not None else ""
    print(f"  {label}: {result['wall']:.1f}s wall, {result['seconds']:.2f}s in build() "
          f"({result['summary']}{extra})")
    print(f"    steps (s): {result['phases']}")
    for line in result["trends"]:
        print(f"    {line}")


def tables(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        names = [row[0] for row in conn.execute(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite%' "
            "and name not like 'postings_fts%' and name != '_sqlite_migrations' order by name")]
        return {name: sorted(conn.execute(f"select * from [{name}]").fetchall(), key=repr)
                for name in names}
    finally:
        conn.close()


def check(folder: Path, archive: Path) -> None:
    """Rebuild the whole archive elsewhere; every table must equal the incremental build's."""
    other = folder / "rebuilt"
    shutil.rmtree(other, ignore_errors=True)
    run_build(other, archive, rebuild=True)
    incremental, rebuilt = tables(folder / "data" / "peerjobs.db"), tables(other / "peerjobs.db")
    differing = [name for name in sorted(set(incremental) | set(rebuilt))
                 if incremental.get(name) != rebuilt.get(name)]
    print(f"  check: rebuild = incremental in {len(incremental) - len(differing)} of "
          f"{len(incremental)} tables" + (f"; DIFFERENT: {differing}" if differing else ""))
    shutil.rmtree(other, ignore_errors=True)


def bench(postings: int, keep: bool, verify: bool) -> None:
    folder = REPO / "data" / f"bench-build-{postings}"
    archive, aside, generated = prepare(folder, postings)
    print(f"{postings:,} postings: {generated['runs']:,} run files, {generated['items']:,} "
          f"items, {generated['boards']} boards, {generated['weeks']} weeks")
    data = folder / "data"
    shutil.rmtree(data, ignore_errors=True)
    full = run_build(data, archive, rebuild=True)
    show("full rebuild (baseline)", full)
    print(f"    database: {(data / 'peerjobs.db').stat().st_size / 1e9:.2f} GB")
    idle = run_build(data, archive, rebuild=False)
    show("no new run", idle)
    add_last_week(archive, aside)
    week = run_build(data, archive, rebuild=False)
    show("one more week (incremental)", week)
    idle_after = run_build(data, archive, rebuild=False)
    show("no new run, after it", idle_after)
    print(f"  ratio incremental / full rebuild: {week['wall'] / full['wall']:.3f} "
          f"({week['wall']:.1f}s / {full['wall']:.1f}s wall; in build(): "
          f"{week['seconds'] / full['seconds']:.3f}); no new run: {idle['wall']:.2f}s wall, "
          f"{idle['seconds']:.3f}s in build()")
    # Copying the published file, checking the copy and syncing it follow the database's
    # size, not the week's: the floor of the ratio for a build that publishes a new file.
    fixed = sum(week["phases"].get(step, 0.0) for step in PER_FILE_STEPS)
    print(f"  of the week, {' + '.join(PER_FILE_STEPS)}: {fixed:.1f}s "
          f"({fixed / full['wall']:.3f} of the rebuild); the rest: {week['wall'] - fixed:.1f}s "
          f"({(week['wall'] - fixed) / full['wall']:.3f})")
    if verify:
        check(folder, archive)
    if not keep:
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child_build(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4] == "rebuild")
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--postings", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--check", action="store_true",
                        help="Also rebuild the whole archive and compare every table.")
    parser.add_argument("--keep", action="store_true", help="Keep the built databases.")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    print(cpu_speed())
    for postings in args.postings:
        bench(postings, args.keep, args.check)


if __name__ == "__main__":
    main()
