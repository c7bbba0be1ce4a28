"""Every normalized record says how it was decided (issue 12): the title match and the rule
behind it, where the place came from, and the sentence that decided the certification."""

from __future__ import annotations

from typing import Any

import pytest

from normalize.record import OUTPUT_FIELDS, normalize_record

CASES = [
    ({"title": "Certified Peer Recovery Specialist - Part Time", "location": "Kalamazoo, MI 49007",
      "description": "Duties include group facilitation. Must obtain MCBAP CPRC certification "
                     "within 6 months of hire."},
     {"title_match": "alias", "title_rule": None, "role_family": "recovery_coach_sud",
      "location_source": "zip", "state": "MI", "county_fips": "26077",
      "cert_requirement": "required_within", "cert_within_days": 180,
      "cert_evidence": "Must obtain MCBAP CPRC certification within 6 months of hire."}),
    ({"title": "Peer Specialist", "location": "Greater Boston Area",
      "description": "Lived experience of recovery required."},
     {"title_match": "alias", "title_rule": None, "role_family": "peer_support_mh",
      "location_source": "metro", "state": "MA", "county_fips": "25025",
      "cert_requirement": "none", "cert_within_days": None, "cert_evidence": None}),
    ({"title": "Recovery Coach", "location": "Brooklyn"},
     {"title_match": "alias", "title_rule": None, "role_family": "recovery_coach_sud",
      "location_source": "city", "state": "NY", "county_fips": "36047",
      "cert_requirement": "none", "cert_within_days": None, "cert_evidence": None}),
    ({"title": "Peer Support Specialist", "location": "Remote", "state_hint": "OH"},
     {"title_match": "alias", "title_rule": None, "role_family": "peer_support_mh",
      "location_source": "structured", "state": "OH", "county_fips": None,
      "cert_requirement": "none", "cert_within_days": None, "cert_evidence": None}),
    ({"title": "Peer Support Specialist", "location": "Franklin County, OH"},
     {"title_match": "alias", "title_rule": None, "role_family": "peer_support_mh",
      "location_source": "county", "state": "OH", "county_fips": "39049",
      "cert_requirement": "none", "cert_within_days": None, "cert_evidence": None}),
    ({"title": "Peer Suport Specalist", "location": "OH"},
     {"title_match": "fuzzy", "title_rule": None, "role_family": "peer_support_mh",
      "location_source": "state", "state": "OH", "county_fips": None,
      "cert_requirement": "none", "cert_within_days": None, "cert_evidence": None}),
    ({"title": "Registered Nurse", "location": "VA Palo Alto Health Care System"},
     {"title_match": "no_match", "title_rule": None, "role_family": None,
      "location_source": "facility", "state": "CA", "county_fips": "06085",
      "cert_requirement": "none", "cert_within_days": None, "cert_evidence": None}),
    ({"title": "Peer Review Coordinator"},
     {"title_match": "negative", "title_rule": "negative:peer_review", "role_family": None,
      "location_source": "none", "state": None, "county_fips": None,
      "cert_requirement": "none", "cert_within_days": None, "cert_evidence": None}),
]


@pytest.mark.parametrize(("record", "expected"), CASES,
                         ids=[case[0]["title"] for case in CASES])
def test_each_record_says_how_it_was_decided(record: dict[str, Any],
                                             expected: dict[str, Any]) -> None:
    result = normalize_record(record)
    assert {key: result[key] for key in expected} == expected


def test_the_provenance_fields_are_part_of_the_contract() -> None:
    assert {"title_match", "title_score", "title_rule", "location_source",
            "cert_evidence"} <= set(OUTPUT_FIELDS)
    assert set(normalize_record({})) == set(OUTPUT_FIELDS)


def test_evidence_is_one_sentence_cut_to_200_characters() -> None:
    sentence = ("Applicants must hold a current Certified Peer Specialist credential issued by the "
                "state certification board, and must keep it current for as long as they work "
                "in this position, renewing it every two years with forty hours of continuing "
                "education approved by the board.")
    result = normalize_record({"title": "Peer Specialist",
                               "description": f"Join our team.\n\n{sentence}"})
    assert result["cert_requirement"] == "required"
    assert result["cert_evidence"] == sentence[:200]


def test_prepare_freezes_the_built_indexes_without_changing_results() -> None:
    import gc

    from normalize.record import prepare

    posting = {"title": "Recovery Coach", "location": "Flint, MI",
               "description": "CPRC certification required within 6 months of hire."}
    before = normalize_record(posting)
    thresholds = gc.get_threshold()
    try:
        prepare()
        assert gc.get_freeze_count() > 10_000  # the geography and title indexes among them
        assert gc.get_threshold() == (50_000, 20, 100)
        assert normalize_record(posting) == before
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
