"""Employer names, normalized for matching: keys, initialisms and the pairwise evidence rules.

Pure functions; db/employers.py applies them to every employer name in the database.

* :func:`employer_tokens` lower-cases a name, folds accents, turns ``&`` into ``and``, drops
  punctuation, legal forms (Inc., LLC, Corp., Co., Ltd., PLLC, ...) and filler words (of, the,
  and, for, ...), expands abbreviations (CMH = community mental health, BH = behavioral health,
  Ctr = center, Svcs = services, ...), contracts "mental health (and) mental retardation" to
  ``mhmr`` and folds plurals (services → service), in the name's own word order.
* :func:`employer_key` is those tokens sorted: word order does not matter ("Tarrant County
  MHMR" = "MHMR of Tarrant County").
* :func:`short_form` recognises a name that *is* an initialism ("ISK", "CMHA-CEI", "M.H.M.R."),
  and :func:`initialisms` lists the initialisms a long name can go by ("Integrated Services of
  Kalamazoo" → ``isk``, ``isok``); :func:`aliases` reads parenthesised and "d/b/a" names.
* :func:`fuzzy_same` decides whether two keys are spelling variants (rapidfuzz token sort ratio
  over the ordered tokens, with an explicit cutoff) and refuses pairs whose numbers or compass
  words differ ("District 1" / "District 2", "North Central" / "South Central").
* :func:`is_generic` marks keys made only of common sector words ("Family Services",
  "Community Mental Health"): such names are merged only within one state.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz import fuzz

LEGAL_FORMS = frozenset({
    "inc", "incorporated", "llc", "lc", "pllc", "corp", "corporation", "co", "company", "ltd",
    "limited", "lp", "llp", "pc", "plc", "nfp", "pbc",
})
FILLER_WORDS = frozenset({"of", "the", "and", "for", "at", "a", "an", "in", "on", "dba"})
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "cmh": ("community", "mental", "health"),
    "cmha": ("community", "mental", "health", "authority"),
    "cmhc": ("community", "mental", "health", "center"),
    "cmhsp": ("community", "mental", "health", "services", "program"),
    "bh": ("behavioral", "health"),
    "mh": ("mental", "health"),
    "sud": ("substance", "use", "disorder"),
    "behavioural": ("behavioral",),
    "ctr": ("center",), "cntr": ("center",), "centre": ("center",),
    "svc": ("services",), "svcs": ("services",), "srvcs": ("services",), "serv": ("services",),
    "hlth": ("health",), "hosp": ("hospital",), "univ": ("university",),
    "dept": ("department",), "assn": ("association",), "assoc": ("association",),
    "natl": ("national",), "intl": ("international",), "cnty": ("county",), "cty": ("county",),
    "st": ("saint",), "ste": ("sainte",), "mt": ("mount",), "ft": ("fort",),
    "sys": ("systems",), "tx": ("texas",), "ny": ("new", "york"),
}
"""Abbreviations written out; ``mhmr`` stays (it is the name Texas centres go by)."""
_CONTRACTIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("mental", "health", "and", "mental", "retardation"), "mhmr"),
    (("mental", "health", "mental", "retardation"), "mhmr"),
    (("united", "states"), "us"),
    (("u", "s"), "us"),
)
GENERIC_WORDS = frozenset({
    "community", "mental", "health", "behavioral", "service", "center", "family", "counseling",
    "recovery", "care", "human", "wellness", "treatment", "addiction", "substance", "use",
    "disorder", "program", "network", "support", "peer", "clinic", "association", "agency",
    "authority", "home", "youth", "child", "children", "adult", "system", "solution", "group",
    "resource", "healthcare", "medical", "hospital", "department", "county", "city", "state",
    "region", "regional", "partner", "life", "hope", "new", "beginning", "path",
    "house", "outreach", "integrated", "comprehensive", "social", "united", "us", "way",
})
_GUARD_WORDS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western",
    "northeast", "northwest", "southeast", "southwest", "central", "upper", "lower",
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "first", "second", "third", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii",
    "ix", "x",
})
_TRAILING_PLACE_WORDS = frozenset({"county", "counties", "area", "region", "parish"})
_PAREN = re.compile(r"\(([^()]*)\)")
_DBA = re.compile(r"\b(?:d\s*/\s*b\s*/\s*a|d\.b\.a\.?|dba|doing business as|aka|a\.k\.a\.)\s+",
                   re.IGNORECASE)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SHORT = re.compile(r"^[A-Za-z](?:[.&\-]?[A-Za-z]){1,7}\.?$")
FUZZY_CUTOFF = 92.0
"""Minimum rapidfuzz token-sort ratio (0-100) of two ordered keys to count as one name."""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _words(text: str) -> list[str]:
    text = _fold(text).replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = re.sub(r"\b([a-z])\.(?=[a-z]\.)", r"\1", text)  # U.S. → US, M.H.M.R. → MHMR
    return [w for w in _NON_WORD.split(text) if w]


def _contract(words: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(words):
        for phrase, short in _CONTRACTIONS:
            if tuple(words[index:index + len(phrase)]) == phrase:
                out.append(short)
                index += len(phrase)
                break
        else:
            out.append(words[index])
            index += 1
    return out


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_STATE_NAMES = (
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "district columbia", "florida", "georgia", "hawaii", "idaho", "illinois",
    "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine", "maryland", "massachusetts",
    "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
    "new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota",
    "ohio", "oklahoma", "oregon", "pennsylvania", "puerto rico", "rhode island",
    "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia",
    "washington", "west virginia", "wisconsin", "wyoming",
)
PLACE_WORDS = frozenset(
    {_singular(w) for name in _STATE_NAMES for w in name.split()}
    | {"north", "south", "east", "west", "northern", "southern", "eastern", "western",
       "central", "northeast", "northwest", "southeast", "southwest", "upper", "lower",
       "county", "parish", "borough"}
)
"""Words that only say where: state names, compass words, "county" (plural-folded like keys)."""

def _main_name(name: str) -> str:
    """The name without parenthesised notes and without a trailing "d/b/a ..." alias."""
    main = _PAREN.sub(" ", name)
    return _DBA.split(main, maxsplit=1)[0]


@lru_cache(maxsize=200_000)
def employer_tokens(name: str) -> tuple[str, ...]:
    """The name's significant words in order, expanded and folded (see the module docstring)."""
    words = _contract(_words(_main_name(name)))
    expanded: list[str] = []
    for word in words:
        expanded.extend(ABBREVIATIONS.get(word, (word,)))
    expanded = _contract(expanded)
    while expanded and expanded[-1] in LEGAL_FORMS:
        expanded.pop()
    tokens = [_singular(w) for w in expanded if w not in FILLER_WORDS]
    if tokens and tokens[0] == "us" and len(tokens) > 1:
        tokens = tokens[1:]
    return tuple(tokens)


