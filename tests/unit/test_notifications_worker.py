"""The outbox worker: the event is a pointer, bid_info is the truth, one message per status."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import Redis

from bot.exchanger import Bid, NoBidExists, Unavailable
from bot.exchanger.errors import UnavailableReason
from bot.notifications.outbox import EventSource, Outbox
from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.worker import OutboxWorker
from bot.storage.bids import BidRecord, BidRepository
from bot.storage.keys import RedisKeys

OPERATOR_CHAT = -100500
CHAT = 4242


class FakeExchanger:
    """bid_info answers from `statuses`; `failures` makes the next calls fail first."""

    def __init__(self) -> None:
        self.statuses: dict[str, str] = {}
        self.failures: list[Exception] = []
        self.calls: list[tuple[str | None, str | None]] = []

    async def bid_info(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str | None = None
    ) -> Bid:
        self.calls.append((bid_id, lang))
        if self.failures:
            raise self.failures.pop(0)
        assert bid_id is not None
        if bid_id not in self.statuses:
            raise NoBidExists("bid_info", "1", "no bid exists")
        return Bid.model_validate({"id": bid_id, "hash": "h" * 35, "status": self.statuses[bid_id]})


class StubRenderer:
    def customer_update(self, record: BidRecord, bid: Bid, *, edit: bool) -> OutgoingMessage:
        return OutgoingMessage(chat_id=record.chat_id, text=bid.status, dedup_key="renderer's")

    def operator_card(
        self, record: BidRecord, bid: Bid, chat_id: int, *, is_new: bool
    ) -> OutgoingMessage:
        text = "new" if is_new else bid.status
        return OutgoingMessage(chat_id=chat_id, text=text, dedup_key="renderer's")


class RecordingSendQueue:
    """Stand-in for the sender's queue: delivers each dedup_key once."""

    def __init__(self) -> None:
        self.delivered: list[OutgoingMessage] = []

    async def enqueue_many(self, messages: list[OutgoingMessage]) -> None:
        keys = {m.dedup_key for m in self.delivered}
        self.delivered.extend(m for m in messages if m.dedup_key not in keys)

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.delivered if m.chat_id == chat_id]


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
def exchanger() -> FakeExchanger:
    return FakeExchanger()


@pytest.fixture
def queue() -> RecordingSendQueue:
    return RecordingSendQueue()


@pytest.fixture
async def outbox(redis: Redis, keys: RedisKeys) -> Outbox:
    box = Outbox(redis, keys)
    await box.ensure_group()
    await box.ensure_group()  # idempotent
    return box


@pytest.fixture
def bids(redis: Redis, keys: RedisKeys) -> BidRepository:
    return BidRepository(redis, keys)


def make_worker(
    redis: Redis,
    keys: RedisKeys,
    exchanger: FakeExchanger,
    bids: BidRepository,
    queue: RecordingSendQueue,
    *,
    claim_idle: float = 0.05,
    max_deliveries: int = 20,
    consumer: str = "w1",
) -> OutboxWorker:
    return OutboxWorker(
        redis,
        keys,
        exchanger,
        bids,
        queue,
        StubRenderer(),
        consumer=consumer,
        operator_chat_id=OPERATOR_CHAT,
        claim_idle=claim_idle,
        max_deliveries=max_deliveries,
        max_retry_delay=0.1,
    )


async def saved_bid(
    bids: BidRepository, exchanger: FakeExchanger, bid_id: str = "1053", locale: str = "ru"
) -> BidRecord:
    now = time.time()
    record = BidRecord(
        bid_id=bid_id,
        bid_hash="h" * 35,
        user_id=CHAT,
        chat_id=CHAT,
        locale=locale,
        direction_id="44",
        api_id=f"tg-{bid_id}",
        status="new",
        status_title="How to make payment",
        created_at=now,
        updated_at=now,
        last_notified_status="new",
    )
    await bids.create(record)
    exchanger.statuses[bid_id] = "new"
    return record


async def pending(redis: Redis, keys: RedisKeys, outbox: Outbox) -> int:
    count: int = (await redis.xpending(keys.outbox, outbox.group))["pending"]
    return count


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
        f"status:1053:realpay:{CHAT}",
        f"op:1053:realpay:{OPERATOR_CHAT}",
    ]
    stored = await bids.get("1053")
    assert stored is not None
    assert (stored.status, stored.last_notified_status) == ("realpay", "realpay")


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
        await outbox.publish(source=EventSource.RECONCILER, bid_id="1053")

    assert await worker.process_available() == 6

    assert queue.texts(CHAT) == ["payed", "realpay"]


async def test_exchanger_outage_leaves_the_event_pending_and_it_is_retried_later(
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
    assert (queue.delivered, await pending(redis, keys, outbox)) == ([], 1)
    assert await worker.process_available() == 0  # not idle long enough: backoff
    await asyncio.sleep(0.06)
    await worker.process_available()  # second failure, next wait doubled
    assert await pending(redis, keys, outbox) == 1
    await asyncio.sleep(0.11)
    assert await worker.process_available() == 1

    assert queue.texts(CHAT) == ["payed"]
    assert await pending(redis, keys, outbox) == 0


async def test_an_event_failing_too_often_is_given_up(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    exchanger.failures = [Unavailable("bid_info", UnavailableReason.NETWORK)] * 5
    worker = make_worker(redis, keys, exchanger, bids, queue, claim_idle=0.01, max_deliveries=3)
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)

    for _ in range(3):
        await worker.process_available()
        await asyncio.sleep(0.12)

    assert len(exchanger.calls) == 3
    assert await pending(redis, keys, outbox) == 0
    assert queue.delivered == []


async def test_unknown_bids_and_bids_the_exchanger_no_longer_shows_are_acknowledged(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    record = await saved_bid(bids, exchanger)
    del exchanger.statuses["1053"]  # e.g. its direction was switched off (facts §4.8)
    await outbox.publish(source=EventSource.RECONCILER, bid_id="999")
    await outbox.publish(source=EventSource.CALLBACK, api_id=record.api_id)
    await redis.xadd(keys.outbox, {"source": "callback"})  # names no bid

    assert await make_worker(redis, keys, exchanger, bids, queue).process_available() == 3

    assert await pending(redis, keys, outbox) == 0
    assert queue.delivered == []


async def test_final_status_closes_the_bid_for_the_reconciler(
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
    assert await bids.open_bids() == []


async def test_a_new_bid_event_tells_the_operator_chat_once(
    redis: Redis,
    keys: RedisKeys,
    outbox: Outbox,
    bids: BidRepository,
    exchanger: FakeExchanger,
    queue: RecordingSendQueue,
) -> None:
    await saved_bid(bids, exchanger)
    for _ in range(2):
        await outbox.publish(source=EventSource.CREATED, bid_id="1053")

    await make_worker(redis, keys, exchanger, bids, queue).process_available()

    assert queue.texts(OPERATOR_CHAT) == ["new"]
    assert queue.texts(CHAT) == []


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
