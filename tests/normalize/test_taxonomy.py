"""The taxonomy and credential YAML files: loading, validation and the files' own consistency."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from normalize.taxonomy import (
    FAMILY_CODES,
    TAXONOMY_PATH,
    TAXONOMY_VERSION,
    TaxonomyError,
    flatten,
    load_credentials,
    load_taxonomy,
    taxonomy_version,
)
from normalize.titles import classify_title

TAX = load_taxonomy()
CREDS = load_credentials()
LIVED = "Applicants must have lived experience of recovery from a mental health condition."

ALIASES = [
    pytest.param(alias, entry, id=f"{entry.family}:{alias}")
    for entry in TAX.entries()
    for alias in entry.aliases
]
NEGATIVE_EXAMPLES = [
    pytest.param(neg.name, example, id=f"{neg.name}:{example}")
    for neg in TAX.negatives
    for example in neg.examples
]


def test_default_taxonomy_is_loaded_once_and_versioned() -> None:
    assert load_taxonomy() is TAX
    assert load_taxonomy(TAXONOMY_PATH) is TAX
    raw = yaml.safe_load(TAXONOMY_PATH.read_text(encoding="utf-8"))
    assert TAX.version == raw["version"] == TAXONOMY_VERSION == taxonomy_version()
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", TAX.version)


def test_the_nine_families_are_present_once() -> None:
    assert sorted(TAX.family_codes) == sorted(FAMILY_CODES)
    assert len(FAMILY_CODES) == 9
    assert TAX.family("peer_navigator").label == "Peer navigators and bridgers"
    with pytest.raises(KeyError):
        TAX.family("peer_review")


@pytest.mark.parametrize(("alias", "entry"), ALIASES)
def test_every_alias_is_reachable_and_keeps_its_family(alias: str, entry: object) -> None:
    from normalize.taxonomy import TitleEntry

    assert isinstance(entry, TitleEntry)
    m = classify_title(alias, LIVED if entry.ambiguous else None)
    assert m.is_peer is True
    assert m.role_family == entry.family
    assert m.role_title == entry.canonical
    assert m.match == ("ambiguous_lived_experience" if entry.ambiguous else "alias")
    assert m.title_score == 100.0


@pytest.mark.parametrize(("alias", "entry"), ALIASES)
def test_no_alias_is_swallowed_by_a_negative(alias: str, entry: object) -> None:
    flat = flatten(alias)
    for neg in TAX.negatives:
        hit = re.search(neg.pattern, flat) and not (neg.unless and re.search(neg.unless, flat))
        assert not hit, f"alias {alias!r} matches negative {neg.name}"


@pytest.mark.parametrize(("name", "example"), NEGATIVE_EXAMPLES)
def test_every_negative_rejects_its_examples(name: str, example: str) -> None:
    neg = next(n for n in TAX.negatives if n.name == name)
    assert re.search(neg.pattern, flatten(example))
    m = classify_title(example, LIVED)
    assert m.is_peer is False
    assert m.role_family is None
    assert m.match in ("negative", "no_match")


def test_every_negative_has_examples_and_every_title_has_an_anchor_word() -> None:
    assert all(neg.examples for neg in TAX.negatives)
    generic = set(TAX.generic_words)
    for entry in TAX.entries():
        for alias in entry.aliases:
            assert set(alias.split()) - generic, f"{alias!r} has only generic words"


@pytest.mark.parametrize("acronym", [a.code for a in TAX.acronyms if not a.ambiguous])
def test_unambiguous_acronyms_expand_to_their_title(acronym: str) -> None:
    m = classify_title(acronym)
    assert m.is_peer is True
    assert m.match == "acronym"
    assert m.title_score == 100.0


def test_ambiguous_acronyms_alone_are_not_peer_titles() -> None:
    for code in ("CPS", "CPC", "CRM", "CFP", "FPA", "PSS"):
        assert classify_title(code).match == "no_match"


def test_family_precedence_names_every_keyword_family() -> None:
    with_keywords = {f.code for f in TAX.families if f.keywords}
    assert with_keywords <= set(TAX.family_precedence)
    assert TAX.family_precedence[0] == "peer_supervisor"


def test_lived_experience_patterns_start_with_their_trigger() -> None:
    for phrase in TAX.lived_experience:
        assert phrase.pattern.startswith(phrase.trigger.strip()[:3])
        re.compile(phrase.pattern)


def _write(tmp_path: Path, data: dict[str, object]) -> Path:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _raw() -> dict[str, object]:
    data = yaml.safe_load(TAXONOMY_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_a_custom_taxonomy_file_is_loaded_and_used(tmp_path: Path) -> None:
    data = _raw()
    data["version"] = "2099.1.1"
    families = data["families"]
    assert isinstance(families, list)
    other = next(f for f in families if f["code"] == "peer_other")
    other["titles"].append({"canonical": "Peer Chaplain", "aliases": ["peer chaplain"]})
    tax = load_taxonomy(_write(tmp_path, data))
    assert tax.version == "2099.1.1"
    m = classify_title("Peer Chaplain - Nights", taxonomy=tax)
    assert (m.is_peer, m.role_family, m.role_title, m.match) == (
        True, "peer_other", "Peer Chaplain", "alias"
    )
    assert classify_title("Peer Chaplain").role_title == "Other Peer Role"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=""), "version: expected a non-empty string"),
        (lambda d: d["families"][0].update(code="peer_review"), "unknown family code 'peer_review'"),
        (lambda d: d["families"].pop(), "families must be the nine codes"),
        (
            lambda d: d["families"][1]["titles"][0]["aliases"].append("peer support specialist"),
            "alias 'peer support specialist' is also an alias of peer_support_mh/Peer Support Specialist",
        ),
        (lambda d: d["negatives"][0].update(pattern="peer(review"), "invalid regex 'peer(review'"),
        (lambda d: d["acronyms"].update(ZZZ={"expansion": "zebra keeper"}),
         "expansion 'zebra keeper' is not an alias"),
        (lambda d: d.update(fuzzy_cutoff=10), "fuzzy_cutoff must be between 50 and 100"),
        (lambda d: d["lived_experience"][0].update(pattern="xyz"), "pattern must start with its trigger"),
    ],
)
def test_broken_taxonomy_files_are_refused_with_a_clear_message(
    tmp_path: Path, mutate: object, message: str
) -> None:
    data = _raw()
    assert callable(mutate)
    mutate(data)
    with pytest.raises(TaxonomyError, match=re.escape(message)):
        load_taxonomy(_write(tmp_path, data))


def test_missing_and_malformed_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: [unclosed", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(bad)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="top level must be a mapping"):
        load_taxonomy(bad)


def test_credentials_file_is_consistent() -> None:
    assert load_credentials() is CREDS
    codes = CREDS.codes
    for code in ("CPS", "CPSS", "NCCPSS", "CPRS", "OH-CPRS", "CPRC", "CPRC-A", "CRPA", "CRPA-P",
                 "CARC", "CRS", "CRSS", "MHPS", "RSPS", "PRSS", "NCPRSS", "CFP", "FPA", "YPA",
                 "NYCPS", "CPC", "PWS", "CPRM", "CRM", "CRPS", "CPFS", "CFSS", "CYAPSS", "CPPS",
                 "CYPS", "CFPS", "COAPS", "MCPSS", "IC&RC-PR", "MHA-NCPS", "VA-PEER"):
        assert code in codes
    cprs = next(c for c in CREDS.credentials if c.code == "CPRS")
    assert dict(cprs.state_codes) == {"OH": "OH-CPRS"}
    assert all(c.patterns == () or c.pattern_hints for c in CREDS.credentials)
    names = {g.name for g in CREDS.non_peer}
    assert "CPR / First Aid / BLS / ACLS" in names


def test_broken_credentials_file_is_refused(tmp_path: Path) -> None:
    from normalize.taxonomy import CREDENTIALS_PATH

    data = yaml.safe_load(CREDENTIALS_PATH.read_text(encoding="utf-8"))
    data["credentials"][0]["state_codes"] = {"OH": "NOPE"}
    path = tmp_path / "credentials.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(TaxonomyError, match="state_codes OH -> unknown code 'NOPE'"):
        load_credentials(path)
