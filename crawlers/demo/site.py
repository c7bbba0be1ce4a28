"""A replay folder being written: files at their real host and path, plus routes.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ReplaySite:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.routes: list[dict[str, Any]] = []
        root.mkdir(parents=True, exist_ok=True)

    def put(self, url: str, body: str | bytes) -> Path:
        """Serve ``body`` for GET ``url`` (its query, if any, must match exactly)."""
        parts = urlsplit(url)
        relative = parts.path.lstrip("/") or "index.html"
        if relative.endswith("/"):
            relative += "index.html"
        target = self.root / parts.netloc / relative
        if parts.query:
            target = target.with_name(f"{target.name}?{parts.query}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        return target

    def route(self, url: str, body: str | bytes, *, method: str = "GET", status: int = 200,
              content_type: str = "application/json", **match: Any) -> None:
        """Serve ``body`` for requests matching method, host, path and ``query``/``json``/``form``."""
        parts = urlsplit(url)
        name = f"_bodies/{len(self.routes):05d}"
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        route: dict[str, Any] = {"method": method, "host": parts.netloc, "path": parts.path,
                                 "status": status, "file": name,
                                 "headers": {"Content-Type": content_type}}
        route.update(match)
        self.routes.append(route)

    def finish(self) -> None:
        (self.root / "routes.json").write_text(json.dumps({"routes": self.routes}, indent=1),
                                               encoding="utf-8")
