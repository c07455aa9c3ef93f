"""Personal values shown partly hidden: enough to recognise one's own card, not to copy it.

Used wherever the chat repeats a requisite back (the summary before Confirm, saved values
offered as buttons, the profile), because chats are screenshotted, forwarded and read over
shoulders (DESIGN.md §5: "personal data partly masked").

The number of dots is fixed, not one per hidden character, so the mask does not give away
the length either.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# What people type between the digits of a card or phone number.
_SEPARATORS = re.compile(r"[\s\-().]")
_DIGITS = re.compile(r"[0-9]+")

CARD_DIGITS = range(12, 20)  # Maestro has 12, most cards 16, some 19
PHONE_DIGITS = range(7, 16)  # E.164 allows at most 15
LOCAL_PHONE_DIGITS = range(10, 12)  # 9161234567, 89161234567: phone numbers typed without "+"


def mask_value(value: str) -> str:
    text = " ".join(value.split())
    if len(text) <= 4:
        return "••••"
    if _EMAIL.fullmatch(text):
        local, domain = text.rsplit("@", 1)
        return f"{local[0]}•••@{domain}"
    compact = _SEPARATORS.sub("", text)
    if (
        compact.startswith("+")
        and _DIGITS.fullmatch(compact[1:])
        and len(compact) - 1 in PHONE_DIGITS
    ):
        return f"+{compact[1]}•••••••{compact[-2:]}"
    if _DIGITS.fullmatch(compact):
        if len(compact) in CARD_DIGITS:
            return f"{compact[:4]} •••• {compact[-4:]}"
        if len(compact) in LOCAL_PHONE_DIGITS:
            return f"{compact[0]}•••••••{compact[-2:]}"
    if len(text) > 12:  # wallets, IBANs, account numbers, names: the ends are what people check
        return f"{text[:6]}…{text[-4:]}"
    return f"{text[0]}•••{text[-1]}"
