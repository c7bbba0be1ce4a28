"""Extract peer-certification requirements (and a few other hiring requirements) from postings.

``extract_certification(description, state=..., title=...)`` reads the posting's text sentence
by sentence and reports:

- ``cert_requirement``: ``required`` | ``required_within`` | ``preferred`` | ``none`` for a
  **peer** credential, with ``cert_within_days`` (months x 30, years x 365, weeks x 7);
- ``credentials``: codes of the peer credentials named (``normalize/data/credentials.yaml``),
  state-aware (CPRS in Ohio is ``OH-CPRS``, CPSS in North Carolina is ``NCCPSS``; CPS meaning
  Child Protective Services, CPC meaning Certified Professional Coder and CPRS meaning the VA
  record system are not counted);
- ``lived_experience_required``, ``min_education`` and ``drivers_license_required``.

How a sentence is read
    A sentence counts for certification when it names a peer credential, or speaks of
    certification with a peer word ("peer", "recovery coach" ...) or, in a peer posting, speaks
    of certification without naming any non-peer credential. Sentences about CPR, First Aid,
    BLS, CPI, MANDT, naloxone, driver's licences, Intentional Peer Support or clinical licences
    never count. The strength of a statement is the requirement cue nearest to the credential
    ("CPRS required, CADC preferred" -> required for CPRS); a sentence without a cue takes its
    section heading ("Minimum Qualifications" -> required, "Preferred Qualifications" ->
    preferred), and otherwise states nothing (a duty such as "The Certified Peer Specialist
    will ..." is not a requirement), except a list item that opens with holding the credential
    ("Holds a current CPRS credential"), which is required when no heading is above it.

Precedence when sentences disagree (documented choice)
    ``required_within`` > ``required`` > ``preferred`` > ``none``. A posting that anywhere lets
    the credential be obtained after hire ("or willing to obtain", "eligible", "within 6 months
    of hire") accepts uncertified candidates, which is what ``required_within`` means in the
    design, even when another sentence says "certification required" (that sentence states the
    end state). Between required and preferred the stricter one wins. The deadline reported is
    the shortest one stated.

Performance: the text is scanned once for every trigger word together (an Aho-Corasick
automaton, ``ahocorasick_rs``) and once for upper-case acronyms; regexes and word look-ups run
on the handful of sentences around the hits. Real postings repeat paragraphs
and sentences (boilerplate, one employer's template), so both are cached by their text: a
paragraph's trigger sentences (``_BlockScan``) and what a sentence states (``_SentenceFacts``).
What depends on the rest of the posting (section headings above a sentence, a deadline in the
next sentence, a driving licence named across a paragraph break, a lived-experience phrase whose
first words end the previous line) is still read from the whole text, in the original order,
so that the results are exactly those of the uncached reading.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final, cast

from normalize.taxonomy import CredentialSet, Taxonomy, load_credentials, load_taxonomy
from normalize.textutil import (
    MAX_TEXT_CHARS,
    NUMBER_PATTERN,
    OccurrenceScan,
    TriggeredPatterns,
    light_text,
    parse_number,
)
from normalize.titles import classify_title as _classify_title

#: Values of ``Certification.cert_requirement``.
REQUIREMENTS: Final[tuple[str, ...]] = ("required", "required_within", "preferred", "none")
#: Values of ``Certification.min_education`` (besides None), lowest first.
EDUCATION_LEVELS: Final[tuple[str, ...]] = ("none", "hs", "associate", "bachelor", "master")

_RANK: Final[dict[str, int]] = {"none": 0, "preferred": 1, "required": 2, "required_within": 3}


@dataclass(frozen=True)
class Certification:
    """Hiring requirements read from one posting."""

    cert_requirement: str
    """Peer-credential requirement: ``required`` | ``required_within`` | ``preferred`` | ``none``."""
    cert_within_days: int | None
    """Days allowed after hire to obtain the credential (months x 30, years x 365, weeks x 7);
    None when no deadline is stated or the requirement is not ``required_within``."""
    credentials: tuple[str, ...]
    """Sorted unique codes of the peer credentials named in the posting (e.g. ``("CPRS",)``)."""
    lived_experience_required: bool
    """True when the posting requires lived experience of mental-health or substance-use
    recovery (or of parenting a child with such needs); "preferred" alone is False."""
    min_education: str | None
    """Lowest education level stated as a requirement: ``none`` | ``hs`` | ``associate`` |
    ``bachelor`` | ``master``; None when the posting states none."""
    drivers_license_required: bool
    """True when a valid driver's licence is required."""
    evidence: str | None = field(default=None, compare=False)
    """The sentence that decided ``cert_requirement`` (whitespace collapsed, at most
    ``EVIDENCE_CHARS`` characters): the text's sentence, or the title when the title decided;
    for ``none``, the first sentence that spoke of a peer credential without requiring it, and
    None when nothing matched. Provenance only: left out of equality, so two readings that
    agree on every requirement compare equal whatever sentence each quotes."""


#: Longest ``Certification.evidence``.
EVIDENCE_CHARS: Final = 200

_EMPTY: Final = Certification("none", None, (), False, None, False)


def _evidence(text: str) -> str:
    """``text`` with its whitespace collapsed, trimmed to ``EVIDENCE_CHARS``."""
    # most sentences sit on one line with single spaces: no split and join for them (every
    # whitespace character but the ASCII space is non-printable)
    collapse = "  " in text or not text.isprintable()
    text = " ".join(text.split()) if collapse else text.strip()
    return text[:EVIDENCE_CHARS].rstrip()

# --------------------------------------------------------------------------- word-level cues

_WORD_RE = re.compile(r"[a-z0-9&]+(?:'[a-z]+)?")

_REQ_WORDS: Final[frozenset[str]] = frozenset(
    {"required", "require", "requires", "requirement", "requirements", "must", "mandatory",
     "necessary", "shall", "needed", "need", "needs", "minimum", "essential"}
)
_PREF_WORDS: Final[frozenset[str]] = frozenset(
    {"preferred", "prefer", "prefers", "preference", "preferably", "desired", "desirable", "ideal",
     "ideally", "helpful", "advantageous", "advantage", "bonus", "asset", "plus", "encouraged",
     "welcome", "welcomed", "beneficial"}
)
_WITHIN_WORDS: Final[frozenset[str]] = frozenset(
    {"willing", "willingness", "eligible", "eligibility", "certifiable", "pursue", "pursuing",
     "toward", "towards", "obtain", "obtaining", "attain", "attaining", "acquire", "achieve",
     "earn", "become", "becoming", "complete", "completing", "provisional", "provisionally",
     "get", "getting"}
)
_GOAL_VERBS: Final[frozenset[str]] = frozenset(
    {"obtain", "obtaining", "attain", "attaining", "acquire", "achieve", "earn", "become",
     "becoming", "complete", "completing", "pursue", "pursuing", "get", "getting"}
)
# Goal verbs that need a deadline or a certification word right after them ("become
# certified", "get certified"): "become a valued member" states no credential.
_LOOSE_GOALS: Final[frozenset[str]] = frozenset({"become", "becoming", "get", "getting"})
# "certify" and its forms attest ("I certify that ...", "a letter certifying your disability");
# they never name a credential.
_CERTIFY_VERBS: Final[frozenset[str]] = frozenset({"certify", "certifying", "certifies"})
_NEG_WORDS: Final[frozenset[str]] = frozenset({"not", "no", "without"})
_NEED_OBJECTS: Final[frozenset[str]] = frozenset(
    {"have", "hold", "possess", "obtain", "maintain", "achieve", "become", "earn"}
)
# A credential named as a course ("CRS training", "certification class") is not a requirement
# to hold it; such mentions count only with a deadline ("complete ... training within 90 days").
_TRAINING_WORDS: Final[frozenset[str]] = frozenset(
    {"training", "trainings", "class", "classes", "course", "courses", "curriculum", "academy",
     "program", "programs"}
)
# A generic "certification" after these words is about keeping or describing a credential
# ("maintain their certification", "once certified", "requirements for certification").
_WEAK_BEFORE: Final[frozenset[str]] = frozenset(
    {"maintain", "maintaining", "renew", "renewal", "renewing", "keep", "once", "after", "upon",
     "when", "for"}
)
# "Certified peers must be supervised ..." describes staff, it does not ask for a credential.
_STAFF_WORDS: Final[frozenset[str]] = frozenset(
    {"peers", "staff", "employees", "individuals", "workers", "supporters", "professionals"}
)
# What holders of a credential do, after a plural credential that opens its clause:
# "Certified Peer Recovery Supporters ... must complete 16 hours of ..." describes them.
_HOLDER_VERBS: Final[frozenset[str]] = frozenset(
    {"must", "shall", "will", "should", "can", "may", "provide", "work", "use", "draw", "help",
     "serve", "offer", "support", "become", "receive", "complete", "are", "have"}
)
_DIRECT_CUES: Final[frozenset[str]] = frozenset(
    {"required", "preferred", "desired", "necessary", "mandatory", "a", "or"}
)
# A named peer training ("Recovery Coach Training", "Peer Specialist core training", "CCAR
# Recovery Coach Academy"): a course word with a peer word among the four words before it.
_COURSE_WORDS: Final[frozenset[str]] = frozenset(
    {"training", "trainings", "academy", "course", "curriculum"}
)
_PEER_COURSE_WORDS: Final[frozenset[str]] = frozenset(
    {"peer", "peers", "coach", "coaching", "supporter", "supporters", "advocate", "partner"}
)
# A course one enrols in, applies to or invests in is a step of its own, not a requirement.
_ENROL_WORDS: Final[frozenset[str]] = frozenset(
    {"enroll", "enrol", "enrolling", "enrollment", "apply", "applying", "register",
     "registering", "admission", "investing", "offer", "offers", "provide", "provides",
     "facilitate", "facilitates", "deliver", "delivers", "teach", "teaches"}
)
# Training as a duty of the job ("Participate in ongoing peer specialist training as required")
# asks for no completed course.
_DUTY_WORDS: Final[frozenset[str]] = frozenset(
    {"ongoing", "continuing", "annual", "additional", "participate", "participates",
     "participating", "attend", "attends", "attending", "receive", "receives", "receiving"}
)
# A qualification list item that opens with holding the credential ("Holds a current Peer
# Recovery Specialist credential", "Possession of a current Peer Specialist certificate", "Current
# CPRS credential") asks for it even without a cue: required, unless a heading says otherwise.
_HOLD_START: Final[frozenset[str]] = frozenset(
    {"holds", "hold", "holding", "possesses", "possess", "possession", "current", "currently",
     "active", "valid"}
)
_HOLD_FILLER: Final[frozenset[str]] = frozenset(
    {"a", "an", "the", "of", "current", "currently", "valid", "active", "unrestricted", "state",
     "full", "national", "nationally", "state-issued"}
)
# "X certification or the ability to obtain it": the goal verb's object points back.
_BACK_OBJECTS: Final[frozenset[str]] = frozenset({"it", "one", "same", "this", "them"})
# "Candidates who are not yet certified may be hired as a trainee" accepts uncertified people.
_UNCERTIFIED_RE = re.compile(
    r"\b(?:not\s+(?:yet\s+)?certified|uncertified)\b(?P<mid>[^.;]{0,60})\b(?:hired|hire|"
    r"considered|accepted|eligible|trainee|apprentice)"
)
# "... not certified will not be considered" turns the clause back into a requirement.
_NEGATED_RE = re.compile(r"\bnot\b|n't\b|\bcannot\b|\bineligible\b")
_ABLE_WORDS: Final[frozenset[str]] = frozenset(
    {"willing", "willingness", "ability", "able", "eligible", "eligibility"}
)
# A screening question about the applicant's own credential ("Are you currently certified as a
# Peer Specialist?", "Do you hold a ... certification?"); a recruiting hook ("Are you a
# certified Peer Specialist who is interested in ...?") asks nothing of the kind.
_ASK_RE = re.compile(
    r"\b(?:are|do|have|did)\s+you\s+(?:currently\s+|presently\s+|now\s+|already\s+|still\s+)?"
    r"(?:a\s+|an\s+)?(?:certified|credentialed|hold|possess|have|obtained|completed|earned|"
    r"been\s+certified|successfully\s+completed)\b"
)
_HOOK_WORDS: Final[tuple[str, ...]] = (" who ", "interested", "looking for", "passionate", " want ")
# A request for proof of the credential ("Please upload proof of your certification", "You MUST
# provide a copy of your certification").
_PROOF_RE = re.compile(
    r"\b(?:proof|copy|copies|documentation|evidence)\s+of\s+(?:your\s+|the\s+|current\s+|"
    r"valid\s+|a\s+)*(?:[a-z-]+\s+){0,3}?certif"
)
_SUBSTITUTE_WORDS: Final[frozenset[str]] = frozenset({"substitute", "substituted", "lieu", "substitution"})
_ALL_CUES: Final[frozenset[str]] = (
    _REQ_WORDS | _PREF_WORDS | _SUBSTITUTE_WORDS | {"need", "needs", "optional"}
)
_CERT_PREFIXES: Final[tuple[str, ...]] = ("certif", "credential")
_CERT_AFTER: Final[frozenset[str]] = frozenset(
    {"certification", "certifications", "certificate", "certified", "credential", "credentials",
     "credentialed", "certificaton", "cert"}
)
_CERT_BEFORE: Final[frozenset[str]] = frozenset(
    {"certified", "credentialed", "certification", "certifiable", "eligible"}
)
_DEADLINE_WORDS: Final[frozenset[str]] = frozenset(
    {"within", "end", "later", "day", "days", "week", "weeks", "month", "months", "year", "years",
     "probation", "probationary", "hire", "hiring"}
)
_DEADLINE_RE = re.compile(
    r"\b(?:within|in|during|by the end of|no later than|before the end of|prior to the end of|"
    r"after|of)\s+(?:the\s+|a\s+|an\s+)?(?:first\s+|initial\s+)?"
    rf"(?P<n>{NUMBER_PATTERN})(?:\s*\(\s*(?P<paren>[\d\s-]{{1,7}})\s*\))?"
    rf"(?:\s*(?:-|to|or)\s*(?P<n2>{NUMBER_PATTERN}))?[\s-]*"
    r"(?P<unit>days?|weeks?|months?|mos?|years?|yrs?)\b"
    r"|\b(?P<n3>\d{1,3}|six|twelve|eighteen|ninety|sixty|thirty)[\s-]+(?P<unit3>days?|weeks?|months?|years?)"
    r"\s+(?:of|from|after|following)\s+(?:the\s+)?(?:date\s+of\s+)?(?:hire|hiring|employment|start)"
    r"|\b(?:within|during|by the end of|before the end of)\s+"
    r"(?:the\s+|their\s+|his/her\s+|his\s+|her\s+|your\s+)?(?:first\s+)?"
    r"(?P<yr>year|probationary period|probation period|probation)\b",
)
_UNIT_DAYS: Final[dict[str, int]] = {"d": 1, "w": 7, "m": 30, "y": 365}
# A time limit counted from hire or appointment ("within 90 days of hire"), as opposed to an
# amount of experience ("a minimum of 2 years of experience").
_HIRE_DEADLINE_RE = re.compile(
    r"\bwithin\s[^.;:]{0,30}?\b(?:days?|weeks?|months?|years?)\s+(?:of|from|after|following)\s+"
    r"(?:the\s+)?(?:date\s+of\s+)?(?:hire|hiring|employment|appointment|start)\b"
)

