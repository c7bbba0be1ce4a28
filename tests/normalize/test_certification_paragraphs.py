"""Paragraph by paragraph, through the paragraph cache, the certification reading equals the
reading of the whole text at once (``_Extractor._sentences``): texts with empty paragraphs,
breaks at either end, repeated paragraphs and postings that share paragraphs."""

from __future__ import annotations

import bisect

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize import certification as cert
from normalize.taxonomy import load_credentials, load_taxonomy

BY_PARAGRAPH = cert._Extractor(load_credentials(), load_taxonomy())
WHOLE = cert._Extractor(load_credentials(), load_taxonomy())
WHOLE._by_paragraph = False

PARAGRAPHS = st.sampled_from([
    "",
    "",
    "CPRS required.",
    "Peer certification preferred.",
    "Duties vary. CPRS preferred. Peer certification required. GED.",
    "CPRS. Nice team. Must hold peer certification.",
    "Minimum Qualifications:",
    "Certified Peer Recovery Specialist (CPRS) required.",
    "Must obtain CPRS certification within 6 months of hire.",
    "Preferred: lived experience of recovery.",
    "Valid driver's",
    "license required. High school diploma or GED.",
    "We value diversity.",
    "\n",
])


def reading(extractor: cert._Extractor, text: str) -> tuple[object, ...]:
    found = extractor.extract(text, "MI", "Peer Support Specialist")
    return (found, found.evidence)


def sentences(extractor: cert._Extractor, text: str) -> list[tuple[object, ...]]:
    """The trigger sentences as (start, end in the text, text, kinds, acronym offsets)."""
    return [
        (offset + s.start, offset + s.end, s.text, s.cert, s.acronyms, s.lived, s.edu, s.lic)
        for offset, stubs in extractor._sentences(text, text.lower())
        for s in stubs
    ]


def test_empty_paragraphs_and_outer_breaks_read_as_the_whole_text() -> None:
    # hits dealt out by offsets counted without the empty paragraphs would land 8 characters
    # late: in "Peer certification required." instead of "CPRS preferred."
    text = "\n\nAbout us:\n\n\n\n\n\n\n\nOK.\n\nCPRS preferred. Peer certification required.\n\n"
    found = BY_PARAGRAPH.extract(text, "MI", "Peer Support Specialist")
    assert (found.cert_requirement, found.credentials, found.evidence) == (
        "required", ("CPRS",), "Peer certification required.",
    )
    assert reading(BY_PARAGRAPH, text) == reading(WHOLE, text)
    assert sentences(BY_PARAGRAPH, text)[0][:5] == (
        24, 39, "cprs preferred.", True, (("CPRS", 0),)
    )
    assert sentences(BY_PARAGRAPH, text) == sentences(WHOLE, text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(PARAGRAPHS, max_size=12), min_size=1, max_size=4))
def test_by_paragraph_equals_the_whole_text(postings: list[list[str]]) -> None:
    # several postings in a row: later ones meet paragraphs the cache already holds
    for paragraphs in postings:
        text = "\n\n".join(paragraphs)
        assert sentences(BY_PARAGRAPH, text) == sentences(WHOLE, text)
        assert reading(BY_PARAGRAPH, text) == reading(WHOLE, text)


LINE_PARTS = st.sampled_from([
    "Minimum Qualifications", "PREFERRED", "Education", ":", " ", "-", "*", "•", "|", "#",
    "Support members in recovery and document every contact in the record", "x" * 30, "\t",
])


def test_prose_lines_and_blank_lines_open_no_section() -> None:
    prose = "Support members in recovery and document every contact in the record, daily."
    text = f"Requirements:\n\n{prose} {prose}\nREQUIRED QUALIFICATIONS\n{'x' * 50}: {prose}"
    lines = [(m, m + len(line)) for m, line in _line_spans(text)]
    assert [cert._never_section(text, a, b) for a, b in lines] == [
        False, True, True, False, True,
    ]
    assert [cert._line_section(text[a:b]) for a, b in lines] == ["req", None, None, "req", None]


def _line_spans(text: str) -> list[tuple[int, str]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, line))
        start += len(line) + 1
    return spans


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE_PARTS, max_size=12))
def test_a_line_told_without_a_copy_opens_no_section(parts: list[str]) -> None:
    line = "".join(parts)
    text = f"above\n{line}\nbelow"
    if cert._never_section(text, 6, 6 + len(line)):
        assert cert._line_section(line) is None


