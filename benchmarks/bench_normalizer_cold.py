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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_normalizer import sample_postings, throughput  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postings", type=int, default=20_000)
    args = parser.parse_args()

    postings = sample_postings(args.postings)
    for i, posting in enumerate(postings):
        paragraphs = posting["description"].split("\n\n")
        posting["description"] = "\n\n".join(
            f"{part} (ref {i}.{j})" for j, part in enumerate(paragraphs)
        )
    # warm up geo indexes and regexes on other postings, never on these texts
    rate, _ = throughput(postings, warm=sample_postings(200, seed=11))
    print("== normalize_record, full postings, no paragraph repeated")
    print(f"postings: {len(postings):,}  one core (CPU time)")
    print(f"throughput: {rate:,.0f} postings/s")


if __name__ == "__main__":
    main()
