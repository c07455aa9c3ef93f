"""Which partner brought a customer: the partner id of the first referral link they opened.

First touch wins: a second link (another partner's, or the same again) changes nothing, so a
partner cannot take over a customer someone else brought. The mark lives a year after the
customer was last credited to it (each bid reads it and renews it), like a language choice:
customers who are gone do not pile up forever.
"""

from __future__ import annotations

from datetime import timedelta

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys

REFERRAL_TTL = timedelta(days=365)


class ReferralStore:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys

    async def remember_first(self, user_id: int, partner_id: str) -> bool:
        """Keep `partner_id` as the user's partner unless one is kept already; True if kept."""
        kept = await self._redis.set(
            self._keys.referrer(user_id), partner_id, ex=REFERRAL_TTL, nx=True
        )
        return bool(kept)

    async def partner_of(self, user_id: int) -> str | None:
        """The partner who brought the user, or None (the bot's own partner id applies)."""
        value = await self._redis.getex(self._keys.referrer(user_id), ex=REFERRAL_TTL)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)
