"""Site speed at a million postings (issue 16, target 1): what makes the pages fast, checked
for what it does, never for how fast (benchmarks/bench_serve.py --postings measures that).

* ``search_postings`` narrows to the state before sorting and answers exactly what sorting
  every match in the country answers, ties and the 100-row cut included, whichever way it
  reads each tier;
* the indexes the table pages use exist after a build and after migrating an older database,
  and the pages' queries use them;
* the facets metadata.yml offers, and the settings ``peerjobs serve`` passes.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO
from datasette.utils import escape_fts
from sqlite_utils import Database
from test_exports import database  # noqa: F401 - a small build, as the fixture

from db.schema import SITE_INDEXES, migrate, migrations

METADATA = yaml.safe_load((REPO / "datasette" / "metadata.yml").read_text())
QUERIES = METADATA["databases"]["peerjobs"]["queries"]

EVERY_MATCH_SQL = """
with recursive words(rest, word) as (
  select trim(replace(replace(replace(replace(coalesce(:q, ''), '"', ' '), char(9), ' '),
                              char(10), ' '), char(13), ' ')) || ' ', ''
  union all
  select ltrim(substr(rest, instr(rest, ' ') + 1)), substr(rest, 1, instr(rest, ' ') - 1)
  from words where rest != ''
),
terms(expression) as (
  select coalesce(group_concat('"' || word || '"', ' '), '""') from words where word != ''
),
titled(id) as (
  select rowid from postings_fts
  where postings_fts match '{title} : (' || (select expression from terms) || ')'
)
select p.id, p.title, e.name as employer, p.state, p.county, p.is_peer, p.role_family,
  p.status, p.hourly_min, p.hourly_max, p.first_seen, p.last_seen, p.url,
  snippet(postings_fts, -1, '[', ']', '…', 16) as excerpt
from postings_fts
join postings p on p.id = postings_fts.rowid
left join employers e on e.employer_id = p.employer_id
where postings_fts match (select expression from terms)
  and (coalesce(:state, '') = '' or p.state = upper(trim(:state)))
