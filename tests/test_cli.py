"""The command line as an operator uses it: help, scrapy from the repository root, crawl
summaries and exit codes, normalize on JSON lines and CSV."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, REPO, run_crawl
from test_build import contents, stub

from crawlers.replay import ReplayServer
from crawlers.runner import CrawlJob, run_in_child
from db.build import build

PEERJOBS = [sys.executable, "-m", "crawlers.cli"]
SPIDERS = {"ashby", "greenhouse", "jsonld", "lever", "smartrecruiters", "usajobs",
           "usajobs_historic", "workday"}


def run(args: list[str], *, stdin: str | bytes | None = None, cwd: Path = REPO,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    result = subprocess.run(args, input=data, capture_output=True, cwd=cwd, env=env,
                            timeout=600, check=False)
    return subprocess.CompletedProcess(result.args, result.returncode,
                                       result.stdout.decode("utf-8", "replace"),
                                       result.stderr.decode("utf-8", "replace"))


def test_help_lists_every_command() -> None:
    result = run([*PEERJOBS, "--help"])
    assert result.returncode == 0
    listed = {line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines()
              if line.strip()}
    assert listed == {"build", "crawl", "demo", "export", "nightly", "normalize", "rebuild",
                      "serve", "sources"}


def test_scrapy_list_and_crawl_from_the_repository_root(tmp_path: Path) -> None:
    listed = run([str(Path(sys.executable).with_name("scrapy")), "list"])
    assert set(listed.stdout.split()) >= SPIDERS
    with ReplayServer(FIXTURES / "jsonld" / "site") as server:
        result = run([str(Path(sys.executable).with_name("scrapy")), "crawl", "jsonld",
                      "-a", "board=https://careers.example.org/jobs/", "-a", f"api_base={server.url}",
                      "-s", f"PEERJOBS_DATA_DIR={tmp_path}", "-s", "DOWNLOAD_DELAY=0",
                      "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "PEERJOBS_NOW=2026-11-02T03:00:00Z"])
    assert result.returncode == 0, result.stderr[-2000:]
    feed = tmp_path / "archive" / "jsonld" / "20261102T030000Z-jsonld.jsonl"
    stats = json.loads(feed.with_name("20261102T030000Z-jsonld.stats.json").read_text())
    assert len(feed.read_text().splitlines()) == 3
    assert stats["boards"]["jsonld:careers.example.org/jobs"]["status"] == "complete"
    assert stats["stats"]["item_scraped_count"] == 3


def test_a_crashed_crawler_process_is_recorded_as_a_failed_run(tmp_path: Path) -> None:
    job = CrawlJob(spider="no-such-spider", sources=["no-such-spider:x"])
    [outcome] = run_in_child([job], api_base=None, settings={"PEERJOBS_DATA_DIR": str(tmp_path)})
    assert outcome.stats["finish_reason"].startswith("crashed (crawler process exit code ")
    assert outcome.boards == {"no-such-spider:x": {
        "status": "failed", "items": 0, "requests": 0, "listing_pages": 0, "incomplete": 1,
        "problems": {"crashed": 1}, "http_status": {}}}
    report = build(tmp_path, tmp_path / "archive", stub)
    assert report.runs_loaded == 1
    row = sqlite3.connect(tmp_path / "peerjobs.db").execute(
        "select source, status, problems from runs").fetchone()
    assert row == ("no-such-spider:x", "failed", '{"crashed": 1}')


def test_crawl_with_every_source_failing(tmp_path: Path) -> None:
    """No network: a per-source error summary, a non-zero exit, the database as it was."""
    run_crawl(tmp_path, "jsonld", FIXTURES / "jsonld" / "site",
              boards=["https://careers.example.org/jobs/"])
    build(tmp_path, tmp_path / "archive", stub)
    before = contents(tmp_path / "peerjobs.db")
    result = run([*PEERJOBS, "--data-dir", str(tmp_path), "crawl", "--api-base",
                  "http://127.0.0.1:9", "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_TIMEOUT=5",
                  "-s", "PEERJOBS_SOURCES="])
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).splitlines()
    failed = [line for line in lines if line.startswith("failed ")]
    skipped = [line for line in lines if line.startswith("skipped ")]
    assert len(failed) >= 20
    assert [line for line in failed if "problems: connection" not in line] == []
    assert any(line.startswith("skipped   usajobs:peer-roles") for line in skipped)
    summary = result.stdout.splitlines()[-1]
    assert summary.endswith(f"0 complete, 0 partial, {len(failed)} failed, {len(skipped)} skipped")
    assert contents(tmp_path / "peerjobs.db") == before


def test_normalize_json_lines_with_a_bad_line() -> None:
    lines = "\n".join([
        json.dumps({"title": "Peer Support Specialist", "location": "Gary, IN 46402",
                    "pay": "$18 - $20 per hour"}),
        "{not json",
        json.dumps({"title": "Registered Nurse"}),
    ]) + "\n"
    result = run([*PEERJOBS, "normalize"], stdin=lines)
    assert result.returncode == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o.get("is_peer") for o in out] == [True, None, False]
    assert out[1]["error"].startswith("line 2: ") and out[1]["line"] == 2
    assert (out[0]["state"], out[0]["county_fips"], out[0]["hourly_min"], out[0]["hourly_max"]) == (
        "IN", "18089", 18.0, 20.0)
    assert "1 of 3 line(s) could not be normalized" in result.stderr


def test_normalize_csv_keeps_columns_and_adds_fields(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,title,location\n1,Recovery Coach,\"Boston, MA\"\n2,Cook,Boston\n",
                      encoding="utf-8")
    result = run([*PEERJOBS, "normalize", "--csv", str(source)])
    assert result.returncode == 0
    header, first, second = result.stdout.splitlines()[:3]
    assert header.startswith("id,title,location,is_peer,role_family,role_title,")
    assert first.startswith("1,Recovery Coach,\"Boston, MA\",true,recovery_coach_sud,")
    assert second.startswith("2,Cook,Boston,false,,")


def test_normalize_json_lines_reports_each_defect_and_reads_on() -> None:
    lines = (
        b"\xef\xbb\xbf" + json.dumps({"title": "Recovery Coach"}).encode() + b"\n"
        + b"\xff\xfe\x00binary\n"
        + b"[" * 100_000 + b"\n"
        + json.dumps({"title": 5, "pay": 17.5, "location": "Boston, MA", "remote": [1]}).encode()
        + b"\n"
        + json.dumps({"title": "Peer Support Specialist", "pay_min": "18", "pay_max": 20,
                      "pay_period": "hour"}).encode() + b"\n"
    )
    result = run([*PEERJOBS, "normalize"], stdin=lines)
    assert result.returncode == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 5
    assert (out[0]["title"], out[0]["is_peer"], out[0]["role_family"]) == (
        "Recovery Coach", True, "recovery_coach_sud")
    assert out[1] == {"error": "line 2: not UTF-8 text (byte 0xff at column 1)", "line": 2}
    assert out[2] == {"error": "line 3: nested too deeply to read", "line": 3}
    # Wrong types are named, not coerced: the title and pay are left out, the place still read.
    assert out[3]["errors"] == ["title: expected text, got number",
                                "pay: expected text, got number",
                                "remote: expected true/false, got list"]
    assert (out[3]["is_peer"], out[3]["pay_min"], out[3]["state"], out[3]["county_fips"]) == (
        False, None, "MA", "25025")
    assert "errors" not in out[4]
    assert (out[4]["hourly_min"], out[4]["hourly_max"]) == (18.0, 20.0)
    assert "2 of 5 line(s) could not be normalized" in result.stderr


def test_normalize_says_so_when_the_input_is_empty() -> None:
    result = run([*PEERJOBS, "normalize"], stdin=b"")
    assert (result.returncode, result.stdout) == (0, "")
    assert "no input: nothing to normalize" in result.stderr


def test_normalize_csv_with_a_bom_a_long_field_and_a_stray_quote(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    long_description = "Provide peer support. " * 10_000  # 220,000 characters
    source.write_bytes(
        b"\xef\xbb\xbftitle,location,description\n"
        + f'Peer Support Specialist,"Gary, IN",{long_description}\n'.encode()
        + b'"Recovery Coach,Boston MA,open quote\n'
        + b'Cook,"Boston, MA",\n'
        + b'Family Peer Advocate,"Albany, NY",x,extra\n'
        + b"Peer Mentor,Reno NV,\xff\n"
    )
    result = run([*PEERJOBS, "normalize", "--csv", str(source)])
    assert result.returncode == 0
    csv.field_size_limit(1_000_000)
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert list(rows[0])[:3] == ["title", "location", "description"]
    assert [(r["title"], r["is_peer"], r["state"], r["error"]) for r in rows] == [
        ("Peer Support Specialist", "true", "IN", ""),
        ("", "", "", "line 3: a quote opened on line 3 is never closed"),
        ("Cook", "false", "MA", ""),
        ("Family Peer Advocate", "", "", "line 5: 4 fields where the header has 3"),
        ("Peer Mentor", "", "", "line 6: not UTF-8 text (in column description)"),
    ]
    assert len(rows[0]["description"]) == len(long_description)
    assert "3 of 5 line(s) could not be normalized" in result.stderr


def test_nightly_crawls_builds_exports_and_reports_health(tmp_path: Path) -> None:
    """The scheduled job end to end, offline: one JSON-LD board through the replay server."""
    from conftest import write_registry

    registry = write_registry(tmp_path / "sources.toml", [{
        "platform": "jsonld", "board": "https://careers.example.org/jobs/", "state": "WA",
        "employer": "Fixture employer"}])
    with ReplayServer(FIXTURES / "jsonld" / "site") as server:
        result = run([*PEERJOBS, "--data-dir", str(tmp_path / "data"), "nightly",
                      "--api-base", server.url, "-s", f"PEERJOBS_SOURCES={registry}",
                      "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
                      "-s", "PEERJOBS_NOW=2026-11-02T03:00:00Z"])
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout.splitlines()
    assert any(line.startswith("complete  jsonld:careers.example.org/jobs") for line in out), out
    assert any("loaded 1 run(s), 3 item(s); 3 new and 0 changed posting(s)" in line
               for line in out), out
    assert "health as of 2026-11-02T03:00:00Z: 1 complete" in out
    data = tmp_path / "data"
    postings = sqlite3.connect(data / "peerjobs.db").execute(
        "select count(*), sum(status = 'open') from postings").fetchone()
    assert postings == (3, 3)
    manifest = json.loads((data / "exports" / "manifest.json").read_text())
    assert manifest["as_of"] == "2026-11-02T03:00:00Z"
    assert manifest["rows"]["postings.csv"] == 3
    assert manifest["rows"]["runs.csv"] == 1
    with (data / "exports" / "postings.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["source"] for row in rows) == ["jsonld:careers.example.org/jobs"] * 3
    [report] = (data / "reports").glob("health-*.json")
    health = json.loads(report.read_text())
    assert [s["source"] for s in health["sources"]] == ["jsonld:careers.example.org/jobs"]
    assert health["sources"][0]["last_status"] == "complete"
