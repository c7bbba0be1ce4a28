"""Serve the newest database after every build, without restarting Datasette.

``peerjobs build`` publishes by atomically renaming a finished file over the old one.
Connections opened on the old file keep reading it (that is what makes the swap safe: nobody
ever sees a half-built file), so this plugin notices the new file (its inode changed) and
reconnects before the next query.

Between two builds the file never changes, so what a table or view page counts (its rows,
and the facet counts metadata.yml asks for) is a property of the file and the filter: like
Datasette's own row counts for an immutable file, those answers are kept per published file
(its inode, size and modification time) and filter, and a new file starts afresh. At a million
postings a facet count reads every row's index entry (a quarter to half a second each), and a
page shows three or four, counted one after the other. Only table and view pages are served
from it (not arbitrary SQL, nor a page with a ``_where`` clause of its own, which could ask for
``random()``).
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import urllib.parse
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from datasette.database import Database, QueryInterrupted

from datasette import hookimpl

_local = threading.local()


CACHED_ANSWERS = 4096
"""Counts kept per server (a facet's answer is at most its facet_size + 1 rows)."""
_COUNTS = re.compile(
    # A table page's row count, and ColumnFacet's count per value (datasette/facets.py).
    r"\s*select count\(\*\) from |\s*select \S+ as value, count\(\*\) as count from \(")
"""The queries whose answers depend on the file and the filter only."""
_TABLE_PAGE: ContextVar[bool] = ContextVar("peerjobs_table_page", default=False)
"""Set while a request for a table or view page (no SQL of its visitor's) is answered."""

Scope = dict[str, Any]
App = Callable[[Scope, Any, Any], Awaitable[None]]


def _file_stamp(path: str) -> tuple[int, int, int] | None:
    """Which file is at ``path`` now: a build publishes a new one (a new inode)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


class SwappableDatabase(Database):  # type: ignore[misc]
    """A file database whose connections follow the file that is at its path now, and that
    keeps its table pages' counts per published file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counts: OrderedDict[Any, Any] = OrderedDict()
        self._pending: dict[Any, asyncio.Future[None]] = {}

    async def execute(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        stamp = _file_stamp(self.path) if _TABLE_PAGE.get() and _COUNTS.match(sql) else None
        if stamp is None:
            return await super().execute(sql, params, *args, **kwargs)
        values = params.items() if isinstance(params, dict) else enumerate(params or ())
        unlimited = {k: v for k, v in kwargs.items() if k != "custom_time_limit"}
        key = (stamp, sql, tuple(sorted((str(k), repr(v)) for k, v in values)), args,
               tuple(sorted(unlimited.items())))
        found = self._counts.get(key)
        if found is not None:
            self._counts.move_to_end(key)
            return found
        try:
            found = await super().execute(sql, params, *args, **kwargs)
        except QueryInterrupted:
            # A facet past facet_time_limit_ms: this page goes without it, and it is counted
            # in the background (within the site's own time limit) for the next visitor.
            if kwargs.get("custom_time_limit") and key not in self._pending:
                self._pending[key] = asyncio.ensure_future(
                    self._count_later(key, sql, params, args, unlimited))
            raise
        self._keep(key, found)
        return found

    async def _count_later(self, key: Any, sql: str, params: Any, args: Any,
                           kwargs: dict[str, Any]) -> None:
        try:
            self._keep(key, await super().execute(sql, params, *args, **kwargs))
        except Exception:  # a count that fails again is just not kept
            pass
        finally:
            self._pending.pop(key, None)

    def _keep(self, key: Any, found: Any) -> None:
        self._counts[key] = found
        while len(self._counts) > CACHED_ANSWERS:
            self._counts.popitem(last=False)

    async def execute_fn(self, fn: Any) -> Any:
        def in_thread() -> Any:
            current = _file_stamp(self.path)
            key = f"peerjobs_{self.name}"
            state = getattr(_local, key, None)
            if state is None or state[1] != current:
                if state is not None:
                    state[0].close()
                    self.cached_hash = None
                    self.cached_size = None
                    self._cached_table_counts = None
                conn = self.connect()
                self.ds._prepare_connection(conn, self.name)
                state = (conn, current)
                setattr(_local, key, state)
            return fn(state[0])

        if self.ds.executor is None:
            return in_thread()
        return await asyncio.get_event_loop().run_in_executor(self.ds.executor, in_thread)


@hookimpl
def startup(datasette: Any) -> None:
    for name, db in list(datasette.databases.items()):
        if db.path and db.is_mutable and not db.is_memory and not isinstance(db, SwappableDatabase):
            datasette.remove_database(name)
            datasette.add_database(SwappableDatabase(datasette, path=db.path), name=name,
                                   route=db.route)


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    def wrap(app: App) -> App:
        async def marked(scope: Scope, receive: Any, send: Any) -> None:
            asked = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
            # A visitor's own SQL (sql=, _where=) is never kept.
            token = _TABLE_PAGE.set(scope.get("type") == "http" and "sql" not in asked
                                    and "_where" not in asked)
            try:
                await app(scope, receive, send)
            finally:
                _TABLE_PAGE.reset(token)

        return marked

    return wrap
