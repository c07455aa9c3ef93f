"""Secrets the operator may leave empty: generated once and shared through Redis.

Several bot processes must agree on the webhook secret and the callback HMAC key, and a restart
must not invalidate callback URLs already handed to the exchanger, so a generated value is kept
in Redis (SET NX: the first process wins, the others read its value).
"""

from __future__ import annotations

import secrets

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys


async def get_or_create_secret(redis: Redis, keys: RedisKeys, name: str) -> str:
    key = keys.generated_secret(name)
    candidate = secrets.token_urlsafe(32)
    await redis.set(key, candidate, nx=True)
    stored = await redis.get(key)
    if stored is None:  # evicted between the two calls: use ours and store it again
        await redis.set(key, candidate)
        return candidate
    return stored.decode() if isinstance(stored, bytes) else str(stored)
