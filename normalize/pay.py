"""Parse posted pay (structured fields, a pay text, or a job description) into one record.

Rules (pure functions, no I/O):

- **Precedence** in :func:`normalize_pay`: structured ``pay_min``/``pay_max`` (numbers or numeric
  strings, with the platform's raw period code) -> ``pay_text`` -> the first base-pay statement
  in ``description`` (only amounts near pay words, a period, or in a range).
- **Amounts**: ``$16``, ``$1,789.60``, ``$75k``, ``USD $18.04``, ``16.21 To 20.92 (USD)``,
  ``53 200€`` (spaces as thousands separators, symbol after the figure); a K figure is money
  without a symbol ("SALARY:100k-120k", "80-120k", "65K+ EUR"), and "$45-60K" reads 45,000;
  ranges with ``-``, en/em dash, ``to``, ``to -``, ``and``; reversed ranges are swapped (flag
  ``reversed_range``). ``up to``/``maximum``/``max`` give only ``pay_max``; ``starting at``/
  ``from``/``minimum``/``at least``/``>``/``over`` give only ``pay_min``; so do a lone amount
  named a start or a minimum anywhere in its clause or on the label line above ("Starting
  Salary\n\n$56,604", "Min Hiring Rate $17.50", "Starting pay is usually around $11") and one
  followed by ``+``/``and up``/``to start``/``starting``. A range stays a range. "Minimum $18
  Maximum $24" and "$X Min / $Y Mid / $Z Max" combine into one range.
- **Several statements**: amounts of the same period that follow each other closely
  ("$15.39 per hour non-certified / $16.50 per hour certified") join into one range. When the
  text states a second scheme ("$12.58 hourly; $26,175 annually") the first one is kept and the
  hourly equivalents come from it (flag ``multiple_periods``).
- **Not base pay**: amounts whose clause is about a bonus, sign-on, retention, relocation,
  reimbursement, tuition, stipend, differential, tips, PTO, 401k/403b match, overtime, on-call,
  incentives, allowances, OTE / on-target earnings or a half day (flag ``non_base_excluded``);
  "+"/"&"/"plus"/"with" end the words about an amount, so "$18/hr + commission" and "$60K base /
  $120K OTE" keep the base; "Base = $120k and up to $175k (for top performers)" is the base.
  Fee/cost words exclude only amounts with no period ("Teaching Fee: $33/hour" is pay).
  GS/WG grades ("GS-0102-07", "GS-5/7/9"), steps ("Step 1 - Step 10") and state grades
  ("GRADE ASTD10") are never amounts; with no dollar figure they give the flag ``grade_only``.
- **No numbers**: flag ``no_numbers`` plus ``doe`` (DOE/DOQ, depends on experience/qualifications,
  commensurate), ``competitive`` or ``negotiable`` when those words appear. A text that holds a
  money figure but yields no numbers always says why: ``non_base_excluded``, ``implausible``,
  ``grade_only``, or else ``unparsed``.
- **Periods**: hour (hour, hr, /hr, /h, hourly, an hour, per hour, per teaching hour, p/h), day
  (day, daily, "for a full day", "Day Rate:"), week,
  month, year (annually, annual, per annum, a year, /yr, yr, yearly, and "salary" right after
  the amount). Biweekly and semi-monthly amounts have no value in the period vocabulary: they
  keep the numbers as posted with ``pay_period`` None and the flag ``biweekly`` /
  ``semi_monthly``; their hourly equivalents use 80 and 2080/24 hours.
- **Inference** when no period is stated (``period_inferred=True``), from the midpoint of the
  amounts: 7-150 -> hour; over 150 and under 2,000 -> week; 2,000 to under 15,000 -> month;
  15,000-500,000 -> year. A day rate is never inferred. Anything else has no period.
- **Plausibility**: hourly equivalents below $7 (hour/day/week/month) or above $200 (any period),
  annual amounts below $10,000 or above $500,000, or a range whose max is more than 3x its min are
  flagged ``implausible``: the text stays in ``raw`` and every number is None.
- **Hourly equivalents** use 2,080 hours a year: day 8 h, week 40 h, biweekly 80 h,
  semi-monthly 2080/24 h, month 2080/12 h.
- Structured integers that are only plausible after dividing by 100 are read as cents
  (Greenhouse ``min_cents``), flag ``cents``.
"""

from __future__ import annotations

import bisect
import html
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Final, cast

from normalize.textutil import OccurrenceScan, find_all, literal_breaks

__all__ = ["FLAGS", "PERIODS", "SOURCES", "Pay", "normalize_pay", "parse_pay_text"]

PERIODS: Final = ("hour", "day", "week", "month", "year")
SOURCES: Final = ("structured", "text", "description")
FLAGS: Final = (
    "implausible",
    "no_numbers",
    "grade_only",
    "doe",
    "competitive",
    "negotiable",
    "multiple_periods",
    "non_base_excluded",
    "reversed_range",
    "biweekly",
    "semi_monthly",
    "cents",
    "unparsed",
)
HOURS: Final = {
    "hour": 1.0,
    "day": 8.0,
    "week": 40.0,
    "biweekly": 80.0,
    "semi": 2080.0 / 24.0,
    "month": 2080.0 / 12.0,
    "year": 2080.0,
}


@dataclass(frozen=True)
class Pay:
    """Normalized pay of one posting. All numbers None when nothing usable was found."""

    pay_min: float | None
    """Lowest posted amount, in ``pay_period`` (None when open, e.g. "up to $22")."""
    pay_max: float | None
    """Highest posted amount, in ``pay_period`` (None when open, e.g. "starting at $17")."""
    pay_period: str | None
    """hour | day | week | month | year, or None."""
    pay_currency: str | None
    """ISO 4217 code; USD when a ``$`` is seen."""
    hourly_min: float | None
    """``pay_min`` as an hourly rate (2,080 hours a year), rounded to 2 decimals."""
    hourly_max: float | None
    """``pay_max`` as an hourly rate (2,080 hours a year), rounded to 2 decimals."""
    period_inferred: bool
    """True when the period was not stated and was inferred from the amounts' magnitude."""
    source: str | None
    """Where the numbers came from: structured | text | description, or None."""
    flags: tuple[str, ...]
    """Notes from :data:`FLAGS`, e.g. ``("implausible",)``, ``("no_numbers", "doe")``."""
    raw: str | None
    """The pay text (or description snippet) the numbers came from."""


EMPTY: Final = Pay(None, None, None, None, None, None, False, None, (), None)

_MAX_TEXT = 2000
_MAX_DESCRIPTION = 30000
_RAW_LEN = 300

