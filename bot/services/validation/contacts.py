"""E-mail addresses and phone numbers, normalised the way the exchanger stores them."""

from __future__ import annotations

import re

from bot.services.validation.problems import FieldProblem, FieldValueError
from bot.services.validation.text import ascii_digits

_EMAIL = re.compile(
    r"(?P<local>[^\s@\"(),:;<>\[\]\\]{1,64})@"
    r"(?P<domain>(?:[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?\.)+(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59}))"
)


def check_email(text: str) -> str:
    """Trimmed, domain lowercased; the local part is left alone (it may be case-sensitive)."""
    match = _EMAIL.fullmatch(text)
    if match is None or len(text) > 254:
        raise FieldValueError(FieldProblem.BAD_EMAIL)
    return f"{match['local']}@{match['domain'].lower()}"


_PHONE_SHAPE = re.compile(r"\+?[\d ().-]+")


def check_phone(text: str) -> str:
    """ "+7 (912) 345-67-89" becomes "+79123456789"; a leading "+" stays only if typed."""
    text = ascii_digits(text)
    if not _PHONE_SHAPE.fullmatch(text):
        raise FieldValueError(FieldProblem.BAD_PHONE)
    digits = re.sub(r"\D", "", text)
    if not 7 <= len(digits) <= 15:
        raise FieldValueError(FieldProblem.BAD_PHONE)
    return ("+" if text.startswith("+") else "") + digits
