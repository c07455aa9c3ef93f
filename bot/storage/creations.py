"""The ledger of bid creations: one entry per confirmation (api_id), durable in Redis.

create_bid is the one call whose outcome can be unknown: it may time out after the exchanger
created the bid (facts §4.7, §14.6). The ledger makes "one bid per confirmation" hold across
presses, processes and restarts:

- `creating`: one caller holds a lease for the attempt. Everyone else is told to wait. A lease
  that ran out means its holder died mid-call, so the request may have been sent: the entry
  becomes `uncertain`, never "free to create again".
- `uncertain`: the outcome is unknown. Only a lookup by api_id settles it: a bid found makes it
  `created` (the bid is adopted); a lookup that succeeds, finds nothing and is made after
  `settle_at` (when no request of ours can still be on its way) makes it `absent`. A failed
  lookup settles nothing. The entry is in the `creations_open` index, due for the resolver.
- `created` (with the bid id) and `absent` are final.

Times are Redis's own (TIME), so several bot processes agree on leases whatever their clocks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds
from bot.storage.redis import LUA_NOW, as_text

# Long enough to answer every later press of the same Confirm, and a late callback of a bid
# that appeared after all; short enough that the ledger does not grow without end.
RETENTION = timedelta(days=7)


class CreationState(StrEnum):
    CREATING = "creating"
    UNCERTAIN = "uncertain"
    CREATED = "created"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class CreationClaim:
    """Who the bid is for: enough to adopt it, and to tell the customer, without the chat."""

    user_id: int
    chat_id: int
    locale: str
    lang: str
    direction_id: str


@dataclass(frozen=True, slots=True)
class CreationEntry:
    api_id: str
    state: CreationState
    claim: CreationClaim
    started_at: float
    settle_at: float
    bid_id: str | None
    cancelled: bool  # the customer left the "cannot tell yet" screen with Cancel
    failed_checks: int


# An attempt whose lease ran out: its holder died, maybe after sending create_bid. Shared by
# begin and take_over. Leaves `state` holding the current state.
_EXPIRE_LEASE = """
if state == 'creating' then
    local lease_until = tonumber(redis.call('HGET', KEYS[1], 'lease_until'))
    if lease_until > now then
        redis.call('ZADD', KEYS[2], lease_until, ARGV[1])
    else
        state = 'uncertain'
        redis.call('HSET', KEYS[1], 'state', state)
        redis.call('ZADD', KEYS[2], now, ARGV[1])
    end
end
"""
# KEYS: entry, open index. ARGV: api_id, lease s, settle s, retention ms, then field pairs.
# A new attempt is also put in the open index, due when its lease ends: if its holder dies,
# the resolver takes over then.
_BEGIN = (
    LUA_NOW
    + """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
    local lease_until = now + tonumber(ARGV[2])
    redis.call('HSET', KEYS[1], 'state', 'creating', 'started_at', now,
        'lease_until', lease_until, 'settle_at', now + tonumber(ARGV[3]), unpack(ARGV, 5))
    redis.call('PEXPIRE', KEYS[1], ARGV[4])
    redis.call('ZADD', KEYS[2], lease_until, ARGV[1])
    return {'started', ''}
end
"""
    + _EXPIRE_LEASE
    + """
return {state, redis.call('HGET', KEYS[1], 'bid_id') or ''}
"""
)
# KEYS: entry, open index. ARGV: api_id. The state after expiring a dead holder's lease.
_TAKE_OVER = (
    LUA_NOW
    + """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
    redis.call('ZREM', KEYS[2], ARGV[1])
    return false
end
"""
    + _EXPIRE_LEASE
    + """
return state
"""
)
# KEYS: entry, open index. ARGV: api_id, seconds until the first check.
_UNCERTAIN = (
    LUA_NOW
    + """
if redis.call('HGET', KEYS[1], 'state') ~= 'creating' then
    return 0
end
redis.call('HSET', KEYS[1], 'state', 'uncertain')
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return 1
"""
)
# KEYS: entry, open index. ARGV: api_id, bid id.
_CREATED = """
if redis.call('EXISTS', KEYS[1]) == 0 then
    return 0