_EDU_RE = re.compile(
    r"(?P<hs>\bhigh school\b|\bhigh-school\b|\bged\b|\bhse\b|\bhiset\b|\bsecondary (?:school|education)"
    r"\b|\bh\.?s\.? (?:diploma|graduate|education)|\bhs/ged\b)"
    r"|(?P<associate>\bassociate'?s?'? ?(?:degree|of (?:arts|science|applied))|\b(?:aa|as|aas) degree\b|"
    r"\b(?:two|2)[- ]year (?:college )?degree)"
    r"|(?P<bachelor>\bbachelor'?s?'?(?! level)\b|\bbaccalaureate\b|\bb\.?[as]\.? (?:degree|in)\b|"
    r"\bba ?/ ?bs\b|"
    r"\bbsw\b|\b(?:four|4)[- ]year (?:college )?degree|\bundergraduate degree|\bcollege degree)"
    r"|(?P<master>\bmaster'?s?'? ?(?:degree|of|in)\b|\bmsw\b|\b(?:mha|mph|m\.?a\.?|m\.?s\.?) (?:degree|in)\b|"
    r"\bgraduate degree)"
    r"|(?P<none>\bno (?:formal )?(?:education|degree|diploma)(?: requirement| is)?"
    r"(?: required| necessary)?\b|"
    r"\bno minimum education\b)"
)
_LICENSE_RE = re.compile(
    r"driver'?s?'? ?licen[cs]e|driving licen[cs]e|motor vehicle operator'?s?'? licen[cs]e|"
    r"licen[cs]e to drive|licensed driver|\bdl\b"
)
_LICENSE_VALID: Final[frozenset[str]] = frozenset(
    {"valid", "current", "active", "unrestricted", "clean", "state", "possess", "possession", "have"}
)
_EEO_RE = re.compile(
    r"disabilit|veteran status|equal (employment )?opportunity|\beeo|voluntar|protected|gender"
)
# Heading lines: a line ending with ":", an ALL CAPS line, or a line starting with one of these.
_KNOWN_HEADINGS: Final[tuple[str, ...]] = (
    "minimum qualifications", "preferred qualifications", "required qualifications",
    "desired qualifications", "qualifications", "requirements", "education", "experience",
    "responsibilities", "duties", "benefits", "essential functions", "job duties", "about us",
    "summary", "job summary", "position summary", "overview", "preferred", "required", "skills",
    "knowledge, skills", "licenses", "licensure", "certifications", "credentials",
    "physical requirements", "working conditions", "compensation", "schedule", "what you'll do",
    "what we offer", "who you are", "what you need", "what you'll need", "special requirements",
    "nice to have", "job description", "position description", "key responsibilities",
)
_PREF_HEADINGS: Final[tuple[str, ...]] = (
    "prefer", "desired", "desirable", "nice to have", "bonus", "plus", "additional qualifications",
)
_REQ_HEADINGS: Final[tuple[str, ...]] = (
    "qualification", "requirement", "required", "education", "experience", "certification",
    "licens", "licensure", "credential", "skills", "must have", "what you need", "what you'll need",
    "what we're looking for", "who you are", "eligibility", "knowledge",
)

_CERT_TRIGGERS: Final[tuple[str, ...]] = ("certif", "credential", "7402")
# Named peer trainings (see _COURSE_WORDS) are found by their course word and the word before
# it: two str.find passes, whatever the number of peer words.
_COURSE_TRIGGERS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    (" training", ("specialist", "coach", "peer", "supporter", "support", "advocate", "partner",
                   "core")),
    (" academy", ("coach",)),
)
_EDU_TRIGGERS: Final[tuple[str, ...]] = ("diploma", "degree", "high school", " ged", "no formal")
# What a trigger word found by ``_Extractor._triggers`` does.
_ON_CERT: Final = 0
_ON_EDU: Final = 1
_ON_COURSE: Final = 2
_ON_LIVED: Final = 3
_ON_LICENCE: Final = 4
_SEPS: Final[tuple[str, ...]] = (". ", "; ", "? ")
#: The marks of ``_SEPS``, each followed by a blank there (see ``_Extractor._span``).
_SEP_MARKS: Final[tuple[str, ...]] = tuple(sep[0] for sep in _SEPS)
_PUNCT: Final[str] = ".,;:()[]{}!?\"'*`|<>"
# Acronym scan: map the posting to U (upper-case letter), l (other letter or digit), "-", "&" and
# blanks, then one bytes regex finds stand-alone upper-case tokens such as "CPRS", "CRPA-P",
# "IC&RC", "CRPAs" without a Python loop over the text.
_UPPER_TABLE: Final[bytes] = bytes(
    85 if 65 <= i <= 90 else 108 if (97 <= i <= 122 or 48 <= i <= 57) else i if i in (38, 45) else 32
    for i in range(256)
)
_UPPER_RUN = re.compile(rb"UU+(?:[&-][Ul]{1,6})*l?(?![Ul])")  # starts with a literal: fast
# The characters _UPPER_TABLE keeps (all but blanks): a token runs to the first other one.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9&-]*")
_MAX_SENTENCE = 200


class _Cue:
    __slots__ = ("index", "kind")

    def __init__(self, index: int, kind: str) -> None:
        self.index = index
        """Word index of the cue in its sentence."""
        self.kind = kind
        """"req" | "pref" | "neg" | "sub" (substitution: "may substitute for")."""


_TOKEN_RE = re.compile(r"[a-z0-9&]+")
#: ``_TOKEN_RE``'s characters kept, every other byte a blank: an ASCII text translated through it
#: (apostrophes deleted) splits at blanks into exactly the words ``_TOKEN_RE`` finds.
_TOKEN_TABLE: Final[bytes] = bytes(
    i if (97 <= i <= 122 or 48 <= i <= 57 or i == 38) else 32 for i in range(256)
)


def _words(text: str) -> list[str]:
    """``_TOKEN_RE.findall`` of ``text`` without its apostrophes ("driver's" is "drivers").

    ASCII texts (nearly all) go through ``_TOKEN_TABLE`` and ``str.split``: two C loops over
    the bytes and a split, about half the time of the regex's findall on a sentence.
    """
    if text.isascii():
        return text.encode("ascii").translate(_TOKEN_TABLE, b"'").decode("ascii").split()
    return _TOKEN_RE.findall(text.replace("'", "") if "'" in text else text)
#: What a certification sentence's reading depends on besides its text: its acronym hits as
#: (code, offset in the sentence) and the two peer flags of ``extract``. The posting's state is
#: applied to the codes afterwards, per posting (see ``_Extractor.extract``).
_CertContext = tuple[tuple[tuple[str, int], ...], bool, bool]
_CLAUSE_BREAK_RE = re.compile(r"[,;:()\[\]]| - ")


