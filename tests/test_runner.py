"""One crawl, many runs (issue 16, the demo): jobs with their own clock and mirror, a spider's
runs one after another, spiders spread over crawler processes, and a job that cannot start or a
process that dies failing only its own sources."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from conftest import FIXTURES, write_registry
from test_rendered import CAREERS, GOOD, SITE, SOURCE, assert_browser_closed, browser_settings

from crawlers.demo import LOCAL_CRAWL_SETTINGS
from crawlers.replay import ReplayServer
from crawlers.runner import CrawlJob, run_in_child, spread_over_processes

JSONLD_BOARD = "https://careers.example.org/jobs/"
JSONLD_SOURCE = "jsonld:careers.example.org/jobs"


def test_a_spiders_jobs_stay_together_in_order_and_the_heaviest_spread_first() -> None:
    jobs = [CrawlJob("lever", sources=["l1"]), CrawlJob("greenhouse", sources=["g1", "g2", "g3"]),
            CrawlJob("lever", sources=["l2"]), CrawlJob("ashby", sources=["a1", "a2"]),
            CrawlJob("rendered", sources=["r1"]), CrawlJob("ashby", sources=["a3"])]
    groups = spread_over_processes(jobs, 2, alone=["rendered"])
    assert [[(job.spider, job.sources) for job in group] for group in groups] == [
        [("rendered", ["r1"])],
        [("greenhouse", ["g1", "g2", "g3"]), ("lever", ["l1"]), ("lever", ["l2"])],
        [("ashby", ["a1", "a2"]), ("ashby", ["a3"])],
    ]
    assert [[job.spider for job in group] for group in spread_over_processes(jobs, 1)] == [
        ["greenhouse", "ashby", "ashby", "lever", "lever", "rendered"]]
    assert spread_over_processes([], 4) == []


def _settings(data: Path) -> dict[str, object]:
    registry = write_registry(data / "sources.toml", [
        {"platform": "jsonld", "board": JSONLD_BOARD, "employer": "Fixture employer",
         "state": "OR"}])
    return {**LOCAL_CRAWL_SETTINGS, "RETRY_TIMES": 0, "PEERJOBS_DATA_DIR": str(data),
            "PEERJOBS_SOURCES": str(registry), "PEERJOBS_NOW": "2026-11-02T03:00:00Z"}


def _items(data: Path, job: CrawlJob) -> list[dict[str, object]]:
    feed = data / "archive" / job.spider / f"{job.run_id}.jsonl"
    return [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]


def test_jobs_with_their_own_clock_and_mirror_in_two_processes(tmp_path: Path) -> None:
    site = FIXTURES / "jsonld" / "site"
    with ReplayServer(site) as first, ReplayServer(site) as second:
        weeks = [CrawlJob("jsonld", sources=[JSONLD_SOURCE], api_base=server.url,
                          settings={"PEERJOBS_NOW": now})
                 for server, now in ((first, "2026-10-05T03:00:00Z"),
                                     (second, "2026-10-12T03:00:00Z"))]
        broken = CrawlJob("no-such-spider", sources=["no-such-spider:x"])
        outcomes = run_in_child([*weeks, broken], api_base=None, settings=_settings(tmp_path),
                                log_file=tmp_path / "crawl.log", processes=2)
        # each week's run went to its own mirror, the second after the first
        assert [entry.path for entry in first.log][:1] == ["/robots.txt"]
        assert len(first.log) == len(second.log) > 1
    assert [o.job.run_id for o in outcomes] == [
        "20261005T030000Z-jsonld", "20261012T030000Z-jsonld", "20261102T030000Z-no-such-spider"]
    for outcome, stamp in zip(outcomes, ("2026-10-05T03:00:00Z", "2026-10-12T03:00:00Z"),
                              strict=False):
        assert outcome.boards[JSONLD_SOURCE]["status"] == "complete"
        assert outcome.stats["started_at"] == stamp
        assert {item["fetched_at"] for item in _items(tmp_path, outcome.job)} == {stamp}
        assert len(_items(tmp_path, outcome.job)) == 3
    # the spider that does not exist had a process of its own: only its source failed
    assert outcomes[2].stats["finish_reason"] == "crashed (crawler process exit code 1)"
    assert outcomes[2].boards == {"no-such-spider:x": {
        "status": "failed", "items": 0, "requests": 0, "listing_pages": 0, "incomplete": 1,
        "problems": {"crashed": 1}, "http_status": {}}}


def test_a_job_that_cannot_start_fails_alone_in_a_shared_process(tmp_path: Path) -> None:
    with ReplayServer(FIXTURES / "jsonld" / "site") as server:
        jobs = [CrawlJob("no-such-spider", sources=["no-such-spider:x"]),
                CrawlJob("jsonld", sources=[JSONLD_SOURCE])]
        broken, good = run_in_child(jobs, api_base=server.url, settings=_settings(tmp_path),
                                    log_file=tmp_path / "crawl.log")
    assert good.boards[JSONLD_SOURCE]["status"] == "complete"
    assert broken.boards["no-such-spider:x"]["status"] == "failed"
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert ("run 20261102T030000Z-no-such-spider (spider no-such-spider) could not start; "
            "the other runs go on") in log


@pytest.mark.browser
def test_rendered_runs_of_one_process_share_one_browser(tmp_path: Path) -> None:
    token = f"--peerjobs-test-run={uuid.uuid4().hex}"
    registry = write_registry(tmp_path / "sources.toml", [GOOD])
    settings = {**LOCAL_CRAWL_SETTINGS, "RETRY_TIMES": 0, "PEERJOBS_DATA_DIR": str(tmp_path),
                "PEERJOBS_SOURCES": str(registry), "PEERJOBS_NOW": "2026-11-02T03:00:00Z",
                **browser_settings(token)}
    jobs = [CrawlJob("rendered", boards=[CAREERS], sources=[SOURCE],
                     settings={"PEERJOBS_NOW": now})
            for now in ("2026-10-05T03:00:00Z", "2026-10-12T03:00:00Z")]
    with ReplayServer(SITE) as server:
        outcomes = run_in_child(jobs, api_base=server.url, settings=settings,
                                log_file=tmp_path / "crawl.log")
    for outcome in outcomes:
        board = outcome.boards[SOURCE]
        assert (board["status"], board["items"], board["listing_pages"]) == ("complete", 4, 2)
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8")
    assert log.count("[scrapy-playwright] INFO: Launching browser chromium") == 1
    assert_browser_closed(token, tmp_path / "crawl.log")
