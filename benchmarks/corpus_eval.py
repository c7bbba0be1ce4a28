"""Accuracy of the whole normalizer on ``benchmarks/corpus/``, dev and test apart.

Run: ``.venv/bin/python benchmarks/corpus_eval.py [--field F ...] [--misses]``
(``bench_normalizer.py`` prints the same report before its throughput figures).

Every row goes through ``normalize_record`` exactly as ``peerjobs normalize`` would read it:
a title row as ``{"title": ...}``, a pay row as ``{"pay": ...}``, a certification row as
``{"description": ...}`` and a location row as ``{"location": ...}``. Each measure is printed
for ``dev`` and ``test`` separately, overall and per source type, with a 95 % confidence
interval (Wilson for proportions, a seeded bootstrap for F1). ``--misses`` lists the misses of
``dev`` only: the rules are changed while looking at dev, and test is scored when a piece of
work is finished, so its figure stays an estimate of what unseen postings will meet.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "corpus"
SPLITS = ("dev", "test")
FIELDS = ("titles", "pay", "certification", "locations")
# The targets of issue 12, on the test split.
TARGETS = {
    "is_peer F1": 0.98, "family": 0.95, "pay exact": 0.97, "certification": 0.93,
    "state": 0.98, "county": 0.90,
}
Z95 = 1.959963984540054


def wilson(hits: int, total: int) -> tuple[float, float]:
    """95 % Wilson score interval: sensible at 0 and 1 and for small samples, unlike p ± 2se."""
    if total == 0:
        return (math.nan, math.nan)
    p = hits / total
    denominator = 1 + Z95 * Z95 / total
    centre = (p + Z95 * Z95 / (2 * total)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / total + Z95 * Z95 / (4 * total * total)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def f1(pairs: list[tuple[bool, bool]]) -> float:
    """F1 of (gold, predicted) pairs; 1.0 when there is nothing to find and nothing found."""
    tp = sum(1 for gold, got in pairs if gold and got)
    fp = sum(1 for gold, got in pairs if got and not gold)
    fn = sum(1 for gold, got in pairs if gold and not got)
    return 1.0 if tp + fp + fn == 0 else 2 * tp / (2 * tp + fp + fn)


def bootstrap_f1(pairs: list[tuple[bool, bool]], rounds: int = 1000) -> tuple[float, float]:
    """Percentile bootstrap interval of F1 (F1 is not a proportion, so Wilson does not apply)."""
    if not pairs:
        return (math.nan, math.nan)
    rng = random.Random(20261207)
    n = len(pairs)
    scores = sorted(f1([pairs[rng.randrange(n)] for _ in range(n)]) for _ in range(rounds))
    return (scores[int(0.025 * rounds)], scores[int(0.975 * rounds) - 1])


def same_number(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 0.005


@dataclass
class Measure:
    """One measure on one split: per-row outcomes (proportion) or (gold, got) pairs (F1)."""

    name: str
    kind: str = "proportion"
    outcomes: list[bool] = field(default_factory=list)
    pairs: list[tuple[bool, bool]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.pairs) if self.kind == "f1" else len(self.outcomes)

    def value(self) -> float:
        if self.kind == "f1":
            return f1(self.pairs) if self.pairs else math.nan
        return sum(self.outcomes) / len(self.outcomes) if self.outcomes else math.nan

    def interval(self) -> tuple[float, float]:
        if self.kind == "f1":
            return bootstrap_f1(self.pairs)
        return wilson(sum(self.outcomes), len(self.outcomes))


@dataclass(frozen=True)
class Miss:
    field: str
    measure: str
    text: str
    expected: Any
    got: Any
    source: str


# --------------------------------------------------------------------------- per-field scoring
# Each scorer takes a corpus row and the normalized record and yields
# (measure name, kind, outcome or (gold, got), expected, got) for every measure the row counts in.
Scored = tuple[str, str, Any, Any, Any]


def score_title(row: dict[str, Any], out: dict[str, Any]) -> Iterable[Scored]:
    gold, got = bool(row["is_peer"]), bool(out["is_peer"])
    yield "is_peer F1", "f1", (gold, got), gold, got
    if gold:
        right = out["role_family"] == row["role_family"]
        yield "family", "proportion", right, row["role_family"], out["role_family"]


def score_pay(row: dict[str, Any], out: dict[str, Any]) -> Iterable[Scored]:
    expected = (row["pay_min"], row["pay_max"], row["pay_period"])
    got = (out["pay_min"], out["pay_max"], out["pay_period"])
    right = (same_number(expected[0], got[0]) and same_number(expected[1], got[1])
             and expected[2] == got[2])
    yield "pay exact", "proportion", right, expected, got
    if row.get("peer_posting"):
        yield "pay exact, peer postings", "proportion", right, expected, got


def score_certification(row: dict[str, Any], out: dict[str, Any]) -> Iterable[Scored]:
    right = out["cert_requirement"] == row["cert_requirement"]
    yield "certification", "proportion", right, row["cert_requirement"], out["cert_requirement"]
    if row["cert_requirement"] == "required_within":
        yield ("within days", "proportion", out["cert_within_days"] == row.get("cert_within_days"),
               row.get("cert_within_days"), out["cert_within_days"])
    if "credentials" in row:
        expected, got = sorted(row["credentials"]), sorted(out["credentials"])
        yield "credentials", "proportion", expected == got, expected, got


def score_location(row: dict[str, Any], out: dict[str, Any]) -> Iterable[Scored]:
    yield "state", "proportion", out["state"] == row["state"], row["state"], out["state"]
    yield ("county", "proportion", out["county_fips"] == row.get("county_fips"),
           row.get("county_fips"), out["county_fips"])
    if "cbsa_code" in row:
        yield ("cbsa", "proportion", out["cbsa_code"] == row["cbsa_code"], row["cbsa_code"],
               out["cbsa_code"])
    if "remote" in row:
        yield ("remote", "proportion", bool(out["remote"]) == bool(row["remote"]), row["remote"],
               out["remote"])


@dataclass(frozen=True)
class FieldSpec:
    file: str
    text_key: str
    input_key: str
    scorer: Callable[[dict[str, Any], dict[str, Any]], Iterable[Scored]]


SPECS = {
    "titles": FieldSpec("titles.jsonl", "title", "title", score_title),
    "pay": FieldSpec("pay.jsonl", "text", "pay", score_pay),
    "certification": FieldSpec("certification.jsonl", "text", "description", score_certification),
    "locations": FieldSpec("locations.jsonl", "text", "location", score_location),
}


def load_rows(name: str, corpus: Path = CORPUS) -> list[dict[str, Any]]:
    path = corpus / SPECS[name].file
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class Report:
    # (field, split, source type or "all", measure) -> Measure
    measures: dict[tuple[str, str, str, str], Measure] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)
    rows: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    unsplit: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, key: tuple[str, str, str, str], kind: str, outcome: Any) -> None:
        measure = self.measures.setdefault(key, Measure(key[3], kind))
        if kind == "f1":
            measure.pairs.append(outcome)
        else:
            measure.outcomes.append(bool(outcome))


def evaluate(fields: Iterable[str] = FIELDS, corpus: Path = CORPUS) -> Report:
    from normalize.record import normalize_record
    from normalize.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    report = Report()
    for name in fields:
        spec = SPECS[name]
        for row in load_rows(name, corpus):
            split = row.get("split")
            if split not in SPLITS:
                report.unsplit[name] += 1
                continue
            report.rows[(name, split)] += 1
            text = row[spec.text_key]
            record: dict[str, Any] = {spec.input_key: text}
            # Rows recorded with their board's context (its state, the posting's other
            # places) are read with it, as the build reads them.
            if "state_hint" in row:
                record["state_hint"] = row["state_hint"]
            if "others" in row:
                record["locations"] = [text, *row["others"]]
            out = normalize_record(record, taxonomy=taxonomy)
            source_type = str(row.get("source_type") or "unknown")
            for measure, kind, outcome, expected, got in spec.scorer(row, out):
                for group in ("all", source_type):
                    report.add((name, split, group, measure), kind, outcome)
                wrong = not (outcome[0] == outcome[1] if kind == "f1" else outcome)
                if wrong and split == "dev":
                    report.misses.append(
                        Miss(name, measure, text, expected, got, str(row.get("source", ""))))
    return report


def _fmt(measure: Measure | None) -> str:
    if measure is None or measure.count == 0:
        return f"{'-':>27}"
    low, high = measure.interval()
    return f"{measure.value():.3f} [{low:.3f}-{high:.3f}] n={measure.count:<4}"


def print_report(report: Report, *, misses: bool = False, out: Any = sys.stdout) -> None:
    fields = sorted({key[0] for key in report.measures}, key=FIELDS.index)
    print("== normalizer accuracy on benchmarks/corpus (95 % intervals)", file=out)
    for name in fields:
        counts = ", ".join(f"{split} {report.rows[(name, split)]}" for split in SPLITS)
        extra = f", {report.unsplit[name]} without a split (not scored)" if report.unsplit[name] else ""
        print(f"\n{name}: {counts} rows{extra}", file=out)
        print(f"  {'measure':<26} {'dev':<29} {'test':<29} target", file=out)
        measure_names = list(dict.fromkeys(key[3] for key in report.measures
                                           if key[0] == name and key[2] == "all"))
        for measure in measure_names:
            target = TARGETS.get(measure)
            print(f"  {measure:<26} {_fmt(report.measures.get((name, 'dev', 'all', measure)))}  "
                  f"{_fmt(report.measures.get((name, 'test', 'all', measure)))}  "
                  f"{'>= ' + format(target, '.2f') if target else ''}", file=out)
        groups = sorted({key[2] for key in report.measures if key[0] == name and key[2] != "all"})
        main = measure_names[0] if measure_names else None
        if main and len(groups) > 1:
            print(f"  by source type ({main}):", file=out)
            for group in groups:
                print(f"    {group:<24} {_fmt(report.measures.get((name, 'dev', group, main)))}  "
                      f"{_fmt(report.measures.get((name, 'test', group, main)))}", file=out)
    if misses:
        print(f"\n== misses of the dev split ({len(report.misses)})", file=out)
        for miss in report.misses:
            print(f"[{miss.field} / {miss.measure}] {miss.text[:160]!r}\n"
                  f"    expected {miss.expected!r}, got {miss.got!r}  ({miss.source})", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--field", action="append", choices=FIELDS,
                        help="score only this field (repeatable)")
    parser.add_argument("--misses", action="store_true", help="list the misses of the dev split")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of the corpus files")
    args = parser.parse_args(argv)
    report = evaluate(args.field or FIELDS, args.corpus)
    print_report(report, misses=args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
