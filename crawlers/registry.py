"""The source registry, ``sources.toml``: every board we crawl is data here, never code.

Each ``[[boards]]`` entry names its platform and the platform's own board token (or the full
board URL where the host varies), the employer, state, organisation type, whether it is enabled,
and what we know of the board's terms and robots.txt. Platform-specific options (start URLs,
link patterns, rendering) sit beside them and are read by that platform's base spider.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SOURCES_ENV = "PEERJOBS_SOURCES"
DEFAULT_SOURCES = Path(__file__).with_name("sources.toml")
_KNOWN_KEYS = {
    "platform", "board", "key", "employer", "state", "org_type", "enabled",
    "terms", "robots", "confidence", "evidence",
}


class RegistryError(ValueError):
    """sources.toml cannot be used as it stands; the message names the entry and the problem."""


@dataclass(frozen=True)
class Board:
    platform: str
    """Platform name, the same as its spider's name (``greenhouse``, ``workday``, ``jsonld``...)."""
    board: str
    """The platform's board token, or the full board URL where the host varies."""
    key: str
    """Short unique name of the board within its platform; ``source`` is ``platform:key``."""
    employer: str | None = None
    state: str | None = None
    org_type: str | None = None
    enabled: bool = True
    terms: str | None = None
    robots: str | None = None
    confidence: str | None = None
    evidence: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    """Everything else in the entry: platform-specific settings such as ``start_urls``."""

    @property
    def source(self) -> str:
        return f"{self.platform}:{self.key}"

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


def board_key(board: str) -> str:
    """A token is its own key; a URL board is keyed by host and path without the scheme."""
    if "://" not in board:
        return board.strip()
    parts = urlsplit(board.strip())
    return f"{parts.netloc}{parts.path}".rstrip("/")


def sources_path(settings: Mapping[str, Any] | None = None) -> Path:
    value = (settings or {}).get("PEERJOBS_SOURCES") or os.environ.get(SOURCES_ENV)
    return Path(value).expanduser().resolve() if value else DEFAULT_SOURCES


def parse_registry(text: str, origin: str = "sources.toml") -> tuple[Board, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{origin}: not valid TOML: {exc}") from exc
    boards: list[Board] = []
    seen: set[str] = set()
    for number, entry in enumerate(data.get("boards", []), start=1):
        where = f"{origin}: boards entry {number}"
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}: must be a table")
        platform, token = entry.get("platform"), entry.get("board")
        if not isinstance(platform, str) or not platform:
            raise RegistryError(f"{where}: 'platform' is required")
        if not isinstance(token, str) or not token:
            raise RegistryError(f"{where}: 'board' is required")
        board = Board(
            platform=platform,
            board=token,
            key=str(entry.get("key") or board_key(token)),
            employer=entry.get("employer"),
            state=entry.get("state") or None,
            org_type=entry.get("org_type"),
            enabled=bool(entry.get("enabled", True)),
            terms=entry.get("terms"),
            robots=entry.get("robots"),
            confidence=entry.get("confidence"),
            evidence=entry.get("evidence"),
            options={k: v for k, v in entry.items() if k not in _KNOWN_KEYS},
        )
        if board.source in seen:
            raise RegistryError(f"{where}: duplicate source {board.source}")
        seen.add(board.source)
        boards.append(board)
    return tuple(boards)


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> tuple[Board, ...]:
    return parse_registry(path.read_text(encoding="utf-8"), origin=str(path))


def load_registry(settings: Mapping[str, Any] | None = None) -> tuple[Board, ...]:
    path = sources_path(settings)
    if not path.exists():
        raise RegistryError(f"{path}: source registry not found")
    return _load(path, path.stat().st_mtime_ns)


def boards_for(platform: str, settings: Mapping[str, Any] | None = None) -> list[Board]:
    return [b for b in load_registry(settings) if b.platform == platform]


def find_board(platform: str, wanted: str, settings: Mapping[str, Any] | None = None) -> Board | None:
    """A board named on the command line by token, URL, key or full source key."""
    wanted = wanted.strip()
    for board in boards_for(platform, settings):
        if wanted in (board.board, board.key, board.source) or board_key(wanted) == board.key:
            return board
    return None
