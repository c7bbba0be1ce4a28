"""The certification scan's one-pass trigger search (an Aho-Corasick automaton) finds exactly
the hits of one ``str.find`` pass per trigger word, the reading it replaced."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize import certification as cert
from normalize.textutil import find_all

EXTRACTOR = cert._extractor()


def find_pass_triggers(block: str, low: str) -> tuple[list[tuple[int, int, int]], list[int]]:
    """(sorted hits, licences) of ``block`` read one ``str.find`` pass per trigger word."""
    hits = [(code_start, 0, 0) for _code, code_start, _end in EXTRACTOR._acronym_hits(block)]
    hits.extend((p, 0, 0) for p in find_all(low, cert._CERT_TRIGGERS))
    hits.extend((p, 0, 0) for p in find_all(low, EXTRACTOR.name_triggers))
    for needle, words_before in cert._COURSE_TRIGGERS:
        for i in find_all(low, (needle,)):
            if any(w in low[max(0, i - 12):i] for w in words_before):
                hits.append((i + 1, 0, 0))
    hits.extend((p, 1, 0) for p in find_all(low, cert._EDU_TRIGGERS))
    lived_low = low.replace("'", " ")
    hits.extend((a, 2, b) for _idx, a, b in EXTRACTOR.lived.finditer(lived_low))
    return sorted(hits), find_all(low, ("licen",))


def one_pass_triggers(block: str) -> tuple[list[tuple[int, int, int]], list[int]]:
    found = EXTRACTOR._triggers(block, block.lower())
    return sorted(found.hits), list(found.licences)


def test_a_lived_experience_trigger_spelled_with_an_apostrophe_is_found() -> None:
    # the patterns read "'" as a space: "be in'" is the trigger "be in "
    text = "Staff must be in'long-term recovery. Valid driver's license."
    hits, licences = one_pass_triggers(text)
    start = text.index("must")
    assert (start, 2, text.index("long-term") + len("long-term recovery")) in hits
    assert licences == [text.index("license")]
    assert (hits, licences) == find_pass_triggers(text, text.lower())


def test_offsets_are_characters_in_a_text_with_non_ascii_letters() -> None:
    text = "Équipe 😀 : Certified Peer Specialist (CPS) required; high school diploma."
    hits, _licences = one_pass_triggers(text)
    assert (text.lower().index("certif"), 0, 0) in hits
    assert (text.lower().index("diploma"), 1, 0) in hits
    assert (hits, _licences) == find_pass_triggers(text, text.lower())


FRAGMENTS = [
    "certified", "Certification", "credential", "7402", "peer", "Registered Peer Recovery Specialist",
    "Ohio peer recovery supporter", "medi-cal peer support specialist", "peer specialist training",
    "Recovery Coach Academy", " training", "diploma", "degree", "High School", " GED", "no formal",
    "lived experience", "lived'experience", "identify as", "self-identify as", "must be in recovery",
    "must be in'recovery", "be in", "state of recovery", "two years of sobriety", "2 years'of recovery",
    "1 year of recovery", "six months of recovery", "willing to disclose", "licence", "license",
    "driver's", "CPRS", "CRPA-P", "CPS", "IC&RC", "é", "😀", "İ", " ", "  ", ", ", ". ", "'", "\n",
    "\n\n", "and", "the", "must", "required",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_one_pass_equals_a_find_pass_per_trigger_word(parts: list[str]) -> None:
    text = "".join(parts)
    low = text.lower()
    if len(low) != len(text):  # the scan is only called on texts whose offsets agree
        return
    assert one_pass_triggers(text) == find_pass_triggers(text, low)


def plain_acronym_hits(text: str) -> list[tuple[str, int, int]]:
    """The acronym scan ``_acronym_hits`` replaced: the whole text mapped, every run matched."""
    raw = text.encode("ascii", "replace")
    mask = raw.translate(cert._UPPER_TABLE)
    out: list[tuple[str, int, int]] = []
    for m in cert._UPPER_RUN.finditer(mask):
        start, end = m.span()
        if end - start > 12 or (start and mask[start - 1] != 32):
            continue
        code = EXTRACTOR._acronym_code(text[start:end])
        if code:
            out.append((code, start, end))
    return out


ACRONYM_PARTS = st.sampled_from([
    "CPRS", "CPS", "CRPA", "-P", "-Youth", "-F", "s", "IC&RC", "NC-CPSS", "NYCPS", "PRSS",
    "CPR", "CP", "PEER", "x", "2", " ", "(", ")", ".", "&", "-", "é", "\u0130", "\u0100", "\n",
])


def test_acronyms_at_token_starts_only() -> None:
    text = "CPRS-F, (CPS) xCPRS CPRSx NC-CPSS CRPAs éCPS CPRS-Youth-Team"
    assert EXTRACTOR._acronym_hits(text) == [
        ("CPRS", 0, 6), ("CPS", 9, 12), ("NCCPSS", 26, 33), ("CRPA", 34, 39), ("CPS", 41, 44),
    ]
    assert EXTRACTOR._acronym_hits(text) == plain_acronym_hits(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ACRONYM_PARTS, max_size=30))
def test_acronym_hits_equal_the_whole_text_reading(parts: list[str]) -> None:
    text = "".join(parts)
    assert EXTRACTOR._acronym_hits(text) == plain_acronym_hits(text)
