"""Derived tables, rebuilt by every build from postings and sightings."""

from __future__ import annotations

from db.build import Deriver

DERIVERS: tuple[Deriver, ...] = ()
