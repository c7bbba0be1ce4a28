"""Editing the taxonomy and running ``peerjobs rebuild`` changes the affected rows and only
those: a taxonomy change needs no new crawl."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, REPO, run_crawl

from normalize.taxonomy import load_taxonomy

TAXONOMY = REPO / "normalize" / "data" / "taxonomy.yaml"
VERSION = load_taxonomy().version
REGISTRY = [{"platform": "jsonld", "board": "https://careers.example.org/", "state": "WA",
             "start_urls": ["https://careers.example.org/sitemap-week1.xml",
                            "https://careers.example.org/sitemap-week2.xml"]}]


def peerjobs(data: Path, command: str, taxonomy: Path | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PEERJOBS_TAXONOMY"}
    if taxonomy is not None:
        env["PEERJOBS_TAXONOMY"] = str(taxonomy)
    result = subprocess.run([sys.executable, "-m", "crawlers.cli", "--data-dir", str(data),
                             command], capture_output=True, text=True, env=env, cwd=REPO,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def postings(database: Path) -> dict[str, dict[str, object]]:
    conn = sqlite3.connect(database)
    conn.row_factory = sqlite3.Row
    try:
        return {row["source_id"]: dict(row) for row in conn.execute("select * from postings")}
    finally:
        conn.close()


def test_an_alias_moved_to_another_title_changes_only_the_rows_that_use_it(
        data_dir: Path, tmp_path: Path) -> None:
    run_crawl(data_dir, "jsonld", FIXTURES / "jsonld" / "site",
              boards=["https://careers.example.org/"], registry=REGISTRY)
    peerjobs(data_dir, "build")
    before = postings(data_dir / "peerjobs.db")
    assert before["4150001"]["role_title"] == "Peer Support Specialist"
    assert {row["taxonomy_version"] for row in before.values()} == {VERSION}

    # A researcher decides "peer support specialist" titles belong under "Peer Specialist".
    text = TAXONOMY.read_text(encoding="utf-8")
    edited = text.replace(f'version: "{VERSION}"', f'version: "{VERSION}-edit"', 1)
    edited = edited.replace("aliases: [peer support specialist, peer support worker,",
                            "aliases: [peer support worker,", 1)
    edited = edited.replace("aliases: [peer specialist, behavioral health peer specialist,",
                            "aliases: [peer specialist, peer support specialist, "
                            "behavioral health peer specialist,", 1)
    assert edited.count("peer support specialist,") == text.count("peer support specialist,")
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text(edited, encoding="utf-8")

    peerjobs(data_dir, "rebuild", taxonomy)
    after = postings(data_dir / "peerjobs.db")
    assert {row["taxonomy_version"] for row in after.values()} == {f"{VERSION}-edit"}
    changed = {
        source_id: {column: (before[source_id][column], value)
                    for column, value in row.items()
                    if column != "taxonomy_version" and value != before[source_id][column]}
        for source_id, row in after.items()}
    assert {k: v for k, v in changed.items() if v} == {
        "4150001": {"role_title": ("Peer Support Specialist", "Peer Specialist")}}

    # Back to the shipped taxonomy: the original rows return exactly.
    peerjobs(data_dir, "rebuild")
    assert postings(data_dir / "peerjobs.db") == before
