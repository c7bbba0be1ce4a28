"""Keep one item per (source, source_id) per run; later copies are dropped and counted.

Platforms repeat postings within a run (NEOGOV renders each job twice, paging shifts while we
read). Only true duplicates are dropped, by the posting's identity.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.platforms.base import STATS_PREFIX, board_stat


class DuplicatesPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.seen: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DuplicatesPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        identity = (str(adapter.get("source")), str(adapter.get("source_id")))
        if identity in self.seen:
            self.stats.inc_value(f"{STATS_PREFIX}/duplicates_dropped")
            self.stats.inc_value(board_stat(identity[0], "duplicates_dropped"))
            raise DropItem(f"duplicate posting {identity[1]} in this run")
        self.seen.add(identity)
        return item
