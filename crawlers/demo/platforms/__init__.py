"""One module per platform renders the sample corpus in that platform's real format.

A module defines ``PLATFORM`` (the spider name), ``board_entry(employer) -> dict`` (its
sources.toml entry) and ``render(site, employer, postings, when)`` (the files and routes of
that employer's board on one snapshot date). Modules are found automatically.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def demo_platforms() -> list[ModuleType]:
    modules = [importlib.import_module(f"{__name__}.{info.name}")
               for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_")]
    return sorted(modules, key=lambda m: str(m.PLATFORM))
