"""Which bids to read again, and when: events coalesced per bid (DESIGN.md §6).

An event (a callback, a creation, a button press elsewhere, a reconciler round) only says
"this bid may have changed". Any number of them about one bid are answered by one bid_info
read made after they arrived, so they fold into one member of a sorted set (`notify_due`:
member -> when to read it). A member is a bid id, or `api:<api_id>` for a signed callback
about a bid we have no record of (a creation to adopt).

- Coalescing: an event received before the bid's last read began (`BidRecord.checked_at`) is
  answered by that read and needs nothing; any other just makes sure the member is due.
- A bound per bid: a member is never due sooner than `min_interval` after the bid's last read,
  so a flood of replayed callbacks costs one read per interval, not one per request.
- Claims: a checker takes due members by pushing their time past a lease (in one script, so
  two checkers never take the same member); a checker that dies loses the lease and the member
  is due again. A generation counter per member tells the checker, when it finishes, whether
  an event came in meanwhile: then the member stays, due after the interval.

All times are Redis's (TIME), so several bot processes agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.notifications.stream import text
from bot.storage.keys import RedisKeys
from bot.storage.redis import LUA_NOW

API_PREFIX = "api:"


# KEYS: due set, generations. ARGV: min interval, then (member, received at, checked at)
# triples; received/checked 0 when unknown. Returns how many members were (re)scheduled.
_MARK = (
    LUA_NOW
    + """
local scheduled = 0
for i = 2, #ARGV, 3 do
    local member = ARGV[i]
    local received = tonumber(ARGV[i + 1])
    local checked = tonumber(ARGV[i + 2])
    if received == 0 or received >= checked then
        local due = math.max(now, checked + tonumber(ARGV[1]))
        local current = redis.call('ZSCORE', KEYS[1], member)
        if not current or due < tonumber(current) then
            redis.call('ZADD', KEYS[1], due, member)
        end
        redis.call('HINCRBY', KEYS[2], member, 1)
        scheduled = scheduled + 1
    end
end
return scheduled
"""
)

# KEYS: due set, generations. ARGV: how many, lease s. Returns member, generation pairs.
_CLAIM = (
    LUA_NOW
    + """
local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local claimed = {}
for _, member in ipairs(members) do
    redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), member)
    table.insert(claimed, member)
    table.insert(claimed, redis.call('HGET', KEYS[2], member) or '0')
end
return claimed
"""
)

# KEYS: due set, generations, attempts. ARGV: member, generation, seconds until it may be
# read again. Done unless an event came in meanwhile (the generation moved on).
_FINISH = (
    LUA_NOW
    + """
if (redis.call('HGET', KEYS[2], ARGV[1]) or '0') == ARGV[2] then
    redis.call('ZREM', KEYS[1], ARGV[1])
    redis.call('HDEL', KEYS[2], ARGV[1])
    redis.call('HDEL', KEYS[3], ARGV[1])
    return 1
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 0
"""
)

# KEYS: due set, attempts. ARGV: member, first delay s, longest delay s. The delay doubles
# with each failed attempt. Returns the failed attempts so far.
_RETRY = (
    LUA_NOW
    + """
local attempts = redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
local delay = math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) * 2 ^ math.min(attempts - 1, 30))
redis.call('ZADD', KEYS[1], now + delay, ARGV[1])
return attempts
"""
)

# KEYS: due set. Seconds until the earliest member is due (negative: overdue), or false.
_NEXT = (
    LUA_NOW
    + """
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #first == 0 then
    return false
end
return tostring(tonumber(first[2]) - now)
"""
)


# KEYS: due set, generations, attempts. ARGV: member. A script, not MULTI/EXEC: redis-py's
# asyncio cluster client runs each command queued in a transaction in a thread of its own.
_DROP = """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""


@dataclass(frozen=True, slots=True)
class Mark:
    """One event for the schedule: `received_at` and `checked_at` in Redis seconds (0: not
    known, then the event always counts)."""

    member: str
    received_at: float = 0.0
    checked_at: float = 0.0


@dataclass(frozen=True, slots=True)
class Claim:
    member: str
    generation: str

    @property
    def api_id(self) -> str | None:
        return self.member.removeprefix(API_PREFIX) if self.member.startswith(API_PREFIX) else None


def api_member(api_id: str) -> str:
    return API_PREFIX + api_id


class CheckSchedule:
    def __init__(self, redis: Redis, keys: RedisKeys, *, min_interval: float = 2.0) -> None:
        self._redis = redis
        self._keys = keys
        self.min_interval = min_interval
        self._mark = redis.register_script(_MARK)
        self._claim = redis.register_script(_CLAIM)
        self._finish = redis.register_script(_FINISH)
        self._retry = redis.register_script(_RETRY)
        self._next = redis.register_script(_NEXT)
        self._drop = redis.register_script(_DROP)

    @property
    def _sets(self) -> list[str]:
        return [self._keys.notify_due, self._keys.notify_generation]

    async def mark(self, marks: Sequence[Mark]) -> int:
        """Make these members due (unless already answered); returns how many were."""
        if not marks:
            return 0
        args: list[str | float] = [self.min_interval]
        for mark in marks:
            args += [mark.member, repr(mark.received_at), repr(mark.checked_at)]
        return int(await self._mark(self._sets, args))

    async def claim(self, count: int, *, lease: float) -> list[Claim]:
        """Up to `count` due members, each now held for `lease` seconds."""
        flat = await self._claim(self._sets, [count, lease])
        return [Claim(text(flat[i]), text(flat[i + 1])) for i in range(0, len(flat), 2)]

    async def finish(self, claim: Claim) -> bool:
        """The member's read is done; True unless an event came in meanwhile."""
        done = await self._finish(
            [*self._sets, self._keys.notify_attempts],
            [claim.member, claim.generation, self.min_interval],
        )
        return bool(done)

    async def retry(self, claim: Claim, *, first_delay: float, max_delay: float) -> int:
        """Read it again later, the delay doubling per failed attempt from `first_delay` up to
        `max_delay`; returns the failed attempts so far."""
        return int(
            await self._retry(
                [self._keys.notify_due, self._keys.notify_attempts],
                [claim.member, first_delay, max_delay],
            )
        )

    async def drop(self, claim: Claim) -> None:
        """Give up on a member (the bid is gone); the reconciler still asks about open bids."""
        await self._drop([*self._sets, self._keys.notify_attempts], [claim.member])

    async def next_due_in(self) -> float | None:
        """Seconds until the earliest member is due (0 when overdue), None when none waits."""
        answer = await self._next([self._keys.notify_due], [])
        return None if answer is None else max(0.0, float(text(answer)))
