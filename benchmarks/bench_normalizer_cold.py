"""Throughput of ``normalize_record`` when no paragraph repeats: the caches' worst case.

Run: ``.venv/bin/python benchmarks/bench_normalizer_cold.py`` (``--postings N``, default 20,000).
Same postings as ``bench_normalizer.py``, but every paragraph of every description gets a
unique reference number appended, so no paragraph (and no sentence ending a paragraph) is ever
seen twice. Titles, places and pay strings still repeat, as they do in real data. CPU time of
this process, one core; figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_normalizer import report, sample_postings, throughput  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postings", type=int, default=20_000)
    parser.add_argument("--rate-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--against", action="append", default=[], metavar="GIT_REF",
                        help="also measure the normalizer of this commit in the same run")
    args = parser.parse_args()

    postings = cold_postings(args.postings)
    # warm up geo indexes and regexes on other postings, never on these texts
    rate, _ = throughput(postings, warm=sample_postings(200, seed=11))
    if args.rate_only:  # the child of pure_python_throughput
        print(rate)
        return
    print("== normalize_record, full postings, no paragraph repeated")
    print(f"postings: {len(postings):,}  one core (CPU time)")
    report("cold", rate, "bench_normalizer_cold.py", postings, args.against)


def cold_postings(count: int) -> list[dict[str, Any]]:
    """bench_normalizer's postings with a unique reference number ending every paragraph."""
    postings = sample_postings(count)
    for i, posting in enumerate(postings):
        paragraphs = posting["description"].split("\n\n")
        posting["description"] = "\n\n".join(
            f"{part} (ref {i}.{j})" for j, part in enumerate(paragraphs)
        )
    return postings


if __name__ == "__main__":
    main()
