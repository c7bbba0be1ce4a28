"""Small text helpers shared by the title and certification normalizers.

Pure functions, compiled once at import. They accept anything (``None``, non-strings, HTML,
control characters) and never raise: normalizers built on them must not either.
"""

from __future__ import annotations

import html
import importlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Any, overload

import ahocorasick_rs

#: Longest text the normalizers look at. Postings longer than this are cut (descriptions of
#: peer jobs are 1-8 KB; anything far beyond is page chrome or an encoding accident).
MAX_TEXT_CHARS = 60_000
#: Longest title looked at.
MAX_TITLE_CHARS = 400

_BLOCK_TAG = re.compile(
    r"<\s*(?:br|/?p|/?div|/?li|/?ul|/?ol|/?h[1-6]|/?tr|/?table|/?section|/?article|hr)\b[^>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^<>]{0,2000}>")
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
_QUOTES = re.compile(r"[\u2018\u2019\u201a\u201b\u2032\u00b4`]")
_DQUOTES = re.compile(r"[\u201c\u201d\u201e\u201f\u2033]")
_BULLETS = re.compile(r"[\u2022\u25cf\u25aa\u25a0\u2023\u2043\u2219\u00b7\u25e6\uf0b7]")
_SPACES = re.compile(
    r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]{2,}|[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]"
)


