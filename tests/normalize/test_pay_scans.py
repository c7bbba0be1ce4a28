"""The pay parser's fast scans find exactly what the plain regexes find: the figure pattern
(``_DIGITS``, its first digit outside the alternation) and the worded pay figures
(``_pay_figure`` over the starts ``_pay_figure_starts`` finds in one pass)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize import pay

#: ``_DIGITS`` as it was written before, the plain reading.
PLAIN_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")

FIGURE_PARTS = st.sampled_from(["1", "12", "123", "1234", ",", ",000", ".", ".5", " ", "$", "k", "٣"])
WORDED_PARTS = st.sampled_from([
    "pay", "Pay", "PAY", "rate", "sepa", "salary", "wages", "wage", "Compensation", "pre",
    " ", ": ", "_", "\n", ".", "18", "$", "é", "İ", "K", "x", "is ", "hourly ",
])


def test_figures_with_thousands_and_decimals() -> None:
    text = "From $1,234.50 to 2,000 or 17.25/hr; 12,34 and 1234,567"
    spans = [m.group(0) for m in pay._DIGITS.finditer(text)]
    assert spans == ["1,234.50", "2,000", "17.25", "12", "34", "1234", "567"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FIGURE_PARTS, max_size=30))
def test_digits_equal_the_plain_pattern(parts: list[str]) -> None:
    text = "".join(parts)
    assert [m.span() for m in pay._DIGITS.finditer(text)] == [
        m.span() for m in PLAIN_DIGITS.finditer(text)
    ]


def test_figure_starts_skip_words_inside_words() -> None:
    text = "Separate duties. Pay rate: 18 per hour; prepay_rate 5"
    assert pay._pay_figure_starts(text) == [17, 21]
    match = pay._pay_figure(text, 0, pay._pay_figure_starts(text))
    assert match is not None and match.group(1) == "1"
    # a character that IGNORECASE folds onto an ASCII letter: no starts, the regex decides
    assert pay._pay_figure_starts("PAY 18 \u212a") is None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORDED_PARTS, max_size=30), st.integers(min_value=0, max_value=40))
def test_worded_figures_equal_the_regex_search(parts: list[str], position: int) -> None:
    text = "".join(parts)
    position = min(position, len(text))
    expected = pay._PAY_FIGURE.search(text, position)
    found = pay._pay_figure(text, position, pay._pay_figure_starts(text))
    assert (found.span(1) if found else None) == (expected.span(1) if expected else None)


GRADE_PARTS = st.sampled_from([
    "GS", "gs", "Gs", "WG", "es", "ES", "na", "AD", "gr", "-", " - ", " ", "/", "to", "–", "12",
    "7", "3A", "grade", "Grades", "pay ", "Salary ", "job ", "step", "Steps", ": ", "x", "_",
    "\n", "é", "ſ", "İ", "$18", "RESPONSIBILITIES",
])


def plain_blank_grades(text: str) -> str:
    return pay._GRADES.sub(lambda m: " " * len(m.group(0)), text)


def test_grades_are_blanked_where_they_start() -> None:
    text = "GS-0301-11/12, WG 10 to 12; pay grade: B12 - C14, step 3-5; SERVICES 12, pages-7"
    blanked = pay._blank_grades(text, text.lower())
    assert blanked == plain_blank_grades(text)
    # "GS-0301-11/12", "WG 10 to 12", "pay grade: B12 - C14" and "step 3-5" blanked
    assert blanked == " " * 13 + ", " + " " * 11 + "; " + " " * 20 + ", " + " " * 8 + (
        "; SERVICES 12, pages-7"
    )
    assert pay._blank_grades("No grade here", "no grade here") == "No grade here"


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(GRADE_PARTS, max_size=25))
def test_grades_blanked_equal_the_regex_sub(parts: list[str]) -> None:
    text = "".join(parts)
    assert pay._blank_grades(text, text.lower()) == plain_blank_grades(text)


MONEY_PARTS = st.sampled_from([
    "$", "USD", "US$", "US", "U", "S", "D", "UD", " ", "\n", "18", "1", ".50", "USA ", "pay ",
    "Up to ", "é", "&lt;", "&LT", "&nvlt;", "&#36;", "&#x3c;", "&amp;", "&", "lt", "#",
])


def test_money_starts_tried_at_dollars_and_us() -> None:
    text = "Up to USA wages: US 18, USD 19.50 or US$ 20, $ 21"
    found = []
    position = 0
    while (match := pay._money_start(text, position)) is not None:
        found.append(match.group(0))
        position = match.start() + 1
    assert found == ["USD 1", "US$ 2", "$ 2", "$ 2"]  # the "$" of "US$" starts one too
    assert pay._find_usd(text) == text.index("USD")
    assert pay._find_usd(text, text.index("USD") + 2) == -1
    assert pay._find_usd(text, text.index("USD") + 3) == text.index("USD")


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(MONEY_PARTS, max_size=25), st.integers(min_value=0, max_value=60))
def test_money_start_and_usd_equal_the_plain_searches(parts: list[str], position: int) -> None:
    text = "".join(parts)
    plain = pay._MONEY_START.search(text, position)
    fast = pay._money_start(text, position)
    assert (fast.span() if fast else None) == (plain.span() if plain else None)
    assert pay._find_usd(text) == text.find("USD")
    assert pay._find_usd(text, position) == text.find("USD", 0, position)
    tag = any(entity in text for entity in pay._TAG_ENTITIES)
    assert (pay._TAG_ENTITY.search(text) is not None) == tag


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" .5a\n", max_size=30))
def test_space_dot_search_equals_the_substring_test(text: str) -> None:
    assert (pay._SPACE_DOT.search(text) is not None) == (" ." in text)


CLAUSE_PARTS = st.sampled_from([
    "a", "18", ".", "!", "?", ";", "\n", "•", "|", " ", "\t", "\x1c", "\u2003", "$", ". ", "x.y",
])


def plain_clause_start(text: str, pos: int, limit: int) -> int:
    """``_clause_start`` as it read before: the last ``_CLAUSE_BREAK`` match from the left."""
    start = max(0, pos - limit)
    breaks = [m.end() for m in pay._CLAUSE_BREAK.finditer(text, start, pos)]
    return breaks[-1] if breaks else start


def test_clause_start_after_the_last_break_before_the_figure() -> None:
    text = "Pay: $18.50 per hour. Bonus | sign-on $500"
    assert pay._clause_start(text, text.index("$500")) == text.index("|") + 1
    assert pay._clause_start(text, text.index("$18")) == 0  # "18.50": no blank after "."
    assert pay._clause_start(text, text.index(" Bonus")) == 0  # "." at the end: nothing after
    assert pay._clause_start(text, text.index("Bonus")) == text.index(". Bonus") + 1
    assert pay._clause_start(text, text.index("$500"), 8) == text.index("$500") - 8


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CLAUSE_PARTS, max_size=25), st.integers(0, 70), st.integers(0, 90))
def test_clause_start_equals_the_last_regex_match(parts: list[str], pos: int, limit: int) -> None:
    text = "".join(parts)
    assert pay._clause_start(text, pos, limit) == plain_clause_start(text, pos, limit)


def test_a_run_of_figures_groups_as_before() -> None:
    # the period after a figure is read once, whether it ends a range or starts the next group
    # (the groups the previous reading gave)
    window = "Pay: $18 - $22 per hour, 40 hours, $500 bonus (ref 6.2) then $19/hr 2024"
    groups = pay._groups(window, mode="description")
    assert [(g.low, g.high, g.period, g.excluded) for g in groups] == [
        (18.0, 22.0, "hour", False), (500.0, 500.0, None, True), (19.0, 19.0, "hour", True),
    ]


def test_runs_of_spaces_collapse_to_one() -> None:
    assert pay._clean("Pay:  $18  -   $22 per  hour ", 400) == "Pay: $18 - $22 per hour"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="a $ ", max_size=30))
def test_space_run_substitution_equals_halving_the_runs(text: str) -> None:
    halved = text
    while "  " in halved:
        halved = halved.replace("  ", " ")
    assert pay._SPACE_RUN.sub(" ", text) == halved
