"""One message per change and audience when workers are killed half-way, race over one bid, stop,
or lose the answer to a read."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.notifications.outbox import EventSource, Outbox
from bot.notifications.outgoing import OutgoingMessage
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


async def test_a_worker_killed_between_queueing_and_recording_repeats_the_same_keys(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "payed"
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)
    enqueued: list[list[str]] = []
    original = queue.enqueue_many

    async def remember(messages: list[OutgoingMessage]) -> None:
        enqueued.append([m.dedup_key for m in messages])
        await original(messages)

    async def killed(*args: object, **kwargs: object) -> bool:
        raise RedisError("connection lost")

    monkeypatch.setattr(queue, "enqueue_many", remember)
    monkeypatch.setattr(bids, "mark_told", killed)
    worker = make_worker(redis, keys, exchanger, bids, queue)
    worker._check_lease = 0.1  # the dead worker's claim lapses quickly
    await worker.process_available()
    monkeypatch.undo()
    monkeypatch.setattr(queue, "enqueue_many", remember)
    await asyncio.sleep(0.15)
    await worker.process_available()

    assert len(enqueued) == 2 and enqueued[0] == enqueued[1]
    assert queue.texts(CHAT) == ["payed"]
    stored = await bids.get("1053")
    assert stored is not None and stored.card_status == "payed"


async def test_two_workers_racing_over_one_bid_send_each_status_once(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "payed"
    for _ in range(10):
        await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)
    workers = [make_worker(redis, keys, exchanger, bids, queue, consumer=f"w{n}") for n in range(3)]

    await asyncio.gather(*(worker.process_available() for worker in workers))

    assert queue.texts(CHAT) == ["payed"]
    assert await pending(redis, keys, outbox) == 0


async def test_run_stops_when_told_and_leaves_the_group_tidy(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "payed"
    worker = make_worker(redis, keys, exchanger, bids, queue)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)
    for _ in range(100):
        if queue.delivered:
            break
        await asyncio.sleep(0.02)

    stop.set()
    await asyncio.wait_for(task, 3)

    assert queue.texts(CHAT) == ["payed"]
    assert await redis.xinfo_consumers(keys.outbox, outbox.group) == []


# An event appended and, in the same step, handed to consumer "w1" by a read whose answer never
# reaches it: what Redis does when the connection under a blocking XREADGROUP drops (the
# client's retry then reads nothing new). A script, so the worker's own blocked read cannot
# be served the entry first.
_APPEND_AND_LOSE = """
local id = redis.call('XADD', KEYS[1], '*', 'source', 'callback', 'api_id', ARGV[2],
    'bid_id', '', 'status', 'payed', 'received_at', '0')
redis.call('XREADGROUP', 'GROUP', ARGV[1], 'w1', 'COUNT', 10, 'STREAMS', KEYS[1], '>')
return id
"""


async def test_an_event_whose_read_answer_was_lost_is_taken_in_at_once(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "payed"
    # Claiming from dead consumers would find it only after a minute.
    worker = make_worker(redis, keys, exchanger, bids, queue, claim_idle=60)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    await asyncio.sleep(0.2)  # the worker is blocked in its read
    await redis.eval(_APPEND_AND_LOSE, 1, keys.outbox, outbox.group, record.api_id)  # type: ignore[misc]

    await asyncio.wait_for(queue.arrived.wait(), 5)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert queue.texts(CHAT) == ["payed"]
    assert await pending(redis, keys, outbox) == 0