_TAGS = re.compile(r"<[^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]+")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u3000]+")
#: A run of two or more spaces: one substitution, as ``_SPACES`` would collapse them, in one
#: pass (7 vs 12 us on a 1.7 KB description holding some, where halving the runs with
#: ``str.replace`` until no two spaces are left took a replacement and two searches; a
#: regex of every blank, ``_SPACES``, matches at each single space too and is slower still).
_SPACE_RUN = re.compile("  +")
_SPACED_CENTS = re.compile(r"(\d) \.(?=\d\d(?!\d))")
#: A " ." (the presence test of _SPACED_CENTS): the regex engine skips to each "." (rare) and
#: looks behind, 2.5x as fast as ``" ." in text``, which stops at every space.
_SPACE_DOT = re.compile(r"\.(?<= \.)")
_DASHES = re.compile(r"\s*[\u2010-\u2015\u2212]\s*")  # applied by _spaced_dashes
# Presence tests for the steps above, run on the few unusual characters of a text (see
# _unusual_chars): on a 3 KB description each of those substitutions costs 20-100 us even when
# it changes nothing, and most descriptions need none of them.
_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_DASH_CHARS: Final = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # the class of _DASHES
_ODD_SPACE_CHAR = re.compile(r"[\t\u00a0\u2000-\u200a\u3000]")
# Printable ASCII and "\n", the bytes ordinary text is made of (see _unusual_chars).
_PLAIN_BYTES: Final = bytes(range(0x20, 0x7F)) + b"\n"

