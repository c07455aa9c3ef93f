"""The reconciler: one process at a time asks again about open bids, less often as they age,
because the exchanger never retries a lost callback (facts §7)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import cast

import pytest
from redis.asyncio import Redis

from bot.notifications.reconciler import DAY, HOUR, Reconciler
from bot.notifications.schedule import CheckSchedule
from bot.storage.bids import BidRecord, BidRepository
from bot.storage.keys import RedisKeys
from bot.storage.locks import RedisLock

INTERVAL = 60.0


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bids(redis: Redis, keys: RedisKeys, clock: Clock) -> BidRepository:
    return BidRepository(redis, keys, clock=clock)


@pytest.fixture
def reconciler(redis: Redis, keys: RedisKeys, bids: BidRepository, clock: Clock) -> Reconciler:
    return Reconciler(
        redis,
        keys,
        bids,
        CheckSchedule(redis, keys, min_interval=0),
        interval=INTERVAL,
        max_age=timedelta(days=30),
        clock=clock,
    )


async def open_bid(bids: BidRepository, bid_id: str, created_at: float) -> None:
    await bids.create(
        BidRecord(
            bid_id=bid_id,
            bid_hash="h" * 35,
            user_id=1,
            chat_id=1,
            locale="en",
            direction_id="44",
            api_id=f"tg-{bid_id}",
            status="new",
            status_title="",
            created_at=created_at,
            updated_at=created_at,
            card_status="new",
            operator_status="new",
        )
    )


async def published(redis: Redis, keys: RedisKeys) -> list[str]:
    """Each bid as often as a round made it due for a read (the schedule counts events)."""
    counts = cast("dict[bytes, bytes]", await redis.hgetall(keys.notify_generation))  # type: ignore[misc]
    return [bid.decode() for bid, count in counts.items() for _ in range(int(count))]


def test_checks_thin_out_as_a_bid_ages(reconciler: Reconciler) -> None:
    assert reconciler.check_delay(0) == INTERVAL
    assert reconciler.check_delay(HOUR - 1) == INTERVAL
    assert reconciler.check_delay(HOUR) == 10 * INTERVAL
    assert reconciler.check_delay(2 * DAY) == HOUR


async def test_new_bids_are_due_at_once_then_on_their_schedule(
    redis: Redis, keys: RedisKeys, bids: BidRepository, reconciler: Reconciler, clock: Clock
) -> None:
    await open_bid(bids, "1", clock.now)
    await open_bid(bids, "2", clock.now - 2 * HOUR)

    assert await reconciler.run_once() == 2
    clock.now += INTERVAL
    assert await reconciler.run_once() == 1  # the young one; the older waits ten intervals
    clock.now += 9 * INTERVAL
    assert await reconciler.run_once() == 2

    assert sorted(await published(redis, keys)) == ["1", "1", "1", "2", "2"]


async def test_final_and_expired_bids_leave_the_schedule(
    redis: Redis, keys: RedisKeys, bids: BidRepository, reconciler: Reconciler, clock: Clock
) -> None:
    await open_bid(bids, "1", clock.now)
    await open_bid(bids, "2", clock.now)
    await reconciler.run_once()
    await bids.mark_final("1")

    clock.now += INTERVAL
    assert await reconciler.run_once() == 1

    assert await redis.zrange(keys.reconcile_due, 0, -1) == [b"2"]


async def test_a_bid_older_than_max_age_is_given_up(
    redis: Redis, keys: RedisKeys, bids: BidRepository, reconciler: Reconciler, clock: Clock
) -> None:
    await open_bid(bids, "1", clock.now - 31 * DAY)

    assert await reconciler.run_once() == 0

    assert await bids.open_bids() == []
    assert await redis.zcard(keys.reconcile_due) == 0


async def test_only_one_process_reconciles_at_a_time(
    redis: Redis, keys: RedisKeys, bids: BidRepository, reconciler: Reconciler, clock: Clock
) -> None:
    await open_bid(bids, "1", clock.now)
    other = RedisLock(redis, keys.lock("reconciler"), ttl=30)
    assert await other.acquire()

    assert await reconciler.run_once() == 0
    await other.release()
    assert await reconciler.run_once() == 1


async def test_run_rounds_until_stopped(
    redis: Redis, keys: RedisKeys, bids: BidRepository, clock: Clock
) -> None:
    await open_bid(bids, "1", clock.now)
    rounds: list[float] = []

    async def resolve_creations() -> int:
        rounds.append(time.monotonic())
        return 0

    reconciler = Reconciler(
        redis,
        keys,
        bids,
        CheckSchedule(redis, keys, min_interval=0),
        interval=0.05,
        resolve_creations=resolve_creations,
    )
    stop = asyncio.Event()
    task = asyncio.create_task(reconciler.run(stop))
    await asyncio.sleep(0.2)
    stop.set()
    await asyncio.wait_for(task, 2)

    assert len(await published(redis, keys)) >= 2
    assert len(rounds) >= 2  # every round also settles creations whose outcome was unknown
    assert await redis.exists(keys.lock("reconciler")) == 0
