"""One-pass literal search (``OccurrenceScan``) and the trigger-anchored patterns built on it
give exactly what a ``str.find`` pass per word gives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize.taxonomy import load_taxonomy
from normalize.textutil import (
    OccurrenceScan,
    TriggeredPatterns,
    clean_text,
    find_all,
    light_text,
    literal_breaks,
)

WORDS = ["peer", "pee", "eer", "recovery", "in recovery", "lived", "lived experience", " ", "peer"]
ALPHABET = st.sampled_from(["peer", "pe", "er", "recovery", "in ", "lived", " ", "\n", "é", "x"])


def find_pass_occurrences(words: list[str], text: str) -> list[tuple[int, int]]:
    return sorted((k, i) for k, word in enumerate(words) for i in find_all(text, (word,)))


def test_occurrences_overlap_and_count_characters() -> None:
    scan = OccurrenceScan(["peer", "eer", "ee"])
    text = "é peers"
    assert sorted(scan.occurrences(text)) == [(0, 2), (1, 3), (2, 3)]


def test_a_repeated_word_and_words_inside_a_match_are_all_found() -> None:
    # the search reports "ab" at 0 and 2; the copy of "ab" and the "b" inside come from the table
    scan = OccurrenceScan(["ab", "ab", "b"])
    assert sorted(scan.occurrences("abab")) == [(0, 0), (0, 2), (1, 0), (1, 2), (2, 1), (2, 3)]


def test_ascii_texts_are_searched_as_bytes_with_the_same_word_numbers() -> None:
    # the non-ASCII word is left out of the bytes automaton: numbering stays the words'
    scan = OccurrenceScan(["café", "peer", "eer", "é"])
    assert sorted(scan.occurrences("a peer, a peer")) == [(1, 2), (1, 10), (2, 3), (2, 11)]
    assert sorted(scan.occurrences("café peer")) == [(0, 0), (1, 5), (2, 6), (3, 3)]
    assert scan.any_in("peer") is True
    assert scan.any_in("cafe") is False
    assert OccurrenceScan(["é"]).any_in("plain ascii") is False
    assert OccurrenceScan(["é"]).occurrences("plain ascii") == []


def test_an_empty_word_occurs_everywhere_as_str_find_finds_it() -> None:
    scan = OccurrenceScan(["", "b"])
    assert sorted(scan.occurrences("ab")) == [(0, 0), (0, 1), (0, 2), (1, 1)]
    assert scan.any_in("zzz") is True
    assert OccurrenceScan([]).any_in("abc") is False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ALPHABET, max_size=40))
def test_occurrences_equal_a_find_pass_per_word(parts: list[str]) -> None:
    text = "".join(parts)
    scan = OccurrenceScan(WORDS)
    assert sorted(scan.occurrences(text)) == find_pass_occurrences(WORDS, text)
    assert scan.any_in(text) == any(word in text for word in WORDS)


def find_pass_finditer(patterns: TriggeredPatterns, low: str) -> list[tuple[int, int, int]]:
    """The reading ``finditer`` replaced: item by item, a find pass per trigger, sorted by start."""
    out: list[tuple[int, int, int]] = []
    for idx, (trigger, _pattern, _before) in enumerate(patterns.items):
        for i in find_all(low, (trigger,)):
            span = patterns.match_at(idx, low, i)
            if span is not None:
                out.append((idx, span[0], span[1]))
    out.sort(key=lambda t: t[1])
    return out


LIVED = TriggeredPatterns([(p.trigger, p.pattern, p.before) for p in load_taxonomy().lived_experience])
PHRASES = [
    "lived experience", "must be in recovery", "2 years of recovery", "identify as", "self-identify as",
    "willing to disclose", "personal recovery story", "own experience", "in ", "recovery", " ", "\n",
    "consumer", "experience as a peer", "be in long-term recovery",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PHRASES), max_size=25))
def test_finditer_equals_a_find_pass_per_trigger(parts: list[str]) -> None:
    low = "".join(parts)
    assert LIVED.finditer(low) == find_pass_finditer(LIVED, low)


def test_finditer_orders_ties_by_item_then_position() -> None:
    patterns = TriggeredPatterns([("b", "b", None), ("a", "ab", None), ("ab", "ab", None)])
    # "ab" at 0: items 1 and 2 both start there; item 0 starts at 1
    assert patterns.finditer("ab") == [(1, 0, 2), (2, 0, 2), (0, 1, 2)]
    assert patterns.finditer("ab") == find_pass_finditer(patterns, "ab")


def test_literal_breaks_become_real_ones() -> None:
    text = "Duties:\\r\\nSupport peers\\nCPRS required \\\\n \\r end\\"
    assert literal_breaks(text) == "Duties:\nSupport peers\nCPRS required \\\n \\r end\\"
    assert light_text("a\\nb") == clean_text("a\\nb") == "a\nb"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["\\", "r", "n", "\n", "\r", "x", "\\r\\n", "\\n", " "]),
                max_size=20))
def test_literal_breaks_equal_the_two_replacements(parts: list[str]) -> None:
    text = "".join(parts)
    assert literal_breaks(text) == text.replace("\\r\\n", "\n").replace("\\n", "\n")
