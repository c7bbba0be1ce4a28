"""robots.txt is obeyed for every request, however many queue while it is being fetched."""

from __future__ import annotations

from pathlib import Path

from conftest import FIXTURES, run_crawl

SITE = FIXTURES / "robots" / "site"


def test_every_queued_request_to_a_disallowed_path_is_refused(data_dir: Path) -> None:
    starts = [f"https://careers.example.org/private/job-{i}.html" for i in range(1, 5)]
    result = run_crawl(
        data_dir, "jsonld", SITE, boards=["https://careers.example.org/"],
        registry=[{"platform": "jsonld", "board": "https://careers.example.org/",
                   "start_urls": [*starts, "https://careers.example.org/jobs/open.html"]}],
    )
    # Only robots.txt and the allowed page were fetched; the four disallowed pages never were.
    assert sorted(r.path for r in result.requests) == ["/jobs/open.html", "/robots.txt"]
    board = result.board("jsonld:careers.example.org")
    assert board["problems"] == {"robots_disallowed": 4}
    assert [i["source_id"] for i in result.items] == ["4150001"]
    assert board["status"] == "partial"
