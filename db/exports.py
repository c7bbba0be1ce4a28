"""``peerjobs export``: every public table and trend series as CSV, with a data dictionary.

Written into one folder:

* ``<table>.csv`` for every public table and view (not the full-text index, not internal
  tables), header row first, empty cells for nulls;
* ``trends/<table>_<level>.csv`` for the demand, coverage and index tables, weekly and monthly:
  split by geography level (nation, region, division, state, cbsa, county; the index tables
  stop at state), sorted by place, role family and period, ready for a spreadsheet;
* ``data_dictionary.csv`` and ``DATA_DICTIONARY.md``: every exported column with its type, how
  to read it (``read_as``: ``text`` for codes with leading zeros and for ids too large for a
  double) and its description from datasette/metadata.yml (the descriptions Datasette shows;
  the site shows the same dictionary at ``/-/data-dictionary``); a trend table's entry names
  its ``trends/`` files;
* ``manifest.json``: the build's as-of time and the row count of every file.

A database built by ``peerjobs demo`` has a ``SAMPLE_DATA.txt`` beside it: its export says so
in ``manifest.json`` (``sample_data``), at the top of ``DATA_DICTIONARY.md`` and in a
``SAMPLE_DATA.txt`` of its own. The CSVs themselves are left exact.

Everything is read in one read transaction, so the files agree with one another even if a
build publishes a new database meanwhile; each file is written to a temporary name in the
folder and renamed into place, so a reader never sees a half-written file.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import yaml

from crawlers import progress
from db.trends import GEO_LEVELS, INDEX_LEVELS

METADATA = Path(__file__).resolve().parent.parent / "datasette" / "metadata.yml"
DATABASE_NAME = "peerjobs"
TREND_TABLES = ("demand_weekly", "demand_monthly", "coverage_weekly", "coverage_monthly",
                "demand_index_weekly", "demand_index_monthly")
_INTERNAL_PREFIXES = ("_", "sqlite_")
# The incremental build's own bookkeeping (db/build.py, db/trends.py): not data a user reads.
_INTERNAL_TABLES = frozenset({"build_state", "source_geographies", "cluster_edges"})
SAMPLE_MARKER = "SAMPLE_DATA.txt"
"""Written beside a sample (demo) database by ``peerjobs demo``; holds the sample note."""

ID_COLUMNS = frozenset({"id", "posting_id", "cluster_id", "representative_id", "employer_id"})
"""63-bit ids: beyond 2^53, so a tool reading them as doubles (JavaScript, R, Excel) changes
them. The site's JSON gives them as strings."""
CODE_COLUMNS = frozenset({"county_fips", "cbsa_code", "geo_code", "state_fips"})
"""Codes with leading zeros (FIPS; geo_code holds county FIPS and CBSA codes)."""
TEXT_NOTES = {
    "id": "read as text: up to 19 digits, beyond 2^53, which JavaScript, R and Excel change "
          "when they read it as a number",
    "code": "read as text: a code with leading zeros",
}


def read_as(column: str) -> str:
    """``text`` for the columns a spreadsheet or a JSON/CSV reader must keep as text."""
    return "text" if column in ID_COLUMNS or column in CODE_COLUMNS else ""


def text_note(column: str) -> str:
    if column in ID_COLUMNS:
        return TEXT_NOTES["id"]
    return TEXT_NOTES["code"] if column in CODE_COLUMNS else ""


def sample_note(database: Path) -> str | None:
    """The sample-data note of a demo database (its ``SAMPLE_DATA.txt``), else None."""
    marker = database.parent / SAMPLE_MARKER
    try:
        return marker.read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def trend_files(table: str) -> list[str]:
    """The ``trends/`` files a trend table is split into (empty for other tables)."""
    if table not in TREND_TABLES:
        return []
    levels = GEO_LEVELS[:INDEX_LEVELS] if table.startswith("demand_index") else GEO_LEVELS
    return [f"trends/{table}_{level}.csv" for level in levels]


