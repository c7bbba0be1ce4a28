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


def make_normalizer(taxonomy_path: Path | None = None) -> Normalizer:
    from normalize.geo import geo
    from normalize.record import normalize_record
    from normalize.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(taxonomy_path)
    # Build the geography indexes now: worker processes forked after this share them instead
    # of each building its own copy (a few seconds and tens of MB per worker).
    geo()

    def normalized_columns(row: dict[str, Any]) -> dict[str, Any]:
        result = normalize_record(record_from_row(row), taxonomy=taxonomy)
        # Only flags and lists need converting; a call per field cost a sixth of the time.
        for name, value in result.items():
            kind = type(value)
            if kind is bool or kind is list or kind is tuple:
                result[name] = _column(value)
        return result

    return normalized_columns