class _Sentence:
    """One sentence around trigger hits, tokenized on demand."""

    __slots__ = ("_clauses", "cert", "cues", "edu", "end", "lic", "lived", "start", "text", "words")

    def __init__(self, start: int, end: int, text: str = "") -> None:
        self.start = start
        self.end = end
        self.text = text
        """Lower-cased sentence (same length and offsets as the posting text)."""
        self.words: list[str] | None = None
        """Words of ``plain`` (apostrophes dropped, so "driver's" is "drivers")."""
        self.cues: list[_Cue] | None = None
        self.cert = False
        self.edu: list[int] | None = None
        self.lived: list[tuple[int, int]] | None = None
        self.lic = False
        self._clauses: list[int] | None = None

    def tokenize(self) -> None:
        if self.words is None:
            self.words = _words(self.text)

    def word_at(self, offset: int) -> int:
        """Index of the word at character ``offset`` of the sentence."""
        head = self.text[:offset]
        return len(_words(head))

    @property
    def clauses(self) -> list[int]:
        """Clause number of each word: commas, semicolons, colons and brackets start a clause."""
        if self._clauses is None:
            text = self.text.replace("'", "") if "'" in self.text else self.text
            # no word holds a clause break's characters, so the words of the pieces between
            # breaks are the sentence's words, piece by piece
            self._clauses = [
                number
                for number, piece in enumerate(_CLAUSE_BREAK_RE.split(text))
                for _word in range(len(_words(piece)))
            ]
        return self._clauses


# The internal records below are built for every trigger sentence and paragraph: plain
# classes with their own __init__, which mypyc compiles (a dataclass's generated __init__ stays
# interpreted Python, several times slower). Nothing changes them once built (but
# ``_BlockScan.groupings`` and the ``_Stub`` memo); identity is their equality.
class _SentenceFacts:
    """What one trigger sentence states, whatever posting it stands in (cached by its text).

    Answers that depend on the sentence's section heading are kept open: the caller reads the
    heading, in posting order, only where the sentence needs it (see ``_Extractor.extract``).
    """

    __slots__ = (
        "cert_days", "cert_default", "cert_level", "codes", "edu_in_pref_section", "edu_otherwise",
        "edu_reads_section", "license_required", "lived_reads_section", "lived_required",
        "relevant",
    )

    def __init__(
        self, cert_level: str | None, cert_days: int | None, codes: frozenset[str],
        relevant: bool, lived_reads_section: bool, lived_required: bool,
        edu_reads_section: bool, edu_in_pref_section: tuple[str, ...],
        edu_otherwise: tuple[str, ...], license_required: bool | None,
    ) -> None:
        self.cert_level = cert_level
        """Requirement level of a certification sentence; None when the section heading
        decides."""
        self.cert_days = cert_days
        self.codes = codes
        self.relevant = relevant
        """The sentence speaks of a peer credential (it counts for ``cert_requirement``)."""
        self.lived_reads_section = lived_reads_section
        self.lived_required = lived_required
        self.edu_reads_section = edu_reads_section
        self.edu_in_pref_section = edu_in_pref_section
        self.edu_otherwise = edu_otherwise
        self.license_required = license_required
        """None: required when the section heading is a requirements heading."""
        self.cert_default = "none"
        """Level of a ``cert_level`` None sentence when no section heading is above it."""


#: Sentence-level results cached per extractor (real postings repeat boilerplate sentences).
_SENTENCE_CACHE_SIZE: Final = 8192
#: Paragraph scans cached per extractor (postings of one employer share most paragraphs).
_PARAGRAPH_CACHE_SIZE: Final = 20000
#: Slots of the table of paragraphs seen once (by hash): a scan is cached from a paragraph's
#: second sighting on, so paragraphs of a single posting do not crowd out the boilerplate, and
#: a posting none of whose paragraphs is marked is read whole (``_Extractor._sentences``).
#: One bit per slot: 128 KB, which stays in the processor's cache (a byte per slot, 1 MB, cost
#: a cache miss at nearly every look-up).
_SEEN_SLOTS: Final = 1 << 20
#: Marks after which that table starts afresh (up to 1/64 of the slots taken: a new paragraph
#: passes for seen at most that often, which only caches it early or reads its posting by
#: paragraph; with a quarter, as before, most new postings of a dozen paragraphs had one).
_SEEN_LIMIT: Final = 1 << 14
#: A paragraph break: ``_PARAGRAPH_BREAK.split(text)`` is ``text.split("\n\n")`` (a literal:
#: the same leftmost, non-overlapping cuts) in a little over half the time on a 3 KB description,
#: as the regex engine looks for the first "\n" of the pair far faster than str's search does.
_PARAGRAPH_BREAK: Final = re.compile("\n\n")


_UNREAD: Final = object()


class _Stub:
    """A sentence around trigger hits, located in its block (a paragraph or a whole text)."""

    __slots__ = (
        "acronyms", "cert", "edu", "end", "lic", "lived", "memo_facts", "memo_key", "start", "text",
    )

    def __init__(
        self, start: int, end: int, text: str, cert: bool,
        acronyms: tuple[tuple[str, int], ...], lived: tuple[tuple[int, int], ...], edu: bool,
        lic: bool,
    ) -> None:
        self.start = start
        self.end = end
        """Span in the block."""
        self.text = text
        """Lower-cased sentence."""
        self.cert = cert
        """A certification trigger (word or acronym) occurs in it."""
        self.acronyms = acronyms
        """Its acronym hits as (code, offset in the sentence); empty unless ``cert``."""
        self.lived = lived
        """Lived-experience phrases as (start, end) in the sentence."""
        self.edu = edu
        self.lic = lic
        self.memo_key: Any = _UNREAD
        """The posting's peer flags ``memo_facts`` was read under (None when not a
        certification sentence); ``_UNREAD`` before the first reading."""
        self.memo_facts: _SentenceFacts | None = None
        """Memo of what the sentence states: stubs live in the paragraph cache, so a repeated
        paragraph reads its sentences without hashing them again. One entry, not a dict: a
        sentence is nearly always read under the same flags, and a dict per sentence cost more
        than it saved on postings that repeat nothing."""


class _Triggers:
    """Trigger hits of a text (offsets relative to its start), see :class:`_BlockScan`."""

    __slots__ = ("acronyms", "hits", "licences")

    def __init__(
        self, acronyms: tuple[tuple[str, int, int], ...], hits: tuple[tuple[int, int, int], ...],
        licences: tuple[int, ...],
    ) -> None:
        self.acronyms = acronyms
        self.hits = hits
        self.licences = licences


_NO_TRIGGERS: Final = _Triggers((), (), ())


class _BlockScan:
    """Trigger hits of a paragraph (or of a whole text), offsets relative to its start.

    Paragraph by paragraph gives the hits of the whole text: no needle or acronym token holds
    a line break, the lived-experience patterns are checked to be paragraph-local
    (``TriggeredPatterns.paragraph_local``), and a sentence span never crosses a line break.
    Only whether a "licen" speaks of driving can look past a paragraph (30 characters around
    it): those near its edges are judged in the posting.
    """

    __slots__ = ("acronyms", "driving", "groupings", "hits", "licences", "size", "undecided")

    def __init__(
        self, acronyms: tuple[tuple[str, int, int], ...], hits: tuple[tuple[int, int, int], ...],
        size: int, licences: tuple[int, ...], driving: tuple[int, ...],
        undecided: tuple[int, ...], groupings: dict[tuple[bool, ...], tuple[_Stub, ...]],
    ) -> None:
        self.acronyms = acronyms
        """Peer-credential acronyms as (code, start, end)."""
        self.hits = hits
        """(position, kind, extra) as in ``extract``: kinds 0 (certification), 1 (education)
        and 2 (lived experience; extra is the end of the phrase)."""
        self.size = size
        self.licences = licences
        """Positions of "licen" (hits of kind 3 when about driving, see ``_about_driving``)."""
        self.driving = driving
        """The ``licences`` about driving, judged on the block alone."""
        self.undecided = undecided
        """The ``licences`` near an edge, whose judgment needs the text around the block."""
        self.groupings = groupings
        """Memo of the block's trigger sentences by the judgments of ``undecided`` (filled on
        demand by ``_sentences``; the grouping depends on the block and those judgments
        only)."""


#: The scan of a paragraph without any hit.
_NOTHING: Final = _BlockScan((), (), 0, (), (), (), {})

#: Certification level read from a section kind when a sentence states no strength.
_SECTION_LEVEL: Final[dict[str | None, str]] = {"req": "required", "pref": "preferred"}


def _cues(words: list[str]) -> list[_Cue]:
    cues: list[_Cue] = []
    n = len(words)
    for i in [i for i, w in enumerate(words) if w in _ALL_CUES]:
        w = words[i]
        if w in ("need", "needs"):
            nxt = words[i + 1:i + 4]
            if len(nxt) < 2 or nxt[0] != "to":
                continue
            if nxt[1] not in _NEED_OBJECTS and not (
                nxt[1] == "be" and len(nxt) > 2 and nxt[2].startswith(("certif", "credential"))
            ):
                continue
        if w in _REQ_WORDS:
            if (i >= 1 and words[i - 1] in _NEG_WORDS) or (i >= 2 and words[i - 2] in _NEG_WORDS):
                cues.append(_Cue(i, "neg"))
            else:
                cues.append(_Cue(i, "req"))
        elif w in _PREF_WORDS:
            if w == "plus" and not (i > 0 and words[i - 1] in ("a", "is", "be")) and i != n - 1:
                continue
            cues.append(_Cue(i, "pref"))
        elif w == "optional":
            cues.append(_Cue(i, "neg"))
        else:
            cues.append(_Cue(i, "sub"))
    return cues


def _nearest(cues: list[_Cue], anchor: int, sent: _Sentence | None = None) -> str | None:
    """Kind of the cue closest to word ``anchor``; each clause break counts as 20 words.

    Clauses are computed only when the sentence has cues of different kinds.
    """
    useful = [c for c in cues if c.kind != "sub"]
    if not useful:
        return None
    kinds = {c.kind for c in useful}
    if len(kinds) == 1:
        return useful[0].kind
    clauses = sent.clauses if sent is not None else []
    last = len(clauses) - 1
    a_clause = clauses[min(anchor, last)] if clauses else 0
    best = useful[0]
    best_d = 10**6
    for cue in useful:
        d = abs(cue.index - anchor) * 2 + (1 if cue.index < anchor else 0)
        if clauses:
            d += 40 * abs(clauses[min(cue.index, last)] - a_clause)
        if d < best_d:
            best, best_d = cue, d
    if best.kind == "neg" and "pref" in kinds:
        return "pref"
    return best.kind


def _asks_status(sentence: str) -> bool:
    """Is ``sentence`` a screening question about the applicant's own credential or training?"""
    return _ASK_RE.search(sentence) is not None and not any(h in sentence for h in _HOOK_WORDS)


def _deadline_days(sentence: str) -> tuple[bool, int | None]:
    """(deadline stated?, days) for the first time limit in ``sentence``."""
    for m in _DEADLINE_RE.finditer(sentence):
        if m.group("yr"):
            return True, 365 if m.group("yr") == "year" else None
        unit = m.group("unit") or m.group("unit3")
        num = m.group("n") or m.group("n3")
        if not unit or not num:
            continue
        value = parse_number(num)
        n2 = m.group("n2")
        if n2 and value is not None and not m.group("paren"):
            value = max(value, parse_number(n2) or 0)
        if value is None or value <= 0:
            continue
        days = value * _UNIT_DAYS[unit[0]]
        if days > 3 * 365:
            continue
        return True, days
    return False, None


def _deadline_hint(low: str, start: int) -> bool:
    """Does "within", "month" or " days" occur in the 200 characters from ``start`` (searched in
    place: a copy of them and three searches of it cost more)?"""
    stop = start + 200
    return (
        low.find("within", start, stop) != -1 or low.find("month", start, stop) != -1
        or low.find(" days", start, stop) != -1
    )


