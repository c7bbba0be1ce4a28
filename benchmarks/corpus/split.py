"""Give every corpus row a fixed ``split``: ``dev`` (70 %) or ``test`` (30 %).

Run: ``python3 benchmarks/corpus/split.py benchmarks/corpus/FIELD.jsonl [...]``

Rows that already carry a split keep it, so the test split never changes under anyone's feet;
rows without one (newly added) are shuffled with a seed drawn from the file name and split 70/30
within each stratum (the file is one field; within it, the label class and source type), so
every class of text has test rows. Rows whose input text repeats an earlier row are dropped:
the same string in both splits would make the test figure a dev figure. Every row must name
its ``source``; the script refuses a file with a row that does not.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

TEST_SHARE = 0.30
# The input text of each field's rows: what the normalizer reads.
INPUT_KEYS = ("text", "title")
# The label that defines the stratum inside a field.
LABEL_KEYS = ("role_family", "is_peer", "cert_requirement", "pay_period", "state")


def input_text(row: dict[str, Any]) -> str:
    for key in INPUT_KEYS:
        value = row.get(key)
        if isinstance(value, str):
            return value.strip()
    raise ValueError(f"row has no input text ({' or '.join(INPUT_KEYS)}): {row}")


def stratum(row: dict[str, Any]) -> tuple[str, str]:
    label = next((str(row[key]) for key in LABEL_KEYS if key in row), "")
    return label, str(row.get("source_type", ""))


def split_file(path: Path) -> dict[str, int]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen: set[str] = set()
    kept: list[dict[str, Any]] = []
    for number, row in enumerate(rows, 1):
        if not row.get("source"):
            raise SystemExit(f"{path}:{number}: every row needs a source (URL or owner/repo:path)")
        key = input_text(row)
        if key in seen:
            continue
        seen.add(key)
        kept.append(row)
    seed = int(hashlib.sha256(path.name.encode()).hexdigest()[:8], 16)
    rng = random.Random(seed)
    pending: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in kept:
        if row.get("split") not in ("dev", "test"):
            pending[stratum(row)].append(row)
    for group_key in sorted(pending):
        group = pending[group_key]
        rng.shuffle(group)
        # Round half up on the test side, but never take a lone row of a stratum into test.
        tests = int(len(group) * TEST_SHARE + 0.5) if len(group) > 1 else 0
        for index, row in enumerate(group):
            row["split"] = "test" if index < tests else "dev"
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in kept),
                    encoding="utf-8")
    counts = {"dev": 0, "test": 0, "dropped_repeats": len(rows) - len(kept)}
    for row in kept:
        counts[row["split"]] += 1
    return counts


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    for name in argv:
        counts = split_file(Path(name))
        print(f"{name}: dev {counts['dev']}, test {counts['test']}, "
              f"repeated inputs dropped {counts['dropped_repeats']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