_PERIOD_ALTS = (
    r"(?P<semi>semi[- ]?monthly|twice\s+(?:a|per)\s+month|twice\s+monthly)"
    r"|(?P<biweekly>bi-?weekly|(?:every|per)\s+(?:two|2)\s+weeks?)"
    r"|(?P<hour>(?:per|an?|/|each)\s*(?:(?:teaching|tutoring|working|worked|billable)\s+)?"
    r"(?:hour|hr)s?\b\.?|hourly\b|hrly\b|p/h\b|/\s*h\b|hr\b\.?)"
    r"|(?P<day>(?:per|a|/)\s*day\b|daily\b|for\s+an?\s+(?:full\s+)?(?:school\s+|work\s+)?day\b)"
    r"|(?P<week>(?:per|a|/)\s*(?:week|wk)\b\.?|weekly\b)"
    r"|(?P<month>(?:per|a|/)\s*(?:month|mo|mth)\b\.?|monthly\b)"
    r"|(?P<year>(?:per|a|/)\s*(?:year|yr|annum)\b\.?|annually\b|annual\b|yearly\b|yr\b\.?"
    r"|p\.a\.)"
    r"|(?P<weak>salary\b|salaried\b)"
)
_PERIOD_AFTER = re.compile(
    r"\s*(?:\(?\s*(?:USD|US\s+dollars?|dollars?)\s*\)?\s*)?[*/(\s]*"
    r"(?:(?:approximate(?:ly)?|approx\.?|gross|base|pay|rate|wage)\s+)?"
    r"(?:" + _PERIOD_ALTS + r")\*?",
    re.I,
)
_PERIOD_ANY = re.compile(r"(?<![\w$])(?:" + _PERIOD_ALTS + r")", re.I)
_LABEL_HINTS: Final = ("hourly", "annual", "yearly", "monthly", "weekly", "daily", "day rate")
_PERIOD_LABEL = re.compile(
    r"(?P<p>hourly|annual(?:ly)?|yearly|monthly|weekly|daily|day(?=\s+rate)|bi-?weekly"
    r"|semi-?monthly)\s*"
    r"(?:base\s+)?(?:(?:starting\s+)?(?:pay|salary|wage|rate|compensation)(?:\s+rate)?"
    r"(?:\s+(?:range|of\s+pay))?|range)?\s*(?:is|of|:|=|-)?\s*"
    r"(?:between|from|starting\s+at|up\s+to|at)?\s*$",
    re.I,
)
# A figure: "1,234.56" or "1234.5". The shared first digit stands outside the alternation
# (the same matches, tried in the same order as r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"):
# a pattern that opens with a character class lets the search skip to the next digit instead
# of trying both branches at every character, 2.5x faster over a window.
_DIGITS = re.compile(r"\d(?:\d{0,2}(?:,\d{3})+(?:\.\d+)?|\d*(?:\.\d+)?)")
_K_AFTER = re.compile(r"\s?[kK](?![a-zA-Z])")
_USD_AFTER = re.compile(r"\s*\(?\s*(?:USD|US\s+dollars?|dollars?)\b\s*\)?")
_UNIT_AFTER = re.compile(
    r"\s*(?:%|percent|hours?\b|hrs\b|years?\b|yrs\b|days?\b|weeks?\b|months?\b|miles?\b|lbs?\b"
    r"|pounds?\b|[ap]\.?m\b|positions?\b|openings?\b|beds?\b|clients?\b|people\b|th\b|st\b|nd\b"
    r"|rd\b|minutes?\b|/\d)",
    re.I,
)
_RANGE_GAP = re.compile(r"^\s*(?:-+|~|to|and|thru|through|until)(?:\s*-)?\s*$|^\s*-\s*to\s*$", re.I)
_SIBLING_GAP_MAX = 60
_CLAUSE_BREAK = re.compile(r"[.!?](?=\s)|[;\n•|]")
#: ``_CLAUSE_BREAK``'s characters: those that break a clause anywhere, and the sentence ends
#: that break it before a blank (see ``_clause_start``).
_CLAUSE_BREAK_CHARS: Final = (";", "\n", "•", "|")
_SENTENCE_END_CHARS: Final = (".", "!", "?")
_WORD = re.compile(r"[a-z0-9]+")
_AFTER_CUT = re.compile(r"[;,(\n|•$€£+&]|\.\s|\d")
_EXCL_WORDS: Final = frozenset(
    {
        "bonus", "bonuses", "retention", "relocation", "relocate", "tuition", "stipend",
        "stipends", "differential", "differentials", "diff", "tip", "tips", "pto", "referral",
        "allowance", "allowances", "mileage", "overtime", "scholarship", "scholarships",
        "premium", "premiums", "commission", "commissions", "budget", "revenue",
        "deductible", "copay", "grant", "grants",
        "award", "awards", "raise", "raises", "increase", "increases", "worth", "savings",
        "discount", "credit", "signing", "match", "matching", "401k", "403b", "gratuity",
        "gratuities", "million", "billion", "adjustment", "adjustments", "locality", "ote",
        "uncapped",
    }
)  # fmt: skip
_EXCL_FIRST: Final = frozenset(
    {"sign", "signon", "bilingual", "shift", "night", "weekend", "equity"}
)
_EXCL_PREFIXES: Final = ("reimburs", "incentiv", "donat", "gratuit")
# Words that make an amount a charge only when it has no pay period: "Teaching Fee: $33/hour" is
# a pay rate, "Application fee $25" is not.
_WEAK_EXCL: Final = frozenset({"fee", "fees", "cost", "costs", "price"})
_EXCL_BIGRAMS: Final = frozenset(
    {
        ("sign", "on"), ("paid", "time"), ("on", "call"), ("call", "pay"), ("holiday", "pay"),
        ("loan", "repayment"), ("loan", "forgiveness"), ("gift", "card"), ("gift", "cards"),
        ("valued", "at"), ("shift", "diff"), ("401", "k"), ("403", "b"), ("time", "off"),
        ("on", "target"), ("earning", "potential"), ("earnings", "potential"), ("half", "day"),
    }
)  # fmt: skip
_BASE_WORDS: Final = frozenset(
    {
        "pay", "paid", "salary", "salaries", "wage", "wages", "rate", "rates", "compensation",
        "earn", "earns", "earning", "starting", "hourly", "annual", "annually", "range",
    }
)  # fmt: skip
_PIECE_RATE = re.compile(
    r"\s*(?:(?:per|a|an|each|/)\s*(?:\d+[- ]?(?:minute|min|hour|week|day)s?\s+)?"
    r"(?:credit|course|session|visit|class|unit|mile|case|assessment|shift|call|event|contact"
    r"|client|patient|encounter|lecture|student|semester|group|meeting|referral|delivery|lesson"
    r"|camp|project|program|sale|placement|hire)"
    r"|for\s+(?:a\s+)?half[- ]day|(?:per|a)\s+half[- ]day)",
    re.I,
)
# An amount with no period "for 10 students" / "for each additional student" is a fee.
_FOR_PIECE = re.compile(r"\s*for\s+(?:\d|(?:each|every)\b)", re.I)
_STOP_AFTER: Final = frozenset(
    {
        "plus",
        "and",
        "with",
        "or",
        "depending",
        "per",
        "for",
        "an",
        "a",
        "hour",
        "hourly",
        "year",
        "annually",
    }
)
_SCALE_AFTER = re.compile(r"^\s*(?:million|billion|m\b|mm\b|bn\b)", re.I)
_MAX_ONLY = re.compile(
    r"(?:up\s+to|maximum(?:\s+of)?|max\.?|as\s+much\s+as|no\s+more\s+than|top(?:\s+out)?(?:\s+at)?)"
    r"\s*(?:around|about|approximately|approx\.?|~)?\s*:?\s*$",
    re.I,
)
_MIN_ONLY = re.compile(
    r"(?:starting\s+(?:at|from)|starts?\s+at|beginning\s+at|begins\s+at|\bfrom|minimum(?:\s+of)?"
    r"|\bmin\.?|at\s+least|as\s+low\s+as|no\s+less\s+than|>=?|≥|\bover|more\s+than"
    r"|in\s+excess\s+of)\s*(?:around|about|approximately|approx\.?|~)?\s*:?\s*$",
    re.I,
)
_MAX_HINTS: Final = ("up to", "max", "as much", "no more", "top")
_MIN_HINTS: Final = (
    "start", "begin", "from", "min", "at least", "as low", "no less", ">", "≥", "over", "more than",
    "excess",
)  # fmt: skip
_POST_MIN = re.compile(r"^\s*(?:min(?:imum)?)\b", re.I)
# After a lone amount: "$18 an hour and up", "$15/hr to start", "$22.50 starting hourly pay".
_POST_OPEN = re.compile(
    r"\s*(?:and\s+up\b(?!\s+to)|&\s*up\b|or\s+more\b|or\s+higher\b|and\s+above\b|to\s+start\b"
    r"|starting\b|start\b)",
    re.I,
)
_CLAUSE_HINTS: Final = ("start", "begin", "min", "max")
_MIN_CLAUSE = re.compile(
    r"(?<!\d)(?<!\d\s)\b(?:start(?:s|ing)?|beginning|min(?:imum)?)\b(?!\s*(?:date|time|day|wage)s?\b)", re.I
)
_MAX_CLAUSE = re.compile(r"\b(?:max(?:imum)?)\b", re.I)
_POST_MAX = re.compile(r"^\s*(?:max(?:imum)?)\b", re.I)
_GRADES = re.compile(
    r"\b(?:GS|GG|GL|GM|WG|WL|WS|NA|NL|NS|VN|AD|ES|FV|GP|GR)\s*-\s*\d{1,4}(?:\s*[-/]\s*\d{1,4})*\b"
    r"|\b(?:GS|WG|WL|WS|GL)\s+\d{1,2}(?:\s*(?:-|/|to|–)\s*\d{1,2})*\b"
    r"|\b(?:GS|WG)\d{1,2}(?:/\d{1,2})*\b"
    r"|\b(?:pay\s+|salary\s+|job\s+)?grades?\s*:?\s*[A-Z]{0,6}\d+[A-Z]?"
    r"(?:\s*(?:-|to|through|/)\s*[A-Z]{0,6}\d+[A-Z]?)*"
    r"|\bsteps?\s*\d+(?:\s*(?:-|to|through)\s*(?:step\s*)?\d+)?",
    re.I,
)
_GRADE_CODES: Final = (
    "GS",
    "GG",
    "GL",
    "GM",
    "WG",
    "WL",
    "WS",
    "NA",
    "NL",
    "NS",
    "VN",
    "AD",
    "ES",
    "FV",
    "GP",
    "GR",
)
# One C-level scan instead of a substring test per code (same answer: a literal alternation).
_GRADE_CODE_SEEN = re.compile("|".join(_GRADE_CODES))
# The words a _GRADES match starts with, lower-cased (see _blank_grades).
_GRADE_STARTS: Final = OccurrenceScan(
    [code.lower() for code in _GRADE_CODES] + ["pay", "salary", "job", "grade", "step"]
)
_DOE = re.compile(
    r"\b(?:doe|doq|d\.o\.e\.|depend(?:s|ing|ent)?\s+(?:up)?on\s+(?:experience|qualifications|exp)"
    r"|based\s+(?:up)?on\s+(?:experience|qualifications)|commensurate)\b",
    re.I,
)
_COMPETITIVE = re.compile(r"\bcompetitive\b", re.I)
_NEGOTIABLE = re.compile(r"\bnegotiable\b", re.I)
_PAY_WORDS = re.compile(
    r"\b(?:pay|salary|salaries|wages?|rate|compensation|hourly|per\s+hour|annually|earn\w*"
    r"|starting|range|hiring)\b",
    re.I,
)
_QUANTITY_LABEL = re.compile(
    r"\b(?:hours?|hrs|schedule|shifts?|caseload|fte|weeks?|days?)\b[^$\d]{0,8}$", re.I
)
_MAX_WINDOWS = 25
_MONEY_START = re.compile(r"(?:\$|USD|US\$)\s?\d")
_PAY_FIGURE = re.compile(r"\b(?:pay|salary|wages?|rate|compensation)\b[^.\n\d]{0,30}(\d)", re.I)
# Every _PAY_FIGURE match starts with one of these words, in any case (see _pay_figure_starts).
_PAY_FIGURE_WORDS: Final = ("pay", "salary", "wage", "rate", "compensation")
_PAY_FIGURE_SCAN: Final = OccurrenceScan(list(_PAY_FIGURE_WORDS))
# The only non-ASCII characters that re.IGNORECASE matches to an ASCII letter (İ ı ſ K).
_CASELESS_ODD: Final = ("\u0130", "\u0131", "\u017f", "\u212a")
_YEARLIKE = re.compile(r"^(?:19|20)\d\d$")
_SPACED_DIGITS = re.compile(r"\d \d\d\d")  # cheap gate for _SPACED_THOUSANDS (3x faster)
_SPACED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?: \d{3})+(?![\d,]|\.\d)")
_MONEY_HINT = re.compile(
    r"[$€£]\s?\d|\d[$€£]|\d\s?(?:USD|dollars?)\b|\bUSD\s?\d|\d[kK]\b|\d{1,3},\d{3}\b", re.I
)

