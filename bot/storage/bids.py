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

from pydantic import BaseModel, ValidationError
from redis.asyncio import Redis
from redis.typing import EncodableT, FieldT

from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds

logger = logging.getLogger(__name__)


class BidRecord(BaseModel):
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
    card_message_id: int | None = None  # the chat message showing the bid card
    last_notified_status: str | None = None
    # Display snapshot for lists: currency codes and amounts as strings (Decimal-safe).
    currency_give: str = ""
    currency_get: str = ""
    amount_give: str = ""
    amount_get: str = ""


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
_MARK_NOTIFIED = """
if redis.call('EXISTS', KEYS[1]) == 0 then
    return 0
end
if redis.call('HGET', KEYS[1], 'last_notified_status') == ARGV[1] then
    return 0
end
redis.call('HSET', KEYS[1], 'last_notified_status', ARGV[1])
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

    async def save(self, record: BidRecord) -> None:
        """Write the whole record and its indexes; a bid saved the first time counts as open.

        Only the first save opens a bid, so saving a record again after `mark_final` does not
        send the reconciler back to a finished bid.
        """
        key = self._keys.bid(record.bid_id)
        is_new = not await self._redis.exists(key)
        user_bids = self._keys.user_bids(record.user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            pipe.hset(key, mapping=_to_hash(record))
            pipe.pexpire(key, self._ttl_ms)
            pipe.zadd(user_bids, {record.bid_id: record.created_at})
            pipe.pexpire(user_bids, self._ttl_ms)
            if record.api_id:
                pipe.set(self._keys.bid_by_api_id(record.api_id), record.bid_id, px=self._ttl_ms)
            if is_new:
                pipe.zadd(self._keys.open_bids, {record.bid_id: record.created_at})
            await pipe.execute()

    async def get(self, bid_id: str) -> BidRecord | None:
        return _from_hash(await self._redis.hgetall(self._keys.bid(bid_id)))

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

    async def set_card_message(self, bid_id: str, message_id: int) -> BidRecord | None:
        """Remember which chat message shows the bid card, to edit it on the next change."""
        return await self._update(bid_id, card_message_id=str(message_id))

    async def mark_notified(self, bid_id: str, status: str) -> bool:
        """Claim the customer's message about `status`: True for the first caller only.

        Duplicate and out-of-order callbacks, the reconciler and several workers may all see
        the same status change; whoever gets True sends the message, the others stay silent.
        """
        claimed = await self._redis.eval(_MARK_NOTIFIED, 1, self._keys.bid(bid_id), status)
        return bool(claimed)

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
        flat = await self._redis.eval(
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