def _about_driving(low: str, pos: int) -> bool:
    """Is the "licen" at ``pos`` about a driver's licence (judged on 30 characters before it
    and 25 from it)?"""
    window = low[max(0, pos - 30):pos + 25]
    return "driv" in window or "motor vehicle" in window


#: Characters a heading may carry around its words (bullets, markdown, underlines).
_HEADING_STRIP: Final = " \t*#-:•|"


@lru_cache(maxsize=16384)
def _heading_kind(line: str) -> str | None:
    """Section opened by ``line`` when it is a heading: "req", "pref" or "other"; else None.

    Cached: section look-ups walk up to 40 lines each, and headings repeat across postings.
    """
    stripped = line.strip(_HEADING_STRIP)
    if not stripped or len(stripped) > 80:
        return None
    low = stripped.lower()
    if not (
        line.rstrip().endswith(":")
        or (stripped.isupper() and len(stripped.split()) <= 8)
        or (len(stripped.split()) <= 6 and low.startswith(_KNOWN_HEADINGS))
    ):
        return None
    if any(h in low for h in _PREF_HEADINGS):
        return "pref"
    if any(h in low for h in _REQ_HEADINGS):
        return "req"
    return "other"


@lru_cache(maxsize=16384)
def _head_section(head: str) -> str | None:
    """Section named in a sentence's own line before it ("Education: ..."): the last words
    before its last colon, read as a heading."""
    colon = head.rfind(":")
    if colon == -1:
        return None
    return _heading_kind(" ".join(head[:colon].split()[-5:]) + ":")


def _token_starts(text: str, i: int) -> bool:
    """Can a token of the acronym scan start at ``i``: at the text's start, or after a
    character ``_UPPER_TABLE`` blanks (any non-ASCII one, read as "?")."""
    if i == 0:
        return True
    code = ord(text[i - 1])
    return code >= 128 or _UPPER_TABLE[code] == 32


def _never_section(text: str, start: int, end: int) -> bool:
    """True when the line ``text[start:end]`` surely opens no section (``_line_section`` gives
    None), told without copying and hashing it: an empty line, or a line of prose, over 80
    characters with no heading mark at either end (so too long for a heading) and no colon in
    its first 45 characters but at its start."""
    if start == end:
        return True
    if end - start <= 80 or text[start] in _HEADING_STRIP or text[end - 1] in _HEADING_STRIP:
        return False
    return text.find(":", start, start + 45) <= start


@lru_cache(maxsize=16384)
def _line_section(line: str) -> str | None:
    """Section opened by a line above a sentence: the line as a heading, else its start up to a
    colon within 45 characters ("Education: High school diploma")."""
    kind = _heading_kind(line)
    if kind is None and len(line) > 3:
        c = line.find(":", 0, 45)
        if c > 0 and len(line) > c + 3:
            kind = _heading_kind(line[: c + 1])
    return kind


def _slot(paragraph: str) -> int:
    """A paragraph's slot in the table of paragraphs seen once."""
    return hash(paragraph) & (_SEEN_SLOTS - 1)


def _end_paragraphs(text: str) -> tuple[str, ...]:
    """The first and the last piece of ``_PARAGRAPH_BREAK.split(text)`` (one when the text has
    no break; empty ones left out), found without cutting the rest.

    A posting's paragraphs are split, hashed and marked only when one of its ends was seen
    before: the employer's introduction and closing boilerplate (equal opportunity, benefits)
    are what postings share, and a new posting then costs two short hashes instead of a copy
    and a hash of its whole text (a third of its certification reading besides the trigger
    pass). The cuts are the regex's, leftmost and non-overlapping: in a run of line breaks
    they pair from its start, so an odd run leaves one break at the last paragraph's start.
    """
    found = _PARAGRAPH_BREAK.search(text)
    if found is None:
        return (text,) if text else ()
    # the last break's second "\n": the last "\n" after another, each found by a one-character
    # search from the end (``str.rfind`` of two characters steps through the text)
    last = text.rfind("\n")
    while text[last - 1] != "\n":
        last = text.rfind("\n", 0, last)
    last += 1
    run = last - 2
    while run > 0 and text[run - 1] == "\n":
        run -= 1
    if (last - run) % 2:
        last -= 1
    head, tail = text[:found.start()], text[last:]
    return tuple(p for p in (head, tail) if p)


