"""Offline US geography: the vendored Census tables plus ``zipcodes`` and ``us``, indexed once.

Everything here is read from files shipped with the package (``normalize/data/geo/``, built by
``benchmarks/tools/vendor_geo.py``) and from the data compiled into the ``zipcodes`` and ``us``
packages. Nothing is downloaded and nothing is written. The indexes are built lazily on the first
call to :func:`geo` and kept for the life of the process (a few MB).

Choices worth knowing:

- **County of a city.** A city (with its state) maps to the county of the city's *primary ZIP*:
  the lowest-numbered active STANDARD ZIP whose USPS preferred city name is that city (falling
  back to PO box / unique ZIPs, then to ZIPs that list the city under ``acceptable_cities``).
  The lowest ZIP is normally the downtown post office, so multi-county cities land in their core
  county: Kansas City, MO -> Jackson; St. Louis, MO -> St. Louis city (not the county).
- **Connecticut.** Since 2022 the Census county equivalents are 9 planning regions (09110-09190)
  and the 2023 CBSA file uses them, while ``zipcodes`` still names the 8 old counties. CT towns
  map through the town crosswalk. A CT ZIP whose post-office name is not a town (villages such as
  Storrs Mansfield or Rockville) takes the town of the nearest town-named ZIP (by the ZIP
  coordinates) inside the same old county.
- **County names** are matched on a folded key (accents dropped, Saint/St., punctuation and case
  ignored, "City and Borough of X" reordered), so ``zipcodes`` spellings such as "Dona Ana County",
  "Dekalb County" or "St. Louis City" meet the Census names.
"""

from __future__ import annotations

import csv
import io
import math
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from normalize import DATA_DIR

__all__ = ["County", "Facility", "Geo", "Metro", "StateInfo", "area_names", "facility_key", "fold", "geo"]

_DATA = DATA_DIR / "geo"

