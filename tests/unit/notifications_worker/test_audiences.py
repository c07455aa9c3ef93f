"""Who is told what: the customer, the operators, or both, and when a bid is closed for the
reconciler."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.notifications.outbox import EventSource, Outbox
from bot.storage.bids import BidRepository
from bot.storage.keys import RedisKeys
from tests.unit.notifications_worker.standins import (
    CHAT,
    OPERATOR_CHAT,
    FakeExchanger,
    RecordingSendQueue,
    make_worker,
    saved_bid,
)


async def test_a_final_status_told_to_everyone_closes_the_bid_for_the_reconciler(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "cancel"
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)

    await make_worker(redis, keys, exchanger, bids, queue).process_available()

    assert queue.texts(CHAT) == ["cancel"]
    assert queue.texts(OPERATOR_CHAT) == ["cancel"]
    assert await bids.open_bids() == []


async def test_a_new_bid_is_announced_to_the_operators_once_and_not_pushed_to_its_customer(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    await saved_bid(bids, exchanger, operator_status=None)  # as BidService records a new bid
    for _ in range(2):
        await outbox.publish(source=EventSource.CREATED, bid_id="1053")

    await make_worker(redis, keys, exchanger, bids, queue).process_available()

    assert queue.texts(OPERATOR_CHAT) == ["new new"]
    assert queue.texts(CHAT) == []  # the customer saw its card as the answer to Confirm


async def test_a_bid_found_after_a_lost_answer_is_pushed_to_its_customer(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    await saved_bid(bids, exchanger, card_status=None, operator_status=None)  # nobody saw it
    await outbox.publish(source=EventSource.CREATED, bid_id="1053")

    await make_worker(redis, keys, exchanger, bids, queue).process_available()

    assert queue.texts(CHAT) == ["created new"]
    assert queue.texts(OPERATOR_CHAT) == ["new new"]


async def test_a_change_the_customer_caused_and_saw_is_told_to_the_operators_only(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.statuses["1053"] = "payed"
    await bids.mark_told(record.bid_id, card_status="payed")  # "I paid", shown in place
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)

    await make_worker(redis, keys, exchanger, bids, queue).process_available()

    assert queue.texts(CHAT) == []
    assert queue.texts(OPERATOR_CHAT) == ["payed"]
