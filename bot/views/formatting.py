"""Numbers and short labels as the customer reads them.

Amounts are `Decimal` from end to end (STYLE.md); here they become text once, without an
exponent ("1E+3" is what `str(Decimal("1000").normalize())` gives) and without float rounding.
"""

from __future__ import annotations

from decimal import Decimal

from bot.services.statuses import StatusGroup

# Digits are grouped from five upwards: "3000" reads fine, "25430.12" does not.
_GROUP_FROM = Decimal(10000)

STATUS_EMOJI: dict[StatusGroup, str] = {
    StatusGroup.WAITING_PAYMENT: "⏳",
    StatusGroup.IN_PROGRESS: "🔄",
    StatusGroup.NEEDS_SUPPORT: "⚠️",
    StatusGroup.DONE: "✅",
    StatusGroup.CANCELLED: "❌",
}


def plain_amount(amount: Decimal) -> str:
    """Digits only, trailing zeros trimmed: what a wallet or a bank form accepts when pasted."""
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {amount}")
    if amount == 0:
        return "0"
    text = format(amount.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_amount(amount: Decimal) -> str:
    """For reading: like `plain_amount`, with the integer part grouped by spaces from 10 000."""
    text = plain_amount(amount)
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    whole, dot, fraction = text.partition(".")
    if abs(amount) >= _GROUP_FROM:
        groups: list[str] = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = " ".join([whole, *groups])
    return f"{sign}{whole}{dot}{fraction}"


def utf16_len(text: str) -> int:
    """Telegram counts every limit (4096 per message, 200 per alert) in UTF-16 code units, so an
    emoji outside the BMP counts twice.
    """
    return len(text.encode("utf-16-le")) // 2


def status_emoji(group: StatusGroup) -> str:
    return STATUS_EMOJI[group]
