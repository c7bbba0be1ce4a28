"""Keyword APIs (USAJOBS) query every peer title variant of the taxonomy."""

from __future__ import annotations

from normalize.taxonomy import load_taxonomy, peer_search_terms


def test_search_terms_cover_every_unambiguous_title_once() -> None:
    terms = peer_search_terms()
    folded = [t.casefold() for t in terms]
    assert len(folded) == len(set(folded))
    assert folded == sorted(folded)
    for entry in load_taxonomy().entries():
        if not entry.ambiguous:
            assert entry.canonical.casefold() in folded
            assert all(alias.casefold() in folded for alias in entry.aliases)
    assert {"peer support specialist", "recovery coach", "family peer advocate",
            "youth peer advocate", "forensic peer specialist", "veteran peer specialist",
            "peer bridger"} <= set(folded)


def test_ambiguous_titles_are_not_search_terms() -> None:
    ambiguous = [e.canonical.casefold() for e in load_taxonomy().entries() if e.ambiguous]
    assert ambiguous, "the taxonomy marks some titles ambiguous"
    assert not set(ambiguous) & {t.casefold() for t in peer_search_terms()}
