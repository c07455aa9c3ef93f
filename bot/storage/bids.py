"""The bot's memory of the bids it created: who owns which bid and what the chat last showed.

The exchanger is the source of truth about a bid (DESIGN.md §8); this record only lets the bot
list a customer's bids, refuse someone else's bid id, find the message to refresh, find the bid
for a confirmation's api_id, and tell the reconciler which bids may still change.

Layout (names in `RedisKeys`): one hash per bid (`bid`), a per-user sorted set of bid ids by
creation time (`user_bids`), an api_id -> bid id string (`bid_by_api_id`) and one sorted set of
bids not yet final (`open_bids`). Records and indexes expire `retention` after their last write.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError, model_validator
from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds

logger = logging.getLogger(__name__)


class Audience(StrEnum):
    """Who is shown a bid: the customer who owns it, or the operator chat."""

    CUSTOMER = "customer"
    OPERATOR = "operator"


class BidRecord(BaseModel):
    """What the bot keeps of one bid. `card_status` / `operator_status` are the statuses the
    customer and the operator chat have been shown (by a push, or in place as the answer to
    their own button): the notification worker pushes exactly when the exchanger's status
    differs from what an audience was shown."""

    bid_id: str
    bid_hash: str
    user_id: int
    chat_id: int
    locale: str
    direction_id: str
    api_id: str
    status: str
    status_title: str
    created_at: float
    updated_at: float
    card_message_id: int | None = None  # the customer's live card: the one with buttons
    card_status: str | None = None  # None: the customer has not seen the bid yet (adopted)
    operator_message_id: int | None = None  # the operator chat's live card of the bid
    operator_status: str | None = None  # None: the operator chat has not heard of it yet
    # How many status changes the worker has told: part of the dedup keys of the messages about
    # the next one, so a status seen twice (payed -> verify -> payed) is told twice, a replay
    # never (bot/notifications/dedup.py).
    changes: int = 0
    # Redis time when the last bid_info read of the bid began: an event received before it is
    # answered by that read (see bot/notifications/schedule.py).
    checked_at: float | None = None
    # Display snapshot for lists: currency codes and amounts as strings (Decimal-safe).
    currency_give: str = ""
    currency_get: str = ""
    amount_give: str = ""
    amount_get: str = ""
    # A digest of the QR (payment address or URI) the customer was sent: when a placeholder
    # becomes a real address, the QR goes out once (refresh or push), never again for the same
    # one. None for records made before QRs were tracked: they get none unasked.
    qr_digest: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_older_versions(cls, values: Any) -> Any:
        """Records written before per-audience statuses kept one `last_notified_status`."""
        if isinstance(values, dict) and "last_notified_status" in values:
            values = dict(values)
            legacy = values.pop("last_notified_status")
            values.setdefault("card_status", legacy)
            values.setdefault("operator_status", legacy)
        return values


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _to_hash(record: BidRecord) -> dict[FieldT, EncodableT]:
    # str() of a float is its shortest round-tripping repr; None is stored as an absent field.
    return {name: str(value) for name, value in record.model_dump().items() if value is not None}


def _from_hash(raw: Mapping[bytes | str, bytes | str]) -> BidRecord | None:
    if not raw:
        return None
    fields = {_text(name): _text(value) for name, value in raw.items()}
    try:
        return BidRecord.model_validate(fields)
    except ValidationError:
        # A record the current code cannot read (damaged, or from an incompatible version) is
        # treated as forgotten: the exchanger still knows the bid.
        logger.warning("Unreadable bid record %s ignored", fields.get("bid_id", "?"))
        return None


def _pairs(flat: Sequence[bytes]) -> dict[bytes | str, bytes | str]:
    """HGETALL from a Lua script arrives as [field, value, field, value, ...]."""
    return dict(zip(flat[0::2], flat[1::2], strict=True))


# Field updates touch only an existing record: updating a bid that expired (or was never saved)
# must not leave a half record behind.
_UPDATE_IF_EXISTS = """
if redis.call('EXISTS', KEYS[1]) == 0 then
    return false
