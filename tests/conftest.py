"""Fixtures every test may use: a real Redis under a key prefix of the test's own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from tests.redis_cluster import missing_tools, redis_cluster, redis_sentinel
from tests.redis_server import DurableRedis, redis_for_tests


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    try:
        with redis_for_tests() as url:
            yield url
    except RuntimeError as exc:
        pytest.exit(str(exc), returncode=3)


@pytest.fixture
def redis_prefix() -> str:
    """Each test writes only under its own prefix, and the prefix is wiped afterwards."""
    return f"exbot-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
async def redis(redis_url: str, redis_prefix: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}:*", count=500)]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest_asyncio.fixture
async def durable_redis(tmp_path: Path) -> AsyncIterator[DurableRedis]:
    """A redis-server of the test's own, with an append-only file, to kill and start again."""
    try:
        server = DurableRedis(str(tmp_path))
    except RuntimeError as exc:
        pytest.skip(str(exc))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def other_process_redis(redis_url: str) -> AsyncIterator[Redis]:
    """A second connection, as a second bot process would have (keys are wiped via `redis`)."""
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def redis_cluster_url() -> Iterator[str]:
    """A 3-node Redis Cluster of this test run's own (redis+cluster://); tests use their own
    key prefix on it, and it is thrown away at the end."""
    if reason := missing_tools():
        pytest.skip(reason)
    with redis_cluster() as url:
        yield url


@pytest.fixture(scope="session")
def redis_sentinel_url() -> Iterator[str]:
    """A master and a sentinel watching it, of this test run's own (redis+sentinel://)."""
    if reason := missing_tools():
        pytest.skip(reason)
    with redis_sentinel() as url:
        yield url