def as_text(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Return ``value`` as a string cut to ``limit`` characters; anything not a str gives ""."""
    if not isinstance(value, str):
        return ""
    return value[:limit]


def strip_html(text: str) -> str:
    """Turn an HTML fragment into plain text: block tags become line breaks, entities decode.

    Text without ``<`` or ``&`` is returned unchanged, so plain text costs nothing.
    """
    if "<" in text and ">" in text:
        text = _SCRIPT_STYLE.sub(" ", text)
        text = _BLOCK_TAG.sub("\n", text)
        text = _ANY_TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return text


#: A line break written out as its escape (backslash r backslash n, or backslash n), see
#: ``literal_breaks``.
_LITERAL_BREAK = re.compile(r"\\r\\n|\\n")


def literal_breaks(text: str) -> str:
    r"""``text`` with each line break written out (the characters ``\r\n`` or ``\n``, as
    re-hosts show them) made a real one: ``text.replace("\\r\\n", "\n").replace("\\n", "\n")``
    in one pass (a replacement, a real line break, can start no further match): 3.4 vs 11.7 us
    on a 3 KB description holding some, as a search of two or four characters steps through
    the text.
    """
    return _LITERAL_BREAK.sub("\n", text)


def clean_text(text: str) -> str:
    """Normalize Unicode look-alikes: NFKC, one kind of dash/quote/bullet, no control chars.

    Line breaks are kept (they separate sentences and headings); other runs of blanks collapse
    to one space.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _DASHES.sub("-", text)
        text = _QUOTES.sub("'", text)
        text = _DQUOTES.sub('"', text)
        text = _BULLETS.sub("\n", text)
    text = _CONTROL.sub(" ", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # re-hosts that show literal "\r\n" sequences inside the text ("\\" first: a one-character
    # search is a memchr, a two-character one scans ~30x slower)
    if "\\" in text:
        text = literal_breaks(text)
    if "  " in text or "\t" in text or not text.isascii():
        text = _SPACES.sub(" ", text)
    return text


# The non-ASCII characters real postings carry most, folded with str.replace (a regex or
# str.translate over a 3 KB string is 10-100x slower in CPython). Each fold yields ASCII only,
# so their order does not matter: the most frequent come first, as folding stops once the text
# is ASCII.
_COMMON_FOLDS: tuple[tuple[str, str], ...] = (
    ("\u2019", "'"), ("\u2022", "\n"), ("\u2013", "-"), ("\u201c", '"'), ("\u201d", '"'),
    ("\u2014", "-"), ("\u00a0", " "), ("\u2018", "'"), ("\u00b7", "\n"), ("\u2026", "..."),
    ("\u25cf", "\n"), ("\u25aa", "\n"), ("\uf0b7", "\n"), ("\u2012", "-"), ("\u2212", "-"),
    ("\u200b", ""), ("\ufeff", ""), ("\u2028", "\n"), ("\u2029", "\n"), ("\ufffd", " "),
)


def fold_common(text: str) -> str:
    """Replace the usual curly quotes, dashes, bullets and odd spaces by ASCII look-alikes."""
    for char, repl in _COMMON_FOLDS:
        if char in text:
            text = text.replace(char, repl)
            if text.isascii():  # O(1) on a str: nothing left to fold, skip the other scans
                break
    return text


def plain_text(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Any value to normalized plain text (HTML stripped, Unicode cleaned, cut to ``limit``)."""
    return clean_text(strip_html(as_text(value, limit * 2)))[:limit]


NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fifteen": 15, "eighteen": 18, "twenty": 20, "twenty-four": 24, "twenty four": 24,
    "thirty": 30, "thirty-six": 36, "forty-five": 45, "sixty": 60, "ninety": 90,
    "one hundred twenty": 120, "one hundred eighty": 180,
}

#: Regex alternation matching a number written as digits or words (longest words first).
NUMBER_PATTERN = (
    r"(?:\d{1,4}|"
    + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS if len(w) > 2), key=len, reverse=True))
    + r"|an?)"
)


def parse_number(token: str) -> int | None:
    """Parse ``"6"``, ``"six"`` or ``"twenty-four"`` to an int; None when it is not a number."""
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    return NUMBER_WORDS.get(token)


class TriggeredPatterns:
    """Regexes anchored at literal trigger substrings: cheap to run over a whole description.

    Scanning a 3 KB description with one big regex alternation is slow in CPython; finding the
    literal triggers is not. Each item ``(trigger, pattern, before)`` finds every occurrence of
    ``trigger``, tries ``pattern`` *at* that position (``re.match``) and, when given, requires
    ``before`` to match the text ending right before it. Every trigger is found in one pass of
    an Aho-Corasick automaton (overlapping matches: each occurrence of each trigger).
    """

    def __init__(self, items: list[tuple[str, str, str | None]]) -> None:
        self.items = [
            (trigger, re.compile(pattern), re.compile(f"(?:{before})$") if before else None)
            for trigger, pattern, before in items
        ]
        words: dict[str, list[int]] = {}
        for idx, (trigger, _pattern, _before) in enumerate(self.items):
            words.setdefault(trigger, []).append(idx)
        self._items_of: list[tuple[int, ...]] = [tuple(idxs) for idxs in words.values()]
        self._scan = OccurrenceScan(list(words))

    def finditer(self, low: str) -> list[tuple[int, int, int]]:
        """Matches as ``(item index, start, end)`` in ``low`` (start includes ``before``), by
        start, then item, then trigger position."""
        found: list[tuple[int, int, int, int]] = []
        items_of = self._items_of
        for word, i in self._scan.occurrences(low):
            for idx in items_of[word]:
                span = self.match_at(idx, low, i)
                if span is not None:
                    found.append((span[0], idx, i, span[1]))
        found.sort()
        return [(idx, start, end) for start, idx, _i, end in found]

    def triggers(self) -> list[str]:
        """The items' trigger substrings, by item index."""
        return [trigger for trigger, _pattern, _before in self.items]

    def match_at(self, idx: int, low: str, i: int) -> tuple[int, int] | None:
        """(start, end) of item ``idx`` matched where its trigger occurs at ``i`` in ``low``
        (start includes ``before``), None when it does not match there. For callers that find
        the triggers themselves, e.g. in one pass with other words."""
        _trigger, pattern, before = self.items[idx]
        m = pattern.match(low, i)
        if m is None:
            return None
        if before is None:
            return i, m.end()
        b = before.search(low, max(0, i - 60), i)
        return None if b is None else (b.start(), m.end())

    def paragraph_local(self) -> bool:
        """True when matching each paragraph of a text (the blocks between blank lines) finds
        exactly the matches of the whole text; False when that cannot be told.

        It holds when no trigger or pattern, ``before`` included, can match a line break or
        looks at where the string begins or ends (``\\b`` and lookarounds see a line break
        and a string end alike), and no ``before`` can match the empty string: ``before``
        ends with ``$``, which also matches right before a final line break, and that break
        is a blank line's at a paragraph start.
        """
        for trigger, pattern, before in self.items:
            if "\n" in trigger or not _newline_free(pattern.pattern):
                return False
            if before is not None:
                source = before.pattern.removeprefix("(?:").removesuffix(")$")  # see __init__
                if not _newline_free(source) or _min_width(source) == 0:
                    return False
        return True


def _parse_regex(source: str) -> Any:
    """The stdlib's parse tree of the regex ``source`` (Python 3.11+), None when unavailable."""
    try:
        return importlib.import_module("re._parser").parse(source)
    except Exception:  # pragma: no cover - another Python: callers assume the worst
        return None


def _min_width(source: str) -> int:
    """Fewest characters a match of the regex ``source`` can span; 0 when it cannot be told."""
    tree = _parse_regex(source)
    return int(tree.getwidth()[0]) if tree is not None else 0


def _newline_free(source: str) -> bool:
    """True when the regex ``source`` can match no line break and uses no anchor other than
    ``\\b``/``\\B``; False when unsure (an unknown construct counts as unsafe)."""
    tree = _parse_regex(source)
    if tree is None:
        return False
    c = importlib.import_module("re._constants")
    safe_categories = {c.CATEGORY_DIGIT, c.CATEGORY_WORD}
    safe_anchors = {c.AT_BOUNDARY, c.AT_NON_BOUNDARY}

    def safe(items: Any) -> bool:
        for op, av in items:
            if op is c.LITERAL:
                if av == 10:
                    return False
            elif op is c.IN:
                for kind, value in av:
                    if kind is c.LITERAL:
                        if value == 10:
                            return False
                    elif kind is c.RANGE:
                        if value[0] <= 10 <= value[1]:
                            return False
                    elif kind is not c.CATEGORY or value not in safe_categories:
                        return False  # a negated class, \s, \W ...
            elif op is c.AT:
                if av not in safe_anchors:
                    return False
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
                if not safe(av[2]):
                    return False
            elif op is c.SUBPATTERN:
                if not safe(av[3]):
                    return False
            elif op is c.BRANCH:
                if not all(safe(branch) for branch in av[1]):
                    return False
            elif op in (c.ASSERT, c.ASSERT_NOT):
                if not safe(av[1]):
                    return False
            elif op is c.ATOMIC_GROUP:
                if not safe(av):
                    return False
            elif op is not c.GROUPREF:  # a back-reference repeats a group checked above
                return False  # "." , a negated literal, a conditional group ...
        return True

    try:
        return safe(tree.data)
    except Exception:  # pragma: no cover - an unexpected tree shape: assume the worst
        return False


class OccurrenceScan:
    """Every occurrence of each of ``words`` in a text, overlaps included, as a ``str.find`` pass
    per word finds them, in one pass: a leftmost-first Aho-Corasick search (``ahocorasick_rs``,
    twice as fast as its overlapping search), then, for each match it reports, the words that
    can start inside it (a table built here from the words alone).

    The search reports non-overlapping matches, each the leftmost one from where the previous
    ended. Any other occurrence starts inside a reported match (at its start for another word,
    or past it): after the last match starting at or before it, the search would have reported
    it, or one starting earlier. So checking the table's (word, offset) pairs there finds them
    all, and each once.
    """

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self._empty = tuple(k for k, word in enumerate(words) if not word)
        present = [(k, word) for k, word in enumerate(words) if word]
        self._index = [k for k, _word in present]
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                [word for _k, word in present], matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
                implementation=ahocorasick_rs.Implementation.DFA,
            )
            if present else None
        )
        # ASCII texts (nearly all) are searched as bytes: the str search maps every byte offset
        # back to a character offset, which cost as much as the search itself. A word that is
        # not ASCII cannot occur in them, so only the ASCII words are in this automaton
        # (``_ascii_index``: its pattern number -> position in ``present``).
        ascii_words = [(j, word) for j, (_k, word) in enumerate(present) if word.isascii()]
        self._ascii_index = [j for j, _word in ascii_words]
        self._all_positions = list(range(len(present)))
        self._bytes_automaton = (
            ahocorasick_rs.BytesAhoCorasick(
                [word.encode("ascii") for _j, word in ascii_words],
                matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
            )
            if ascii_words else None
        )
        # per word: (other word's index, offset, other word) for every word that can start at
        # that offset inside it (its text agrees with the word's rest)
        self._inside: list[tuple[tuple[int, int, str], ...]] = []
        for k, word in present:
            inside: list[tuple[int, int, str]] = []
            for offset in range(len(word)):
                rest = word[offset:]
                inside.extend(
                    (k2, offset, other) for k2, other in present
                    if (offset or k2 != k) and (rest.startswith(other) or other.startswith(rest))
                )
            self._inside.append(tuple(inside))

    def occurrences(self, text: str) -> list[tuple[int, int]]:
        """(word index, start) of every occurrence, in no particular order; an empty word
        occurs at every position, as ``str.find`` finds it."""
        found: list[tuple[int, int]] = []
        if text.isascii():
            matches = (
                self._bytes_automaton.find_matches_as_indexes(text.encode("ascii"))
                if self._bytes_automaton is not None else []
            )
            positions = self._ascii_index
        else:
            matches = (
                self._automaton.find_matches_as_indexes(text) if self._automaton is not None
                else []
            )
            positions = self._all_positions
        if matches:
            index = self._index
            inside = self._inside
            for j, start, _end in matches:
                k = positions[j]
                found.append((index[k], start))
                for k2, offset, other in inside[k]:
                    if text.startswith(other, start + offset):
                        found.append((k2, start + offset))
        for k in self._empty:
            found.extend((k, i) for i in range(len(text) + 1))
        return found

    def any_in(self, text: str) -> bool:
        """True when one of the words occurs in ``text`` (``any(w in text for w in words)``)."""
        if self._empty:
            return True
        # the search reports a match whenever any word occurs
        if text.isascii():
            return self._bytes_automaton is not None and bool(
                self._bytes_automaton.find_matches_as_indexes(text.encode("ascii"))
            )
        return self._automaton is not None and bool(self._automaton.find_matches_as_indexes(text))


def light_text(value: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Any value to text for keyword scanning: HTML stripped, Unicode look-alikes folded.

    Unlike :func:`plain_text` it runs no regex over plain ASCII text, so it costs next to
    nothing on a typical description; control characters are left in place.
    """
    text = as_text(value, limit * 2)
    if not text:
        return ""
    text = strip_html(text)[:limit]
    if not text.isascii():
        text = fold_common(text)
    if "\r" in text:
        text = text.replace("\r", "\n")
    if "\\" in text:  # see clean_text
        text = literal_breaks(text)
    return text


@overload
def find_all(text: str, needles: Iterable[str]) -> list[int]: ...
@overload
def find_all(text: bytes, needles: Iterable[bytes]) -> list[int]: ...
def find_all(text: Any, needles: Iterable[Any]) -> list[int]:
    """Start of every occurrence of each needle in ``text``, needle by needle (overlaps
    included). ``str.find`` in a loop beats a regex alternation when the needles are rare."""
    found: list[int] = []
    for needle in needles:
        i = text.find(needle)
        while i != -1:
            found.append(i)
            i = text.find(needle, i + 1)
    return found
