"""Vendor the geography the site's map needs into ``datasette/static/`` (run once; re-run when
the reference files change). Nothing is fetched: both inputs are in ``../shared/reference/geo``.

* ``states-albers-10m.json``: the us-atlas 3.0.1 TopoJSON of the 50 states and DC, already
  projected (Albers USA, 975×610), copied byte for byte (ISC licence, see static/README.md).
* ``state-population-2024.csv``: one row per state and DC from the Census Vintage 2024
  population estimates (``co-est2024-alldata.csv``, rows with SUMLEV 040): ``state`` (USPS
  code), ``state_fips``, ``name``, ``region``, ``division`` (Census names) and
  ``population_2024`` (the July 1, 2024 estimate, ``POPESTIMATE2024``), sorted by FIPS code.

    .venv/bin/python datasette/vendor_geo.py [REFERENCE_GEO_DIR]
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
REFERENCE = HERE.parent.parent / "shared" / "reference" / "geo"
STATES_CSV = HERE.parent / "normalize" / "data" / "geo" / "states.csv"
TOPOJSON = "states-albers-10m.json"
POPULATION = "state-population-2024.csv"
REGIONS = {"1": "Northeast", "2": "Midwest", "3": "South", "4": "West"}
DIVISIONS = {"1": "New England", "2": "Middle Atlantic", "3": "East North Central",
             "4": "West North Central", "5": "South Atlantic", "6": "East South Central",
             "7": "West South Central", "8": "Mountain", "9": "Pacific"}
COLUMNS = ("state", "state_fips", "name", "region", "division", "population_2024")


def population_rows(estimates: Path, states: Path = STATES_CSV) -> list[dict[str, str]]:
    """The state rows of the Census estimates file, with USPS codes from normalize's table."""
    with states.open(encoding="utf-8", newline="") as handle:
        usps = {row["state_fips"]: row["state"] for row in csv.DictReader(handle)}
    rows = []
    # Census publishes the file in Latin-1 (one county name has an ñ).
    with estimates.open(encoding="latin-1", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["SUMLEV"] != "040":
                continue
            rows.append({
                "state": usps[row["STATE"]], "state_fips": row["STATE"], "name": row["STNAME"],
                "region": REGIONS[row["REGION"]], "division": DIVISIONS[row["DIVISION"]],
                "population_2024": str(int(row["POPESTIMATE2024"])),
            })
    return sorted(rows, key=lambda r: r["state_fips"])


def population_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(reference: Path = REFERENCE) -> None:
    STATIC.mkdir(exist_ok=True)
    shutil.copyfile(reference / TOPOJSON, STATIC / TOPOJSON)
    text = population_csv(population_rows(reference / "co-est2024-alldata.csv"))
    (STATIC / POPULATION).write_text(text, encoding="utf-8")
    print(f"wrote {STATIC / TOPOJSON} and {STATIC / POPULATION} ({text.count(chr(10)) - 1} states)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE)
