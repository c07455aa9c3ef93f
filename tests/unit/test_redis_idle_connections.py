"""A managed Redis, a load balancer or a NAT between the bot and Redis drops connections that
sat idle, openly or without a word: the bot's client replaces them instead of wedging."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest_asyncio

from bot.notifications.stream import StreamConsumer
from bot.storage.redis import SOCKET_TIMEOUT, create_redis
from tests.redis_proxy import ReplyLosingProxy
from tests.redis_server import DurableRedis


@pytest_asyncio.fixture
async def proxy(durable_redis: DurableRedis) -> AsyncIterator[ReplyLosingProxy]:
    hop = ReplyLosingProxy(durable_redis.port)
    await hop.start()
    try:
        yield hop
    finally:
        await hop.stop()


async def test_connections_the_server_closed_while_idle_are_replaced_unnoticed(
    proxy: ReplyLosingProxy,
) -> None:
    client = create_redis(proxy.url)
    try:
        await asyncio.gather(*(client.set(f"greeting:{n}", "hello") for n in range(4)))
        await proxy.drop_connections()
        assert proxy.dropped >= 4

        answers = await asyncio.gather(*(client.get(f"greeting:{n}") for n in range(4)))
        assert answers == [b"hello"] * 4
    finally:
        await client.aclose()


async def test_a_connection_whose_peer_vanished_costs_one_socket_timeout_not_a_hang(
    proxy: ReplyLosingProxy,
) -> None:
    client = create_redis(proxy.url)
    try:
        await client.set("greeting", "hello")
        proxy.silence_connections()
        started = time.monotonic()

        assert await asyncio.wait_for(client.get("greeting"), SOCKET_TIMEOUT + 10) == b"hello"
        assert time.monotonic() - started < SOCKET_TIMEOUT + 5
    finally:
        await client.aclose()


async def test_a_blocking_stream_read_survives_its_connection_being_dropped(
    proxy: ReplyLosingProxy,
) -> None:
    """The worker and the sender wait on XREADGROUP BLOCK most of the time."""
    client = create_redis(proxy.url)
    try:
        await client.xgroup_create("events", "workers", id="0", mkstream=True)
        reading = asyncio.ensure_future(
            client.xreadgroup("workers", "w1", {"events": ">"}, count=1, block=1000)
        )
        await asyncio.sleep(0.2)  # the read is waiting on its connection
        await proxy.drop_connections()
        await asyncio.wait_for(reading, SOCKET_TIMEOUT)

        await client.xadd("events", {"bid": "7"})
        consumer = StreamConsumer(client, "events", "workers", "w1")
        assert [fields for _, fields in await consumer.read_new(1, block=1000)] == [{b"bid": b"7"}]
    finally:
        await client.aclose()
