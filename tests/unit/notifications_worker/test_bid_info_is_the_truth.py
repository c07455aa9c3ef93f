"""An event is a pointer, bid_info is the truth: the status comes from the exchanger in the
customer's language, never from the callback body, and never twice."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.notifications.outbox import EventSource, Outbox
from bot.storage.bids import BidRepository
from bot.storage.keys import RedisKeys
from tests.unit.notifications_worker.standins import (
    CHAT,
    OPERATOR_CHAT,
    FakeExchanger,
    RecordingAdopter,
    RecordingSendQueue,
    make_worker,
    pending,
    saved_bid,
)


async def test_status_from_bid_info_in_the_customers_language_not_from_the_callback_body(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger, locale="ru")
    exchanger.statuses["1053"] = "realpay"
    await outbox.publish(
        source=EventSource.CALLBACK, api_id=record.api_id, bid_id="1053", hint_status="success"
    )

    assert await make_worker(redis, keys, exchanger, bids, queue).process_available() == 1

    assert exchanger.calls == [("1053", "ru_RU")]
    assert queue.texts(CHAT) == ["realpay"]
    assert queue.texts(OPERATOR_CHAT) == ["realpay"]
    assert [m.dedup_key for m in queue.delivered] == [
        f"status:1053:0:realpay:{CHAT}",
        f"op:1053:0:realpay:{OPERATOR_CHAT}",
    ]
    stored = await bids.get("1053")
    assert stored is not None
    assert (stored.status, stored.card_status, stored.operator_status) == ("realpay",) * 3
    assert stored.changes == 1
    assert await pending(redis, keys, outbox) == 0


async def test_a_callback_body_naming_another_bid_is_not_used_to_find_it(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    victim = await saved_bid(bids, exchanger, "1053")
    exchanger.statuses["1053"] = "payed"
    await outbox.publish(source=EventSource.CALLBACK, api_id="tg-unknown", bid_id=victim.bid_id)

    assert await make_worker(redis, keys, exchanger, bids, queue).process_available() == 1

    assert exchanger.calls == []
    assert queue.delivered == []
    assert await pending(redis, keys, outbox) == 0


async def test_a_signed_callback_for_a_confirmation_without_a_record_goes_to_the_resolver(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    adopter = RecordingAdopter()
    for _ in range(3):
        await outbox.publish(source=EventSource.CALLBACK, api_id="tg-lost-answer")

    await make_worker(redis, keys, exchanger, bids, queue, adopter=adopter).process_available()

    assert adopter.asked == ["tg-lost-answer"]
    assert exchanger.calls == []


async def test_out_of_order_and_repeated_events_never_repeat_a_status(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    worker = make_worker(redis, keys, exchanger, bids, queue)
    for status in ("payed", "realpay"):
        exchanger.statuses["1053"] = status
        await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)
        await worker.process_available()
    for hint in ("payed", "new", "realpay"):  # late and replayed callbacks
        await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id, hint_status=hint)
        await outbox.publish(source=EventSource.CHANGED, bid_id="1053")

    assert await worker.process_available() == 6

    assert queue.texts(CHAT) == ["payed", "realpay"]
