"""The site's vendored geography (datasette/static/): the map's states and their populations.

The map joins the TopoJSON's 51 state shapes to the population table by FIPS code, so both
must hold the same 51 codes, agree with normalize's state table, and be what
datasette/vendor_geo.py derives from the reference files.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO

STATIC = REPO / "datasette" / "static"


def vendor_geo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_geo", REPO / "datasette" / "vendor_geo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def population() -> list[dict[str, str]]:
    with (STATIC / "state-population-2024.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_map_and_the_population_table_hold_the_same_51_states() -> None:
    topology = json.loads((STATIC / "states-albers-10m.json").read_text(encoding="utf-8"))
    shapes = {g["id"]: g["properties"]["name"] for g in topology["objects"]["states"]["geometries"]}
    rows = population()
    assert len(rows) == len(shapes) == 51
    assert {r["state_fips"]: r["name"] for r in rows} == shapes
    assert sum(int(r["population_2024"]) for r in rows) == 340_110_988  # the US total, 2024
    with (REPO / "normalize" / "data" / "geo" / "states.csv").open(encoding="utf-8") as handle:
        states = {r["state"]: r for r in csv.DictReader(handle)}
    assert all((states[r["state"]]["state_fips"], states[r["state"]]["region"],
                states[r["state"]]["division"]) == (r["state_fips"], r["region"], r["division"])
               for r in rows)


def test_the_vendored_files_are_what_vendor_geo_derives_from_the_reference() -> None:
    module = vendor_geo()
    reference: Path = module.REFERENCE
    if not (reference / "co-est2024-alldata.csv").exists():
        pytest.skip(f"the reference geography is not at {reference} on this machine")
    assert (STATIC / "states-albers-10m.json").read_bytes() == \
        (reference / "states-albers-10m.json").read_bytes()
    derived = module.population_csv(module.population_rows(reference / "co-est2024-alldata.csv"))
    assert (STATIC / "state-population-2024.csv").read_text(encoding="utf-8") == derived
