"""A small real HTTP server that replays recorded responses at their real paths.

Tests and the demo point spiders at it with ``-a api_base=http://127.0.0.1:PORT``. A replay
folder holds files laid out as ``<host>/<path>`` (the host the spider thought it was talking
to arrives in the ``X-Peerjobs-Original-Host`` header), plus an optional ``routes.json`` for
what a plain file cannot say: POST bodies, query strings, status codes, headers, redirects,
responses that never come (timeouts) and responses that change after N requests (429 then 200).

routes.json: ``{"routes": [{"method": "POST", "host": "...", "path": "/x", "query": {"page": "2"},
"json": {"offset": 20}, "form": {"page": "2"}, "status": 200, "headers": {...},
"file": "relative/body.json" | "body": "inline text", "hang": false, "times": null,
"fault": null}]}``; ``query``, ``json`` and ``form`` match when the request carries at least
those values. Every host gets an allow-all robots.txt unless the folder has its own (a route
for ``/robots.txt`` with a ``host`` answers for that host alone).

``fault`` breaks the answer the way real servers and networks do:

- ``"reset"``: the request is read, then the connection is closed with a TCP reset; no answer.
- ``"truncate"``: a complete HTTP answer whose body is cut (to ``cut_at`` bytes, default half):
  its Content-Length says the cut length, so only the document itself is broken.
- ``"cut_length"``: Content-Length announces the whole body, half of it (or ``cut_at`` bytes)
  is sent, then the connection closes: the client sees the answer end early.
- ``"redirect_loop"``: 302 back to the request's own path and query, every time.
- ``"huge"``: the body padded with trailing spaces to ``size`` bytes (default 50 MB), sent in
  chunks with its Content-Length (a client with a size limit gives up at the headers).

A ``truncate``, ``cut_length`` or ``huge`` route without ``file`` or ``body`` breaks what the
folder would otherwise answer for that request: the next matching route, or the static file.
"""

from __future__ import annotations

import json
import mimetypes
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from crawlers.mirror import ORIGINAL_HOST_HEADER

ALLOW_ALL_ROBOTS = b"User-agent: *\nAllow: /\n"


@dataclass
class Logged:
    method: str
    host: str
    path: str
    query: str
    body: bytes


def _flat_query(query: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}


def _subset(wanted: Any, actual: Any) -> bool:
    if isinstance(wanted, dict):
        return isinstance(actual, dict) and all(
            k in actual and _subset(v, actual[k]) for k, v in wanted.items()
        )
    return bool(wanted == actual)


class ReplayFolder:
    """The recorded responses of one folder, and the log of requests made against them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        routes_file = root / "routes.json"
        self.routes: list[dict[str, Any]] = (
            json.loads(routes_file.read_text(encoding="utf-8"))["routes"]
            if routes_file.exists() else []
        )
        self.used = [0] * len(self.routes)

    def route_for(self, method: str, host: str, path: str, query: str,
                  body: bytes, content_type: str, *, after: int = -1,
                  count: bool = True) -> dict[str, Any] | None:
        params = _flat_query(query)
        for index, route in enumerate(self.routes):
            if index <= after:
                continue
            if route.get("method", "GET").upper() != method:
                continue
            if route.get("host") and route["host"] != host:
                continue
            if route.get("path") != path:
                continue
            if "query" in route and not _subset(route["query"], params):
                continue
            if "json" in route:
                try:
                    payload = json.loads(body or b"null")
                except ValueError:
                    continue
                if not _subset(route["json"], payload):
                    continue
            if "form" in route and not _subset(route["form"], _flat_query(body.decode("utf-8", "replace"))):
                continue
            with self.lock:
                if route.get("times") is not None and self.used[index] >= int(route["times"]):
                    continue
                if count:
                    self.used[index] += 1
            return route
        return None

    def underlying(self, route: dict[str, Any], method: str, host: str, path: str, query: str,
                   body: bytes, content_type: str) -> tuple[bytes, dict[str, str]] | None:
        """What the folder answers for this request when ``route`` (a fault) is left out."""
        if "file" in route or "body" in route:
            return _route_payload(self.root, route)
        index = self.routes.index(route)
        following = self.route_for(method, host, path, query, body, content_type,
                                   after=index, count=False)
        if following is not None:
            return _route_payload(self.root, following)
        found = self.static_file(host, path, query)
        if found is None:
            return None
        payload = found.read_bytes()
        return payload, {"Content-Type": _guess_type(found.name, payload)}

    def static_file(self, host: str, path: str, query: str) -> Path | None:
        relative = unquote(path).lstrip("/")
        candidates = []
        for base in (self.root / host, self.root):
            target = base / relative
            if query:
                candidates.append(target.with_name(f"{target.name}?{query}"))
            else:
                candidates.extend([target, target / "index.html"])
        for candidate in candidates:
            try:
                resolved = candidate.resolve()
            except OSError:
                continue
            if resolved.is_file() and resolved.is_relative_to(self.root.resolve()):
                return resolved
        return None

    def count(self, *, path: str | None = None, host: str | None = None,
              method: str | None = None) -> int:
        with self.lock:
            return sum(
                1 for e in self.log
                if (path is None or e.path == path) and (host is None or e.host == host)
                and (method is None or e.method == method)
            )


def _guess_type(name: str, body: bytes = b"") -> str:
    known = mimetypes.guess_type(name.split("?")[0])[0]
    if known:
        return known
    # Recorded API answers are often saved without an extension (``jobs?content=true``). The
    # platforms label them; unlabeled, Scrapy scans every byte of the body to guess its type.
    start = body[:64].lstrip()
    if start[:1] in (b"{", b"["):
        return "application/json"
    if start[:5].lower() == b"<?xml":
        return "application/xml"
    if start[:1] == b"<":
        return "text/html"
    return "application/octet-stream"


def _route_payload(root: Path, route: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """A route's body and headers (Content-Type guessed from its file when not given)."""
    if "file" in route:
        payload = (root / route["file"]).read_bytes()
    else:
        payload = str(route.get("body", "")).encode("utf-8")
    headers = dict(route.get("headers") or {})
    if "Content-Type" not in headers and "file" in route:
        headers["Content-Type"] = mimetypes.guess_type(route["file"])[0] or "text/plain"
    return payload, headers


