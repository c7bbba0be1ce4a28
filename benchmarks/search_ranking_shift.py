"""How much search_postings' ranking moved with the state's word in the full-text index
(migration 0008, issue 16).

bm25 divides by each row's length in words, and the state's word is one more word in every row
with a state: scores shift a little, so near-ties and the 100-row cut can move. This compares,
on a copy of a built database (default: the demo's), search_postings as it is against the index
as migration 0002 made it (title, employer, description; the state checked on postings), over
the index's 20 most common terms (stems, as the index keeps them) and a few phrases, with no
state and with every state.

    .venv/bin/python benchmarks/search_ranking_shift.py [DATABASE]
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlite_utils import Database  # noqa: E402

from db.schema import FTS_COLUMNS, FTS_SOURCE_VIEW, migrate  # noqa: E402

DEFAULT_DATABASE = ROOT / "data" / "site-demo" / "data" / "peerjobs.db"
PHRASES = ["peer support", "recovery coach", "family peer advocate", "certified peer specialist"]
BEFORE_SQL = """
select p.id from postings_fts join postings p on p.id = postings_fts.rowid
where postings_fts match :expression and (:state = '' or p.state = :state)
order by rank limit 100
"""
"""The ranking search_postings gave before 0008 (tests/test_site_speed.py checks the two
queries of that time answered alike)."""


def index_before(conn: sqlite3.Connection) -> None:
    """The full-text index as migration 0002 made it, in place of the current one."""
    columns = ", ".join(f"[{column}]" for column in FTS_COLUMNS)
    conn.execute("DROP TABLE postings_fts")
    conn.execute(f"DROP VIEW IF EXISTS [{FTS_SOURCE_VIEW}]")
    conn.execute(f"CREATE VIRTUAL TABLE [postings_fts] USING FTS5 ({columns}, "
                 "tokenize='porter', content=[postings])")
    conn.execute("INSERT INTO postings_fts (postings_fts) VALUES ('rebuild')")
    conn.commit()


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATABASE
    metadata = yaml.safe_load((ROOT / "datasette" / "metadata.yml").read_text())
    search_sql = metadata["databases"]["peerjobs"]["queries"]["search_postings"]["sql"]
    with tempfile.TemporaryDirectory() as folder:
        before_path, now_path = Path(folder) / "before.db", Path(folder) / "now.db"
        shutil.copy(source, before_path)
        shutil.copy(source, now_path)
        migrate(Database(now_path))  # a database built before 0008 gets the index now
        now = sqlite3.connect(now_path)
        before = sqlite3.connect(before_path)
        index_before(before)
        states = [""] + [row[0] for row in now.execute(
            "select distinct state from postings where state is not null order by 1")]
        now.execute("create virtual table temp.vocab using fts5vocab(main, postings_fts, row)")
        words = [row[0] for row in now.execute(
            "select term from temp.vocab where term not like 'zzstate%' "
            "order by doc desc, term limit 20")]
        cases = identical = same_rows = same_top10 = 0
        identical_by_kind = {"no state": [0, 0], "within a state": [0, 0]}
        worst: tuple[int, str, str] = (0, "", "")
        for q in words + PHRASES:
            expression = " ".join(f'"{word}"' for word in q.split())
            for state in states:
                was = [row[0] for row in before.execute(
                    BEFORE_SQL, {"expression": expression, "state": state})]
                got = [row[0] for row in now.execute(search_sql, {"q": q, "state": state})]
                cases += 1
                identical += was == got
                kind = identical_by_kind["within a state" if state else "no state"]
                kind[0] += was == got
                kind[1] += 1
                same_rows += set(was) == set(got)
                same_top10 += was[:10] == got[:10]
                moved = max((abs(was.index(i) - got.index(i)) for i in set(was) & set(got)),
                            default=0)
                worst = max(worst, (moved, q, state))
        print(f"{source}: {cases} searches ({len(words) + len(PHRASES)} words and phrases x "
              f"{len(states)} state choices, none included)")
        print(f"  same rows in the same order: {identical}; same rows: {same_rows}; "
              f"same first 10: {same_top10}")
        print("  same rows in the same order, " + "; ".join(
            f"{kind}: {same} of {total}" for kind, (same, total) in identical_by_kind.items()))
        print(f"  largest move of one row: {worst[0]} places (q={worst[1]!r}, "
              f"state={worst[2] or 'none'!r})")


if __name__ == "__main__":
    main()