def test_a_paragraph_is_cached_from_its_second_sighting() -> None:
    extractor = cert._Extractor(load_credentials(), load_taxonomy())
    text = "Peer certification (CPRS) required."
    first = reading(extractor, text)
    assert extractor._paragraph_cache == {}  # seen once: only marked
    assert reading(extractor, text) == first
    assert list(extractor._paragraph_cache) == [text]
    cached = extractor._paragraph_cache[text]
    assert reading(extractor, text) == first == reading(WHOLE, text)
    assert extractor._paragraph_cache[text] is cached
    assert first[0] == cert.Certification("required", None, ("CPRS",), False, None, False)


def test_a_cached_paragraph_is_looked_up_only_while_marked() -> None:
    """After the marks start afresh, a cached paragraph is missed once (read again, the same
    scan), marked, and found in the cache at its next sighting."""
    extractor = cert._Extractor(load_credentials(), load_taxonomy())
    text = "Peer certification (CPRS) required."
    first = reading(extractor, text)
    assert reading(extractor, text) == first
    cached = extractor._paragraph_cache[text]
    extractor.forget_marks()  # the marks start afresh
    assert extractor._paragraph_scans([text], text, text.lower())[0] is not cached
    assert extractor._seen_marks == 1
    assert extractor._paragraph_scans([text], text, text.lower())[0] is cached
    assert reading(extractor, text) == first == reading(WHOLE, text)


def test_a_posting_of_new_paragraphs_is_read_whole_and_marked() -> None:
    extractor = cert._Extractor(load_credentials(), load_taxonomy())
    first, second, third = (
        "Peer certification (CPRS) required.", "Valid driver's license required.",
        "Lived experience of recovery preferred.",
    )
    text = f"{first}\n\n{second}"
    groups = extractor._sentences(text, text.lower())
    assert [offset for offset, _stubs in groups] == [0]  # one group: the whole text
    assert [(s.start, s.end, s.cert, s.lic) for s in groups[0][1]] == [
        (0, 35, True, False), (37, 69, False, True),
    ]
    assert extractor._paragraph_cache == {}
    assert extractor._seen_marks == 2
    # a posting with a marked paragraph the cache lacks is still read whole; the marked one,
    # seen a second time, is cached with the scan it has on its own, the new one marked
    text = f"{second}\n\n{third}"
    groups = extractor._sentences(text, text.lower())
    assert [offset for offset, _stubs in groups] == [0]
    assert list(extractor._paragraph_cache) == [second]
    assert scan_fields(extractor._paragraph_cache[second]) == scan_fields(alone(second))
    assert extractor._seen_marks == 3
    assert sentences(extractor, text) == sentences(WHOLE, text)
    assert reading(extractor, text) == reading(WHOLE, text)
    # the cache now knows half of this posting or more: it is read paragraph by paragraph
    text = f"{second}\n\n{third}"
    groups = extractor._sentences(text, text.lower())
    assert [offset for offset, _stubs in groups] == [0, 34]
    assert list(extractor._paragraph_cache) == [second, third]
    assert sentences(extractor, text) == sentences(WHOLE, text)


def test_a_posting_the_cache_knows_less_than_half_of_is_read_whole() -> None:
    extractor = cert._Extractor(load_credentials(), load_taxonomy())
    short, long = "CPRS required.", "Peer certification preferred. " * 3 + "Valid driver's license."
    for _sighting in range(2):
        extractor._sentences(short, short.lower())  # marked, then cached
    assert list(extractor._paragraph_cache) == [short]
    text = f"{short}\n\n{long}"
    groups = extractor._sentences(text, text.lower())
    assert [offset for offset, _stubs in groups] == [0]  # 14 of 131 characters known
    assert list(extractor._paragraph_cache) == [short]  # the long one only marked
    groups = extractor._sentences(text, text.lower())
    assert [offset for offset, _stubs in groups] == [0]  # still 14 known
    assert list(extractor._paragraph_cache) == [short, long]  # the long one, seen again
    groups = extractor._sentences(text, text.lower())
    assert [offset for offset, _stubs in groups] == [0, 16]  # all known: by paragraph
    assert sentences(extractor, text) == sentences(WHOLE, text)
    assert reading(extractor, text) == reading(WHOLE, text)


def scan_fields(scan: cert._BlockScan) -> tuple[object, ...]:
    return (scan.acronyms, scan.hits, scan.size, scan.licences, scan.driving, scan.undecided)


def alone(paragraph: str) -> cert._BlockScan:
    """The scan of ``paragraph`` read on its own."""
    low = paragraph.lower()
    return WHOLE._scan(low, WHOLE._triggers(paragraph, low))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PARAGRAPHS, min_size=1, max_size=8), st.integers(0, 7))
