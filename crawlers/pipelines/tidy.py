"""Strip stray whitespace from text fields so "Peer Specialist " and "Peer Specialist" agree.

This is not normalization: values keep their wording, only surrounding blanks go.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter


class TidyTextPipeline:
    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        for name, value in adapter.items():
            if isinstance(value, str):
                stripped = value.strip()
                adapter[name] = stripped or None
            elif isinstance(value, list):
                cleaned = [v.strip() for v in value if isinstance(v, str) and v.strip()]
                adapter[name] = cleaned or None
        return item
