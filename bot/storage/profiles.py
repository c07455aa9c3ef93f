"""What the bot remembers about a Telegram user between conversations."""

from __future__ import annotations

from datetime import timedelta

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys

# Every user who ever picked a language leaves a key; without an expiry they pile up forever
# (blocked bots, deleted accounts). A year after the user was last seen the choice is dropped:
# they get Telegram's language again, one tap from choosing. Each read refreshes it, so an
# active user never loses it.
LOCALE_TTL = timedelta(days=365)


class UserProfiles:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys

    async def get_locale(self, user_id: int) -> str | None:
        value = await self._redis.getex(self._keys.user_locale(user_id), ex=LOCALE_TTL)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def set_locale(self, user_id: int, locale: str) -> None:
        await self._redis.set(self._keys.user_locale(user_id), locale, ex=LOCALE_TTL)
