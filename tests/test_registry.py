"""sources.toml: the real seed boards, nothing invented, every entry usable."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crawlers.registry import Board, RegistryError, board_key, load_registry, parse_registry

# A copy of reference/sources/seed_boards.csv, the real boards the registry was seeded from.
SEED = Path(__file__).parent / "fixtures" / "registry" / "seed_boards.csv"


def test_registry_loads_with_unique_sources() -> None:
    boards = load_registry({"PEERJOBS_SOURCES": ""})
    sources = [b.source for b in boards]
    assert len(sources) == len(set(sources)) == 118
    assert all(b.terms and b.robots for b in boards)
    assert {b.platform for b in boards if not b.enabled} >= {"workday", "applicantpro", "adp"}


def test_every_board_comes_from_the_seed_list() -> None:
    """A board's token or URL must be read off a real seed URL: none is invented or guessed."""
    seed_text = SEED.read_text(encoding="utf-8").lower()
    for board in load_registry({"PEERJOBS_SOURCES": ""}):
        assert board.option("seen_url") or board.platform.startswith("usajobs")
        token = board.board.lower().replace("https://", "").replace("http://", "").rstrip("/")
        if board.platform.startswith("usajobs"):
            assert "usajobs.gov" in (board.evidence or "")
            continue
        if board.platform in ("peerforce", "ncpss", "pageup", "jobaps"):
            token = token.split("/")[0]
        assert token in seed_text, f"{board.source} is not in the seed list"


def test_seed_rows_are_all_represented() -> None:
    registry = " ; ".join(str(b.option("seen_url")) for b in load_registry({"PEERJOBS_SOURCES": ""}))
    with SEED.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert row["board_url"].strip() in registry, row["organization"]


def test_board_keys() -> None:
    assert board_key("talkspace") == "talkspace"
    assert board_key("https://centerstone.wd5.myworkdayjobs.com/CenterstoneCareers/") == \
        "centerstone.wd5.myworkdayjobs.com/CenterstoneCareers"


def test_options_and_defaults() -> None:
    [board] = parse_registry(
        '[[boards]]\nplatform = "jsonld"\nboard = "https://x.example/"\n'
        'start_urls = ["https://x.example/sitemap.xml"]\nstate = ""\n'
    )
    assert board == Board(platform="jsonld", board="https://x.example/", key="x.example",
                          options={"start_urls": ["https://x.example/sitemap.xml"]})
    assert board.enabled is True and board.state is None
    assert board.source == "jsonld:x.example"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[boards]]\nboard = 'x'\n", "boards entry 1: 'platform' is required"),
        ("[[boards]]\nplatform = 'lever'\n", "boards entry 1: 'board' is required"),
        ("[[boards]]\nplatform = 'lever'\nboard = 'a'\n[[boards]]\nplatform = 'lever'\n"
         "board = 'a'\n", "boards entry 2: duplicate source lever:a"),
        ("[[boards]\n", "not valid TOML"),
    ],
)
def test_registry_errors_name_the_entry(text: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        parse_registry(text, origin="test.toml")


def test_every_enabled_board_can_start() -> None:
    """An enabled board that its platform cannot even start (an incomplete URL, a missing
    option) would fail every night: each one yields its first request and no problem."""
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings
    from scrapy.utils.test import get_crawler

    loader = SpiderLoader.from_settings(get_project_settings())
    for board in load_registry({"PEERJOBS_SOURCES": ""}):
        if not board.enabled:
            continue
        crawler = get_crawler(loader.load(board.platform), {"USAJOBS_API_KEY": "test-key",
                                                                  "USAJOBS_EMAIL": "test@example.org"})
        spider = crawler._create_spider()
        crawler.spider = spider
        requests = list(spider.start_board(board))
        problems = {k: v for k, v in crawler.stats.get_stats().items() if "/problems/" in k}
        assert requests and problems == {}, (board.source, problems)
