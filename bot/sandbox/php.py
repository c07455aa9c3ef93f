"""PHP behaviours of the real server that clients trip over, reproduced on purpose.

The exchanger is a WordPress plugin; how PHP reads ids, cleans input and encodes JSON leaks into
the API. Each helper names the quirk it copies (exchanger-api-facts.md section in brackets).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

_INTVAL = re.compile(r"\s*([+-]?\d+)")


def intval(raw: str | None) -> int:
    """PHP intval: "206abc" is 206 and junk is 0, which the server reads as "no filter" [§14.5]."""
    if not raw:
        return 0
    match = _INTVAL.match(raw)
    return int(match.group(1)) if match else 0


_TAGS = re.compile(r"<[^>]*>")
_BARE_AMPERSAND = re.compile(r"&(?!(?:amp|lt|gt|quot|#0?39);)")
_SQL_WORDS = (
    "select|insert|union|update|delete|replace|script|include|eval|concat|cookie|handler|truncate|"
    "base64|infile|outfile|loadfile|load_file|exec|system|passthru|shell_exec|proc_open"
)
_SQL_WORD = re.compile(rf"\b(?:{_SQL_WORDS})\b", re.IGNORECASE)
_HOMOGLYPHS = str.maketrans("aceopxACEOPX", "асеорхАСЕОРХ")


def _homoglyph(match: re.Match[str]) -> str:
    word = match.group(0)
    for index, char in enumerate(word):
        swapped = char.translate(_HOMOGLYPHS)
        if swapped != char:
            return word[:index] + swapped + word[index + 1 :]
    return word


def strip_input(value: str) -> str:
    """The server's input cleaner (pn_strip_input) [§8.1, §14.3].

    Tags go, "&" becomes "&amp;" (an existing "&amp;" is not doubled), and SQL-ish whole words get
    one Latin letter swapped for a Cyrillic look-alike, so "select" comes back as "sеlect".
    """
    text = _TAGS.sub("", value)
    text = _BARE_AMPERSAND.sub("&amp;", text)
    text = text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    text = text.replace("'", "&#039;")
    return _SQL_WORD.sub(_homoglyph, text).strip()


def restore_url(stored: str) -> str:
    """The callback sender turns the cleaner's "&amp;" back into "&" before posting [§14.1]."""
    return stored.replace("&amp;", "&")


def parse_cd(raw: str) -> dict[str, str]:
    """get_calc's `cd`: URL-decoded once more after form decoding, then parse_str [§1.14].

    parse_str decodes again, so a value survives only if the client encoded it twice.
    """
    decoded = unquote_plus(raw)
    return dict(parse_qsl(decoded, keep_blank_values=True))


def json_encode(payload: Any) -> str:
    """json_encode with JSON_UNESCAPED_UNICODE: raw Cyrillic, "/" escaped as "\\/" [§1.8].

    "/" can only occur inside JSON strings, so escaping it in the encoded text is exact.
    """
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("/", "\\/")


def php_array(pairs: list[tuple[str, Any]]) -> list[Any] | dict[str, Any]:
    """A PHP array becomes a JSON list only when its keys are exactly 0..n-1 [§3].

    That is why select options arrive as a list, or as an object when an option was skipped
    (a gap) or the keys are strings (the city module), and why empty maps arrive as `[]`.
    """
    if all(key == str(index) for index, (key, _) in enumerate(pairs)):
        return [value for _, value in pairs]
    return dict(pairs)


def escape_html(value: str) -> str:
    """Escape a value interpolated into operator HTML."""
    return html.escape(value, quote=True)