end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return redis.call('HGETALL', KEYS[1])
"""
# Swap in the message now showing an audience's live card; the one it replaces is returned so
# its buttons can be taken away (only the newest card is live).
_SHOW_CARD = """
if redis.call('EXISTS', KEYS[1]) == 0 then
    return false
end
local previous = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
if previous == ARGV[2] then
    return false
end
return previous
"""
# A record is created once: of two processes adopting the same bid, one writes it and tells
# the customer, the other finds it written (and stays silent).
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
if ARGV[4] ~= '' then
    redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[1])
end
if ARGV[5] == '1' then
    redis.call('ZADD', KEYS[4], ARGV[3], ARGV[2])
end
return 1
"""
_TOLD = """
if redis.call('EXISTS', KEYS[1]) == 0 then
    return 0
end
if #ARGV > 1 then
    redis.call('HSET', KEYS[1], unpack(ARGV, 2))
end
if ARGV[1] == '1' then
    redis.call('HINCRBY', KEYS[1], 'changes', 1)
end
return 1
"""
_MARK_CHECKED = """
if redis.call('EXISTS', KEYS[1]) == 0 then
    return false
end
local time = redis.call('TIME')
local now = time[1] .. '.' .. string.format('%06d', tonumber(time[2]))
redis.call('HSET', KEYS[1], 'checked_at', now)
return now
"""

_CLAIM_QR = """
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'qr_digest') == ARGV[1] then
    return 0
end
redis.call('HSET', KEYS[1], 'qr_digest', ARGV[1])
return 1
"""


