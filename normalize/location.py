"""Resolve a posting's raw location text to state, county, CBSA, Census region and remote.

Pure and offline: see :mod:`normalize.geo` for the data and its quirks (CT planning regions,
independent cities, the county chosen for a multi-county city).

Forms handled: "City, ST 49017", "City, ST", "City, State[, United States|USA]", iCIMS
"US-MI-Kalamazoo", Workday "US, OR, Beaverton[, Site]", Paycom "Site - City, ST ZIP", a ZIP alone
(5 digits or ZIP+4), "X County, ST", "County of X", "X Co., ST", street addresses, "Remote",
"Remote - Michigan", "Remote (US)", "Hybrid - Denver, CO", "Telecommute", "Statewide", several
locations separated by ``;``/``|``/newlines (the first real one wins, the rest go to
``other_locations``), "2 Locations" placeholders, state names and abbreviations in any case.

Precedence inside one location: a ZIP that agrees with the stated state (or stands alone) ->
the city in the stated state -> a county named in the text -> the state alone. ``state_hint``
(the board's state) is used only when the text names no state and is not explicitly national
or foreign. ``remote`` is true when the text says remote/telecommute/work from home (and not
hybrid) or when ``remote_hint`` is true.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

from normalize.geo import Geo, fold, geo

__all__ = ["PRECISIONS", "Place", "resolve_location"]

PRECISIONS: Final = ("zip", "city", "county", "state", "remote")


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


_EMPTY = Place(None, None, None, None, None, None, None, False, None, (), None)

_MAX_LEN = 600
_TAGS = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_MULTI_SPLIT = re.compile(r"\s*(?:;|\||\n|•|·|\s/\s|(?<=[a-z])/(?=[A-Z]))\s*")
_DASH_SPLIT = re.compile(r"\s+-\s+|\s*:\s+")
_AND_SPLIT = re.compile(r"\s+(?:&|and)\s+(?=[A-Z])")
_PLACEHOLDER = re.compile(
    r"^(?:\d+\s+locations?|(?:multiple|various|several|many|all|other)\s+locations?"
    r"|locations?\s*(?:not\s+specified|tbd|vary|varies|to be determined)"
    r"|(?:location\s+)?not\s+specified|tbd|n/?a|none|unknown|see\s+(?:job\s+)?description)$",
    re.I,
)
_REMOTE = re.compile(
    r"\b(?:remote(?:ly)?|tele-?commut\w*|tele-?work\w*|work(?:ing)?\s+(?:from|at)\s+home|wfh"
    r"|home[- ]based|virtual|anywhere)\b",
    re.I,
)
_NOT_REMOTE = re.compile(r"\b(?:hybrid|on-?site|in[- ]person|(?:no|not|non)[- ]remote)\b", re.I)
_NATIONAL = re.compile(
    r"\b(?:united\s+states|u\.\s?s\.(?:\s?a\.?)?|usa|us|nationwide|national|anywhere)\b", re.I
)
_NOISE = re.compile(
    r"\b(?:(?:fully|100%|full[- ]time|partially|partial)\s+)?(?:remote(?:ly)?(?:\s+job)?"
    r"|tele-?commut\w*|tele-?work\w*|work(?:ing)?\s+(?:from|at)\s+home|wfh|home[- ]based"
    r"|virtual|hybrid|on-?site|in[- ]person|in[- ]office|statewide|nationwide"
    r"|anywhere(?:\s+in)?(?:\s+the)?|location|located\s+in|based\s+in|eligible|only)\b:?",
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
_CITY_PREFIX = re.compile(
    r"^(?:(?:city|town|village|township|borough)\s+of\s+|greater\s+|downtown\s+)", re.I
)
_CITY_SUFFIX = re.compile(
    r"\s+(?:township|twp\.?|charter\s+township|city|town|village|(?:metro(?:politan)?\s+)?area"
    r"|metro|region)$",
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
        "hongkong", "emea", "apac", "latam", "europe", "asia",
    }
)  # fmt: skip
_NON_PLACES: Final = frozenset(
    {
        "main", "maincampus", "campus", "office", "mainoffice", "headquarters", "hq",
        "clinic", "various", "multiple", "field", "community", "home", "travel", "hybrid",
        "remote", "onsite", "tbd", "other", "county", "city", "state",
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


def resolve_location(
    text: str | None,
    *,
    others: Sequence[str] = (),
    remote_hint: bool | None = None,
    state_hint: str | None = None,
) -> Place:
    """Resolve raw location text (plus any further raw locations) to a :class:`Place`.

    Never raises: anything unusable gives an empty place (``remote`` still follows the text
    and ``remote_hint``).
    """
    try:
        clean_others: tuple[str, ...] = ()
        if others and not isinstance(others, (str, bytes)):
            clean_others = tuple(c for c in (_clean(o) for o in list(others)[:50]) if c)
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
        text = _TAGS.sub(" ", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_CONTROL.sub(" ", line) for line in text.split("\n"))
    text = _DASHES.sub("-", text)
    text = _SPACES.sub(" ", text)
    return text.strip()[:_MAX_LEN]


@lru_cache(maxsize=65536)
def _resolve(text: str, others: tuple[str, ...], remote_hint: bool, hint_text: str) -> Place:
    g = geo()
    segments = [s for s in (p.strip(" ,.-") for p in _MULTI_SPLIT.split(text)) if s]
    for other in others:
        segments.extend(s for s in (p.strip(" ,.-") for p in _MULTI_SPLIT.split(other)) if s)
    real: list[str] = []
    for segment in segments:
        if _PLACEHOLDER.match(segment):
            continue
        if _AND_SPLIT.search(segment):
            # "Battle Creek and Kalamazoo, MI" lists two places; "Town and Country, MO" is one.
            whole = _parse_segment(segment, g)
            if not isinstance(whole, _Hit) or whole.fips is None:
                real.extend(p for p in _AND_SPLIT.split(segment) if p.strip())
                continue
        real.append(segment)
    joined = " ".join(real)
    remote = remote_hint or (bool(_REMOTE.search(joined)) and not _NOT_REMOTE.search(joined))
    hint = g.state(hint_text) if hint_text else None

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
        if stateless is not None and stateless < index:
            # "Oroville / Chico Area, CA": an earlier location without a state shares this one's.
            shared = _with_hint(real[stateless], hit.state, g)
            if shared.fips is not None:
                rest = tuple(s for i, s in enumerate(real) if i != stateless)
                return _place(g, shared, remote, rest)
        return _place(g, hit, remote, rest)
    rest = tuple(real[1:]) if len(real) > 1 else ()
    if hint is not None and real and not foreign_only:
        first = real[0]
        if not _NATIONAL.search(first):
            hit2 = _with_hint(first, hint, g)
            return _place(g, hit2, remote, rest)
    if hint is not None and not real and remote:
        return _place(g, _Hit(hint, None, None, "state"), remote, ())
    if remote:
        return Place(None, None, None, None, None, None, None, True, None, rest, "remote")
    if rest:
        return Place(None, None, None, None, None, None, None, False, None, rest, None)
    return _EMPTY


def _place(g: Geo, hit: _Hit, remote: bool, rest: tuple[str, ...]) -> Place:
    info = g.states[hit.state]
    county = g.counties.get(hit.fips) if hit.fips else None
    if county is not None and county.state != hit.state:
        county = None
    precision = hit.precision if county is not None or hit.precision == "state" else "state"
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
    )


def _parse_segment(segment: str, g: Geo) -> _Hit | _Foreign | None:
    icims = _ICIMS.match(segment)
    if icims:
        state = g.state(icims.group(1))
        if state is not None:
            city_text = _REMOTE.sub(" ", icims.group(2)).strip(" -")
            return _city_hit(state, city_text, g) if city_text else _Hit(state, None, None, "state")
    zip_info = None
    zip_code = None
    for match in reversed(list(_ZIP.finditer(segment))):
        if match.group(1) in g.zips:
            zip_code = match.group(1)
            zip_info = g.zips[zip_code]
            break
    text = _BRACKETS.sub(",", segment)
    text = _NOISE.sub(",", text)
    text = _ZIP.sub(" ", text)
    parts: list[str] = []
    pieces = text.split(",") if "," in text else _DASH_SPLIT.split(text)
    for raw in pieces:
        part = raw.strip(" .-:*#/")
        if not part:
            continue
        key = fold(part)
        if not key or key in _US_WORDS:
            continue
        if key in _FOREIGN:
            return _FOREIGN_HIT
        parts.append(part)

    state, index, leading = _find_state(parts, g)
    if state is None:
        if zip_info is not None:
            return _Hit(zip_info.state, zip_info.county_fips, zip_info.city, "zip")
        if _REMOTE.search(segment):
            named = _state_named_in(" ".join(parts), g)
            if named is not None:
                return _Hit(named, None, None, "state")
        return None
    candidates: list[str] = []
    if leading:
        candidates.append(leading)
    elif index is not None:
        if index > 0:
            candidates.append(parts[index - 1])
        elif len(parts) > 1:
            candidates.append(parts[1])
    if zip_info is not None and zip_info.state == state:
        named = next((g.city_name(state, c) for c in candidates if g.city_name(state, c)), None)
        return _Hit(state, zip_info.county_fips, named or zip_info.city, "zip")
    for candidate in candidates:
        hit = _city_hit(state, candidate, g)
        if hit.fips is not None:
            return hit
    return _Hit(state, None, None, "state")


def _find_state(parts: list[str], g: Geo) -> tuple[str | None, int | None, str]:
    """Find the state: abbreviation parts first (right to left), then names, then trailing words.

    Returns (state, index of the part, leading words of that part when the state was at its end).
    """
    for i in range(len(parts) - 1, -1, -1):
        if _ABBR.match(parts[i]):
            state = g.state(parts[i])
            if state is not None:
                return state, i, ""
    for i in range(len(parts) - 1, -1, -1):
        state = g.state(parts[i])
        if state is not None and len(fold(parts[i])) > 2:
            return state, i, ""
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


def _city_hit(state: str, candidate: str, g: Geo) -> _Hit:
    """Resolve a city (or county) named in ``candidate`` inside ``state``."""
    pieces = [candidate]
    if _SUBPARTS.search(candidate):
        pieces.extend(reversed([p for p in _SUBPARTS.split(candidate) if p.strip()]))
    for piece in pieces:
        piece = piece.strip(" .-:")
        if not piece or fold(piece) in _NON_PLACES:
            continue
        county = _county_hit(state, piece, g)
        if county is not None:
            return county
        fips = g.city(state, piece)
        if fips is None:
            bare = _CITY_SUFFIX.sub("", _CITY_PREFIX.sub("", piece))
            if bare != piece:
                fips = g.city(state, bare)
                piece = bare
        if fips is None and _STREETISH.search(piece):
            words = piece.split()
            for n in (3, 2, 1):
                if len(words) > n:
                    tail = " ".join(words[-n:])
                    fips = g.city(state, tail)
                    if fips is not None:
                        piece = tail
                        break
        if fips is not None:
            return _Hit(state, fips, g.city_name(state, piece) or piece, "city")
        fips = g.county_by_name(state, piece)
        if fips is not None and not _STREETISH.search(piece):
            return _Hit(state, fips, None, "county")
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
            hit = _city_hit(state, part, g)
            if hit.fips is not None:
                return hit
    for part in parts:
        # A site named after its town: "Worcester Respite", "Laramie Montessori Charter School".
        words = part.split()
        for size in (2, 1):
            if len(words) > size and not _STREETISH.search(part):
                lead = " ".join(words[:size])
                if fold(lead) not in _NON_PLACES and fold(lead) not in _US_WORDS:
                    fips = g.city(state, lead)
                    if fips is not None:
                        return _Hit(state, fips, g.city_name(state, lead) or lead, "city")
    return _Hit(state, None, None, "state")
