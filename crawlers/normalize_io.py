"""``peerjobs normalize``: stream JSON lines or CSV through the normalizer.

One output line per input line, in order. A line that is not a JSON object becomes an error
object naming its line number; the stream goes on.
"""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from normalize.record import OUTPUT_FIELDS, normalize_record


def normalize_jsonlines(infile: TextIO, output: TextIO) -> tuple[int, int]:
    count = errors = 0
    for number, line in enumerate(infile, start=1):
        if not line.strip():
            continue
        count += 1
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            result: dict[str, Any] = {**record, **normalize_record(record)}
        except ValueError as exc:
            errors += 1
            result = {"error": f"line {number}: {exc}", "line": number}
        output.write(json.dumps(result, ensure_ascii=False) + "\n")
    return count, errors


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def normalize_csv(infile: TextIO, output: TextIO) -> tuple[int, int]:
    reader = csv.DictReader(infile)
    columns = list(reader.fieldnames or [])
    extra = [f for f in OUTPUT_FIELDS if f not in columns]
    writer = csv.DictWriter(output, fieldnames=[*columns, *extra, "error"], extrasaction="ignore")
    writer.writeheader()
    count = errors = 0
    for number, row in enumerate(reader, start=2):
        count += 1
        record = {k: v for k, v in row.items() if k is not None}
        if None in row:
            errors += 1
            writer.writerow({**record, "error": f"line {number}: more fields than the header"})
            continue
        result = normalize_record(record)
        writer.writerow({**record, **{k: _csv_value(v) for k, v in result.items()}})
    return count, errors
