"""Keep one query from taking the site down, and (public mode) hide what a visitor need not see.

Datasette's time limit stops a query that computes for too long, but not one that builds a
huge value quickly: ``select zeroblob(1000000000)`` once grew the server to 22.8 GB. So every
connection gets SQLite's own limits (no string or blob over a few MB, no SQL text over 100 KB),
and the rows a query returns are counted as they are fetched: past a budget the query ends with
an error before the response is ever built. Researchers keep arbitrary SQL within these limits.

Public mode (``peerjobs serve --public``, or ``PEERJOBS_PUBLIC=1`` for a packaged deployment)
also answers 404 for Datasette's debug and introspection pages, and for ``/-/databases``, which
shows the database's path on the server.
"""

from __future__ import annotations

import os
import sqlite3
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from datasette import hookimpl

#: Largest string or blob any expression may produce (SQLite's own check, before allocation).
MAX_VALUE_BYTES = 5_000_000
#: Longest SQL text accepted.
MAX_SQL_BYTES = 100_000
#: Bytes of row values one query may return; the JSON or HTML built from them is a few times
#: larger, so this bounds a response to tens of MB.
MAX_RESULT_BYTES = 40_000_000

#: Pages hidden in public mode (each also with .json).
PRIVATE_PATHS = frozenset(
    f"/-/{name}{suffix}"
    for name in ("settings", "versions", "threads", "allow-debug", "messages", "databases",
                 "permissions", "actor", "config")
    for suffix in ("", ".json")
)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_public(datasette: Any) -> bool:
    config = datasette.plugin_config("peerjobs_limits") or {}
    flag = os.environ.get("PEERJOBS_PUBLIC", "")
    return bool(config.get("public")) or flag.strip().lower() in ("1", "true", "yes")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


def budgeted_rows(limit: int) -> Callable[[sqlite3.Cursor, tuple[Any, ...]], sqlite3.Row]:
    """A row factory that builds the same ``sqlite3.Row`` objects Datasette expects, and stops
    a query whose rows add up to more than ``limit`` bytes."""
    spent: weakref.WeakKeyDictionary[sqlite3.Cursor, int] = weakref.WeakKeyDictionary()

    def factory(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> sqlite3.Row:
        total = spent.get(cursor, 0)
        for value in row:
            total += _size(value)
        if total > limit:
            # OperationalError is what Datasette turns into a 400 with the message shown.
            raise sqlite3.OperationalError(
                f"result too large: this query returns more than {limit // 1_000_000} MB; "
                "ask for fewer rows or columns, or leave out large values")
        spent[cursor] = total
        return sqlite3.Row(cursor, row)

    return factory


def limit_connection(conn: sqlite3.Connection, *, result_bytes: int = MAX_RESULT_BYTES) -> None:
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.row_factory = budgeted_rows(result_bytes)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    limit_connection(conn)


async def _not_found(send: Send) -> None:
    body = b'{"ok": false, "error": "Not found", "status": 404, "title": null}'
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"application/json; charset=utf-8")]})
    await send({"type": "http.response.body", "body": body})


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    def wrap(app: App) -> App:
        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            if (scope.get("type") == "http" and scope.get("path") in PRIVATE_PATHS
                    and is_public(datasette)):
                await _not_found(send)
                return
            await app(scope, receive, send)

        return guarded

    return wrap