FAULTS = ("reset", "truncate", "cut_length", "redirect_loop", "huge")
HUGE_DEFAULT = 50 * 1024 * 1024
POLL_INTERVAL = 0.05


def _handler_for(folder: ReplayFolder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet by default
            pass

        def do_GET(self) -> None:
            self.answer("GET")

        def do_POST(self) -> None:
            self.answer("POST")

        def do_HEAD(self) -> None:
            self.answer("HEAD")

        def answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            host = self.headers.get(ORIGINAL_HOST_HEADER) or self.headers.get("Host") or ""
            with folder.lock:
                folder.log.append(Logged(method, host, parts.path, parts.query, body))
            content_type = self.headers.get("Content-Type") or ""
            route = folder.route_for(method, host, parts.path, parts.query, body, content_type)
            if route is not None and route.get("fault"):
                self.replay_fault(route, method, host, parts.path, parts.query, body,
                                  content_type)
                return
            if route is not None:
                self.replay_route(route)
                return
            found = folder.static_file(host, parts.path, parts.query)
            if found is not None:
                payload = found.read_bytes()
                self.send(200, payload, {"Content-Type": _guess_type(found.name, payload)},
                          head=method == "HEAD")
            elif parts.path == "/robots.txt":
                self.send(200, ALLOW_ALL_ROBOTS, {"Content-Type": "text/plain"})
            else:
                self.send(404, b"<html><body>Not Found</body></html>",
                          {"Content-Type": "text/html"})

        def replay_route(self, route: dict[str, Any]) -> None:
            if route.get("hang"):
                # Never answer: the client's timeout is what is being tested.
                folder.stop.wait(120)
                return
            payload, headers = _route_payload(folder.root, route)
            self.send(int(route.get("status", 200)), payload, headers)

        def replay_fault(self, route: dict[str, Any], method: str, host: str, path: str,
                         query: str, body: bytes, content_type: str) -> None:
            fault = route["fault"]
            if fault not in FAULTS:
                raise ValueError(f"unknown fault {fault!r} in routes.json (known: {FAULTS})")
            if fault == "reset":
                # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return
            if fault == "redirect_loop":
                target = f"{path}?{query}" if query else path
                self.send(int(route.get("status", 302)), b"",
                          {"Location": target, **(route.get("headers") or {})})
                return
            found = folder.underlying(route, method, host, path, query, body, content_type)
            if found is None:
                raise ValueError(f"fault {fault!r} at {host}{path} has no body to break")
            payload, headers = found
            headers = {**headers, **(route.get("headers") or {})}
            status = int(route.get("status", 200))
            cut = int(route.get("cut_at", len(payload) // 2))
            if fault == "truncate":
                self.send(status, payload[:cut], headers)
            elif fault == "cut_length":
                self.close_connection = True
                self.send(status, payload[:cut], headers, length=len(payload))
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            else:  # huge
                size = max(int(route.get("size", HUGE_DEFAULT)), len(payload))
                self.close_connection = True
                self.send_head(status, headers, size)
                chunk = b" " * 65536
                try:
                    self.wfile.write(payload)
                    left = size - len(payload)
                    while left > 0:
                        self.wfile.write(chunk[:left])
                        left -= min(left, len(chunk))
                except OSError:
                    pass  # the client gave up on the size, as it should

        def send_head(self, status: int, headers: dict[str, str], length: int) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if self.close_connection:
                # Said out loud, or a keep-alive client (Playwright's fetch) pools the socket,
                # sends its next request down it as the FIN arrives and gets "socket hang up".
                self.send_header("Connection", "close")
            self.send_header("Content-Length", str(length))
            self.end_headers()

        def send(self, status: int, payload: bytes, headers: dict[str, str],
                 head: bool = False, length: int | None = None) -> None:
            self.send_head(status, headers, len(payload) if length is None else length)
            if not head:
                self.wfile.write(payload)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    # A crawl opens dozens of connections at once; the default backlog (5) drops SYNs, and the
    # client's retransmission a second later can outlast a short download timeout.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or give up close the socket mid-request; that is the test.
        pass


class ReplayServer:
    """``with ReplayServer(folder) as server: server.url`` — a live server on 127.0.0.1."""

    def __init__(self, root: Path | str, port: int = 0) -> None:
        self.folder = ReplayFolder(Path(root))
        self.httpd = _QuietServer(("127.0.0.1", port), _handler_for(self.folder))
        # serve_forever notices shutdown() only at its next poll: 0.5 s by default, paid by
        # every close (the demo closes one server per week).
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": POLL_INTERVAL}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def log(self) -> list[Logged]:
        return self.folder.log

    def start(self) -> ReplayServer:
        self.thread.start()
        return self

    def close(self) -> None:
        self.folder.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def serving(root: Path | str) -> Iterator[ReplayServer]:
    with ReplayServer(root) as server:
        yield server


def main(argv: list[str] | None = None) -> None:
    """``python -m crawlers.replay FOLDER [PORT]``: serve a replay folder until interrupted."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    server = ReplayServer(args[0], int(args[1]) if len(args) > 1 else 0).start()
    print(f"replaying {args[0]} at {server.url}", flush=True)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.close()


if __name__ == "__main__":
    main()