_CURRENCY = {
    "$": "USD",
    "USD": "USD",
    "US$": "USD",
    "CAD": "CAD",
    "C$": "CAD",
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "GBP": "GBP",
}


# _Amount and _Group are built for every figure of every window read: plain classes with their
# own __init__, which mypyc compiles (a dataclass's generated __init__ stays interpreted
# Python, and cost a tenth of a window's reading).
class _Amount:
    __slots__ = ("currency", "end", "formatted", "k", "money", "start", "value")

    def __init__(
        self, value: float, start: int, end: int, money: bool, k: bool, currency: str | None,
        formatted: bool = False,
    ) -> None:
        self.value = value
        self.start = start
        self.end = end
        self.money = money
        self.k = k
        self.currency = currency
        self.formatted = formatted


class _Group:
    __slots__ = (
        "currency", "end", "excluded", "formatted", "high", "k", "low", "money", "period",
        "reversed", "start", "weak_year",
    )

    def __init__(
        self, low: float | None, high: float | None, start: int, end: int, period: str | None,
        weak_year: bool, currency: str | None, money: bool, excluded: bool = False,
        reversed: bool = False, formatted: bool = False, k: bool = False,
    ) -> None:
        self.low = low
        self.high = high
        self.start = start
        self.end = end
        self.period = period
        self.weak_year = weak_year
        self.currency = currency
        self.money = money
        self.excluded = excluded
        self.reversed = reversed
        self.formatted = formatted
        self.k = k


# ---------------------------------------------------------------------------------- public API
def parse_pay_text(text: object) -> Pay:
    """Parse a pay text such as "$23.84 - $26.28 per hour". Never raises."""
    try:
        clean = _clean(text, _MAX_TEXT)
        if not clean:
            return EMPTY
        return _parse_text(clean)
    except Exception:  # pragma: no cover - defensive: the contract is "never raise"
        return EMPTY


def normalize_pay(
    *,
    pay_text: object = None,
    pay_min: Any = None,
    pay_max: Any = None,
    pay_period: Any = None,
    pay_currency: Any = None,
    description: object = None,
) -> Pay:
    """Normalize pay from structured fields, else the pay text, else the description.

    ``pay_period`` takes the raw values platforms send: schema.org ``HOUR``..``YEAR``, Lever
    ``per-hour-wage``/``per-year-salary``/``per-month-salary``, USAJOBS ``PA``/``PH``/``PD``/
    ``PW``/``BW``/``PM`` or "Per Year", NEOGOV "Hourly"/"Annually"/"Monthly"/"Biweekly", ADP
    ``HR``. Never raises.
    """
    try:
        text_pay = parse_pay_text(pay_text) if pay_text is not None else EMPTY
        structured = _structured(pay_min, pay_max, pay_period, pay_currency, text_pay)
        if structured is not None:
            return structured
        if text_pay.pay_min is not None or text_pay.pay_max is not None:
            return text_pay
        if description is not None:
            found = _from_description(description)
            if found is not None:
                return found
        return text_pay
    except Exception:  # pragma: no cover - defensive: the contract is "never raise"
        return EMPTY


# ---------------------------------------------------------------------------------- internals
def _clean(value: Any, limit: int) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (int, float)):
        return _format_number(float(value)) if math.isfinite(float(value)) else ""
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", "replace")
    elif isinstance(value, str):
        text = value
    else:
        return ""
    text = text[: limit * 4]
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAGS.sub(" ", text)
        if "&" in text:
            text = html.unescape(text)
    if "\\" in text:
        text = literal_breaks(text)
    # Each step below runs only when its characters occur, which the short string of unusual
    # characters tells cheaply; the steps add no such characters, so ``odd`` stays valid.
    odd = _unusual_chars(text)
    if odd and _CONTROL_CHAR.search(odd):
        text = _CONTROL.sub(" ", text.replace("\r", "\n"))
    dashes = [char for char in _DASH_CHARS if char in odd] if odd else []
    if dashes:
        text = _spaced_dashes(text, dashes)
    if odd and _ODD_SPACE_CHAR.search(odd):
        text = _SPACES.sub(" ", text)
    elif "  " in text:  # only spaces are blanks here: runs of two or more become one
        text = _SPACE_RUN.sub(" ", text)
    if _SPACE_DOT.search(text):  # "$1,395 .00": a stray blank before the cents splits one
        text = _SPACED_CENTS.sub(r"\1.", text)  # amount in two
    return text.strip()[:limit]


def _spaced_dashes(text: str, dashes: list[str]) -> str:
    """``_DASHES.sub(" - ", text)`` for a text whose dash characters are ``dashes``.

    The regex starts with ``\\s*``, so it is tried at every position of the text (90 us on a
    3 KB description); finding the few dashes with ``str.find`` and widening each over the
    blanks around it (``str.isspace`` is ``\\s``) gives the same matches: a match is the
    first dash at or after the previous match's end, with the blanks before it (back to that
    end) and after it.
    """
    positions = sorted(find_all(text, dashes))
    pieces: list[str] = []
    last = 0
    size = len(text)
    for pos in positions:
        start = pos
        while start > last and text[start - 1].isspace():
            start -= 1
        end = pos + 1
        while end < size and text[end].isspace():
            end += 1
        pieces.append(text[last:start])
        pieces.append(" - ")
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _unusual_chars(text: str) -> str:
    """The characters of ``text`` other than printable ASCII and newlines, in order.

    Encoding and deleting the plain bytes are two C loops over the text; ASCII bytes never occur
    inside a UTF-8 multi-byte sequence, so what remains decodes to exactly those characters.
    """
    raw = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_BYTES)
    return raw.decode("utf-8", "surrogatepass") if raw else ""


@lru_cache(maxsize=16384)
def _parse_text(text: str) -> Pay:
    """Cached :func:`_parse` of a cleaned pay text (the same texts recur across runs)."""
    return _parse(text, mode="text")


@lru_cache(maxsize=8192)
def _parse_window(window: str) -> Pay:
    """Cached :func:`_parse` of a description window: boilerplate pay statements recur across
    postings (``Pay`` is frozen, so a shared result is safe)."""
    return _parse(window, mode="description")


def _format_number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _parse(text: str, *, mode: str) -> Pay:
    """Parse a cleaned pay text; ``mode`` is "text" or "description"."""
    scan = text
    lowered = text.lower()
    if "grade" in lowered or "step" in lowered or _GRADE_CODE_SEEN.search(text):
        scan = _blank_grades(text, lowered)
    grade_seen = scan != text
    if mode == "text" and _SPACED_DIGITS.search(scan):
        # "45 000 - 55 000": spaces as thousands separators become commas (same length, so
        # positions stay valid for the snippet and raw text).
        scan = _SPACED_THOUSANDS.sub(lambda m: m.group(0).replace(" ", ","), scan)
    groups = _groups(scan, mode=mode)
    excluded = any(g.excluded for g in groups)
    usable = [g for g in groups if not g.excluded]
    if not usable:
        flags: list[str] = ["no_numbers"]
        if grade_seen:
            flags.append("grade_only")
        if _DOE.search(text):
            flags.append("doe")
        if _COMPETITIVE.search(text):
            flags.append("competitive")
        if _NEGOTIABLE.search(text):
            flags.append("negotiable")
        if excluded:
            flags.append("non_base_excluded")
        elif not grade_seen and _MONEY_HINT.search(text):
            flags.append("unparsed")  # a money figure the rules could not read: never silent
        return Pay(None, None, None, None, None, None, False, "text", tuple(flags), _raw(text))
    chosen, multiple = _combine(usable, scan)
    flags = []
    if multiple:
        flags.append("multiple_periods")
    if excluded:
        flags.append("non_base_excluded")
    raw = _raw(text) if mode == "text" else _snippet(text, chosen)
    source = "text" if mode == "text" else "description"
    return _finish(chosen, flags, raw, source)


