"""Redis keys, the outbox, the bid records and the stand-ins every story of the outbox worker
starts from."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.notifications.outbox import Outbox
from bot.storage.bids import BidRepository
from bot.storage.keys import RedisKeys
from tests.unit.notifications_worker.standins import FakeExchanger, RecordingSendQueue


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
def exchanger() -> FakeExchanger:
    return FakeExchanger()


@pytest.fixture
def queue() -> RecordingSendQueue:
    return RecordingSendQueue()


@pytest.fixture
async def outbox(redis: Redis, keys: RedisKeys) -> Outbox:
    box = Outbox(redis, keys)
    await box.ensure_group()
    await box.ensure_group()  # idempotent
    return box


@pytest.fixture
def bids(redis: Redis, keys: RedisKeys) -> BidRepository:
    return BidRepository(redis, keys)
