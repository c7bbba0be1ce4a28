"""Precision and recall of the cross-source matcher on labeled pairs of postings.

    .venv/bin/python benchmarks/bench_dedup.py [--pairs benchmarks/dedup_pairs.jsonl] [-v]

``dedup_pairs.jsonl`` holds pairs of postings labeled ``same`` (one job on two sources) or not
(different jobs with similar titles, mostly at one employer). Each record is an item in the
format the spiders emit for its platform (iCIMS ``US-MI-Kalamazoo`` and Workday
``US, TX, Fort Worth`` locations, USAJOBS dates with four fractional digits, structured and text
pay, an aggregator's "Job Description / Salary" header and shortened text, ...), plus
``last_seen``, the last time a run listed it. The employers are fictional and the texts were
written for this benchmark after the structure of real peer postings (no third-party text is
copied); the name variants (initialisms, CMH/BH abbreviations, "Inc." dropped, word order, an
old name after a rebrand) and the pairings follow cross-postings seen on real boards.

Every record goes through the real normalizer (``--normalizer stub`` is not offered: the labels
are about what the whole chain does), all names are canonicalized together as a build would
(db/employers.py), and db/dedup.match_pair decides each pair. Printed: precision, recall and
every wrong decision with the reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rapidfuzz import fuzz, utils  # noqa: E402

from db.dedup import (  # noqa: E402
    DEFAULT_MATCH,
    DedupRecord,
    MatchSettings,
    hourly_midpoint,
    match_pair,
    text_key,
    text_similarity,
    title_levels,
)
from db.employers import NameUse, canonical_employers  # noqa: E402
from db.lifecycle import Sighting, compute_lifecycle  # noqa: E402
from db.load import raw_columns  # noqa: E402
from normalize.employers import employer_key  # noqa: E402

PAIRS = Path(__file__).resolve().parent / "dedup_pairs.jsonl"
AS_OF = "2025-12-31T00:00:00Z"


def normalized(item: dict[str, Any], normalizer: Any) -> dict[str, Any]:
    row = raw_columns(item)
    row["board_state"] = None
    return {**row, **normalizer(row)}


def dedup_record(number: int, item: dict[str, Any], row: dict[str, Any],
                 employer_id: int | None) -> DedupRecord:
    seen = [Sighting((item["fetched_at"], "first"), item["fetched_at"], "first")]
    if item.get("last_seen") and item["last_seen"] != item["fetched_at"]:
        seen.append(Sighting((item["last_seen"], "last"), item["last_seen"], "last"))
    life = compute_lifecycle(seen, [], platform=item.get("platform"),
                             posted_at=item.get("posted_at"), closes_at=item.get("closes_at"),
                             as_of=AS_OF)
    end = life.active_to or life.last_seen[:10]
    return DedupRecord(
        id=number, source=item["source"], state=row.get("state"), is_peer=row.get("is_peer"),
        role_family=row.get("role_family"), employer_id=employer_id,
        title=row.get("title_clean") or item["title"], county_fips=row.get("county_fips"),
        hourly=hourly_midpoint(row.get("hourly_min"), row.get("hourly_max")),
        active_from=life.active_from, active_end=end, first_seen=life.first_seen,
        description_length=len(item.get("description") or ""),
        levels=title_levels(item["title"]),
    )


def reason(a: DedupRecord, b: DedupRecord, texts: dict[int, str | None],
           settings: MatchSettings) -> str:
    """Which rule kept two postings apart (the checks of match_pair, in its order)."""
    if a.employer_id != b.employer_id:
        return "employer"
    if (a.state, a.is_peer, a.role_family) != (b.state, b.is_peer, b.role_family):
        return f"block ({a.state}/{a.role_family} vs {b.state}/{b.role_family})"
    window = 2 * settings.window_days
    if a.start > b.end + window or b.start > a.end + window:
        return "dates"
    if a.county_fips and b.county_fips and a.county_fips != b.county_fips:
        return f"county ({a.county_fips} vs {b.county_fips})"
    if a.hourly and b.hourly and \
            abs(a.hourly - b.hourly) / max(a.hourly, b.hourly) > settings.pay_tolerance:
        return f"pay ({a.hourly} vs {b.hourly})"
    if a.levels and b.levels and a.levels != b.levels:
        return f"levels ({sorted(a.levels)} vs {sorted(b.levels)})"
    title = fuzz.token_set_ratio(a.title, b.title, processor=utils.default_process)
    if title < settings.title_cutoff:
        return f"title ({title:.0f}: {a.title!r} / {b.title!r})"
    ta, tb = texts[a.id], texts[b.id]
    if ta is not None and tb is not None:
        return f"text ({text_similarity(ta, tb):.0f})"
    strict = fuzz.token_sort_ratio(a.title, b.title, processor=utils.default_process)
    return f"strict title without text ({strict:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("-v", "--verbose", action="store_true", help="Print every pair.")
    args = parser.parse_args()
    from db.normalized import make_normalizer

    normalizer = make_normalizer()
    settings = DEFAULT_MATCH
    pairs = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    records: list[dict[str, Any]] = []
    for pair in pairs:
        records.extend([pair["a"], pair["b"]])
    rows = [normalized(item, normalizer) for item in records]
    uses: dict[tuple[str, str | None], NameUse] = {}
    for item, row in zip(records, rows, strict=True):
        use = uses.setdefault((item["employer"], row.get("state")),
                              NameUse(item["employer"], row.get("state")))
        use.postings += 1
        use.sources.add(item["source"])
    ids = {name: e.employer_id for e in canonical_employers(uses.values()) for name in e.names}
    dedup = [dedup_record(i, item, row, ids.get((item["employer"], row.get("state"))))
             for i, (item, row) in enumerate(zip(records, rows, strict=True))]
    texts = {r.id: text_key(item.get("description"), settings) for r, item in zip(dedup, records,
                                                                                   strict=True)}
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    errors = []
    for number, pair in enumerate(pairs):
        a, b = dedup[2 * number], dedup[2 * number + 1]
        found = match_pair(a, b, texts.__getitem__, settings)
        predicted = found is not None
        key = ("t" if predicted == pair["same"] else "f") + ("p" if predicted else "n")
        counts[key] += 1
        why = f"match {found.score:.0f} ({found.reason})" if found else \
            reason(a, b, texts, settings)
        line = (f"  pair {pair['pair']:>2} labeled {'same' if pair['same'] else 'different'}, "
                f"decided {'same' if predicted else 'different'}: {pair['note']} -> {why}")
        if predicted != pair["same"]:
            errors.append(line)
        elif args.verbose:
            print(line)
    precision = counts["tp"] / (counts["tp"] + counts["fp"]) if counts["tp"] + counts["fp"] else 0
    recall = counts["tp"] / (counts["tp"] + counts["fn"]) if counts["tp"] + counts["fn"] else 0
    names = sorted({employer_key(r["employer"]) for r in records})
    print(f"{len(pairs)} labeled pairs ({sum(p['same'] for p in pairs)} same job, "
          f"{sum(not p['same'] for p in pairs)} different jobs), {len(names)} employer keys")
    print(f"precision {precision:.3f}  recall {recall:.3f}  "
          f"(tp {counts['tp']}, fp {counts['fp']}, fn {counts['fn']}, tn {counts['tn']})")
    if errors:
        print("wrong decisions:")
        print("\n".join(errors))


if __name__ == "__main__":
    main()
