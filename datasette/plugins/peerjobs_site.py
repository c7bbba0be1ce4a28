"""The researcher's site: front page, sample-data label, dashboard wording, units, dictionary.

* **Front page** (``/`` and the database page): the as-of date, what the build covers and where
  to go next, from ``build_info``, the coverage tables and row counts (``front``).
* **Sample data**: while the demo is served, this plugin's ``sample_data`` setting (written by
  ``demo_metadata``) is the banner of every page (templates/base.html); a real build has no
  such setting and shows none.
* **Dashboard wording**: chart titles and messages in metadata.yml carry placeholders filled
  from the filters and the build: ``{place}`` (the United States, or "Michigan (MI)"),
  ``{family}`` ("all peer roles", or a family's label and code), ``{week}``, ``{month}``,
  ``{weeks}`` (the weeks drawn), ``{measure}`` (the map's measure), ``{min_cell}`` (the
  small-cell threshold). An unknown state, family or measure in the filters is named in a
  message above the charts.
* **Units** in HTML tables: hourly pay as ``$17.50/h``, shares as ``45.0%``, and "withheld"
  where a row's ``pay_withheld`` / ``shares_withheld`` is 1 (JSON and CSV keep the numbers and
  nulls).
* ``temp.state_population`` on every connection: the Census 2024 estimate of each state and DC
  (static/state-population-2024.csv), for rates per resident in SQL.
* ``/-/data-dictionary`` (and ``.csv``): every table and column with its description, as
  ``peerjobs export`` writes it (db/exports.py).
* CSV links on table pages stream every row (``_stream=on``).
* Plugin settings are read once per server (``plugin_config``): datasette-render-markdown,
  installed with the dashboards, asks for its settings for every text cell of a table page,
  and every ask merged the whole metadata again, the dashboards' charts included (0.4 ms a
  cell: more than half of a page of postings).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import sqlite3
import urllib.parse
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from datasette.utils import path_with_format
from datasette.utils.asgi import Response
from markupsafe import Markup

from datasette import hookimpl

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "static"
POPULATION_CSV = STATIC / "state-population-2024.csv"
DASHBOARD_TEMPLATES = ("dashboard_view.html", "dashboard_chart.html")

HOURLY_COLUMNS = frozenset({"hourly_min", "hourly_max", "pay_hourly", "pay_hourly_p25",
                            "pay_hourly_median", "pay_hourly_p75", "peer_pay_hourly_median"})
SHARE_COLUMNS = frozenset({"share_with_pay", "share_cert_required", "peer_share"})
MEASURES = {
    "per_100k": ("active postings per 100,000 residents", "per 100,000 residents"),
    "pay": ("median hourly pay", "USD per hour"),
    "cert": ("share of postings requiring certification", "% requiring certification"),
}


def sample_note(datasette: Any) -> str | None:
    note = (datasette.plugin_config("peerjobs_site") or {}).get("sample_data")
    return str(note) if note else None


# -- state population -------------------------------------------------------------------------


@cache
def population() -> tuple[tuple[str, str, str, str, str, int], ...]:
    with POPULATION_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple((r["state"], r["state_fips"], r["name"], r["region"], r["division"],
                      int(r["population_2024"])) for r in csv.DictReader(handle))


def add_population(conn: sqlite3.Connection) -> None:
    conn.execute("create temp table if not exists state_population (state text primary key, "
                 "state_fips text, name text, region text, division text, "
                 "population_2024 integer)")
    if conn.execute("select count(*) from temp.state_population").fetchone()[0] == 0:
        conn.executemany("insert into temp.state_population values (?, ?, ?, ?, ?, ?)",
                         population())


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str) -> None:
    if database != "_internal":
        add_population(conn)


# -- units ------------------------------------------------------------------------------------


def _flag(row: Any, name: str) -> Any:
    try:
        return row[name]
    except (IndexError, KeyError, TypeError):
        return None


@hookimpl
def render_cell(row: Any, value: Any, column: str) -> str | None:
    if value is None:
        # A figure withheld for a small cell says so instead of looking like a gap.
        if column in HOURLY_COLUMNS and _flag(row, "pay_withheld") == 1:
            return "withheld"
        if column in SHARE_COLUMNS and _flag(row, "shares_withheld") == 1:
            return "withheld"
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if column in HOURLY_COLUMNS:
        return f"${value:,.2f}/h"
    if column in SHARE_COLUMNS:
        return f"{100 * value:.1f}%"
    return None


# -- labels -----------------------------------------------------------------------------------


def day(text: str | None) -> str:
    if not text:
        return "unknown"
    when = date.fromisoformat(text[:10])
    return f"{when.day} {when:%b %Y}"


def month(text: str | None) -> str:
    return f"{date.fromisoformat(text[:10]):%B %Y}" if text else "unknown"


class Labels(dict[str, str]):
    """Placeholder values; an unknown ``{name}`` stays as written."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"

    def fill(self, text: Any) -> str:
        return str(text or "").format_map(self)