def test_a_scan_dealt_out_of_the_whole_text_is_the_paragraphs_own(
    paragraphs: list[str], index: int
) -> None:
    text = "\n\n".join(paragraphs)
    low = text.lower()
    found = WHOLE._triggers(text, low)
    start = 0
    for k, paragraph in enumerate(paragraphs):
        if paragraph and k == index % len(paragraphs):
            dealt = WHOLE._dealt(found, low, start, len(paragraph))
            own = alone(paragraph)
            if own is cert._NOTHING or not (own.hits or own.licences):
                assert dealt is cert._NOTHING or scan_fields(dealt) == scan_fields(own)
            else:
                assert scan_fields(dealt) == scan_fields(own)
        start += len(paragraph) + 2


def plain_clauses(text: str) -> list[int]:
    """Clause numbers as ``_Sentence.clauses`` read them before: breaks before each word."""
    text = text.replace("'", "")
    breaks = [m.start() for m in cert._CLAUSE_BREAK_RE.finditer(text)]
    return [bisect.bisect_right(breaks, m.start()) for m in cert._TOKEN_RE.finditer(text)]


CLAUSE_PARTS = st.sampled_from([
    "cprs", "required", "a", "&", "7402", " ", ",", ";", ":", "(", ")", "[", "]", " - ", "-",
    "'", "driver's", ".", "\n",
])


def test_clause_numbers_count_the_breaks_before_each_word() -> None:
    sentence = cert._Sentence(0, 0, "cprs (preferred), driver's license - required: yes")
    assert sentence.clauses == [0, 1, 3, 3, 4, 5]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CLAUSE_PARTS, max_size=30))
def test_clause_numbers_equal_the_breaks_before_each_word(parts: list[str]) -> None:
    text = "".join(parts)
    assert cert._Sentence(0, len(text), text).clauses == plain_clauses(text)


def test_paragraph_break_splits_runs_of_line_breaks_as_str_split() -> None:
    text = "a\n\n\nb\n\n\n\nc\n\n"
    assert cert._PARAGRAPH_BREAK.split(text) == ["a", "\nb", "", "c", ""]
    assert cert._PARAGRAPH_BREAK.split(text) == text.split("\n\n")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab\n\r ", max_size=40))
def test_paragraph_break_split_equals_str_split(text: str) -> None:
    assert cert._PARAGRAPH_BREAK.split(text) == text.split("\n\n")


WORD_PARTS = st.sampled_from([
    "cprs", "CPRS", "a", "&", "7402", " ", "'", "driver's", "-", ".", "\n", "\t", "\x1c", "é",
    "İ", "_", "z9", "\x7f",
])


def test_words_drop_apostrophes_and_split_at_everything_else() -> None:
    assert cert._words("driver's license & CPRS-required, 6 mo.") == [
        "drivers", "license", "&", "required", "6", "mo",
    ]
    assert cert._words("café crps") == ["caf", "crps"]  # not ASCII: the regex reads it


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(WORD_PARTS, max_size=25))
def test_words_equal_the_token_regex(parts: list[str]) -> None:
    text = "".join(parts)
    assert cert._words(text) == cert._TOKEN_RE.findall(text.replace("'", ""))


def plain_next_deadline(extractor: cert._Extractor, low: str, end: int) -> int | None:
    """``_next_deadline`` as it read before: the hint words looked for in a copy."""
    nxt = end
    while nxt < len(low) and low[nxt] in " \n\t":
        nxt += 1
    if nxt >= len(low):
        return None
    probe = low[nxt:nxt + 200]
    if "within" not in probe and "month" not in probe and " days" not in probe:
        return None
    s, e = extractor._span(low, nxt)
    return extractor._bare_deadline(low[s:e])


DEADLINE_PARTS = st.sampled_from([
    "cprs preferred. ", "must obtain certification ", "within ", "6 months", " of hire", ". ",
    "x" * 60, "\n", " days", "90", "month", "we are hiring. ",
])


def test_next_deadline_reads_the_hint_in_place() -> None:
    text = "cprs preferred. must obtain certification within 6 months of hire."
    assert BY_PARAGRAPH._next_deadline(text, 15) == 180
    far = "cprs preferred. must obtain certification " + "x" * 160 + " within 6 months."
    assert BY_PARAGRAPH._next_deadline(far, 15) is None  # "within" ends past 200 characters


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(DEADLINE_PARTS, max_size=10), st.integers(0, 40))
def test_next_deadline_equals_the_reading_of_a_copy(parts: list[str], end: int) -> None:
    low = "".join(parts)
    assert BY_PARAGRAPH._next_deadline(low, end) == plain_next_deadline(WHOLE, low, end)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["within", "month", " days", " day", "x", "x" * 50, " "]),
                max_size=12), st.integers(0, 60))
