"""Pages served with status 200 that are not the page asked for: a login wall or an access-denied
notice. Platform bases call :func:`wall_kind` when the data they expected (embedded JSON, a JSON
body) is missing, so the problem is counted as ``login_wall`` or ``access_denied`` instead of a
vague parse error, and the board's run is failed or partial, never complete.
"""

from __future__ import annotations

import re

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h[12][^>]*>(.*?)</h[12]>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_DENIED = re.compile(
    r"access denied|access is denied|forbidden|request (was )?(blocked|rejected)|you have been "
    r"blocked|not authori[sz]ed|unauthori[sz]ed|permission denied|don't have permission|"
    r"do not have permission|attention required|are you a robot|verify you are human|captcha",
    re.IGNORECASE,
)
_LOGIN = re.compile(r"\b(log ?in|sign ?in|login required|session (has )?expired)\b", re.IGNORECASE)
_PASSWORD_INPUT = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)


def _headline(text: str) -> str:
    parts = [m.group(1) for m in _TITLE.finditer(text[:20000])]
    parts += [m.group(1) for m in _HEADING.finditer(text[:20000])]
    return " ".join(_TAGS.sub(" ", p) for p in parts)


def wall_kind(text: str | None) -> str | None:
    """``access_denied``, ``login_wall`` or None for a page that shows neither."""
    if not text:
        return None
    headline = _headline(text)
    if _DENIED.search(headline):
        return "access_denied"
    if _PASSWORD_INPUT.search(text) or _LOGIN.search(headline):
        return "login_wall"
    return None
