"""Tolerant readers for values in platform JSON: real responses send numbers as strings, nulls,
objects where text was expected and single objects where lists were. None of these raise."""

from __future__ import annotations

import math
from typing import Any


def text(value: Any) -> str | None:
    """A scalar as stripped text (numbers included); None for blanks, booleans, objects, lists."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    result = str(value).strip()
    return result or None


def number(value: Any) -> float | None:
    """A finite number from a number or a numeric string ("42,000" included); else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        result = float(value)
    elif isinstance(value, str):
        try:
            result = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def as_list(value: Any) -> list[Any]:
    """A list as is, None as [], anything else as a one-item list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