def test_deadline_hint_equals_the_substring_tests(parts: list[str], start: int) -> None:
    low = "".join(parts)
    probe = low[start:start + 200]
    plain = "within" in probe or "month" in probe or " days" in probe
    assert cert._deadline_hint(low, start) is plain


def test_deadline_hint_looks_200_characters_far() -> None:
    assert cert._deadline_hint("x" * 195 + "month", 0)  # ends at the 200th character
    assert not cert._deadline_hint("x" * 196 + "month", 0)
    assert cert._deadline_hint("ab" + "x" * 195 + "month", 2)
    assert not cert._deadline_hint("x" * 30 + " day", 0)
    assert cert._deadline_hint("x" * 30 + " days", 0)


def plain_span(low: str, pos: int) -> tuple[int, int]:
    """``_Extractor._span`` as it read before: a search of each two-character separator."""
    lo = max(0, pos - cert._MAX_SENTENCE)
    hi = min(len(low), pos + cert._MAX_SENTENCE)
    s = low.rfind("\n", lo, pos) + 1 or lo
    j = low.find("\n", pos, hi)
    e = hi if j == -1 else j
    for sep in cert._SEPS:
        i = low.rfind(sep, s, pos)
        if i != -1 and i + 2 > s:
            s = i + 2
        j = low.find(sep, pos, e)
        if j != -1:
            e = j + 1
    return s, e


SPAN_PARTS = st.sampled_from([
    "cprs", " ", ". ", ".", "; ", ";", "? ", "?", "\n", "x" * 90, "e.g. ", "$18.50", ".;", "..",
])


def test_sentence_span_between_marks_followed_by_a_blank() -> None:
    low = "about us. cprs required; e.g.x must obtain? yes\nnext line"
    assert cert._Extractor._span(low, low.index("cprs")) == (10, 24)
    assert cert._Extractor._span(low, low.index("must")) == (25, 43)
    assert cert._Extractor._span(low, 0) == (0, 9)
    assert cert._Extractor._span(low, low.index("next")) == (48, len(low))


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(SPAN_PARTS, max_size=14), st.integers(0, 400))
def test_sentence_span_equals_the_separator_searches(parts: list[str], pos: int) -> None:
    low = "".join(parts)
    pos = min(pos, len(low))
    assert cert._Extractor._span(low, pos) == plain_span(low, pos)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="ab \n", max_size=16))
def test_end_paragraphs_are_the_first_and_last_pieces_of_the_split(text: str) -> None:
    pieces = cert._PARAGRAPH_BREAK.split(text)
    ends = [pieces[0], pieces[-1]] if len(pieces) > 1 else pieces
    assert cert._end_paragraphs(text) == tuple(p for p in ends if p)


def test_end_paragraphs_pair_a_run_of_breaks_from_its_start() -> None:
    assert cert._end_paragraphs("a\n\n\nb\n\nc\n\n\nd") == ("a", "\nd")
    assert cert._end_paragraphs("a\n\n\n\nd\n") == ("a", "d\n")
    assert cert._end_paragraphs("\n\nmid\n\n") == ()
    assert cert._end_paragraphs("one") == ("one",)


def test_a_posting_with_new_ends_is_read_whole_and_only_its_ends_marked() -> None:
    extractor = cert._Extractor(load_credentials(), load_taxonomy())
    middle, closing = "Peer certification (CPRS) required.", "We value diversity."
    for k in range(2):  # new ends each time: the shared middle is never marked, never cached
        text = f"About us {k}.\n\n{middle}\n\nApply by May {k}."
        groups = extractor._sentences(text, text.lower())
        assert [offset for offset, _stubs in groups] == [0]
        assert [(s.start, s.end, s.cert) for s in groups[0][1]] == [(13, 48, True)]
    assert extractor._seen_marks == 4
    assert extractor._marked(cert._slot("Apply by May 1."))
    assert not extractor._marked(cert._slot(middle))
    # a posting one of whose ends was seen is split and marked paragraph by paragraph
    text = f"About us 1.\n\n{middle}\n\n{closing}"
    groups = extractor._sentences(text, text.lower())
    assert [offset for offset, _stubs in groups] == [0]
    assert list(extractor._paragraph_cache) == ["About us 1."]
    assert extractor._marked(cert._slot(middle)) and extractor._marked(cert._slot(closing))
    assert extractor._seen_marks == 6
    assert sentences(extractor, text) == sentences(WHOLE, text)
    assert reading(extractor, text) == reading(WHOLE, text)
