"""A description's pay read from the cleaned start of the text equals the reading of the whole
cleaned text (``normalize.pay._prefix_cut``): the cut, the margin and the fallbacks."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from normalize import pay
from normalize.pay import Pay


def whole_reading(description: str) -> Pay | None:
    """The pay of a description holding a money sign, read from its whole cleaned text."""
    return pay._read_windows(pay._clean(description, pay._MAX_DESCRIPTION), None)  # type: ignore[return-value]


FILLER = "Support members in recovery and document every contact in the record. " * 8


def test_pay_near_the_first_money_sign_is_read_from_the_start_of_the_text() -> None:
    text = f"Peer Support Specialist\n\nPay: $18.50 - $21.00 per hour\n\n{FILLER}\n\n{FILLER}"
    cut = pay._prefix_cut(text)
    assert 0 < cut < len(text)
    found = pay._from_description(text)
    assert found is not None
    assert (found.pay_min, found.pay_max, found.pay_period) == (18.5, 21.0, "hour")
    assert found == whole_reading(text)


def test_the_cut_follows_the_first_money_sign_or_usd() -> None:
    """The cut is the first line break 400 characters past the first "$" or "USD"."""
    line = "x" * 99 + "\n"
    for head in ("Pay USD 18 then $20 ", "Pay $20 then USD 18 ", "Pay USD 18 ", "Pay $18 ",
                 "USD$18 "):
        text = head + line * 8
        first = min(i for i in (text.find("$"), text.find("USD")) if i != -1)
        assert pay._prefix_cut(text) == text.find("\n", first + 400)


def test_texts_with_tags_or_entities_are_cleaned_whole() -> None:
    # a tag, or an entity that unescapes to "<", anywhere can change the cleaning of the text
    # before the cut
    assert pay._prefix_cut(f"Pay $18 per hour\n{FILLER}\n<b>x</b>\n{FILLER}") == 0
    for entity in ("&lt;b&gt;", "&LT;i>", "&#60;b>", "&#x3c;b>", "&nvlt;"):
        assert pay._prefix_cut(f"Pay $18 per hour\n{FILLER}\n{entity}x\n{FILLER}") == 0
    assert pay._prefix_cut(f"No money here\n{FILLER}") == 0
    # other entities and bare ampersands unescape line by line
    text = f"Pay $18 per hour\n{FILLER}\nHealth & Human Services &amp; R&D\n{FILLER}"
    assert pay._prefix_cut(text) == text.find("\n", text.find("$") + 400)


def test_tag_entities_are_all_the_entities_that_make_a_tag() -> None:
    from html.entities import html5

    makers = sorted(f"&{name}" for name, value in html5.items() if "<" in value)
    assert all(name.startswith(pay._TAG_ENTITIES) for name in makers)
    assert makers == ["&LT", "&LT;", "&lt", "&lt;", "&nvlt;"]


def test_money_past_the_prefix_is_found_in_the_whole_text() -> None:
    # the first figure is a bonus (rejected); the wage stands far past the cleaned prefix
    text = f"Sign-on bonus of $500.\n{FILLER}\n{FILLER}\nWage: $19 - $22 per hour.\n"
    found = pay._from_description(text)
    assert found is not None
    assert (found.pay_min, found.pay_max, found.pay_period) == (19.0, 22.0, "hour")
    assert found == whole_reading(text)


PARTS = [
    "Pay: $18.50 - $21.00 per hour", "$45,000 - $52,000 per year", "bonus of $500", "$", "USD ",
    "salary 19", "rate of 20 per hour", " \u2013 ", "\u2014", "-", "  ", "   ", "\t", "\u00a0", "\n",
    "\n\n", "\r\n", "\\n", "\x0b", "\u2028", " .00", "5 .50", "\u2022 ", "caf\u00e9 ", FILLER,
    "Support peers in recovery. ", "hourly", "per hour", "annually", "&", "&amp;", "R&D ",
    "&mdash;", "&nbsp;", "&bsol;n", "&NewLine;", "&lt;b&gt;", "&#60;i>", "&#8211;",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PARTS), max_size=30))
def test_the_prefix_reading_equals_the_whole_reading(parts: list[str]) -> None:
    text = "".join(parts)
    assume("$" in text or "USD" in text)  # without, only the whole text is read
    assert pay._from_description(text) == whole_reading(text)
