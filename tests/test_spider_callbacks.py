"""Scrapy's warning for generator callbacks that ``return`` a value (the value is lost) is off
in crawlers/settings.py, because Scrapy re-reads the callback's source on every response; the
same check runs here once for every callback of every spider."""

from __future__ import annotations

import inspect

from scrapy.utils.misc import is_generator_with_return_value

from crawlers.settings import WARN_ON_GENERATOR_RETURN_VALUE
from crawlers.spiderloader import IsolatingSpiderLoader


def test_no_spider_generator_returns_a_value() -> None:
    from scrapy.utils.project import get_project_settings

    loader = IsolatingSpiderLoader.from_settings(get_project_settings())
    assert loader.broken == {}
    checked, returning = 0, []
    for name in loader.list():
        spider = loader.load(name)
        for attribute, member in inspect.getmembers(spider, inspect.isgeneratorfunction):
            checked += 1
            if is_generator_with_return_value(member):
                returning.append(f"{name}.{attribute}")
    assert WARN_ON_GENERATOR_RETURN_VALUE is False
    assert checked > 50
    assert returning == []
