"""HTML to plain text for descriptions: what a reader sees, paragraphs kept, markup gone."""

from __future__ import annotations

import html
import re

from lxml import html as lxml_html
from lxml.etree import ParserError

_BLOCK_TAGS = {
    "p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "dl", "hr",
}
_LINE_TAGS = {"br", "li", "tr", "dd", "dt"}
_DROP_TAGS = ("script", "style", "noscript", "template", "svg")
_LOOKS_ESCAPED = re.compile(r"&lt;\s*/?\s*[a-zA-Z][^&]{0,40}&gt;")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u200b]+")
_MANY_NEWLINES = re.compile(r"\n\s*\n+")
_HTML_WHITESPACE = re.compile(r"[ \t\r\n\f]+")


_ESCAPES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#39;", "'"), ("&#x27;", "'"),
            ("&amp;", "&"))
_OTHER_ENTITY = re.compile(r"&(?!(?:lt|gt|quot|#39|#x27|amp);)")


def unescape(text: str) -> str:
    """``html.unescape``, without its per-entity Python call when the text holds only the
    entities escaping writes (``&amp;`` last: one level is undone, as html.unescape does)."""
    if "&" not in text:
        return text
    if _OTHER_ENTITY.search(text):
        return html.unescape(text)
    for entity, character in _ESCAPES:
        text = text.replace(entity, character)
    return text


def unescape_markup(text: str) -> str:
    """Undo the entity-escaping some platforms apply once or twice (Greenhouse ``content``)."""
    for _ in range(3):
        if not _LOOKS_ESCAPED.search(text):
            break
        text = unescape(text)
    return text


def html_to_text(markup: str | None) -> str | None:
    """Plain text with one blank line between blocks and list items on their own lines."""
    if markup is None:
        return None
    source = unescape_markup(str(markup))
    # Some pages ship literal backslash-n sequences inside JSON strings that were escaped twice.
    source = source.replace("\\r\\n", "\n").replace("\\n", "\n")
    if "<" not in source:
        return _tidy(unescape(source)) or None
    try:
        root = lxml_html.fragment_fromstring(source, create_parent="div")
    except (ParserError, ValueError):
        return _tidy(html.unescape(re.sub(r"<[^>]*>", " ", source))) or None
    for bad in root.iter(*_DROP_TAGS):
        bad.drop_tree()
    pieces: list[str] = []
    _walk(root, pieces)
    return _tidy("".join(pieces)) or None


def _walk(element: lxml_html.HtmlElement, out: list[str], pre: bool = False) -> None:
    """Whitespace in HTML text is one space (except in <pre>); line breaks come from tags."""
    tag = element.tag if isinstance(element.tag, str) else ""
    pre = pre or tag == "pre"
    block = tag in _BLOCK_TAGS
    out.append("\n\n" if block else "\n" if tag in _LINE_TAGS else "")
    if tag == "li":
        out.append("- ")
    if element.text and tag:
        out.append(element.text if pre else _HTML_WHITESPACE.sub(" ", element.text))
    for child in element:
        _walk(child, out, pre)
        if child.tail:
            out.append(child.tail if pre else _HTML_WHITESPACE.sub(" ", child.tail))
    if block:
        out.append("\n\n")


_BARE_BULLET = re.compile(r"(?m)^-\n(?:\n)*")


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    # <li><p>text</p></li> puts the paragraph break between the bullet and its text.
    joined = _BARE_BULLET.sub("- ", "\n".join(lines))
    return _MANY_NEWLINES.sub("\n\n", joined).strip()
