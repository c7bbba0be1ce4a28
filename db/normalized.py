"""Normalized posting columns from the raw ones, through normalize/ (the one place that decides)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from db.load import Normalizer


def record_from_row(row: dict[str, Any]) -> dict[str, Any]:
    """The normalizer's input from a postings row's raw columns."""
    locations = row.get("locations")
    return {
        "title": row.get("title"),
        "description": row.get("description"),
        "employer": row.get("employer"),
        "location": row.get("location"),
        "locations": json.loads(locations) if isinstance(locations, str) else locations,
        "pay_text": row.get("pay_text"),
        "pay_min": row.get("raw_pay_min"),
        "pay_max": row.get("raw_pay_max"),
        "pay_period": row.get("raw_pay_period"),
        "pay_currency": row.get("raw_pay_currency"),
        "remote": bool(row["raw_remote"]) if row.get("raw_remote") is not None else None,
        "state_hint": row.get("board_state"),
    }


def _column(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list | tuple):
        return json.dumps(list(value)) if value else None
    return value


def taxonomy_version(taxonomy_path: Path | None = None) -> str:
    """The version the normalizer would stamp on rows (reads the taxonomy file only)."""
    from normalize.taxonomy import load_taxonomy

    return load_taxonomy(taxonomy_path).version


class LazyNormalizer:
    """A normalizer built on first use: a build with nothing to normalize never pays for the
    geography indexes (about two seconds). :meth:`resolve` builds it ahead of forking worker
    processes so that they share it."""

    def __init__(self, taxonomy_path: Path | None = None) -> None:
        self.taxonomy_path = taxonomy_path
        self._built: Normalizer | None = None

    @property
    def built(self) -> bool:
        return self._built is not None

    def resolve(self) -> Normalizer:
        if self._built is None:
            self._built = make_normalizer(self.taxonomy_path)
        return self._built

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        return self.resolve()(row)


def make_normalizer(taxonomy_path: Path | None = None) -> Normalizer:
    from normalize.record import normalize_record, prepare
    from normalize.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(taxonomy_path)
    # Build every index now and freeze it: worker processes forked after this share them
    # instead of each building its own copy (a few seconds and tens of MB per worker), and the
    # garbage collector no longer walks (and unshares) them.
    prepare(taxonomy)

    def normalized_columns(row: dict[str, Any]) -> dict[str, Any]:
        result = normalize_record(record_from_row(row), taxonomy=taxonomy)
        # Only flags and lists need converting; a call per field cost a sixth of the time.
        for name, value in result.items():
            kind = type(value)
            if kind is bool or kind is list or kind is tuple:
                result[name] = _column(value)
        return result

    return normalized_columns
