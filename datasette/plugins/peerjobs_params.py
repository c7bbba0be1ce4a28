"""Canned queries check their parameters and say what was wrong, instead of answering nothing.

Which query takes which kind of parameter is this plugin's setting in metadata.yml
(``peerjobs_params: {query: {parameter: series | required | optional}}``; ``series``: required
and the place must have a series). Kinds, by parameter name:

* ``state``: a two-letter USPS code, any case (``mi`` is MI). For the trend queries the state
  must also have a series (a board covering it had a complete run).
* ``role_family``: a family code of the taxonomy, any case, ``all``, or empty (every family).
* ``place``: the pair ``geo_level`` / ``geo_code``. ``geo_code`` is a place's code or name in any
  case (``mi``, ``Michigan``, ``midwest``, ``26163``, ``Wayne County, MI``); ``geo_level`` may be
  left empty when the code names one place only. A place is one with a series.

A request whose values are all valid runs with them in canonical form (``state=MI``,
``geo_level=region&geo_code=Midwest``), so the SQL can match exactly and use its index; one
with a wrong value is answered 400 with a message naming it (HTML: the message and the query's
form; JSON: Datasette's error shape; CSV: the message as text). A page opened with no
parameters at all shows the empty form; JSON and CSV must give the required ones.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

from datasette.utils import tilde_decode
from datasette.utils.asgi import Request

from datasette import hookimpl
from db.coverage import GEO_LEVELS, state_names
from db.trends import family_codes

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

_QUERY_PATH = re.compile(r"^/(?P<database>[^/.]+)/(?P<query>[^/.]+)(?:\.(?P<format>\w+))?$")

Place = tuple[str, str, str]
"""(geo_level, geo_code, geo_name)."""


class ParameterError(ValueError):
    pass


_places: dict[str, tuple[tuple[int, int], list[Place]]] = {}


async def places(db: Any) -> list[Place] | None:
    """Every place with a series, read once per published database file; None when the
    database has no coverage table (not a peerjobs build)."""
    try:
        stat = os.stat(db.path)
        stamp = (stat.st_ino, stat.st_mtime_ns)
    except (OSError, TypeError):
        stamp = (0, 0)
    cached = _places.get(db.name)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    if not await db.table_exists("coverage_monthly"):
        return None
    rows = await db.execute("select geo_level, geo_code, min(geo_name) from coverage_monthly "
                            "group by geo_level, geo_code")
    found = [(str(r[0]), str(r[1]), str(r[2] or "")) for r in rows]
    _places[db.name] = (stamp, found)
    return found


def check_state(value: str, known: list[Place] | None, *, needs_series: bool) -> str:
    code = value.strip().upper()
    names = state_names()
    if code not in names:
        raise ParameterError(f"state must be a two-letter state code such as MI or DC (any "
                             f"case); {value.strip()!r} is not one")
    if needs_series and known is not None and not any(
            level == "state" and place == code for level, place, _ in known):
        raise ParameterError(f"no series for {names[code]} ({code}) yet: no board covering it "
                             "has had a complete run")
    return code


def check_family(value: str) -> str:
    code = value.strip().lower()
    if code in ("", "all") or code in family_codes():
        return code
    raise ParameterError(f"role_family must be one of {', '.join(family_codes())}, or empty "
                         f"(or all) for every peer family; {value.strip()!r} is not one")


def check_place(level: str, code: str, known: list[Place] | None) -> tuple[str, str]:
    level, wanted = level.strip().lower(), code.strip()
    if level and level not in GEO_LEVELS:
        raise ParameterError(f"geo_level must be {', '.join(GEO_LEVELS[:-1])} or county, or "
                             f"empty to find it from geo_code; {level!r} is not one")
    if not wanted:
        raise ParameterError("geo_code is required: US, a Census region or division, a state "
                             "code, a CBSA code or a county FIPS code (or a place's name)")
    if known is None:
        return level, wanted
    folded = wanted.casefold()
    matches = [(lv, c) for lv, c, name in known
               if c.casefold() == folded or name.casefold() == folded]
    if not matches:
        raise ParameterError(
            f"no place {wanted!r} has a series: geo_code is US, a Census region (Northeast, "
            "Midwest, South, West), a division (such as East North Central), a state code "
            "(MI), a CBSA code or a county FIPS code (5 digits), or the place's name")
    at_level = [m for m in matches if m[0] == level] if level else matches
    if not at_level:
        kinds = " and ".join(sorted({lv for lv, _ in matches}))
        raise ParameterError(f"{wanted!r} is not a {level}: it is a {kinds}; set geo_level to "
                             "that or leave it empty")
    codes = {(lv, c) for lv, c in at_level}
    if len(codes) > 1:
        kinds = " and a ".join(sorted(lv for lv, _ in codes))
        raise ParameterError(f"{wanted!r} is both a {kinds}: set geo_level to say which")
    return at_level[0]


async def canonical(spec: dict[str, str], args: dict[str, str], db: Any) -> dict[str, str]:
    """The query's arguments in canonical form; ParameterError names the first wrong one."""
    known = await places(db)
    out = dict(args)
    for name, need in spec.items():
        if name == "place":
            out["geo_level"], out["geo_code"] = check_place(
                args.get("geo_level", ""), args.get("geo_code", ""), known)
            continue
        value = args.get(name, "")
        if not value.strip():
            if need in ("required", "series"):
                raise ParameterError(f"{name} is required")
            out[name] = ""
            continue
        if name == "state":
            out[name] = check_state(value, known, needs_series=need == "series")
        elif name == "role_family":
            out[name] = check_family(value)
    return out


