"""The whole normalizer, measured: accuracy on the corpus, dev and test apart, then throughput
and memory of ``normalize_record`` on full postings with realistic 2-4 KB descriptions.

Run: ``.venv/bin/python benchmarks/bench_normalizer.py`` (``--postings N`` changes the
throughput sample, default 20,000; ``--field F`` scores one field; ``--misses`` lists the misses
of the dev split; ``--devset`` also runs the older devset scripts bench_titles_cert.py and
bench_pay_location.py, whose own speed figures remain useful). Accuracy comes from
``corpus_eval.py``: per field and per source type, with 95 % intervals. Throughput is measured on
one core (this process), warm caches as in a build: real data repeats titles and places heavily,
so postings are drawn with repetition from the development sets. Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import re
import resource
import runpy
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import corpus_eval

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
DEVSET = HERE / "devset"


def load(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DEVSET / name).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def sample_postings(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Full postings assembled from real titles, pay strings, places and descriptions."""
    rng = random.Random(seed)
    titles = [r["title"] for r in load("titles.jsonl")]
    pays = [r["text"] for r in load("pay.jsonl") if r.get("text")]
    places = [r["text"] for r in load("locations.jsonl")]
    bodies = [r["description"] for r in load("descriptions.jsonl")]
    postings = []
    for _ in range(count):
        # Join two real descriptions: the stored ones are ~2 KB, real postings 2-4 KB.
        first, second = rng.sample(bodies, 2)
        description = first + "\n\n" + second[: rng.randint(0, len(second))]
        posting = {"title": rng.choice(titles), "description": description,
                   "location": rng.choice(places), "employer": "Sample employer"}
        if rng.random() < 0.5:
            posting["pay_text"] = rng.choice(pays)
        postings.append(posting)
    return postings


