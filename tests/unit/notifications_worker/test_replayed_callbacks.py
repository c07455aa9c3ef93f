"""A flood of replayed callbacks costs about one bid_info per bid and interval; callbacks about a
finished bid that claim nothing new cost none."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

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


async def test_a_hundred_replays_of_a_callback_cost_one_bid_info(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "payed"
    for _ in range(100):
        await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id, hint_status="payed")

    assert await make_worker(redis, keys, exchanger, bids, queue).process_available() == 100

    assert len(exchanger.calls) == 1
    assert queue.texts(CHAT) == ["payed"]


async def test_replays_arriving_during_reads_cost_one_read_per_interval(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "payed"
    worker = make_worker(redis, keys, exchanger, bids, queue, min_interval=0.5)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    started = time.monotonic()
    while time.monotonic() - started < 1.2:  # a replay every 20 ms for 1.2 s
        await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id, hint_status="x")
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, 5)

    assert 1 <= len(exchanger.calls) <= 4  # about one per 0.5 s, not ~60
    assert queue.texts(CHAT) == ["payed"]


async def test_callbacks_about_a_final_bid_cost_nothing(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "success"
    worker = make_worker(redis, keys, exchanger, bids, queue)
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)
    await worker.process_available()
    assert await bids.open_bids() == []
    calls = len(exchanger.calls)

    for hint in (None, "success", None):
        await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id, hint_status=hint)
    await worker.process_available()

    assert len(exchanger.calls) == calls
    assert queue.texts(CHAT) == ["success"]
    assert await pending(redis, keys, outbox) == 0
