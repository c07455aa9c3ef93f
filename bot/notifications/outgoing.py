"""A message waiting to be sent to Telegram: what the worker hands the paced sender.

It is plain data (JSON in a Redis stream), rendered already in the recipient's language, so a
restart between rendering and sending loses nothing and changes nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class OutgoingMessage(BaseModel):
    chat_id: int
    text: str  # Telegram HTML, at most 4096 characters
    reply_markup: dict[str, Any] | None = None  # InlineKeyboardMarkup.model_dump(exclude_none)
    # Edit this message in place when possible (the customer's bid card is the last message);
    # when the edit fails (too old, deleted) a new message is sent instead.
    edit_message_id: int | None = None
    # Sent at most once per key: a replayed event or a reclaimed stream entry enqueues the same
    # key again, and only the first is delivered (e.g. "status:1053:payed:100001").
    dedup_key: str
    # After a new message is sent for a bid card, the bid record learns its message id.
    bid_card_of: str | None = None
