"""The send queue on the test's own keys and a Bot talking to the fake Telegram, for every story
of the paced sender."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiogram import Bot
from redis.asyncio import Redis

from bot.notifications.send_queue import SendQueue
from bot.storage.keys import RedisKeys
from bot.telegram import create_bot
from tests.fake_telegram import FakeTelegram


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
def queue(redis: Redis, keys: RedisKeys) -> SendQueue:
    return SendQueue(redis, keys)


@pytest_asyncio.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = create_bot(fake_telegram.token, fake_telegram.url, retry_after=False)
    try:
        yield bot
    finally:
        await bot.session.close()