def _blank_grades(text: str, lowered: str) -> str:
    """``text`` with every ``_GRADES`` match blanked (spaces, so positions stay), as
    ``_GRADES.sub`` blanks them, trying the regex only where a match can start.

    Each alternative starts, after ``\\b``, with a grade code, "pay", "salary", "job", "grade"
    or "step" in any case: found in ``lowered`` (``text.lower()``) in one pass and kept where
    the character before is no word character. ``re.match`` there gives the match ``sub``
    finds at that position (it sees the character before for ``\\b``); the search of the
    whole window tried every position with every alternative (37 us per window). Texts
    holding a character that re.IGNORECASE folds onto an ASCII letter, or whose lower-casing
    changed their length, are blanked by ``sub``.
    """
    if len(lowered) != len(text) or any(char in text for char in _CASELESS_ODD):
        return _GRADES.sub(lambda m: " " * len(m.group(0)), text)
    starts = sorted({
        i for _k, i in _GRADE_STARTS.occurrences(lowered)
        if i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
    })
    pieces: list[str] = []
    last = 0
    for i in starts:
        if i < last:
            continue  # inside the previous match: sub goes on from its end
        match = _GRADES.match(text, i)
        if match is not None:
            pieces.append(text[last:i])
            pieces.append(" " * (match.end() - i))
            last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _raw(text: str) -> str:
    return text[:_RAW_LEN]


def _snippet(text: str, group: _Group) -> str:
    start = _clause_start(text, group.start, 60)
    return text[start : min(len(text), group.end + 40)].strip()[:_RAW_LEN]


def _amounts(text: str, *, mode: str) -> list[_Amount]:
    amounts: list[_Amount] = []
    for match in _DIGITS.finditer(text):
        num = match.group(0)
        start, end = match.span()
        sym, pre, start = _prefix(text, start)
        if (
            not sym
            and not pre
            and start > 0
            and (text[start - 1].isalnum() or text[start - 1] in "#/:.,")
            # "SALARY:100k-120k": a K figure right after a label's colon is still pay
            and not (text[start - 1] == ":" and text[end : end + 1] in ("k", "K"))
        ):
            continue
        value = float(num.replace(",", ""))
        k = False
        post = False
        nxt = text[end : end + 2]
        if nxt[:1] in "kK" or nxt in (" k", " K"):
            tail = _K_AFTER.match(text, end)
            if tail:
                k = True
                end = tail.end()
                value *= 1000.0
        rest = text[end : end + 14]
        stripped = rest.lstrip(" (")
        if stripped[:1] in "Ud" and _USD_AFTER.match(text, end):
            usd = _USD_AFTER.match(text, end)
            if usd:
                post = True
                end = usd.end()
                rest = text[end : end + 14]
        if not (sym or pre or post) and text[end : end + 1] in ("€", "£", "$"):
            sym = text[end]  # "53 200€": the symbol after the figure (European style)
            end += 1
            rest = text[end : end + 14]
        money = bool(sym or pre or post)
        if not money:
            if _UNIT_AFTER.match(rest) or _YEARLIKE.match(num) or (len(num) == 5 and num.isdigit()):
                continue
        elif rest.lstrip()[:1] in ("m", "M", "b", "B") and _SCALE_AFTER.match(rest):
            continue
        currency = _CURRENCY.get(pre) or _CURRENCY.get(sym) or ("USD" if post else None)
        formatted = k or "," in num or (len(num) > 3 and num[-3] == ".")
        amounts.append(_Amount(value, start, end, money, k, currency, formatted))
    return amounts


def _prefix(text: str, start: int) -> tuple[str, str, int]:
    """Currency symbol / code right before a number: (symbol, code, new start)."""
    pos = start
    if pos > 0 and text[pos - 1] == " ":
        pos -= 1
    sym = ""
    if pos > 0 and text[pos - 1] in "$€£":
        sym = text[pos - 1]
        pos -= 1
    head = text[max(0, pos - 5) : pos].rstrip().upper()
    if not head or not (head[-1] == "$" or head[-1] in "DRP"):
        return (sym, "", pos) if sym else ("", "", start)
    for code in ("USD", "US$", "CAD", "C$", "EUR", "GBP"):
        if head.endswith(code) and (len(head) == len(code) or not head[-len(code) - 1].isalpha()):
            return sym, code, pos - (len(text[max(0, pos - 5) : pos]) - len(head)) - len(code)
    if sym:
        return sym, "", pos
    return "", "", start


def _period_after(text: str, pos: int) -> tuple[str | None, bool, int]:
    """Period phrase right after ``pos``: (period, weak-year, end)."""
    head = text[pos : pos + 3].lstrip()
    if not head or not (head[0].isalpha() or head[0] in "/(*"):
        return None, False, pos
    match = _PERIOD_AFTER.match(text, pos)
    if not match:
        return None, False, pos
    for name in ("semi", "biweekly", "hour", "day", "week", "month", "year"):
        if match.group(name):
            return name, False, match.end()
    return None, True, match.end()


def _groups(text: str, *, mode: str) -> list[_Group]:
    amounts = _amounts(text, mode=mode)
    groups: list[_Group] = []
    i = 0
    # the period after amounts[i + 1], read when it was the second of a pair: the next round
    # starts from it unless the pair became a range (the same call, asked once)
    after_next: tuple[str | None, bool, int] | None = None
    while i < len(amounts):
        first = amounts[i]
        p1, weak1, end1 = (
            after_next if after_next is not None else _period_after(text, first.end)
        )
        after_next = None
        group = _Group(
            first.value, first.value, first.start, end1, p1, weak1, first.currency, first.money
        )
        group.formatted = first.formatted
        group.k = first.k
        if i + 1 < len(amounts):
            second = amounts[i + 1]
            gap = text[end1 : second.start]
            p2, weak2, end2 = after_next = _period_after(text, second.end)
            # "$125 for a full day and $62.50 for a half day" lists two rates: "and" joins a
            # range only when the first amount has no period of its own ("between $18 and $22").
            if (
                _RANGE_GAP.match(gap)
                and (first.money or second.money or p1 or p2 or mode == "text")
                and not (p1 and "and" in gap.lower())
            ):
                low, high = first.value, second.value
                if second.k and not first.k and low < 1000 <= high:
                    low *= 1000.0
                group = _Group(
                    min(low, high),
                    max(low, high),
                    first.start,
                    end2,
                    p2 or p1,
                    weak1 or weak2,
                    first.currency or second.currency,
                    first.money or second.money,
                    reversed=low > high,
                    formatted=(first.formatted and second.formatted) or first.k or second.k,
                    k=first.k or second.k,
                )
                i += 1
                after_next = None
        i += 1
        if group.period is None and not group.weak_year:
            before = text[max(0, group.start - 45) : group.start]
            low_before = before.lower()
            label = (
                _PERIOD_LABEL.search(before) if any(w in low_before for w in _LABEL_HINTS) else None
            )
            if label:
                group.period = _label_period(label.group("p"))
        if not _accept(text, group, mode=mode):
            continue
        _apply_modifiers(text, group)
        group.excluded = _is_excluded(text, group)
        groups.append(group)
    return groups


