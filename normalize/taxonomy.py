"""Load and validate the peer-role taxonomy and the peer-credential lexicon (YAML data files).

``normalize/data/taxonomy.yaml`` holds the role families, canonical titles, aliases, acronyms,
hard negatives and lived-experience phrases; ``normalize/data/credentials.yaml`` the peer
credentials and the certifications that are not peer credentials. Both are data that
researchers edit; this module turns them into frozen dataclasses and refuses a broken file
with a :class:`TaxonomyError` that names the offending entry.

The packaged files are read once per process (:func:`load_taxonomy` and
:func:`load_credentials` cache the default path).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from normalize import DATA_DIR

TAXONOMY_PATH = DATA_DIR / "taxonomy.yaml"
CREDENTIALS_PATH = DATA_DIR / "credentials.yaml"

#: The nine role-family codes of the design, in the order of the design's table.
FAMILY_CODES: tuple[str, ...] = (
    "peer_support_mh",
    "recovery_coach_sud",
    "family_peer",
    "youth_peer",
    "forensic_peer",
    "veteran_peer",
    "peer_navigator",
    "peer_supervisor",
    "peer_other",
)

_FLAT_DROP = re.compile(r"['\u2019`]")
_FLAT_OTHER = re.compile(r"[^a-z0-9&]+")
_CODE_RE = re.compile(r"^[A-Z][A-Z0-9&-]{1,15}$")


class TaxonomyError(ValueError):
    """A taxonomy or credentials file is malformed; the message names the entry."""


def flatten(text: str) -> str:
    """Lower-case ``text``, drop apostrophes and turn every other mark into single spaces.

    This is the one form every phrase of the YAML files and every title is compared in:
    ``"Peer-Support Specialist (Re-entry)"`` -> ``"peer support specialist re entry"``.
    """
    text = _FLAT_DROP.sub("", text.lower())
    return _FLAT_OTHER.sub(" ", text).strip()


# --------------------------------------------------------------------------- taxonomy classes


@dataclass(frozen=True)
class TitleEntry:
    """One canonical title of a family and the title variants that mean it."""

    canonical: str
    """Canonical title reported as ``role_title`` (e.g. "Peer Support Specialist")."""
    family: str
    """Family code the title belongs to."""
    aliases: tuple[str, ...]
    """Flattened title variants (see :func:`flatten`) that map to this canonical title."""
    ambiguous: bool
    """True when the title alone is not enough: it is a peer role only if the description
    carries lived-experience language ("Recovery Specialist", "Peer Mentor")."""


@dataclass(frozen=True)
class Family:
    """A role family: who belongs to it and which title words point to it."""

    code: str
    """Family code, one of :data:`FAMILY_CODES`."""
    label: str
    """Short human label for dashboards."""
    description: str
    """Who belongs to the family (documentation for researchers)."""
    keywords: tuple[str, ...]
    """Flattened family keywords; one in a title beats the family of a generic head noun."""
    not_keywords: tuple[str, ...]
    """Flattened phrases that hide a keyword ("case manager" is not a manager of peers)."""
    titles: tuple[TitleEntry, ...]
    """Canonical titles of the family with their aliases."""


@dataclass(frozen=True)
class Acronym:
    """A credential acronym seen in titles and the title words it stands for."""

    code: str
    """The acronym as written in titles, upper case ("CPRS", "CRPA-P")."""
    expansion: str
    """Flattened expansion, itself an alias of some title ("certified peer recovery specialist")."""
    ambiguous: bool
    """True when the acronym collides with a non-peer meaning and is expanded only next to
    a peer word (CPS, CPC, CRM, CFP, FPA ...)."""


@dataclass(frozen=True)
class NegativePattern:
    """A hard negative: titles matching it are not peer roles."""

    name: str
    """Identifier of the negative class (e.g. "peer_review")."""
    pattern: str
    """Python regex searched in the flattened title."""
    unless: str | None
    """Optional regex that cancels the negative when it also matches the title."""
    examples: tuple[str, ...]
    """Real titles the pattern must reject (checked by the tests)."""


@dataclass(frozen=True)
class LivedPhrase:
    """Lived-experience language: a literal trigger and the regex tried around it."""

    trigger: str
    """Lower-case substring searched first (cheap); the pattern runs only near it."""
    pattern: str
    """Python regex that must match starting at the trigger (lower case, no apostrophes)."""
    before: str | None
    """Optional regex that must match the text ending right before the trigger."""
    requirement: bool
    """True when the phrase is typical of hiring requirements ("lived experience required",
    "must self-identify as ..."); the certification extractor only reads these."""


@dataclass(frozen=True)
class Taxonomy:
    """The whole title taxonomy, as loaded from ``taxonomy.yaml``."""

    version: str
    """Version string of the file, stamped on every normalized row."""
    fuzzy_cutoff: float
    """Rapidfuzz ``token_sort_ratio`` cut-off (0-100) for the fuzzy step."""
    family_precedence: tuple[str, ...]
    """Family codes in the order their keywords win when a title has several."""
    families: tuple[Family, ...]
    """The nine families in file order."""
    acronyms: tuple[Acronym, ...]
    """Credential acronyms that may appear in titles."""
    negatives: tuple[NegativePattern, ...]
    """Hard negatives, tried before any alias."""
    lived_experience: tuple[LivedPhrase, ...]
    """Lived-experience language in descriptions."""
    generic_words: tuple[str, ...]
    """Alias words too generic to make a title worth matching on their own."""
    noise_words: tuple[str, ...]
    """Words dropped from a title before the fuzzy step."""
    title_only_keywords: tuple[str, ...]
    """Family keywords honoured only in the main part of a title."""
    ambiguous_description_negatives: tuple[str, ...]
    """Lower-case substrings that, in the description of an ambiguous title, mark it as not a
    peer role (a WIC "Peer Counselor", a collections "Recovery Specialist")."""

    @property
    def family_codes(self) -> tuple[str, ...]:
        """Codes of all families, in file order."""
        return tuple(f.code for f in self.families)

    def family(self, code: str) -> Family:
        """The family with ``code``; KeyError when there is none."""
        for fam in self.families:
            if fam.code == code:
                return fam
        raise KeyError(code)

    def entries(self) -> tuple[TitleEntry, ...]:
        """Every canonical title of every family."""
        return tuple(entry for fam in self.families for entry in fam.titles)


# --------------------------------------------------------------------------- credentials classes


@dataclass(frozen=True)
class Credential:
    """A peer credential and the ways postings name it."""

    code: str
    """Code reported in ``credentials`` (e.g. "CPRS", "OH-CPRS", "IC&RC-PR")."""
    name: str
    """Full name of the credential."""
    states: tuple[str, ...]
    """States where it is issued or used (documentation; empty for national credentials)."""
    acronyms: tuple[str, ...]
    """Acronyms matched case-sensitively as whole words."""
    acronym_needs_context: bool
    """True when an acronym counts only in a sentence about peers, recovery or certification."""
    acronym_not_context: str | None
    """Regex; when it matches the sentence, the acronym means something else."""
    roles: tuple[str, ...]
    """Flattened role phrases, matched in certified forms ("certified as a <role>")."""
    names: tuple[str, ...]
    """Flattened phrases matched as they are."""
    patterns: tuple[str, ...]
    """Regexes matched in the lower-cased sentence."""
    pattern_hints: tuple[str, ...]
    """Lower-case substrings; ``patterns`` are tried only in sentences containing one."""
    state_codes: tuple[tuple[str, str], ...]
    """(state, code) pairs: in that state the acronym and roles mean the other credential."""


@dataclass(frozen=True)
class NonPeerCredential:
    """Certifications that are not peer credentials (CPR, driver's licence, CPI ...)."""

    name: str
    """Human name of the group."""
    phrases: tuple[str, ...]
    """Flattened phrases matched as whole words ("cpr", "first aid", "drivers license")."""


@dataclass(frozen=True)
class CredentialSet:
    """The credential lexicon, as loaded from ``credentials.yaml``."""

    version: str
    """Version string of the file."""
    credentials: tuple[Credential, ...]
    """Peer credentials."""
    non_peer: tuple[NonPeerCredential, ...]
    """Certifications that never make ``cert_requirement`` non-none."""

    @property
    def codes(self) -> frozenset[str]:
        """Every code a credential can be reported as (including state variants)."""
        out = {c.code for c in self.credentials}
        out.update(code for c in self.credentials for _, code in c.state_codes)
        return frozenset(out)


# --------------------------------------------------------------------------- helpers


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except OSError as exc:
        raise TaxonomyError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise TaxonomyError(f"{path}: the top level must be a mapping")
    return data


def _str(value: object, where: str, *, keep_spaces: bool = False) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(f"{where}: expected a non-empty string, got {value!r}")
    return value if keep_spaces else value.strip()


def _str_list(value: object, where: str, *, flat: bool = False) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TaxonomyError(f"{where}: expected a list, got {type(value).__name__}")
    out: list[str] = []
    for i, item in enumerate(value):
        text = _str(item, f"{where}[{i}]")
        out.append(flatten(text) if flat else text)
    return tuple(out)


def _regex(value: object, where: str) -> str:
    text = _str(value, where, keep_spaces=True)
    try:
        re.compile(text)
    except re.error as exc:
        raise TaxonomyError(f"{where}: invalid regex {text!r}: {exc}") from exc
    return text


def _bool(value: object, where: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise TaxonomyError(f"{where}: expected true/false, got {value!r}")
    return value


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TaxonomyError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


# --------------------------------------------------------------------------- taxonomy loading


def parse_taxonomy(data: Mapping[str, Any], source: str = "taxonomy") -> Taxonomy:
    """Build and validate a :class:`Taxonomy` from already-parsed YAML data."""
    version = _str(data.get("version"), f"{source}: version")
    cutoff_raw = data.get("fuzzy_cutoff", 90)
    if isinstance(cutoff_raw, bool) or not isinstance(cutoff_raw, int | float):
        raise TaxonomyError(f"{source}: fuzzy_cutoff must be a number")
    cutoff = float(cutoff_raw)
    if not 50 <= cutoff <= 100:
        raise TaxonomyError(f"{source}: fuzzy_cutoff must be between 50 and 100, got {cutoff}")

    fams_raw = data.get("families")
    if not isinstance(fams_raw, list):
        raise TaxonomyError(f"{source}: families must be a list")
    families: list[Family] = []
    alias_owner: dict[str, str] = {}
    for i, fam_raw in enumerate(fams_raw):
        where = f"{source}: families[{i}]"
        fam = _mapping(fam_raw, where)
        code = _str(fam.get("code"), f"{where}.code")
        if code not in FAMILY_CODES:
            raise TaxonomyError(f"{where}: unknown family code {code!r}")
        where = f"{source}: family {code}"
        titles_raw = fam.get("titles")
        if not isinstance(titles_raw, list) or not titles_raw:
            raise TaxonomyError(f"{where}: titles must be a non-empty list")
        titles: list[TitleEntry] = []
        for j, t_raw in enumerate(titles_raw):
            t_where = f"{where}.titles[{j}]"
            t = _mapping(t_raw, t_where)
            canonical = _str(t.get("canonical"), f"{t_where}.canonical")
            aliases = _str_list(t.get("aliases"), f"{t_where}.aliases", flat=True)
            if not aliases:
                raise TaxonomyError(f"{t_where}: {canonical!r} has no aliases")
            for alias in aliases:
                owner = f"{code}/{canonical}"
                if alias in alias_owner and alias_owner[alias] != owner:
                    raise TaxonomyError(
                        f"{t_where}: alias {alias!r} is also an alias of {alias_owner[alias]}"
                    )
                alias_owner[alias] = owner
            titles.append(
                TitleEntry(
                    canonical=canonical,
                    family=code,
                    aliases=tuple(dict.fromkeys(aliases)),
                    ambiguous=_bool(t.get("ambiguous"), f"{t_where}.ambiguous"),
                )
            )
        if all(t.ambiguous for t in titles):
            raise TaxonomyError(f"{where}: needs at least one unambiguous title")
        families.append(
            Family(
                code=code,
                label=_str(fam.get("label"), f"{where}.label"),
                description=_str(fam.get("description"), f"{where}.description"),
                keywords=_str_list(fam.get("keywords"), f"{where}.keywords", flat=True),
                not_keywords=_str_list(fam.get("not_keywords"), f"{where}.not_keywords", flat=True),
                titles=tuple(titles),
            )
        )
    codes = [f.code for f in families]
    if sorted(codes) != sorted(FAMILY_CODES):
        missing = sorted(set(FAMILY_CODES) - set(codes))
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        raise TaxonomyError(f"{source}: families must be the nine codes once each "
                            f"(missing {missing}, repeated {dupes})")

    precedence = _str_list(data.get("family_precedence"), f"{source}: family_precedence")
    for code in precedence:
        if code not in FAMILY_CODES:
            raise TaxonomyError(f"{source}: family_precedence: unknown family {code!r}")
    keyword_families = [f.code for f in families if f.keywords]
    for code in keyword_families:
        if code not in precedence:
            raise TaxonomyError(
                f"{source}: family {code} has keywords but is missing from family_precedence"
            )

    acr_raw = _mapping(data.get("acronyms", {}), f"{source}: acronyms")
    acronyms: list[Acronym] = []
    for code_raw, spec_raw in acr_raw.items():
        code = _str(code_raw, f"{source}: acronyms key")
        where = f"{source}: acronyms.{code}"
        if not _CODE_RE.match(code):
            raise TaxonomyError(f"{where}: acronyms are upper case letters, digits, - and &")
        spec = _mapping(spec_raw, where)
        expansion = flatten(_str(spec.get("expansion"), f"{where}.expansion"))
        if expansion not in alias_owner:
            raise TaxonomyError(f"{where}: expansion {expansion!r} is not an alias of any title")
        acronyms.append(Acronym(code, expansion, _bool(spec.get("ambiguous"), f"{where}.ambiguous")))

    negs_raw = data.get("negatives")
    if not isinstance(negs_raw, list):
        raise TaxonomyError(f"{source}: negatives must be a list")
    negatives: list[NegativePattern] = []
    seen_neg: set[str] = set()
    for i, neg_raw in enumerate(negs_raw):
        where = f"{source}: negatives[{i}]"
        neg = _mapping(neg_raw, where)
        name = _str(neg.get("name"), f"{where}.name")
        if name in seen_neg:
            raise TaxonomyError(f"{where}: negative {name!r} defined twice")
        seen_neg.add(name)
        unless = neg.get("unless")
        negatives.append(
            NegativePattern(
                name=name,
                pattern=_regex(neg.get("pattern"), f"{where}.pattern"),
                unless=None if unless is None else _regex(unless, f"{where}.unless"),
                examples=_str_list(neg.get("examples"), f"{where}.examples"),
            )
        )

    lived_list: list[LivedPhrase] = []
    for i, item in enumerate(data.get("lived_experience") or []):
        where = f"{source}: lived_experience[{i}]"
        entry = _mapping(item, where)
        trigger = _str(entry.get("trigger"), f"{where}.trigger", keep_spaces=True)
        if trigger != trigger.lower():
            raise TaxonomyError(f"{where}: trigger must be lower case")
        pattern = str(entry.get("pattern") or "")
        if not pattern.startswith(trigger.strip()[:3]):
            raise TaxonomyError(f"{where}: pattern must start with its trigger {trigger!r}")
        lived_list.append(
            LivedPhrase(
                trigger=trigger,
                pattern=_regex(entry.get("pattern"), f"{where}.pattern"),
                before=None
                if entry.get("before") is None
                else _regex(entry.get("before"), f"{where}.before"),
                requirement=_bool(entry.get("requirement"), f"{where}.requirement"),
            )
        )
    lived = tuple(lived_list)
    if not lived:
        raise TaxonomyError(f"{source}: lived_experience needs at least one pattern")

    return Taxonomy(
        version=version,
        fuzzy_cutoff=cutoff,
        family_precedence=precedence,
        families=tuple(families),
        acronyms=tuple(acronyms),
        negatives=tuple(negatives),
        lived_experience=lived,
        generic_words=_str_list(data.get("generic_words"), f"{source}: generic_words", flat=True),
        noise_words=_str_list(data.get("noise_words"), f"{source}: noise_words", flat=True),
        title_only_keywords=_str_list(
            data.get("title_only_keywords"), f"{source}: title_only_keywords", flat=True
        ),
        ambiguous_description_negatives=tuple(
            _str(v, f"{source}: ambiguous_description_negatives[{i}]", keep_spaces=True).lower()
            for i, v in enumerate(data.get("ambiguous_description_negatives") or [])
        ),
    )


@functools.lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    return parse_taxonomy(_read_yaml(TAXONOMY_PATH), str(TAXONOMY_PATH))


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Load the taxonomy from ``path`` (default: the packaged ``normalize/data/taxonomy.yaml``).

    The default file is read once per process; an explicit path is read on every call.
    Raises :class:`TaxonomyError` when the file is missing or malformed.
    """
    if path is None or Path(path).resolve() == TAXONOMY_PATH:
        return _default_taxonomy()
    return parse_taxonomy(_read_yaml(Path(path)), str(path))


def taxonomy_version() -> str:
    """Version string of the packaged taxonomy (stamped on every normalized row)."""
    return load_taxonomy().version


TAXONOMY_VERSION: str = taxonomy_version()
"""Version of the packaged taxonomy file, e.g. ``"2026.11.1"``."""


# --------------------------------------------------------------------------- credentials loading


def parse_credentials(data: Mapping[str, Any], source: str = "credentials") -> CredentialSet:
    """Build and validate a :class:`CredentialSet` from already-parsed YAML data."""
    version = _str(data.get("version"), f"{source}: version")
    creds_raw = data.get("credentials")
    if not isinstance(creds_raw, list) or not creds_raw:
        raise TaxonomyError(f"{source}: credentials must be a non-empty list")
    creds: list[Credential] = []
    seen: set[str] = set()
    for i, c_raw in enumerate(creds_raw):
        where = f"{source}: credentials[{i}]"
        c = _mapping(c_raw, where)
        code = _str(c.get("code"), f"{where}.code")
        if not _CODE_RE.match(code):
            raise TaxonomyError(f"{where}: code {code!r} must be upper case letters, digits, - or &")
        if code in seen:
            raise TaxonomyError(f"{where}: code {code!r} defined twice")
        seen.add(code)
        where = f"{source}: credential {code}"
        acronyms = _str_list(c.get("acronyms"), f"{where}.acronyms")
        roles = _str_list(c.get("roles"), f"{where}.roles", flat=True)
        names = _str_list(c.get("names"), f"{where}.names", flat=True)
        patterns = tuple(
            _regex(p, f"{where}.patterns[{j}]") for j, p in enumerate(c.get("patterns") or [])
        )
        if not (acronyms or roles or names or patterns):
            raise TaxonomyError(f"{where}: needs acronyms, roles, names or patterns")
        hints = tuple(h.lower() for h in _str_list(c.get("pattern_hints"), f"{where}.pattern_hints"))
        if patterns and not hints:
            raise TaxonomyError(f"{where}: patterns need pattern_hints")
        state_raw = _mapping(c.get("state_codes") or {}, f"{where}.state_codes")
        state_codes = tuple(
            (_str(k, f"{where}.state_codes key").upper(), _str(v, f"{where}.state_codes.{k}"))
            for k, v in state_raw.items()
        )
        not_ctx = c.get("acronym_not_context")
        creds.append(
            Credential(
                code=code,
                name=_str(c.get("name"), f"{where}.name"),
                states=tuple(s.upper() for s in _str_list(c.get("states"), f"{where}.states")),
                acronyms=acronyms,
                acronym_needs_context=_bool(
                    c.get("acronym_needs_context"), f"{where}.acronym_needs_context"
                ),
                acronym_not_context=None
                if not_ctx is None
                else _regex(not_ctx, f"{where}.acronym_not_context"),
                roles=roles,
                names=names,
                patterns=patterns,
                pattern_hints=hints,
                state_codes=state_codes,
            )
        )
    for cred in creds:
        for state, other in cred.state_codes:
            if other not in seen:
                raise TaxonomyError(
                    f"{source}: credential {cred.code}: state_codes {state} -> unknown code {other!r}"
                )
    non_peer: list[NonPeerCredential] = []
    for i, n_raw in enumerate(data.get("non_peer") or []):
        where = f"{source}: non_peer[{i}]"
        n = _mapping(n_raw, where)
        phrases = _str_list(n.get("phrases"), f"{where}.phrases", flat=True)
        if not phrases:
            raise TaxonomyError(f"{where}: needs phrases")
        non_peer.append(NonPeerCredential(_str(n.get("name"), f"{where}.name"), phrases))
    return CredentialSet(version=version, credentials=tuple(creds), non_peer=tuple(non_peer))


@functools.lru_cache(maxsize=1)
def _default_credentials() -> CredentialSet:
    return parse_credentials(_read_yaml(CREDENTIALS_PATH), str(CREDENTIALS_PATH))


def load_credentials(path: Path | None = None) -> CredentialSet:
    """Load the credential lexicon (default: the packaged ``normalize/data/credentials.yaml``)."""
    if path is None or Path(path).resolve() == CREDENTIALS_PATH:
        return _default_credentials()
    return parse_credentials(_read_yaml(Path(path)), str(path))


def peer_search_terms(taxonomy: Taxonomy | None = None) -> tuple[str, ...]:
    """Every peer title variant worth a keyword search: canonical titles and aliases of every
    family, deduplicated ignoring case and sorted. Titles that are peer roles only with
    lived-experience language in the description ("Recovery Specialist") are left out: as search
    keywords they return mostly other jobs, and the classifier would reject most of them."""
    tax = taxonomy or load_taxonomy()
    terms: dict[str, str] = {}
    for entry in tax.entries():
        if entry.ambiguous:
            continue
        for term in (entry.canonical, *entry.aliases):
            terms.setdefault(term.casefold(), term)
    return tuple(sorted(terms.values(), key=str.casefold))
