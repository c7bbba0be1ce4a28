"""``peerjobs normalize``: stream JSON lines or CSV through the normalizer.

One output row per input row, in order, and nothing lost without a word: a line that is not a
JSON object, is not UTF-8, nests too deeply or (CSV) has a quote left open becomes an error
naming its line number, and the stream goes on. A field of the wrong type (a numeric title, a
``true`` pay) is left out of the normalizing and named in the record's ``errors`` list rather
than coerced into something the posting never said. A UTF-8 byte-order mark is accepted.
"""

from __future__ import annotations

import csv
import io
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, BinaryIO, TextIO

from normalize.record import OUTPUT_FIELDS, normalize_record

BOM = b"\xef\xbb\xbf"
TEXT_FIELDS = ("title", "description", "employer", "location", "pay", "pay_text", "pay_period",
               "pay_currency", "state_hint")
NUMBER_FIELDS = ("pay_min", "pay_max")
FLAG_FIELDS = ("remote",)
# Python's default CSV field limit (131,072 characters) is below a long posting's description.
CSV_FIELD_LIMIT = 2**31 - 1


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "text"


def checked(record: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The record without its wrongly typed input fields, and one message per such field."""
    kept = dict(record)
    errors: list[str] = []

    def reject(name: str, expected: str) -> None:
        errors.append(f"{name}: expected {expected}, got {_kind(kept.pop(name))}")

    for name in TEXT_FIELDS:
        if kept.get(name) is not None and not isinstance(kept[name], str):
            reject(name, "text")
    for name in NUMBER_FIELDS:
        value = kept.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | str)):
            reject(name, "a number")
    for name in FLAG_FIELDS:
        value = kept.get(name)
        if value is not None and not isinstance(value, bool | int | str):
            reject(name, "true/false")
    value = kept.get("locations")
    if value is not None and not isinstance(value, list | str):
        reject("locations", "a list or text")
    return kept, errors


def _normalized(record: dict[str, Any]) -> dict[str, Any]:
    usable, errors = checked(record)
    result = {**record, **normalize_record(usable)}
    if errors:
        result["errors"] = errors
    return result


def _undecodable(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
    return ""


def normalize_jsonlines(infile: BinaryIO, output: TextIO) -> tuple[int, int]:
    """Read bytes, not text, so that one line of bad UTF-8 costs that line only."""
    count = errors = 0
    for number, raw in enumerate(infile, start=1):
        if number == 1 and raw.startswith(BOM):
            raw = raw[len(BOM):]
        if not raw.strip():
            continue
        count += 1
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(_undecodable(raw)) from None
            try:
                record = json.loads(line)
            except RecursionError:
                raise ValueError("nested too deeply to read") from None
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            result = _normalized(record)
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


def _visible(value: str) -> str:
    """Undecodable bytes (kept as surrogates) shown as U+FFFD so the row can still be written."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _rows(text: Iterable[str]) -> Iterator[tuple[int, int, list[str] | None, str]]:
    """(first line, last line, fields, problem) per CSV record; fields None when unreadable.

    A quote left open swallows every line after it into one field; those lines are read again
    as rows of their own, so one stray quote costs one row, not the rest of the file."""
    queue: deque[str] = deque()
    taken: list[str] = []
    lines = iter(text)

    def feed() -> Iterator[str]:
        while True:
            line = queue.popleft() if queue else next(lines, None)
            if line is None:
                return
            taken.append(line)
            yield line

    reader = csv.reader(feed(), strict=True)
    done = 0
    while True:
        taken.clear()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            first = done + 1
            # A record that failed after taking several lines is a quote left open; the error
            # comes at the end of the data or where a later quote closes it, mid-row.
            if len(taken) > 1 or "end of data" in str(exc):
                yield first, first, None, f"a quote opened on line {first} is never closed"
                queue.extendleft(reversed(taken[1:]))
                done = first
                reader = csv.reader(feed(), strict=True)
            else:
                done += len(taken)
                yield first, done, None, f"not CSV ({exc})"
            continue
        first, done = done + 1, done + len(taken)
        yield first, done, fields, ""


def normalize_csv(infile: BinaryIO, output: TextIO) -> tuple[int, int]:
    text = io.TextIOWrapper(infile, encoding="utf-8-sig", errors="surrogateescape", newline="")
    saved_limit = csv.field_size_limit(CSV_FIELD_LIMIT)
    try:
        return _normalize_csv(_rows(text), output)
    finally:
        csv.field_size_limit(saved_limit)
        text.detach()


def _normalize_csv(rows: Iterator[tuple[int, int, list[str] | None, str]],
                   output: TextIO) -> tuple[int, int]:
    header = next(rows, None)
    if header is None or header[2] is None:
        return 0, 0
    columns = [_visible(name) for name in header[2]]
    extra = [f for f in OUTPUT_FIELDS if f not in columns]
    writer = csv.DictWriter(output, fieldnames=[*columns, *extra, "error"], extrasaction="ignore")
    writer.writeheader()
    count = errors = 0
    for first, last, fields, problem in rows:
        if fields is not None and not any(fields):
            continue
        count += 1
        values = [_visible(v) for v in fields or []]
        record = dict(zip(columns, values, strict=False))
        if not problem and fields is not None:
            if any(v != raw for v, raw in zip(values, fields, strict=True)):
                column = next(c for c, v, raw in zip(columns, values, fields, strict=False)
                              if v != raw)
                problem = f"not UTF-8 text (in column {column})"
            elif len(fields) != len(columns):
                problem = f"{len(fields)} fields where the header has {len(columns)}"
                if last > first:
                    problem += (f"; a quote opened on line {first} may have run on to line {last}")
        if problem:
            errors += 1
            writer.writerow({**record, "error": f"line {first}: {problem}"})
            continue
        result = normalize_record(record)
        writer.writerow({**record, **{k: _csv_value(v) for k, v in result.items()}})
    return count, errors

