"""A bid is created once per confirmation, and "only one process" work runs in one process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from fakeredis import FakeAsyncRedis
from redis.asyncio import Redis

from bot.storage.keys import RedisKeys
from bot.storage.locks import CreationGuard, GuardResult, GuardState, RedisLock, redis_lock

USER = 7001
API_ID = "api-5f1c2e"


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
async def other_process_redis(redis_url: str) -> AsyncIterator[Redis]:
    """A second connection, as a second bot process would have (keys are wiped via `redis`)."""
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_a_triple_click_on_confirm_across_two_processes_starts_one_creation(
    redis: Redis, other_process_redis: Redis, keys: RedisKeys
) -> None:
    first, second = CreationGuard(redis, keys), CreationGuard(other_process_redis, keys)
    results = await asyncio.gather(
        first.begin(USER, API_ID), second.begin(USER, API_ID), first.begin(USER, API_ID)
    )
    assert sorted(result.state.value for result in results) == [
        "in_progress",
        "in_progress",
        "started",
    ]


async def test_a_press_after_the_bid_was_created_is_shown_that_bid(
    redis: Redis, keys: RedisKeys
) -> None:
    guard = CreationGuard(redis, keys)
    assert await guard.begin(USER, API_ID) == GuardResult(GuardState.STARTED)
    await guard.finish(API_ID, "18342")
    assert await guard.begin(USER, API_ID) == GuardResult(GuardState.DONE, bid_id="18342")


async def test_the_record_of_a_created_bid_is_kept_for_a_week(
    redis: Redis, keys: RedisKeys
) -> None:
    guard = CreationGuard(redis, keys)
    await guard.begin(USER, API_ID)
    await guard.finish(API_ID, "18342")
    assert 7 * 86400 * 1000 - 5000 < await redis.pttl(keys.bid_creation(API_ID)) <= 7 * 86400 * 1000


async def test_after_a_clear_failure_the_customer_may_try_again(
    redis: Redis, keys: RedisKeys
) -> None:
    guard = CreationGuard(redis, keys)
    await guard.begin(USER, API_ID)
    await guard.abort(API_ID)
    assert (await guard.begin(USER, API_ID)).state is GuardState.STARTED


async def test_a_late_abort_never_erases_a_created_bid(redis: Redis, keys: RedisKeys) -> None:
    guard = CreationGuard(redis, keys)
    await guard.begin(USER, API_ID)
    await guard.finish(API_ID, "18342")
    await guard.abort(API_ID)
    assert await guard.begin(USER, API_ID) == GuardResult(GuardState.DONE, bid_id="18342")


async def test_a_creator_that_died_blocks_the_confirmation_only_until_its_mark_expires(
    redis: Redis, keys: RedisKeys
) -> None:
    guard = CreationGuard(redis, keys)
    await guard.begin(USER, API_ID, ttl=0.1)
    assert (await guard.begin(USER, API_ID)).state is GuardState.IN_PROGRESS
    await asyncio.sleep(0.2)
    assert (await guard.begin(USER, API_ID)).state is GuardState.STARTED


async def test_confirmations_do_not_block_each_other(redis: Redis, keys: RedisKeys) -> None:
    guard = CreationGuard(redis, keys)
    await guard.begin(USER, API_ID)
    assert (await guard.begin(USER, "api-another")).state is GuardState.STARTED


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


async def test_demo_modes_in_process_store_guards_creation_the_same_way(keys: RedisKeys) -> None:
    guard = CreationGuard(FakeAsyncRedis(), keys)  # what the bot uses when REDIS_URL is empty
    assert (await guard.begin(USER, API_ID)).state is GuardState.STARTED
    assert (await guard.begin(USER, API_ID)).state is GuardState.IN_PROGRESS
    await guard.abort(API_ID)
    assert (await guard.begin(USER, API_ID)).state is GuardState.STARTED
    await guard.finish(API_ID, "18342")
    assert await guard.begin(USER, API_ID) == GuardResult(GuardState.DONE, bid_id="18342")
