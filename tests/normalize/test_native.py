"""Which copy of the normalizer runs: the mypyc build only when it matches the sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import normalize.pay
from normalize import native


@pytest.fixture
def native_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PEERJOBS_NATIVE_DIR", str(tmp_path))
    monkeypatch.delenv("PEERJOBS_PURE_PYTHON", raising=False)
    return tmp_path


def _write_stamp(folder: Path, stamp: dict[str, object]) -> None:
    (folder / native.STAMP).write_text(json.dumps(stamp), encoding="utf-8")


def test_a_build_of_the_current_sources_goes_first(native_folder: Path) -> None:
    _write_stamp(native_folder, native.stamp())
    path = ["/src/normalize"]
    assert native.activate(path) is True
    assert path == [str(native_folder / "normalize"), "/src/normalize"]
    assert native.status() == f"compiled with mypyc ({native_folder})"


def test_an_edited_source_makes_the_build_stale(native_folder: Path) -> None:
    stamp = native.stamp()
    sources = dict(stamp["sources"])  # type: ignore[call-overload]
    sources["pay"] = "0" * 64  # pay.py changed since the build
    _write_stamp(native_folder, {**stamp, "sources": sources})
    path = ["/src/normalize"]
    assert native.activate(path) is False
    assert path == ["/src/normalize"]
    assert native.status().startswith("pure Python (the compiled build is older than the sources")


def test_another_python_makes_the_build_stale(native_folder: Path) -> None:
    _write_stamp(native_folder, {**native.stamp(), "python": "3.99.0"})
    assert native.activate([]) is False


def test_no_build_or_a_broken_stamp_runs_the_source(native_folder: Path) -> None:
    assert native.activate([]) is False
    assert native.status().startswith("pure Python (no compiled build in")
    (native_folder / native.STAMP).write_text("{not json", encoding="utf-8")
    assert native.activate([]) is False


def test_the_environment_can_insist_on_plain_python(
    native_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_stamp(native_folder, native.stamp())
    monkeypatch.setenv("PEERJOBS_PURE_PYTHON", "1")
    assert native.activate([]) is False
    assert native.status() == "pure Python (PEERJOBS_PURE_PYTHON is set)"


def test_the_stamp_covers_every_compiled_module() -> None:
    assert sorted(native.stamp()["sources"]) == sorted(native.COMPILED)  # type: ignore[call-overload]
    for name in native.COMPILED:
        assert (native.PACKAGE_DIR / f"{name}.py").is_file()


def test_the_loaded_modules_are_the_copy_the_status_names() -> None:
    loaded = Path(normalize.pay.__file__ or "")
    if native.status().startswith("compiled"):
        assert loaded.parent == native.native_dir() / "normalize"
        assert loaded.name.startswith("pay.") and loaded.suffix == ".so"
    else:
        assert loaded == native.PACKAGE_DIR / "pay.py"