def throughput(postings: list[dict[str, Any]],
               warm: list[dict[str, Any]] | None = None) -> tuple[float, float]:
    """Postings per CPU second on one core, and the median description size (KB). ``warm``
    (default: the first 200 postings) runs first: geo indexes, regexes, caches."""
    from normalize import record
    from normalize.record import normalize_record
    from normalize.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    for posting in postings[:200] if warm is None else warm:
        normalize_record(posting, taxonomy=taxonomy)
    prepare = getattr(record, "prepare", None)  # as the build does; older commits lack it
    if prepare is not None:
        prepare(taxonomy)
    gc.collect()
    start = time.process_time()
    for posting in postings:
        normalize_record(posting, taxonomy=taxonomy)
    seconds = time.process_time() - start
    sizes = sorted(len(p["description"].encode()) for p in postings)
    median_kb = sizes[len(sizes) // 2] / 1024
    return len(postings) / seconds, median_kb


NAIVE_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*(?:-|\u2013|to)\s*\$?\s?(\d[\d,]*(?:\.\d+)?)")


def naive_throughput(postings: list[dict[str, Any]]) -> float:
    """The baseline a newcomer would write: the best taxonomy alias for the title by
    ``rapidfuzz.process.extractOne`` with ``WRatio``, and one ``$X - $Y`` regex over the pay text
    or the description. Postings per CPU second, on the same postings."""
    from rapidfuzz import fuzz, process

    from normalize.taxonomy import load_taxonomy

    aliases = [alias for family in load_taxonomy().families for title in family.titles
               for alias in title.aliases]
    start = time.process_time()
    for posting in postings:
        process.extractOne(posting["title"], aliases, scorer=fuzz.WRatio)
        NAIVE_MONEY.search(posting.get("pay_text") or posting["description"])
    return len(postings) / (time.process_time() - start)


def pure_python_throughput(script: str, count: int, package_root: Path | None = None
                           ) -> float | None:
    """The same measurement in a child process that runs the normalizer as plain Python (the
    source modules, not the mypyc build): what compiling gains, measured in the same run. With
    ``package_root``, the ``normalize`` package found there (another commit's) runs instead."""
    env = {**os.environ, "PEERJOBS_PURE_PYTHON": "1"}
    if package_root is not None:
        env["PYTHONPATH"] = str(package_root)
    result = subprocess.run(
        [sys.executable, str(HERE / script), "--rate-only", "--postings", str(count)],
        env=env, capture_output=True, text=True, check=False,
    )
    try:
        return float(result.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(f"child run failed: {result.stderr[-500:]}", file=sys.stderr)
        return None


def rate_of_commit(script: str, count: int, ref: str) -> float | None:
    """Throughput of the normalizer as it was at git ``ref``, in a child process (same postings,
    same timing loop): a change is judged against its predecessor measured in the same run."""
    with tempfile.TemporaryDirectory(prefix="normalize-") as folder:
        archive = subprocess.run(["git", "-C", str(HERE.parent), "archive", ref, "normalize"],
                                 capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        return pure_python_throughput(script, count, Path(folder))


def print_against(rate: float, script: str, count: int, refs: list[str]) -> None:
    for ref in refs:
        old = rate_of_commit(script, count, ref)
        if old is not None:
            print(f"  the normalizer of {ref}: {old:,.0f} postings/s  (now / then: {rate / old:.2f})")


def report(label: str, rate: float, script: str, postings: list[dict[str, Any]],
           refs: list[str]) -> None:
    """``rate`` (measured by ``script`` on ``postings``) beside every baseline, in this run."""
    pure = pure_python_throughput(script, len(postings))
    naive = naive_throughput(postings)
    print_rates(label, rate, pure, naive)
    print_against(rate, script, len(postings), refs)


def print_rates(label: str, rate: float, pure: float | None, naive: float) -> None:
    """The project's rate beside the baselines measured in the same run, with the ratios."""
    from normalize.native import status

    print(f"normalizer: {status()}")
    print(f"throughput ({label}): {rate:,.0f} postings/s")
    if pure is not None:
        print(f"  the same normalizer as plain Python: {pure:,.0f} postings/s  "
              f"(compiled / plain: {rate / pure:.2f})")
    print(f"  naive baseline (extractOne WRatio over the aliases + one $X - $Y regex): "
          f"{naive:,.0f} postings/s  (project / naive: {rate / naive:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postings", type=int, default=None,
                        help="throughput sample size (default 20,000; skipped with --field "
                             "unless given)")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--field", action="append", choices=corpus_eval.FIELDS)
    parser.add_argument("--misses", action="store_true", help="list the misses of the dev split")
    parser.add_argument("--devset", action="store_true", help="also run the older devset scripts")
    parser.add_argument("--rate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--against", action="append", default=[], metavar="GIT_REF",
                        help="also measure the normalizer of this commit in the same run")
    args = parser.parse_args()
    if args.rate_only:  # the child of pure_python_throughput
        print(throughput(sample_postings(args.postings or 20_000))[0])
        return
    args.postings_given = args.postings is not None
    if not args.skip_accuracy:
        corpus_eval.print_report(corpus_eval.evaluate(args.field or corpus_eval.FIELDS),
                                 misses=args.misses)
        print(flush=True)
    if args.field and not args.postings_given:
        return
    if args.devset:
        for script in ("bench_titles_cert.py", "bench_pay_location.py"):
            print(f"== {script}", flush=True)
            saved = sys.argv
            sys.argv = [script]
            try:
                runpy.run_path(str(HERE / script), run_name="__main__")
            finally:
                sys.argv = saved
            print()
    postings = sample_postings(args.postings or 20_000)
    rate, median_kb = throughput(postings)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("== normalize_record, full postings (hot: titles, places and most paragraphs repeat)")
    print(f"postings: {len(postings):,}  median description {median_kb:.1f} KB  one core (CPU time)")
    report("hot", rate, "bench_normalizer.py", postings, args.against)
    print(f"peak memory (max RSS of this process): {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