def employer_key(name: str) -> str:
    """The matching key: significant words, sorted. Empty for a name with none."""
    return " ".join(sorted(employer_tokens(name)))


def short_form(name: str) -> str | None:
    """The initialism a name consists of ("ISK", "CMHA-CEI", "M.H.M.R."), lower-cased, or None.

    A single word of 2-8 letters written in capitals (dots, ``&`` and ``-`` allowed inside).
    """
    text = _main_name(name).strip()
    words = text.split()
    while len(words) > 1 and _words(words[-1]) and _words(words[-1])[0] in LEGAL_FORMS:
        words.pop()
    if len(words) != 1:
        return None
    word = words[0].rstrip(",")
    if not _SHORT.match(word) or word.upper() != word:
        return None
    letters = re.sub(r"[^a-z]", "", word.lower())
    return letters if 2 <= len(letters) <= 8 else None


@lru_cache(maxsize=200_000)
def initialisms(name: str) -> frozenset[str]:
    """Initialisms a long name can go by: first letters of its words, with and without fillers
    (and without a trailing "County"/"Counties"/"Region": CMHA-CEI).

    Counted both as written and with abbreviations expanded, so "CMH of Central Michigan" and
    "Community Mental Health for Central Michigan" share ``cmhcm``.
    """
    raw = [w for w in _words(_main_name(name)) if not w.isdigit()]
    while raw and raw[-1] in LEGAL_FORMS:
        raw.pop()
    if len(raw) < 2:
        return frozenset()
    expanded: list[str] = []
    for word in raw:
        expanded.extend(ABBREVIATIONS.get(word, (word,)))
    found: set[str] = set()
    for words in (raw, expanded):
        significant = [w for w in words if w not in FILLER_WORDS]
        for chosen in (significant, words):
            if chosen and chosen[-1] in _TRAILING_PLACE_WORDS:
                found.add("".join(w[0] for w in chosen[:-1]))
            found.add("".join(w[0] for w in chosen))
    return frozenset(i for i in found if 2 <= len(i) <= 10)


def aliases(name: str) -> tuple[str, ...]:
    """Other names the text itself gives: "(BHI)", "(LifePath Systems)", "X d/b/a Y"."""
    found = [inner.strip() for inner in _PAREN.findall(name) if inner.strip()]
    parts = _DBA.split(_PAREN.sub(" ", name), maxsplit=1)
    if len(parts) == 2 and parts[1].strip():
        found.append(parts[1].strip())
    return tuple(found)


def is_generic(key: str) -> bool:
    """True when every word of the key is a common sector word (or the key is empty)."""
    return all(word in GENERIC_WORDS for word in key.split())


def _guards(tokens: tuple[str, ...]) -> frozenset[str]:
    return frozenset(t for t in tokens if t.isdigit() or t in _GUARD_WORDS)


def fuzzy_same(a: str, b: str) -> bool:
    """True when two names are spelling variants of one another.

    Compares the ordered tokens with ``fuzz.token_sort_ratio`` (no further processing; the
    tokens are normalized already) at :data:`FUZZY_CUTOFF`, and never when the names carry
    different numbers or compass words.
    """
    ta, tb = employer_tokens(a), employer_tokens(b)
    if not ta or not tb or _guards(ta) != _guards(tb):
        return False
    if ta == tb:
        return True
    score = fuzz.token_sort_ratio(" ".join(ta), " ".join(tb), processor=None,
                                  score_cutoff=FUZZY_CUTOFF)
    return score >= FUZZY_CUTOFF


def display_rank(name: str, postings: int) -> tuple[int, int, int, str]:
    """Sort key choosing an employer's display name: a full name over an initialism, then the
    variant on most postings, then the longer, then alphabetical."""
    return (1 if short_form(name) else 0, -postings, -len(name), name)