@cache
def families() -> dict[str, str]:
    from normalize.taxonomy import load_taxonomy

    return {f.code: f.label for f in load_taxonomy().families}


async def build_info(db: Any) -> dict[str, str]:
    if not await db.table_exists("build_info"):
        return {}
    return {str(r[0]): str(r[1]) for r in await db.execute("select key, value from build_info")}


async def dashboard_labels(datasette: Any, request: Any) -> dict[str, Any]:
    db = datasette.get_database("peerjobs") if "peerjobs" in datasette.databases else \
        datasette.get_database()
    info = await build_info(db)
    problems = []
    state = (request.args.get("state") or "").strip().upper()
    names = {row[0]: row[2] for row in population()}
    if not state:
        place = "the United States"
    elif state in names:
        place = f"{names[state]} ({state})"
    else:
        place = f"unknown state {state!r}"
        problems.append(f"Unknown state {state!r}: pick a state from the list (two-letter "
                        "codes such as MI or DC).")
    family = (request.args.get("role_family") or "").strip().lower()
    if not family or family == "all":
        family_label = "all peer roles"
    elif family in families():
        family_label = f"{families()[family]} ({family})"
    else:
        family_label = f"unknown family {family!r}"
        problems.append(f"Unknown role family {family!r}: pick one from the list.")
    measure = (request.args.get("measure") or "").strip() or "per_100k"
    if measure not in MEASURES:
        problems.append(f"Unknown map measure {measure!r}: the map shows "
                        f"{MEASURES['per_100k'][0]}.")
        measure = "per_100k"
    first_week = None
    if await db.table_exists("coverage_weekly"):
        first_week = (await db.execute(
            "select min(period_start) from coverage_weekly where geo_level = 'nation'")).first()
        first_week = first_week[0] if first_week else None
    latest_week = info.get("latest_complete_week")
    labels = Labels(
        place=place, family=family_label, week=f"week of {day(latest_week)}",
        month=month(info.get("latest_complete_month")),
        weeks=f"weeks of {day(first_week)} to {day(latest_week)}",
        measure=MEASURES[measure][0], measure_unit=MEASURES[measure][1],
        min_cell=info.get("min_cell", "5"), static=datasette.urls.path("/static"),
    )
    note = sample_note(datasette)

    def script_config(dashboard: dict[str, Any], query_string: str,
                      slugs: list[str] | None = None) -> Markup:
        """The charts as peerjobs-dashboard.js reads them, as JSON safe inside <script>."""
        charts = {}
        for slug, chart in dashboard.get("charts", {}).items():
            if slugs is not None and slug not in slugs:
                continue
            charts[slug] = {
                "db": chart.get("db"), "query": chart.get("query"),
                "library": chart.get("library"), "display": chart.get("display") or {},
                "title": labels.fill(chart.get("title")), "show_if": chart.get("show_if"),
                "empty": labels.fill(chart.get("empty") or "Nothing to show for {place}, "
                                     "{family}."),
            }
        payload = {"charts": charts, "labels": dict(labels), "query_string": query_string,
                   "base": datasette.urls.instance(), "sample": note,
                   "sample_short": "SAMPLE DATA (fictional)" if note else None,
                   "row_limit": datasette.setting("max_returned_rows")}
        text = json.dumps(payload).replace("<", "\\u003c").replace(">", "\\u003e")
        return Markup(text.replace("&", "\\u0026"))

    def data_link(chart: dict[str, Any], query_string: str, fmt: str = "") -> str:
        """The chart's query on the SQL page (an HTML table: the chart's text alternative)."""
        query = urllib.parse.urlencode({"sql": chart.get("query") or ""})
        path = datasette.urls.database(chart.get("db") or db.name, format=fmt or None)
        return f"{path}?{query}" + (f"&{query_string}" if query_string else "")

    return {"labels": labels, "dashboard_problems": problems, "family_labels": families(),
            "state_names": names, "script_config": script_config, "data_link": data_link,
            "measures": {k: v[0] for k, v in MEASURES.items()}}


# -- front page -------------------------------------------------------------------------------


_fronts: dict[str, tuple[tuple[int, int], dict[str, Any] | None]] = {}


def _stamp(db: Any) -> tuple[int, int]:
    try:
        stat = os.stat(db.path)
        return (stat.st_ino, stat.st_mtime_ns)
    except (OSError, TypeError):
        return (0, 0)


