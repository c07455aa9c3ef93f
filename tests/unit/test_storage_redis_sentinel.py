"""Behind Sentinel the bot's client follows a failover: a command sent while the master dies is
done on the replica Sentinel promotes, within the patience the client has for a restart."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator

import pytest

from bot.storage.redis import create_redis
from tests.redis_cluster import ThrowawaySentinel, missing_tools, throwaway_sentinel


@pytest.fixture
def deployment() -> Iterator[ThrowawaySentinel]:
    if reason := missing_tools():
        pytest.skip(reason)
    with throwaway_sentinel(replica=True) as running:
        yield running


async def test_a_command_sent_as_the_master_dies_is_done_on_the_promoted_replica(
    deployment: ThrowawaySentinel,
) -> None:
    assert deployment.replica is not None
    client = create_redis(deployment.url)
    try:
        await client.set("greeting", "before")
        await client.wait(1, 5000)  # the replica has it too

        await asyncio.to_thread(deployment.master.stop, signal.SIGKILL)
        assert await asyncio.wait_for(client.set("greeting", "after"), 30) is True

        assert deployment.master_port() == deployment.replica.port
        assert await client.get("greeting") == b"after"
    finally:
        await client.aclose()
