"""The owner's switch that pauses new exchanges, kept in Redis.

Every instance reads it from Redis when a customer starts an exchange or confirms one (one GET,
no per-process copy), so a pause or a resume holds everywhere at once, across restarts too.
The value is the owner's message to customers; an empty one means "say the default".
"""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys

# Long enough for a paragraph, short enough to sit in one message beside the bot's own words.
NOTICE_LIMIT = 1000


class ExchangePause:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._key = keys.maintenance

    async def pause(self, notice: str) -> str:
        """New exchanges are refused with `notice` (empty: the bot's default words); returns
        it as kept (cut at NOTICE_LIMIT)."""
        kept = notice[:NOTICE_LIMIT]
        await self._redis.set(self._key, kept)
        return kept

    async def resume(self) -> bool:
        """New exchanges are taken again; False if they were not paused."""
        return bool(await self._redis.delete(self._key))

    async def notice(self) -> str | None:
        """The owner's message while new exchanges are paused, None while they are open."""
        value = await self._redis.get(self._key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)
