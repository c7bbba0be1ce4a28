"""Map raw job titles onto the peer-role taxonomy (``normalize/data/taxonomy.yaml``).

Pipeline for one title (each step is data-driven; see the YAML file's header):

1. :func:`clean_title` removes requisition numbers, pay, shifts and hours, employment types,
   languages, grade levels and credential suffixes, splits the title at " - ", " | ", ", ",
   "/", "(...)", " at ", " for " and keeps the part that carries the role. Family keywords
   found in the dropped parts ("... - Worcester Respite") are kept in front as qualifiers.
2. Hard negatives are tried first, on the whole raw title ("WIC Breastfeeding Peer Counselor").
3. A title without any peer-role word (Registered Nurse) stops here as ``no_match``.
4. Credential acronyms are expanded ("CRPA" -> "certified recovery peer advocate"); the
   ambiguous ones (CPS, CPC, CRM ...) only next to a peer word.
5. The longest alias that occurs as a whole phrase in the cleaned title wins (``alias``);
   otherwise rapidfuzz ``token_sort_ratio`` against every alias with the taxonomy's cut-off
   (``fuzzy``), which also catches scrambled word order ("Specialist Recovery Support Peer").
6. A family keyword beats the family of the matched alias, by ``family_precedence``.
7. Ambiguous aliases ("Recovery Specialist", "Peer Mentor") are peer roles only with
   lived-experience language in the description.

Results are cached per raw title and per cleaned title (real data repeats titles heavily); the
description is looked at only for ambiguous titles, in one pass of the negatives and one of the
lived-experience triggers (Aho-Corasick).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process

from normalize.taxonomy import Taxonomy, TitleEntry, flatten, load_taxonomy
from normalize.textutil import (
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    OccurrenceScan,
    TriggeredPatterns,
    as_text,
    light_text,
    plain_text,
)

#: Every value ``TitleMatch.match`` can take: how the title was decided.
#:
#: - ``alias``: an exact taxonomy alias (or one with up to two words between "peer" and its head
#:   noun) decided is_peer and the family;
#: - ``acronym``: the same, after expanding a credential acronym (CRPA, CPRS ...);
#: - ``fuzzy``: the closest alias by rapidfuzz, ``title_score`` is its score;
#: - ``rule``: an alias made it a peer role, but a program or setting named in the title decided
#:   the family over the alias's own ("Peer Specialist - Outpatient Substance Use Disorder
#:   Program" -> recovery_coach_sud; "Recovery Coach Supervisor" -> peer_supervisor), or settled
#:   an ambiguous peer title ("Peer Counselor - Substance Use"); ``TitleMatch.rule`` names it;
#: - ``negative``: a hard-negative rule decided it is not a peer role (peer review, PACU, police
#:   peer support ...); ``TitleMatch.rule`` names which;
#: - ``ambiguous_lived_experience``: the lived-experience rule: an ambiguous title ("Recovery
#:   Specialist") made a peer role by lived-experience language in the description;
#: - ``ambiguous_no_evidence``: an ambiguous title without that language: not a peer role;
#: - ``no_match``: no peer-role word; ``empty``: no title.
MATCH_KINDS: Final[tuple[str, ...]] = (
    "alias",
    "acronym",
    "fuzzy",
    "rule",
    "negative",
    "ambiguous_lived_experience",
    "ambiguous_no_evidence",
    "no_match",
    "empty",
)


@dataclass(frozen=True)
class TitleMatch:
    """How one job title maps onto the peer-role taxonomy."""

    is_peer: bool
    """True when the title is a peer role (hired for lived experience)."""
    role_family: str | None
    """Family code (e.g. ``"recovery_coach_sud"``); None when ``is_peer`` is False."""
    role_title: str | None
    """Canonical title (e.g. ``"Peer Support Specialist"``); None when ``is_peer`` is False."""
    title_score: float
    """0-100: 100 for an alias or acronym hit, the rapidfuzz score for a fuzzy hit, 0 when
    nothing matched (negatives score 0)."""
    match: str
    """How the title was decided, one of :data:`MATCH_KINDS`."""
    title_clean: str
    """The cleaned title the taxonomy was matched against (for auditing the taxonomy)."""
    rule: str | None = None
    """The rule that decided, when one did: ``"negative:<name>"`` for a hard negative,
    ``"family:<code>:<keyword>"`` for a program or setting keyword that decided the family
    (also under ``ambiguous_lived_experience`` when it moved the family); None otherwise."""


# --------------------------------------------------------------------------- cleaning patterns

_PAY = re.compile(
    r"\$\s?\d[\d,]*(?:\.\d+)?\s*[kK]?(?:\s*(?:-|to)\s*\$?\s?\d[\d,]*(?:\.\d+)?\s*[kK]?)?"
    r"(?:\s*(?:/|per|an?)\s*(?:hr|hour|h|yr|year|annually|annual|week|wk|month|mo)\b)?"
    r"|\b(?:sign[- ]?on|signing|hiring|retention|referral|relocation|starting|shift)\s+"
    r"(?:bonus(?:es)?|incentives?|differential|expense reimbursement|expenses?|reimbursement|assistance)\b"
    r"|\b(?:bonus(?:es)?|reimbursement|up to|plus benefits|increased pay|new pay|pay increase|"
    r"competitive pay|great pay|weekly pay|daily pay|now hiring|urgently hiring|hiring immediately|"
    r"immediate (?:opening|need|hire)|apply (?:today|now))\b",
    re.IGNORECASE,
)
_REQ = re.compile(
    r"(?i:\b(?:req(?:uisition)?|job|position|posting|vacancy|ref(?:erence)?|pcn|recruitment|opening)"
    r"\s*(?:id|code|number|no\.?|#)?\s*[:#]?\s*(?=[A-Za-z]*[\d#])[A-Za-z]*\s?-?\s?[\d#][\w#/-]*)"
    r"|#\s*\d[\w-]*"
    r"|\bGS[- ]?\d[\d/ -]*\d\b|\bGS[- ]?\d+\b"
    r"|\b[A-Z]{1,5}-?\d{2,}[\w-]*\b"
    r"|\b\d+[\d-]*\d\b|\b\d\b",
)
_TIME_WORDS = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:hours?|hrs?)\b(?:\s*(?:/|per|a)\s*(?:week|wk))?|\b(?:hours?|hrs?)\b"
    r"(?:\s*(?:/|per|a)\s*(?:week|wk))?"
    r"|\b\d*(?:\.\d+)?\s*fte\b"
    r"|\b(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.))"
    r"|\b(?:1st|2nd|3rd|first|second|third|day|night|evening|overnight|weekend|swing|graveyard|"
    r"rotating|split|mid|variable|flexible)\s+shifts?\b|\bshifts?\b"
    r"|\b(?:days|nights|evenings|overnights?|weekends?|weekdays?|noc)\b"
    r"|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*(?:-|to|through|thru)\s*(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b"
    r"|\b(?:full|part)[- ]?time\b|\b(?:ft|pt|prn|per diem|on[- ]call|temporary|temp|seasonal|casual|"
    r"relief|float|extra[- ]help|limited[- ]term|fixed[- ]term|contract(?:or)?|w-?2|remote|hybrid|"
    r"on[- ]?site|in[- ]person|telework|telecommute|regular|permanent|benefits?[- ]eligible|"
    r"benefited|non[- ]benefited|intermittent|internship|as needed|not to exceed|nte)\b",
    re.IGNORECASE,
)
_LANGUAGE = re.compile(
    r"\bbilingual\b|\b(?:spanish|english|french|vietnamese|mandarin|cantonese|chinese|korean|russian|"
    r"arabic|somali|hmong|haitian creole|creole|portuguese|tagalog|asl|american sign language|navajo|"
    r"punjabi|hindi|japanese|farsi|swahili)(?:[- ](?:speaking|speaker|preferred|required))?\b",
    re.IGNORECASE,
)
_GRADE = re.compile(
    r"\b(?:level|lvl|tier|grade|step|band|class)\s*(?:[ivx]{1,4}|\d{1,2}|[a-c])\b"
    r"|\b(?:trainee|trainees|in training|provisional)\b",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"(?<![\w-])(?:I{1,3}|IV|VI?)(?![\w-])")
_SEPARATORS = re.compile(
    r"\s+[-|/]+\s+|[|/()\[\]{}:;,@]|\s-(?=\S)|(?<=\S)-\s|\s+(?:at|for)\s+|\*+|!+", re.IGNORECASE
)
_DANGLING = re.compile(r"^(?:and|or|&|the|of|-|\.)\s+|\s+(?:and|or|&|the|of|-|\.)$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_HEAD_NOUNS: Final[frozenset[str]] = frozenset(
    {"specialist", "coordinator", "supervisor", "coach", "advocate", "mentor", "navigator",
     "worker", "counselor", "partner", "manager", "director", "lead", "provider"}
)
_KEEP_UPPER: Final[frozenset[str]] = frozenset(
    {"VA", "ED", "ER", "TAY", "HIV", "ACT", "FACT", "ACCS", "CCBHC", "SUD", "MH", "BH", "OMH",
     "NYC", "NY", "NC", "US", "USA", "EASA", "ICM", "HUD", "VASH", "HUD-VASH", "CORE", "IOP",
     "MAT", "OTP", "DD", "IDD", "AOD", "CSU", "PRN"}
)
_CACHE_LIMIT: Final[int] = 200_000


def _bigrams(text: str) -> set[tuple[str, str]]:
    words = text.split()
    return set(itertools.pairwise(words))


@dataclass(frozen=True)
class _Cleaned:
    display: str
    """Human-readable cleaned title, qualifiers first."""
    qualifiers: tuple[str, ...]
    """Flattened family keywords taken from the dropped parts of the title."""
    trailing: tuple[str, ...] = ()
    """Those of ``qualifiers`` found in parts after the role ("Peer Specialist - Worcester
    Respite"): a program or setting, not a prefix of the role's own name."""


@dataclass(frozen=True)
class _Resolved:
    result: TitleMatch
    """The answer when no description evidence is needed (or when there is none)."""
    with_evidence: TitleMatch | None
    """For ambiguous titles: the answer when the description has lived-experience language."""


@dataclass(frozen=True)
class _AliasHit:
    entry: TitleEntry
    alias: str
    score: float
    kind: str  # "alias" | "fuzzy"


class _Matcher:
    """Compiled form of one taxonomy plus the per-title caches."""

    def __init__(self, tax: Taxonomy) -> None:
        self.tax = tax
        self.alias_entry: dict[str, TitleEntry] = {}
        for entry in tax.entries():
            for alias in entry.aliases:
                self.alias_entry[alias] = entry
        self.alias_list: list[str] = sorted(self.alias_entry, key=lambda a: (-len(a.split()), a))
        self.max_alias_len = max(len(a.split()) for a in self.alias_list)
        # gapped "peer ... <head>" aliases, e.g. "peer housing specialist" -> "peer specialist"
        self.peer_pairs: dict[str, str] = {
            a.split()[1]: a for a in self.alias_list
            if len(a.split()) == 2 and a.startswith("peer ") and not self.alias_entry[a].ambiguous
        }
        supervisor_words = {w for kw in tax.family("peer_supervisor").keywords for w in kw.split()}
        generic = set(tax.generic_words) | supervisor_words
        self.anchors: frozenset[str] = frozenset(
            w for a in self.alias_list for w in a.split() if w not in generic
        )
        self.noise: frozenset[str] = frozenset(tax.noise_words)
        # acronyms: unambiguous ones first so that the regex prefers e.g. CRPA-P over CRPA
        codes = sorted((a.code for a in tax.acronyms), key=len, reverse=True)
        self.acronym_re = re.compile(
            r"(?<![A-Za-z0-9&-])(" + "|".join(re.escape(c) for c in codes) + r")(?![A-Za-z0-9&])"
        )
        self.acronyms = {a.code: a for a in tax.acronyms}
        self.upper_words = frozenset(_KEEP_UPPER | set(self.acronyms))
        # negatives
        self.negatives = [
            (n.name, re.compile(n.pattern), re.compile(n.unless) if n.unless else None)
            for n in tax.negatives
        ]
        self.any_negative = re.compile("|".join(f"(?:{n.pattern})" for n in tax.negatives))
        # family keywords in precedence order
        self.keyword_res: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = []
        title_only = set(tax.title_only_keywords)
        self.qualifier_res: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = []
        for code in tax.family_precedence:
            fam = tax.family(code)
            if not fam.keywords:
                continue
            mask = (
                re.compile(r"\b(?:" + "|".join(map(re.escape, fam.not_keywords)) + r")\b")
                if fam.not_keywords else None
            )
            kws = sorted(fam.keywords, key=len, reverse=True)
            self.keyword_res.append(
                (code, re.compile(r"\b(?:" + "|".join(map(re.escape, kws)) + r")\b"), mask)
            )
            q_kws = [k for k in kws if k not in title_only]
            if q_kws:
                self.qualifier_res.append(
                    (code, re.compile(r"\b(?:" + "|".join(map(re.escape, q_kws)) + r")\b"), mask)
                )
        self.disambiguating = frozenset(
            {"forensic_peer", "veteran_peer", "youth_peer", "family_peer", "peer_other"}
        )
        self.family_canonicals: dict[str, tuple[list[str], list[TitleEntry]]] = {}
        for fam in tax.families:
            entries = [t for t in fam.titles if not t.ambiguous]
            self.family_canonicals[fam.code] = ([flatten(t.canonical) for t in entries], entries)
        self.desc_negatives = tax.ambiguous_description_negatives
        self._negatives = OccurrenceScan(list(self.desc_negatives))
        self.lived = TriggeredPatterns(
            [(p.trigger, p.pattern, p.before) for p in tax.lived_experience]
        )
        self.raw_cache: dict[str, _Resolved] = {}
        self.clean_cache: dict[str, _Resolved] = {}
        # Descriptions are scanned whole, each in one pass of the negatives and one of the
        # lived-experience triggers: cheaper than looking their paragraphs up in caches (a
        # hash of every paragraph, a pass per new one), even on postings that repeat them.

    # ----------------------------------------------------------------------- cleaning

    def _score_segment(self, flat: str, seg: str) -> int:
        """2 for a part naming a peer, 1 for any other peer-role word or credential, else 0."""
        words = flat.split()
        if "peer" in words or "peers" in words:
            return 2
        if any(w in self.anchors for w in words):
            return 1
        for acr in self.acronym_re.findall(seg):
            if not self.acronyms[acr].ambiguous:
                return 1
        return 0

    def _case(self, text: str) -> str:
        if any(c.islower() for c in text):
            return text
        words = []
        for w in text.split():
            core = w.strip(".,")
            words.append(w if core in self.upper_words else w.capitalize())
        return " ".join(words)

    def clean(self, raw: str) -> _Cleaned:
        text = plain_text(raw, MAX_TITLE_CHARS).replace("\n", " ").strip()
        if not text:
            return _Cleaned("", ())
        text = _PAY.sub(" | ", text)
        text = _GRADE.sub(" ", text)
        text = _REQ.sub(" ", text)
        text = _TIME_WORDS.sub(" ", text)
        text = _LANGUAGE.sub(" ", text)
        text = _ROMAN.sub(" ", text)
        segments = [s.strip(" .-'\"") for s in _SEPARATORS.split(text)]
        segments = [_SPACES.sub(" ", s) for s in segments if s and any(c.isalpha() for c in s)]
        if not segments:
            return _Cleaned("", ())
        flats = [flatten(s) for s in segments]
        scores = [self._score_segment(f, s) for f, s in zip(flats, segments, strict=True)]
        best = max(range(len(segments)), key=lambda i: (scores[i], -i))  # first best part
        main = segments[best]
        main_flat = flats[best]
        # "Specialist, Peer Support" -> "Peer Support Specialist"
        if best > 0 and flats[best - 1] in _HEAD_NOUNS and scores[best] > 0:
            main = f"{main} {segments[best - 1]}"
            main_flat = f"{main_flat} {flats[best - 1]}"
            dropped = [i for i in range(len(segments)) if i not in (best, best - 1)]
        else:
            dropped = [i for i in range(len(segments)) if i != best]
        # credential acronyms next to real words are suffixes: "Peer Support Specialist CPRS"
        if any(w in self.anchors for w in main_flat.split()):
            stripped = _SPACES.sub(" ", self.acronym_re.sub(" ", main)).strip()
            if stripped and any(w in self.anchors for w in flatten(stripped).split()):
                main = stripped
        for _ in range(3):
            main = _DANGLING.sub("", main).strip()
        main = self._case(main)
        qualifiers: list[str] = []
        trailing: list[str] = []
        for i in dropped:
            flat = flats[i]
            for _code, kw_re, mask in self.qualifier_res:
                probe = mask.sub(" ", flat) if mask else flat
                for m in kw_re.finditer(probe):
                    kw = m.group(0)
                    if kw not in qualifiers and not re.search(rf"\b{re.escape(kw)}\b", main_flat):
                        qualifiers.append(kw)
                        if i > best:
                            trailing.append(kw)
        shown = [q.upper() if q.upper() in self.upper_words else q.title() for q in qualifiers]
        display = " ".join([*shown, main]).strip()
        return _Cleaned(display, tuple(qualifiers), tuple(trailing))

    # ----------------------------------------------------------------------- matching

    def _negative(self, flat_raw: str) -> str | None:
        if not self.any_negative.search(flat_raw):
            return None
        for name, pat, unless in self.negatives:
            if pat.search(flat_raw) and not (unless and unless.search(flat_raw)):
                return name
        return None

    def _expand(self, display: str) -> tuple[str, bool]:
        found = self.acronym_re.findall(display)
        if not found:
            return flatten(display), False
        flat = flatten(display)
        peer_context = (
            "peer" in flat.split() or "recovery" in flat.split()
            or any(not self.acronyms[c].ambiguous for c in found)
        )
        used = False

        def repl(m: re.Match[str]) -> str:
            nonlocal used
            acr = self.acronyms[m.group(1)]
            if acr.ambiguous and not peer_context:
                return m.group(0)
            used = True
            return f" {acr.expansion} "

        expanded = self.acronym_re.sub(repl, display)
        return flatten(expanded), used

    def _contained(self, words: list[str]) -> _AliasHit | None:
        best: str | None = None
        n = len(words)
        for size in range(min(self.max_alias_len, n), 0, -1):
            for i in range(n - size + 1):
                phrase = " ".join(words[i:i + size])
                if phrase in self.alias_entry:
                    best = phrase
                    break
            if best:
                break
        contiguous = best is not None and best != "peer"
        if not contiguous:
            for i, w in enumerate(words):
                if w != "peer":
                    continue
                for j in range(i + 2, min(i + 4, n)):
                    gapped = self.peer_pairs.get(words[j])
                    if gapped:
                        best = gapped
                        break
                if best not in (None, "peer"):
                    break
        if best is None:
            return None
        return _AliasHit(self.alias_entry[best], best, 100.0, "alias" if contiguous else "gapped")

    def _fuzzy(self, words: list[str]) -> _AliasHit | None:
        query = " ".join(w for w in words if w not in self.noise)
        if not query:
            return None
        hit = process.extractOne(
            query,
            self.alias_list,
            scorer=fuzz.token_sort_ratio,
            processor=None,
            score_cutoff=self.tax.fuzzy_cutoff,
        )
        if hit is None:
            return None
        alias, score, _ = hit
        # ties (scrambles such as "specialist recovery support peer") go to the alias that keeps
        # most of the title's word pairs in order
        ties = [a for a in self.alias_list
                if len(a) == len(alias) and fuzz.token_sort_ratio(query, a, processor=None) == score]
        if len(ties) > 1:
            pairs = _bigrams(query)
            alias = max(ties, key=lambda a: (len(pairs & _bigrams(a)), fuzz.ratio(query, a), a))
        return _AliasHit(self.alias_entry[alias], alias, round(float(score), 1), "fuzzy")

    def _keyword_family(self, flat: str) -> tuple[str, str] | None:
        for code, kw_re, mask in self.keyword_res:
            probe = mask.sub(" ", flat) if mask else flat
            m = kw_re.search(probe)
            if m:
                return code, m.group(0)
        return None

    def _role_title(self, family: str, flat: str, keyword: str = "") -> str:
        choices, entries = self.family_canonicals[family]
        # the canonical title that names the deciding keyword ("respite" -> Peer Respite Worker)
        # beats one that merely shares the head noun
        named = [i for i, c in enumerate(choices) if keyword and keyword.split()[-1] in c.split()]
        if named:
            best = process.extractOne(
                flat, [choices[i] for i in named], scorer=fuzz.token_set_ratio, processor=None,
                score_cutoff=90,
            )
            return entries[named[best[2] if best is not None else 0]].canonical
        hit = process.extractOne(
            flat, choices, scorer=fuzz.token_set_ratio, processor=None, score_cutoff=80
        )
        return entries[hit[2]].canonical if hit else entries[0].canonical

    def resolve(self, raw: str) -> _Resolved:
        cached = self.raw_cache.get(raw)
        if cached is not None:
            return cached
        cleaned = self.clean(raw)
        flat_raw = flatten(plain_text(raw, MAX_TITLE_CHARS))
        key = f"{cleaned.display}\x00{flat_raw}"
        resolved = self.clean_cache.get(key)
        if resolved is None:
            resolved = self._resolve(cleaned, flat_raw)
            if len(self.clean_cache) >= _CACHE_LIMIT:
                self.clean_cache.clear()
            self.clean_cache[key] = resolved
        if len(self.raw_cache) >= _CACHE_LIMIT:
            self.raw_cache.clear()
        self.raw_cache[raw] = resolved
        return resolved

    def _resolve(self, cleaned: _Cleaned, flat_raw: str) -> _Resolved:
        display = cleaned.display

        def nope(kind: str, score: float = 0.0, rule: str | None = None) -> _Resolved:
            return _Resolved(TitleMatch(False, None, None, score, kind, display, rule), None)

        if not display and not flat_raw:
            return nope("empty")
        flat, used_acronym = self._expand(display)
        words = flat.split()
        # cheap prefilter: a title without any peer-role word is not worth a negative or fuzzy scan
        if not any(w in self.anchors for w in words) and not any(
            w in self.anchors for w in flat_raw.split()
        ):
            return nope("no_match")
        negative = self._negative(flat_raw)
        if negative:
            return nope("negative", rule=f"negative:{negative}")
        if not any(w in self.anchors for w in words):
            return nope("no_match")
        hit: _AliasHit | None
        if flat in self.alias_entry:
            hit = _AliasHit(self.alias_entry[flat], flat, 100.0, "acronym" if used_acronym else "alias")
        else:
            hit = self._contained(words)
            if hit is None or hit.kind == "gapped" or hit.alias == "peer":
                fuzzy_hit = self._fuzzy(words)
                if fuzzy_hit and (
                    hit is None or len(fuzzy_hit.alias.split()) > len(hit.alias.split())
                ):
                    hit = fuzzy_hit
            if hit is not None and hit.kind in ("alias", "gapped"):
                kind = "acronym" if used_acronym else "alias"
                hit = _AliasHit(hit.entry, hit.alias, hit.score, kind)
        if hit is None:
            return nope("no_match")
        entry = hit.entry
        family = entry.family
        role_title = entry.canonical
        keyword = self._keyword_family(flat)
        kind = hit.kind
        rule: str | None = None
        # a setting kept from a dropped part ("... - Worcester Respite") that the matched alias
        # needed ("respite peer support specialist") decided the family: a rule too
        for qualifier in cleaned.trailing:
            if re.search(rf"\b{re.escape(qualifier)}\b", hit.alias):
                kind = "rule"
                rule = f"family:{family}:{qualifier}"
                break
        if keyword and keyword[0] != family:
            # a program or setting named in the title beats the family of the head noun
            family = keyword[0]
            role_title = self._role_title(family, flat, keyword[1])
            kind = "rule"
            rule = f"family:{keyword[0]}:{keyword[1]}"
        peer = TitleMatch(True, family, role_title, hit.score, kind, display, rule)
        if not entry.ambiguous:
            return _Resolved(peer, None)
        if (
            keyword
            and "peer" in words
            and keyword[0] in self.disambiguating
            and not re.search(rf"\b{re.escape(keyword[1])}\b", hit.alias)
        ):
            # the keyword also settles the ambiguity ("Youth Peer Mentor"): a rule decided
            rule = rule or f"family:{keyword[0]}:{keyword[1]}"
            return _Resolved(
                TitleMatch(True, family, role_title, hit.score, "rule", display, rule), None
            )
        context = _BH_CONTEXT.search(flat_raw) if "peer" in words else None
        if context:
            # "Peer Counselor - Substance Use", "Peer Mentor (Mental Health)": the title itself
            # puts the peer in behavioral health, where the campus and WIC meanings do not live
            rule = rule or f"context:{context.group(0)}"
            return _Resolved(
                TitleMatch(True, family, role_title, hit.score, "rule", display, rule), None
            )
        evidence = TitleMatch(
            True, family, role_title, hit.score, "ambiguous_lived_experience", display, rule
        )
        return _Resolved(
            TitleMatch(False, None, None, hit.score, "ambiguous_no_evidence", display), evidence
        )

    # ----------------------------------------------------------------------- descriptions

    def evidence(self, text: str) -> bool:
        """Lived-experience language in the description of an ambiguous title, unless the
        description shows the title's non-peer meaning (WIC, collections ...)."""
        if not text:
            return False
        low = f" {text.lower()} "
        if self._negatives.any_in(low):
            return False
        return self._lived_in(low)

    def lived_experience(self, text: str) -> bool:
        if not text:
            return False
        return self._lived_in(text.lower())

    def _lived_in(self, low: str) -> bool:
        """:meth:`lived_experience` of a lower-cased text, not lower-cased again (a copy of the
        whole description: ``str.lower`` gives the same string when applied twice)."""
        if "'" in low:
            low = low.replace("'", "")
        return any(self._counts(low, start, end) for _idx, start, end in self.lived.finditer(low))

    @staticmethod
    def _counts(low: str, start: int, end: int) -> bool:
        """Does the lived-experience match ``low[start:end]`` count? Not when it is EEO
        self-identification or disclosure boilerplate (judged 160 characters around it)."""
        found = low[start:end]
        if "identif" in found or "disclose" in found:
            window = low[max(0, start - 160): end + 160]
            if _EEO.search(window):
                return False
        return True


#: Behavioral-health words that make an ambiguous peer title ("Peer Counselor", "Peer Mentor") a
#: peer role without reading the description. Matched in the flattened title.
_BH_CONTEXT = re.compile(
    r"\b(?:mental health|behaviou?ral health|psychiatric|psychiatry|recovery|substance use|"
    r"substance abuse|sud|addictions?|opioids?|co occurring)\b"
)

_EEO = re.compile(
    r"disabilit|veteran status|equal (employment )?opportunity|\beeo|voluntar|protected|gender"
)

_DEFAULT: _Matcher | None = None
_OTHERS: dict[int, tuple[Taxonomy, _Matcher]] = {}


def _matcher(taxonomy: Taxonomy | None) -> _Matcher:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = _Matcher(load_taxonomy())
    # the packaged taxonomy passed in (as the build does) shares the default's caches: one
    # cleaning per title, not one per caller
    if taxonomy is None or taxonomy is _DEFAULT.tax:
        return _DEFAULT
    held = _OTHERS.get(id(taxonomy))
    if held is None or held[0] is not taxonomy:
        if len(_OTHERS) > 16:
            _OTHERS.clear()
        held = (taxonomy, _Matcher(taxonomy))
        _OTHERS[id(taxonomy)] = held
    return held[1]


# --------------------------------------------------------------------------- public API


def clean_title(raw: object, *, taxonomy: Taxonomy | None = None) -> str:
    """Clean a raw job title down to the role it names.

    Drops requisition numbers and job codes, pay and bonuses, hours, shifts and employment
    types, languages, grade levels (I/II/III, Level 2, Trainee) and credential suffixes, keeps
    the part of a " - " / " | " / ", " / "(...)" split that names the role, and puts family
    keywords found in the dropped parts in front ("Peer Support Specialist (20 Hours) -
    Worcester Respite" -> "Respite Peer Support Specialist"). ALL CAPS titles are title-cased.
    Never raises; anything that is not a string cleans to "".
    """
    try:
        return _matcher(taxonomy).clean(as_text(raw, MAX_TITLE_CHARS * 2)).display
    except Exception:  # pragma: no cover - defensive: cleaning must never break a build
        return ""


def classify_title(
    title: object, description: object = None, *, taxonomy: Taxonomy | None = None
) -> TitleMatch:
    """Classify a job title (and, for ambiguous titles, its description) as a peer role.

    ``taxonomy`` defaults to the packaged one. Never raises: a value that is not a string is
    treated as an empty title.
    """
    try:
        matcher = _matcher(taxonomy)
        raw = as_text(title, MAX_TITLE_CHARS * 2)
        if not raw.strip():
            return TitleMatch(False, None, None, 0.0, "empty", "")
        resolved = matcher.resolve(raw)
        if resolved.with_evidence is not None and matcher.evidence(
            light_text(description, MAX_TEXT_CHARS)
        ):
            return resolved.with_evidence
        return resolved.result
    except Exception:  # pragma: no cover - defensive: classification must never break a build
        return TitleMatch(False, None, None, 0.0, "no_match", "")


def has_lived_experience_language(text: object) -> bool:
    """True when ``text`` asks for or describes the worker's own lived experience.

    Looks for the taxonomy's ``lived_experience`` phrases ("lived experience", "in recovery",
    "self-identify as", "share your recovery story", "own experience with mental health" ...);
    EEO self-identification boilerplate does not count. Never raises.
    """
    try:
        return _matcher(None).lived_experience(light_text(text, MAX_TEXT_CHARS))
    except Exception:  # pragma: no cover
        return False
