"""Downloads that are whole and exact: every row once, every id as it is, sample data labelled.

* **A unique tie-breaker on every page.** Datasette 0.65 orders the *first* page of a sorted
  table by the sort column alone (``order by last_seen desc``) and the following pages by the
  sort column and the primary key, with a ``_next`` token that assumes the second order
  throughout: rows sharing a value at a page boundary came twice or never (a CSV stream of 627
  postings once held 531 rows, 195 missing). Views page by offset with no order at all. Here the
  main query of every table and view page is completed with its key: the table's primary key
  (``rowid`` for rowid tables), a view's key from this plugin's ``view_keys`` setting, else all
  of the view's columns. Only that query is touched, and only on table and view pages: a
  query a visitor writes runs exactly as written.
* **Whole CSV by default.** A table or view ``.csv`` without ``_next`` and without a numeric
  ``_size`` streams every row (``_stream=on``, 5,000-row pages); ``_size=N`` still asks for one
  page of N rows. (Datasette itself answered ``?_size=max`` with the first 5,000 rows and no
  warning.) JSON pages carry ``next_url`` and a ``Link: rel="next"`` header to follow.
* **Ids as text in JSON.** Posting, cluster and employer ids are 63-bit hashes: JavaScript, R's
  jsonlite and Excel read numbers as doubles and silently change any integer beyond 2^53. In
  JSON the id columns (this plugin's ``id_columns``; ``id``, ``posting_id``, ``cluster_id``,
  ``representative_id``, ``employer_id``) of the project's tables and of every query are
  strings, always, so a column never mixes types. CSV has no types: the data dictionary says to
  read these columns as text.
* **Sample data says so.** While the demo is served (``peerjobs_site: sample_data`` in the
  metadata), every response carries ``x-peerjobs-sample-data``, JSON objects a
  ``"sample_data"`` key, and a downloaded CSV's file name starts with ``SAMPLE-DATA-``.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from datasette.database import Database
from datasette.renderer import json_renderer
from datasette.utils import escape_sqlite, tilde_decode

from datasette import hookimpl

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

ID_COLUMNS = ("id", "posting_id", "cluster_id", "representative_id", "employer_id")
SAMPLE_HEADER = b"x-peerjobs-sample-data"
_TABLE_PATH = re.compile(r"^/(?P<database>[^/.]+)/(?P<table>[^/.]+)(?:\.(?P<format>\w+))?$")
_ORDER = re.compile(r"^(?P<column>\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_]*)(?: desc)?(?P<rest>, .+)?$")
_LIMIT = re.compile(r" ?limit \d+(?: offset \d+)?$")

#: (database, table or view) while a table or view page is being answered.
_PAGE: ContextVar[tuple[str, str] | None] = ContextVar("peerjobs_table_page", default=None)


def _config(datasette: Any) -> dict[str, Any]:
    return dict(datasette.plugin_config("peerjobs_downloads") or {})


def sample_note(datasette: Any) -> str | None:
    note = (datasette.plugin_config("peerjobs_site") or {}).get("sample_data")
    return str(note) if note else None


# -- a unique order on every page ------------------------------------------------------------


async def _tie_breaker(db: Database, name: str, view_keys: dict[str, list[str]]) -> str | None:
    if name in await db.view_names():
        keys = view_keys.get(name) or await db.table_columns(name)
        return ", ".join(escape_sqlite(k) for k in keys) or None
    if not await db.table_exists(name):
        return None
    pks = await db.primary_keys(name)
    return ", ".join(escape_sqlite(pk) for pk in pks) if pks else "rowid"


async def stable_order(db: Database, table: str, sql: str,
                       view_keys: dict[str, list[str]]) -> str:
    """``sql`` with the page's order completed by a unique key, when ``sql`` is the main query
    Datasette built for the page of ``table`` (``select … from T [where …] [order by C [desc]]
    limit N [offset M]``); anything else is returned unchanged."""
    source = f" from {escape_sqlite(table)} "
    if not sql.startswith("select ") or source not in sql:
        return sql
    limit = _LIMIT.search(sql)
    if limit is None:
        return sql
    body, tail = sql[:limit.start()].rstrip(), sql[limit.start():].lstrip()
    cut = body.rfind(" order by ")
    order = _ORDER.match(body[cut + len(" order by "):]) if cut > body.find(source) else None
    if order is not None and order["rest"]:
        return sql  # Datasette already added the key (pages after the first)
    keys = await _tie_breaker(db, table, view_keys)
    if keys is None:
        return sql
    if order is None:
        return f"{body} order by {keys} {tail}"
    return f"{body}, {keys} {tail}"


_original_execute = Database.execute


async def _execute(self: Database, sql: str, params: Any = None, truncate: bool = False,
                   custom_time_limit: Any = None, page_size: Any = None,
                   log_sql_errors: bool = True) -> Any:
    page = _PAGE.get()
    if page is not None and truncate and page[0] == self.name:
        sql = await stable_order(self, page[1], sql, _VIEW_KEYS.get(self.name, {}))
    return await _original_execute(self, sql, params=params, truncate=truncate,
                                   custom_time_limit=custom_time_limit, page_size=page_size,
                                   log_sql_errors=log_sql_errors)


_VIEW_KEYS: dict[str, dict[str, list[str]]] = {}


@hookimpl
def startup(datasette: Any) -> None:
    keys = _config(datasette).get("view_keys") or {}
    for name in datasette.databases:
        _VIEW_KEYS[name] = {str(k): [str(c) for c in v] for k, v in keys.items()}
    Database.execute = _execute


# -- whole CSVs, sample labels ----------------------------------------------------------------


def _whole_csv(scope: Scope) -> Scope:
    args = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                  keep_blank_values=True)
    names = {k for k, _ in args}
    size = dict(args).get("_size", "max")
    if "_next" in names or "_stream" in names or size != "max":
        return scope
    args = [(k, v) for k, v in args if k != "_size"] + [("_stream", "on"), ("_size", "max")]
    return {**scope, "query_string": urllib.parse.urlencode(args).encode("latin-1")}


def _labelled(send: Send, note: str) -> Send:
    async def labelled(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = []
            for key, value in message.get("headers") or []:
                if key.lower() == b"content-disposition":
                    value = value.replace(b'filename="', b'filename="SAMPLE-DATA-')
                headers.append((key, value))
            headers.append((SAMPLE_HEADER, note.encode("ascii", "replace")))
            message = {**message, "headers": headers}
        await send(message)

    return labelled


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    def wrap(app: App) -> App:
        async def whole(scope: Scope, receive: Receive, send: Send) -> None:
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            note = sample_note(datasette)
            if note:
                send = _labelled(send, note)
            found = _TABLE_PATH.match(scope.get("path", ""))
            if found is None:
                await app(scope, receive, send)
                return
            database, table = tilde_decode(found["database"]), tilde_decode(found["table"])
            try:
                db = datasette.get_database(route=database)
            except KeyError:
                await app(scope, receive, send)
                return
            is_data = table in await db.table_names() or table in await db.view_names()
            if is_data and found["format"] == "csv":
                scope = _whole_csv(scope)
            token = _PAGE.set((db.name, table) if is_data else None)
            try:
                await app(scope, receive, send)
            finally:
                _PAGE.reset(token)

        return whole

    return wrap


# -- JSON -------------------------------------------------------------------------------------


def _as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def render_json(datasette: Any, args: Any, data: Any, view_name: str, database: str | None,
                table: str | None) -> Any:
    config = _config(datasette)
    id_columns = set(config.get("id_columns") or ID_COLUMNS)
    columns = data.get("columns") or [] if isinstance(data, dict) else []
    textual = [i for i, c in enumerate(columns) if c in id_columns]
    if table is not None and database is not None:
        described = set(datasette.table_metadata(database, table).get("columns") or {})
        textual = [i for i in textual if columns[i] in described]
    if textual and data.get("rows"):
        rows = []
        for row in data["rows"]:
            values = list(row)
            for i in textual:
                values[i] = _as_text(values[i])
            rows.append(values)
        data["rows"] = rows
    note = sample_note(datasette)
    if note and isinstance(data, dict):
        data["sample_data"] = note
    return json_renderer(args, data, view_name)


@hookimpl
def register_output_renderer(datasette: Any) -> dict[str, Any]:
    # Registered under Datasette's own extension, so it replaces the built-in JSON renderer
    # (which it then calls) for every page: tables, rows, queries and canned queries.
    return {"extension": "json", "render": render_json}
