"""Search within a state (issue 16, migration 0008): the state is a word of the full-text index's
own column, so FTS5 intersects it with the search words; checked for what it answers.

* ``search_postings`` with and without a state, exact rows and order;
* a state code that is an English word (in, or, me) is never matched by searching that word,
  neither by ``search_postings`` nor by Datasette's own table search;
* the migration on a database made before it, and the triggers that keep the index current
  (a posting whose state changes moves to the other state's search);
* a built database (its index made in one pass after the load); the index's content view
  is neither listed on the site nor exported.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from datasette.app import Datasette
from sqlite_utils import Database
from test_exports import database  # noqa: F401 - a small build, as the fixture

from db.exports import public_tables
from db.schema import FTS_SOURCE_VIEW, migrate, migrations

METADATA = yaml.safe_load((REPO / "datasette" / "metadata.yml").read_text())
SEARCH_SQL = METADATA["databases"]["peerjobs"]["queries"]["search_postings"]["sql"]

POSTINGS = [
    (1, "Peer Support Specialist", "Support people in recovery.", "IN"),
    (2, "Recovery Coach", "Coach people toward recovery.", "IN"),
    (3, "Peer Support Specialist", "Peer support in Portland; peer groups weekly.", "OR"),
    (4, "Registered Nurse", "Administer medications.", "OR"),
    (5, "Peer Mentor", "Mentor people like me.", "ME"),
    (6, "Peer Support Partner", "Support families.", None),
    (7, "Peer Recovery Coach", "Recovery support.", "MS"),
]
"""Indiana, Oregon and Maine, whose codes are words; Mississippi's, which the stemmer would cut
(ms -> m) if it stood alone."""


def add_postings(db: Database, rows: list[tuple[int, str, str, str | None]]) -> None:
    db.table("postings").insert_all(
        {"id": i, "source": "test:board", "source_id": str(i), "title": title,
         "employer": "Sample Employer", "description": text, "state": state}
        for i, title, text, state in rows)


def new_database(path: Path) -> sqlite3.Connection:
    db = Database(path)
    migrate(db)
    add_postings(db, POSTINGS)
    db.close()
    return sqlite3.connect(path)


def search(conn: sqlite3.Connection, q: str | None, state: str | None) -> list[int]:
    return [row[0] for row in conn.execute(SEARCH_SQL, {"q": q, "state": state})]


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    return new_database(tmp_path / "search.db")


def test_search_with_and_without_a_state(conn: sqlite3.Connection) -> None:
    # Every word in the title first (none seen yet: the highest id first), then 7 (in its text).
    assert search(conn, "peer support", "") == [6, 3, 1, 7]
    assert search(conn, "peer support", None) == [6, 3, 1, 7]
    assert search(conn, "peer support", "or") == [3]
    assert search(conn, "peer support", " in ") == [1]
    assert search(conn, "recovery", "IN") == [2, 1]
    assert search(conn, "recovery", "ms") == [7]
    assert search(conn, "peer", "ZZ") == []
    assert search(conn, "peer", "M") == []  # no prefix match of another state's word
    assert search(conn, "peer", 'M"S') == []  # a quote cannot make the state match
    for nothing in ("", None, "*", '"', "( )", "()"):  # no word: no row, as with no state
        assert search(conn, nothing, "IN") == [] == search(conn, nothing, ""), nothing
    assert search(conn, "peer *", "IN") == [1]  # a word with no letters beside words
    rows = conn.execute(SEARCH_SQL, {"q": "peer support", "state": "OR"}).fetchall()
    assert rows[0][:4] == (3, "Peer Support Specialist", None, "OR")
    assert rows[0][-1] == "[Peer] [support] in Portland; [peer] groups weekly."


def test_title_matches_come_first_then_the_most_recently_seen(
        conn: sqlite3.Connection) -> None:
    seen = {1: "2026-03-01", 3: "2026-05-01", 7: "2026-06-01"}  # 6 never: last
    conn.executemany("update postings set last_seen = ? where id = ?",
                     [(day, i) for i, day in seen.items()])
    assert search(conn, "peer support", "") == [3, 1, 6, 7]
    assert search(conn, "support", "") == [3, 1, 6, 7]  # 7's "support" is in its text only
    assert search(conn, "recovery", "") == [7, 2, 1]
    conn.execute("update postings set last_seen = '2026-05-01' where id = 1")
    assert search(conn, "peer support", "") == [3, 1, 6, 7]  # a tie: the higher id first


def test_a_state_code_that_is_a_word_matches_only_that_word(conn: sqlite3.Connection) -> None:
    assert search(conn, "in", "") == [3, 1]  # "in" in the text; not posting 2 of Indiana
    assert search(conn, "or", "") == []
    assert search(conn, "me", "") == [5]
    assert search(conn, "me", "IN") == []


@pytest.mark.asyncio
async def test_datasette_table_search_reads_the_text_not_the_state(tmp_path: Path) -> None:
    new_database(tmp_path / "peerjobs.db")
    site = Datasette([str(tmp_path / "peerjobs.db")], metadata=METADATA,
                     plugins_dir=str(REPO / "datasette" / "plugins"),
                     template_dir=str(REPO / "datasette" / "templates"))

    async def found(search: str) -> list[int]:
        response = await site.client.get(
            f"/peerjobs/postings.json?_search={search}&_shape=array&_col=state&_sort=id")
        assert response.status_code == 200, response.text
        return [int(row["id"]) for row in response.json()]  # ids are text in JSON

    assert await found("in") == [1, 3]
    assert await found("or") == []
    assert await found("peer+support") == [1, 3, 6, 7]
    page = await site.client.get("/peerjobs/postings?_search=portland")
    assert page.status_code == 200 and 'name="_search" value="portland"' in page.text
    listing = await site.client.get("/peerjobs")
    assert "peer_postings" in listing.text and FTS_SOURCE_VIEW not in listing.text
    assert (await site.client.get(f"/peerjobs/{FTS_SOURCE_VIEW}")).status_code == 403


def test_migration_reindexes_a_database_made_before_it(tmp_path: Path) -> None:
    db = Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="0008_search_within_a_state")
    add_postings(db, POSTINGS)
    assert [r[1] for r in db.conn.execute("pragma table_info(postings_fts)")] == [
        "title", "employer", "description"]
    migrate(db)
    db.close()
    conn = sqlite3.connect(tmp_path / "old.db")
    assert [r[1] for r in conn.execute("pragma table_info(postings_fts)")] == [
        "title", "employer", "description", "state_token"]
    fresh = new_database(tmp_path / "fresh.db")
    for q in ("peer support", "recovery", "in", "peer"):
        for state in ("", "IN", "OR", "MS"):
            assert search(conn, q, state) == search(fresh, q, state), (q, state)
    assert search(conn, "peer support", "OR") == [3]
    # The triggers of the new index: a move to another state, a new posting, a deletion.
    conn.execute("update postings set state = 'IN' where id = 3")
    conn.execute("update postings set title = 'Peer Support Lead' where id = 6")
    conn.execute("insert into postings (id, source, source_id, title, description, state) "
                 "values (8, 'test:board', '8', 'Peer Support Specialist', 'Support.', 'OR')")
    conn.execute("delete from postings where id = 1")
    assert search(conn, "peer support", "OR") == [8]
    assert search(conn, "peer support", "IN") == [3]
    assert search(conn, "lead", "") == [6]
    conn.execute("insert into postings_fts (postings_fts, rank) values ('integrity-check', 1)")
    conn.commit()


def test_a_built_database_searches_within_its_states(database: Path,  # noqa: F811
                                                    tmp_path: Path) -> None:
    copy = tmp_path / "peerjobs.db"
    shutil.copy(database, copy)
    conn = sqlite3.connect(copy)
    everywhere = search(conn, "peer", "")
    assert len(everywhere) == 5 and search(conn, "peer", "mi") == everywhere
    assert search(conn, "peer", "OH") == []
    conn.execute("update postings set state = 'OH' where id = ?", (everywhere[2],))
    assert search(conn, "peer", "") == everywhere
    assert search(conn, "peer", "mi") == everywhere[:2] + everywhere[3:]
    assert search(conn, "peer", "oh") == [everywhere[2]]
    tables, views = public_tables(conn)
    assert FTS_SOURCE_VIEW not in tables + views and "postings" in tables
