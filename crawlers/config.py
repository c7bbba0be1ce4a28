"""Where peerjobs keeps its data and who it says it is; every value comes from configuration."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawlers import __version__

DATA_DIR_ENV = "PEERJOBS_DATA_DIR"
CONTACT_ENV = "PEERJOBS_CONTACT"
NOW_ENV = "PEERJOBS_NOW"
PROJECT_URL = "https://github.com/peerjobs/peerjobs"
DEFAULT_CONTACT = f"{PROJECT_URL}/issues"


def data_dir(settings: Mapping[str, Any] | None = None) -> Path:
    """The git-ignored data folder: setting PEERJOBS_DATA_DIR, then the environment, then ./data."""
    value = (settings or {}).get("PEERJOBS_DATA_DIR") or os.environ.get(DATA_DIR_ENV) or "data"
    return Path(value).expanduser().resolve()


def archive_dir(settings: Mapping[str, Any] | None = None) -> Path:
    """The raw archive: one JSON-lines file and one stats file per spider per run."""
    return data_dir(settings) / "archive"


def database_path(settings: Mapping[str, Any] | None = None) -> Path:
    return data_dir(settings) / "peerjobs.db"


def contact() -> str:
    return os.environ.get(CONTACT_ENV) or DEFAULT_CONTACT


def user_agent(contact_address: str | None = None) -> str:
    """Site operators can see who we are and how to reach us in every request."""
    return f"peerjobs/{__version__} (+{PROJECT_URL}; contact: {contact_address or contact()})"


def now(settings: Mapping[str, Any] | None = None) -> datetime:
    """The clock of a run. PEERJOBS_NOW replays a run at a fixed time (demo history, tests)."""
    fixed = (settings or {}).get("PEERJOBS_NOW") or os.environ.get(NOW_ENV)
    if fixed:
        parsed = datetime.fromisoformat(str(fixed).replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_run_id(moment: datetime, spider_name: str) -> str:
    """Run ids sort by time, so the archive lists runs in the order they happened."""
    stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{re.sub(r'[^a-z0-9_]+', '-', spider_name.lower())}"
