"""Per-user buckets of updates, kept in Redis so the limit holds across bot processes.

`burst` updates at once, then `rate` a second. Whether a user who ran out is told is decided
here too: once per flood, not once per dropped update, since the notice mark lives as long as
the bucket takes to fill up again and every dropped update renews it. The middleware that
drops the updates is bot/middlewares/throttle.py.
"""

from __future__ import annotations

import math
from enum import IntEnum

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys
from bot.storage.redis import LUA_NOW

# KEYS: the user's bucket (hash), the notice mark. ARGV: rate per second, burst, notice ms.
# Returns 1: go on; 0: dropped, the user was told already; -1: dropped, tell the user now.
_TAKE = (
    LUA_NOW
    + """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = tokens >= 1
if allowed then
    tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if allowed then
    return 1
end
local told = redis.call('EXISTS', KEYS[2])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
if told == 1 then
    return 0
end
return -1
"""
)


class Verdict(IntEnum):
    """What `_TAKE` answers."""

    GO_ON = 1
    DROPPED = 0
    DROPPED_TELL = -1


class UpdateBuckets:
    """One bucket per user; `take` spends one update of it."""

    def __init__(self, redis: Redis, keys: RedisKeys, *, rate: float, burst: int) -> None:
        self._keys = keys
        self._rate = rate
        self._burst = burst
        # Long enough for the bucket to fill up again: a flood is over after that much quiet.
        self._window_ms = max(1000, math.ceil(burst / rate * 1000))
        self._take = redis.register_script(_TAKE)

    async def take(self, user_id: int) -> Verdict:
        keys = [self._keys.throttle(user_id), self._keys.throttle_told(user_id)]
        return Verdict(int(await self._take(keys, [self._rate, self._burst, self._window_ms])))
