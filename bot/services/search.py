"""Finding a currency by what the customer types.

The vendor's bot matches only a whole title, case-sensitively for Cyrillic (facts §10.3 step 1,
§10.6 gap 1). Here any part of a title or code matches, case-insensitively, ignoring spaces and
punctuation, and text typed on the wrong keyboard layout ("ишесщшт" for "bitcoin") is tried on
the other one too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.exchanger.models import Currency

MAX_QUERY_CHARS = 64

# The same keys on QWERTY and ЙЦУКЕН, including the punctuation keys that are letters in
# Russian ("[" is "х", "," is "б", "`" is "ё") and the "/" key that types "." there.
_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,./`QWERTYUIOP{}ASDFGHJKL:\"ZXCVBNM<>?~"
_CYRILLIC_KEYS = "йцукенгшщзхъфывапролджэячсмитьбю.ёЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,Ё"
_TO_CYRILLIC = str.maketrans(_LATIN_KEYS, _CYRILLIC_KEYS)
_TO_LATIN = str.maketrans(_CYRILLIC_KEYS, _LATIN_KEYS)

_WORD = re.compile(r"[^\W_]+")

# Ranks, best first.
_ALIAS, _EXACT, _TITLE_PREFIX, _WORD_PREFIX, _SUBSTRING = range(5)


def switch_layout(text: str) -> str:
    """The text as if typed with the other keyboard layout. The direction follows the script
    most of the letters are in: "ишесщшт" becomes "bitcoin" and "ыиук" becomes "sber", while
    "bitcoin" becomes "ишесщшт".
    """
    cyrillic = sum(1 for char in text if "а" <= char.lower() <= "я" or char in "ёЁ")
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    return text.translate(_TO_LATIN if cyrillic > latin else _TO_CYRILLIC)


@dataclass(frozen=True)
class _Key:
    """A text reduced for matching: casefolded words, and the same words run together so that
    "tbank" finds "T-Bank" and "bitcoinbtc" finds "Bitcoin BTC".
    """

    words: tuple[str, ...]

    @property
    def spaced(self) -> str:
        return " ".join(self.words)

    @property
    def compact(self) -> str:
        return "".join(self.words)


def _key(text: str) -> _Key:
    """NFKC and casefold (Cyrillic included); "ё" as "е", as Russians usually type it."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _Key(tuple(_WORD.findall(folded)))


def _rank(query: _Key, title: _Key) -> int | None:
    code = title.words[-1] if title.words else ""
    if query.compact in {code, title.compact}:
        return _EXACT
    if title.compact.startswith(query.compact):
        return _TITLE_PREFIX
    if f" {query.spaced}" in f" {title.spaced}":
        return _WORD_PREFIX
    if query.spaced in title.spaced or query.compact in title.compact:
        return _SUBSTRING
    return None


def _alias_targets(query: _Key, aliases: Mapping[str, str]) -> set[str]:
    """The compact keys of the titles or codes the whole query is an alias of."""
    return {_key(target).compact for alias, target in aliases.items() if _key(alias) == query}


def search_currencies(
    query: str, currencies: Sequence[Currency], aliases: Mapping[str, str] | None = None
) -> list[Currency]:
    """Currencies matching the query, best first: alias targets, then exact code or title,
    title prefix, word prefix, substring. Within a rank, what was typed as is comes before what
    matched only on the other keyboard layout, and otherwise the exchanger's order stays.
    """
    if len(query) > MAX_QUERY_CHARS:
        return []
    variants = [_key(query), _key(switch_layout(query))]
    variants = [
        key for index, key in enumerate(variants) if key.words and key not in variants[:index]
    ]
    if not variants:
        return []
    targets = [_alias_targets(key, aliases or {}) for key in variants]
    ranked: list[tuple[int, int, int, Currency]] = []
    for position, currency in enumerate(currencies):
        title = _key(currency.title)
        code = title.words[-1] if title.words else ""
        best: tuple[int, int] | None = None
        for layout, key in enumerate(variants):
            if title.compact in targets[layout] or code in targets[layout]:
                rank: int | None = _ALIAS
            else:
                rank = _rank(key, title)
            if rank is not None and (best is None or (rank, layout) < best):
                best = (rank, layout)
        if best is not None:
            ranked.append((*best, position, currency))
    ranked.sort(key=lambda item: item[:3])
    seen: set[str] = set()
    result: list[Currency] = []
    for *_, currency in ranked:
        if currency.id not in seen:
            seen.add(currency.id)
            result.append(currency)
    return result
