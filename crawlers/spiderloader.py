"""Scrapy's spider loader, one spider module at a time.

Scrapy stops loading a whole package at its first broken module; here a spider that fails to
import is reported with its traceback and every other spider still loads and runs.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil

from scrapy.spiderloader import SpiderLoader

logger = logging.getLogger(__name__)


class IsolatingSpiderLoader(SpiderLoader):
    broken: dict[str, str]

    def _load_all_spiders(self) -> None:
        self.broken = {}
        for package_name in self.spider_modules:
            package = importlib.import_module(package_name)
            self._load_spiders(package)
            for info in pkgutil.iter_modules(package.__path__, prefix=f"{package_name}."):
                try:
                    module = importlib.import_module(info.name)
                except Exception as exc:
                    self.broken[info.name] = repr(exc)
                    logger.error("spider module %s cannot be loaded (%r); the other spiders run",
                                 info.name, exc, exc_info=True)
                    continue
                self._load_spiders(module)
        self._check_name_duplicates()
