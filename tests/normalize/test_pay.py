"""Tests for normalize.pay: every pay phrasing family, platform units, and no-crash properties."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from normalize.pay import FLAGS, PERIODS, SOURCES, Pay, normalize_pay, parse_pay_text

Fields = tuple[Any, ...]


def fields(pay: Pay) -> Fields:
    """(pay_min, pay_max, pay_period, hourly_min, hourly_max, period_inferred, flags)."""
    return (
        pay.pay_min,
        pay.pay_max,
        pay.pay_period,
        pay.hourly_min,
        pay.hourly_max,
        pay.period_inferred,
        pay.flags,
    )


H = "hour"


def none(*flags: str) -> Fields:
    """Expected fields when no usable number was found."""
    return (None, None, None, None, None, False, flags)


TEXT_CASES = [
    # range separators
    ("$16 - $18 per hour", (16.0, 18.0, H, 16.0, 18.0, False, ())),
    ("$16 – $18 per hour", (16.0, 18.0, H, 16.0, 18.0, False, ())),
    ("$16—$18 per hour", (16.0, 18.0, H, 16.0, 18.0, False, ())),
    ("Pay/Benefits: $16.05 to $17.25 per hour", (16.05, 17.25, H, 16.05, 17.25, False, ())),
    ("between $18 and $22 per hour", (18.0, 22.0, H, 18.0, 22.0, False, ())),
    ("$18 - 20/hour", (18.0, 20.0, H, 18.0, 20.0, False, ())),
    ("16.21 To 20.92 (USD) Hourly", (16.21, 20.92, H, 16.21, 20.92, False, ())),
    ("USD $18.04/Hr. - USD $24.44/Hr.", (18.04, 24.44, H, 18.04, 24.44, False, ())),
    # hour words
    ("$22 per hour", (22.0, 22.0, H, 22.0, 22.0, False, ())),
    ("$22/hr", (22.0, 22.0, H, 22.0, 22.0, False, ())),
    ("$22 hr", (22.0, 22.0, H, 22.0, 22.0, False, ())),
    ("$22 /h", (22.0, 22.0, H, 22.0, 22.0, False, ())),
    ("$22 hourly", (22.0, 22.0, H, 22.0, 22.0, False, ())),
    ("$22 p/h", (22.0, 22.0, H, 22.0, 22.0, False, ())),
    ("$34.62/hour", (34.62, 34.62, H, 34.62, 34.62, False, ())),
    ("$18.46 - $28.59 Hourly", (18.46, 28.59, H, 18.46, 28.59, False, ())),
    ("$19.00 - $22.00 Hourly", (19.0, 22.0, H, 19.0, 22.0, False, ())),
    ("Hourly Rate: $24.75", (24.75, 24.75, H, 24.75, 24.75, False, ())),
    # day, week, biweekly, semi-monthly, month
    ("$180 per day", (180.0, 180.0, "day", 22.5, 22.5, False, ())),
    ("$180 daily", (180.0, 180.0, "day", 22.5, 22.5, False, ())),
    ("$1,472 - $1,789.60 per week", (1472.0, 1789.6, "week", 36.8, 44.74, False, ())),
    ("$900 weekly", (900.0, 900.0, "week", 22.5, 22.5, False, ())),
    ("$1,800 biweekly", (1800.0, 1800.0, None, 22.5, 22.5, False, ("biweekly",))),
    ("$1,800 bi-weekly", (1800.0, 1800.0, None, 22.5, 22.5, False, ("biweekly",))),
    ("$2,000 semi-monthly", (2000.0, 2000.0, None, 23.08, 23.08, False, ("semi_monthly",))),
    ("$4,000 per month", (4000.0, 4000.0, "month", 23.08, 23.08, False, ())),
    ("$4,207 - $5,575 monthly", (4207.0, 5575.0, "month", 24.27, 32.16, False, ())),
    # year words
    ("$48,000 annual", (48000.0, 48000.0, "year", 23.08, 23.08, False, ())),
    ("$48,000 per annum", (48000.0, 48000.0, "year", 23.08, 23.08, False, ())),
    ("$39,897 - $70,499 a year", (39897.0, 70499.0, "year", 19.18, 33.89, False, ())),
    ("$48,000/yr", (48000.0, 48000.0, "year", 23.08, 23.08, False, ())),
    ("$48,000 yr", (48000.0, 48000.0, "year", 23.08, 23.08, False, ())),
    ("$75k - $105k salary", (75000.0, 105000.0, "year", 36.06, 50.48, False, ())),
    ("$76,342.20 - $113,330.52 USD yearly", (76342.2, 113330.52, "year", 36.7, 54.49, False, ())),
    # k / K and thousands separators without a period
    ("$75K-$105K", (75000.0, 105000.0, "year", 36.06, 50.48, True, ())),
    ("$75-105k", (75000.0, 105000.0, "year", 36.06, 50.48, True, ())),
    ("$67,297–$109,364", (67297.0, 109364.0, "year", 32.35, 52.58, True, ())),
    # open bounds and min / max wording
    ("up to $22 an hour", (None, 22.0, H, None, 22.0, False, ())),
    ("starting at $17.50/hr", (17.5, None, H, 17.5, None, False, ())),
    ("from $17.50 per hour", (17.5, None, H, 17.5, None, False, ())),
    ("Min $18.00 / Max $24.00 per hour", (18.0, 24.0, H, 18.0, 24.0, False, ())),
    ("Minimum $18.00 Maximum $24.00", (18.0, 24.0, H, 18.0, 24.0, True, ())),
    (
        "$38,010.00 Yearly Min / $47,513.00 Yearly Mid / $57,016.00 Yearly Max",
        (38010.0, 57016.0, "year", 18.27, 27.41, False, ()),
    ),
    (
        "pay starting at $20–25/hour, depending on experience",
        (20.0, 25.0, H, 20.0, 25.0, False, ()),
    ),
    # a lone "starting" amount is a lower bound (issue 12: "starting" -> min only)
    ("Starting Salary: $12.58 hourly", (12.58, None, H, 12.58, None, False, ())),
    # several amounts of one period join into one range
    (
        "Salary: • $15.39 per hour non-certified • $16.50 per hour certified",
        (15.39, 16.5, H, 15.39, 16.5, False, ()),
    ),
    # reversed range
    # two schemes: the first one wins and the hourly equivalents come from it
    (
        "$30.91-$37.57 Hourly / $5,357.48-$6,512.05 Monthly / $64,289.84-$78,144.70 Yearly",
        (30.91, 37.57, H, 30.91, 37.57, False, ("multiple_periods",)),
    ),
    (
        "The salary range for level II is $1,799.20 - $2,410.40 biweekly "
        "($22.49 - $30.13 per hour).",
        (1799.2, 2410.4, None, 22.49, 30.13, False, ("multiple_periods", "biweekly")),
    ),
    # shift differentials, bonuses, reimbursements, tips, stipends, 401k are not base pay
    (
        "Pay Range: $16 – $18 per hour plus 10% shift differential ($17.60 – $19.80), "
        "depending on experience and CPRS Certification status",
        (16.0, 18.0, H, 16.0, 18.0, False, ("non_base_excluded",)),
    ),
    (
        "Pay: $15/hr start with an incremental increase to $17/hr after 6 months.",
        (15.0, None, H, 15.0, None, False, ("non_base_excluded",)),
    ),
    ("$20 per hour plus tips", (20.0, 20.0, H, 20.0, 20.0, False, ())),
    ("Tips average $5 per hour", none("no_numbers", "non_base_excluded")),
    ("Tuition reimbursement up to $5,250 per year", none("no_numbers", "non_base_excluded")),
    ("401(k) match up to $2,000", none("no_numbers", "non_base_excluded")),
    ("$500 monthly stipend", none("no_numbers", "non_base_excluded")),
    ("PTO valued at $3,000", none("no_numbers", "non_base_excluded")),
    ("$2 per hour bilingual differential", none("no_numbers", "non_base_excluded")),
    ("Current adjunct pay is $775 per credit hour.", none("no_numbers", "non_base_excluded")),
    ("Pay: $20/hr; Overtime $30/hr", (20.0, 20.0, H, 20.0, 20.0, False, ("non_base_excluded",))),
    # grades and steps are not numbers
    ("GS-0102-07", none("no_numbers", "grade_only")),
    ("GS-5/7/9", none("no_numbers", "grade_only")),
    ("Step 1 - Step 10", none("no_numbers", "grade_only")),
    ("GRADE ASTD10", none("no_numbers", "grade_only")),
    ("Pay scale & grade\nGS 6 - 9", none("no_numbers", "grade_only")),
    (
        "Salary $67,297.00 to $109,364.00 Grade 10 to 10",
        (67297.0, 109364.0, "year", 32.35, 52.58, True, ()),
    ),
    ("GS-0102-07 $45,574 to $80,532 per year", (45574.0, 80532.0, "year", 21.91, 38.72, False, ())),
    # a pay field with figures only: formatted ranges count, bare integers do not
    ("16.21 To 20.92", (16.21, 20.92, H, 16.21, 20.92, True, ())),
    ("45,000 - 55,000", (45000.0, 55000.0, "year", 21.63, 26.44, True, ())),
    ("18 - 22", none("no_numbers")),
    ("Posted 09/19/2025", none("no_numbers")),
    # no numbers
    ("DOE", none("no_numbers", "doe")),
    ("DOQ", none("no_numbers", "doe")),
    ("Depends on experience", none("no_numbers", "doe")),
    ("Commensurate with experience", none("no_numbers", "doe")),
    ("Competitive", none("no_numbers", "competitive")),
    ("Negotiable", none("no_numbers", "negotiable")),
    (
        "40 hours per week",
        none(
            "no_numbers",
        ),
    ),
    (
        "Hours: 40 per week",
        none(
            "no_numbers",
        ),
    ),
    # periods inferred from magnitude (bands documented in normalize/pay.py)
    ("$600", (600.0, 600.0, "week", 15.0, 15.0, True, ())),
    ("Salary Range: $4,207 - $5,575", (4207.0, 5575.0, "month", 24.27, 32.16, True, ())),
    # implausible values stay out of the numbers
    (
        "$5",
        none(
            "implausible",
        ),
    ),
    (
        "$250 per hour",
        none(
            "implausible",
        ),
    ),
    (
        "$8,000 per year",
        none(
            "implausible",
        ),
    ),
    (
        "$1,000,000",
        none(
            "implausible",
        ),
    ),
    (
        "$15 - $150,000",
        none(
            "implausible",
        ),
    ),
    (
        "$12 - $48 per hour",
        none(
            "implausible",
        ),
    ),
    (
        "Salary RangeFrom $86681 to $109650 Hourly",
        none(
            "implausible",
        ),
    ),
]


@pytest.mark.parametrize(("text", "expected"), TEXT_CASES, ids=[c[0][:50] for c in TEXT_CASES])
def test_parse_pay_text(text: str, expected: Fields) -> None:
    pay = parse_pay_text(text)
    assert fields(pay) == expected
    assert pay.source == "text"
    assert pay.raw is not None
    assert re.sub(r"\D", "", pay.raw) == re.sub(r"\D", "", text)  # raw keeps every figure


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("$20 per hour", "USD"),
        ("USD $18.04/Hr.", "USD"),
        ("16.21 To 20.92 (USD) Hourly", "USD"),
        ("CAD $20 per hour", "CAD"),
        ("€30,000 per year", "EUR"),
        ("£9.50 per hour", "GBP"),
        ("DOE", None),
    ],
)
def test_currency(text: str, currency: str | None) -> None:
    assert parse_pay_text(text).pay_currency == currency


def test_empty_inputs_are_empty() -> None:
    empty = Pay(None, None, None, None, None, None, False, None, (), None)
    assert parse_pay_text(None) == empty
    assert parse_pay_text("") == empty
    assert parse_pay_text("   \n\t ") == empty
    assert normalize_pay() == empty


def test_html_and_entities_are_cleaned() -> None:
    pay = parse_pay_text("<p>Pay: <b>$18&nbsp;&ndash;&nbsp;$21</b> per&nbsp;hour</p>")
    assert fields(pay) == (18.0, 21.0, H, 18.0, 21.0, False, ())
    assert pay.raw == "Pay: $18 - $21 per hour"


STRUCTURED_CASES = [
    # schema.org unitText
    ({"pay_min": 20, "pay_max": 25, "pay_period": "HOUR"}, (20.0, 25.0, H, 20.0, 25.0, False, ())),
    (
        {"pay_min": 160, "pay_max": 200, "pay_period": "DAY"},
        (160.0, 200.0, "day", 20.0, 25.0, False, ()),
    ),
    (
        {"pay_min": 800, "pay_max": 1000, "pay_period": "WEEK"},
        (800.0, 1000.0, "week", 20.0, 25.0, False, ()),
    ),
    (
        {"pay_min": 3500, "pay_max": 4200, "pay_period": "MONTH"},
        (3500.0, 4200.0, "month", 20.19, 24.23, False, ()),
    ),
    (
        {"pay_min": 45000, "pay_max": 52000, "pay_period": "YEAR"},
        (45000.0, 52000.0, "year", 21.63, 25.0, False, ()),
    ),
    (
        {"pay_min": "23.98", "pay_max": "35.09", "pay_period": "HOUR"},
        (23.98, 35.09, H, 23.98, 35.09, False, ()),
    ),
    # Lever salaryRange.interval
    (
        {"pay_min": 18, "pay_max": 22, "pay_period": "per-hour-wage"},
        (18.0, 22.0, H, 18.0, 22.0, False, ()),
    ),
    (
        {"pay_min": 150000, "pay_max": 180000, "pay_period": "per-year-salary"},
        (150000.0, 180000.0, "year", 72.12, 86.54, False, ()),
    ),
    (
        {"pay_min": 4000, "pay_max": 4500, "pay_period": "per-month-salary"},
        (4000.0, 4500.0, "month", 23.08, 25.96, False, ()),
    ),
    # USAJOBS RateIntervalCode and Description (strings)
    (
        {"pay_min": "111234.0", "pay_max": "144608.0", "pay_period": "PA"},
        (111234.0, 144608.0, "year", 53.48, 69.52, False, ()),
    ),
    (
        {"pay_min": "22.50", "pay_max": "29.10", "pay_period": "PH"},
        (22.5, 29.1, H, 22.5, 29.1, False, ()),
    ),
    (
        {"pay_min": "180", "pay_max": "220", "pay_period": "PD"},
        (180.0, 220.0, "day", 22.5, 27.5, False, ()),
    ),
    (
        {"pay_min": "900", "pay_max": "1100", "pay_period": "PW"},
        (900.0, 1100.0, "week", 22.5, 27.5, False, ()),
    ),
    (
        {"pay_min": "1800", "pay_max": "2200", "pay_period": "BW"},
        (1800.0, 2200.0, None, 22.5, 27.5, False, ("biweekly",)),
    ),
    (
        {"pay_min": "3900", "pay_max": "4700", "pay_period": "PM"},
        (3900.0, 4700.0, "month", 22.5, 27.12, False, ()),
    ),
    (
        {"pay_min": "45574.0", "pay_max": "80532.0", "pay_period": "Per Year"},
        (45574.0, 80532.0, "year", 21.91, 38.72, False, ()),
    ),
    (
        {"pay_min": "22.50", "pay_max": "29.10", "pay_period": "Per Hour"},
        (22.5, 29.1, H, 22.5, 29.1, False, ()),
    ),
    # NEOGOV / ADP words
    (
        {"pay_min": 17.12, "pay_max": 23.09, "pay_period": "HOURLY"},
        (17.12, 23.09, H, 17.12, 23.09, False, ()),
    ),
    (
        {"pay_min": 50065.6, "pay_max": 67059.2, "pay_period": "Annually"},
        (50065.6, 67059.2, "year", 24.07, 32.24, False, ()),
    ),
    (
        {"pay_min": 3089, "pay_max": 3943, "pay_period": "Monthly"},
        (3089.0, 3943.0, "month", 17.82, 22.75, False, ()),
    ),
    (
        {"pay_min": 1628.8, "pay_max": 2182.4, "pay_period": "Biweekly"},
        (1628.8, 2182.4, None, 20.36, 27.28, False, ("biweekly",)),
    ),
    (
        {"pay_min": 16.21, "pay_max": 20.92, "pay_period": "HR"},
        (16.21, 20.92, H, 16.21, 20.92, False, ()),
    ),
    # Greenhouse pay_input_ranges come in cents
    (
        {
            "pay_min": 5000000,
            "pay_max": 7500000,
            "pay_currency": "USD",
            "pay_period": "NYC Salary Range",
        },
        (50000.0, 75000.0, "year", 24.04, 36.06, False, ("cents",)),
    ),
    (
        {"pay_min": 3462, "pay_max": 4000, "pay_period": "Hourly pay range"},
        (34.62, 40.0, H, 34.62, 40.0, False, ("cents",)),
    ),
    # one bound, reversed bounds, money strings, no period
    (
        {"pay_max": "150000", "pay_period": "per-year-salary"},
        (None, 150000.0, "year", None, 72.12, False, ()),
    ),
    (
        {"pay_min": 22, "pay_max": 18, "pay_period": "HOUR"},
        (18.0, 22.0, H, 18.0, 22.0, False, ("reversed_range",)),
    ),
    ({"pay_min": "$45,000", "pay_max": "$55k"}, (45000.0, 55000.0, "year", 21.63, 26.44, True, ())),
    # no period in the fields: the pay text gives it (iCIMS baseSalary without unitText)
    (
        {"pay_min": 24.25, "pay_max": 24.55, "pay_text": "USD $24.25 - USD $24.55 /Hr."},
        (24.25, 24.55, H, 24.25, 24.55, False, ()),
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "expected"), STRUCTURED_CASES, ids=[str(c[0])[:60] for c in STRUCTURED_CASES]
)
def test_normalize_pay_structured(kwargs: dict[str, Any], expected: Fields) -> None:
    pay = normalize_pay(**kwargs)
    assert fields(pay) == expected
    assert pay.source == "structured"


def test_structured_currency() -> None:
    assert (
        normalize_pay(pay_min=18, pay_max=22, pay_period="HOUR", pay_currency="usd").pay_currency
        == "USD"
    )
    assert normalize_pay(pay_min="$18", pay_max="$22", pay_period="HOUR").pay_currency == "USD"
    assert (
        normalize_pay(pay_min="111234.0", pay_max="144608.0", pay_period="PA").pay_currency is None
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pay_min": "WC", "pay_period": "WC"},
        {"pay_min": 0, "pay_max": 0, "pay_period": "PA"},
        {"pay_min": True, "pay_max": [1, 2]},
        {"pay_min": math.nan, "pay_max": math.inf},
        {"pay_min": -5, "pay_period": "HOUR"},
    ],
)
def test_unusable_structured_values_give_no_numbers(kwargs: dict[str, Any]) -> None:
    pay = normalize_pay(**kwargs)
    assert (pay.pay_min, pay.pay_max, pay.pay_period, pay.source) == (None, None, None, None)


def test_precedence_structured_then_text_then_description() -> None:
    both = normalize_pay(
        pay_min=20,
        pay_max=25,
        pay_period="HOUR",
        pay_text="$30 per hour",
        description="The pay is $40/hr.",
    )
    assert (both.pay_min, both.pay_max, both.source) == (20.0, 25.0, "structured")
    text = normalize_pay(pay_text="$19.00 - $22.00 Hourly", description="The pay is $40/hr.")
    assert (text.pay_min, text.pay_max, text.pay_period, text.source) == (19.0, 22.0, H, "text")
    assert text.raw == "$19.00 - $22.00 Hourly"
    described = normalize_pay(
        pay_text="DOE", description="The pay range is $18.00 - $21.00 per hour."
    )
    assert fields(described) == (18.0, 21.0, H, 18.0, 21.0, False, ())
    assert described.source == "description"
    assert described.raw == "The pay range is $18.00 - $21.00 per hour."
    flagged = normalize_pay(pay_text="Competitive", description="No numbers here.")
    assert (flagged.source, flagged.flags) == ("text", ("no_numbers", "competitive"))


DESCRIPTION_CASES = [
    (
        "We offer a $1,000 sign-on bonus! The pay for this role is $18.50 - $21.00 per hour "
        "depending on experience. 401k match up to $2,000.",
        (18.5, 21.0, H, 18.5, 21.0, False, ("non_base_excluded",)),
    ),
    (
        "Great benefits. Hourly rate: $19.25 per hour. $500 sign-on bonus.",
        (19.25, 19.25, H, 19.25, 19.25, False, ("non_base_excluded",)),
    ),
    (
        "&lt;div class=&quot;title&quot;&gt;United States Salary Range&lt;/div&gt;&lt;span&gt;"
        "$108,400&lt;/span&gt;&lt;span class=&quot;divider&quot;&gt;&amp;mdash;&lt;/span&gt;"
        "&lt;span&gt;$129,600 USD&lt;/span&gt;",
        (108400.0, 129600.0, "year", 52.12, 62.31, True, ()),
    ),
    ("As one of the fastest-growing SaaS companies, we surpassed $3B in revenue last year.", None),
    ("Our budget is $2 million and we serve 4,000 clients in 12 counties.", None),
    ("This is a salaried full-time position with a competitive base rate.", None),
]


@pytest.mark.parametrize(
    ("description", "expected"), DESCRIPTION_CASES, ids=[c[0][:40] for c in DESCRIPTION_CASES]
)
def test_description_first_base_pay_statement(description: str, expected: Fields | None) -> None:
    pay = normalize_pay(description=description)
    if expected is None:
        assert pay == Pay(None, None, None, None, None, None, False, None, (), None)
    else:
        assert fields(pay) == expected
        assert pay.source == "description"


def test_repeated_text_gives_equal_results() -> None:
    assert parse_pay_text("$23.84 - $26.28 per hour") == parse_pay_text("$23.84 - $26.28 per hour")


# ------------------------------------------------------------------ properties (never raise)
def check_vocabulary(pay: Pay) -> None:
    assert isinstance(pay, Pay)
    assert pay.pay_period in (*PERIODS, None)
    assert pay.source in (*SOURCES, None)
    assert all(flag in FLAGS for flag in pay.flags)
    assert pay.pay_currency is None or (len(pay.pay_currency) == 3 and pay.pay_currency.isupper())
    for value in (pay.pay_min, pay.pay_max, pay.hourly_min, pay.hourly_max):
        assert value is None or (math.isfinite(value) and value >= 0)
    if pay.pay_min is not None and pay.pay_max is not None:
        assert pay.pay_min <= pay.pay_max
    for hourly in (pay.hourly_min, pay.hourly_max):
        assert hourly is None or 10000 / 2080 - 0.01 <= hourly <= 200
    if pay.raw is not None:
        assert len(pay.raw) <= 300


TOKENS = [
    *"$0123456789.,-–— kK/:;()+%\n\x00é\u200b",
    "per hour",
    "hourly",
    "annually",
    "to",
    "and",
    "up to",
    "bonus",
    "GS-",
    "USD",
    "a year",
    "biweekly",
    "<b>",
    "&amp;",
    "Salary:",
]
PAYISH = st.lists(st.sampled_from(TOKENS), max_size=25).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), PAYISH))
def test_parse_pay_text_never_raises(text: str) -> None:
    check_vocabulary(parse_pay_text(text))


ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pay_text=st.one_of(st.none(), st.text(max_size=80), PAYISH),
    pay_min=ANY_VALUE,
    pay_max=ANY_VALUE,
    pay_period=st.one_of(
        ANY_VALUE, st.sampled_from(["HOUR", "PA", "BW", "per-year-salary", "Monthly"])
    ),
    pay_currency=ANY_VALUE,
    description=st.one_of(st.none(), st.text(max_size=300), PAYISH),
)
def test_normalize_pay_never_raises(**kwargs: Any) -> None:
    check_vocabulary(normalize_pay(**kwargs))


def test_huge_and_odd_inputs() -> None:
    huge = "$18 per hour " + "x" * 1_000_000
    assert parse_pay_text(huge).pay_min == 18.0
    check_vocabulary(normalize_pay(description="$" * 200_000))
    check_vocabulary(parse_pay_text(12345))  # type: ignore[arg-type]
    check_vocabulary(parse_pay_text(b"$20 per hour"))  # type: ignore[arg-type]


# ------------------------------------------- issue 12 classes (texts copied from corpus dev rows)
ISSUE12_CASES = [
    # thousands written with K, at one end or both, with or without "$"
    ("k", "$53K-$91K (Glassdoor est.)", (53000.0, 91000.0, "year")),
    ("k", "Employer Provided Salary:$25-$28 Per Hour", (25.0, 28.0, H)),
    ("k", "$17-$24 Per Hour(Glassdoor est.)", (17.0, 24.0, H)),
    (
        "k",
        "Atlas | Full Stack Developer | PHX, MSP, DC, NYC, SF | $90-130k + benefits | Full-time, "
        "REMOTE or ONSITE | http://atlas-x.com/careers",
        (90000.0, 130000.0, "year"),
    ),
    (
        "k",
        "Level 12 | Full Stack Web Developer - Python, React, SQL | Louisville, KY | REMOTE, "
        "SALARY:$75K-115K, https://www.level12.io/careers/",
        (75000.0, 115000.0, "year"),
    ),
    (
        "k no $",
        "DuckDuckGo | Software Developer | Paoli PA | REMOTE, VISA, SALARY:100k-120k",
        (100000.0, 120000.0, "year"),
    ),
    (
        "k no $",
        "RedRainCorp | Startup | RedView & other products | 80-120k | Sydney, Australia ONSITE OR "
        "part-time REMOTE",
        (80000.0, 120000.0, "year"),
    ),
    (
        "k no $",
        "Blinkist | Growth Developer | Onsite or remote | Berlin, Germany | EUR 60- 70k",
        (60000.0, 70000.0, "year"),
    ),
    # spaces as thousands separators, figures without "$"
    (
        "spaces",
        "MobFox | Senior Software Engineer (Backend) | Senior DevOps/SRE Engineer | Senior Agile "
        "Product Owner | FULL-TIME | ONSITE | VISA | Vienna, Austria | 53 200€ minimum + bonus | "
        "https://www.mobfox.com",
        (53200.0, None, "year"),
    ),
    ("no $", "16.21 To 20.92 (USD) Hourly", (16.21, 20.92, H)),
    ("no $", "66 USD per hour for each new lesson: $100 per 90-minute lesson", (66.0, 66.0, H)),
    # a figure followed by commission / bonus wording: the base is the pay
    (
        "bonus",
        "Tapad | Unify Life Across Devices | Onsite: New York, NY or Onsite: Oslo, Norway | "
        "$100K - $160K/YR + Bonus",
        (100000.0, 160000.0, "year"),
    ),
    (
        "bonus",
        "TGS | Irvine, CA and Princeton, NJ | Full Time | ONSITE | $180 - 250k (base) + "
        "discretionary bonus",
        (180000.0, 250000.0, "year"),
    ),
    (
        "bonus",
        "Blockchain Trading Platform | Several positions | Remote | Full-time | $160k-$220k + "
        "Rev share",
        (160000.0, 220000.0, "year"),
    ),
    (
        "bonus",
        "Projects are paid hourly, starting at $25+ USD per hour, with bonuses for high-quality "
        "and high-volume work",
        (25.0, None, H),
    ),
    # day rates (a half-day rate is not a second bound)
    (
        "day",
        "Pay: The rate of payment for substitute teaching is $120.00 per day for a full day and "
        "$80.00 for a half day.",
        (120.0, 120.0, "day"),
    ),
    (
        "day",
        "This is a part-time, seasonal, non-benefited position compensated at $125.00 for a full "
        "school day and $62.50 for a half day.",
        (125.0, 125.0, "day"),
    ),
    # "starting", "from", "and up", "+", "min", ">" -> min only; "up to", "max" -> max only
    ("min", "Salary: From $43,697.00 per year", (43697.0, None, "year")),
    ("min", "From $20 an hour", (20.0, None, H)),
    ("min", "Starting Salary\n\n$56,604", (56604.0, None, "year")),
    ("min", "Pay/Benefits: $22.50 starting hourly pay plus, Full benefits.", (22.5, None, H)),
    (
        "min",
        "Starting pay is usually around $11 per hour but this can be higher depending on your "
        "experience.",
        (11.0, None, H),
    ),
    ("min", "Min Hiring Rate $17.50", (17.5, None, H)),
    ("min", "Salary is $38,000+", (38000.0, None, "year")),
    (
        "min",
        "Wirecard | Developers, QAs, PMs... | Munich (Aschheim), Germany | Full-time | ONSITE | "
        "Visa | 65K+ EUR",
        (65000.0, None, "year"),
    ),
    (
        "min",
        "Hodei (http://hodeitech.com/) | Senior Software Engineer/Ops | Indianapolis, IN| REMOTE "
        "or In-office, Salary: > $90K + equity",
        (90000.0, None, "year"),
    ),
    ("max", "Max Hiring Rate $18.50", (None, 18.5, H)),
    (
        "max",
        "Kineo | Brighton, East Sussex, UK | Onsite, Full-time | Various roles up to around £35K | "
        "http://www.kineo.com/about-us/careers",
        (None, 35000.0, "year"),
    ),
    # two schemes in one string: the first stated
    (
        "two schemes",
        "US: Hiring Range in USD from $25.48 - $60.63 per hour; from: $53,000 - $126,100 per "
        "year. May be eligible for bonus and equity.",
        (25.48, 60.63, H),
    ),
    (
        "two schemes",
        "Salary: $1125 per week or $2,250 per 2 week camp session",
        (1125.0, 1125.0, "week"),
    ),
    # "average rate" phrasing
    (
        "average",
        "The average hourly rate for full-time specialists was $16.36 per hour with wide "
        "variation between geographic regions",
        (16.36, 16.36, H),
    ),
    # base plus on-target / top-performer earnings: the base is the pay
    (
        "base",
        "Compensation: Base = $120k and up to $175k (for top performers)",
        (120000.0, 120000.0, "year"),
    ),
    (
        "base",
        "Athene (athene.com) | Actuarial Data Experts | Base $100k+ and bonus | Des Moines | "
        "ONSITE | FILL-TIME | https://www.athene.com/careers",
        (100000.0, None, "year"),
    ),
    (
        "base",
        "Tapad | Full-Time, Onsite: NYC or Oslo | $100K - $175K/YR Base + Bonus",
        (100000.0, 175000.0, "year"),
    ),
    # a stray blank before the cents keeps one amount ("$1,395 .00"); a per-credit rate is no pay
    (
        "spaced cents",
        "Salary Range: Minimum $1,395 .00 per credit Position Details:Department: URSP- Urban and "
        "Regional Studies and Planning",
        (None, None, None),
    ),
    # peer postings: the period word after the range
    ("peer", "$26.52 - $31.57 Hourly", (26.52, 31.57, H)),
    ("peer", "$55,169.92 - $65,655.20 Annually", (55169.92, 65655.2, "year")),
    # pay words that are charges only without a period; headers naming equity elsewhere
    ("fee", "Teaching Fee: $33/hour; Teachers will be assigned 5-7 classes per week", (33.0, 33.0, H)),
    (
        "equity header",
        "Rollmob | Director of Technology | Santa Monica, CA | EQUITY, ONSITE or REMOTE (US), "
        "$170k, http://rollmob.com",
        (170000.0, 170000.0, "year"),
    ),
]


@pytest.mark.parametrize(
    ("kind", "text", "expected"), ISSUE12_CASES, ids=[f"{c[0]}: {c[1][:40]}" for c in ISSUE12_CASES]
)
def test_issue12_classes(kind: str, text: str, expected: tuple[Any, ...]) -> None:
    pay = parse_pay_text(text)
    assert (pay.pay_min, pay.pay_max, pay.pay_period) == expected


UNREAD_CASES = [
    # nothing with a pay figure is silently dropped: no numbers -> a flag says why
    ("We offer a $2,500 Sign-on Bonus & hybrid work schedules, where applicable.", "non_base_excluded"),
    (
        "$2500 for 10 to 100 students, plus $10 for each additional student up to 200.",
        "non_base_excluded",
    ),
]


@pytest.mark.parametrize(("text", "flag"), UNREAD_CASES, ids=[c[0][:40] for c in UNREAD_CASES])
def test_money_without_numbers_is_flagged(text: str, flag: str) -> None:
    pay = parse_pay_text(text)
    assert (pay.pay_min, pay.pay_max) == (None, None)
    assert flag in pay.flags


def test_corpus_dev_rows_with_money_never_vanish() -> None:
    """Every dev row of the pay corpus whose text holds a money figure either yields a number
    or carries a flag that says why (excluded, implausible, grade, unparsed)."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus" / "pay.jsonl"
    if not path.exists():
        pytest.skip("no pay corpus")
    money = re.compile(r"[$€£]\s?\d|\d\s?[kK]\b|\bUSD\b")
    reasons = {"non_base_excluded", "implausible", "grade_only", "unparsed"}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("split") != "dev" or not money.search(row["text"]):
            continue
        pay = parse_pay_text(row["text"])
        if pay.pay_min is None and pay.pay_max is None:
            assert reasons & set(pay.flags), row["text"]
