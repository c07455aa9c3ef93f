"""Numbers and short labels as the customer reads them.

Amounts are `Decimal` from end to end (STYLE.md); here they become text once, without an
exponent ("1E+3" is what `str(Decimal("1000").normalize())` gives) and without float rounding.
"""

from __future__ import annotations

from decimal import Decimal

from bot.exchanger.statuses import StatusGroup
from bot.services.amounts import format_amount as format_amount  # one rule for all screens

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


def status_emoji(group: StatusGroup) -> str:
    return STATUS_EMOJI[group]
