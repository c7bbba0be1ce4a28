"""``python -m normalize.build_native``: compile the normalizer with mypyc (see normalize.native).

``make setup`` runs it; it takes about a minute, needs a C compiler and Python's headers, and is
skipped (with a message, the normalizer then runs as plain Python) when it cannot be done.
``status`` prints which copy is in use.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from normalize.native import COMPILED, GROUP, ROOT, STAMP, native_dir, stamp, status


def build(folder: Path | None = None) -> Path:
    """Compile the modules into ``folder`` (default :func:`native_dir`), replacing what is there
    only once the new build succeeded. Raises ``RuntimeError`` with the compiler's output."""
    target = folder or native_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="peerjobs-mypyc-", dir=target.parent))
    try:
        script = work / "setup_native.py"
        modules = [str(ROOT / "normalize" / f"{name}.py") for name in COMPILED]
        # mypyc type-checks first; run in the scratch folder so the project's pyproject.toml
        # (which this older setuptools API would validate) stays out of it
        (work / "mypy.ini").write_text(
            "[mypy]\npython_version = 3.11\nignore_missing_imports = True\n", encoding="utf-8")
        script.write_text(
            "from setuptools import setup\n"
            "from mypyc.build import mypycify\n"
            f"setup(name={GROUP!r}, ext_modules=mypycify({modules!r}, opt_level='3',"
            f" group_name={GROUP!r}, target_dir={str(work / 'c')!r}))\n",
            encoding="utf-8",
        )
        out = work / "out"
        # the hashes of what is compiled, taken before: an edit during the build makes it stale
        recorded = stamp()
        result = subprocess.run(
            [sys.executable, str(script), "--quiet", "build_ext", "--build-lib", str(out),
             "--build-temp", str(work / "tmp")],
            cwd=work, capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"mypyc failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
        (out / STAMP).write_text(json.dumps(recorded, indent=2), encoding="utf-8")
        old = target.with_name(target.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        out.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return target
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["status"]:
        print(f"normalizer: {status()}")
        return 0
    if argv not in ([], ["build"]):
        print("usage: python -m normalize.build_native [build|status]", file=sys.stderr)
        return 2
    if status().startswith("compiled"):
        print(f"normalizer: {status()}; up to date")
        return 0
    try:
        folder = build()
    except (RuntimeError, OSError) as exc:
        # setup goes on: the normalizer runs as plain Python, only slower
        print(f"normalizer: not compiled, it runs as plain Python ({exc})", file=sys.stderr)
        return 0
    print(f"normalizer: compiled with mypyc into {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
