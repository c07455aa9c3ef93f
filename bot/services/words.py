"""The vendor's "Words" table (facts §10.1.6) for typed amounts and answers, kept safe.

The vendor's module replaces an incoming text that equals an "enter word" with its "replace
word" before anything else. Here the content file's `[aliases]` already feed the currency search
(bot/services/search.py); this applies the same table to a typed amount and to a typed answer to
a direction field (name, e-mail, comment), and nowhere else: account fields (cards, wallets,
addresses) are never rewritten, and neither is any text that holds a digit, so a card number,
an address or an amount the customer typed reaches the exchanger as typed.
"""

from __future__ import annotations

from collections.abc import Mapping


def substitute_words(text: str, aliases: Mapping[str, str]) -> str:
    """`text` replaced by its alias when the whole text (trimmed, any case) is an alias key."""
    typed = text.strip().casefold()
    if not typed or any(char.isdigit() for char in typed):
        return text
    for word, replacement in aliases.items():
        if word.strip().casefold() == typed:
            return replacement
    return text
