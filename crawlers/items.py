"""The one item every spider emits: a job posting with raw values, exactly as the source gives them.

Nothing here is normalized: pay periods stay in the platform's own words ("HOUR", "per-hour-wage",
"PA"), dates stay as sent, locations stay text. normalize/ turns them into comparable values at
build time, so the whole database can be rebuilt from this archive after a parser improves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class JobPosting:
    source: str | None = None
    """Registry source key, ``<platform>:<board>`` (e.g. ``greenhouse:talkspace``)."""
    source_id: str | None = None
    """The posting's id on that source; ``(source, source_id)`` identifies a posting."""
    url: str | None = None
    """Public URL of the posting (never the api_base mirror)."""
    title: str | None = None
    employer: str | None = None
    """Hiring organisation as the posting names it (peer-only boards: the employer, not the board)."""
    location: str | None = None
    """Primary location as raw text."""
    locations: list[str] | None = None
    """Every location the posting lists, raw text, primary first."""
    pay_text: str | None = None
    """Pay as the source writes it, when it gives pay as text."""
    pay_min: float | None = None
    pay_max: float | None = None
    pay_period: str | None = None
    """Pay unit in the source's own words (``HOUR``, ``per-year-salary``, ``PA``, ``Hourly``)."""
    pay_currency: str | None = None
    description: str | None = None
    """Plain text (HTML removed), paragraphs separated by blank lines."""
    posted_at: str | None = None
    closes_at: str | None = None
    employment_type: str | None = None
    remote: bool | None = None
    """Only what the source flags (TELECOMMUTE, isRemote, workplaceType); text is read by normalize/."""
    fetched_at: str | None = None
    """UTC time the spider saw the posting (ISO 8601, Z)."""
    platform: str | None = None
    board: str | None = None
    """The board token or URL the posting came from."""
    source_updated_at: str | None = None
    """The source's own last-change stamp, used to skip unchanged details on the next run."""
    detail_skipped: bool | None = None
    """True when the detail was not fetched because the stored copy is current (a sighting only)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Platform-specific raw values kept for researchers (requisition id, department, grade, ...)."""


JOBPOSTING_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(JobPosting))
