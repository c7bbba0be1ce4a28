"""Resolve a posting's raw location text to state, county, CBSA, Census region and remote.

Pure and offline: see :mod:`normalize.geo` for the data and its quirks (CT planning regions,
independent cities, the county chosen for a multi-county city).

Forms handled: "City, ST 49017", "City, ST", "City, State[, United States|USA]", iCIMS
"US-MI-Kalamazoo", Workday "US, OR, Beaverton[, Site]", Paycom "Site - City, ST ZIP", a ZIP alone
(5 digits or ZIP+4), "X County, ST", "County of X", "X Co., ST", street addresses, "Remote",
"Remote - Michigan", "Remote (US)", "Hybrid - Denver, CO", "Telecommute", "Statewide", several
locations separated by ``;``/``|``/newlines (the first real one wins, the rest go to
``other_locations``), "2 Locations" placeholders, state names and abbreviations in any case.
Also (issue 12): lists written with spaces, "or", "+" or ``<br>`` ("Dallas, TX Tempe, AZ": the
first place wins), New York City and its boroughs, abbreviations and neighbourhoods with or
without a state ("NYC", "Bklyn", "The Bronx", "New York, NY (Bronx)"), metro phrases ("Greater
Boston Area", "Denver Metropolitan Area", "Greensboro--Winston-Salem--High Point Area",
"Tampa/St. Petersburg", "Twin Cities", "DMV": the county of the first principal city of the CBSA
or CSA), county-only strings and lists of counties (when one state holds them all), remote notes
with exclusion lists (everything after "except", "excluding", "not available in" is dropped),
VA facilities ("Martinsburg VAMC", "West Haven VA" is not Virginia) and state hospitals named
after their state or a one-state town, islands ("Island of Oahu", "Martha's Vineyard").

Precedence inside one location: a ZIP that agrees with the stated state (or stands alone) ->
the city in the stated state (the first place of a list before the state, then the place next to
it) -> a county named in the text -> the state alone. Without a state in the text: a ZIP, then a
borough, island or nickname, a metro phrase, a county name of one state, a facility; a bare town
name ("Kalamazoo") is never placed. ``state_hint`` (the board's state) is used only when the text
names no state and is not explicitly national or foreign. ``remote`` is true when the text says
remote/telecommute/work from home (and not hybrid, unless "or remote") or when ``remote_hint``
is true. ``Place.source`` says which of these decided the place.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Final, cast

from normalize.geo import (
    METRO_ALIASES,
    STATE_REGIONS,
    STATELESS_ALIASES,
    Geo,
    area_names,
    facility_key,
    fold,
    geo,
)

__all__ = ["PRECISIONS", "SOURCES", "Place", "resolve_location"]

PRECISIONS: Final = ("zip", "city", "county", "state", "remote")
SOURCES: Final = ("structured", "zip", "city", "county", "metro", "facility", "state", "none")


@dataclass(frozen=True)
class Place:
    """A resolved location. Every field is None (and ``remote`` False) when nothing resolved."""

    state: str | None
    """USPS code of the state (50 states, DC, PR)."""
    county: str | None
    """Census county name, e.g. ``Kalamazoo County``, ``Capitol Planning Region``."""
    county_fips: str | None
    """5-digit county FIPS code."""
    cbsa_code: str | None
    """2023 CBSA (metro/micro area) code of the county, None outside CBSAs."""
    cbsa_title: str | None
    """2023 CBSA title, e.g. ``Kalamazoo-Portage, MI``."""
    region: str | None
    """Census region: Northeast, Midwest, South or West (None for PR)."""
    division: str | None
    """Census division, e.g. ``East North Central``."""
    remote: bool
    """True for remote / telecommute postings (hybrid is not remote)."""
    city: str | None
    """City as resolved (USPS spelling when known)."""
    other_locations: tuple[str, ...]
    """The remaining raw locations when several were given."""
    precision: str | None
    """How precise the place is: zip, city, county, state, remote, or None."""
    source: str = "none"
    """How the place was decided: ``structured`` (the state came from the board's
    ``state_hint``), ``zip``, ``city`` (a city, borough, island or neighbourhood named with or
    without its state), ``county`` (a county named), ``metro`` (a metro-area phrase or
    nickname), ``facility`` (a VA medical center or state hospital named), ``state`` (a state
    only) or ``none``."""


_EMPTY = Place(None, None, None, None, None, None, None, False, None, (), None)

_MAX_LEN = 1000
_TAGS = re.compile(r"<[^>]*>")
_BREAKS = re.compile(r"<\s*/?\s*(?:br|p|li|div)\s*/?\s*>", re.I)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_MULTI_SPLIT = re.compile(
    r"\s*(?:;|\||\n|•|·|\s/\s|(?<=[a-z])/(?=[A-Z])|\s+or\s+(?=[A-Z])|\s+\+\s+|\s+l\s+(?=[A-Z]))\s*"
)
_DASH_SPLIT = re.compile(r"\s+-\s+|\s*:\s+")
_SPACED_DASH = re.compile(r"\s+-\s+")
_AND_SPLIT = re.compile(r"\s+(?:&|and)\s+(?=[A-Z])")
# "and 2 other locations", "+ 27 more", "& more", "+ others": the rest of a list, not a place.
_MORE = re.compile(
    r"(?:\s*,)?\s*(?:\+|&|and)\s*(?:\d+\s+)?(?:more|others?)(?:\s+locations?)?\s*\.?\s*$", re.I
)
# "A, B and C Counties" -> "A County; B County; C County" (each is a county of the same state).
_COUNTIES = re.compile(
    r"((?:[A-Z][\w.']*(?:\s+[A-Z][\w.']*)*\s*(?:,\s*and\b|/|,|&|\band\b)\s*)+"
    r"[A-Z][\w.']*(?:\s+[A-Z][\w.']*)*)"
    r"\s+([Cc]ounties|[Pp]arishes)\b"
)
_COUNTY_LIST_SPLIT = re.compile(r"\s*(?:,\s*and\b|/|,|&|\band\b)\s*")
# "Austin, TX Chicago, IL" and "Basking Ridge, New Jersey Bedminster, ..." list places with
# spaces only; a state followed by a capitalised word that is not a country starts a new place.
_NEXT_PLACE = (
    r"\s+(?=(?!(?:United|Usa|USA|US|U\.S|Metro\w*|Area|Region|County|Counties)\b)"
    r"(?:[A-Z][a-z]|NYC\b|SF\b))"
)
_AFTER_ABBR = re.compile(r"(,\s?([A-Za-z]{2})\.?)" + _NEXT_PLACE)
# Cheap test before the two splitting patterns: a comma, one or more words, a space, a capital
# or a digit ("Dallas, TX Tempe", "New Jersey 600 Hidden Ridge").
_SPACE_AFTER_COMMA_WORD = re.compile(r",\s?[A-Za-z][A-Za-z.]*(?:\s[A-Z][a-z]+)*\s+[A-Z0-9]")
_NYC_SF_SPLIT = re.compile(
    r"(?<=\bNYC)\s+(?!Metro|Area|,|-)|(?<=\bSF)\s+(?!Bay|Metro|Area|,|-)|(?<![,-])\s+(?=(?:NYC|SF)\b)"
)
_EXCLUSION = re.compile(
    r"\b(?:except(?:ing)?|excluding|excludes?|excluded|exclusions?|other\s+than"
    r"|with\s+the\s+exception\s+of|outside\s+(?:of\s+)?(?=[A-Z])|(?:cannot|can\s*not|unable\s+to)"
    r"\s+(?:hire|employ|consider)|not\s+(?:available|eligible|open|able\s+to\s+hire|hiring)"
    r"|(?:no|not)\s+(?:candidates?|applicants?|residents?)\s+(?:from|in|of))\b",
    re.I,
)
_PLACEHOLDER = re.compile(
    r"^(?:\d+\s+locations?|(?:multiple|various|several|many|all|other)\s+(?:us\s+)?locations?"
    r"(?:\s+in\s+(?:the\s+)?(?:us|usa|united\s+states))?"
    r"|locations?\s*(?:not\s+specified|tbd|vary|varies|to be determined)"
    r"|(?:location\s+)?not\s+specified|tbd|n/?a|none|unknown|see\s+(?:job\s+)?description"
    r"|more|others?|varies(?:\s+by\s+role)?|various|multiple|flexible)$",
    re.I,
)
_REMOTE = re.compile(
    r"\b(?:remote(?:ly)?|tele-?commut\w*|tele-?work\w*|work(?:ing)?\s+(?:from|at)\s+home|wfh"
    r"|home[- ]based|virtual|anywhere)\b",
    re.I,
)
_NOT_REMOTE = re.compile(r"\b(?:hybrid|on-?site|in[- ]person|(?:no|not|non)[- ]remote)\b", re.I)
_OR_REMOTE = re.compile(r"\bor\s+(?:fully\s+|100%\s+)?remote\b", re.I)
_NATIONAL = re.compile(
    r"\b(?:united\s+states|u\.\s?s\.(?:\s?a\.?)?|usa|us|nationwide|national|anywhere)\b", re.I
)
_NOISE = re.compile(
    r"\b(?:(?:fully|100%|full[- ]time|partially|partial)\s+)?(?:remote(?:ly)?(?:\s+job)?(?:\s+in)?"
    r"|tele-?commut\w*|tele-?work\w*|work(?:ing)?\s+(?:from|at)\s+home|wfh|home[- ]based"
    r"|virtual|hybrid|on-?site|in[- ]person|in[- ]office|statewide|nationwide"
    r"|anywhere(?:\s+in)?(?:\s+the)?|locations?|located\s+in|based\s+in|eligible|only"
    r"|preferred|available)\b:?",
    re.I,
)
_BRACKETS = re.compile(r"[()\[\]{}]")
_ZIP = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?!\d)")
_ICIMS = re.compile(r"^\s*(?:US|USA)-([A-Za-z]{2})-(.+)$")
_ABBR = re.compile(r"^(?:[A-Za-z]{2}\.?|[A-Za-z]\.\s?[A-Za-z]\.?)$")
_SUBPARTS = re.compile(r"\s+-\s+|:\s*|\s+at\s+|\s*@\s*")
_COUNTY_OF = re.compile(r"^(?:the\s+)?county\s+of\s+(.+)$", re.I)
_COUNTY_SUFFIX = re.compile(
    r"^(.+?)\s+(county|co\.?|cnty\.?|parish|borough|census\s+area|municipio)$", re.I
)
_COUNTY_IN_TEXT = re.compile(
    r"\b((?:[A-Z][\w.']*\s+){0,3}[A-Z][\w.']*)\s+(County|Parish|Borough)\b"
)
_CITY_PREFIX = re.compile(
    r"^(?:(?:city|town|village|township|borough)\s+of\s+|greater\s+|downtown\s+|metro\s+"
    r"|(?:usa?|united\s+states)\s+)",
    re.I,
)
_CITY_SUFFIX = re.compile(
    r"\s+(?:township|twp\.?|charter\s+township|city|town|village|(?:metro(?:politan)?\s+)?area"
    r"|metro(?:plex)?|region|operations)$",
    re.I,
)
_METRO_WORDS = re.compile(r"\b(?:greater|metro(?:politan|plex)?|area)\b", re.I)
_METRO_TAIL = re.compile(r"\s+(?:(?:metro(?:politan)?\s+)?area|metro(?:plex)?|region)$", re.I)
_TOWNSHIP = re.compile(r"\s(?:township|twp\.?)$", re.I)
_TRAILING_US = re.compile(
    r"\s+(?:usa|us|u\.s\.a?\.?|united\s+states(?:\s+of\s+america)?)$", re.I
)
_METRO_MARK = re.compile(
    r"^(?:the\s+)?(?:greater\s+|metro(?:politan)?\s+)?(.+?)"
    r"(?:\s+(?:(?:metro(?:politan)?|bay|tri-?state)\s+)?(?:area|region|metroplex|metro))?$",
    re.I,
)
_HAS_METRO_WORD = re.compile(
    r"\b(?:greater|metro(?:politan|plex)?|area|region)\b|-", re.I
)
_HOSPITAL = re.compile(
    r"^(?:the\s+)?(.+?)\s+(?:state\s+(?:psychiatric\s+)?hospital|psychiatric\s+(?:center|hospital)"
    r"|state\s+psychiatric\s+center|mental\s+health\s+institute|hospital\s+center"
    r"|regional\s+(?:psychiatric\s+)?hospital|forensic\s+(?:center|hospital))\b",
    re.I,
)
_VA_MARK = re.compile(
    r"\b(?:VA|VAMC|V\.A\.|VAHCS|Veterans\s*'?\s*(?:Affairs|Administration|Home|Hospital))\b"
)
_VA_CORE = re.compile(
    r"\b(?:VA|VAMC|V\.A\.|VAHCS|HCS|Veterans\s*'?\s*(?:Affairs|Administration)|Department\s+of"
    r"|Medical\s+Center|Health\s*care(?:\s+System)?|Health\s+Care(?:\s+System)?|Hospital"
    r"|Clinic|Community\s+Based\s+Outpatient|CBOC|Outpatient)\b",
    re.I,
)
# Names of New York City as a whole: a borough named beside one of them decides the county.
_NYC_GENERIC: Final = frozenset({"nyc", "newyorkcity", "cityofnewyork", "nycmetro", "nymetro"})
_DIRECTIONS: Final = frozenset(
    {
        "western", "eastern", "northern", "southern", "central", "northeast", "northwest",
        "southeast", "southwest", "northeastern", "northwestern", "southeastern",
        "southwestern", "north", "south", "east", "west", "mid", "upper", "lower", "greater",
    }
)  # fmt: skip
_SITE_WORDS = re.compile(
    r"\b(?:operations?|campus|hospital|clinic|cent(?:er|re)|office|respite|school|program|site"
    r"|house|home|unit|services?|health|behavioral|recovery|community|medical|outpatient"
    r"|inpatient|residential|shelter|facility|branch|headquarters|hq|location|team|court|jail"
    r"|academy|college|university|library|church|ministr(?:y|ies)|agency|department|division)\b",
    re.I,
)
_STREETISH = re.compile(r"\d")

_US_WORDS: Final = frozenset(
    {
        "us", "usa", "unitedstates", "unitedstatesofamerica", "america", "theus",
        "theunitedstates", "usofamerica", "estadosunidos", "etatsunis",
        "vereinigtestaatenvonamerika", "vereinigtestaaten",
    }
)  # fmt: skip
_FOREIGN: Final = frozenset(
    {
        "canada", "mexico", "unitedkingdom", "uk", "england", "scotland", "wales",
        "northernireland", "ireland", "india", "philippines", "germany", "france", "spain",
        "portugal", "italy", "netherlands", "poland", "australia", "newzealand", "brazil",
        "argentina", "colombia", "chile", "peru", "china", "japan", "southkorea", "korea",
        "singapore", "malaysia", "israel", "southafrica", "nigeria", "kenya", "egypt",
        "romania", "ukraine", "sweden", "norway", "denmark", "finland", "switzerland",
        "austria", "belgium", "czechrepublic", "czechia", "hungary", "greece", "turkey",
        "costarica", "guatemala", "dominicanrepublic", "jamaica", "vietnam", "thailand",
        "indonesia", "pakistan", "bangladesh", "uae", "unitedarabemirates", "taiwan",
        "hongkong", "emea", "apac", "latam", "europe", "asia", "americas", "northamerica",
        "global", "worldwide", "international", "ontario", "quebec", "britishcolumbia",
        "alberta", "manitoba", "saskatchewan", "novascotia", "newbrunswick", "zambia",
    }
)  # fmt: skip
# Large foreign cities that postings write with a two-letter code that is also a state code
# ("Toronto, CA", "London, ON"): foreign unless the state really has a place of that name.
_FOREIGN_CITIES: Final = frozenset(
    {
        "toronto", "montreal", "vancouver", "ottawa", "calgary", "edmonton", "mississauga",
        "markham", "winnipeg", "waterloo", "kitchener", "halifax", "victoria", "quebeccity",
        "burnaby", "richmondhill", "london", "paris", "berlin", "dublin", "madrid", "bangalore",
        "bengaluru", "hyderabad", "mumbai", "delhi", "pune", "manila", "tokyo", "sydney",
        "melbourne", "singapore", "telaviv", "warsaw", "amsterdam", "munich", "zurich",
    }
)  # fmt: skip
# Lower-case words that are also state codes: "in" of "Remote in USA" is not Indiana.
_LOWER_WORDS: Final = frozenset({"in"})
_NON_PLACES: Final = frozenset(
    {
        "main", "maincampus", "campus", "office", "mainoffice", "headquarters", "hq",
        "clinic", "various", "multiple", "field", "community", "home", "travel", "hybrid",
        "remote", "onsite", "tbd", "other", "county", "city", "state", "central", "north",
        "south", "east", "west", "downtown", "uptown", "midtown",
    }
)  # fmt: skip


class _Foreign:
    """Marker: the location is outside the United States."""


_FOREIGN_HIT: Final = _Foreign()


@dataclass(frozen=True)
class _Hit:
    state: str
    fips: str | None
    city: str | None
    precision: str
    source: str = ""
    stated: bool = True
    """False when no state was written (a borough, a metro nickname, a unique county name)."""


def resolve_location(
    text: object,
    *,
    others: object = (),
    remote_hint: object = None,
    state_hint: object = None,
) -> Place:
    """Resolve raw location text (plus any further raw locations) to a :class:`Place`.

    Never raises: anything unusable gives an empty place (``remote`` still follows the text
    and ``remote_hint``).
    """
    try:
        clean_others: tuple[str, ...] = ()
        if others and not isinstance(others, (str, bytes)):
            # not iterable: list() raises and the place comes out empty, as for any bad input
            listed = list(cast(Iterable[object], others))[:50]
            clean_others = tuple(c for c in (_clean(o) for o in listed) if c)
        elif isinstance(others, str):
            clean_others = (_clean(others),) if _clean(others) else ()
        hint = _clean(state_hint) if state_hint is not None else ""
        return _resolve(_clean(text), clean_others, remote_hint is True, hint)
    except Exception:  # pragma: no cover - defensive: the contract is "never raise"
        return Place(
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            remote_hint is True,
            None,
            (),
            "remote" if remote_hint is True else None,
        )


def _clean(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif value is None or isinstance(value, bool):
        return ""
    elif isinstance(value, int):
        text = f"{value:05d}" if 0 <= value < 100000 else str(value)
    elif isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", "replace")
    else:
        text = str(value)
    return _clean_text(text[: _MAX_LEN * 4])


@lru_cache(maxsize=65536)
def _clean_text(text: str) -> str:
    """Cleaned location text (cached: a crawl repeats the same place strings many times)."""
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        # A line break between places separates them ("Austin, TX<br>Chicago, IL").
        text = _TAGS.sub(" ", _BREAKS.sub("\n", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_CONTROL.sub(" ", line) for line in text.split("\n"))
    text = _DASHES.sub("-", text)
    text = _SPACES.sub(" ", text)
    return text.strip()[:_MAX_LEN]


def _split_places(text: str, g: Geo) -> list[str]:
    """Split one location string into the places it lists, in order."""
    excluded = _EXCLUSION.search(text)
    if excluded:
        # "Remote (US) - except CA, NY": an excluded state is never the place.
        text = text[: excluded.start()]
    if "ounties" in text or "arishes" in text:
        text = _COUNTIES.sub(_county_list, text)
    segments: list[str] = []
    for piece in _MULTI_SPLIT.split(text):
        piece = _MORE.sub("", piece).strip(" ,.-")
        if not piece:
            continue
        if "NYC" in piece or "SF" in piece:
            pieces = [p for p in _NYC_SF_SPLIT.split(piece) if p.strip(" ,")]
        else:
            pieces = [piece]
        for part in pieces:
            segments.extend(_split_after_states(part, g))
    return [s for s in (seg.strip(" ,.-") for seg in segments) if s]


def _county_list(match: re.Match[str]) -> str:
    names = [n for n in _COUNTY_LIST_SPLIT.split(match.group(1)) if n.strip()]
    noun = "County" if match.group(2).lower() == "counties" else "Parish"
    return "; ".join(f"{name.strip()} {noun}" for name in names)


def _split_after_states(text: str, g: Geo) -> list[str]:
    """"Dallas, TX Tempe, AZ" -> ["Dallas, TX", "Tempe, AZ"] (state codes and names)."""
    if "," not in text or not _SPACE_AFTER_COMMA_WORD.search(text):
        return [text]
    cuts: list[int] = []
    for match in _AFTER_ABBR.finditer(text):
        if g.state(match.group(2)) is not None:
            cuts.append(match.end(1))
    names = _state_name_split(g)
    for match in names.finditer(text):
        cuts.append(match.end(1))
    if not cuts:
        return [text]
    out: list[str] = []
    start = 0
    for cut in sorted(set(cuts)):
        out.append(text[start:cut])
        start = cut
    out.append(text[start:])
    return out


@lru_cache(maxsize=1)
def _state_name_split(g: Geo) -> re.Pattern[str]:
    names = sorted((info.name for info in g.states.values()), key=len, reverse=True)
    # A state name may also be followed by a street number ("New Jersey 600 Hidden Ridge").
    nxt = (
        r"\s+(?=(?!(?:United|Usa|USA|US|U\.S|City|Metro\w*|Area|Region|County|Counties)\b)"
        r"(?:[A-Z][a-z]|NYC\b|SF\b|\d+\s+[A-Z]))"
    )
    return re.compile(r"(,\s?(?:" + "|".join(map(re.escape, names)) + r"))" + nxt)


@lru_cache(maxsize=65536)
def _resolve(text: str, others: tuple[str, ...], remote_hint: bool, hint_text: str) -> Place:
    g = geo()
    segments = _split_places(text, g) if text else []
    for other in others:
        segments.extend(_split_places(other, g))
    real: list[str] = []
    notes: list[str] = []
    for segment in segments:
        if _PLACEHOLDER.match(segment):
            continue
        if _REMOTE.search(segment) and not _NOISE.sub("", segment).strip(" ,.-()"):
            # "Boise, ID or Remote": the remote note is not another place.
            notes.append(segment)
            continue
        if _AND_SPLIT.search(segment):
            # "Battle Creek and Kalamazoo, MI" lists two places; "Town and Country, MO" is one.
            whole = _parse_segment(segment, g)
            if not isinstance(whole, _Hit) or whole.fips is None:
                real.extend(p for p in _AND_SPLIT.split(segment) if p.strip())
                continue
        real.append(segment)
    joined = " ".join((*real, *notes))
    remote = remote_hint or (
        bool(_REMOTE.search(joined))
        and (not _NOT_REMOTE.search(joined) or bool(_OR_REMOTE.search(joined)))
    )
    hint = g.state(hint_text) if hint_text else None

    listed = (
        _county_list_hit(real, g)
        if len(real) > 1 and "ount" in joined and _parse_segment(real[0], g) is None
        else None
    )
    if listed is not None:
        # "Wayne, Oakland and Macomb counties": the list decides, at its first county.
        return _place(g, listed, remote, tuple(real[1:]))
    foreign_only = True
    stateless: int | None = None
    for index, segment in enumerate(real):
        hit = _parse_segment(segment, g)
        if isinstance(hit, _Foreign):
            continue
        foreign_only = False
        if hit is None:
            if stateless is None:
                stateless = index
            continue
        rest = tuple(s for i, s in enumerate(real) if i != index)
        if stateless is not None and stateless < index and hit.stated:
            # "Oroville / Chico Area, CA": an earlier location without a state shares this one's.
            shared = _with_hint(real[stateless], hit.state, g)
            if shared.fips is not None:
                rest = tuple(s for i, s in enumerate(real) if i != stateless)
                return _place(g, shared, remote, rest)
        return _place(g, hit, remote, rest)
    rest = tuple(real[1:]) if len(real) > 1 else ()
    if 1 < len(real) <= 3 and not foreign_only:
        # "Tampa/St. Petersburg": towns without a state that together name one metro area.
        paired = _metro_hit("-".join(real), g)
        if paired is not None:
            return _place(g, paired, remote, rest)
    if hint is not None and real and not foreign_only:
        first = real[0]
        if not _NATIONAL.search(first):
            hit2 = _with_hint(first, hint, g)
            return _place(g, hit2, remote, rest, structured=True)
    if hint is not None and not real and remote:
        return _place(g, _Hit(hint, None, None, "state"), remote, (), structured=True)
    if remote:
        return Place(None, None, None, None, None, None, None, True, None, rest, "remote")
    if rest:
        return Place(None, None, None, None, None, None, None, False, None, rest, None)
    return _EMPTY


def _place(
    g: Geo, hit: _Hit, remote: bool, rest: tuple[str, ...], *, structured: bool = False
) -> Place:
    info = g.states[hit.state]
    fips = hit.fips
    precision_hint = hit.precision
    if fips is None and hit.state == "DC":
        fips = "11001"  # the District is one county: naming it places it
        precision_hint = "county"
    county = g.counties.get(fips) if fips else None
    if county is not None and county.state != hit.state:
        county = None
    precision = precision_hint if county is not None or precision_hint == "state" else "state"
    if structured:
        source = "structured"
    elif hit.source:
        source = hit.source
    else:
        source = hit.precision if hit.fips is not None else "state"
    return Place(
        state=info.abbr,
        county=county.name if county else None,
        county_fips=county.fips if county else None,
        cbsa_code=county.cbsa_code if county else None,
        cbsa_title=county.cbsa_title if county else None,
        region=info.region,
        division=info.division,
        remote=remote,
        city=hit.city if county is not None else None,
        other_locations=rest,
        precision=precision,
        source=source,
    )


def _split_parts(segment: str) -> list[str]:
    text = _BRACKETS.sub(",", segment)
    text = _NOISE.sub(",", text)
    text = _ZIP.sub(" ", text)
    if "," in text:
        pieces = [p for piece in text.split(",") for p in _SPACED_DASH.split(piece)]
    else:
        pieces = _DASH_SPLIT.split(text)
        if len(pieces) == 1 and "-" in text and not _ICIMS.match(text):
            # "Eagan-Minnesota-United States of America"
            hyphen = text.split("-")
            if len(hyphen) >= 2 and any(geo().state(h) for h in hyphen[:2]):
                pieces = hyphen
    parts: list[str] = []
    for raw in pieces:
        part = _TRAILING_US.sub("", raw.strip(" .-:*#/")).strip(" .-:*#/")
        if parts and _METRO_TAIL.search(part):
            # "Columbus, Ohio Metropolitan Area": the state of the city before it.
            bare = _METRO_TAIL.sub("", part)
            if geo().state(bare) is not None:
                part = bare
        if part:
            parts.append(part)
    return parts


def _parse_segment(segment: str, g: Geo) -> _Hit | _Foreign | None:
    icims = _ICIMS.match(segment)
    if icims:
        state = g.state(icims.group(1))
        if state is not None:
            city_text = _REMOTE.sub(" ", icims.group(2)).strip(" -")
            return _city_hit(state, city_text, g) if city_text else _Hit(state, None, None, "state")
    zip_info = None
    for match in reversed(list(_ZIP.finditer(segment))):
        if match.group(1) in g.zips:
            zip_info = g.zips[match.group(1)]
            break
    parts: list[str] = []
    foreign = False
    for part in _split_parts(segment):
        key = fold(part)
        if not key or key in _US_WORDS:
            continue
        if key in _FOREIGN:
            # Kept: "Denmark, WI" is a town; a foreign name only decides when no US place does.
            foreign = True
        parts.append(part)

    state, index, leading = _find_state(parts, g)
    if state is None:
        if foreign and zip_info is None:
            # "Jamaica, Queens": a borough or island decides over a country's name.
            alias = next((fold(p) for p in parts if fold(p) in STATELESS_ALIASES), None)
            return _alias_hit(alias, g) or _FOREIGN_HIT if alias else _FOREIGN_HIT
        if zip_info is not None and not foreign:
            return _Hit(zip_info.state, zip_info.county_fips, zip_info.city, "zip")
        if foreign:
            return _FOREIGN_HIT
        named = _stateless(parts, segment, g)
        if named is not None:
            return named
        if _REMOTE.search(segment):
            in_text = _state_named_in(" ".join(parts), g)
            if in_text is not None:
                return _Hit(in_text, None, None, "state")
        return None
    if zip_info is not None and zip_info.state == state:
        names = [leading] if leading else [p for i, p in enumerate(parts) if i != index]
        named_city = next((g.city_name(state, c) for c in names if g.city_name(state, c)), None)
        return _Hit(state, zip_info.county_fips, named_city or zip_info.city, "zip")
    candidates = _candidates(parts, index, leading, g)
    for candidate, strict in candidates:
        hit = _city_hit(state, candidate, g, strict=strict)
        if hit.fips is not None:
            if hit.fips == "36061" and state == "NY":
                return _nyc_borough(parts, g) or hit
            return hit
    if state == "VA" and leading:
        # "West Haven VA": Veterans Affairs, not Virginia, when no Virginia town is named.
        facility = _facility_hit(segment, g)
        if facility is not None and facility.state != "VA":
            return replace(facility, stated=False)
    if _REMOTE.search(segment) and len(parts) > 1:
        # "Remote (must live in NC, SC, GA)": the first state the note names.
        first = _first_state(parts, g)
        if first is not None:
            return _Hit(first, None, None, "state")
    if foreign or any(fold(c) in _FOREIGN_CITIES for c, _strict in candidates):
        return _FOREIGN_HIT  # "Toronto, CA", "Denmark" without a Danish... state place
    return _Hit(state, None, None, "state")


def _candidates(
    parts: list[str], index: int | None, leading: str, g: Geo
) -> list[tuple[str, bool]]:
    """The parts that may name the city of the state found at ``index``, in the order to try:
    the places before the state from the first one ("Sterling, Wichita, Garden City, KS" is
    Sterling), street addresses after them, then the part next to the state (the only one
    tried loosely: site names, suffixes), then a town written after the state. Each comes
    with ``strict``."""
    if index is None:
        return []
    if leading:
        before = [p for p in parts[:index] if g.state(p) is None]
        return [*((p, True) for p in before), (leading, False)]
    if index > 0:
        start = index - 1
        while start > 0 and g.state(parts[start - 1]) is None:
            start -= 1
        before = parts[start:index]
        plain = [p for p in before[:-1] if not _STREETISH.search(p)]
        street = [p for p in before[:-1] if _STREETISH.search(p)]
        # "San Francisco, Seattle, North Carolina (Raleigh)": a town after the state, last.
        return [
            *((p, True) for p in (*plain, *street)),
            (before[-1], False),
            *((p, True) for p in parts[index + 1 : index + 2]),
        ]
    after: list[str] = []
    for part in parts[1:]:
        if g.state(part) is not None:
            break
        after.append(part)
    return [(p, False) for p in after[:2]]


def _find_state(parts: list[str], g: Geo) -> tuple[str | None, int | None, str]:
    """Find the state: abbreviation parts first, then names, then trailing words.

    Returns (state, index of the part, leading words of that part when the state was at its end).
    A list of places gives its first place ("Irving, TX, Atlanta, GA" is Texas), a list of
    states its first state ("Colorado, Pennsylvania"), "Indiana, Pennsylvania" the town.
    """
    abbrs = [
        i
        for i, part in enumerate(parts)
        if _ABBR.match(part) and g.state(part) and part not in _LOWER_WORDS
    ]
    if abbrs:
        # A list of state codes ("Remote - OH, IN, MI") gives its first state.
        i = abbrs[0] if len(abbrs) == len(parts) else next((i for i in abbrs if i > 0), abbrs[0])
        return g.state(parts[i]), i, ""
    names = [i for i, part in enumerate(parts) if len(fold(part)) > 2 and g.state(part)]
    if names:
        if len(names) == len(parts) and len(parts) > 1:
            first, second = g.state(parts[0]), g.state(parts[1])
            if len(parts) == 2 and second and g.city(second, parts[0]):
                return second, 1, ""
            return first, 0, ""
        i = next((i for i in names if i > 0), names[0])
        return g.state(parts[i]), i, ""
    for i in range(len(parts) - 1, -1, -1):
        words = parts[i].split()
        if len(words) < 2:
            continue
        for n in (3, 2, 1):
            if len(words) <= n:
                continue
            tail = " ".join(words[-n:])
            if n == 1 and len(fold(tail)) == 2 and not tail.rstrip(".").isupper():
                continue
            state = g.state(tail)
            if state is not None:
                return state, i, " ".join(words[:-n])
    return None, None, ""


def _first_state(parts: list[str], g: Geo) -> str | None:
    """The first state of a list in reading order: a whole part, or a code ending a part."""
    for part in parts:
        state = g.state(part) if len(fold(part)) > 2 or _ABBR.match(part) else None
        if state is None:
            last = part.split()[-1] if part.split() else ""
            state = g.state(last) if len(last) == 2 and last.isupper() else None
        if state is not None:
            return state
    return None


def _state_named_in(text: str, g: Geo) -> str | None:
    """A full state name anywhere in ``text`` ("Ohio residents only"), longest names first."""
    words = text.split()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            chunk = " ".join(words[start : start + size])
            if len(fold(chunk)) > 2:
                state = g.state(chunk)
                if state is not None:
                    return state
    return None


def _stateless(parts: list[str], segment: str, g: Geo) -> _Hit | None:
    """A place named without its state that still has one place: New York City and its
    boroughs, islands, metro phrases and nicknames, a county name found in one state only,
    a VA medical center, a state hospital named after its state or its (one-state) town."""
    keys = [fold(part) for part in parts]
    aliases = [key for key in keys if key in STATELESS_ALIASES]
    if aliases:
        # "NYC - Bronx": a borough or neighbourhood says more than New York City.
        key = next((k for k in aliases if k not in _NYC_GENERIC), aliases[0])
        alias = _alias_hit(key, g)
        return replace(alias, stated=False) if alias else None
    for index, key in enumerate(keys):
        if key in STATE_REGIONS:
            region_state = STATE_REGIONS[key]
            if region_state is None:
                return None
            # "Hempstead, Long Island": a town of the region's state named beside it.
            for other in parts[:index] + parts[index + 1 :]:
                town = _city_hit(region_state, other, g, strict=True)
                if town.fips is not None:
                    return replace(town, stated=False)
            return _Hit(region_state, None, None, "state", "metro", False)
    for part in parts:
        metro = _metro_hit(part, g)
        if metro is not None:
            return replace(metro, stated=False)
    county = _unique_county(segment, g) or _facility_hit(segment, g)
    return replace(county, stated=False) if county is not None else None


def _nyc_borough(parts: list[str], g: Geo) -> _Hit | None:
    """"New York, NY (Bronx)": the borough named beside New York City decides its county."""
    for part in parts:
        key = fold(part)
        if key in STATELESS_ALIASES and key not in _NYC_GENERIC:
            fips = g.city("NY", key)
            if fips is not None and fips != "36061":
                return _Hit("NY", fips, g.city_name("NY", key), "city", "city")
    return None


def _alias_hit(key: str, g: Geo) -> _Hit | None:
    if key == "longislandcity":
        return _Hit("NY", "36081", "Long Island City", "city", "city")
    for state in ("NY", "CA", "HI", "MN", "TX", "NC", "IL", "VA", "WA", "FL", "PA", "MA", "AK"):
        fips = g.city(state, key)
        if fips is not None:
            if key in METRO_ALIASES:
                return _Hit(state, fips, None, "county", "metro")
            return _Hit(state, fips, g.city_name(state, key), "city", "city")
    return None


def _metro_hit(part: str, g: Geo) -> _Hit | None:
    """"Greater Boston Area", "Dallas-Fort Worth Metroplex", "Raleigh-Durham-Chapel Hill Area",
    "Metro Detroit": the CBSA whose principal cities these are, placed in the county of its
    first principal city. A bare city name ("Boston") is not a metro phrase."""
    if not _HAS_METRO_WORD.search(part) or _STREETISH.search(part):
        return None
    match = _METRO_MARK.match(part.strip())
    core = match.group(1) if match else part
    if core == part and "-" not in part:
        return None
    key = fold(core)
    if key in STATELESS_ALIASES or key.removesuffix("city") in ("newyork", "ny"):
        alias = _alias_hit(key if key in STATELESS_ALIASES else "nyc", g)
        return _Hit(alias.state, alias.fips, None, "county", "metro") if alias else None
    first_state = g.state(core.split("-")[0])
    if first_state is not None and len(fold(core.split("-")[0])) > 2:
        # "Washington DC-Baltimore Area": the first name is a state (or the District).
        return _Hit(first_state, None, None, "state", "metro")
    names = area_names(core)
    metro = g.metros.get("".join(fold(n) for n in names))
    if metro is not None:
        return _Hit(metro.state, metro.county_fips, None, "county", "metro")
    if len(names) >= 2:
        # "Raleigh-Durham-Chapel Hill Area", "Huntsville-Decatur-Albertville Area": the one
        # state where every name is a town, placed at the first town (not "Winston-Salem").
        states: set[str] | None = None
        for name in names:
            found = set(g.city_states.get(fold(name), ()))
            states = found if states is None else states & found
        if states is not None and len(states) > 1:
            # "St. Paul-Minneapolis": Minnesota, the state where one of the names is a metro.
            states = {st for st in states if any((st, fold(n)) in g.metros_by_state for n in names)}
        if states is not None and len(states) == 1:
            (state,) = states
            metro = g.metros_by_state.get((state, fold(names[0])))
            fips = metro.county_fips if metro else g.city(state, names[0])
            return _Hit(state, fips, None, "county", "metro")
    return None


def _unique_county(segment: str, g: Geo) -> _Hit | None:
    """The first "X County" of the text when that county name exists in one state only."""
    for match in _COUNTY_IN_TEXT.finditer(segment):
        words = match.group(1).split()
        for start in range(len(words)):
            name = " ".join(words[start:]) + " " + match.group(2)
            fips = g.county_unique.get(fold(name))
            if fips is not None:
                return _Hit(g.counties[fips].state, fips, None, "county", "county")
    of = _COUNTY_OF.match(segment.strip())
    if of:
        fips = g.county_unique.get(fold(of.group(1) + " County"))
        if fips is not None:
            return _Hit(g.counties[fips].state, fips, None, "county", "county")
    return None


def _county_list_hit(segments: list[str], g: Geo) -> _Hit | None:
    """"Lucas County; Wood County; Ottawa County": names each found in several states, but all
    of them together in one state only. The first county of the list in that state."""
    names: list[str] = []
    for segment in segments:
        for match in _COUNTY_IN_TEXT.finditer(segment):
            names.append(fold(match.group(1) + " " + match.group(2)))
    if len(names) < 2:
        return None
    states: set[str] | None = None
    for name in names:
        found = {g.counties[f].state for f in g.county_all.get(name, ())}
        states = found if states is None else states & found
    if not states or len(states) != 1:
        return None
    (state,) = states
    fips = next(f for f in g.county_all[names[0]] if g.counties[f].state == state)
    return _Hit(state, fips, None, "county", "county", False)


def _facility_hit(segment: str, g: Geo) -> _Hit | None:
    text = segment.strip(" ,.-")
    if _VA_MARK.search(text):
        for piece in (text, *(p for p in re.split(r"\s*[,(]\s*|\s+-\s+", text) if p)):
            facility = g.facilities.get(facility_key(piece.strip(" ),.")))
            if facility is not None:
                precision = "city" if facility.county_fips else "state"
                return _Hit(facility.state, facility.county_fips, facility.city, precision, "facility")
    core = _VA_CORE.sub(" ", text).strip(" ,.-") if _VA_MARK.search(text) else ""
    if core:
        # "VA Puget Sound Health Care System", "Bay Pines VA Healthcare System": the place name
        # left after the VA words, when it is a nickname or a town of one state.
        key = fold(core)
        if key in STATELESS_ALIASES:
            alias = _alias_hit(key, g)
            if alias is not None:
                return _Hit(alias.state, alias.fips, alias.city, alias.precision, "facility")
        va_states = g.va_cities.get(key, {})
        if len(va_states) == 1:
            ((va_state, va_fips),) = va_states.items()
            precision = "city" if va_fips else "state"
            return _Hit(va_state, va_fips, g.city_name(va_state, core), precision, "facility")
        hit = _one_state_town(core, g)
        if hit is not None:
            return hit
    match = _HOSPITAL.match(text)
    if match:
        named = match.group(1).strip()
        state = g.state(named) or _state_named_in(named, g)
        if state is not None:
            return _Hit(state, None, None, "state", "facility")
        return _one_state_town(named, g)
    return None


def _one_state_town(named: str, g: Geo) -> _Hit | None:
    """A facility's town when only one state has a town of that name ("Napa")."""
    if fold(named) in _DIRECTIONS or fold(named) in _NON_PLACES:
        return None  # "Western State Hospital" is in Washington, Virginia and Kentucky
    states = g.city_states.get(fold(named))
    if states is not None and len(states) > 1:
        # "Boston VA Healthcare System": a town name shared by several states is the one that
        # names a metro area (Boston, MA), when one does.
        metro = g.metros.get(fold(named))
        if metro is not None and metro.county_fips:
            return _Hit(metro.state, metro.county_fips, named, "city", "facility")
    if states is None or len(states) != 1:
        return None
    (only,) = states
    fips = g.city(only, named)
    return _Hit(only, fips, g.city_name(only, named), "city", "facility")


