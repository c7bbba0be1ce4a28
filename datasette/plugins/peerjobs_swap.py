"""Serve the newest database after every build, without restarting Datasette.

``peerjobs build`` publishes by atomically renaming a finished file over the old one.
Connections opened on the old file keep reading it (that is what makes the swap safe: nobody
ever sees a half-built file), so this plugin notices the new file (its inode changed) and
reconnects before the next query.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

from datasette.database import Database

from datasette import hookimpl

_local = threading.local()


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


class SwappableDatabase(Database):  # type: ignore[misc]
    """A file database whose connections follow the file that is at its path now."""

    async def execute_fn(self, fn: Any) -> Any:
        def in_thread() -> Any:
            current = _inode(self.path)
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