@contextmanager
def _atomic_file(path: Path) -> Iterator[IO[str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _csv(value: Any) -> Any:
    return "" if value is None else value


def _write_query(conn: sqlite3.Connection, path: Path, sql: str,
                 params: tuple[Any, ...] = ()) -> int:
    cursor = conn.execute(sql, params)
    header = [d[0] for d in cursor.description]
    rows = 0
    with _atomic_file(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for batch in iter(lambda: cursor.fetchmany(5_000), []):
            writer.writerows([_csv(v) for v in row] for row in batch)
            rows += len(batch)
    return rows


def public_tables(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
    """Tables and views a user reads: not internal, not full-text indexes or their shadows."""
    entries = conn.execute(
        "select type, name, sql from sqlite_master where type in ('table', 'view') "
        "order by name").fetchall()
    fts = [name for kind, name, sql in entries
           if kind == "table" and sql and "VIRTUAL TABLE" in sql.upper()]
    tables: list[str] = []
    views: list[str] = []
    for kind, name, _ in entries:
        if name.startswith(_INTERNAL_PREFIXES) or name in _INTERNAL_TABLES or any(
                name == f or name.startswith(f"{f}_") for f in fts):
            continue
        (tables if kind == "table" else views).append(name)
    return tables, views


def column_descriptions(metadata: Path | dict[str, Any] | None = None,
                        database: str = DATABASE_NAME) -> dict[str, dict[str, Any]]:
    """``table → {"description": ..., "columns": {column: description}}`` from metadata.yml
    (a path, or the metadata already read)."""
    if isinstance(metadata, dict):
        data = metadata
    else:
        path = metadata or METADATA
        if not path.exists():
            return {}
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    tables = (data.get("databases") or {}).get(database, {}).get("tables") or {}
    return {name: {"description": spec.get("description") or "",
                   "columns": dict(spec.get("columns") or {})}
            for name, spec in tables.items() if isinstance(spec, dict)}


def dictionary_entries(conn: sqlite3.Connection, names: list[str],
                       described: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """One entry per column of each table or view in ``names``: its file, the table's
    description, the column's type, ``read_as`` and description (a text note prefixed when
    the column must be read as text)."""
    entries = []
    for name in names:
        spec = described.get(name, {})
        files = trend_files(name)
        table_description = spec.get("description", "")
        if files:
            table_description += (" Also split by geography level into "
                                  + ", ".join(files) + " (same columns).")
        for column in conn.execute(f"pragma table_info([{name}])").fetchall():
            description = spec.get("columns", {}).get(column[1], "")
            note = text_note(column[1])
            entries.append({
                "file": f"{name}.csv", "table": name,
                "table_description": table_description.strip(),
                "column": column[1], "type": column[2] or "", "read_as": read_as(column[1]),
                "description": f"{description} ({note}.)" if note else description,
            })
    return entries


def _markdown(entries: list[dict[str, str]], as_of: str | None, sample: str | None) -> str:
    lines = ["# peerjobs data dictionary", ""]
    if sample:
        lines += [f"**{sample}** Every figure in these files is fictional.", ""]
    lines += [f"Data as of {as_of or 'unknown'} (the latest crawl run in the database).", "",
              "Each CSV has a header row; empty cells are nulls. The trend tables are also split "
              "by geography level under `trends/` (same columns). Columns marked *text* must "
              "be read as text: FIPS and CBSA codes keep their leading zeros, and ids have up "
              "to 19 digits, more than a spreadsheet or a double keeps exactly (in R: "
              "`colClasses = \"character\"`; in pandas: `dtype=str`).", ""]
    table = None
    for entry in entries:
        if entry["table"] != table:
            table = entry["table"]
            lines += ["", f"## {entry['file']}", ""]
            if entry["table_description"]:
                lines += [entry["table_description"], ""]
            lines += ["| column | type | read as | description |", "|---|---|---|---|"]
        description = entry["description"].replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{entry['column']}` | {entry['type']} | {entry['read_as']} "
                     f"| {description} |")
    return "\n".join(lines) + "\n"


def export_all(database: Path, folder: Path, *, metadata: Path | None = None) -> list[Path]:
    """Write every public table, view and trend series of ``database`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, isolation_level=None)
    written: list[Path] = []
    counts: dict[str, int] = {}
    try:
        conn.execute("begin")
        tables, views = public_tables(conn)
        for name in tables + views:
            path = folder / f"{name}.csv"
            counts[path.name] = _write_query(conn, path, f"select * from [{name}]")
            written.append(path)
            progress.update("tables exported", len(written), len(tables + views))
        for table in (t for t in TREND_TABLES if t in tables):
            columns = {row[1] for row in conn.execute(f"pragma table_info([{table}])")}
            order = ", ".join(c for c in ("geo_code", "role_family", "period_start")
                              if c in columns)
            levels = GEO_LEVELS[:INDEX_LEVELS] if table.startswith("demand_index") else GEO_LEVELS
            for level in levels:
                path = folder / "trends" / f"{table}_{level}.csv"
                counts[f"trends/{path.name}"] = _write_query(
                    conn, path, f"select * from [{table}] where geo_level = ? order by {order}",
                    (level,))
                written.append(path)
        as_of = None
        if "build_info" in tables:
            found = conn.execute("select value from build_info where key = 'as_of'").fetchone()
            as_of = found[0] if found else None
        entries = dictionary_entries(conn, tables + views, column_descriptions(metadata))
        conn.execute("commit")
    finally:
        conn.close()
    path = folder / "data_dictionary.csv"
    with _atomic_file(path) as handle:
        writer = csv.DictWriter(handle, fieldnames=list(entries[0]) if entries else ["file"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(entries)
    written.append(path)
    sample = sample_note(database)
    path = folder / "DATA_DICTIONARY.md"
    with _atomic_file(path) as handle:
        handle.write(_markdown(entries, as_of, sample))
    written.append(path)
    path = folder / "manifest.json"
    manifest: dict[str, Any] = {"as_of": as_of, "rows": counts}
    if sample:
        manifest["sample_data"] = sample
    with _atomic_file(path) as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
        handle.write("\n")
    written.append(path)
    if sample:
        path = folder / SAMPLE_MARKER
        with _atomic_file(path) as handle:
            handle.write(sample + "\n")
        written.append(path)
    else:
        (folder / SAMPLE_MARKER).unlink(missing_ok=True)
    return written
