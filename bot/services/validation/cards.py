"""Bank card numbers: the shape of one, and the Luhn checksum."""

from __future__ import annotations

import re

from bot.services.validation.text import ascii_digits


def luhn_valid(digits: str) -> bool:
    """The card number checksum; False for anything but ASCII digits."""
    if not digits or not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


_CARD_SHAPE = re.compile(r"\d(?:[ -]?\d){12,18}")


def card_digits(text: str) -> str | None:
    """The digits of something shaped like a card number (13-19 digits, spaces or dashes
    between them), else None: "P1234567" or a phone number is not a card.
    """
    text = ascii_digits(text)
    if not _CARD_SHAPE.fullmatch(text):
        return None
    return re.sub(r"[ -]", "", text)