def _parameter_names(spec: dict[str, str]) -> list[str]:
    names: list[str] = []
    for name in spec:
        names += ["geo_level", "geo_code"] if name == "place" else [name]
    return names


async def _reject(datasette: Any, scope: Scope, receive: Receive, send: Send, *, fmt: str | None,
                  query: str, database: str, args: dict[str, str], spec: dict[str, str],
                  message: str) -> None:
    if fmt == "json":
        body = json.dumps({"ok": False, "error": message, "status": 400,
                           "title": "Check the parameters"}).encode()
        content_type = b"application/json; charset=utf-8"
    elif fmt is not None:
        body = f"error: {message}\n".encode()
        content_type = b"text/plain; charset=utf-8"
    else:
        metadata = (datasette.metadata("queries", database=database) or {}).get(query) or {}
        html = await datasette.render_template(
            "peerjobs_param_error.html",
            {"error": message, "status": 400, "database": database, "query_name": query,
             "query_title": metadata.get("title") or query,
             "description": metadata.get("description") or "",
             "fields": [(name, args.get(name, "")) for name in _parameter_names(spec)]},
            request=Request({**scope, "csrftoken": lambda: ""}, receive))
        body = html.encode()
        content_type = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 400,
                "headers": [(b"content-type", content_type)]})
    await send({"type": "http.response.body", "body": body})


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[App], App]:
    def wrap(app: App) -> App:
        async def checked(scope: Scope, receive: Receive, send: Send) -> None:
            found = _QUERY_PATH.match(scope.get("path", "")) if scope.get("type") == "http" \
                else None
            config = datasette.plugin_config("peerjobs_params") or {}
            spec = config.get(tilde_decode(found["query"])) if found else None
            if not found or not isinstance(spec, dict):
                await app(scope, receive, send)
                return
            pairs = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                                           keep_blank_values=True)
            args = dict(pairs)
            names = _parameter_names(spec)
            fmt = found["format"]
            if fmt is None and not any(args.get(n, "").strip() for n in names):
                await app(scope, receive, send)  # the empty form
                return
            try:
                db = datasette.get_database(route=tilde_decode(found["database"]))
            except KeyError:
                await app(scope, receive, send)
                return
            try:
                fixed = await canonical(spec, args, db)
            except ParameterError as error:
                await _reject(datasette, scope, receive, send, fmt=fmt,
                              query=tilde_decode(found["query"]), database=db.name, args=args,
                              spec=spec, message=str(error))
                return
            rest = [(k, v) for k, v in pairs if k not in fixed]
            query_string = urllib.parse.urlencode(list(fixed.items()) + rest)
            await app({**scope, "query_string": query_string.encode("latin-1")}, receive, send)

        return checked

    return wrap
