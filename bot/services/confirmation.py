"""What one Confirm press asks for: who the customer is, the order, and its api_id."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from bot.exchanger import CalcAction


def new_api_id() -> str:
    """Unique per confirmation; plain characters so the server stores it unchanged (§8.1)."""
    return f"tg-{secrets.token_hex(8)}"


@dataclass(frozen=True)
class Customer:
    user_id: int
    chat_id: int
    locale: str
    lang: str  # API-LANG


@dataclass(frozen=True)
class BidOrder:
    api_id: str
    direction_id: str
    amount: Decimal
    action: CalcAction
    fields: Mapping[str, str]
