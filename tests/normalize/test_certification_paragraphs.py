"""Paragraph by paragraph, through the paragraph cache, the certification reading equals the
reading of the whole text at once (``_Extractor._sentences``): texts with empty paragraphs,
breaks at either end, repeated paragraphs and postings that share paragraphs."""

from __future__ import annotations

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
@given(st.lists(st.lists(PARAGRAPHS, max_size=12), min_size=1, max_size=3))
def test_by_paragraph_equals_the_whole_text(postings: list[list[str]]) -> None:
    # several postings in a row: later ones meet paragraphs the cache already holds
    for paragraphs in postings:
        text = "\n\n".join(paragraphs)
        assert sentences(BY_PARAGRAPH, text) == sentences(WHOLE, text)
        assert reading(BY_PARAGRAPH, text) == reading(WHOLE, text)
