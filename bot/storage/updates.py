"""Which Telegram updates were handled, shared by every bot process on one Redis.

One key per update_id: a claim (a random token with a short lease) while one process handles
the update, then the mark "done" kept for a day. Telegram delivers an update again when the
answer to its webhook post was lost or a proxy timed out, and a load balancer may hand the
second post to another process: the mark makes that post a no-op.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys
from bot.storage.locks import milliseconds
from bot.storage.redis import as_text

# Telegram gives up on an update after about a day of failed deliveries.
DONE_RETENTION = timedelta(days=1)
DONE = "done"

# KEYS: the update's key. ARGV: token, lease ms. A claim found holding our own token is ours:
# the same attempt sent again (a lost answer) or fed again after a Redis outage.
_CLAIM = """
local current = redis.call('GET', KEYS[1])
if not current then
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    return 'claimed'
end
if current == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return 'claimed'
end
if current == 'done' then
    return 'done'
end
return 'busy'
"""
# KEYS: the update's key. ARGV: token, lease ms.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
# KEYS: the update's key. ARGV: token, retention ms. Also when the claim expired meanwhile:
# the step was taken, so a later delivery must not take it again.
_FINISH = """
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] and current ~= 'done' then
    return 0
end
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
return 1
"""
# KEYS: the update's key. ARGV: token.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class Claim(StrEnum):
    CLAIMED = "claimed"  # handle it now
    DONE = "done"  # handled before: nothing to do
    BUSY = "busy"  # another post of it is being handled right now


class HandledUpdates:
    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        *,
        lease: float,
        retention: timedelta = DONE_RETENTION,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self.lease = lease
        self._retention_ms = milliseconds(retention.total_seconds())

    async def claim(self, update_id: int, token: str) -> Claim:
        found = await self._redis.eval(  # type: ignore[misc]
            _CLAIM, 1, self._keys.update(update_id), token, milliseconds(self.lease)
        )
        return Claim(as_text(found))

    async def renew(self, update_id: int, token: str) -> bool:
        """Keep the claim while a slow handler runs; False when it is no longer ours."""
        return bool(
            await self._redis.eval(  # type: ignore[misc]
                _RENEW, 1, self._keys.update(update_id), token, milliseconds(self.lease)
            )
        )

    async def finish(self, update_id: int, token: str) -> None:
        await self._redis.eval(_FINISH, 1, self._keys.update(update_id), token, self._retention_ms)  # type: ignore[misc]

    async def release(self, update_id: int, token: str) -> None:
        """Nothing was done: a later delivery handles the update."""
        await self._redis.eval(_RELEASE, 1, self._keys.update(update_id), token)  # type: ignore[misc]