def _label_period(word: str) -> str:
    word = word.lower().replace("-", "")
    if word.startswith("annual") or word == "yearly":
        return "year"
    return {
        "hourly": "hour",
        "monthly": "month",
        "weekly": "week",
        "daily": "day",
        "day": "day",
        "biweekly": "biweekly",
        "semimonthly": "semi",
    }.get(word, "year")


def _accept(text: str, group: _Group, *, mode: str) -> bool:
    """Decide whether a group is a pay amount at all (not a count, date or phone number)."""
    if group.money:
        if mode == "text":
            return True
        if group.period or group.weak_year or group.low != group.high:
            return True
        before = text[max(0, group.start - 60) : group.start]
        return bool(_PAY_WORDS.search(before))
    if group.period is None and not group.weak_year:
        # A pay field holding only figures such as "16.21 To 20.92" or "45,000 - 55,000".
        return mode == "text" and (group.k or (group.formatted and group.low != group.high))
    if _QUANTITY_LABEL.search(text[max(0, group.start - 25) : group.start]):
        return False
    if mode == "text":
        return True
    before = text[max(0, group.start - 60) : group.start]
    return bool(_PAY_WORDS.search(before))


def _clause_start(text: str, pos: int, limit: int = 80) -> int:
    """Where the clause holding ``pos`` starts, looking back ``limit`` characters: the end of
    the last ``_CLAUSE_BREAK`` match in ``text[pos - limit:pos]``, else ``pos - limit`` (or 0).

    Found with ``str.rfind`` per break character from ``pos`` backwards instead of every match
    of the regex from the left (a match object each, then the list): the matches are single
    characters, each a break character ("." "!" "?" only before a blank, ``\\s`` being
    ``str.isspace``, and the blank inside ``text[:pos]``, as the search stops at ``pos``).
    """
    start = max(0, pos - limit)
    pos = min(pos, len(text))
    last = -1
    for char in _CLAUSE_BREAK_CHARS:
        i = text.rfind(char, start, pos)
        if i > last:
            last = i
    for char in _SENTENCE_END_CHARS:
        lowest = max(start, last + 1)
        if pos - 1 <= lowest:
            break  # no room left for a sentence end followed by its blank
        i = text.rfind(char, lowest, pos - 1)
        while i != -1 and not text[i + 1].isspace():
            i = text.rfind(char, lowest, i)
        if i > last:
            last = i
    return last + 1 if last != -1 else start


def _is_excluded(text: str, group: _Group) -> bool:
    """True when the amount is a bonus, differential, reimbursement... rather than base pay."""
    if _PIECE_RATE.match(text, group.end):
        return True
    if group.period is None and _FOR_PIECE.match(text, group.end):
        return True
    tail = text[group.end : group.end + 50]
    if text[group.end - 1 : group.end] == ".":  # "per hour." ended the sentence
        tail = ""
    after = _WORD.findall(_AFTER_CUT.split(tail, 1)[0].lower())
    weak = group.period is None and not group.weak_year
    previous = ""
    for position, word in enumerate(after[:4]):
        if word in _STOP_AFTER:
            break
        if position == 0 and word == "base":  # "$60K base / $120K OTE": the base is the pay
            return False
        if (
            _is_exclusion(previous, word)
            or (weak and word in _WEAK_EXCL)
            or (position == 0 and word in _EXCL_FIRST)
        ):
            return True
        previous = word
    before = _WORD.findall(text[_clause_start(text, group.start) : group.start].lower())
    last_excl = last_base = -1
    previous = ""
    for position, word in enumerate(before):
        if _is_exclusion(previous, word) or (weak and word in _WEAK_EXCL):
            last_excl = position
        elif word in _BASE_WORDS or (previous == "hiring" and word == "range"):
            last_base = position
        previous = word
    return last_excl > last_base


def _is_exclusion(previous: str, word: str) -> bool:
    return (
        word in _EXCL_WORDS or word.startswith(_EXCL_PREFIXES) or (previous, word) in _EXCL_BIGRAMS
    )


def _apply_modifiers(text: str, group: _Group) -> None:
    if group.low != group.high or group.low is None:
        return
    before = text[max(0, group.start - 30) : group.start]
    after = text[group.end : group.end + 12]
    low_before = before.lower()
    if any(w in low_before for w in _MAX_HINTS) and _MAX_ONLY.search(before):
        group.low = None
    elif any(w in low_before for w in _MIN_HINTS) and _MIN_ONLY.search(before):
        group.high = None
    elif _POST_MAX.match(after):
        group.low = None
    elif _POST_MIN.match(after) or after.startswith("+") or _POST_OPEN.match(text, group.end):
        group.high = None
    else:
        _clause_bound(text, group)


def _clause_bound(text: str, group: _Group) -> None:
    """A lone amount whose clause names it a start or a minimum ("Starting pay is usually around
    $11", "Min Hiring Rate $17.50") is a lower bound; one named a maximum is an upper bound.
    The keyword must come after any other figure of the clause, so it describes this amount."""
    # Cheap gate first: no hint word within the clause or the line above, nothing to do.
    nearby = text[max(0, group.start - 90) : group.start].lower()
    if not any(h in nearby for h in _CLAUSE_HINTS):
        return
    start = _clause_start(text, group.start, 45)
    before = text[start : group.start]
    if not before.strip():  # a label on the line above: "Starting Salary\n\n$56,604"
        above = text[max(0, start - 45) : start].rstrip()
        before = above[above.rfind("\n") + 1 :]
    if not before or not any(h in before.lower() for h in _CLAUSE_HINTS):
        return
    last_min = last_max = -1
    for match in _MIN_CLAUSE.finditer(before):
        last_min = match.end()
    for match in _MAX_CLAUSE.finditer(before):
        last_max = match.end()
    last = max(last_min, last_max)
    if last < 0 or any(c.isdigit() for c in before[last:]):
        return
    if last_min > last_max:
        group.high = None
    else:
        group.low = None


def _values(group: _Group) -> list[float]:
    return [v for v in (group.low, group.high) if v is not None]


