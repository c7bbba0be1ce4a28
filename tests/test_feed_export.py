"""The shortcuts a crawl takes for speed write and read exactly what Scrapy's own code does:
the JSON-lines archive writer, the entity unescaping of descriptions, the stats collector."""

from __future__ import annotations

import html
import io
from typing import Any

import pytest
from scrapy.exporters import JsonLinesItemExporter
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawlers.feed_export import JsonLinesExporter
from crawlers.items import JobPosting
from crawlers.runstats import PlainStatsCollector
from crawlers.text import unescape

ITEMS: list[Any] = [
    JobPosting(source="greenhouse:x", source_id="1", title="Peer Specialist \u2014 Café",
               pay_min=18.5, remote=None, locations=["Lansing, MI"],
               extra={"metadata": {"Employment Type": "Full-time"}, "ids": [1, 2]}),
    JobPosting(),
    JobPosting(source="lever:y", description="Line one\n\n- a \"quoted\" <b> & done",
               detail_skipped=True, extra={}),
    {"source": "not a posting", "n": 1},
]


def _written(exporter_class: type[JsonLinesItemExporter], **options: Any) -> bytes:
    buffer = io.BytesIO()
    exporter = exporter_class(buffer, encoding="utf-8", **options)
    exporter.start_exporting()
    for item in ITEMS:
        exporter.export_item(item)
    exporter.finish_exporting()
    return buffer.getvalue()


@pytest.mark.parametrize("options", [{}, {"fields_to_export": ["title", "source"]}])
def test_the_archive_writer_writes_scrapys_bytes(options: dict[str, Any]) -> None:
    ours = _written(JsonLinesExporter, **options)
    assert ours == _written(JsonLinesItemExporter, **options)
    assert ours.decode("utf-8").count("\n") == len(ITEMS)


@pytest.mark.parametrize("text", [
    "plain", "&lt;p&gt;Peer &amp; recovery&lt;/p&gt;", "&amp;lt;p&amp;gt;twice&amp;lt;/p&amp;gt;",
    "&quot;quoted&quot; &#39;single&#39; &#x27;hex&#x27;", "caf&eacute; &nbsp;&#8212;&#x2014;",
    "&lt without semicolon &amp", "AT&T & co", "&&lt;;", "&amp;amp;", "",
])
def test_unescape_is_html_unescape(text: str) -> None:
    assert unescape(text) == html.unescape(text)


def test_the_plain_stats_collector_keeps_scrapys_stats() -> None:
    ours, scrapys = (cls(get_crawler()) for cls in (PlainStatsCollector, MemoryStatsCollector))
    for stats in (ours, scrapys):
        stats.inc_value("a")
        stats.inc_value("a", 2)
        stats.max_value("m", 3)
        stats.max_value("m", 1)
        stats.set_value("s", "x")
    assert ours.get_stats() == scrapys.get_stats() == {"a": 3, "m": 3, "s": "x"}
