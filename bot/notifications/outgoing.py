"""A message waiting to be sent to Telegram: what the worker hands the paced sender.

It is plain data (JSON in a Redis stream), rendered already in the recipient's language, so a
restart between rendering and sending loses nothing and changes nothing. Notifications are
always new messages, never edits: an edit does not notify the phone (DESIGN.md §6).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from bot.storage.bids import Audience


class CardRef(BaseModel):
    """The message is a bid's card for an audience: once sent it is the live card, and the
    card it replaces loses its buttons."""

    bid_id: str
    audience: Audience
    status: str


class OutgoingMessage(BaseModel):
    chat_id: int
    text: str  # Telegram HTML, at most 4096 characters
    reply_markup: dict[str, Any] | None = None  # InlineKeyboardMarkup.model_dump(exclude_none)
    # Delivered at most once per key, and at least once (bot/notifications/dedup.py says how
    # keys are made, bot/notifications/gate.py how they are kept).
    dedup_key: str
    card: CardRef | None = None
    # Base64 of a PNG (a payment QR): sent as a photo with `text` as its caption (at most 1024
    # characters).
    photo: str | None = None

    def photo_png(self) -> bytes | None:
        return None if self.photo is None else base64.b64decode(self.photo)


@dataclass(frozen=True)
class QrPush:
    """The QR photos of a bid to push, and the digest that marks them sent
    (BidRecord.qr_digest)."""

    digest: str
    photos: list[OutgoingMessage]
