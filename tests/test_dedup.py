"""Cross-source clusters and canonical employers."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from db.archive import write_run
from db.build import build
from db.dedup import (
    DedupRecord,
    cluster_block,
    link_postings,
    match_pair,
    text_key,
    text_similarity,
    title_levels,
)
from db.derived import make_derivers
from db.employers import NameUse, canonical_employers
from db.stubs import extra_normalizer
from normalize.employers import (
    employer_key,
    fuzzy_same,
    initialisms,
    is_generic,
    short_form,
)

COMPLETE = {"listing_pages": 1, "requests": 1}
KALAMAZOO = {"state": "MI", "county": "Kalamazoo County", "county_fips": "26077",
             "cbsa_code": "28020", "region": "Midwest", "division": "East North Central"}
ADULT = (
    "Integrated Services of Kalamazoo is hiring a Peer Support Specialist for the Adult "
    "Outpatient team. The peer specialist uses lived experience of mental health recovery to "
    "build hope, models wellness tools, helps people write their own recovery plans, goes "
    "with them to appointments and benefits offices, and co-leads the WRAP group on Tuesday "
    "evenings. Requirements: Michigan Certified Peer Support Specialist (CPSS) or completion "
    "within six months of hire; a valid driver's license; high school diploma or GED. "
    "Pay $18.50 to $20.25 per hour, full time, with medical, dental and retirement."
)
YOUTH = (
    "Integrated Services of Kalamazoo is hiring a Peer Support Specialist for the Youth and "
    "Family Services team. Working with young adults aged 16 to 25 who are leaving foster "
    "care or residential treatment, the specialist plans weekly outings, coaches job search "
    "and school re-entry, and supports young people at court hearings and IEP meetings. "
    "Requirements: lived experience of the child welfare or mental health system as a young "
    "person, willingness to obtain Michigan youth peer support training, and evening "
    "availability. Pay $18.50 to $20.25 per hour, full time, with medical, dental and "
    "retirement."
)
AGGREGATOR_PREFIX = "Job Description\n\nSalary: $18.50 - $20.25 / hour\n\n"


def item(source: str, source_id: str, title: str, employer: str, text: str,
         hourly: float | None, location: str) -> dict[str, Any]:
    normalized = {"is_peer": 1, "role_family": "peer_support_mh",
                  "title_clean": "peer support specialist", "hourly_min": hourly,
                  "hourly_max": 20.25 if hourly else None, **KALAMAZOO}
    return {"source": source, "source_id": source_id, "title": title, "employer": employer,
            "location": location, "description": text, "extra": {"normalized": normalized}}


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """Two jobs at ISK with near-identical titles, each posted on the employer's own board
    (Integrated Services of Kalamazoo) and on a peer job board (which calls it "ISK", adds a
    salary header and cuts the text short), plus a peer-board-only copy of neither."""
    archive = tmp_path / "archive"
    own = [
        item("icims:isk", "4101", "Peer Support Specialist - Adult Outpatient",
             "Integrated Services of Kalamazoo", ADULT, 18.5, "US-MI-Kalamazoo"),
        item("icims:isk", "4102", "Peer Support Specialist - Youth & Family",
             "Integrated Services of Kalamazoo", YOUTH, 18.5, "US-MI-Kalamazoo"),
    ]
    board = [
        item("jsonld:mipeerjobs", "adult-17", "Peer Support Specialist (Adult Outpatient)",
             "ISK", AGGREGATOR_PREFIX + ADULT[:520], None, "Kalamazoo, MI 49007"),
        item("jsonld:mipeerjobs", "youth-18", "Peer Support Specialist, Youth and Family",
             "ISK", AGGREGATOR_PREFIX + YOUTH[:560], None, "Kalamazoo, MI"),
    ]
    write_run(archive, spider="icims", run_id="20260302T030000Z-icims",
              started_at="2026-03-02T03:00:00Z", items=own,
              boards={"icims:isk": {**COMPLETE, "items": 2, "employer":
                                    "Integrated Services of Kalamazoo", "state": "MI"}})
    write_run(archive, spider="jsonld", run_id="20260304T030000Z-jsonld",
              started_at="2026-03-04T03:00:00Z", items=board,
              boards={"jsonld:mipeerjobs": {**COMPLETE, "items": 2, "state": "MI"}})
    build(tmp_path / "data", archive, extra_normalizer, make_derivers())
    return tmp_path / "data" / "peerjobs.db"


def test_one_job_on_two_sources_is_one_cluster_and_two_jobs_are_two(database: Path) -> None:
    conn = sqlite3.connect(database)
    clusters = conn.execute(
        "select group_concat(source_id, ' ') from (select cluster_id, source_id from postings "
        "order by cluster_id, source_id) group by cluster_id order by 1").fetchall()
    assert clusters == [("4101 adult-17",), ("4102 youth-18",)]
    representatives = conn.execute(
        "select p.source_id, c.members, c.sources from clusters c "
        "join postings p on p.id = c.representative_id order by p.source_id").fetchall()
    assert representatives == [
        ("4101", 2, '["icims:isk", "jsonld:mipeerjobs"]'),
        ("4102", 2, '["icims:isk", "jsonld:mipeerjobs"]'),
    ]


def test_employer_variants_share_one_employer_id(database: Path) -> None:
    conn = sqlite3.connect(database)
    assert conn.execute("select count(distinct employer_id), count(*) from postings"
                        ).fetchone() == (1, 4)
    assert conn.execute("select name, states, variants, postings from employers").fetchall() \
        == [("Integrated Services of Kalamazoo", '["MI"]',
             '["Integrated Services of Kalamazoo", "ISK"]', 4)]
    assert conn.execute("select name, link from employer_names order by name").fetchall() == \
        [("ISK", "initialism"), ("Integrated Services of Kalamazoo", "key")]


def record(pid: int, source: str, title: str, **fields: Any) -> DedupRecord:
    values: dict[str, Any] = {
        "state": "MI", "is_peer": 1, "role_family": "peer_support_mh", "employer_id": 7,
        "county_fips": "26077", "hourly": 19.0, "active_from": "2026-03-02",
        "active_end": "2026-03-30", "first_seen": "2026-03-02T03:00:00Z"}
    values.update(fields)
    return DedupRecord(id=pid, source=source, title=title, **values)


TEXTS = {1: text_key(ADULT), 2: text_key(AGGREGATOR_PREFIX + ADULT[:520]), 3: text_key(YOUTH),
         4: None}


def test_text_similarity_survives_a_header_and_a_cut_but_not_another_job() -> None:
    adult, copy, youth = TEXTS[1], TEXTS[2], TEXTS[3]
    assert adult and copy and youth
    assert text_similarity(adult, copy) >= 85
    assert text_similarity(adult, youth) < 70
    assert text_key("Too short to compare.") is None


@pytest.mark.parametrize(("changes", "matched"), [
    ({}, True),
    ({"source": "icims:isk"}, False),  # one source never posts one job twice
    ({"county_fips": "26005"}, False),  # Allegan County, not Kalamazoo
    ({"county_fips": None}, True),  # county unknown on one side: the state decides
    ({"hourly": 24.0}, False),  # pay 26% apart
    ({"employer_id": 8}, False),
    ({"active_from": "2026-06-01", "active_end": "2026-06-30"}, False),  # 63 days apart
    ({"active_from": "2026-04-20", "active_end": "2026-05-20"}, True),  # 21 days apart
    ({"title": "Peer Recovery Coach"}, False),
    ({"pid": 3}, False),  # the youth job's text
    ({"pid": 4}, True),  # no text: the titles agree closely (token sort ratio 100)
    ({"pid": 4, "title": "Peer Support Specialist - Adult Outpatient Services"}, False),
    ({"levels": frozenset({"2"})}, True),  # a level on one side only: boards drop suffixes
])
def test_match_rules(changes: dict[str, Any], matched: bool) -> None:
    a = record(1, "icims:isk", "Peer Support Specialist Adult Outpatient")
    values = {"pid": 2, "source": "jsonld:mipeerjobs",
              "title": "Peer Support Specialist (Adult Outpatient)", **changes}
    b = record(**values)
    assert (match_pair(a, b, TEXTS.__getitem__) is not None) is matched


def test_titles_with_different_levels_are_different_jobs() -> None:
    assert title_levels("Peer Support Specialist II") == {"2"}
    assert title_levels("Peer Recovery Specialist I, Certified") == {"1"}
    assert title_levels("Sr. Peer Specialist - Level 3") == {"senior", "3"}
    assert title_levels("I-Team Peer Support Specialist (20 Hours)") == frozenset()
    a = record(1, "icims:isk", "Peer Support Specialist", levels=title_levels("PSS II"))
    b = record(2, "jsonld:mipeerjobs", "Peer Support Specialist", levels=title_levels("PSS I"))
    assert match_pair(a, b, TEXTS.__getitem__) is None


def test_a_cluster_never_holds_two_postings_of_one_source() -> None:
    a = record(1, "icims:isk", "Peer Support Specialist")
    b = record(2, "icims:isk", "Peer Support Specialist")
    c = record(4, "jsonld:mipeerjobs", "Peer Support Specialist")
    clusters = cluster_block([a, b, c], lambda pid: None)
    assert [[m.id for m in members] for members in clusters] == [[1, 4], [2]]


@pytest.mark.parametrize(("a", "b"), [
    ("Integrated Services of Kalamazoo, Inc.", "Integrated Services of Kalamazoo"),
    ("MHMR of Tarrant County", "Tarrant County MHMR"),
    ("Mental Health & Mental Retardation of Tarrant County", "MHMR of Tarrant County"),
    ("CMH of Central Michigan", "Community Mental Health for Central Michigan"),
    ("St. Joseph's BH Ctr, LLC", "Saint Josephs Behavioral Health Center"),
    ("Spectrum Health Systems Corp.", "Spectrum Health System"),
])
def test_names_with_the_same_key(a: str, b: str) -> None:
    assert employer_key(a) == employer_key(b)


def test_initialisms_and_generic_names() -> None:
    assert short_form("ISK") == "isk"
    assert short_form("CMHA-CEI") == "cmhacei"
    assert short_form("Isk") is None
    assert "isk" in initialisms("Integrated Services of Kalamazoo")
    assert "cmhacei" in initialisms(
        "Community Mental Health Authority of Clinton, Eaton and Ingham Counties")
    assert is_generic(employer_key("Family Services, Inc."))
    assert not is_generic(employer_key("Centerstone"))
    assert fuzzy_same("Intergrated Services of Kalamazoo", "Integrated Services of Kalamazoo")
    assert not fuzzy_same("District 10 Health Department", "District 4 Health Department")
    assert not fuzzy_same("North Central Behavioral Health", "South Central Behavioral Health")


def test_canonical_employers_link_only_on_evidence() -> None:
    uses = [
        NameUse("Integrated Services of Kalamazoo", "MI", 10, {"icims:isk"}),
        NameUse("ISK", "MI", 3, {"jsonld:mipeerjobs"}),
        NameUse("ISK", "TX", 2, {"jsonld:peerforce"}),  # another state: no evidence
        NameUse("Family Services", "PA", 2, {"a"}),
        NameUse("Family Services", "NY", 2, {"b"}),  # generic name: one per state
        NameUse("Centerstone", "TN", 9, {"workday:centerstone"}),
        NameUse("Centerstone of Indiana", "IN", 4, {"x"}),
        NameUse("Centerstone", "IN", 1, {"y"}),
        NameUse("Behavioral Healthcare, Inc. (BHI)", "CO", 5, {"applicantpro:bhi"}),
        NameUse("BHI", "CO", 1, {"z"}),
        NameUse("Community Health Network", "IN", 3, {"c"}),
        NameUse("CHN", "IN", 1, {"d"}),
        NameUse("Community Hospital North", "IN", 1, {"e"}),  # CHN is ambiguous here
    ]
    groups = sorted(sorted(e.variants) + sorted(e.states) for e in canonical_employers(uses))
    assert groups == sorted([
        ["ISK", "Integrated Services of Kalamazoo", "MI"],
        ["ISK", "TX"],
        ["Family Services", "PA"],
        ["Family Services", "NY"],
        ["Centerstone", "Centerstone of Indiana", "IN", "TN"],
        ["BHI", "Behavioral Healthcare, Inc. (BHI)", "CO"],
        ["Community Health Network", "IN"],
        ["CHN", "IN"],
        ["Community Hospital North", "IN"],
    ])


def test_the_narrow_copy_of_postings_lives_in_a_file_beside_the_database(database: Path) -> None:
    """Linking reads postings through ``dedup_input``, kept in a file of its own and deleted
    afterwards; a copy an older build left in the database itself is dropped, not read."""
    conn = sqlite3.connect(database)
    before = conn.execute("select * from clusters order by cluster_id").fetchall()
    as_of = conn.execute("select max(finished_at) from runs").fetchone()[0]
    conn.execute("create table dedup_input as select * from postings where 0")
    conn.commit()
    conn.close()
    db = Database(database)
    assert link_postings(db, as_of=as_of) == 0
    db.close()
    conn = sqlite3.connect(database)
    assert conn.execute("select * from clusters order by cluster_id").fetchall() == before
    assert conn.execute("select name from sqlite_master where name like 'dedup%'"
                        ).fetchall() == []
    # only the leftover's page is freed: the copy's pages never were in this file
    assert conn.execute("pragma freelist_count").fetchone() == (1,)
    conn.close()
    assert sorted(p.name for p in database.parent.iterdir()) == [
        ".peerjobs.build.lock", "peerjobs.db"]
