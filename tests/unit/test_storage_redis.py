"""The bot's Redis client waits out a restart, and only a restart: its patience is bounded."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest
from redis.exceptions import ConnectionError

from bot.storage.redis import MAX_CONNECTIONS, create_redis
from tests.redis_server import DurableRedis


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=lambda how: how.name)
async def test_a_command_sent_while_redis_restarts_is_answered_after_it(
    durable_redis: DurableRedis, how: signal.Signals
) -> None:
    client = create_redis(durable_redis.url)
    await client.set("greeting", "hello")  # a pooled connection that the restart will break
    try:
        await durable_redis.stop(how)
        reading = asyncio.ensure_future(client.get("greeting"))
        await asyncio.sleep(1.5)
        assert not reading.done()
        await durable_redis.start()
        assert await asyncio.wait_for(reading, 20) == b"hello"
    finally:
        await client.aclose()


async def test_a_redis_that_stays_down_fails_the_command_within_seconds(
    durable_redis: DurableRedis,
) -> None:
    client = create_redis(durable_redis.url)
    await client.ping()  # type: ignore[misc]
    await durable_redis.stop(signal.SIGKILL)
    started = time.monotonic()
    try:
        with pytest.raises(ConnectionError):
            await client.get("greeting")
    finally:
        await client.aclose()

    assert 5.0 <= time.monotonic() - started <= 15.0


async def test_the_preflight_client_says_at_once_that_redis_is_down(
    durable_redis: DurableRedis,
) -> None:
    client = create_redis(durable_redis.url, ride_out_restarts=False)
    await client.ping()  # type: ignore[misc]
    await durable_redis.stop(signal.SIGKILL)
    started = time.monotonic()
    try:
        with pytest.raises(ConnectionError):
            await client.ping()  # type: ignore[misc]
    finally:
        await client.aclose()

    assert time.monotonic() - started < 1.0


async def test_a_thousand_customers_at_once_wait_their_turn_for_a_connection(
    redis_url: str, redis_prefix: str
) -> None:
    """More commands at once than the client keeps connections: each waits for one (none
    fails with "Too many connections"), and the client never opens more than its maximum."""
    client = create_redis(redis_url)
    key = f"{redis_prefix}:steps"
    try:
        await asyncio.gather(*(client.incr(key) for _ in range(1_000)))
        assert await client.get(key) == b"1000"
        pool = client.connection_pool
        opened = len(pool._available_connections) + len(pool._in_use_connections)
        assert 1 < opened <= MAX_CONNECTIONS
    finally:
        await client.delete(key)
        await client.aclose()
