"""The normalizer compiled to C with mypyc, used only when it was built from these very sources.

``normalize_record`` runs on every posting of every build; its modules are strictly typed, so
mypyc (the compiler mypy and black ship with) turns them into C extensions that give the same
answers 1.4-1.6 times faster (``benchmarks/bench_normalizer.py`` prints both). The compiled
modules live outside the source tree, in ``.venv/peerjobs-native/`` (``make setup`` builds them
with ``python -m normalize.build_native``), and each build records the SHA-256 of every source
file it compiled. At import, :func:`activate` puts that folder first in the package's search path
only when every recorded hash still matches: an edited ``pay.py`` is then used as source at once,
never shadowed by a stale compiled copy. No compiler, a failed build or ``PEERJOBS_PURE_PYTHON=1``:
the same code runs as plain Python.

This module and the package's ``__init__`` stay plain Python: they decide which copy to load.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent
#: Modules compiled, in dependency order (the rest of the package is not on the hot path).
COMPILED = ("textutil", "taxonomy", "geo", "titles", "location", "pay", "certification", "record")
GROUP = "peerjobs_normalize"
STAMP = "stamp.json"


def native_dir() -> Path:
    """Where the compiled modules go: beside the virtual environment running this Python."""
    override = os.environ.get("PEERJOBS_NATIVE_DIR")
    if override:
        return Path(override)
    return Path(sys.prefix) / "peerjobs-native"


def source_hashes() -> dict[str, str]:
    return {
        name: hashlib.sha256((PACKAGE_DIR / f"{name}.py").read_bytes()).hexdigest()
        for name in COMPILED
    }


def stamp() -> dict[str, object]:
    """What a build records and :func:`status` compares: the Python version and the hashes."""
    return {"python": sys.version.split()[0], "sources": source_hashes()}


def status() -> str:
    """``compiled`` when the compiled modules are in use (or would be, before import), else why
    not, for benchmarks and ``peerjobs --version`` to print."""
    if os.environ.get("PEERJOBS_PURE_PYTHON"):
        return "pure Python (PEERJOBS_PURE_PYTHON is set)"
    folder = native_dir()
    try:
        recorded = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"pure Python (no compiled build in {folder}; run `make setup`)"
    if recorded != stamp():
        return "pure Python (the compiled build is older than the sources; `make setup` rebuilds it)"
    return f"compiled with mypyc ({folder})"


def activate(package_path: list[str]) -> bool:
    """Put the compiled modules first in ``package_path`` (the package's ``__path__``) when they
    were built from the current sources; True when they will be used."""
    if not status().startswith("compiled"):
        return False
    folder = native_dir()
    package_path.insert(0, str(folder / "normalize"))
    # mypyc's shared runtime of the group is a top-level module in the same folder
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
    return True
