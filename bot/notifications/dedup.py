"""Every dedup key of an outgoing message is made here: exactly-once rests on them.

A key names the fact being told, never the event that made the worker look: a replayed
callback, a reconciler round, a reclaimed entry or a worker restarted mid-way all render the
same fact with the same key, and the sender delivers a key once. `change` is the bid's count
of status changes handled so far (`BidRecord.changes`): a status that comes back
(payed -> verify -> payed) is a new fact, a replay is not.
"""

from __future__ import annotations


def status_push(bid_id: str, change: int, status: str, chat_id: int) -> str:
    """The customer's card pushed for a status (or, the first time, for the bid itself)."""
    return f"status:{bid_id}:{change}:{status}:{chat_id}"


def qr_push(bid_id: str, digest: str, chat_id: int) -> str:
    """A bid's QR photos: once per QR content, whatever the status."""
    return f"qr:{bid_id}:{digest}:{chat_id}"


def operator_card(bid_id: str, change: int, status: str, chat_id: int) -> str:
    """The operator chat's card for a new bid or a status change."""
    return f"op:{bid_id}:{change}:{status}:{chat_id}"


def not_created(api_id: str, chat_id: int) -> str:
    """The customer's notice that a confirmation whose outcome was unknown made no bid."""
    return f"absent:{api_id}:{chat_id}"