def _combine(groups: list[_Group], text: str) -> tuple[_Group, bool]:
    """Merge the first statement with the closely following ones of the same period."""
    first = groups[0]
    merged = _Group(
        first.low,
        first.high,
        first.start,
        first.end,
        first.period,
        first.weak_year,
        first.currency,
        first.money,
    )
    merged.reversed = first.reversed
    # "Base = $120k and up to $175k (for top performers)": the open top is commission, not range.
    base_first = "base" in text[max(0, first.start - 40) : first.start].lower()
    for group in groups[1:]:
        gap = text[merged.end : group.start]
        if len(gap) > _SIBLING_GAP_MAX or "\n\n" in gap:
            break
        if group.period and merged.period and group.period != merged.period:
            break
        values = _values(merged) + _values(group)
        if max(values) > 3.5 * min(values):
            break
        if base_first and group.low is None and merged.low == merged.high:
            break
        merged.reversed = merged.reversed or group.reversed
        merged.period = merged.period or group.period
        merged.weak_year = merged.weak_year or group.weak_year
        merged.currency = merged.currency or group.currency
        lows = [v for v in (merged.low, group.low) if v is not None]
        highs = [v for v in (merged.high, group.high) if v is not None]
        merged.low = min(lows) if lows else None
        merged.high = max(highs) if highs else None
        merged.end = group.end
    multiple = any(g.period and merged.period and g.period != merged.period for g in groups[1:])
    return merged, multiple


def _finish(group: _Group, flags: list[str], raw: str | None, source: str) -> Pay:
    low, high = group.low, group.high
    if low is not None and high is not None and low > high:
        low, high = high, low
        group.reversed = True
    if group.reversed:
        flags.append("reversed_range")
    period = group.period
    inferred = False
    values = [v for v in (low, high) if v is not None]
    if not values:
        return Pay(None, None, None, None, None, None, False, source, (*flags, "no_numbers"), raw)
    mid = sum(values) / len(values)
    if period is None and group.weak_year and mid >= 1000:
        period = "year"
    if period is None:
        period = _infer(mid)
        inferred = period is not None
    hours_key = period
    if period == "biweekly":
        period, hours_key = None, "biweekly"
        flags.append("biweekly")
    elif period == "semi":
        period, hours_key = None, "semi"
        flags.append("semi_monthly")
    currency = group.currency
    if hours_key is None or not _plausible(low, high, hours_key):
        return Pay(None, None, None, None, None, None, False, source, (*flags, "implausible"), raw)
    return Pay(
        pay_min=_round(low),
        pay_max=_round(high),
        pay_period=period,
        pay_currency=currency,
        hourly_min=_hourly(low, hours_key),
        hourly_max=_hourly(high, hours_key),
        period_inferred=inferred,
        source=source,
        flags=tuple(dict.fromkeys(flags)),
        raw=raw,
    )


def _scale(value: float | None, factor: float) -> float | None:
    return None if value is None else value * factor


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _hourly(value: float | None, period: str) -> float | None:
    return None if value is None else round(value / HOURS[period], 2)


def _infer(value: float) -> str | None:
    if 7 <= value <= 150:
        return "hour"
    if 150 < value < 2000:
        return "week"
    if 2000 <= value < 15000:
        return "month"
    if 15000 <= value <= 500000:
        return "year"
    return None


def _plausible(low: float | None, high: float | None, period: str) -> bool:
    values = [v for v in (low, high) if v is not None]
    if not values or any(not math.isfinite(v) or v <= 0 for v in values):
        return False
    if low is not None and high is not None and high > 3 * low:
        return False
    if period == "year":
        return all(10000 <= v <= 500000 and v / HOURS[period] <= 200 for v in values)
    return all(7 <= v / HOURS[period] <= 200 for v in values)


# ---------------------------------------------------------------------------- structured input
_STRUCTURED_PERIODS: Final = {
    "hour": "hour", "hours": "hour", "hourly": "hour", "ph": "hour", "perhour": "hour",
    "hr": "hour", "hrs": "hour", "h": "hour", "perhourwage": "hour", "hourlywage": "hour",
    "hourlyrate": "hour", "hourlypay": "hour",
    "day": "day", "daily": "day", "pd": "day", "perday": "day", "perdaywage": "day",
    "week": "week", "weekly": "week", "pw": "week", "perweek": "week", "wk": "week",
    "perweekwage": "week", "perweeksalary": "week",
    "bw": "biweekly", "biweekly": "biweekly", "perbiweekly": "biweekly",
    "fortnightly": "biweekly", "every2weeks": "biweekly",
    "sm": "semi", "semimonthly": "semi", "twicemonthly": "semi",
    "month": "month", "monthly": "month", "pm": "month", "permonth": "month", "mo": "month",
    "mth": "month", "permonthsalary": "month", "permonthwage": "month",
    "year": "year", "yearly": "year", "annual": "year", "annually": "year", "pa": "year",
    "peryear": "year", "perannum": "year", "yr": "year", "peryearsalary": "year",
    "salary": "year", "salaried": "year", "annualsalary": "year", "yearlysalary": "year",
    "y": "year",
}  # fmt: skip
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NUMERIC_TEXT = re.compile(r"^[^\d-]*(-?\d[\d,]*(?:\.\d+)?)\s*([kK])?[^\d]*$")


def _to_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        match = _NUMERIC_TEXT.match(value.strip()[:100])
        if not match:
            return None
        try:
            number = float(match.group(1).replace(",", ""))
        except ValueError:
            return None
        if match.group(2):
            number *= 1000.0
    else:
        return None
    return number if math.isfinite(number) and number > 0 else None


