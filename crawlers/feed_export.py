"""The raw archive's JSON-lines writer (``FEED_EXPORTERS["jsonlines"]``).

Scrapy's exporter, byte for byte, with a short way for JobPosting items: Scrapy builds an
ItemAdapter and asks every field for a serializer (JobPosting has none) for each item; here the
fields are read in their declared order, which is what Scrapy writes.
"""

from __future__ import annotations

from typing import Any

from scrapy.exporters import JsonLinesItemExporter
from scrapy.utils.python import to_bytes

from crawlers.items import JOBPOSTING_FIELDS, JobPosting


class JsonLinesExporter(JsonLinesItemExporter):
    def export_item(self, item: Any) -> None:
        if type(item) is not JobPosting or self.fields_to_export is not None:
            super().export_item(item)
            return
        values = {name: getattr(item, name) for name in JOBPOSTING_FIELDS}
        self.file.write(to_bytes(self.encoder.encode(values) + "\n", self.encoding))
