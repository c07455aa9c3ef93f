"""Named locks shared by every bot process on one Redis.

Several bot processes may run against one Redis (DESIGN.md §1): where "at most one of us does
this" has to hold across processes, it is kept in Redis, never in memory.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

# Delete / extend the lock only while it still holds our token: once the lock has expired and
# another process took it, we must not release or prolong *their* lock.
_RELEASE_IF_OWNER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""
# Take the lock, or find it ours already: the client sends a command again when Redis's answer
# was lost (bot/storage/redis.py), and a bare SET NX would then see its own token as a rival's.
_ACQUIRE = """
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if current then
    return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
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
            await self._redis.eval(_ACQUIRE, 1, self._key, self._token, milliseconds(self._ttl))  # type: ignore[misc]
        )
        return self.acquired

    async def acquire_within(self, wait: float, poll: float = 0.05) -> bool:
        """Try for up to `wait` seconds: for work that is short and worth a moment's wait."""
        deadline = time.monotonic() + wait
        while not await self.acquire():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(poll)
        return True

    async def refresh(self) -> bool:
        """Extend the lock by another `ttl` for long work; False if it was lost meanwhile."""
        extended = await self._redis.eval(  # type: ignore[misc]
            _REFRESH_IF_OWNER, 1, self._key, self._token, milliseconds(self._ttl)
        )
        self.acquired = bool(extended)
        return self.acquired

    async def release(self) -> bool:
        """Release the lock if we still hold it; False if it had expired (and maybe moved on)."""
        released = await self._redis.eval(_RELEASE_IF_OWNER, 1, self._key, self._token)  # type: ignore[misc]
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


@asynccontextmanager
async def waiting_lock(
    redis: Redis, key: str, *, ttl: float, wait: float
) -> AsyncIterator[RedisLock]:
    """Like `redis_lock`, but waits up to `wait` seconds for a holder to finish first."""
    lock = RedisLock(redis, key, ttl)
    await lock.acquire_within(wait)
    try:
        yield lock
    finally:
        if lock.acquired:
            await lock.release()