def _structured_period(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    key = _NON_ALNUM.sub("", value.lower())[:60]
    if key in _STRUCTURED_PERIODS:
        return _STRUCTURED_PERIODS[key]
    for name, alias in (
        ("hour", "hour"),
        ("wage", "hour"),
        ("annum", "year"),
        ("year", "year"),
        ("annual", "year"),
        ("salary", "year"),
        ("month", "month"),
        ("biweek", "biweekly"),
        ("week", "week"),
        ("daily", "day"),
    ):
        if name in key:
            return alias
    match = _PERIOD_ANY.search(value)
    if match:
        for name in ("semi", "biweekly", "hour", "day", "week", "month", "year"):
            if match.group(name):
                return name
        return "year"
    return None


def _structured(
    pay_min: Any, pay_max: Any, pay_period: Any, pay_currency: Any, text_pay: Pay
) -> Pay | None:
    low, high = _to_number(pay_min), _to_number(pay_max)
    if low is None and high is None:
        return None
    period = _structured_period(pay_period)
    if period is None and text_pay.pay_period is not None and not text_pay.period_inferred:
        period = text_pay.pay_period
    currency: str | None = None
    if isinstance(pay_currency, str):
        code = pay_currency.strip().upper()
        if re.fullmatch(r"[A-Z]{3}", code):
            currency = code
        elif "$" in code:
            currency = "USD"
    if currency is None and any(isinstance(v, str) and "$" in v for v in (pay_min, pay_max)):
        currency = "USD"
    if currency is None:
        currency = text_pay.pay_currency
    raw_parts = [str(v) for v in (pay_min, pay_max, pay_period) if v is not None]
    raw = " ".join(raw_parts)[:_RAW_LEN] or None
    flags: list[str] = []
    group = _Group(low, high, 0, 0, period, False, currency, True)
    result = _finish(group, flags, raw, "structured")
    if "implausible" in result.flags and _integral(low) and _integral(high):
        cents = _Group(_scale(low, 0.01), _scale(high, 0.01), 0, 0, period, False, currency, True)
        retry = _finish(cents, ["cents"], raw, "structured")
        if "implausible" not in retry.flags:
            return retry
    return replace(
        result,
        pay_currency=result.pay_currency
        if result.pay_min is not None or result.pay_max is not None
        else None,
    )


def _integral(value: float | None) -> bool:
    return value is None or float(value).is_integer()


def _from_description(description: Any) -> Pay | None:
    if not isinstance(description, str) or not description:
        return None
    if "$" not in description and _find_usd(description) == -1:
        head = description[:_MAX_DESCRIPTION]
        if _pay_figure(head, 0, _pay_figure_starts(head)) is None:
            return None
    cut = _prefix_cut(description)
    if cut > 0:
        prefix = _clean(description[:cut], _MAX_DESCRIPTION)
        found = _read_windows(prefix, len(prefix) - _PREFIX_MARGIN)
        if found is not _UNDECIDED:
            return cast(Pay | None, found)
    return cast(Pay | None, _read_windows(_clean(description, _MAX_DESCRIPTION), None))


#: Raw characters cleaned past a description's first money sign when only its start is read.
_PREFIX_AFTER_MONEY: Final = 400
#: Characters at the end of a cleaned prefix that may differ from the whole text's cleaning.
_PREFIX_MARGIN: Final = 80
#: The starts of every HTML entity that unescapes to a text holding "<" ("&lt;", "&LT", "&nvlt;",
#: "&#60;", "&#x3c;" ...): html.entities.html5 has no other.
_TAG_ENTITIES: Final = ("&lt", "&LT", "&nvlt;", "&#")
#: Any of ``_TAG_ENTITIES``, found in one search (that starts with a one-character literal, which
#: the regex engine skips to quickly; a ``str`` search of a few characters is slow on a long text).
_TAG_ENTITY: Final = re.compile("&(?:lt|LT|nvlt;|#)")
#: ``_read_windows`` reached the end of what it may read without deciding.
_UNDECIDED: Final = object()


def _prefix_cut(description: str) -> int:
    """Where to cut ``description`` so that cleaning only the part before gives the start of
    the whole text's cleaning; 0 when the whole text must be cleaned.

    Cleaning a description costs as much as everything else it goes through (the collapse of
    double spaces alone is a few passes over it), while its pay nearly always stands near its
    first money sign. Every cleaning step is local to a line except tag removal and the
    second unescape that a tag brings (a "<" anywhere, also written as an entity: texts with
    "&" are cut unless one of ``_TAG_ENTITIES`` occurs; no entity holds a line break, so the
    unescape is local too), so the cut is at a line break; only the cleaned prefix's last
    characters (trailing blanks, a dash widened over the line break) may differ, and
    ``_read_windows`` stays ``_PREFIX_MARGIN`` away from them.
    """
    dollar = description.find("$")
    # "USD" matters only before the first "$": no search of the rest of the text for it
    usd = _find_usd(description, len(description) if dollar == -1 else dollar + 2)
    first = dollar if usd == -1 else usd if dollar == -1 else min(dollar, usd)
    if first == -1 or "<" in description:
        return 0
    if "&" in description and _TAG_ENTITY.search(description):
        return 0
    cut = description.find("\n", first + _PREFIX_AFTER_MONEY, _MAX_DESCRIPTION)
    return max(cut, 0)


def _read_windows(text: str, end: int | None) -> object:
    """The pay of a cleaned description, read window by window around its money figures:
    a ``Pay``, or None. With ``end``, reads only before ``end`` and returns ``_UNDECIDED``
    when the answer needs more of the text."""
    limit = len(text) if end is None else min(end, _MAX_DESCRIPTION)
    starts: list[int] | None = None  # computed on first use: most texts have a "$" amount
    position = 0
    for _ in range(_MAX_WINDOWS):
        money = _money_start(text, position)
        if money is not None:
            index = money.start()
        elif end is not None:
            return _UNDECIDED  # a money figure may follow past the end
        else:
            if starts is None:
                starts = _pay_figure_starts(text)
            worded = _pay_figure(text, position, starts)
            index = worded.start(1) if worded is not None else -1
        if index < 0:
            return None
        if end is not None and index + 240 > limit:
            return _UNDECIDED
        window = text[max(0, index - 160) : index + 240]
        result = _parse_window(window)
        if result.pay_min is not None or result.pay_max is not None:
            return result
        # Skip the amounts this window already rejected (a bonus, a budget, a range it judged).
        position = index + max(1, min(120, len(window) - 160))
    return None


def _find_usd(text: str, end: int | None = None) -> int:
    """``text.find("USD", 0, end)``: the "U"s found one by one (a one-character ``str.find`` is
    a memchr; a search of three characters goes about one character per step)."""
    stop = len(text) if end is None else min(end, len(text))
    i = text.find("U", 0, stop)
    while i != -1:
        if text.startswith("USD", i) and i + 3 <= stop:
            return i
        i = text.find("U", i + 1, stop)
    return -1


def _money_start(text: str, position: int) -> re.Match[str] | None:
    """``_MONEY_START.search(text, position)``, tried only where a match can start: at a "$" or
    a "U" ("USD", "US$"), each found by a one-character ``str.find``, in order; the regex's
    search tried every character before the first money sign (2 ns each)."""
    dollar = text.find("$", position)
    upper = text.find("U", position)
    while dollar != -1 or upper != -1:
        if upper != -1 and (dollar == -1 or upper < dollar):
            match = _MONEY_START.match(text, upper)
            upper = text.find("U", upper + 1)
        else:
            match = _MONEY_START.match(text, dollar)
            dollar = text.find("$", dollar + 1)
        if match is not None:
            return match
    return None


def _pay_figure_starts(text: str) -> list[int] | None:
    """Sorted positions where a _PAY_FIGURE match could start; None when unknown.

    A match starts with one of _PAY_FIGURE_WORDS in any case, after a word boundary.
    Lower-casing an ASCII copy of the text (other characters as "?", so positions stay put) and
    finding the words in one pass (``OccurrenceScan``) is far cheaper than running the
    case-insensitive regex at every position; a word right after a letter, a digit or "_"
    ("sepaRATE", "prepay") is left out, as ``\\b`` would fail there. Texts holding a character
    that re.IGNORECASE folds onto an ASCII letter get None.
    """
    if text.isascii():
        folded = text.lower()
    elif any(char in text for char in _CASELESS_ODD):
        return None
    else:
        folded = text.encode("ascii", "replace").lower().decode("ascii")
    return sorted(
        i for _k, i in _PAY_FIGURE_SCAN.occurrences(folded)
        if i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
    )


def _pay_figure(text: str, position: int, starts: list[int] | None) -> re.Match[str] | None:
    """``_PAY_FIGURE.search(text, position)``, trying only the ``starts`` at or after
    ``position`` (``re.match`` at a position still sees the character before it for ``\\b``)."""
    if starts is None:
        return _PAY_FIGURE.search(text, position)
    for i in starts[bisect.bisect_left(starts, position) :]:
        match = _PAY_FIGURE.match(text, i)
        if match is not None:
            return match
    return None