async def front(datasette: Any, database: str) -> dict[str, Any] | None:
    """The front page's figures, counted once per published database file (a build replaces
    the file; counting a million postings on every visit would not do)."""
    try:
        db = datasette.get_database(database)
    except KeyError:
        return None
    stamp = _stamp(db)
    cached = _fronts.get(db.name)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    numbers = await _front(db)
    _fronts[db.name] = (stamp, numbers)
    return numbers


async def _front(db: Any) -> dict[str, Any] | None:
    info = await build_info(db)
    if not info:
        return None
    numbers: dict[str, Any] = {"as_of": info.get("as_of"),
                               "week": info.get("latest_complete_week"),
                               "month": info.get("latest_complete_month"),
                               "min_cell": info.get("min_cell", "5")}
    queries = {
        "postings": "select count(*) from postings",
        "peer_postings": "select count(*) from postings where is_peer = 1",
        "open_peer_jobs": "select count(*) from clusters where is_peer = 1 and status = 'open'",
        "employers": "select count(*) from employers",
        "boards": "select count(distinct source) from runs",
        "boards_watched": "select boards_watched from coverage_weekly where geo_level = "
                          "'nation' and period_start = :week",
        "states": "select count(distinct geo_code) from coverage_weekly where geo_level = "
                  "'state'",
        "first_week": "select min(period_start) from coverage_weekly where geo_level = 'nation'",
    }
    for key, sql in queries.items():
        try:
            row = (await db.execute(sql, {"week": numbers["week"]})).first()
        except Exception:  # an older build without one of the tables
            row = None
        numbers[key] = row[0] if row else None
    numbers["as_of_day"] = day(numbers["as_of"])
    numbers["week_label"] = day(numbers["week"])
    numbers["month_label"] = month(numbers["month"])
    numbers["first_week_label"] = day(numbers["first_week"])
    return numbers


# -- hooks ------------------------------------------------------------------------------------


@hookimpl
def startup(datasette: Any) -> None:
    read = datasette.plugin_config
    kept: dict[tuple[Any, ...], Any] = {}

    def plugin_config(plugin_name: str, database: str | None = None, table: str | None = None,
                      fallback: bool = True) -> Any:
        key = (plugin_name, database, table, fallback)
        if key not in kept:
            kept[key] = read(plugin_name, database=database, table=table, fallback=fallback)
        # A copy: datasette-dashboards writes into the settings it is given.
        return copy.deepcopy(kept[key])

    datasette.plugin_config = plugin_config


@hookimpl
def extra_template_vars(template: str, database: str | None, view_name: str | None,
                        request: Any, datasette: Any) -> Any:
    async def variables() -> dict[str, Any]:
        found: dict[str, Any] = {"sample_data": sample_note(datasette),
                                 "site_title": datasette.metadata("title")}
        if template in DASHBOARD_TEMPLATES and request is not None:
            found.update(await dashboard_labels(datasette, request))
        if view_name in ("index", "database"):
            name = database or ("peerjobs" if "peerjobs" in datasette.databases else None)
            found["front"] = await front(datasette, name) if name else None
        if view_name == "table" and request is not None:
            found["url_csv"] = datasette.urls.path(path_with_format(
                request=request, format="csv", extra_qs={"_stream": "on", "_size": "max"}))
        return found

    return variables


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [{"href": datasette.urls.path("/-/data-dictionary"), "label": "Data dictionary"}]


async def data_dictionary(datasette: Any, request: Any) -> Response:
    from db.exports import column_descriptions, dictionary_entries, public_tables

    name = "peerjobs" if "peerjobs" in datasette.databases else None
    if name is None:
        return Response.text("no peerjobs database is served", status=404)
    db = datasette.get_database(name)
    described = column_descriptions(datasette.metadata(), name)

    def read(conn: sqlite3.Connection) -> list[dict[str, str]]:
        tables, views = public_tables(conn)
        return dictionary_entries(conn, tables + views, described)

    entries = await db.execute_fn(read)
    if request.url_vars.get("format") == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(entries[0]) if entries else ["table"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(entries)
        return Response(out.getvalue(), content_type="text/csv; charset=utf-8")
    tables: dict[str, dict[str, Any]] = {}
    for entry in entries:
        table = tables.setdefault(entry["table"], {"description": entry["table_description"],
                                                   "file": entry["file"], "columns": []})
        table["columns"].append(entry)
    return Response.html(await datasette.render_template(
        "data_dictionary.html", {"tables": tables, "database": name}, request=request))


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/data-dictionary(\.(?P<format>csv))?$", data_dictionary)]
