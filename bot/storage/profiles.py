"""What the bot remembers about a Telegram user between conversations."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys


class UserProfiles:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys

    async def get_locale(self, user_id: int) -> str | None:
        value = await self._redis.get(self._keys.user_locale(user_id))
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self._redis.set(self._keys.user_locale(user_id), locale)
