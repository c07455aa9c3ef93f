"""The outbox worker: an event is a pointer, bid_info is the truth, one message per change and
audience, one bid_info for any number of events about a bid."""

from __future__ import annotations

import asyncio
import time

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.exchanger import Bid, NoBidExists, Unavailable
from bot.exchanger.errors import UnavailableReason
from bot.notifications.outbox import EventSource, Outbox
from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.schedule import CheckSchedule
from bot.notifications.worker import OutboxWorker
from bot.storage.bids import BidRecord, BidRepository
from bot.storage.keys import RedisKeys

OPERATOR_CHAT = -100500
CHAT = 4242


class FakeExchanger:
    """bid_info answers from `statuses`; `failures` makes the next calls fail first; `slow`
    holds the answer for a bid that long."""

    def __init__(self) -> None:
        self.statuses: dict[str, str] = {}
        self.failures: list[Exception] = []
        self.calls: list[tuple[str | None, str | None]] = []
        self.slow: dict[str, float] = {}

    async def bid_info(
        self, *, bid_id: str | None = None, bid_hash: str | None = None, lang: str | None = None
    ) -> Bid:
        self.calls.append((bid_id, lang))
        if self.failures:
            raise self.failures.pop(0)
        if bid_id in self.slow:
            await asyncio.sleep(self.slow[bid_id])
        assert bid_id is not None
        if bid_id not in self.statuses:
            raise NoBidExists("bid_info", "1", "no bid exists")
        return Bid.model_validate({"id": bid_id, "hash": "h" * 35, "status": self.statuses[bid_id]})


class StubRenderer:
    def customer_card(
        self, record: BidRecord, bid: Bid, *, first: bool, dedup_key: str
    ) -> OutgoingMessage:
        text = f"created {bid.status}" if first else bid.status
        return OutgoingMessage(chat_id=record.chat_id, text=text, dedup_key=dedup_key)

    def operator_card(
        self, record: BidRecord, bid: Bid, chat_id: int, *, is_new: bool, dedup_key: str
    ) -> OutgoingMessage:
        text = f"new {bid.status}" if is_new else bid.status
        return OutgoingMessage(chat_id=chat_id, text=text, dedup_key=dedup_key)


class RecordingAdopter:
    def __init__(self) -> None:
        self.asked: list[str] = []

    async def adopt_api_id(self, api_id: str) -> bool:
        self.asked.append(api_id)
        return True


class RecordingSendQueue:
    """Stand-in for the sender's queue: delivers each dedup_key once."""

    def __init__(self) -> None:
        self.delivered: list[OutgoingMessage] = []
        self.arrived = asyncio.Event()

    async def enqueue_many(self, messages: list[OutgoingMessage]) -> None:
        keys = {m.dedup_key for m in self.delivered}
        self.delivered.extend(m for m in messages if m.dedup_key not in keys)
        self.arrived.set()

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
    max_attempts: int = 20,
    consumer: str = "w1",
    min_interval: float = 0.0,
    concurrency: int = 16,
    adopter: RecordingAdopter | None = None,
    claim_idle: float = 0.05,
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
        schedule=CheckSchedule(redis, keys, min_interval=min_interval),
        adopter=adopter,
        concurrency=concurrency,
        claim_idle=claim_idle,
        max_attempts=max_attempts,
        retry_delay=0.05,
        max_retry_delay=0.1,
    )


async def saved_bid(
    bids: BidRepository,
    exchanger: FakeExchanger,
    bid_id: str = "1053",
    locale: str = "ru",
    *,
    card_status: str | None = "new",
    operator_status: str | None = "new",
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
        card_status=card_status,
        operator_status=operator_status,
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