order by p.id not in (select id from titled), p.last_seen desc, p.id desc
limit 100
"""
"""What search_postings answers, said plainly: every match in the country, the state checked on
the posting, sorted whole (title matches first, then newest, then highest id)."""

PHRASES = ["Peer Support Specialist", "Recovery Coach", "Family Peer Advocate",
           "Registered Nurse", "Case Manager"]
UNITS = ["Community Support", "Crisis Support", "Outpatient", "Support Services"]
SENTENCES = ["Share lived experience of recovery and support people toward their goals.",
             "Support families in wraparound planning and school meetings.",
             "Meet people in the emergency department after an overdose.",
             "Administer medications and complete assessments.",
             "Peer support groups twice a week; peer supervision weekly."]
STATES = ("MI", "TX", "WY", None)


def search_database(path: Path) -> sqlite3.Connection:
    """8,000 postings in three states and none: titles and texts drawn from a few phrases, and
    13 seen dates (one of them none), so that many postings tie on the date and the match sets
    of common words pass the 1,000 at which the query walks an index instead of sorting."""
    db = Database(path)
    migrate(db)
    rows = []
    for number in range(8000):
        phrase = PHRASES[number % len(PHRASES)]
        text = " ".join(SENTENCES[(number // k) % len(SENTENCES)] for k in (1, 3, 7))
        rows.append({"id": 1000 + (number * 7919) % 8000, "source": f"test:{number % 4}",
                     "source_id": str(number), "employer": f"Employer {number % 9}",
                     "title": f"{phrase} - {UNITS[(number // 5) % len(UNITS)]}",
                     "description": text, "state": STATES[number % 4],
                     "last_seen": None if number % 13 == 0 else f"2026-{1 + number % 12:02d}-01",
                     "is_peer": int("Peer" in phrase or "Recovery" in phrase),
                     "employer_id": number % 9})
    db.table("postings").insert_all(rows)
    db.table("employers").insert_all({"employer_id": k, "name": f"Employer {k}"} for k in range(9))
    db.close()
    conn = sqlite3.connect(path)
    conn.create_function("escape_fts", 1, escape_fts)
    return conn


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    return search_database(tmp_path_factory.mktemp("search") / "search.db")


def search(conn: sqlite3.Connection, sql: str, q: str | None, state: str | None) -> list[Any]:
    return conn.execute(sql, {"q": q, "state": state}).fetchall()


def matches(conn: sqlite3.Connection, expression: str) -> int:
    return int(conn.execute("select count(*) from postings_fts where postings_fts match ?",
                            (expression,)).fetchone()[0])


def test_search_answers_what_sorting_every_match_answers(searchable: sqlite3.Connection) -> None:
    # Each way of reading a tier is taken by some search below: a state's index walked
    # (over 1,000 title matches in a state; over 1,000 text matches), the country's, and a
    # small set sorted.
    assert matches(searchable, '({title} : ("support")) AND state_token : "zzstatetxzz"') > 1000
    assert matches(searchable, '(("people") NOT ({title} : ("people"))) AND state_token : '
                               '"zzstatetxzz"') > 1000
    assert 1000 < matches(searchable, '{title} : ("nurse")') < 2000
    assert matches(searchable, '({title} : ("nurse")) AND state_token : "zzstatemizz"') < 1000
    queries = ["peer support", "support", "recovery", "peer", "overdose medications",
               "nurse", "people", "wraparound", "employer", "\"peer", "peer AND (", "", None,
               "nothing-matches-this", "peer *"]
    states = ["", None, "MI", "tx", " wy ", "ZZ"]
    for q, state in itertools.product(queries, states):
        assert search(searchable, QUERIES["search_postings"]["sql"], q, state) == \
            search(searchable, EVERY_MATCH_SQL, q, state), (q, state)


def test_search_in_a_state_keeps_the_100_newest_title_matches(
        searchable: sqlite3.Connection) -> None:
    rows = search(searchable, QUERIES["search_postings"]["sql"], "support", "tx")
    assert len(rows) == 100 and {r[3] for r in rows} == {"TX"}
    assert all("Support" in r[1] and "[support]" in r[-1].lower() for r in rows)
    keys = [(r[11], r[0]) for r in rows]  # last_seen, id
    assert keys == sorted(keys, reverse=True)
    assert len({seen for seen, _ in keys}) < 100  # ties were there to keep in id order
    newest = searchable.execute(
        "select max(last_seen) from postings where state = 'TX' and title like '%support%'")
    assert keys[0][0] == newest.fetchone()[0] == "2026-10-01"


# -- counts kept per published file ---------------------------------------------------------

def small_site(path: Path, states: list[str]) -> None:
    """A file with one row per entry of ``states``, published as a build does (a new inode)."""
    work = path.with_name(path.name + ".building")
    work.unlink(missing_ok=True)
    conn = sqlite3.connect(work)
    conn.execute("create table places (id integer primary key, state text)")
    conn.executemany("insert into places (state) values (?)", [(s,) for s in states])
    conn.commit()
    conn.close()
    work.replace(path)


def site_for(path: Path) -> Any:
    from datasette.app import Datasette

    metadata = {"databases": {"peerjobs": {"tables": {"places": {"facets": ["state"]}}}}}
    return Datasette([str(path)], metadata=metadata,
                     plugins_dir=str(REPO / "datasette" / "plugins"))


def facet_counts(page: dict[str, Any]) -> tuple[int, dict[str, int]]:
    results = page["facet_results"]["state"]["results"]
    return page["filtered_table_rows_count"], {r["value"]: r["count"] for r in results}


@pytest.mark.asyncio
async def test_table_page_counts_are_kept_until_a_new_file_is_published(tmp_path: Path) -> None:
    path = tmp_path / "peerjobs.db"
    small_site(path, ["MI", "MI", "TX"])
    ds = site_for(path)
    await ds.invoke_startup()
    kept = ds.databases["peerjobs"]._counts
    first = (await ds.client.get("/peerjobs/places.json")).json()
    assert facet_counts(first) == (3, {"MI": 2, "TX": 1})
    assert sorted(key[1].split()[1] for key in kept) == ["count(*)", "state"]
    filtered = (await ds.client.get("/peerjobs/places.json?state=MI")).json()
    assert facet_counts(filtered) == (2, {"MI": 2}) and len(kept) == 4
    # The same pages again are answered from what was kept: nothing is added
    assert facet_counts((await ds.client.get("/peerjobs/places.json")).json()) == \
        (3, {"MI": 2, "TX": 1}) and len(kept) == 4
    # A visitor's own SQL is never kept, nor a page with its own where clause
    own = await ds.client.get("/peerjobs.json?sql=select+count(*)+from+places&_shape=array")
    assert own.json() == [{"count(*)": 3}]
    assert facet_counts((await ds.client.get(
        "/peerjobs/places.json?_where=state+%3D+'TX'")).json()) == (1, {"TX": 1})
    assert len(kept) == 4
    # A build publishes a new file: its counts, not the kept ones
    small_site(path, ["WY"] * 5)
    assert facet_counts((await ds.client.get("/peerjobs/places.json")).json()) == \
        (5, {"WY": 5})
    assert facet_counts((await ds.client.get("/peerjobs/places.json?state=MI")).json()) == \
        (0, {})


# -- what peerjobs serve passes ---------------------------------------------------------------

def test_serve_passes_the_site_settings(tmp_path: Path) -> None:
    from crawlers.cli import DATASETTE_DIR, datasette_command

    command = datasette_command(tmp_path / "peerjobs.db", host="127.0.0.1", port=8123)
    settings = {command[i + 1]: command[i + 2] for i, word in enumerate(command)
                if word == "--setting"}
    assert settings == {"sql_time_limit_ms": "5000", "max_returned_rows": "5000",
                        "truncate_cells_html": "200", "suggest_facets": "off",
                        "facet_time_limit_ms": "150"}
    assert command[command.index("--metadata") + 1] == str(DATASETTE_DIR / "metadata.yml")


@pytest.mark.asyncio
async def test_a_facet_past_its_time_limit_is_counted_for_the_next_visitor(tmp_path: Path) -> None:
    from datasette.app import Datasette

    path = tmp_path / "peerjobs.db"
    small_site(path, ["MI", "TX", "WY", "OH"] * 25_000)
    metadata = {"databases": {"peerjobs": {"tables": {"places": {"facets": ["state"]}}}}}
    # 1 ms: no count of 100,000 rows finishes within it (Datasette checks after every step).
    ds = Datasette([str(path)], metadata=metadata, settings={"facet_time_limit_ms": 1},
                   plugins_dir=str(REPO / "datasette" / "plugins"))
    await ds.invoke_startup()
    db = ds.databases["peerjobs"]
    first = await ds.client.get("/peerjobs/places")
    assert "These facets timed out: state" in " ".join(first.text.split())
    # Counted in the background meanwhile (it cannot finish within 1 ms on the page itself)
    await asyncio.gather(*db._pending.values())
    again = (await ds.client.get("/peerjobs/places.json")).json()
    assert facet_counts(again) == (100_000, {"MI": 25_000, "TX": 25_000, "WY": 25_000,
                                             "OH": 25_000})
    assert db._pending == {}


# -- the site's indexes -----------------------------------------------------------------------

def indexes(conn: sqlite3.Connection) -> dict[str, tuple[str, tuple[str, ...]]]:
    found = {}
    for name, table in conn.execute("select name, tbl_name from sqlite_master "
                                    "where type = 'index' and sql is not null"):
        columns = tuple(row[2] for row in conn.execute(f"pragma index_info([{name}])"))
        found[name] = (table, columns)
    return found


SITE = {f"idx_{table}_{'_'.join(columns)}": (table, columns) for table, columns in SITE_INDEXES}


def test_a_build_creates_the_site_indexes(database: Path) -> None:  # noqa: F811
    conn = sqlite3.connect(database)
    found = indexes(conn)
    assert {name: found.get(name) for name in SITE} == SITE
    analyzed = {row[0] for row in conn.execute("select idx from sqlite_stat1")}
    assert set(SITE) - analyzed == set()


def test_migrating_an_older_database_adds_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = Database(path)
    migrations.apply(db, stop_before="0005_site_speed")
    db.table("postings").insert_all(
        {"id": i, "source": "s", "source_id": str(i), "state": "MI", "is_peer": 1,
         "status": "open", "last_seen": f"2026-01-{1 + i % 28:02d}"} for i in range(50))
    before = indexes(db.conn)
    assert "idx_postings_is_peer_status_state" in before and not set(SITE) & set(before)
    migrate(db)
    after = indexes(db.conn)
    assert {name: after.get(name) for name in SITE} == SITE
    # Statistics for the new postings indexes (the table has rows), as a build's ANALYZE gives
    analyzed = {row[0] for row in db.conn.execute("select idx from sqlite_stat1")}
    assert {n for n in SITE if n.startswith("idx_postings_")} <= analyzed
    migrate(db)  # a second time: nothing left to do
    assert indexes(db.conn) == after


def plan(conn: sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[str]:
    return [row[3] for row in conn.execute(f"explain query plan {sql}", params)]


def test_the_pages_read_the_indexes(database: Path) -> None:  # noqa: F811
    conn = sqlite3.connect(database)
    state = {"p0": "MI"}
    # postings in a state, newest first (metadata.yml's sort_desc: last_seen)
    assert plan(conn, "select * from postings where state = :p0 order by last_seen desc "
                      "limit 21", state) == [
        "SEARCH postings USING INDEX idx_postings_state_last_seen (state=?)"]
    # the is_peer facet in a state, from the index alone
    assert plan(conn, "select is_peer as value, count(*) as count from (select * from postings "
                      "where state = :p0) where is_peer is not null group by is_peer "
                      "order by count desc, value limit 31", state)[0] == \
        "SEARCH postings USING COVERING INDEX idx_postings_state_is_peer (state=? AND is_peer>?)"
    # clusters in a state, by status (a facet), from the index alone
    assert plan(conn, "select status as value, count(*) as count from (select * from clusters "
                      "where state = :p0) where status is not null group by status "
                      "order by count desc, value limit 31", state)[0] == \
        "SEARCH clusters USING COVERING INDEX idx_clusters_state_status (state=? AND status>?)"
    # the peer_postings view, paged by id (peerjobs_downloads): read in id order, no sort
    assert plan(conn, "select id from peer_postings order by id limit 101", {})[0] == \
        "SEARCH p USING INDEX idx_postings_is_peer_status (is_peer=? AND status=?)"
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan(
        conn, "select * from peer_postings order by id limit 101", {})
    assert plan(conn, QUERIES["postings_per_week_for_state"]["sql"], {"state": "mi"})[0] == \
        "SEARCH postings USING COVERING INDEX idx_postings_state_first_seen_is_peer (state=?)"
    assert plan(conn, "select * from demand_weekly order by period_start limit 101", {}) == [
        "SCAN demand_weekly USING INDEX idx_demand_weekly_period_start"]
    assert plan(conn, "select * from runs order by started_at desc limit 101", {}) == [
        "SCAN runs USING INDEX idx_runs_started_at"]
