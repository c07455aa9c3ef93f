"""A slow bid holds nobody else; an exchanger outage leaves the bid due, a bid failing too often is
given up, and bids the exchanger does not know are dropped."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.exchanger import Unavailable
from bot.exchanger.errors import UnavailableReason
from bot.notifications.outbox import EventSource, Outbox
from bot.storage.bids import BidRepository
from bot.storage.keys import RedisKeys
from tests.unit.notifications_worker.standins import (
    CHAT,
    FakeExchanger,
    RecordingSendQueue,
    make_worker,
    pending,
    saved_bid,
)


async def test_one_slow_bid_holds_nobody_else(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    slow = await saved_bid(bids, exchanger, "1053")
    quick = await saved_bid(bids, exchanger, "2077")
    exchanger.statuses |= {"1053": "payed", "2077": "payed"}
    exchanger.slow["1053"] = 3.0
    worker = make_worker(redis, keys, exchanger, bids, queue, concurrency=4)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await outbox.publish(source=EventSource.CALLBACK, api_id=slow.api_id)
    await asyncio.sleep(0.2)
    await outbox.publish(source=EventSource.CALLBACK, api_id=quick.api_id)
    for _ in range(100):
        if queue.delivered:
            break
        await asyncio.sleep(0.02)

    assert [m.dedup_key.split(":")[1] for m in queue.delivered] == ["2077", "2077"]
    stop.set()
    await asyncio.wait_for(task, 6)
    assert sorted(m.dedup_key.split(":")[1] for m in queue.delivered) == ["1053"] * 2 + ["2077"] * 2


async def test_exchanger_outage_leaves_the_bid_due_and_it_is_read_again_later(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "payed"
    exchanger.failures = [Unavailable("bid_info", UnavailableReason.TIMEOUT)] * 2
    worker = make_worker(redis, keys, exchanger, bids, queue)
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)

    await worker.process_available()
    assert queue.delivered == [] and len(exchanger.calls) == 1
    await worker.process_available()
    assert len(exchanger.calls) == 1  # not yet: backoff
    await asyncio.sleep(0.06)
    await worker.process_available()  # second failure, next wait doubled
    await asyncio.sleep(0.11)
    await worker.process_available()

    assert queue.texts(CHAT) == ["payed"]
    assert await pending(redis, keys, outbox) == 0


async def test_a_bid_failing_too_often_is_given_up(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.failures = [Unavailable("bid_info", UnavailableReason.NETWORK)] * 5
    worker = make_worker(redis, keys, exchanger, bids, queue, max_attempts=3)
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)

    for _ in range(5):
        await worker.process_available()
        await asyncio.sleep(0.12)

    assert len(exchanger.calls) == 3
    assert queue.delivered == []
    assert await redis.zcard(keys.notify_due) == 0


async def test_unknown_bids_and_bids_the_exchanger_no_longer_shows_are_dropped(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    del exchanger.statuses["1053"]  # e.g. its direction was switched off (facts §4.8)
    await outbox.publish(source=EventSource.CHANGED, bid_id="999")
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)
    await redis.xadd(keys.outbox, {"source": "callback"})  # names no bid

    assert await make_worker(redis, keys, exchanger, bids, queue).process_available() == 3

    assert await pending(redis, keys, outbox) == 0
    assert await redis.zcard(keys.notify_due) == 0
    assert queue.delivered == []