end
redis.call('HSET', KEYS[1], 'state', 'created', 'bid_id', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""


def _closing(expected: str, change: str) -> str:
    """A script that applies `change` to an entry in the `expected` state and takes it out of
    the open index (1), or leaves an entry in any other state alone (0).
    KEYS: entry, open index. ARGV: api_id."""
    return f"""
if redis.call('HGET', KEYS[1], 'state') ~= '{expected}' then
    return 0
end
{change}
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""


_ABSENT = _closing("uncertain", "redis.call('HSET', KEYS[1], 'state', 'absent')")
# Only an attempt still under its lease is released.
_RELEASE = _closing("creating", "redis.call('DEL', KEYS[1])")
# KEYS: open index. ARGV: how many. Entries due now, by Redis time.
_DUE = (
    LUA_NOW
    + """
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
"""
)
# KEYS: entry, open index. ARGV: api_id, seconds from now, 1 when a lookup failed.
_RESCHEDULE = (
    LUA_NOW
    + """
if redis.call('HGET', KEYS[1], 'state') ~= 'uncertain' then
    redis.call('ZREM', KEYS[2], ARGV[1])
    return 0
end
if ARGV[3] == '1' then
    redis.call('HINCRBY', KEYS[1], 'failed_checks', 1)
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
return 1
"""
)


class CreationLedger:
    def __init__(self, redis: Redis, keys: RedisKeys, *, retention: timedelta = RETENTION) -> None:
        self._redis = redis
        self._keys = keys
        self._retention_ms = milliseconds(retention.total_seconds())

    def _pair(self, api_id: str) -> list[str]:
        return [self._keys.bid_creation(api_id), self._keys.creations_open]

    async def begin(
        self, api_id: str, claim: CreationClaim, *, lease: float, settle: float
    ) -> tuple[CreationState | None, str | None]:
        """Start an attempt: (None, None) when the caller may call create_bid now (it holds the
        lease for `lease` seconds); otherwise the state found, and the bid id when created.
        A lookup that finds nothing is conclusive only `settle` seconds after this start."""
        fields = {
            "user_id": claim.user_id,
            "chat_id": claim.chat_id,
            "locale": claim.locale,
            "lang": claim.lang,
            "direction_id": claim.direction_id,
        }
        state, bid_id = await self._redis.eval(  # type: ignore[misc]
            _BEGIN,
            2,
            *self._pair(api_id),
            api_id,
            lease,
            settle,
            self._retention_ms,
            *[str(item) for pair in fields.items() for item in pair],
        )
        found = as_text(state)
        if found == "started":
            return None, None
        return CreationState(found), as_text(bid_id) or None

    async def take_over(self, api_id: str) -> CreationState | None:
        """The state of a confirmation, an attempt whose holder died counting as uncertain;
        None when the entry is gone (expired)."""
        state = await self._redis.eval(_TAKE_OVER, 2, *self._pair(api_id), api_id)  # type: ignore[misc]
        return None if state is None else CreationState(as_text(state))

    async def mark_uncertain(self, api_id: str, *, check_in: float) -> None:
        """The attempt ended without an answer: resolve it by lookups, the first in `check_in`."""
        await self._redis.eval(_UNCERTAIN, 2, *self._pair(api_id), api_id, check_in)  # type: ignore[misc]

    async def mark_created(self, api_id: str, bid_id: str) -> None:
        await self._redis.eval(_CREATED, 2, *self._pair(api_id), api_id, bid_id)  # type: ignore[misc]

    async def mark_absent(self, api_id: str) -> bool:
        """A lookup proved no bid was created; True for the caller that settled it so."""
        return bool(await self._redis.eval(_ABSENT, 2, *self._pair(api_id), api_id))  # type: ignore[misc]

    async def release(self, api_id: str) -> None:
        """The exchanger answered "no" (nothing was created): the confirmation may be retried.
        Never for an unknown outcome: that one is `mark_uncertain`."""
        await self._redis.eval(_RELEASE, 2, *self._pair(api_id), api_id)  # type: ignore[misc]

    async def mark_cancelled(self, api_id: str) -> None:
        """The customer gave up waiting: what the resolver finds is still told to them."""
        key = self._keys.bid_creation(api_id)
        if await self._redis.exists(key):
            await self._redis.hset(key, "cancelled", "1")  # type: ignore[misc]

    async def reschedule(self, api_id: str, *, after: float, failed: bool) -> None:
        await self._redis.eval(  # type: ignore[misc]
            _RESCHEDULE, 2, *self._pair(api_id), api_id, after, "1" if failed else "0"
        )

    async def due(self, limit: int) -> list[str]:
        """Uncertain creations whose next lookup is due (oldest due first)."""
        found = await self._redis.eval(_DUE, 1, self._keys.creations_open, limit)  # type: ignore[misc]
        return [as_text(api_id) for api_id in found]

    async def get(self, api_id: str) -> CreationEntry | None:
        raw = await self._redis.hgetall(self._keys.bid_creation(api_id))  # type: ignore[misc]
        return _entry(api_id, {as_text(name): as_text(value) for name, value in raw.items()})


def _entry(api_id: str, fields: Mapping[str, str]) -> CreationEntry | None:
    try:
        return CreationEntry(
            api_id=api_id,
            state=CreationState(fields["state"]),
            claim=CreationClaim(
                user_id=int(fields["user_id"]),
                chat_id=int(fields["chat_id"]),
                locale=fields["locale"],
                lang=fields["lang"],
                direction_id=fields["direction_id"],
            ),
            started_at=float(fields["started_at"]),
            settle_at=float(fields["settle_at"]),
            bid_id=fields.get("bid_id") or None,
            cancelled=fields.get("cancelled") == "1",
            failed_checks=int(fields.get("failed_checks", "0")),
        )
    except (KeyError, ValueError):
        return None
