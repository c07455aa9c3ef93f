"""Fixtures of the unit tests of storage modules."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fakeredis import FakeAsyncRedis
from redis.asyncio import Redis

from bot.storage.keys import RedisKeys


@pytest.fixture(params=["redis", "in-process store"])
async def store(request: pytest.FixtureRequest, redis: Redis) -> AsyncIterator[Redis]:
    """The real Redis, and the fakeredis the bot uses when REDIS_URL is empty."""
    if request.param == "redis":
        yield redis
        return
    fake: Redis = FakeAsyncRedis()
    yield fake
    await fake.aclose()


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)