class _Extractor:
    """Compiled form of the credential lexicon and the taxonomy's lived-experience phrases."""

    def __init__(self, creds: CredentialSet, tax: Taxonomy) -> None:
        self.phrases: dict[str, tuple[str, str]] = {}
        self.first_len: dict[str, int] = {}
        self.acronyms: dict[str, str] = {}
        self.needs_context: set[str] = set()
        self.not_context: dict[str, re.Pattern[str]] = {}
        self.state_codes: dict[str, dict[str, str]] = {}
        self.patterns: list[tuple[str, tuple[str, ...], re.Pattern[str]]] = []
        for cred in creds.credentials:
            for kind, items in (("name", cred.names), ("role", cred.roles)):
                for phrase in items:
                    self.phrases.setdefault(phrase, (cred.code, kind))
                    first = phrase.split()[0]
                    self.first_len[first] = max(self.first_len.get(first, 0), len(phrase.split()))
            for acr in cred.acronyms:
                self.acronyms.setdefault(acr.replace(" ", ""), cred.code)
            if cred.acronym_needs_context:
                self.needs_context.add(cred.code)
            if cred.acronym_not_context:
                self.not_context[cred.code] = re.compile(cred.acronym_not_context)
            if cred.state_codes:
                self.state_codes[cred.code] = dict(cred.state_codes)
            if cred.patterns:
                combined = re.compile("|".join(f"(?:{p})" for p in cred.patterns))
                self.patterns.append((cred.code, cred.pattern_hints, combined))
        # the acronyms' first letters (as many as the shortest has, up to three), for
        # ``_acronym_hits``: few and distinctive ("CPR", "NYC", "IC&"), found in one pass
        shortest = min((len(acr) for acr in self.acronyms), default=0)
        self.acronym_starts = OccurrenceScan(
            sorted({acr[:min(shortest, 3)] for acr in self.acronyms})
        )
        # credential names without "certif" or "credential" ("registered peer recovery
        # specialist", "ohio peer recovery supporter") are triggers of their own
        needles = {
            phrase for phrase, (_code, kind) in self.phrases.items()
            if kind == "name" and "certif" not in phrase and "credential" not in phrase
            and " " in phrase and not any(w.upper() in self.acronyms for w in phrase.split())
        }
        needles |= {n.replace("medi cal", "medi-cal") for n in needles if "medi cal" in n}
        self.name_triggers: tuple[str, ...] = tuple(sorted(needles))
        # every word prefix of every phrase ("certified", "certified peer", ...), for the word walk
        self.prefixes: set[str] = set()
        for phrase in self.phrases:
            parts = phrase.split()
            for k in range(1, len(parts) + 1):
                self.prefixes.add(" ".join(parts[:k]))
        self.nonpeer: set[str] = set()
        self.nonpeer_first: dict[str, int] = {}
        for group in creds.non_peer:
            for phrase in group.phrases:
                self.nonpeer.add(phrase)
                first = phrase.split()[0]
                self.nonpeer_first[first] = max(self.nonpeer_first.get(first, 0), len(phrase.split()))
        self.lived = TriggeredPatterns(
            [(p.trigger, p.pattern, p.before) for p in tax.lived_experience if p.requirement]
        )
        words = self._trigger_words()
        self.trigger_actions: list[tuple[tuple[int, int], ...]] = [
            tuple(actions) for actions in words.values()
        ]
        self.trigger_scan = OccurrenceScan(list(words))
        self.state_names: dict[str, str] = {
            "ohio": "OH", "north carolina": "NC", "new york": "NY", "oasas": "NY",
        }
        # code -> the state variants that replace it when the text names both ("Certified Peer
        # Specialist -- NYCPS --" is the New York credential, not two)
        self.variants: dict[str, frozenset[str]] = {
            code: frozenset(by_state.values()) for code, by_state in self.state_codes.items()
        }
        self.variant_codes: frozenset[str] = frozenset(self.variants)
        # code -> the names of the states where it means something else: a posting that names
        # CPS is searched for "new york" only, not for every state name
        self.state_names_for: dict[str, tuple[tuple[str, str], ...]] = {
            code: tuple((name, st) for name, st in self.state_names.items() if st in by_state)
            for code, by_state in self.state_codes.items()
        }
        # pure functions of short strings, cached per extractor (lexicon) instance
        self._facts = lru_cache(maxsize=_SENTENCE_CACHE_SIZE)(self._sentence_facts)
        # paragraph -> its scan; emptied when full, like the title caches
        self._paragraph_cache: dict[str, _BlockScan] = {}
        self._seen_once = bytearray(_SEEN_SLOTS >> 3)
        self._seen_marks = 0
        # a taxonomy whose lived-experience patterns might reach across paragraphs: whole texts
        self._by_paragraph = self.lived.paragraph_local()
        self._title_codes = lru_cache(maxsize=4096)(self._title_codes_uncached)
        self._bare_deadline = lru_cache(maxsize=4096)(self._bare_deadline_uncached)

    # ----------------------------------------------------------------------- scanning helpers

    def _acronym_hits(self, text: str) -> list[tuple[str, int, int]]:
        """Peer-credential acronyms in ``text`` as (code, start, end); cheap for any length.

        The reading: map the text through ``_UPPER_TABLE``, take every ``_UPPER_RUN`` match
        that starts a token (at the text's start or after a blank) and is at most 12 long,
        and look its token up (``_acronym_code``). A token that gives a code begins with an
        acronym (the look-up only drops a final "s" and "-" parts), so only the tokens that
        begin with one of the acronyms' first letters (``acronym_starts``, found in one pass)
        are mapped and matched, each on its own: a run matched there is the one the reading
        finds, as no match can reach over a blank.
        """
        out: list[tuple[str, int, int]] = []
        starts = sorted({
            i for _k, i in self.acronym_starts.occurrences(text) if _token_starts(text, i)
        })
        for start in starts:
            token_end = _TOKEN_CHARS.match(text, start)
            stop = token_end.end() if token_end is not None else start
            m = _UPPER_RUN.match(text[start:stop].encode("ascii").translate(_UPPER_TABLE))
            if m is None or m.end() > 12:
                continue  # part of a longer word, or an ALL CAPS heading word
            end = start + m.end()
            code = self._acronym_code(text[start:end])
            if code:
                out.append((code, start, end))
        return out

    def _acronym_code(self, token: str) -> str | None:
        if token.endswith("s") and token[:-1].isupper():
            token = token[:-1]  # "CRPAs"
        while token:
            code = self.acronyms.get(token)
            if code:
                return code
            if "-" not in token:
                return None
            token = token.rsplit("-", 1)[0]
        return None

    @staticmethod
    def _span(low: str, pos: int) -> tuple[int, int]:
        """The sentence around ``pos``: inside its line, between sentence-ending marks."""
        lo = max(0, pos - _MAX_SENTENCE)
        hi = min(len(low), pos + _MAX_SENTENCE)
        s = low.rfind("\n", lo, pos) + 1 or lo
        j = low.find("\n", pos, hi)
        e = hi if j == -1 else j
        # each separator is a mark and a blank: the mark found by a one-character search (a
        # memchr; a search of two characters steps through the text) and the blank checked,
        # from the same bounds as a search of both (the pair inside [s, pos) and [pos, e))
        for mark in _SEP_MARKS:
            if pos - 1 > s:
                i = low.rfind(mark, s, pos - 1)
                while i != -1 and low[i + 1] != " ":
                    i = low.rfind(mark, s, i)
                if i != -1:
                    s = i + 2
            if e - 1 > pos:
                j = low.find(mark, pos, e - 1)
                while j != -1 and low[j + 1] != " ":
                    j = low.find(mark, j + 1, e - 1)
                if j != -1:
                    e = j + 1
        return s, e

    def _phrase_mentions(
        self, words: list[str], sent: _Sentence | None = None
    ) -> list[tuple[str, int, int]]:
        """Credential names and roles in ``words`` as (code, first word, end word), longest first."""
        out: list[tuple[str, int, int]] = []
        prefixes = self.prefixes
        phrases = self.phrases
        n = len(words)
        done = 0
        for i in [i for i, w in enumerate(words) if w in prefixes]:
            if i < done:
                continue
            key = words[i]
            j = i + 1
            found: list[tuple[str, str, int]] = []
            while True:
                hit = phrases.get(key)
                if hit is None and key.endswith("s"):
                    hit = phrases.get(key[:-1])  # "certified peer specialists"
                if hit is not None:
                    found.append((hit[0], hit[1], j))
                if j >= n:
                    break
                key = f"{key} {words[j]}"
                if key not in prefixes and key[:-1] not in prefixes:
                    break
                j += 1
            for code, kind, end in reversed(found):  # longest first
                if kind == "role" and not self._certified_form(words, i, end, sent):
                    continue
                out.append((code, i, end))
                done = end
                break
        return out

    @staticmethod
    def _certified_form(
        words: list[str], i: int, j: int, sent: _Sentence | None = None
    ) -> bool:
        if j < len(words) and words[j] in _CERT_AFTER:
            return True
        if i >= 1 and words[i - 1] in _CERT_BEFORE:
            if sent is None:
                return True
            clauses = sent.clauses
            if i < len(clauses) and clauses[i - 1] == clauses[i]:
                return True
        k = i - 1
        if k >= 0 and words[k] in ("a", "an"):
            k -= 1
        if k >= 0 and words[k] in ("as", "in"):
            k -= 1
            return k >= 0 and words[k] in _CERT_BEFORE
        return False

    def _nonpeer_spans(self, words: list[str]) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        first = self.nonpeer_first
        n = len(words)
        done = 0
        for i in [i for i, w in enumerate(words) if w in first]:
            if i < done:
                continue
            for size in range(min(first[words[i]], n - i), 0, -1):
                if " ".join(words[i:i + size]) in self.nonpeer:
                    spans.append((i, i + size))
                    done = i + size
                    break
        return spans

    @staticmethod
    def _section(text: str, start: int, memo: dict[int, str | None] | None = None) -> str | None:
        """Kind of the section ``start`` lies in, from the nearest heading above it.

        ``memo`` maps line starts to their section for the lines already walked in this posting.
        """
        line_start = text.rfind("\n", 0, start) + 1
        if memo is not None and line_start in memo:
            return memo[line_start]
        # only a colon on the sentence's own line can name its section
        kind = _head_section(text[line_start:start]) if text.find(":", line_start, start) != -1 \
            else None
        if kind is not None:
            return kind
        visited = [line_start]
        kind = None
        pos = line_start - 1
        for _ in range(40):
            if pos <= 0:
                break
            prev_start = text.rfind("\n", 0, pos) + 1
            if memo is not None and prev_start in memo:
                kind = memo[prev_start]
                break
            kind = None if _never_section(text, prev_start, pos) \
                else _line_section(text[prev_start:pos])
            if kind is not None:
                break
            visited.append(prev_start)
            pos = prev_start - 1
        if memo is not None:
            for line in visited:
                memo[line] = kind
        return kind

    # ----------------------------------------------------------------------- main

    def _triggers(self, block: str, low: str) -> _Triggers:
        """Trigger hits of ``block`` (``low`` is its lower-cased form, of the same length).

        Every trigger word is found in one pass (``OccurrenceScan``: every occurrence of every
        word, as a ``str.find`` pass per word finds them); each word's action then turns its
        occurrences into hits.
        """
        acronyms = tuple(self._acronym_hits(block))
        hits: list[tuple[int, int, int]] = [(h[1], 0, 0) for h in acronyms]
        licences: list[int] = []
        lived_low: str | None = None
        actions = self.trigger_actions
        for index, i in self.trigger_scan.occurrences(low):
            for action, arg in actions[index]:
                if action == _ON_CERT:
                    hits.append((i, 0, 0))
                elif action == _ON_EDU:
                    hits.append((i, 1, 0))
                elif action == _ON_LICENCE:
                    licences.append(i)
                elif action == _ON_COURSE:
                    before = low[max(0, i - 12):i]
                    if any(w in before for w in _COURSE_TRIGGERS[arg][1]):
                        hits.append((i + 1, 0, 0))
                else:  # _ON_LIVED: the patterns read the text with apostrophes as spaces
                    if lived_low is None:
                        lived_low = low.replace("'", " ") if "'" in low else low
                    span = self.lived.match_at(arg, lived_low, i)
                    if span is not None:
                        hits.append((span[0], 2, span[1]))
        if not (hits or licences):
            return _NO_TRIGGERS
        licences.sort()
        return _Triggers(acronyms, tuple(hits), tuple(licences))

    def _trigger_words(self) -> dict[str, list[tuple[int, int]]]:
        """Each trigger word of ``_triggers`` with its actions as (``_ON_*``, argument)."""
        words: dict[str, list[tuple[int, int]]] = {}
        for word in (*_CERT_TRIGGERS, *self.name_triggers):
            words.setdefault(word, []).append((_ON_CERT, 0))
        for k, (needle, _before) in enumerate(_COURSE_TRIGGERS):
            words.setdefault(needle, []).append((_ON_COURSE, k))
        for word in _EDU_TRIGGERS:
            words.setdefault(word, []).append((_ON_EDU, 0))
        words.setdefault("licen", []).append((_ON_LICENCE, 0))
        for idx, trigger in enumerate(self.lived.triggers()):
            # The lived-experience patterns read the text with apostrophes as spaces: a
            # trigger's space may stand for an apostrophe of the text (a trigger holding an
            # apostrophe never matches there).
            if not trigger or "'" in trigger:
                continue
            variants = [""]
            for char in trigger:
                variants = [v + c for v in variants for c in ((" ", "'") if char == " " else char)]
            for variant in variants:
                words.setdefault(variant, []).append((_ON_LIVED, idx))
        return words

    @staticmethod
    def _block_scan(low: str, found: _Triggers) -> _BlockScan:
        """A block's scan from its trigger hits (``low``: the block, lower-cased)."""
        # The judgment on the block alone is final when its window lies inside the block, or
        # when the part inside already speaks of driving (the full window only adds text).
        size = len(low)
        licences = found.licences
        driving: tuple[int, ...] = ()
        undecided: tuple[int, ...] = ()
        if licences:
            driving = tuple(p for p in licences if _about_driving(low, p))
            undecided = tuple(
                p for p in licences if (p < 30 or p + 25 > size) and p not in driving
            )
        return _BlockScan(found.acronyms, found.hits, size, licences, driving, undecided, {})

    def _scan(self, low: str, found: _Triggers) -> _BlockScan:
        """A paragraph's scan (``low``: the paragraph, lower-cased); ``_NOTHING`` when nothing
        in it can make a sentence."""
        if found is _NO_TRIGGERS:
            return _NOTHING
        scan = self._block_scan(low, found)
        return scan if scan.hits or scan.driving or scan.undecided else _NOTHING

    def _paragraph_scans(
        self, paragraphs: list[str], text: str, low: str,
        known: list[_BlockScan | None] | None = None,
    ) -> list[_BlockScan]:
        """Scans of non-empty ``paragraphs`` (``_NOTHING`` when one has no hit), cached by text
        from a paragraph's second sighting on (see ``_keep``).

        Paragraphs not seen before are scanned together, in one pass over them joined by
        blank lines, and the hits are then dealt out by position: a scan's cost is mostly
        per call, not per character, and a new posting brings many new paragraphs at once.
        Dealt out, the hits are those of each paragraph alone (see :class:`_BlockScan`).
        ``text`` is the posting the paragraphs come from, ``low`` its lower-cased form: when
        every paragraph is new and none is empty, they joined are the posting itself.
        ``known``: the cache's scans of ``paragraphs`` (None where it has none) when the caller
        looked them up already.
        """
        cache = self._paragraph_cache
        if known is None:
            # only a paragraph whose slot is marked can be cached (see ``_keep``): the others,
            # most of a new posting, cost no probe of the large table (a paragraph cached before
            # the marks started afresh is missed once, then marked: the scan is the same)
            known = [
                cache.get(paragraph) if self._marked(_slot(paragraph)) else None
                for paragraph in paragraphs
            ]
        new = [i for i, scan in enumerate(known) if scan is None]
        if not new:
            return cast(list[_BlockScan], known)
        if len(cache) + len(new) > _PARAGRAPH_CACHE_SIZE:
            cache.clear()
        if len(new) == 1:  # the usual case once the cache is warm
            i = new[0]
            low = paragraphs[i].lower()
            known[i] = scan = self._scan(low, self._triggers(paragraphs[i], low))
            self._keep(paragraphs[i], scan)
            return cast(list[_BlockScan], known)
        if len(new) == len(paragraphs) and len(text) == len(low) \
                and sum(map(len, paragraphs)) + 2 * (len(paragraphs) - 1) == len(text):
            # no empty paragraph was left out (their lengths and the breaks add up to the
            # text's): the same text, not a copy
            joined, joined_low = text, low
        else:
            joined = "\n\n".join(paragraphs[i] for i in new)
            joined_low = joined.lower()
        found = self._triggers(joined, joined_low)
        starts: list[int] = []
        offset = 0
        for i in new:
            starts.append(offset)
            offset += len(paragraphs[i]) + 2
        # lists only for the few paragraphs with a hit (keyed by their place in ``new``)
        acronyms: dict[int, list[tuple[str, int, int]]] = {}
        hits: dict[int, list[tuple[int, int, int]]] = {}
        licences: dict[int, list[int]] = {}
        for code, a, b in found.acronyms:
            k = bisect.bisect_right(starts, a) - 1
            acronyms.setdefault(k, []).append((code, a - starts[k], b - starts[k]))
        for pos, kind, extra in found.hits:
            k = bisect.bisect_right(starts, pos) - 1
            hits.setdefault(k, []).append(
                (pos - starts[k], kind, extra - starts[k] if kind == 2 else extra)
            )
        for pos in found.licences:
            k = bisect.bisect_right(starts, pos) - 1
            licences.setdefault(k, []).append(pos - starts[k])
        for k, i in enumerate(new):
            if k not in hits and k not in licences:
                known[i] = _NOTHING
                self._keep(paragraphs[i], _NOTHING)
                continue
            block_low = joined_low[starts[k]:starts[k] + len(paragraphs[i])]
            found_k = _Triggers(
                tuple(acronyms.get(k, ())), tuple(hits.get(k, ())), tuple(licences.get(k, ()))
            )
            known[i] = scan = self._scan(block_low, found_k)
            self._keep(paragraphs[i], scan)
        return cast(list[_BlockScan], known)  # every None was filled in

    def _keep(self, paragraph: str, scan: _BlockScan) -> None:
        """Cache ``paragraph``'s scan if it was seen before, else mark it as seen once.

        A paragraph that stands in one posting only (most of a posting but its boilerplate)
        would fill the cache for nothing and push the repeated ones out; it costs one look-up
        in a small table instead. Two paragraphs may share a slot: the second is then cached
        at its first sighting, which changes nothing but the cache's content.
        """
        slot = _slot(paragraph)
        if self._marked(slot):
            self._paragraph_cache[paragraph] = scan
            return
        self._mark(slot)

    def _marked(self, slot: int) -> bool:
        """Is a paragraph of this ``slot`` marked as seen (see ``_keep``)?"""
        return (self._seen_once[slot >> 3] >> (slot & 7)) & 1 == 1

    def _mark(self, slot: int) -> None:
        """Mark a paragraph's ``slot`` as seen (the table starts afresh after ``_SEEN_LIMIT``
        marks)."""
        byte = self._seen_once[slot >> 3]
        bit = 1 << (slot & 7)
        if byte & bit:
            return
        if self._seen_marks >= _SEEN_LIMIT:
            self.forget_marks()
            byte = 0
        self._seen_once[slot >> 3] = byte | bit
        self._seen_marks += 1

    def forget_marks(self) -> None:
        """Start the table of paragraphs seen once afresh (as it does after ``_SEEN_LIMIT``
        marks)."""
        self._seen_once = bytearray(_SEEN_SLOTS >> 3)
        self._seen_marks = 0

    def _group(
        self,
        hits: list[tuple[int, int, int]],
        low: str,
        acronyms: Sequence[tuple[str, int, int]],
    ) -> list[_Stub]:
        """The sentences around ``hits`` (position, kind, extra) in ``low``, in order."""
        hits.sort()
        sentences: list[_Sentence] = []
        sent: _Sentence | None = None
        for pos, kind, extra in hits:
            if sent is None or not (sent.start <= pos < sent.end):
                sent = None
                for old in sentences[-3:]:
                    if old.start <= pos < old.end:
                        sent = old
                        break
                if sent is None:
                    s_start, s_end = self._span(low, pos)
                    sent = _Sentence(s_start, s_end, low[s_start:s_end])
                    sentences.append(sent)
            if kind == 0:
                sent.cert = True
            elif kind == 1:
                if sent.edu is None:
                    sent.edu = []
            elif kind == 2:
                if sent.lived is None:
                    sent.lived = []
                sent.lived.append((pos - sent.start, extra - sent.start))
            else:
                sent.lic = True
        starts = [h[1] for h in acronyms]
        stubs: list[_Stub] = []
        for sent in sentences:
            in_sentence: tuple[tuple[str, int], ...] = ()
            if sent.cert:
                lo = bisect.bisect_left(starts, sent.start)
                hi = bisect.bisect_left(starts, sent.end)
                in_sentence = tuple((h[0], h[1] - sent.start) for h in acronyms[lo:hi])
            stubs.append(_Stub(
                sent.start, sent.end, sent.text, sent.cert, in_sentence,
                tuple(sent.lived or ()), sent.edu is not None, sent.lic,
            ))
        return stubs

    def _sentences(self, text: str, low: str) -> list[tuple[int, tuple[_Stub, ...]]]:
        """Trigger sentences, in order, in groups of (offset, sentences of that paragraph).

        Paragraphs (text between blank lines) are scanned through a cache, and each brings its
        sentences ready, grouped once for the judgments of its "licen" near an edge: real
        postings repeat whole paragraphs (boilerplate), and a paragraph with no trigger costs
        one look-up. A posting neither of whose ends was seen before is taken for new: read
        whole, only its ends marked (see :func:`_end_paragraphs`). Otherwise a posting none of
        whose paragraphs was seen before (none is marked, see ``_keep``) has none in the cache:
        it is read whole, as the paragraphs joined give the same sentences (see
        :class:`_BlockScan`) without dealing hits out and grouping them paragraph by paragraph,
        and its paragraphs are marked as seen once. When lower-casing changed the text's length
        ("İ"), offsets in ``text`` and ``low`` differ and the text is scanned whole, as it is
        when the lived-experience patterns might reach across paragraphs.
        """
        if len(low) != len(text) or not self._by_paragraph:
            return self._whole_sentences(text, low)
        ends = _end_paragraphs(text)
        if not any(self._marked(_slot(p)) for p in ends):
            # neither end was seen before: the posting is taken for new and read whole, its
            # ends marked (see ``_end_paragraphs``)
            for paragraph in ends:
                self._mark(_slot(paragraph))
            return self._whole_sentences(text, low)
        paragraphs: list[str] = _PARAGRAPH_BREAK.split(text)
        present = [p for p in paragraphs if p]
        slots = [_slot(p) for p in present]
        marked = [k for k, slot in enumerate(slots) if self._marked(slot)]
        if not marked:
            for slot in slots:
                self._mark(slot)
            return self._whole_sentences(text, low)
        # only a marked paragraph can be in the cache (see ``_paragraph_scans``)
        cache = self._paragraph_cache
        known: list[_BlockScan | None] = [None] * len(present)
        known_size = 0
        for k in marked:
            scan = cache.get(present[k])
            if scan is not None:
                known[k] = scan
                known_size += len(present[k])
        if 2 * known_size < len(text):
            # the cache knows less than half of the text: reading the rest paragraph by
            # paragraph costs more than reading it all at once (about twice as much per
            # paragraph)
            return self._whole_sentences(text, low, paragraphs, known, slots)
        groups: list[tuple[int, tuple[_Stub, ...]]] = []
        scans = iter(self._paragraph_scans(present, text, low, known))
        start = 0
        for paragraph in paragraphs:
            if paragraph:
                scan = next(scans)
                if scan is not _NOTHING:
                    groups.append((start, self._paragraph_sentences(scan, low, start)))
            start += len(paragraph) + 2
        return groups

    def _whole_sentences(
        self, text: str, low: str, paragraphs: list[str] | None = None,
        known: list[_BlockScan | None] | None = None, slots: list[int] | None = None,
    ) -> list[tuple[int, tuple[_Stub, ...]]]:
        """:meth:`_sentences` of the text read whole, in one group.

        With ``paragraphs`` (the text split at its blank lines), ``known`` (the cache's scans of
        the non-empty ones, None where it has none) and ``slots`` (their seen-slots), the
        paragraphs are also noted as :meth:`_paragraph_scans` notes them: a marked one the
        cache lacks is seen a second time and its scan is cached, dealt out of the whole text's
        hits (those of the paragraph alone, see :class:`_BlockScan`); the others are marked.
        """
        found = self._triggers(text, low)
        whole = self._block_scan(low, found)
        hits = list(whole.hits)
        hits.extend((p, 3, 0) for p in whole.driving)
        groups = [(0, tuple(self._group(hits, low, whole.acronyms)))]
        if paragraphs is not None and known is not None and slots is not None:
            self._note_paragraphs(paragraphs, known, slots, found, low)
        return groups

    def _note_paragraphs(
        self, paragraphs: list[str], known: list[_BlockScan | None], slots: list[int],
        found: _Triggers, low: str,
    ) -> None:
        """Cache the scans of the marked paragraphs the cache lacks, mark the others (see
        :meth:`_whole_sentences`); ``found``: the whole text's trigger hits."""
        keep = [k for k, slot in enumerate(slots) if known[k] is None and self._marked(slot)]
        if len(self._paragraph_cache) + len(keep) > _PARAGRAPH_CACHE_SIZE:
            self._paragraph_cache.clear()
        start = 0
        k = 0
        for paragraph in paragraphs:
            if paragraph:
                if known[k] is None:
                    if k in keep:
                        self._keep(paragraph, self._dealt(found, low, start, len(paragraph)))
                    else:
                        self._mark(slots[k])
                k += 1
            start += len(paragraph) + 2

    def _dealt(self, found: _Triggers, low: str, start: int, size: int) -> _BlockScan:
        """The scan of the paragraph ``low[start:start + size]`` from the hits ``found`` in the
        whole text, as :meth:`_paragraph_scans` deals them out."""
        end = start + size
        hits = tuple(
            (p - start, kind, extra - start if kind == 2 else extra)
            for p, kind, extra in found.hits if start <= p < end
        )
        licences = tuple(p - start for p in found.licences if start <= p < end)
        if not hits and not licences:
            return _NOTHING
        acronyms = tuple(
            (code, a - start, b - start) for code, a, b in found.acronyms if start <= a < end
        )
        return self._scan(low[start:end], _Triggers(acronyms, hits, licences))

    def _paragraph_sentences(self, scan: _BlockScan, low: str, start: int) -> tuple[_Stub, ...]:
        """The trigger sentences of the paragraph ``scan`` at ``start`` in the posting ``low``."""
        judged = (
            tuple(_about_driving(low, start + p) for p in scan.undecided)
            if scan.undecided else ()
        )
        stubs = scan.groupings.get(judged)
        if stubs is None:
            local = list(scan.hits)
            local.extend((p, 3, 0) for p in scan.driving)
            local.extend(
                (p, 3, 0) for p, yes in zip(scan.undecided, judged, strict=True) if yes
            )
            stubs = tuple(self._group(local, low[start:start + scan.size], scan.acronyms))
            scan.groupings[judged] = stubs
        return stubs

    def extract(self, value: object, state: object, title: object) -> Certification:
        text = light_text(value, MAX_TEXT_CHARS)
        title_text = light_text(title, 400) if title is not None else ""
        low = text.lower()
        if not low or low.isspace():  # blank (``strip`` would copy the whole text to tell)
            return self._title_only(title_text, state, "")
        groups = self._sentences(text, low)
        if not any(stubs for _offset, stubs in groups):
            return self._title_only(title_text, state, low)

        memo: dict[int, str | None] = {}  # section kind per line, for this posting only
        # without a title the posting is assumed to be a peer posting (the caller is
        # normalizing peer postings); a non-peer title keeps generic sentences out
        peer_text = "peer" in low or self._title_is_peer(title_text)
        posting_peer = not title_text or peer_text
        credentials: set[str] = set()
        best = "none"
        days_found: list[int] = []
        cert_seen = False
        # (start, end) in ``text`` of the sentence that set ``best``, and of the first one that
        # spoke of a peer credential (the evidence of a "none")
        decided: tuple[int, int] | None = None
        first_seen: tuple[int, int] | None = None
        lived = False
        edu_levels: list[str] = []
        license_required = False
        context = (posting_peer, peer_text)
        for offset, stubs in groups:
            for stub in stubs:
                key = context if stub.cert else None
                if stub.memo_key == key:
                    facts = stub.memo_facts
                else:
                    facts = self._facts(
                        stub.text, (stub.acronyms, *context) if stub.cert else None,
                        stub.lived, stub.edu, stub.lic,
                    )
                    stub.memo_key, stub.memo_facts = key, facts
                if facts is None:  # no words
                    continue
                do_lived = bool(stub.lived) and not lived
                do_license = stub.lic and not license_required
                # The section is read at most once per sentence and only when a part needs
                # it: the per-posting memo it fills can change later sentences' sections.
                section: str | None = None
                if (
                    (stub.cert and facts.cert_level is None)
                    or (do_lived and facts.lived_reads_section)
                    or (stub.edu and facts.edu_reads_section)
                    or (do_license and facts.license_required is None)
                ):
                    section = self._section(text, offset + stub.start, memo)
                if stub.cert:
                    level = facts.cert_level
                    if level is None:
                        level = (
                            facts.cert_default if section is None
                            else _SECTION_LEVEL.get(section, "none")
                        )
                    days = facts.cert_days
                    credentials.update(facts.codes)
                    if facts.relevant or (facts.cert_level is None and level != "none"):
                        cert_seen = True
                        if first_seen is None:
                            first_seen = (offset + stub.start, offset + stub.end)
                        if level != "required_within":
                            carried = self._next_deadline(low, offset + stub.end)
                            if carried is not None:
                                level, days = "required_within", carried
                        if _RANK[level] > _RANK[best]:
                            best = level
                            decided = (offset + stub.start, offset + stub.end)
                        if level == "required_within" and days is not None:
                            days_found.append(days)
                if do_lived:
                    lived = facts.lived_required or (
                        facts.lived_reads_section and section == "req"
                    )
                if stub.edu:
                    edu_levels.extend(
                        facts.edu_in_pref_section if section == "pref" else facts.edu_otherwise
                    )
                if do_license:
                    license_required = (
                        facts.license_required
                        if facts.license_required is not None
                        else section == "req"
                    )

        evidence: str | None = None
        if not cert_seen:
            fallback = self._title_only(title_text, state, low)
            if fallback.cert_requirement != "none":
                best = fallback.cert_requirement
                credentials.update(fallback.credentials)
                evidence = fallback.evidence
        span = decided or first_seen
        if evidence is None and span is not None:
            evidence = _evidence(text[span[0]:span[1]])
        if not self.variant_codes.isdisjoint(credentials):
            # state-specific meanings (CPRS in Ohio): the state is looked for in the text only
            # for the postings that name such a credential
            eff_state = self._given_state(state) or self._named_state(credentials, low)
            for code in [c for c in credentials if c in self.variant_codes]:
                mapped = self.state_codes[code].get(eff_state) if eff_state else None
                if mapped is not None or not self.variants[code].isdisjoint(credentials):
                    credentials.discard(code)
                    if mapped is not None:
                        credentials.add(mapped)
        within_days = min(days_found) if best == "required_within" and days_found else None
        min_edu: str | None = None
        levels = [lv for lv in edu_levels if lv != "none"]
        if levels:
            min_edu = min(levels, key=EDUCATION_LEVELS.index)
        elif "none" in edu_levels:
            min_edu = "none"
        # positional: keywords cost a third more through the dataclass's interpreted __init__
        return Certification(
            best, within_days, tuple(sorted(credentials)), lived, min_edu, license_required,
            evidence,
        )

    # ----------------------------------------------------------------------- helpers

    @staticmethod
    def _given_state(state: object) -> str | None:
        if isinstance(state, str):
            st = state.strip().upper()
            if len(st) == 2 and st.isalpha():
                return st
        return None

    def _named_state(self, codes: set[str], low: str) -> str | None:
        """The state a posting names, among those where one of ``codes`` has its own meaning."""
        for code in codes:
            for name, st in self.state_names_for.get(code, ()):
                if name in low:
                    return st
        return None

    def _state(self, state: object, low: str) -> str | None:
        if isinstance(state, str):
            st = state.strip().upper()
            if len(st) == 2 and st.isalpha():
                return st
        for name, code in self.state_names.items():
            if name in low:
                return code
        return None

    def _map_state(self, code: str, state: str | None) -> str:
        if state is None:
            return code
        return self.state_codes.get(code, {}).get(state, code)

    @staticmethod
    def _title_is_peer(title: str) -> bool:
        if not title:
            return False
        return _classify_title(title).is_peer

    def _title_only(self, title: str, state: object, low: str) -> Certification:
        """When the text states nothing, a title naming a peer credential means it is required."""
        if not title:
            return _EMPTY
        codes = self._title_codes(title)
        if not codes:
            return _EMPTY
        eff = self._state(state, low)
        mapped = tuple(sorted({self._map_state(c, eff) for c in codes}))
        return Certification("required", None, mapped, False, None, False, _evidence(title))

    def _title_codes_uncached(self, title: str) -> frozenset[str]:
        """Peer credentials a title names (cached as ``_title_codes``: titles repeat)."""
        sent = _Sentence(0, len(title), title.lower().replace("'s", "s'"))
        sent.tokenize()
        codes = {m[0] for m in self._phrase_mentions(sent.words or [])}
        for code, _a, _b in self._acronym_hits(title):
            if code not in self.needs_context:
                codes.add(code)
        return frozenset(codes)

    def _sentence_facts(
        self,
        sentence: str,
        cert_context: _CertContext | None,
        lived: tuple[tuple[int, int], ...],
        edu: bool,
        lic: bool,
    ) -> _SentenceFacts | None:
        """Everything one sentence states; None when it has no words (cached as ``_facts``).

        ``sentence`` is lower-cased; ``cert_context`` (acronym hits, state, peer flags) is given
        when the sentence has a certification trigger, ``lived`` holds the lived-experience
        phrase spans, ``edu`` and ``lic`` tell whether education or licence triggers occur.
        """
        sent = _Sentence(0, len(sentence), sentence)
        sent.tokenize()
        words = sent.words or []
        if not words:
            return None
        sent.cues = _cues(words)
        level: str | None = "none"
        days: int | None = None
        codes: set[str] = set()
        relevant = False
        if cert_context is not None:
            sent.cert = True
            acronyms, posting_peer, peer_text = cert_context
            level, days, codes, relevant = self._cert_sentence(
                sent, acronyms, posting_peer, peer_text
            )
        lived_section, lived_required = False, False
        if lived:
            sent.lived = list(lived)
            lived_section, lived_required = self._lived_sentence(sent)
        edu_section = False
        edu_pref: tuple[str, ...] = ()
        edu_other: tuple[str, ...] = ()
        if edu:
            sent.edu = []
            edu_section, edu_pref, edu_other = self._edu_sentence(sent)
        license_required: bool | None = False
        if lic:
            sent.lic = True
            license_required = self._license_sentence(sent)
        facts = _SentenceFacts(
            level, days, frozenset(codes), relevant, lived_section, lived_required,
            edu_section, edu_pref, edu_other, license_required,
        )
        if level is None and cert_context is not None and self._holds_start(words):
            facts.cert_default = "required"
        return facts

    def _cert_sentence(
        self,
        sent: _Sentence,
        acronyms: tuple[tuple[str, int], ...],
        posting_peer: bool,
        peer_text: bool,
    ) -> tuple[str | None, int | None, set[str], bool]:
        """(level, days, credential codes, relevant) of a sentence naming certification.

        ``acronyms`` are the sentence's acronym hits as (code, offset in the sentence). A level
        of None means the sentence states no strength and its section heading decides.
        """
        words = sent.words or []
        sentence = sent.text
        mentions = self._phrase_mentions(words, sent)
        anchors: list[int] = [m[1] for m in mentions]
        codes = {m[0] for m in mentions}
        has_context = (
            "peer" in sentence or "recover" in sentence or "certif" in sentence
            or "credential" in sentence or peer_text
        )
        refused: dict[str, bool] = {}  # acronym code -> its sentence says it means something else
        for code, a_offset in acronyms:
            if code in self.needs_context and not has_context:
                continue
            if code not in refused:
                not_ctx = self.not_context.get(code)
                refused[code] = not_ctx is not None and not_ctx.search(sentence) is not None
            if refused[code]:
                continue
            codes.add(code)
            if len(anchors) < 8:  # a few anchors decide the strength; more only cost time
                anchors.append(sent.word_at(a_offset))
        plain = sentence.replace("'", "")
        for code, hints, pattern in self.patterns:
            for hint in hints:
                if hint in plain:
                    m = pattern.search(plain)
                    if m:
                        codes.add(code)
                        # "Veterans eligible under 38 U.S.C. 7402(b)(13) must have spent ..." cites
                        # the statute for eligibility: it asks for no credential
                        if "certif" in plain or "credential" in plain:
                            anchors.append(len(plain[: m.start()].split()))
                    break
        nonpeer = self._nonpeer_spans(words)
        in_nonpeer: set[int] = set()
        for a, b in nonpeer:
            in_nonpeer.update(range(a, b))
        n = len(words)
        cert_words = [
            i for i, w in enumerate(words)
            if w[:1] == "c" and w.startswith(_CERT_PREFIXES) and i not in in_nonpeer
            and w not in _CERTIFY_VERBS
            and not (w == "certified" and i + 1 < n and words[i + 1] in _STAFF_WORDS)
        ]
        # anchors naming a course rather than the credential are weak
        weak = {
            a for a in anchors + cert_words if not _TRAINING_WORDS.isdisjoint(words[a + 1:a + 4])
        }
        for i in cert_words:
            before = words[max(0, i - 3):i]
            # "except for the certification" lets it be obtained later (see _within)
            if not _WEAK_BEFORE.isdisjoint(before) and "except" not in before:
                weak.add(i)
        for _code, m_start, m_end in mentions:
            if m_end < n and words[m_end] in _TRAINING_WORDS:
                weak.add(m_start)
            else:
                # a role in its certified form starts at "certified" ("certified peer supporters")
                first = m_start - 1 if m_start and words[m_start - 1] in _CERT_BEFORE else m_start
                if self._describes_holders(words, first, m_end, sent):
                    weak.update(range(first, m_end))
        strong = [a for a in anchors if a not in weak]
        strong_cert = [i for i in cert_words if i not in weak]
        stated, days = (
            (False, None) if _DEADLINE_WORDS.isdisjoint(words) else _deadline_days(sentence)
        )
        level, level_days, relevant = self._credential_level(
            sent, anchors, cert_words, strong, strong_cert, nonpeer, in_nonpeer,
            posting_peer, stated, days,
        )
        trainings = self._peer_trainings(words, in_nonpeer)
        if trainings:
            t_level, t_days = self._training_level(sent, trainings[0], stated, days)
            if level is None or (level == "none" and not relevant):
                if t_level != "none":
                    # a course whose section decides counts only if the section requires it
                    # (see ``extract``): a "Benefits" line must not hide the title's credential
                    level, level_days = t_level, t_days
                    relevant = relevant or t_level is not None
            elif t_level is not None and _RANK[t_level] > _RANK[level]:
                level, level_days, relevant = t_level, t_days, True
        return level, level_days, codes, relevant

    def _credential_level(
        self,
        sent: _Sentence,
        anchors: list[int],
        cert_words: list[int],
        strong: list[int],
        strong_cert: list[int],
        nonpeer: list[tuple[int, int]],
        in_nonpeer: set[int],
        posting_peer: bool,
        stated: bool,
        days: int | None,
    ) -> tuple[str | None, int | None, bool]:
        """(level, days, relevant) the sentence states for a credential it names or a
        certification it speaks of; level None: the section heading decides."""
        words = sent.words or []
        cues = sent.cues or []
        sentence = sent.text
        n = len(words)
        if not strong and not strong_cert and not (stated and (anchors or cert_words)):
            return "none", None, bool(anchors)
        if not anchors:
            peer_cues = [
                i for i, w in enumerate(words)
                if i not in in_nonpeer and (
                    w in ("peer", "peers")
                    or (w == "recovery" and i + 1 < n
                        and words[i + 1] in ("coach", "specialist", "support", "peer", "mentor"))
                )
            ]
            pool = strong_cert or cert_words
            if peer_cues:
                anchor = min(pool, key=lambda i: min(abs(i - p) for p in peer_cues))
            elif posting_peer and not nonpeer:
                anchor = pool[0]
            else:
                return "none", None, False
            anchors = [anchor]
        anchor = min(strong or anchors)
        kinds = {c.kind for c in cues}
        if "?" in sentence and "req" not in kinds and "pref" not in kinds:
            # a screening question about the applicant's credential asks for it; one about
            # obtaining it ("Are you willing to obtain ... within six months of hire?") accepts
            # candidates who will
            if self._within(words, anchors, cert_words, nonpeer, stated, sentence):
                return "required_within", days if stated else None, True
            return ("required" if _asks_status(sentence) else "none"), None, True
        if "certified" in sentence:
            m = _UNCERTIFIED_RE.search(sentence)
            if m is not None and _NEGATED_RE.search(m.group("mid")) is None:
                return "required_within", days if stated else None, True
        if "neg" in kinds and "req" not in kinds:
            return ("preferred" if "pref" in kinds else "none"), None, True
        if self._within(words, anchors, cert_words, nonpeer, stated, sentence):
            return "required_within", days if stated else None, True
        if not strong and not strong_cert:
            return "none", None, True
        kind = _nearest(cues, anchor, sent)
        if kind is None:
            if "applicable" not in sentence and _PROOF_RE.search(sentence):
                return "required", None, True  # "Please upload proof of your certification"
            return None, None, True  # the section heading decides
        if kind == "req":
            return "required", None, True
        if kind == "pref":
            return "preferred", None, True
        return "none", None, True

    def _holds_start(self, words: list[str]) -> bool:
        """Does the sentence open with holding a credential ("Holds a current CPRS credential",
        "Possession of a Peer Specialist certificate")? See ``_HOLD_START``."""
        if not words or words[0] not in _HOLD_START:
            return False
        for w in words[1:7]:
            if w in _HOLD_FILLER:
                continue
            return (
                w.startswith(_CERT_PREFIXES) or w in self.prefixes
                or w.upper() in self.acronyms
            )
        return False

    @staticmethod
    def _describes_holders(words: list[str], start: int, end: int, sent: _Sentence) -> bool:
        """Does the plural credential ``words[start:end]`` open its clause as the subject of
        what holders do ("Certified Peer Recovery Supporters ... must complete 16 hours")?"""
        if not words[end - 1].endswith("s"):
            return False
        if start:
            clauses = sent.clauses
            if start >= len(clauses) or clauses[start - 1] == clauses[start]:
                return False
        if not _DIRECT_CUES.isdisjoint(words[end:end + 2]):
            return False  # "Certified Peer Specialists preferred", "... or eligible"
        return not _HOLDER_VERBS.isdisjoint(words[end:end + 10])

    @staticmethod
    def _peer_trainings(words: list[str], in_nonpeer: set[int]) -> list[int]:
        """Word indexes of named peer trainings that the sentence could require."""
        found: list[int] = []
        for i in [i for i, w in enumerate(words) if w in _COURSE_WORDS]:
            lo = max(0, i - 4)
            before = words[lo:i]
            if _PEER_COURSE_WORDS.isdisjoint(before) and not (
                "specialist" in before and ("peer" in words[max(0, i - 6):i]
                                            or "recovery" in words[max(0, i - 6):i])
            ):
                continue
            if any(k in in_nonpeer for k in range(lo, i)):
                continue  # Intentional Peer Support, WRAP ...
            if not _ENROL_WORDS.isdisjoint(words[max(0, i - 8):i]):
                continue
            found.append(i)
        return found

    @staticmethod
    def _training_level(
        sent: _Sentence, at: int, stated: bool, days: int | None
    ) -> tuple[str | None, int | None]:
        """(level, days) a sentence states for the named peer training at word ``at``; level
        None: the section heading decides (a bare named training, its hours before it, under
        "Minimum Requirements")."""
        words = sent.words or []
        cues = sent.cues or []
        sentence = sent.text
        kinds = {c.kind for c in cues}
        if "?" in sentence and "req" not in kinds and "pref" not in kinds:
            return ("required" if _asks_status(sentence) else "none"), None
        if stated:
            return "required_within", days
        if not _ABLE_WORDS.isdisjoint(words[max(0, at - 10):at]):
            return "required_within", None  # "Ability to attend ... Peer Specialist training"
        if not _DUTY_WORDS.isdisjoint(words[max(0, at - 8):at]):
            return "none", None
        if "neg" in kinds and "req" not in kinds:
            return ("preferred" if "pref" in kinds else "none"), None
        kind = _nearest(cues, at, sent)
        if kind == "req":
            return "required", None
        if kind == "pref":
            return "preferred", None
        if kind is None and any(w.startswith("complet") for w in words[:4]):
            return "required", None  # "Completion of ...", "Successfully complete ..."
        return (None if kind is None else "none"), None

    @staticmethod
    def _within(
        words: list[str],
        anchors: list[int],
        cert_words: list[int],
        nonpeer: list[tuple[int, int]],
        stated: bool,
        sentence: str,
    ) -> bool:
        """Does the sentence let the credential be obtained after hire?"""
        targets = anchors + cert_words
        for i in [i for i, w in enumerate(words) if w in _WITHIN_WORDS]:
            w = words[i]
            # a non-peer credential between the cue and the credential owns the cue
            if any(min(i, anchors[0]) < a < max(i, anchors[0]) for a, _b in nonpeer):
                continue
            if w in _GOAL_VERBS:
                if not any(0 <= x - i <= 10 for x in targets) and not (
                    i + 1 < len(words) and words[i + 1] in _BACK_OBJECTS
                    and any(0 < i - x <= 12 for x in targets)
                ):
                    continue
                if w in ("complete", "completing") and not stated:
                    continue
                if w in _LOOSE_GOALS and not stated and not (
                    i + 1 < len(words) and words[i + 1].startswith(_CERT_PREFIXES)
                ):
                    continue
                if (i + 3 < len(words) and words[i + 2] == "by"
                        and words[i + 3].endswith("ing")):
                    continue  # "peers become certified by completing ...": how, not when
            if w in ("eligible", "eligibility") and not any(-2 <= x - i <= 5 for x in targets):
                continue  # "eligible to receive appointment" is not about the credential
            if w.startswith("provisional") and not any(
                x.startswith(("accept", "consider", "allow")) or x in ("ok", "okay") for x in words
            ):
                continue
            return True
        if stated and (
            any(w in _GOAL_VERBS or w.startswith(_CERT_PREFIXES) for w in words)
            # a named credential with a time limit counted from hire needs no verb: "CRPA or
            # CRPA-P within 90 days of hire", "CPRS required within 12 months of hire"
            or (anchors and _HIRE_DEADLINE_RE.search(sentence) is not None)
        ):
            return not nonpeer or any(a >= b for a in anchors for _x, b in nonpeer)
        if "except" in words:
            # "meets all the qualifications ... except for the certification"
            e = words.index("except")
            if any(0 < x - e <= 4 for x in cert_words):
                return True
        return "if not" in sentence and "certified" in sentence

    def _next_deadline(self, low: str, end: int) -> int | None:
        """Days from a bare deadline sentence right after a credential sentence, e.g.
        "Certified Peer Specialist preferred. If not certified, must obtain within 6 months."."""
        nxt = end
        n = len(low)
        while nxt < n and low[nxt] in " \n\t":
            nxt += 1
        if nxt >= n:
            return None
        if not _deadline_hint(low, nxt):
            return None
        s, e = self._span(low, nxt)
        return self._bare_deadline(low[s:e])

    def _bare_deadline_uncached(self, sentence: str) -> int | None:
        """Days of a deadline sentence naming no credential (cached as ``_bare_deadline``)."""
        if not any(v in sentence for v in ("obtain", "certif", "become", "achieve", "acquire")):
            return None
        sent = _Sentence(0, len(sentence), sentence.replace("'s", "s'"))
        sent.tokenize()
        words = sent.words or []
        if self._phrase_mentions(words) or self._nonpeer_spans(words):
            return None
        stated, days = _deadline_days(sentence)
        return days if stated else None

    @staticmethod
    def _lived_sentence(sent: _Sentence) -> tuple[bool, bool]:
        """(reads the section, a lived-experience phrase is required by a cue).

        Phrases are read in order: a required one decides; one without a cue is required when
        the section is a requirements section, so the section is read (and the answer is True
        when it is "req") only when such a phrase comes before the first required one.
        """
        words = sent.words or []
        reads_section = False
        for a, b in sent.lived or []:
            found = sent.text[a:b]
            if ("identif" in found or "disclose" in found) and _EEO_RE.search(sent.text):
                continue
            kind = _nearest(sent.cues or [], sent.word_at(a), sent)
            if kind == "req":
                return reads_section, True
            if kind in ("pref", "neg"):
                continue
            if words:
                reads_section = True
        return reads_section, False

    @staticmethod
    def _edu_sentence(sent: _Sentence) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        """(reads the section, levels required in a "pref" section, levels required otherwise).

        A level without a cue is required unless its section is a preferences section.
        """
        in_pref: list[str] = []
        otherwise: list[str] = []
        reads_section = False
        cues = sent.cues or []
        substitute = any(c.kind == "sub" for c in cues)
        for m in _EDU_RE.finditer(sent.text):
            level = m.lastgroup or ""
            if level == "none":
                in_pref.append("none")
                otherwise.append("none")
                continue
            if substitute and level in ("bachelor", "master", "associate"):
                continue
            kind = _nearest(cues, sent.word_at(m.start()), sent)
            if kind is None:
                reads_section = True
                otherwise.append(level)
            elif kind == "req":
                in_pref.append(level)
                otherwise.append(level)
        return reads_section, tuple(in_pref), tuple(otherwise)

    @staticmethod
    def _license_sentence(sent: _Sentence) -> bool | None:
        """Is a driver's licence required? None: when the section is a requirements section."""
        m = _LICENSE_RE.search(sent.text)
        if m is None:
            return False
        anchor = sent.word_at(m.start())
        kind = _nearest(sent.cues or [], anchor, sent)
        if kind == "req":
            return True
        if kind in ("pref", "neg"):
            return False
        words = sent.words or []
        if any(w in _LICENSE_VALID for w in words[max(0, anchor - 4):anchor + 1]):
            return True
        return None


_DEFAULT: _Extractor | None = None


def _extractor() -> _Extractor:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = _Extractor(load_credentials(), load_taxonomy())
    return _DEFAULT


def extract_certification(
    text: object, *, state: object = None, title: object = None
) -> Certification:
    """Read peer-certification and other hiring requirements from a posting's description.

    ``state`` (2-letter code) resolves state-specific acronyms (CPRS in Ohio); ``title`` gives
    context (a peer title makes generic "certification required" sentences count, and a title
    that names a peer credential means it is required when the text says nothing). Never
    raises; every field stays inside its vocabulary.
    """
    try:
        return _extractor().extract(text, state, title)
    except Exception:  # pragma: no cover - defensive: extraction must never break a build
        return _EMPTY


__all__ = [
    "EDUCATION_LEVELS", "EVIDENCE_CHARS", "REQUIREMENTS", "Certification", "extract_certification",
]