_FOLD_WORDS = (
    (re.compile(r"\bsaint\b"), "st"),
    (re.compile(r"\bsainte\b"), "ste"),
    (re.compile(r"\bfort\b"), "ft"),
    (re.compile(r"\bmount\b"), "mt"),
    (re.compile(r"&"), " and "),
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Counties renamed or re-coded since the data in ``zipcodes`` was compiled (Census county changes).
_COUNTY_ALIASES = {
    ("AK", "princeofwalesouterketchikanborough"): "02198",
    ("AK", "princeofwalesouterketchikancensusarea"): "02198",
    ("AK", "wadehamptoncensusarea"): "02158",
    ("SD", "shannoncounty"): "46102",
    ("VA", "bedfordcity"): "51019",
}
# Names people use for a place inside a state that are not USPS city names: New York City, its
# boroughs and their abbreviations (Brooklyn, Bronx, Staten Island are USPS names already),
# islands (their county), and metro nicknames (the county of the metro's first principal city).
_CITY_ALIASES = {
    ("NY", "manhattan"): "36061", ("NY", "queens"): "36081", ("NY", "nyc"): "36061",
    ("NY", "newyorkcity"): "36061", ("NY", "cityofnewyork"): "36061", ("NY", "bklyn"): "36047",
    ("NY", "thebronx"): "36005", ("NY", "harlem"): "36061", ("NY", "nycmetro"): "36061",
    ("NY", "nymetro"): "36061", ("HI", "oahu"): "15003", ("HI", "islandofoahu"): "15003",
    ("HI", "maui"): "15009", ("HI", "islandofmaui"): "15009", ("HI", "molokai"): "15009",
    ("HI", "lanai"): "15009", ("HI", "kauai"): "15007", ("HI", "islandofkauai"): "15007",
    ("HI", "bigisland"): "15001", ("HI", "hawaiiisland"): "15001",
    ("HI", "islandofhawaii"): "15001", ("MA", "marthasvineyard"): "25007",
    ("MA", "nantucketisland"): "25019", ("AK", "kodiakisland"): "02150",
    ("WA", "whidbeyisland"): "53029", ("WA", "sanjuanisland"): "53055",
    ("CA", "sf"): "06075", ("CA", "bayarea"): "06075", ("CA", "sfbayarea"): "06075",
    ("CA", "sanfranciscobayarea"): "06075", ("CA", "siliconvalley"): "06085",
    ("CA", "inlandempire"): "06065", ("MN", "twincities"): "27053", ("TX", "dfw"): "48113",
    ("TX", "metroplex"): "48113", ("TX", "dfwmetroplex"): "48113",
    ("NC", "researchtrianglepark"): "37063", ("NC", "rtp"): "37063",
    ("IL", "chicagoland"): "17031", ("VA", "hamptonroads"): "51810", ("WA", "pugetsound"): "53033",
    ("FL", "tampabay"): "12057", ("PA", "lehighvalley"): "42077",
    ("MA", "nantucket"): "25019", ("NY", "southbronx"): "36005", ("NY", "motthaven"): "36005",
    ("NY", "huntspoint"): "36005", ("NY", "eastharlem"): "36061", ("NY", "westharlem"): "36061",
    ("NY", "centralharlem"): "36061", ("NY", "spanishharlem"): "36061",
    ("NY", "washingtonheights"): "36061", ("NY", "lowereastside"): "36061",
    ("NY", "uppereastside"): "36061", ("NY", "upperwestside"): "36061",
    ("NY", "hellskitchen"): "36061", ("NY", "bedstuy"): "36047",
    ("NY", "bedfordstuyvesant"): "36047", ("NY", "crownheights"): "36047",
    ("NY", "eastnewyork"): "36047", ("NY", "bushwick"): "36047", ("NY", "bensonhurst"): "36047",
    ("NY", "coneyisland"): "36047", ("NY", "parkslope"): "36047", ("NY", "fortgreene"): "36047",
    ("NY", "jacksonheights"): "36081", ("NC", "piedmonttriad"): "37081",
    ("CA", "coachellavalley"): "06065", ("CA", "sanfernandovalley"): "06037",
    ("CA", "eastbay"): "06001", ("ID", "treasurevalley"): "16001", ("IA", "quadcities"): "19163",
}  # fmt: skip
_NYC_NEIGHBOURHOODS = {
    "southbronx", "motthaven", "huntspoint", "eastharlem", "westharlem", "centralharlem",
    "spanishharlem", "washingtonheights", "lowereastside", "uppereastside", "upperwestside",
    "hellskitchen", "bedstuy", "bedfordstuyvesant", "crownheights", "eastnewyork", "bushwick",
    "bensonhurst", "coneyisland", "parkslope", "fortgreene", "jacksonheights",
}  # fmt: skip
# Of those, the ones that name one place even when the text names no state (boroughs, islands,
# metro nicknames). "Queens" or "Maui" alone are New York and Hawaii; "Kalamazoo" alone is not
# resolved (a city name without a state is a guess), nor is "Brooklyn Park" (Minnesota).
STATELESS_ALIASES = {
    "manhattan", "queens", "nyc", "newyorkcity", "cityofnewyork", "bklyn", "brooklyn", "bronx",
    "thebronx", "statenisland", "harlem", "nycmetro", "nymetro", "oahu", "islandofoahu", "maui",
    "islandofmaui", "molokai", "kauai", "islandofkauai", "bigisland", "hawaiiisland",
    "islandofhawaii", "marthasvineyard", "nantucketisland", "kodiakisland", "whidbeyisland",
    "sanjuanisland", "sf", "bayarea", "sfbayarea", "sanfranciscobayarea", "siliconvalley",
    "inlandempire", "twincities", "dfw", "metroplex", "dfwmetroplex", "researchtrianglepark",
    "rtp", "chicagoland", "hamptonroads", "pugetsound", "tampabay", "longislandcity",
    "nantucket", "lehighvalley", "piedmonttriad", "coachellavalley", "sanfernandovalley",
    "eastbay", "treasurevalley", "quadcities", *_NYC_NEIGHBOURHOODS,
}  # fmt: skip
# Metro nicknames among the aliases: the place is a metro area, not a city.
METRO_ALIASES = {
    "nycmetro", "nymetro", "bayarea", "sfbayarea", "sanfranciscobayarea", "siliconvalley",
    "inlandempire", "twincities", "dfw", "metroplex", "dfwmetroplex", "chicagoland",
    "hamptonroads", "pugetsound", "tampabay", "lehighvalley", "piedmonttriad", "coachellavalley",
    "eastbay", "treasurevalley", "quadcities",
}  # fmt: skip
# Regions with no single county: the state only.
STATE_REGIONS = {
    "dmv": "DC", "dcmetro": "DC", "dcmetroarea": "DC", "socal": "CA", "southerncalifornia": "CA",
    "norcal": "CA", "northerncalifornia": "CA", "centralcalifornia": "CA", "longisland": "NY",
    "hudsonvalley": "NY", "upstateny": "NY", "southflorida": "FL", "centralflorida": "FL",
    "northtexas": "TX", "westtexas": "TX", "easttexas": "TX", "southtexas": "TX",
    "centraltexas": "TX", "easternshore": "MD", "westernslope": "CO", "frontrange": "CO",
    "upperpeninsula": "MI", "panhandle": None, "northjersey": "NJ", "southjersey": "NJ",
    "centraljersey": "NJ", "northernvirginia": "VA", "nova": "VA", "wasatchfront": "UT",
    "hillcountry": "TX", "riograndevalley": "TX", "rgv": "TX", "lowcountry": "SC",
    "centralvalley": "CA", "innerbanks": "NC", "outerbanks": "NC", "southshore": None,
}  # fmt: skip
_COUNTY_SUFFIXES = (
    "cityandborough",
    "censusarea",
    "municipality",
    "municipio",
    "borough",
    "parish",
    "county",
    "city",
)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Fold a place name to a lookup key: ASCII, lower case, Saint->st, no spaces or punctuation."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    lowered = text.lower()
    if "saint" in lowered or "fort" in lowered or "mount" in lowered or "&" in lowered:
        for pattern, repl in _FOLD_WORDS:
            lowered = pattern.sub(repl, lowered)
    return _NON_ALNUM.sub("", lowered)


@dataclass(frozen=True)
class StateInfo:
    """A state (50 states, DC and PR) with its Census region and division."""

    abbr: str
    """USPS code, e.g. ``MI``."""
    fips: str
    """2-digit state FIPS code."""
    name: str
    """Full name, e.g. ``Michigan``."""
    region: str | None
    """Census region name (Northeast, Midwest, South, West); None for Puerto Rico."""
    division: str | None
    """Census division name, e.g. ``East North Central``; None for Puerto Rico."""


@dataclass(frozen=True)
class County:
    """A county or county equivalent (2024 geography: CT planning regions, current AK codes)."""

    fips: str
    """5-digit county FIPS code."""
    state: str
    """USPS code of the state."""
    name: str
    """Census name, e.g. ``Kalamazoo County``, ``Richmond city``, ``Capitol Planning Region``."""
    cbsa_code: str | None
    """2023 CBSA code, or None outside every metro/micro area."""
    cbsa_title: str | None
    """2023 CBSA title, e.g. ``Kalamazoo-Portage, MI``."""


@dataclass(frozen=True)
class ZipInfo:
    """What one ZIP code resolves to."""

    state: str
    """USPS state code."""
    city: str
    """USPS preferred city name."""
    county_fips: str | None
    """5-digit county FIPS, or None when ``zipcodes`` names no county we can match."""


@dataclass(frozen=True)
class Metro:
    """A CBSA as a place: the county and state of its first principal city."""

    cbsa_code: str
    state: str
    county_fips: str | None


@dataclass(frozen=True)
class Facility:
    """A named facility (VA medical center or clinic) and where it is."""

    state: str
    county_fips: str | None
    city: str | None


_VA_WORDS = (
    (re.compile(r"\b(?:u\.?\s?s\.?\s+)?department\s+of\s+veterans\s*'?\s*affairs\b"), "va"),
    (re.compile(r"\bveterans\s*'?\s*(?:affairs|administration)\b"), "va"),
    (re.compile(r"\bv\.a\.?(?=\s|$)"), "va"),
    (re.compile(r"\bvamc\b"), "va medical center"),
    (re.compile(r"\bvahcs\b"), "va health care system"),
    (re.compile(r"\bhealth\s*care\b"), "healthcare"),
    (re.compile(r"\bhospital\b"), "medical center"),
    (re.compile(r"\bjunior\b"), "jr"),
    (re.compile(r"\bva\b"), " "),
)


_AREA_SPLIT = re.compile(r"\s*(?:--|\u2013|\u2014)\s*")


def area_names(text: str) -> list[str]:
    """The place names of an area title: "Nashville-Davidson--Murfreesboro--Franklin" (double
    hyphens separate names that contain hyphens), "Dallas-Fort Worth-Arlington" (single
    hyphens), "Louisville/Jefferson County" (the first of a slash pair)."""
    pieces = _AREA_SPLIT.split(text) if "--" in text or "\u2013" in text else text.split("-")
    return [p.split("/")[0].strip() for p in pieces if p.split("/")[0].strip()]


def facility_key(name: str) -> str:
    """Fold a VA facility name so "Martinsburg VAMC" meets "Martinsburg VA Medical Center"."""
    lowered = name.lower().replace("\u2019", "'")
    for pattern, repl in _VA_WORDS:
        lowered = pattern.sub(repl, lowered)
    return fold(lowered)


class Geo:
    """All lookup tables, built once. Use :func:`geo` to get the shared instance."""

    def __init__(self) -> None:
        self.states: dict[str, StateInfo] = {}
        self.state_keys: dict[str, str] = {}
        self.counties: dict[str, County] = {}
        self._county_full: dict[tuple[str, str], str] = {}
        self._county_base: dict[tuple[str, str], str] = {}
        self.zips: dict[str, ZipInfo] = {}
        self._cities: dict[tuple[str, str], str] = {}
        self._city_names: dict[tuple[str, str], str] = {}
        self._ct_towns: dict[str, str] = {}
        self.county_unique: dict[str, str] = {}
        self.county_all: dict[str, tuple[str, ...]] = {}
        self.va_cities: dict[str, dict[str, str | None]] = {}
        self.city_states: dict[str, tuple[str, ...]] = {}
        self.metros: dict[str, Metro | None] = {}
        self.metros_by_state: dict[tuple[str, str], Metro] = {}
        self.facilities: dict[str, Facility] = {}
        self._load_states()
        self._load_counties()
        self._load_ct_towns()
        self._load_zips()
        self._load_unique_counties()
        self._load_city_states()
        self._load_metros()
        self._load_facilities()

    # ------------------------------------------------------------------ loading
    @staticmethod
    def _rows(name: str) -> list[dict[str, str]]:
        text = (_DATA / name).read_text(encoding="utf-8")
        return list(csv.DictReader(io.StringIO(text, newline="")))

    def _load_states(self) -> None:
        import us  # the ``us`` package: names, USPS and AP abbreviations

        for row in self._rows("states.csv"):
            info = StateInfo(
                abbr=row["state"],
                fips=row["state_fips"],
                name=row["name"],
                region=row["region"] or None,
                division=row["division"] or None,
            )
            self.states[info.abbr] = info
            self.state_keys[fold(info.name)] = info.abbr
            self.state_keys[info.abbr.lower()] = info.abbr
        for state in us.states.STATES_AND_TERRITORIES:
            abbr = str(state.abbr)
            if abbr in self.states:
                self.state_keys.setdefault(fold(str(state.name)), abbr)
                ap_abbr = getattr(state, "ap_abbr", None)
                if ap_abbr:
                    self.state_keys.setdefault(fold(str(ap_abbr)), abbr)
        for alias in ("washingtondc", "districtofcolumbia", "dc", "washingtondistrictofcolumbia"):
            self.state_keys[alias] = "DC"
        self.state_keys["puertorico"] = "PR"

    def _load_counties(self) -> None:
        cbsa = {row["county_fips"]: row for row in self._rows("cbsa.csv")}
        bases: list[tuple[bool, tuple[str, str], str]] = []
        for row in self._rows("counties.csv"):
            fips = row["county_fips"]
            metro = cbsa.get(fips)
            county = County(
                fips=fips,
                state=row["state"],
                name=row["county"],
                cbsa_code=metro["cbsa_code"] if metro else None,
                cbsa_title=metro["cbsa_title"] if metro else None,
            )
            self.counties[fips] = county
            key = fold(county.name)
            self._county_full[(county.state, key)] = fips
            for suffix in _COUNTY_SUFFIXES:
                if key.endswith(suffix) and len(key) > len(suffix):
                    bases.append((suffix == "city", (county.state, key[: -len(suffix)]), fips))
                    break
        # A county wins over an independent city of the same base name (Baltimore County).
        for _is_city, base, fips in sorted(bases, key=lambda item: item[0]):
            self._county_base.setdefault(base, fips)
        for (state, key), fips in _COUNTY_ALIASES.items():
            self._county_full[(state, key)] = fips

    def _load_ct_towns(self) -> None:
        for row in self._rows("ct_towns.csv"):
            self._ct_towns[fold(row["town"])] = row["county_fips"]

    def _load_zips(self) -> None:
        import zipcodes

        records: list[dict[str, Any]] = zipcodes._zipcodes.list_all()
        folded: dict[str, str] = {}
        county_memo: dict[tuple[str, str], str | None] = {}

        def fold_memo(text: str) -> str:
            key = folded.get(text)
            if key is None:
                key = folded[text] = sys.intern(fold(text))
            return key

        ct_records: list[dict[str, Any]] = []
        # (state, city key) -> best (rank, zip) per preferred and acceptable names
        preferred: dict[tuple[str, str], tuple[int, str]] = {}
        acceptable: dict[tuple[str, str], tuple[int, str]] = {}
        for rec in records:
            state = rec["state"]
            if state not in self.states:
                continue
            zip_code = rec["zip_code"]
            memo_key = (state, rec["county"])
            if memo_key not in county_memo:
                county_memo[memo_key] = self.county_from_zipcodes_name(*memo_key)
            county_fips = county_memo[memo_key]
            self.zips[zip_code] = ZipInfo(sys.intern(state), sys.intern(rec["city"]), county_fips)
            if state == "CT":
                ct_records.append(rec)
            rank = (0 if rec["zip_code_type"] == "STANDARD" else 1) + (0 if rec["active"] else 2)
            key = (sys.intern(state), fold_memo(rec["city"]))
            if key not in preferred or (rank, zip_code) < preferred[key]:
                preferred[key] = (rank, zip_code)
                self._city_names[key] = sys.intern(rec["city"])
            for other in rec["acceptable_cities"]:
                okey = (sys.intern(state), fold_memo(other))
                if okey not in acceptable or (rank, zip_code) < acceptable[okey]:
                    acceptable[okey] = (rank, zip_code)
                    self._city_names.setdefault(okey, sys.intern(other.title()))
        self._fix_connecticut(ct_records)
        for key, (_rank, zip_code) in acceptable.items():
            preferred.setdefault(key, (9, zip_code))
        for key, (_rank, zip_code) in preferred.items():
            fips = self.zips[zip_code].county_fips
            if fips is not None:
                self._cities[key] = fips
        for key, fips in _CITY_ALIASES.items():
            self._cities.setdefault(key, fips)

    def _load_unique_counties(self) -> None:
        """Counties whose full name ("Anne Arundel County") exists in one state only: a posting
        that names only such a county still has one place."""
        seen: dict[str, list[str]] = {}
        for county in self.counties.values():
            seen.setdefault(fold(county.name), []).append(county.fips)
        self.county_unique = {key: fips[0] for key, fips in seen.items() if len(fips) == 1}
        self.county_all = {key: tuple(fips) for key, fips in seen.items()}

    def _load_city_states(self) -> None:
        """Folded city name -> the states that have a city or acceptable city of that name."""
        states: dict[str, set[str]] = {}
        for state, key in self._cities:
            states.setdefault(key, set()).add(state)
        for town in self._ct_towns:
            states.setdefault(town, set()).add("CT")
        # Tuples of strings, not sets: the collector stops tracking them, so a build's garbage
        # collections do not walk 40,000 more containers.
        self.city_states = {key: tuple(sorted(value)) for key, value in states.items()}

    def _load_metros(self) -> None:
        """Index every CBSA by its first principal city and by its runs of principal cities
        ("Dallas-Fort Worth-Arlington, TX": dallas, dallasfortworth, dallasfortwortharlington),
        and every combined statistical area the same way ("Greensboro--Winston-Salem--High
        Point"). A metro area wins over a micro area of the same name (Las Vegas, NV over Las
        Vegas, NM), a CBSA over a CSA; two of the same rank (Portland, ME and Portland, OR)
        make the name ambiguous (None). ``metros_by_state`` keeps the per-state entries."""
        areas = {row["cbsa_code"]: row for row in self._rows("cbsa_areas.csv")}
        by_cbsa: dict[str, tuple[str, list[str]]] = {}
        for county in self.counties.values():
            if county.cbsa_code and county.cbsa_title:
                by_cbsa.setdefault(county.cbsa_code, (county.cbsa_title, []))[1].append(county.fips)
        index: dict[str, Metro | None] = {}
        rank: dict[str, int] = {}
        by_state: dict[tuple[str, str], Metro] = {}

        def add(title: str, metro_code: str, level: int) -> None:
            cities_text, _, states_text = title.rpartition(", ")
            names = area_names(cities_text)
            state = states_text.split("-")[0].strip()
            if not names or state not in self.states:
                return
            fips = (
                self.city(state, names[0])
                or self.city(state, names[0].split("-")[0])
                or (self.city(state, "-".join(names[:2])) if len(names) > 1 else None)
            )
            metro = Metro(metro_code, state, fips)
            keys = ["".join(fold(n) for n in names[:size]) for size in range(1, len(names) + 1)]
            if "-" in names[0]:
                keys.append(fold(names[0].split("-")[0]))  # "Nashville-Davidson" -> Nashville
            for key in keys:
                by_state.setdefault((state, key), metro)
                if key not in index or level < rank[key]:
                    index[key], rank[key] = metro, level
                elif level == rank[key] and index[key] != metro:
                    index[key] = None

        csas: dict[str, tuple[str, str]] = {}
        for code, (title, _fips) in sorted(by_cbsa.items()):
            area = areas.get(code)
            add(title, code, 0 if area is None or area["kind"] == "metro" else 1)
            if area is not None and area["csa_title"]:
                csas.setdefault(area["csa_code"], (area["csa_title"].removesuffix(" CSA"), code))
        for _code, (title, cbsa_code) in sorted(csas.items()):
            add(title, cbsa_code, 2)
        self.metros = index
        self.metros_by_state = by_state

    def _load_facilities(self) -> None:
        """VA medical centers and clinics (names from VA's public facility list) with their
        state, and their county: from the ``city`` column (filled for the centers named after a
        person) or from a town that starts or ends the name."""
        for row in self._rows("va_facilities.csv"):
            state, name = row["state"], row["name"]
            city: str | None
            fips: str | None
            if row.get("city"):
                # Facilities named after a person carry their town in the table.
                city, fips = row["city"], self.city(state, row["city"])
            else:
                city, fips = self._facility_city(state, name)
            if city:
                # "Philadelphia VAMC": the state where VA has a facility in a town of that name.
                self.va_cities.setdefault(fold(city), {}).setdefault(state, fips)
            key = facility_key(name)
            if key in self.facilities and self.facilities[key].state != state:
                continue  # the same name in two states: keep the first, it is rarely used
            self.facilities[key] = Facility(state, fips, city)

    def _facility_city(self, state: str, name: str) -> tuple[str | None, str | None]:
        # "Central Alabama VA Medical Center-Tuskegee": the site after the dash wins.
        _head, dash, tail = name.rpartition("-")
        if dash and tail.strip() and self.city(state, tail.strip()):
            return tail.strip(), self.city(state, tail.strip())
        words = name.split()
        for size in (4, 3, 2, 1):
            # The city must be followed by the facility words, not by a middle initial
            # ("Dwight D. Eisenhower ..." is not in Dwight, Kansas).
            if len(words) > size and words[size].strip(".,").lower() in _FACILITY_NEXT:
                lead = " ".join(words[:size])
                fips = self.city(state, lead)
                if fips is not None:
                    return lead, fips
        return None, None

    def _fix_connecticut(self, records: list[dict[str, Any]]) -> None:
        """Give every CT ZIP its 2022 planning region instead of the old county."""
        anchors: list[tuple[float, float, str, str]] = []  # lat, lon, old county, region
        pending: list[tuple[str, float, float, str]] = []
        for rec in records:
            names = [rec["city"], *rec["acceptable_cities"]]
            region = next((self._ct_town_in(n) for n in names if self._ct_town_in(n)), None)
            lat, lon = _coord(rec["lat"]), _coord(rec["long"])
            old = fold(rec["county"])
            if region is not None:
                self.zips[rec["zip_code"]] = ZipInfo("CT", self.zips[rec["zip_code"]].city, region)
                if lat is not None and lon is not None:
                    anchors.append((lat, lon, old, region))
            elif lat is not None and lon is not None:
                pending.append((rec["zip_code"], lat, lon, old))
            else:
                self.zips[rec["zip_code"]] = ZipInfo("CT", self.zips[rec["zip_code"]].city, None)
        for zip_code, lat, lon, old in pending:
            same = [a for a in anchors if a[2] == old] or anchors
            best = min(same, key=lambda a: (a[0] - lat) ** 2 + ((a[1] - lon) * 0.75) ** 2)
            self.zips[zip_code] = ZipInfo("CT", self.zips[zip_code].city, best[3])

    def _ct_town_in(self, name: str) -> str | None:
        """Planning region of the CT town named by ``name`` or by a run of its words
        ("Storrs Mansfield" -> Mansfield, "Stafford Springs" -> Stafford), longest run first."""
        words = name.split()
        for size in range(len(words), 0, -1):
            for start in range(len(words) - size + 1):
                key = fold(" ".join(words[start : start + size]))
                if key in self._ct_towns:
                    return self._ct_towns[key]
        return None

    # ------------------------------------------------------------------ lookups
    def county_from_zipcodes_name(self, state: str, name: str) -> str | None:
        """FIPS for a county name as ``zipcodes`` spells it (old CT counties give None)."""
        if not name:
            return None
        key = fold(name)
        found = self._county_full.get((state, key))
        if found is not None:
            return found
        match = re.match(r"^(city and borough|municipality|borough|county) of (.+)$", name, re.I)
        if match:
            found = self._county_full.get((state, fold(f"{match.group(2)} {match.group(1)}")))
            if found is not None:
                return found
        return self._county_full.get((state, key + "county"))

    def county_by_name(self, state: str, name: str, *, kind: str | None = None) -> str | None:
        """FIPS of a county named in a posting ("Kalamazoo", "St. Louis city", "Orange")."""
        key = fold(name)
        if not key:
            return None
        if kind is not None:
            found = self._county_full.get((state, key + fold(kind)))
            if found is not None:
                return found
        found = self._county_full.get((state, key))
        if found is not None:
            return found
        return self._county_base.get((state, key))

    def city(self, state: str, name: str) -> str | None:
        """County FIPS of a city in a state (CT towns give their planning region)."""
        key = fold(name)
        if not key:
            return None
        if state == "CT" and key in self._ct_towns:
            return self._ct_towns[key]
        return self._cities.get((state, key))

    def city_name(self, state: str, name: str) -> str | None:
        """The USPS spelling of a known city, or None."""
        return self._city_names.get((state, fold(name)))

    def state(self, text: str) -> str | None:
        """USPS code for a state name or abbreviation in any case (``mich.`` and ``D.C.`` too)."""
        return self.state_keys.get(fold(text))


_FACILITY_NEXT = frozenset({"va", "vamc", "veterans", "veterans'", "department", "v.a", "community"})


def _coord(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@cache
def geo() -> Geo:
    """The shared, lazily built geography indexes."""
    return Geo()
