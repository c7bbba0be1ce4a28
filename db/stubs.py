"""A normalizer that takes its answer from the item, for tests and benchmarks.

Tests that need exact control over normalized fields, and benchmarks that run while normalize/
is incomplete, put the fields they want under ``extra["normalized"]`` of each archived item;
:func:`extra_normalizer` returns them (columns postings does not have are an error, as with the
real normalizer). Nothing in the published build uses it.
"""

from __future__ import annotations

import json
from typing import Any

NORMALIZED_KEY = "normalized"


def extra_normalizer(row: dict[str, Any]) -> dict[str, Any]:
    """The normalized columns stored in the row's raw ``extra`` JSON (none when absent)."""
    extra = row.get("extra")
    if not extra:
        return {}
    values = json.loads(extra).get(NORMALIZED_KEY) if isinstance(extra, str) else None
    return dict(values) if isinstance(values, dict) else {}
