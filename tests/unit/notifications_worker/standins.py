"""Stand-ins around the outbox worker (an exchanger answering bid_info, a renderer, a send queue
that delivers each dedup_key once) and a worker built on them."""

from __future__ import annotations

import asyncio
import time

from redis.asyncio import Redis

from bot.exchanger import Bid, NoBidExists
from bot.notifications.outbox import Outbox
from bot.notifications.outgoing import OutgoingMessage, QrPush
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

    def customer_qr(self, record: BidRecord, bid: Bid, *, with_card: bool) -> QrPush | None:
        return None  # these bids have no payment address


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
