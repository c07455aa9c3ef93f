"""The stream consumer shared by the outbox worker and the sender: groups that come back after
Redis lost its data, and a group that does not keep the name of every process that ever ran."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.notifications.stream import StreamConsumer
from bot.storage.keys import RedisKeys


async def test_reading_after_redis_lost_the_stream_and_group_recreates_them(
    redis: Redis, redis_prefix: str
) -> None:
    stream = RedisKeys(redis_prefix).outbox
    consumer = StreamConsumer(redis, stream, "workers", "w1")
    await consumer.ensure_group()
    await redis.xadd(stream, {"bid_id": "1"})
    assert len(await consumer.read_new(10)) == 1

    await redis.delete(stream)  # FLUSHALL, as this stream sees it

    assert await consumer.read_new(10) == []
    await redis.xadd(stream, {"bid_id": "2"})
    [(_, fields)] = await consumer.read_new(10)
    assert fields == {b"bid_id": b"2"}
    assert await consumer.claim_abandoned(0, 10) != []  # claiming works on the new group too


async def test_dead_consumers_with_nothing_pending_leave_the_group(
    redis: Redis, redis_prefix: str
) -> None:
    stream = RedisKeys(redis_prefix).send_queue
    alive = StreamConsumer(redis, stream, "senders", "alive")
    await alive.ensure_group()
    await redis.xadd(stream, {"chat": "1"})
    holding = StreamConsumer(redis, stream, "senders", "died-holding-work")
    assert len(await holding.read_new(10)) == 1
    await redis.xadd(stream, {"chat": "2"})
    finished = StreamConsumer(redis, stream, "senders", "died-after-its-work")
    [(entry_id, _)] = await finished.read_new(10)
    await finished.ack([entry_id])
    await asyncio.sleep(0.05)

    assert await alive.prune_consumers(max_idle_ms=20) == 1

    names = {info["name"] for info in await redis.xinfo_consumers(stream, "senders")}
    assert names == {b"died-holding-work"}  # its entry waits to be claimed


async def test_a_consumer_that_stops_with_nothing_pending_leaves(
    redis: Redis, redis_prefix: str
) -> None:
    stream = RedisKeys(redis_prefix).outbox
    consumer = StreamConsumer(redis, stream, "workers", "w1")
    await consumer.ensure_group()
    await consumer.read_new(10)

    await consumer.leave()

    assert await redis.xinfo_consumers(stream, "workers") == []