class BidRepository:
    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        *,
        retention: timedelta = timedelta(days=90),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._retention = retention
        self._ttl_ms = milliseconds(retention.total_seconds())
        self._clock = clock

    async def create(self, record: BidRecord) -> bool:
        """Write a new record and its indexes, unless one exists already; True if written."""
        written = await self._redis.eval(  # type: ignore[misc]
            _CREATE,
            4,
            self._keys.bid(record.bid_id),
            self._keys.user_bids(record.user_id),
            self._keys.bid_by_api_id(record.api_id) if record.api_id else self._keys.bid("-"),
            self._keys.open_bids,
            self._ttl_ms,
            record.bid_id,
            repr(record.created_at),
            record.api_id,
            "1",
            *[item for pair in _to_hash(record).items() for item in pair],
        )
        return bool(written)

    async def get(self, bid_id: str) -> BidRecord | None:
        return _from_hash(await self._redis.hgetall(self._keys.bid(bid_id)))  # type: ignore[misc]

    async def get_owned(self, bid_id: str, user_id: int) -> BidRecord | None:
        """The record only if `user_id` created it: a bid id in a command may be anyone's."""
        record = await self.get(bid_id)
        return record if record is not None and record.user_id == user_id else None

    async def find_by_api_id(self, api_id: str) -> BidRecord | None:
        bid_id = await self._redis.get(self._keys.bid_by_api_id(api_id))
        return None if bid_id is None else await self.get(_text(bid_id))

    async def list_for_user(
        self, user_id: int, offset: int = 0, limit: int = 10
    ) -> list[BidRecord]:
        """A page of the user's bids, newest first."""
        if limit <= 0:
            return []
        await self._forget_expired(user_id)
        bid_ids = await self._redis.zrevrange(
            self._keys.user_bids(user_id), offset, offset + limit - 1
        )
        records = await self._get_many(_text(bid_id) for bid_id in bid_ids)
        return [record for record in records if record is not None]

    async def count_for_user(self, user_id: int) -> int:
        await self._forget_expired(user_id)
        count: int = await self._redis.zcard(self._keys.user_bids(user_id))
        return count

    async def update_status(self, bid_id: str, status: str, status_title: str) -> BidRecord | None:
        """Store the status the exchanger reported; None if the bot has no record of the bid."""
        return await self._update(
            bid_id, status=status, status_title=status_title, updated_at=str(self._clock())
        )

    async def mark_told(
        self,
        bid_id: str,
        *,
        card_status: str | None = None,
        operator_status: str | None = None,
        count_change: bool = False,
    ) -> bool:
        """The audiences named have been told of these statuses (their messages are shown or
        queued); `count_change` moves the change counter on, in the same step, so a crash
        can never leave a told status with an old counter or the reverse. False: no record."""
        pairs: list[str] = []
        for name, value in (("card_status", card_status), ("operator_status", operator_status)):
            if value is not None:
                pairs += [name, value]
        told = await self._redis.eval(  # type: ignore[misc]
            _TOLD, 1, self._keys.bid(bid_id), "1" if count_change else "0", *pairs
        )
        return bool(told)

    async def show(
        self, bid_id: str, audience: Audience, message_id: int, status: str
    ) -> int | None:
        """The audience's live card is now `message_id`, showing `status`; returns the message
        that was the live card before (to take its buttons away), None if none or the same."""
        id_field, status_field = (
            ("card_message_id", "card_status")
            if audience is Audience.CUSTOMER
            else ("operator_message_id", "operator_status")
        )
        previous = await self._redis.eval(  # type: ignore[misc]
            _SHOW_CARD, 1, self._keys.bid(bid_id), id_field, message_id, status_field, status
        )
        return None if previous is None else int(_text(previous))

    async def claim_qr(self, bid_id: str, digest: str) -> bool:
        """True once per QR content (`digest`) of a bid: the caller then sends that QR. Atomic,
        so two instances refreshing at once send it once."""
        claimed = await self._redis.eval(  # type: ignore[misc]
            _CLAIM_QR, 1, self._keys.bid(bid_id), digest
        )
        return bool(claimed)

    async def mark_checked(self, bid_id: str) -> float | None:
        """Note (in Redis time) that a bid_info read of the bid begins now; None: no record."""
        stamp = await self._redis.eval(_MARK_CHECKED, 1, self._keys.bid(bid_id))  # type: ignore[misc]
        return None if stamp is None else float(_text(stamp))

    async def open_bids(self) -> list[str]:
        """Ids of bids not yet marked final, oldest first, for the reconciler to re-check.

        Bids whose record has expired are dropped from the index on the way.
        """
        candidates = [
            _text(bid_id) for bid_id in await self._redis.zrange(self._keys.open_bids, 0, -1)
        ]
        alive = await self._alive(candidates)
        gone = [bid_id for bid_id, exists in zip(candidates, alive, strict=True) if not exists]
        if gone:
            await self._redis.zrem(self._keys.open_bids, *gone)
        return [bid_id for bid_id, exists in zip(candidates, alive, strict=True) if exists]

    async def mark_final(self, bid_id: str) -> None:
        """The bid will not change any more (the caller decides): the reconciler stops asking."""
        await self._redis.zrem(self._keys.open_bids, bid_id)

    async def _update(self, bid_id: str, **fields: str) -> BidRecord | None:
        args = [item for pair in fields.items() for item in pair]
        flat = await self._redis.eval(  # type: ignore[misc]
            _UPDATE_IF_EXISTS, 1, self._keys.bid(bid_id), self._ttl_ms, *args
        )
        return None if flat is None else _from_hash(_pairs(flat))

    async def _get_many(self, bid_ids: Iterable[str]) -> list[BidRecord | None]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for bid_id in bid_ids:
                pipe.hgetall(self._keys.bid(bid_id))
            raws: list[dict[bytes | str, bytes | str]] = await pipe.execute()
        return [_from_hash(raw) for raw in raws]

    async def _alive(self, bid_ids: Sequence[str]) -> list[bool]:
        if not bid_ids:
            return []
        async with self._redis.pipeline(transaction=False) as pipe:
            for bid_id in bid_ids:
                pipe.exists(self._keys.bid(bid_id))
            counts: list[int] = await pipe.execute()
        return [count > 0 for count in counts]

    async def _forget_expired(self, user_id: int) -> None:
        """Drop index entries whose record has expired.

        A record lives at least `retention` after its creation (every write restarts its TTL),
        so only entries created before that can be stale: only those are checked.
        """
        key = self._keys.user_bids(user_id)
        cutoff = self._clock() - self._retention.total_seconds()
        candidates = [
            _text(bid_id) for bid_id in await self._redis.zrangebyscore(key, "-inf", cutoff)
        ]
        alive = await self._alive(candidates)
        gone = [bid_id for bid_id, exists in zip(candidates, alive, strict=True) if not exists]
        if gone:
            await self._redis.zrem(key, *gone)
