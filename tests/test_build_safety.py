"""Safe builds: atomic publishing, crashes mid-build, rebuild = incremental, determinism."""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crawlers import config
from crawlers.cli import main
from db.archive import write_run
from db.build import BuildError, build
from db.derived import make_derivers
from db.stubs import extra_normalizer

REPO = Path(__file__).resolve().parent.parent
COMPLETE = {"listing_pages": 2, "requests": 3}
WEEKS = ("2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23", "2026-03-02")
TEXT = {
    "adult": "The Certified Peer Support Specialist joins the adult outpatient team, shares "
             "lived experience of recovery, co-leads WRAP groups and helps people reach their "
             "own goals for housing and work. Michigan CPSS certification is required within "
             "six months of hire. Pay $18.50 - $20.25 per hour.",
    "coach": "Recovery coaches meet people in the emergency department after an overdose, "
             "help them choose a pathway to recovery and stay in touch for ninety days. "
             "Certified Peer Recovery Coach (CPRC) preferred. $21 per hour.",
    "family": "The Family Support Partner uses lived experience as a parent of a child with "
              "emotional or behavioral challenges to support families in wraparound planning. "
              "Salary $42,000 - $46,000 per year.",
    "nurse": "Registered Nurse for the inpatient psychiatric unit; medication administration "
             "and assessments. $38 - $45 per hour.",
    "veteran": "Peer Specialist (Veteran) at the VA Battle Creek Medical Center: a veteran in "
               "recovery who supports veterans with serious mental illness. GS-6.",
}
POSTINGS: dict[str, dict[str, Any]] = {
    "isk-1": {"title": "Certified Peer Support Specialist - Adult Outpatient",
              "employer": "Integrated Services of Kalamazoo", "location": "Kalamazoo, MI 49007",
              "description": TEXT["adult"], "posted_at": "2026-01-28"},
    "isk-2": {"title": "Recovery Coach (ED Bridge)", "employer": "Integrated Services of Kalamazoo",
              "location": "Kalamazoo, MI", "description": TEXT["coach"],
              "closes_at": "02/20/2026"},
    "isk-3": {"title": "Registered Nurse - Inpatient", "employer": "Integrated Services of Kalamazoo",
              "location": "Kalamazoo, MI", "description": TEXT["nurse"]},
    "wcmh-1": {"title": "Family Support Partner", "employer": "Washtenaw County CMH",
               "location": "Ypsilanti, MI", "description": TEXT["family"]},
    "board-7": {"title": "Certified Peer Support Specialist (Adult Outpatient)",
                "employer": "ISK", "location": "Kalamazoo, Michigan",
                "description": "Job Description\n\n" + TEXT["adult"]},
    "board-8": {"title": "Family Support Partner", "employer": "Washtenaw County Community "
                "Mental Health", "location": "Ypsilanti, MI 48197",
                "description": TEXT["family"]},
}
SOURCE = {"isk": "greenhouse:isk", "wcmh": "greenhouse:wcmh", "board": "jsonld:mipeerjobs"}
# Which postings each week's runs list ("-" = the board's run failed; "~" = partial).
SCHEDULE = {
    "greenhouse:isk": [("isk-1", "isk-2", "isk-3"), ("isk-1", "isk-2", "isk-3"),
                       "-", ("isk-1", "isk-3"), ("isk-1", "isk-2")],
    "greenhouse:wcmh": [("wcmh-1",), ("wcmh-1",), ("wcmh-1",), (), ("wcmh-1",)],
    "jsonld:mipeerjobs": [("board-7",), ("board-7", "board-8"), ("~", "board-8"),
                          ("board-7", "board-8"), ("board-8",)],
}
HISTORIC = [("0102-881", "Peer Support Specialist", "2026-01-05T00:00:00.0000",
             "2026-01-19T23:59:59.9970"),
            ("0102-882", "Peer Support Specialist (Veteran)", "2026-02-10T00:00:00.0000",
             "2026-03-31T23:59:59.9970")]


def item(source_id: str, week: int) -> dict[str, Any]:
    fields = dict(POSTINGS[source_id])
    if source_id == "isk-1" and week >= 3:  # the employer raised the pay in week 4
        fields["description"] = fields["description"].replace("$18.50", "$19.25")
    prefix = source_id.split("-")[0]
    normalized = {"is_peer": int(prefix != "isk" or source_id != "isk-3"),
                  "title_clean": fields["title"].lower(), "state": "MI"}
    return {"source": SOURCE[prefix], "source_id": source_id, **fields,
            "url": f"https://example.org/jobs/{source_id}", "extra": {"normalized": normalized}}


