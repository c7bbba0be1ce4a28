"""Build the trimmed geography tables in normalize/data/geo/ from shared/reference/geo/.

Run from the repository root (re-runnable, deterministic):

    .venv/bin/python benchmarks/tools/vendor_geo.py [--source ../shared/reference/geo]

It writes four small UTF-8 CSV files (LF line endings):

- ``states.csv``    state FIPS, USPS code, name, Census region and division names
                    (from the SUMLEV 040 rows of co-est2024-alldata.csv; PR added with no region).
- ``counties.csv``  5-digit county FIPS, USPS state code, county name (co-est2024-alldata.csv,
                    Vintage 2024: CT planning regions, current AK/SD codes) plus the 78 Puerto Rico
                    municipios from national_county.csv (PR is not in the estimates file).
- ``cbsa.csv``      5-digit county FIPS, CBSA code, CBSA title (list1_2023.csv, July 2023).
- ``cbsa_areas.csv`` one row per CBSA: metro or micro, CSA code and title (list1_2023.csv).
- ``ct_towns.csv``  the 169 Connecticut towns with their 2022 planning region
                    (ct-town-to-planning-region.csv; leading zeros restored).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

REGIONS = {"1": "Northeast", "2": "Midwest", "3": "South", "4": "West"}
DIVISIONS = {
    "1": "New England",
    "2": "Middle Atlantic",
    "3": "East North Central",
    "4": "West North Central",
    "5": "South Atlantic",
    "6": "East South Central",
    "7": "West South Central",
    "8": "Mountain",
    "9": "Pacific",
}
# USPS codes by state FIPS (50 states, DC and PR); the estimates file carries names only.
USPS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY", "72": "PR",
}  # fmt: skip


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows, {path.stat().st_size:,} bytes)")


def main() -> None:
    repo = Path(__file__).resolve().parents[2]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=repo.parent / "shared/reference/geo")
    parser.add_argument("--out", type=Path, default=repo / "normalize/data/geo")
    args = parser.parse_args()
    src: Path = args.source
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    states: list[list[str]] = []
    counties: list[list[str]] = []
    with (src / "co-est2024-alldata.csv").open(encoding="latin-1", newline="") as handle:
        for row in csv.DictReader(handle):
            st = row["STATE"]
            if row["SUMLEV"] == "040":
                states.append(
                    [
                        st,
                        USPS[st],
                        row["STNAME"],
                        REGIONS[row["REGION"]],
                        DIVISIONS[row["DIVISION"]],
                    ]
                )
            elif row["SUMLEV"] == "050":
                counties.append([st + row["COUNTY"], USPS[st], row["CTYNAME"]])
    states.append(["72", "PR", "Puerto Rico", "", ""])
    with (src / "national_county.csv").open(encoding="ascii", newline="") as handle:
        for usps, stfp, cofp, name, _cls in csv.reader(handle):
            if usps == "PR":
                counties.append([stfp + cofp, usps, name])
    write_csv(out / "states.csv", ["state_fips", "state", "name", "region", "division"], states)
    write_csv(out / "counties.csv", ["county_fips", "state", "county"], counties)

    cbsa: list[list[str]] = []
    with (src / "list1_2023.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            fips = row["FIPS State Code"] + row["FIPS County Code"]
            cbsa.append([fips, row["CBSA Code"], row["CBSA Title"]])
    cbsa.sort()
    write_csv(out / "cbsa.csv", ["county_fips", "cbsa_code", "cbsa_title"], cbsa)

    # One row per CBSA: metro or micro, and its combined statistical area (the names LinkedIn
    # and postings use for wider areas, "Greensboro--Winston-Salem--High Point").
    areas: dict[str, list[str]] = {}
    with (src / "list1_2023.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            area_type = row["Metropolitan/Micropolitan Statistical Area"]
            kind = "metro" if area_type.startswith("Metro") else "micro"
            areas[row["CBSA Code"]] = [row["CBSA Code"], kind, row["CSA Code"], row["CSA Title"]]
    write_csv(
        out / "cbsa_areas.csv", ["cbsa_code", "kind", "csa_code", "csa_title"], sorted(areas.values())
    )

    towns: list[list[str]] = []
    with (src / "ct-town-to-planning-region.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            towns.append(
                [
                    row["town_name"],
                    row["town_fips_2022"].zfill(10),
                    row["town_fips_2020"].zfill(10)[:5],
                    row["ce_fips_2022"].zfill(5),
                    row["ce_name_2022"],
                ]
            )
    towns.sort()
    write_csv(
        out / "ct_towns.csv",
        ["town", "town_fips", "old_county_fips", "county_fips", "county"],
        towns,
    )


if __name__ == "__main__":
    main()
