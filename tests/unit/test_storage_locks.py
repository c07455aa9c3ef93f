"""Work that must run in one process at a time runs in one process at a time."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from bot.storage.keys import RedisKeys
from bot.storage.locks import RedisLock, redis_lock, waiting_lock


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


async def test_only_one_of_two_processes_runs_the_reconciler(
    redis: Redis, other_process_redis: Redis, keys: RedisKeys
) -> None:
    runs: list[str] = []

    async def reconcile(client: Redis, name: str) -> None:
        async with redis_lock(client, keys.lock("reconciler"), ttl=5) as lock:
            if not lock.acquired:
                return
            runs.append(name)
            await asyncio.sleep(0.1)

    await asyncio.gather(reconcile(redis, "first"), reconcile(other_process_redis, "second"))
    assert len(runs) == 1


async def test_the_next_round_may_run_once_the_holder_has_finished(
    redis: Redis, keys: RedisKeys
) -> None:
    async with redis_lock(redis, keys.lock("reconciler"), ttl=5) as lock:
        assert lock.acquired
    assert await redis.exists(keys.lock("reconciler")) == 0
    async with redis_lock(redis, keys.lock("reconciler"), ttl=5) as lock:
        assert lock.acquired


async def test_a_holder_that_outlived_its_lock_does_not_release_its_successors_lock(
    redis: Redis, keys: RedisKeys
) -> None:
    key = keys.lock("reconciler")
    slow = RedisLock(redis, key, ttl=0.1)
    assert await slow.acquire()
    await asyncio.sleep(0.2)
    successor = RedisLock(redis, key, ttl=5)
    assert await successor.acquire()

    assert not await slow.release()
    assert not await slow.refresh()
    assert not await RedisLock(redis, key, ttl=5).acquire()


async def test_long_work_keeps_its_lock_by_refreshing_it(redis: Redis, keys: RedisKeys) -> None:
    lock = RedisLock(redis, keys.lock("reconciler"), ttl=0.3)
    assert await lock.acquire()
    for _ in range(3):
        await asyncio.sleep(0.15)
        assert await lock.refresh()
    assert not await RedisLock(redis, keys.lock("reconciler"), ttl=5).acquire()
    assert await lock.release()


async def test_a_press_waits_briefly_for_the_worker_holding_the_same_bid(
    redis: Redis, keys: RedisKeys
) -> None:
    worker = RedisLock(redis, keys.bid_notifying("18342"), ttl=5)
    assert await worker.acquire()
    asyncio.get_running_loop().call_later(0.2, lambda: asyncio.ensure_future(worker.release()))
    async with waiting_lock(redis, keys.bid_notifying("18342"), ttl=5, wait=2) as press:
        assert press.acquired
    async with waiting_lock(redis, keys.bid_notifying("18342"), ttl=5, wait=0) as free:
        assert free.acquired
