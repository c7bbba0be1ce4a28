"""The files of one run in the archive, and how they are written. No Scrapy here: the build
and the recovery of interrupted runs use these without starting a crawler.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

STATS_FORMAT = 1


def stats_path(archive: str | Path, spider_name: str, run_id: str) -> Path:
    return Path(archive) / spider_name / f"{run_id}.stats.json"


def feed_path(archive: str | Path, spider_name: str, run_id: str) -> Path:
    return Path(archive) / spider_name / f"{run_id}.jsonl"


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=1, sort_keys=True)
        handle.write("\n")
    os.replace(tmp, path)
