"""Tests for normalize.location: every location form, CT, independent cities, remote, properties."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize.geo import geo
from normalize.location import PRECISIONS, SOURCES, Place, resolve_location

Expected = tuple[Any, ...]

# (text, keyword arguments, (state, county, county_fips, cbsa_code, cbsa_title, region, division,
#                             remote, city, other_locations, precision))
CASES: list[tuple[str, dict[str, Any], Expected]] = [
    (
        "Kalamazoo, MI 49007",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "zip",
        ),
    ),
    (
        "Kalamazoo, MI",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "city",
        ),
    ),
    (
        "Kalamazoo, Michigan",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "city",
        ),
    ),
    (
        "Kalamazoo, Michigan, United States",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "city",
        ),
    ),
    (
        "Kalamazoo, MI, USA",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "city",
        ),
    ),
    (
        "US-MI-Kalamazoo",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "city",
        ),
    ),
    (
        "US, OR, Beaverton",
        {},
        (
            "OR",
            "Washington County",
            "41067",
            "38900",
            "Portland-Vancouver-Hillsboro, OR-WA",
            "West",
            "Pacific",
            False,
            "Beaverton",
            (),
            "city",
        ),
    ),
    (
        "US, CA, San Jose, Rio Robles",
        {},
        (
            "CA",
            "Santa Clara County",
            "06085",
            "41940",
            "San Jose-Sunnyvale-Santa Clara, CA",
            "West",
            "Pacific",
            False,
            "San Jose",
            (),
            "city",
        ),
    ),
    (
        "Main 499 - Floresville, TX 78114",
        {},
        (
            "TX",
            "Wilson County",
            "48493",
            "41700",
            "San Antonio-New Braunfels, TX",
            "South",
            "West South Central",
            False,
            "Floresville",
            (),
            "zip",
        ),
    ),
    (
        "49007",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "zip",
        ),
    ),
    (
        "49007-1234",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "zip",
        ),
    ),
    (
        "Kalamazoo County, MI",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            None,
            (),
            "county",
        ),
    ),
    (
        "County of Sacramento, CA",
        {},
        (
            "CA",
            "Sacramento County",
            "06067",
            "40900",
            "Sacramento-Roseville-Folsom, CA",
            "West",
            "Pacific",
            False,
            None,
            (),
            "county",
        ),
    ),
    (
        "Kalamazoo Co., MI",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            None,
            (),
            "county",
        ),
    ),
    (
        "123 Main St, Gary, IN 46402",
        {},
        (
            "IN",
            "Lake County",
            "18089",
            "16980",
            "Chicago-Naperville-Elgin, IL-IN",
            "Midwest",
            "East North Central",
            False,
            "Gary",
            (),
            "zip",
        ),
    ),
    ("Remote", {}, (None, None, None, None, None, None, None, True, None, (), "remote")),
    (
        "Remote - Michigan",
        {},
        ("MI", None, None, None, None, "Midwest", "East North Central", True, None, (), "state"),
    ),
    ("Remote (US)", {}, (None, None, None, None, None, None, None, True, None, (), "remote")),
    ("Remote, US", {}, (None, None, None, None, None, None, None, True, None, (), "remote")),
    (
        "Hybrid - Denver, CO",
        {},
        (
            "CO",
            "Denver County",
            "08031",
            "19740",
            "Denver-Aurora-Centennial, CO",
            "West",
            "Mountain",
            False,
            "Denver",
            (),
            "city",
        ),
    ),
    ("Telecommute", {}, (None, None, None, None, None, None, None, True, None, (), "remote")),
    (
        "Statewide",
        {"state_hint": "MD"},
        ("MD", None, None, None, None, "South", "South Atlantic", False, None, (), "state"),
    ),
    (
        "Kalamazoo, MI; Portage, MI",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            ("Portage, MI",),
            "city",
        ),
    ),
    (
        "2 Locations",
        {"others": ["US, OR, Beaverton", "US, WA, Camas"]},
        (
            "OR",
            "Washington County",
            "41067",
            "38900",
            "Portland-Vancouver-Hillsboro, OR-WA",
            "West",
            "Pacific",
            False,
            "Beaverton",
            ("US, WA, Camas",),
            "city",
        ),
    ),
    ("2 Locations", {}, (None, None, None, None, None, None, None, False, None, (), None)),
    (
        "michigan",
        {},
        ("MI", None, None, None, None, "Midwest", "East North Central", False, None, (), "state"),
    ),
    (
        "KALAMAZOO, MI",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "city",
        ),
    ),
    (
        "kalamazoo, mi",
        {},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "city",
        ),
    ),
    (
        "Hartford, CT",
        {},
        (
            "CT",
            "Capitol Planning Region",
            "09110",
            "25540",
            "Hartford-West Hartford-East Hartford, CT",
            "Northeast",
            "New England",
            False,
            "Hartford",
            (),
            "city",
        ),
    ),
    (
        "New Haven, Connecticut",
        {},
        (
            "CT",
            "South Central Connecticut Planning Region",
            "09170",
            "35300",
            "New Haven, CT",
            "Northeast",
            "New England",
            False,
            "New Haven",
            (),
            "city",
        ),
    ),
    (
        "Storrs, CT",
        {},
        (
            "CT",
            "Capitol Planning Region",
            "09110",
            "25540",
            "Hartford-West Hartford-East Hartford, CT",
            "Northeast",
            "New England",
            False,
            "Storrs",
            (),
            "city",
        ),
    ),
    (
        "06226",
        {},
        (
            "CT",
            "Southeastern Connecticut Planning Region",
            "09180",
            "35980",
            "Norwich-New London-Willimantic, CT",
            "Northeast",
            "New England",
            False,
            "Willimantic",
            (),
            "zip",
        ),
    ),
    (
        "Richmond, VA",
        {},
        (
            "VA",
            "Richmond city",
            "51760",
            "40060",
            "Richmond, VA",
            "South",
            "South Atlantic",
            False,
            "Richmond",
            (),
            "city",
        ),
    ),
    (
        "Richmond city, VA",
        {},
        (
            "VA",
            "Richmond city",
            "51760",
            "40060",
            "Richmond, VA",
            "South",
            "South Atlantic",
            False,
            "Richmond",
            (),
            "city",
        ),
    ),
    (
        "Baltimore, MD",
        {},
        (
            "MD",
            "Baltimore city",
            "24510",
            "12580",
            "Baltimore-Columbia-Towson, MD",
            "South",
            "South Atlantic",
            False,
            "Baltimore",
            (),
            "city",
        ),
    ),
    (
        "Baltimore County, MD",
        {},
        (
            "MD",
            "Baltimore County",
            "24005",
            "12580",
            "Baltimore-Columbia-Towson, MD",
            "South",
            "South Atlantic",
            False,
            None,
            (),
            "county",
        ),
    ),
    (
        "St. Louis, MO",
        {},
        (
            "MO",
            "St. Louis city",
            "29510",
            "41180",
            "St. Louis, MO-IL",
            "Midwest",
            "West North Central",
            False,
            "Saint Louis",
            (),
            "city",
        ),
    ),
    (
        "Saint Louis County, MO",
        {},
        (
            "MO",
            "St. Louis County",
            "29189",
            "41180",
            "St. Louis, MO-IL",
            "Midwest",
            "West North Central",
            False,
            None,
            (),
            "county",
        ),
    ),
    (
        "Las Cruces, NM",
        {},
        (
            "NM",
            "Doña Ana County",
            "35013",
            "29740",
            "Las Cruces, NM",
            "West",
            "Mountain",
            False,
            "Las Cruces",
            (),
            "city",
        ),
    ),
    (
        "Dona Ana County, NM",
        {},
        (
            "NM",
            "Doña Ana County",
            "35013",
            "29740",
            "Las Cruces, NM",
            "West",
            "Mountain",
            False,
            None,
            (),
            "county",
        ),
    ),
    (
        "Doña Ana County, New Mexico",
        {},
        (
            "NM",
            "Doña Ana County",
            "35013",
            "29740",
            "Las Cruces, NM",
            "West",
            "Mountain",
            False,
            None,
            (),
            "county",
        ),
    ),
    (
        "Main Campus",
        {"state_hint": "MI"},
        ("MI", None, None, None, None, "Midwest", "East North Central", False, None, (), "state"),
    ),
    (
        "Kalamazoo",
        {"state_hint": "MI"},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Kalamazoo",
            (),
            "city",
        ),
    ),
    ("Kalamazoo", {}, (None, None, None, None, None, None, None, False, None, (), None)),
    (
        "Remote",
        {"state_hint": "MI"},
        ("MI", None, None, None, None, "Midwest", "East North Central", True, None, (), "state"),
    ),
    (
        "Remote (US)",
        {"state_hint": "MI"},
        (None, None, None, None, None, None, None, True, None, (), "remote"),
    ),
    (
        "Portage, MI",
        {"state_hint": "IN"},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            False,
            "Portage",
            (),
            "city",
        ),
    ),
    ("Remote, Italy", {}, (None, None, None, None, None, None, None, True, None, (), "remote")),
    ("Montreal, QC, Canada", {}, (None, None, None, None, None, None, None, False, None, (), None)),
    (
        "Location not specified",
        {},
        (None, None, None, None, None, None, None, False, None, (), None),
    ),
    (
        "Kalamazoo, MI",
        {"remote_hint": True},
        (
            "MI",
            "Kalamazoo County",
            "26077",
            "28020",
            "Kalamazoo-Portage, MI",
            "Midwest",
            "East North Central",
            True,
            "Kalamazoo",
            (),
            "city",
        ),
    ),
    (
        "Washington, DC",
        {},
        (
            "DC",
            "District of Columbia",
            "11001",
            "47900",
            "Washington-Arlington-Alexandria, DC-VA-MD-WV",
            "South",
            "South Atlantic",
            False,
            "Washington",
            (),
            "city",
        ),
    ),
    (
        "Washington, D.C.",
        {},
        (
            "DC",
            "District of Columbia",
            "11001",
            "47900",
            "Washington-Arlington-Alexandria, DC-VA-MD-WV",
            "South",
            "South Atlantic",
            False,
            "Washington",
            (),
            "city",
        ),
    ),
    (
        "New York, NY",
        {},
        (
            "NY",
            "New York County",
            "36061",
            "35620",
            "New York-Newark-Jersey City, NY-NJ",
            "Northeast",
            "Middle Atlantic",
            False,
            "New York",
            (),
            "city",
        ),
    ),
    (
        "Queens, NY",
        {},
        (
            "NY",
            "Queens County",
            "36081",
            "35620",
            "New York-Newark-Jersey City, NY-NJ",
            "Northeast",
            "Middle Atlantic",
            False,
            "Queens",
            (),
            "city",
        ),
    ),
    (
        "Anchorage, AK",
        {},
        (
            "AK",
            "Anchorage Municipality",
            "02020",
            "11260",
            "Anchorage, AK",
            "West",
            "Pacific",
            False,
            "Anchorage",
            (),
            "city",
        ),
    ),
    (
        "Juneau, Alaska",
        {},
        (
            "AK",
            "Juneau City and Borough",
            "02110",
            "27940",
            "Juneau, AK",
            "West",
            "Pacific",
            False,
            "Juneau",
            (),
            "city",
        ),
    ),
    (
        "Indiana, PA",
        {},
        (
            "PA",
            "Indiana County",
            "42063",
            "26860",
            "Indiana, PA",
            "Northeast",
            "Middle Atlantic",
            False,
            "Indiana",
            (),
            "city",
        ),
    ),
    (
        "Wyoming, MI",
        {},
        (
            "MI",
            "Kent County",
            "26081",
            "24340",
            "Grand Rapids-Wyoming-Kentwood, MI",
            "Midwest",
            "East North Central",
            False,
            "Wyoming",
            (),
            "city",
        ),
    ),
    (
        "Kansas City, MO",
        {},
        (
            "MO",
            "Jackson County",
            "29095",
            "28140",
            "Kansas City, MO-KS",
            "Midwest",
            "West North Central",
            False,
            "Kansas City",
            (),
            "city",
        ),
    ),
    (
        "HARTFORD, Conn.",
        {},
        (
            "CT",
            "Capitol Planning Region",
            "09110",
            "25540",
            "Hartford-West Hartford-East Hartford, CT",
            "Northeast",
            "New England",
            False,
            "Hartford",
            (),
            "city",
        ),
    ),
    (
        "Ft. Worth, TX",
        {},
        (
            "TX",
            "Tarrant County",
            "48439",
            "19100",
            "Dallas-Fort Worth-Arlington, TX",
            "South",
            "West South Central",
            False,
            "Fort Worth",
            (),
            "city",
        ),
    ),
    (
        "Fort Worth, Texas",
        {},
        (
            "TX",
            "Tarrant County",
            "48439",
            "19100",
            "Dallas-Fort Worth-Arlington, TX",
            "South",
            "West South Central",
            False,
            "Fort Worth",
            (),
            "city",
        ),
    ),
    (
        "Mt. Pleasant, MI",
        {},
        (
            "MI",
            "Isabella County",
            "26073",
            "34380",
            "Mount Pleasant, MI",
            "Midwest",
            "East North Central",
            False,
            "Mount Pleasant",
            (),
            "city",
        ),
    ),
    (
        "San Juan, PR",
        {},
        (
            "PR",
            "San Juan Municipio",
            "72127",
            "41980",
            "San Juan-Bayamón-Caguas, PR",
            None,
            None,
            False,
            "San Juan",
            (),
            "city",
        ),
    ),
    (
        "Orange County",
        {"state_hint": "CA"},
        (
            "CA",
            "Orange County",
            "06059",
            "31080",
            "Los Angeles-Long Beach-Anaheim, CA",
            "West",
            "Pacific",
            False,
            None,
            (),
            "county",
        ),
    ),
    (
        "Hartford",
        {"state_hint": "CT"},
        (
            "CT",
            "Capitol Planning Region",
            "09110",
            "25540",
            "Hartford-West Hartford-East Hartford, CT",
            "Northeast",
            "New England",
            False,
            "Hartford",
            (),
            "city",
        ),
    ),
    (
        "Bridgeport, CT 06604",
        {},
        (
            "CT",
            "Greater Bridgeport Planning Region",
            "09120",
            "14860",
            "Bridgeport-Stamford-Danbury, CT",
            "Northeast",
            "New England",
            False,
            "Bridgeport",
            (),
            "zip",
        ),
    ),
    (
        "Portland, or",
        {},
        (
            "OR",
            "Multnomah County",
            "41051",
            "38900",
            "Portland-Vancouver-Hillsboro, OR-WA",
            "West",
            "Pacific",
            False,
            "Portland",
            (),
            "city",
        ),
    ),
    (
        "Oroville / Chico Area, CA",
        {},
        (
            "CA",
            "Butte County",
            "06007",
            "17020",
            "Chico, CA",
            "West",
            "Pacific",
            False,
            "Oroville",
            ("Chico Area, CA",),
            "city",
        ),
    ),
]


def as_tuple(place: Place) -> Expected:
    return (
        place.state,
        place.county,
        place.county_fips,
        place.cbsa_code,
        place.cbsa_title,
        place.region,
        place.division,
        place.remote,
        place.city,
        place.other_locations,
        place.precision,
    )


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"), CASES, ids=[f"{c[0]}|{sorted(c[1])}" for c in CASES]
)
def test_resolve_location(text: str, kwargs: dict[str, Any], expected: Expected) -> None:
    assert as_tuple(resolve_location(text, **kwargs)) == expected


@pytest.mark.parametrize(
    ("text", "kwargs", "state", "fips", "others"),
    [
        ("USA - Michigan - Detroit", {}, "MI", "26163", ()),
        ("Detroit - MI", {}, "MI", "26163", ()),
        ("Ypsilanti, MI (Washtenaw County)", {}, "MI", "26161", ()),
        ("Battle Creek and Kalamazoo, MI", {}, "MI", "26025", ("Kalamazoo, MI",)),
        ("Town and Country, MO", {}, "MO", "29189", ()),
        ("Kalamazoo/Portage, MI", {}, "MI", "26077", ("Portage, MI",)),
        ("Greater Boston Area", {"state_hint": "MA"}, "MA", "25025", ()),
        ("Traverse City Campus", {"state_hint": "MI"}, "MI", "26055", ()),
        ("Remote (Ohio residents only)", {}, "OH", None, ()),
        ("Sault Ste. Marie, MI", {}, "MI", "26033", ()),
        ("Coeur d'Alene, ID", {}, "ID", "16055", ()),
        ("Winston-Salem, NC", {}, "NC", "37067", ()),
        ("Staten Island, NY", {}, "NY", "36085", ()),
        ("Manhattan, NY", {}, "NY", "36061", ()),
    ],
)
def test_more_location_shapes(
    text: str, kwargs: dict[str, Any], state: str, fips: str | None, others: tuple[str, ...]
) -> None:
    place = resolve_location(text, **kwargs)
    assert (place.state, place.county_fips, place.other_locations) == (state, fips, others)


def test_connecticut_towns_map_to_planning_regions() -> None:
    # Every CT result uses the 2022 planning regions that the 2023 CBSA file uses, never the
    # old counties 09001-09015 that zipcodes still names.
    for text, fips, cbsa in [
        ("Waterbury, CT", "09140", "47930"),
        ("Torrington, CT", "09160", "45860"),
        ("Putnam, CT", "09150", "39480"),
        ("Stafford Springs, CT", "09110", "25540"),  # village of Stafford (old Tolland County)
        ("Willimantic, CT", "09180", "35980"),  # village of Windham (old Windham County)
        ("Stamford, CT 06901", "09190", "14860"),
        ("Middletown, CT", "09130", "25540"),
    ]:
        place = resolve_location(text)
        assert (place.state, place.county_fips, place.cbsa_code) == ("CT", fips, cbsa), text
    assert all(
        zip_info.county_fips is None or zip_info.county_fips >= "09110"
        for zip_info in geo().zips.values()
        if zip_info.state == "CT"
    )


def test_independent_cities_and_same_named_counties() -> None:
    assert resolve_location("Richmond, VA").county_fips == "51760"
    assert resolve_location("Richmond County, VA").county_fips == "51159"
    assert resolve_location("Roanoke, VA").county_fips == "51770"
    assert resolve_location("Roanoke County, VA").county_fips == "51161"
    assert resolve_location("Baltimore City").county_fips is None  # no state and no hint
    assert resolve_location("Baltimore City", state_hint="MD").county_fips == "24510"
    assert resolve_location("St. Louis city, MO").county_fips == "29510"
    assert resolve_location("Carson City, NV").county_fips == "32510"


def test_state_hint_only_when_text_has_no_state() -> None:
    assert resolve_location("Columbus, OH", state_hint="GA").county_fips == "39049"
    assert resolve_location("Columbus", state_hint="GA").county_fips == "13215"
    assert resolve_location("Columbus", state_hint="Georgia").county_fips == "13215"
    assert resolve_location("Main Campus", state_hint="XX").state is None
    assert resolve_location("Toronto, Canada", state_hint="MI").state is None


def test_others_and_remote_hint() -> None:
    place = resolve_location("Multiple Locations", others=("Portage, MI", "Kalamazoo, MI"))
    assert (place.county_fips, place.city, place.other_locations) == (
        "26077",
        "Portage",
        ("Kalamazoo, MI",),
    )
    assert resolve_location("Denver, CO", others="Remote").remote is True
    assert resolve_location("Hybrid - Denver, CO", remote_hint=False).remote is False
    assert resolve_location(None, remote_hint=True) == Place(
        None, None, None, None, None, None, None, True, None, (), "remote"
    )


@pytest.mark.parametrize(
    "value", [None, "", "   ", "\x00\x01", "<br/>", 3.5, b"\xff\xfe", object()]
)
def test_unusable_inputs_give_an_empty_place(value: Any) -> None:
    assert resolve_location(value) == Place(
        None, None, None, None, None, None, None, False, None, (), None
    )


def test_numbers_where_strings_were_expected() -> None:
    assert resolve_location(49007).county_fips == "26077"  # type: ignore[arg-type]
    assert resolve_location(6103).county_fips == "09110"  # type: ignore[arg-type]  (06103 Hartford)


def test_html_and_unicode_are_cleaned() -> None:
    assert resolve_location("<b>Kalamazoo</b>,&nbsp;MI").county_fips == "26077"
    assert resolve_location("Kalamazoo,\u00a0MI\u200b").county_fips == "26077"


# ------------------------------------------------------------------ properties (never raise)
STATES = {info.abbr for info in geo().states.values()}
TOKENS = [
    *"abcXYZ ,;|-/()\n\t\x00é\u200b0123456789",
    "MI", "Kalamazoo", "Remote", "US", "County", "County of", "Co.", "CT", "Hartford", "Hybrid",
    "49007", "06103", "Statewide", "2 Locations", "New York", "St.", "Saint", "<b>", "&amp;",
]  # fmt: skip
LOCATIONISH = st.lists(st.sampled_from(TOKENS), max_size=12).map("".join)


def check_vocabulary(place: Place) -> None:
    assert isinstance(place, Place)
    assert place.state is None or place.state in STATES
    assert place.precision in (*PRECISIONS, None)
    assert place.source in SOURCES
    assert place.region in ("Northeast", "Midwest", "South", "West", None)
    assert isinstance(place.remote, bool)
    assert isinstance(place.other_locations, tuple)
    if place.county_fips is not None:
        assert re.fullmatch(r"\d{5}", place.county_fips)
        assert place.state is not None
        assert place.county_fips[:2] == geo().states[place.state].fips
        county = geo().counties[place.county_fips]
        assert (place.county, place.cbsa_code, place.cbsa_title) == (
            county.name,
            county.cbsa_code,
            county.cbsa_title,
        )
    else:
        assert (place.county, place.cbsa_code, place.cbsa_title) == (None, None, None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(st.none(), st.text(max_size=120), LOCATIONISH),
    others=st.lists(st.one_of(st.text(max_size=30), LOCATIONISH), max_size=3),
    remote_hint=st.one_of(st.none(), st.booleans()),
    state_hint=st.one_of(st.none(), st.text(max_size=12), st.sampled_from(sorted(STATES))),
)
def test_resolve_location_never_raises(
    text: str | None, others: list[str], remote_hint: bool | None, state_hint: str | None
) -> None:
    place = resolve_location(text, others=others, remote_hint=remote_hint, state_hint=state_hint)
    check_vocabulary(place)
    if remote_hint:
        assert place.remote is True


def test_huge_input_does_not_hang() -> None:
    check_vocabulary(resolve_location("Kalamazoo, MI; " * 100_000))
    check_vocabulary(resolve_location("x" * 1_000_000))


# ------------------------------------------------------------------ issue 12: classes of place text
# Every text below is a dev row of benchmarks/corpus/locations.jsonl (copied exactly); the expected
# values are the row's labels plus how the place was decided (Place.source).
# (class, text, keyword arguments, state, county_fips, remote, source)
CLASS_CASES: list[tuple[str, str, dict[str, Any], str | None, str | None, bool, str]] = [
    # New York City: boroughs, the usual abbreviations, with and without a state or an address.
    ("nyc", "NYC", {}, "NY", "36061", False, "city"),
    ("nyc", "New York City", {}, "NY", "36061", False, "city"),
    ("nyc", "NYC, NY", {}, "NY", "36061", False, "city"),
    ("nyc", "New York, NY", {}, "NY", "36061", False, "city"),
    ("nyc", "New York, NYC", {}, "NY", "36061", False, "city"),
    ("nyc", "Brooklyn, New York", {}, "NY", "36047", False, "city"),
    ("nyc", "Melville, NY NYC", {}, "NY", "36103", False, "city"),
    # Metro-area phrases: Greater X, X Metropolitan Area, hyphenated areas, nicknames.
    ("metro", "Greater Philadelphia", {}, "PA", "42101", False, "metro"),
    ("metro", "Greater Tampa Bay Area", {}, "FL", "12057", False, "metro"),
    ("metro", "Denver Metropolitan Area", {}, "CO", "08031", False, "metro"),
    ("metro", "Louisville Metropolitan Area", {}, "KY", "21111", False, "metro"),
    ("metro", "Las Vegas Metropolitan Area", {}, "NV", "32003", False, "metro"),
    ("metro", "New York City Metropolitan Area", {}, "NY", "36061", False, "metro"),
    ("metro", "Columbus, Ohio Metropolitan Area", {}, "OH", "39049", False, "city"),
    ("metro", "Greensboro--Winston-Salem--High Point Area", {}, "NC", "37081", False, "metro"),
    ("metro", "Raleigh-Durham-Chapel Hill Area (Hybrid)", {}, "NC", "37183", False, "metro"),
    ("metro", "Huntsville-Decatur-Albertville Area", {}, "AL", "01089", False, "metro"),
    ("metro", "Washington DC-Baltimore Area", {}, "DC", "11001", False, "state"),
    ("metro", "Metro Detroit, MI", {}, "MI", "26163", False, "metro"),
    ("metro", "Silicon Valley, CA", {}, "CA", "06085", False, "metro"),
    ("metro", "NYC Metro, NY", {}, "NY", "36061", False, "metro"),
    # Applicant-tracking prefixes and suffixes: US-ST-City, US, ST, City, USA after the state.
    ("ats", "US-IL-Chicago", {}, "IL", "17031", False, "city"),
    ("ats", "US-IL-Niles", {}, "IL", "17031", False, "city"),
    ("ats", "US, MA, Boston", {}, "MA", "25025", False, "city"),
    ("ats", "USA, WA, Seattle", {}, "WA", "53033", False, "city"),
    ("ats", "Chicago, IL, USA", {}, "IL", "17031", False, "city"),
    ("ats", "New York, New York, United States of America", {}, "NY", "36061", False, "city"),
    ("ats", "Eagan-Minnesota-United States of America", {}, "MN", "27037", False, "city"),
    ("ats", "Town of Bristol, Connecticut, United States", {}, "CT", "09140", False, "city"),
    ("ats", "Colorado, United States", {}, "CO", None, False, "state"),
    ("ats", "CO, United States", {}, "CO", None, False, "state"),
    # Several places in one string: the first place wins.
    ("list", "Irving, TX, Atlanta, GA, Moon Township, PA", {}, "TX", "48113", False, "city"),
    ("list", "Sterling, Wichita, Garden City, KS", {}, "KS", "20159", False, "city"),
    ("list", "Dallas, TX Tempe, AZ", {}, "TX", "48113", False, "city"),
    ("list", "Berwick, PA or Idaho Falls, ID", {}, "PA", "42037", False, "city"),
    ("list", "Renton or Bellevue, WA", {}, "WA", "53033", False, "city"),
    ("list", "Tampa, St. Petersburg, FL", {}, "FL", "12057", False, "city"),
    ("list", "Boston, NYC, Philadelphia", {}, "NY", "36061", False, "city"),
    ("list", "Remote in USA</br>Stafford, VA", {}, "VA", "51179", True, "city"),
    # County-only strings (with a state, or with the board's state).
    ("county", "Sacramento County, CA", {}, "CA", "06067", False, "county"),
    ("county", "Essex County, MA", {}, "MA", "25009", False, "county"),
    ("county", "Montgomery County, MD", {}, "MD", "24031", False, "county"),
    ("county", "Nassau County, NY", {}, "NY", "36059", False, "county"),
    ("county", "Wake County, NC", {}, "NC", "37183", False, "county"),
    ("county", "County of Glenn", {"state_hint": "CA"}, "CA", "06021", False, "county"),
    ("county", "Orange County", {"state_hint": "CA"}, "CA", "06059", False, "structured"),
    # "City, ST or Remote" and other remote options beside a place.
    ("or remote", "Washington DC or Remote", {}, "DC", "11001", True, "state"),
    ("or remote", "Cary, NC Remote", {}, "NC", "37183", True, "city"),
    ("or remote", "Irvine, CA + Remote", {}, "CA", "06059", True, "city"),
    ("or remote", "McLean, VA (Remote Available)", {}, "VA", "51059", True, "city"),
    ("or remote", "Denver, CO; Remote", {}, "CO", "08031", True, "city"),
    # Remote notes with exclusion lists: an excluded state is never the place.
    (
        "exclusion",
        "This is a remote job except that it is not eligible to be performed in Colorado.",
        {}, None, None, True, "none",
    ),
    (
        "exclusion",
        "This role is remote eligible. We are hiring in all states except CO.",
        {}, None, None, True, "none",
    ),
    (
        "exclusion",
        "This position may be performed remotely anywhere within the United States except the "
        "State of Colorado.",
        {}, None, None, True, "none",
    ),
    # Facility names: VA medical centers (town in the name, after a dash, or in the table).
    ("facility", "Lyons VA Medical Center", {}, "NJ", "34035", False, "facility"),
    ("facility", "Richmond VA Medical Center", {}, "VA", "51760", False, "facility"),
    ("facility", "Togus VA Medical Center", {}, "ME", "23011", False, "facility"),
    ("facility", "Central Alabama VA Medical Center-Tuskegee", {}, "AL", "01087", False, "facility"),
    ("facility", "Palo Alto VA Medical Center-Livermore", {}, "CA", "06001", False, "facility"),
    (
        "facility",
        "Aleda E. Lutz Department of Veterans Affairs Medical Center",
        {}, "MI", "26145", False, "facility",
    ),
    ("facility", "Wooster Community Hospital, Wooster, OH, US", {}, "OH", "39169", False, "city"),
    # Islands and neighbourhoods.
    ("island", "Oahu, Hawaii", {}, "HI", "15003", False, "city"),
    ("island", "Island of Oahu", {}, "HI", "15003", False, "city"),
    ("island", "Merritt Island, FL", {}, "FL", "12009", False, "city"),
    ("neighbourhood", "Dorchester, Boston, MA", {}, "MA", "25025", False, "city"),
    ("neighbourhood", "La Jolla, San Diego, CA", {}, "CA", "06073", False, "city"),
    ("neighbourhood", "Iselin, Woodbridge Township, NJ", {}, "NJ", "34023", False, "city"),
    # No state in the text: no state (never a guess from a substring), and foreign places.
    ("no state", "Palo Alto", {}, None, None, False, "none"),
    ("no state", "Watertown", {}, None, None, False, "none"),
    ("no state", "Los Angeles, USA", {}, None, None, False, "none"),
    ("no state", "Bellevue, Chicago, San Francisco", {}, None, None, False, "none"),
    ("no state", "Seattle</br>US", {}, None, None, False, "none"),
    ("foreign", "Toronto, CA", {}, None, None, False, "none"),
    ("foreign", "Montreal, QC, Canada", {}, None, None, False, "none"),
    ("foreign", "Remote in Canada", {}, None, None, True, "none"),
    ("foreign", "Lebanon, USA", {}, None, None, False, "none"),
    # Towns whose names are also countries or common words.
    ("town", "Denmark, WI", {}, "WI", "55009", False, "city"),
    ("town", "Home, KS", {}, "KS", "20117", False, "city"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "text", "kwargs", "state", "fips", "remote", "source"),
    CLASS_CASES,
    ids=[f"{c[0]}:{c[1][:40]}" for c in CLASS_CASES],
)
def test_issue12_place_classes(
    kind: str,
    text: str,
    kwargs: dict[str, Any],
    state: str | None,
    fips: str | None,
    remote: bool,
    source: str,
) -> None:
    place = resolve_location(text, **kwargs)
    assert (place.state, place.county_fips, place.remote, place.source) == (
        state,
        fips,
        remote,
        source,
    )


def test_source_vocabulary_and_defaults() -> None:
    # The lead's location_source column takes exactly these values.
    assert SOURCES == ("structured", "zip", "city", "county", "metro", "facility", "state", "none")
    assert resolve_location("Kalamazoo, MI 49007").source == "zip"
    assert resolve_location("Kalamazoo", state_hint="MI").source == "structured"
    assert resolve_location("Michigan").source == "state"
    assert resolve_location("Remote").source == "none"
    assert resolve_location(None).source == "none"


def test_geo_indexes_are_built_once() -> None:
    g = geo()
    assert g is geo()
    assert g.county_unique["annearundelcounty"] == "24003"
    assert "orangecounty" not in g.county_unique  # several states have one
    assert g.metros["portland"] is None  # Portland, ME and Portland, OR
    assert g.metros["lasvegas"] is not None and g.metros["lasvegas"].state == "NV"  # metro > micro
