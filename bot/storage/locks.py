"""Coordination between bot processes sharing one Redis: named locks and the bid creation guard.

Several bot processes may run against one Redis (DESIGN.md §1), and a user may press Confirm
twice or three times before the first press is answered. These are the places where "at most
one of us does this" has to hold across processes, so it is kept in Redis, never in memory.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys

# Delete / extend the lock only while it still holds our token: once the lock has expired and
# another process took it, we must not release or prolong *their* lock.
_RELEASE_IF_OWNER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""
_REFRESH_IF_OWNER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


def milliseconds(seconds: float) -> int:
    """Redis PX/PEXPIRE wants whole milliseconds, and 0 would be an error rather than "now"."""
    return max(1, round(seconds * 1000))


class RedisLock:
    """A lock with an expiry, released (or extended) only by the process that holds it.

    The expiry means a crashed holder never blocks the others for longer than `ttl`; the random
    token means a holder that outlived its `ttl` cannot release the lock a successor now holds.
    Acquiring never waits: callers that lose simply skip the work or poll for its result.
    """

    def __init__(self, redis: Redis, key: str, ttl: float) -> None:
        self._redis = redis
        self._key = key
        self._ttl = ttl
        self._token = secrets.token_hex(16)
        self.acquired = False

    async def acquire(self) -> bool:
        self.acquired = bool(
            await self._redis.set(self._key, self._token, nx=True, px=milliseconds(self._ttl))
        )
        return self.acquired

    async def refresh(self) -> bool:
        """Extend the lock by another `ttl` for long work; False if it was lost meanwhile."""
        extended = await self._redis.eval(
            _REFRESH_IF_OWNER, 1, self._key, self._token, milliseconds(self._ttl)
        )
        self.acquired = bool(extended)
        return self.acquired

    async def release(self) -> bool:
        """Release the lock if we still hold it; False if it had expired (and maybe moved on)."""
        released = await self._redis.eval(_RELEASE_IF_OWNER, 1, self._key, self._token)
        self.acquired = False
        return bool(released)


@asynccontextmanager
async def redis_lock(redis: Redis, key: str, ttl: float) -> AsyncIterator[RedisLock]:
    """Try once to take the lock `key` (a `RedisKeys.lock(...)` name) for the body's duration.

    The body must look at `lock.acquired` and skip its work when another process holds the lock:

        async with redis_lock(redis, keys.lock("reconciler"), ttl=60) as lock:
            if not lock.acquired:
                return
            ...  # call `await lock.refresh()` if the work may outlast `ttl`
    """
    lock = RedisLock(redis, key, ttl)
    await lock.acquire()
    try:
        yield lock
    finally:
        if lock.acquired:
            await lock.release()


class GuardState(enum.Enum):
    STARTED = "started"  # this caller won and must now create the bid, then finish() or abort()
    IN_PROGRESS = "in_progress"  # another press (or process) is creating it right now
    DONE = "done"  # the bid exists already: show it, do not create another


@dataclass(frozen=True, slots=True)
class GuardResult:
    state: GuardState
    bid_id: str | None = None  # set when state is DONE


_PENDING = "pending:"
_DONE = "done:"

# One round trip, no window between "is anyone creating?" and "then I am".
_BEGIN = """
local current = redis.call('GET', KEYS[1])
if current then
    return current
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"""
# abort() must never erase the record of a bid that was created.
_ABORT_IF_PENDING = """
local current = redis.call('GET', KEYS[1])
if current and string.sub(current, 1, string.len(ARGV[1])) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class CreationGuard:
    """A bid is created at most once per confirmation (DESIGN.md §4), keyed by its api_id.

    The draft gets one api_id when the customer confirms, so every repeated press, retry or
    second bot process handling the same confirmation presents the same api_id. The first
    `begin` wins; the others see IN_PROGRESS (say "please wait") or DONE (show that bid).

    The in-progress mark expires after `ttl` seconds so a process that died mid-creation does
    not block the customer for ever; `ttl` must therefore outlast the exchanger call and the
    get_exchanges look-up after a timeout (EXCHANGER_TIMEOUT is 30 s by default).
    """

    def __init__(
        self, redis: Redis, keys: RedisKeys, *, done_ttl: timedelta = timedelta(days=7)
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._done_ttl = done_ttl

    async def begin(self, user_id: int, api_id: str, ttl: float = 120) -> GuardResult:
        current = await self._redis.eval(
            _BEGIN, 1, self._keys.bid_creation(api_id), f"{_PENDING}{user_id}", milliseconds(ttl)
        )
        if current is None:
            return GuardResult(GuardState.STARTED)
        text = current.decode() if isinstance(current, bytes) else str(current)
        if text.startswith(_DONE):
            return GuardResult(GuardState.DONE, bid_id=text.removeprefix(_DONE))
        return GuardResult(GuardState.IN_PROGRESS)

    async def finish(self, api_id: str, bid_id: str) -> None:
        """Record the created bid, so later presses of the same Confirm show it (DONE)."""
        await self._redis.set(
            self._keys.bid_creation(api_id),
            f"{_DONE}{bid_id}",
            px=milliseconds(self._done_ttl.total_seconds()),
        )

    async def abort(self, api_id: str) -> None:
        """Release after a clear failure (no bid was created), so the customer may try again.

        Only for failures known not to have created a bid: after a timeout the bid may exist,
        and the caller must look for it (get_exchanges by api_id) before aborting.
        """
        await self._redis.eval(_ABORT_IF_PENDING, 1, self._keys.bid_creation(api_id), _PENDING)
