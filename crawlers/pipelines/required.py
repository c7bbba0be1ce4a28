"""Drop, and count, postings that cannot be identified or named; count missing optional fields.

A posting without a source id or a title cannot be tracked or classified. Like All The Places'
``check_item_properties``, coverage of every other field is counted as
``peerjobs/field/<name>/missing`` so a platform change that empties a field shows in the stats.
"""

from __future__ import annotations

import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawlers.platforms.base import STATS_PREFIX, board_stat

logger = logging.getLogger(__name__)

REQUIRED = ("source", "source_id", "title")
COUNTED = ("url", "employer", "location", "description", "posted_at", "closes_at",
           "employment_type", "pay_text", "pay_min")


class RequiredFieldsPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequiredFieldsPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        source = adapter.get("source") or "unknown"
        for name in COUNTED:
            if adapter.get(name) in (None, "", []):
                self.stats.inc_value(f"{STATS_PREFIX}/field/{name}/missing")
        missing = [name for name in REQUIRED if not adapter.get(name)]
        if missing:
            kind = f"missing_{missing[-1]}"
            self.stats.inc_value(f"{STATS_PREFIX}/problems/{kind}")
            self.stats.inc_value(board_stat(source, f"problems/{kind}"))
            # The posting was on the board but could not be kept: the run did not see it all.
            self.stats.inc_value(board_stat(source, "incomplete"))
            where = adapter.get("url") or adapter.get("source_id") or "?"
            logger.warning("[%s] %s: posting at %s has no %s; dropped", source, kind, where,
                           " or ".join(missing))
            raise DropItem(f"posting without {', '.join(missing)}")
        return item