def write_week(archive: Path, week: int) -> None:
    day = WEEKS[week]
    by_spider: dict[str, dict[str, Any]] = {}
    for source, weeks in SCHEDULE.items():
        spider = source.split(":")[0]
        listed = weeks[week]
        run = by_spider.setdefault(spider, {"items": [], "boards": {}})
        if listed == "-":
            run["boards"][source] = {"requests": 1, "problems/http_503": 1, "status/503": 1}
            continue
        partial = "~" in listed
        ids = [i for i in listed if i != "~"]
        skipped = week > 0 and not partial
        items = [item(i, week) | ({"detail_skipped": True} if skipped and i != "isk-1" else {})
                 for i in ids]
        run["items"].extend(items)
        run["boards"][source] = {**COMPLETE, "items": len(items), "incomplete": int(partial)}
    for spider, run in by_spider.items():
        write_run(archive, spider=spider, run_id=f"{day.replace('-', '')}T030000Z-{spider}",
                  started_at=f"{day}T03:00:00Z", finished_at=f"{day}T03:20:00Z",
                  items=run["items"], boards=run["boards"])
    if week in (0, 2):
        items = [{"source": "usajobs_historic:va", "source_id": control, "title": title,
                  "employer": "Veterans Health Administration", "platform": "usajobs_historic",
                  "location": "Battle Creek, Michigan", "description": TEXT["veteran"],
                  "posted_at": opened, "closes_at": closes,
                  "extra": {"normalized": {"is_peer": 1, "state": "MI",
                                           "title_clean": title.lower()}}}
                 for control, title, opened, closes in HISTORIC[: week // 2 + 1]]
        write_run(archive, spider="usajobs_historic",
                  run_id=f"{day.replace('-', '')}T050000Z-usajobs_historic",
                  started_at=f"{day}T05:00:00Z", finished_at=f"{day}T05:02:00Z",
                  items=items, boards={"usajobs_historic:va": {**COMPLETE, "items": len(items)}})


SKIP_TABLES = ("sqlite_stat", "_sqlite_migrations", "postings_fts")


def contents(database: Path, *, everything: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted (without internal tables unless ``everything``)."""
    conn = sqlite3.connect(database)
    try:
        names = [r[0] for r in conn.execute(
            "select name from sqlite_master where type = 'table' order by name")]
        if not everything:
            names = [n for n in names if not n.startswith(SKIP_TABLES)]
        found = {n: sorted(conn.execute(f"select * from [{n}]").fetchall(), key=repr)
                 for n in names}
        # The index must agree with the postings (FTS5 raises "database disk image is
        # malformed" when it does not), and answer as a rebuilt one: words, and states.
        conn.execute("insert into postings_fts (postings_fts) values ('integrity-check')")
        # FTS5's totals (rows and words per column, which bm25 ranks by), which the check
        # leaves out: a posting deleted from the index that was never in it lowers them
        found["search: totals"] = conn.execute(
            "select block from postings_fts_data where id = 1").fetchall()
        for words in ("peer", "recovery coach", "zzstatemizz", "zzstateohzz"):
            found[f"search: {words}"] = conn.execute(
                "select rowid from postings_fts where postings_fts match ? order by rowid",
                (words,)).fetchall()
        return found
    finally:
        conn.close()


def integrity(database: Path) -> str:
    conn = sqlite3.connect(database)
    try:
        return str(conn.execute("pragma integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv(config.DATA_DIR_ENV, str(tmp_path / "data"))
    runner = CliRunner()

    def invoke(*args: str) -> str:
        result = runner.invoke(main, ["--data-dir", str(tmp_path / "data"), *args])
        assert result.exit_code == 0, result.output
        return str(result.output)

    return invoke


def test_rebuild_from_the_archive_gives_the_tables_of_the_incremental_builds(
    tmp_path: Path, cli: Any
) -> None:
    archive = tmp_path / "data" / "archive"
    database = tmp_path / "data" / "peerjobs.db"
    for week in range(len(WEEKS)):
        write_week(archive, week)
        cli("build")
        assert integrity(database) == "ok"
    incremental = contents(database)
    assert len(incremental["postings"]) == 8 and len(incremental["demand_weekly"]) > 20
    cli("rebuild")
    assert integrity(database) == "ok"
    rebuilt = contents(database)
    assert rebuilt.keys() == incremental.keys()
    for table in incremental:
        assert rebuilt[table] == incremental[table], table
    cli("build")  # nothing new: nothing changes
    assert contents(database) == rebuilt


def test_building_twice_changes_nothing_at_all(tmp_path: Path) -> None:
    archive, data = tmp_path / "archive", tmp_path / "data"
    for week in range(3):
        write_week(archive, week)
    build(data, archive, extra_normalizer, make_derivers())
    first = contents(data / "peerjobs.db", everything=True)
    report = build(data, archive, extra_normalizer, make_derivers())
    assert (report.runs_loaded, report.lifecycle_changes) == (0, 0)
    assert contents(data / "peerjobs.db", everything=True) == first
    assert integrity(data / "peerjobs.db") == "ok"


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path, dict[str, list[tuple[Any, ...]]]]:
    """A published database of weeks 1-3, and the runs of weeks 4-5 waiting in the archive."""
    archive, data = tmp_path / "archive", tmp_path / "data"
    for week in range(3):
        write_week(archive, week)
    build(data, archive, extra_normalizer, make_derivers())
    before = contents(data / "peerjobs.db", everything=True)
    for week in range(3, 5):
        write_week(archive, week)
    return archive, data, before


@pytest.mark.parametrize("stop", [{"fail_after_runs": 2}, {"fail_after_derivers": 1}])
def test_a_build_failing_midway_leaves_the_published_database(
    published: tuple[Path, Path, dict[str, list[tuple[Any, ...]]]], stop: dict[str, int]
) -> None:
    archive, data, before = published
    with pytest.raises(BuildError, match="stopped on purpose"):
        build(data, archive, extra_normalizer, make_derivers(), **stop)
    assert contents(data / "peerjobs.db", everything=True) == before
    assert integrity(data / "peerjobs.db") == "ok"
    assert not (data / ".peerjobs.db.building").exists()
    assert build(data, archive, extra_normalizer, make_derivers()).runs_loaded == 4


KILLER = """
import os, signal, sys
from pathlib import Path
from db.build import build
from db.derived import make_derivers
from db.stubs import extra_normalizer

def die(db):
    os.kill(os.getpid(), signal.SIGKILL)

link, *rest = make_derivers()
build(Path(sys.argv[1]), Path(sys.argv[2]), extra_normalizer, (link, die, *rest))
"""


def test_a_build_killed_midway_leaves_the_published_database(
    published: tuple[Path, Path, dict[str, list[tuple[Any, ...]]]]
) -> None:
    archive, data, before = published
    done = subprocess.run([sys.executable, "-c", KILLER, str(data), str(archive)], cwd=REPO,
                          capture_output=True, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert (data / ".peerjobs.db.building").exists()  # the dead build's work file
    (data / ".peerjobs.db.building.trends-3").write_bytes(b"a dead task's scratch file")
    assert contents(data / "peerjobs.db", everything=True) == before
    assert integrity(data / "peerjobs.db") == "ok"
    report = build(data, archive, extra_normalizer, make_derivers())
    assert report.runs_loaded == 4
    assert integrity(data / "peerjobs.db") == "ok"
    assert sorted(p.name for p in data.iterdir()) == [".peerjobs.build.lock", "peerjobs.db"]


def test_a_reader_never_sees_a_half_built_database(
    published: tuple[Path, Path, dict[str, list[tuple[Any, ...]]]]
) -> None:
    archive, data, _ = published
    reader = sqlite3.connect(data / "peerjobs.db")
    count = "select count(*) from sightings"
    old = reader.execute(count).fetchone()
    seen: list[tuple[int]] = []

    def peek(db: Any) -> None:  # runs while the work file is half built
        seen.append(sqlite3.connect(data / "peerjobs.db").execute(count).fetchone())

    link, *rest = make_derivers()
    build(data, archive, extra_normalizer, (link, peek, *rest))
    assert seen == [old]
    assert reader.execute(count).fetchone() == old  # a connection opened before keeps the old file
    assert sqlite3.connect(data / "peerjobs.db").execute(count).fetchone() > old
    reader.close()


def test_a_second_build_at_the_same_time_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with (data / ".peerjobs.build.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(BuildError, match="another build"):
            build(data, tmp_path / "archive", extra_normalizer)
    assert build(data, tmp_path / "archive", extra_normalizer).runs_loaded == 0
    assert os.path.exists(data / "peerjobs.db")


def test_worker_processes_give_the_same_database(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for week in range(len(WEEKS)):
        write_week(archive, week)
    build(tmp_path / "serial", archive, extra_normalizer, make_derivers(workers=0), workers=0)
    build(tmp_path / "parallel", archive, extra_normalizer, make_derivers(workers=2), workers=2)
    assert contents(tmp_path / "parallel" / "peerjobs.db") == \
        contents(tmp_path / "serial" / "peerjobs.db")
