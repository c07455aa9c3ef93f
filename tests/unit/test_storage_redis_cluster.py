"""On a Redis Cluster the bot's client waits out a node's restart as it does one server's, and
reports a node that stays away as Redis being out of reach (a ConnectionError), within
seconds. Each test has a 3-node cluster of its own, since it stops one of the nodes."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Iterator
from typing import cast

import pytest
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import ConnectionError

from bot.storage.redis import create_redis
from tests.redis_cluster import ThrowawayCluster, missing_tools, throwaway_cluster

KEY = "exbot-test:greeting"


@pytest.fixture
def cluster() -> Iterator[ThrowawayCluster]:
    if reason := missing_tools():
        pytest.skip(reason)
    with throwaway_cluster() as running:
        yield running


async def _node_port_of(client: RedisCluster, key: str) -> int:
    await client.initialize()
    node = client.get_node_from_key(key)
    assert node is not None
    return int(node.port)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=lambda how: how.name)
async def test_a_command_sent_while_its_node_restarts_is_done_after_it(
    cluster: ThrowawayCluster, how: signal.Signals
) -> None:
    client = cast(RedisCluster, create_redis(cluster.url))
    try:
        port = await _node_port_of(client, KEY)
        node = next(n for n in cluster.nodes if n.port == port)
        await client.set(KEY, "before")  # a pooled connection that the restart will break

        await asyncio.to_thread(node.stop, how)
        writing = asyncio.ensure_future(client.set(KEY, "after"))
        await asyncio.sleep(1.5)
        assert not writing.done()
        await asyncio.to_thread(node.start)

        assert await asyncio.wait_for(writing, 20) is True
        assert await client.get(KEY) == b"after"
    finally:
        await client.aclose()


async def test_a_node_that_stays_down_fails_its_commands_within_seconds(
    cluster: ThrowawayCluster,
) -> None:
    client = cast(RedisCluster, create_redis(cluster.url))
    try:
        port = await _node_port_of(client, KEY)
        await client.set(KEY, "before")
        await asyncio.to_thread(next(n for n in cluster.nodes if n.port == port).stop)
        started = time.monotonic()

        with pytest.raises(ConnectionError):
            await client.get(KEY)
        assert 5.0 <= time.monotonic() - started <= 30.0
    finally:
        await client.aclose()


async def test_the_preflight_client_says_at_once_that_a_node_is_down(
    cluster: ThrowawayCluster,
) -> None:
    client = cast(RedisCluster, create_redis(cluster.url, ride_out_restarts=False))
    try:
        port = await _node_port_of(client, KEY)
        await asyncio.to_thread(next(n for n in cluster.nodes if n.port == port).stop)
        started = time.monotonic()

        with pytest.raises(ConnectionError):
            await client.get(KEY)
        assert time.monotonic() - started < 5.0
    finally:
        await client.aclose()


async def test_a_pipeline_sent_while_its_node_restarts_is_done_after_it(
    cluster: ThrowawayCluster,
) -> None:
    """The bot pipelines lookups and enqueues (non-transactional: the cluster client splits
    them by node); each such pipeline waits out a restart as a single command does."""
    client = cast(RedisCluster, create_redis(cluster.url))
    try:
        port = await _node_port_of(client, KEY)
        node = next(n for n in cluster.nodes if n.port == port)
        await client.set(KEY, "before")

        await asyncio.to_thread(node.stop, signal.SIGKILL)
        pipe = client.pipeline(transaction=False)
        pipe.set(KEY, "after")
        pipe.get(KEY)
        sending = asyncio.ensure_future(pipe.execute())
        await asyncio.sleep(1.5)
        assert not sending.done()
        await asyncio.to_thread(node.start)

        assert await asyncio.wait_for(sending, 20) == [True, b"after"]
    finally:
        await client.aclose()
