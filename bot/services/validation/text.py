"""Text hygiene shared by every field: invisible marks, direction controls, control characters,
line breaks and non-ASCII digits."""

from __future__ import annotations

import re
import unicodedata

from bot.services.validation.problems import FieldProblem, FieldValueError

# Invisible characters that copy-paste leaves behind and that mean nothing in an account,
# card, address, e-mail or phone: zero-width space and joiners, word joiner, BOM, direction
# marks, soft hyphen. Free text keeps the joiners and marks (emoji sequences, Persian spelling,
# Hebrew and Arabic names) and loses only the first four of them.
INVISIBLE_MARKS = frozenset("\u200b\u2060\ufeff\u00ad\u200c\u200d\u200e\u200f\u061c")
_INVISIBLE_IN_TEXT = frozenset("\u200b\u2060\ufeff\u00ad")
# Embeddings, overrides and isolates reorder what the operator sees in the admin panel: an
# address typed with U+202E shows reversed. Refused everywhere.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_SEPARATORS = re.compile("\r\n|[\r\u2028\u2029\x85]")


def clean_text(value: str, *, multiline: bool, machine: bool) -> str:
    """NFC; no control characters; single lines with inner whitespace collapsed. Invisible
    marks go before composing: one left between a letter and its accent would keep them apart.
    """
    dropped = INVISIBLE_MARKS if machine else _INVISIBLE_IN_TEXT
    text = "".join(char for char in value if char not in dropped)
    text = unicodedata.normalize("NFC", text)
    text = _LINE_SEPARATORS.sub("\n", text)
    for char in text:
        if char in BIDI_CONTROLS or _is_control(char):
            raise FieldValueError(
                FieldProblem.CONTROL_CHARACTERS, {"codepoint": f"U+{ord(char):04X}"}
            )
    if multiline:
        return text.replace("\t", " ").strip()
    return " ".join(text.split())


def _is_control(char: str) -> bool:
    """NUL and friends, and lone surrogates (which would break the UTF-8 form body). Tabs and
    line breaks are whitespace: kept in a textarea, collapsed into spaces in a single line.
    """
    return char not in "\t\n" and unicodedata.category(char) in {"Cc", "Cs"}


def without_invisibles(text: str) -> str:
    return "".join(char for char in text if char not in INVISIBLE_MARKS)


def ascii_digits(text: str) -> str:
    """Arabic-Indic, fullwidth and other decimal digits as ASCII; other characters kept."""
    return "".join(_ascii_digit(char) for char in text)


def _ascii_digit(char: str) -> str:
    value = unicodedata.decimal(char, None)
    return char if value is None else str(value)