def _city_hit(state: str, candidate: str, g: Geo, *, strict: bool = False) -> _Hit:
    """Resolve a city (or county) named in ``candidate`` inside ``state``.

    ``strict`` accepts only a whole city or county name (for the places of a list that are
    not next to the state, where "Main Office" or a street must not pass for a town)."""
    pieces = [candidate]
    if _SUBPARTS.search(candidate):
        pieces.extend(reversed([p for p in _SUBPARTS.split(candidate) if p.strip()]))
    for piece in pieces:
        piece = piece.strip(" .-:")
        if not piece:
            continue
        if fold(piece) in _NON_PLACES:
            # "Main Campus" is not a town, but "Home, KS" and "West, TX" are.
            fips = None if strict else g.city(state, piece)
            if fips is not None:
                return _Hit(state, fips, g.city_name(state, piece) or piece, "city")
            continue
        county = _county_hit(state, piece, g)
        if county is not None:
            return county
        fips = g.city(state, piece)
        metro_words = False
        if fips is None and not strict:
            bare = _CITY_SUFFIX.sub("", _CITY_PREFIX.sub("", piece))
            if bare != piece:
                fips = g.city(state, bare)
                if fips is not None:
                    metro_words = bool(_METRO_WORDS.search(piece))
                    piece = bare
                elif _TOWNSHIP.search(piece):
                    continue  # "Van Buren Township" is not Van Buren County
                elif "-" in bare or fold(bare) != fold(piece):
                    # "Greenville-Spartanburg-Anderson, South Carolina Area", "Dallas Metro, TX"
                    names = area_names(bare)
                    metro = g.metros_by_state.get((state, "".join(fold(n) for n in names)))
                    metro = metro or g.metros_by_state.get((state, fold(names[0]) if names else ""))
                    if metro is not None and metro.county_fips:
                        return _Hit(state, metro.county_fips, None, "county", "metro")
        if fips is None and not strict and "-" in piece and not _STREETISH.search(piece):
            # "Minneapolis-St. Paul, MN": the metro of those towns, or the first town.
            names = area_names(piece)
            metro = g.metros_by_state.get((state, "".join(fold(n) for n in names)))
            fips = metro.county_fips if metro else (g.city(state, names[0]) if names else None)
            if fips is not None:
                return _Hit(state, fips, None, "county", "metro")
        if fips is None and not strict and _STREETISH.search(piece):
            words = piece.split()
            for n in (3, 2, 1):
                if len(words) > n:
                    tail = " ".join(words[-n:])
                    fips = g.city(state, tail)
                    if fips is not None:
                        piece = tail
                        break
        if fips is not None:
            if fold(piece) in METRO_ALIASES or metro_words:
                # "Silicon Valley, CA", "Metro Detroit, MI": a metro named by its core city.
                return _Hit(state, fips, None, "county", "metro")
            return _Hit(state, fips, g.city_name(state, piece) or piece, "city")
        if strict:
            continue
        fips = g.county_by_name(state, piece)
        if fips is not None and not _STREETISH.search(piece):
            return _Hit(state, fips, None, "county")
        facility = _facility_hit(piece, g)
        if facility is not None and facility.state == state:
            return facility
    if not strict and not _STREETISH.search(candidate) and not _AND_SPLIT.search(candidate):
        # A site named after its town: "Elko Operations", "Wooster Community Hospital".
        words = candidate.split()
        for size in (2, 1):
            # Only when the rest names a site ("Operations", "Respite", "Campus"): "Marina Del
            # Ray" is not Marina, "Hartford County" is not the town of Hartford.
            if len(words) > size and _SITE_WORDS.search(" ".join(words[size:])):
                lead = " ".join(words[:size])
                if fold(lead) not in _NON_PLACES and fold(lead) not in _US_WORDS:
                    fips = g.city(state, lead)
                    if fips is not None:
                        return _Hit(state, fips, g.city_name(state, lead) or lead, "city")
    return _Hit(state, None, None, "state")


def _county_hit(state: str, piece: str, g: Geo) -> _Hit | None:
    match = _COUNTY_OF.match(piece)
    if match:
        fips = g.county_by_name(state, match.group(1), kind="county")
        return _Hit(state, fips, None, "county") if fips else None
    match = _COUNTY_SUFFIX.match(piece)
    if match:
        kind = match.group(2).lower().rstrip(".")
        kind = "county" if kind in ("co", "cnty") else kind
        fips = g.county_by_name(state, match.group(1), kind=kind)
        return _Hit(state, fips, None, "county") if fips else None
    return None


def _with_hint(segment: str, state: str, g: Geo) -> _Hit:
    """Resolve a location that names no state inside the board's state."""
    text = _NOISE.sub(",", _BRACKETS.sub(",", segment))
    parts = [p for p in (raw.strip(" .-:*#/") for raw in text.split(",")) if p]
    for part in parts:
        if fold(part) not in _US_WORDS:
            hit = _city_hit(state, part, g, strict=True)
            if hit.fips is not None:
                return hit
    for part in parts:
        if fold(part) not in _US_WORDS:
            hit = _city_hit(state, part, g)
            if hit.fips is not None:
                return hit
    return _Hit(state, None, None, "state")
