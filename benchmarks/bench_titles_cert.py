"""Accuracy and speed of the title classifier and the certification extractor.

Run: ``.venv/bin/python benchmarks/bench_titles_cert.py`` (``--quiet`` hides the error lists).

Reads the labelled development set in ``benchmarks/devset/`` (real titles, sentences and
posting descriptions; every row names its source) and prints:

- is_peer precision / recall / F1 and family accuracy over the true peer titles;
- certification requirement accuracy, within-days accuracy (over rows labelled
  ``required_within``) and credential exact-match rate;
- titles per second uncached (caches cleared before each pass) and cached, and certification
  extractions per second on ~3 KB descriptions (CPU time of this process, so that other work on
  a shared machine does not count);
- every misclassified row.

Accuracy is measured here, never asserted in tests. The stored pages behind
``descriptions.jsonl`` keep only the first ~2,000 characters of each posting, so the 3 KB
throughput inputs are built by joining two consecutive descriptions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from normalize import titles as titles_module  # noqa: E402
from normalize.certification import extract_certification  # noqa: E402
from normalize.taxonomy import TAXONOMY_VERSION  # noqa: E402
from normalize.titles import classify_title  # noqa: E402

DEVSET = ROOT / "benchmarks" / "devset"


def load(name: str) -> list[dict[str, Any]]:
    with (DEVSET / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def bench_titles(rows: list[dict[str, Any]], quiet: bool) -> None:
    tp = fp = fn = tn = 0
    fam_ok = fam_total = 0
    errors: list[str] = []
    for row in rows:
        m = classify_title(row["title"], row.get("description"))
        if row["is_peer"]:
            fam_total += 1
            if m.is_peer:
                tp += 1
            else:
                fn += 1
            if m.is_peer and m.role_family == row["role_family"]:
                fam_ok += 1
            elif m.is_peer:
                errors.append(f"  family  {row['title']!r}: got {m.role_family} "
                              f"(expected {row['role_family']}; {m.match}, clean={m.title_clean!r})")
            else:
                errors.append(f"  missed  {row['title']!r}: {m.match} (expected "
                              f"{row['role_family']}; clean={m.title_clean!r})")
        else:
            if m.is_peer:
                fp += 1
                errors.append(f"  false+  {row['title']!r}: {m.role_family} via {m.match} "
                              f"(clean={m.title_clean!r})")
            else:
                tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"titles: {len(rows)} rows ({tp + fn} peer, {fp + tn} not peer)")
    print(f"  is_peer precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    print(f"  family accuracy over true peers {fam_ok / fam_total:.3f} ({fam_ok}/{fam_total})")
    if errors and not quiet:
        print("  misclassified titles:")
        print("\n".join(errors))


def bench_cert(rows: list[dict[str, Any]], quiet: bool) -> None:
    req_ok = days_ok = days_total = cred_ok = 0
    errors: list[str] = []
    for row in rows:
        c = extract_certification(row["text"], state=row.get("state"), title=row.get("title"))
        ok_req = c.cert_requirement == row["cert_requirement"]
        req_ok += ok_req
        if row["cert_requirement"] == "required_within":
            days_total += 1
            days_ok += c.cert_within_days == row["cert_within_days"]
        ok_cred = list(c.credentials) == row["credentials"]
        cred_ok += ok_cred
        ok_days = row["cert_requirement"] != "required_within" or (
            c.cert_within_days == row["cert_within_days"]
        )
        if not (ok_req and ok_cred and ok_days):
            errors.append(
                f"  {row['text'][:90]!r}: got {c.cert_requirement}/{c.cert_within_days}/"
                f"{list(c.credentials)} expected {row['cert_requirement']}/"
                f"{row['cert_within_days']}/{row['credentials']}"
            )
    n = len(rows)
    print(f"certification: {n} rows")
    print(f"  requirement accuracy {req_ok / n:.3f} ({req_ok}/{n})")
    print(f"  within-days accuracy {days_ok / max(days_total, 1):.3f} ({days_ok}/{days_total} "
          "rows labelled required_within)")
    print(f"  credentials exact match {cred_ok / n:.3f} ({cred_ok}/{n})")
    if errors and not quiet:
        print("  mismatched certification rows:")
        print("\n".join(errors))


def _best_rate(fn: Any, items: int, repeats: int = 5) -> float:
    """Items per CPU second of ``fn()``, best of ``repeats`` runs (other load only slows runs)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return items / max(best, 1e-9)


def _calibration() -> float:
    """CPU milliseconds of a fixed pure-Python loop, to compare machines."""
    def loop() -> None:
        total = 0
        for i in range(1_000_000):
            total += i

    return 1000.0 / _best_rate(loop, 1, repeats=3)


def bench_speed(title_rows: list[dict[str, Any]], desc_rows: list[dict[str, Any]]) -> None:
    titles = [r["title"] for r in title_rows]
    matcher = titles_module._matcher(None)

    def uncached_pass() -> None:
        matcher.raw_cache.clear()
        matcher.clean_cache.clear()
        for t in titles:
            classify_title(t)

    def cached_pass() -> None:
        for _ in range(20):
            for t in titles:
                classify_title(t)

    uncached = _best_rate(uncached_pass, len(titles))
    cached_pass()
    cached = _best_rate(cached_pass, 20 * len(titles))
    print(f"speed (CPU time, best of 5; a 1e6-iteration Python loop takes {_calibration():.0f} ms here):")
    print(f"  titles/s uncached {uncached:,.0f}  cached {cached:,.0f}")

    inputs = []
    for i, row in enumerate(desc_rows):
        nxt = desc_rows[(i + 1) % len(desc_rows)]
        text = (row["description"] + "\n\n" + nxt["description"])[:3072]
        inputs.append((text, row.get("state"), row.get("title")))

    def cert_pass() -> None:
        for _ in range(10):
            for text, st, ti in inputs:
                extract_certification(text, state=st, title=ti)

    cert_pass()  # warm-up (titles of the inputs get classified once)
    per_sec = _best_rate(cert_pass, 10 * len(inputs))
    avg = sum(len(t) for t, _, _ in inputs) / len(inputs)
    print(f"  certification extractions/s on {avg:,.0f}-char descriptions {per_sec:,.0f} "
          f"({1e6 / per_sec:,.0f} us each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="print the figures only")
    args = parser.parse_args()
    print(f"taxonomy {TAXONOMY_VERSION}")
    title_rows = load("titles.jsonl")
    cert_rows = load("certification.jsonl")
    desc_rows = load("descriptions.jsonl")
    bench_titles(title_rows, args.quiet)
    bench_cert(cert_rows, args.quiet)
    bench_speed(title_rows, desc_rows)


if __name__ == "__main__":
    main()
