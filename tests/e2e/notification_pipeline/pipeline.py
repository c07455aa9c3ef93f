"""The notification pipeline the stories drive step by step: the bot's callback receiver, outbox,
worker and reconciler on the bot's own Redis, with a recording queue standing in for the paced
sender (it honours the one promise the worker relies on: a dedup_key is delivered once)."""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.asyncio import Redis

from bot.app import ExchangeBotApp
from bot.notifications.outbox import Outbox
from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.reconciler import Reconciler
from bot.notifications.schedule import CheckSchedule
from bot.notifications.tokens import CallbackTokens
from bot.notifications.worker import OutboxWorker
from bot.sandbox import RunningSandbox
from bot.storage.bids import BidRecord, BidRepository
from bot.storage.keys import RedisKeys
from bot.views.notifications import NotificationRenderer
from tests.e2e.steps import create_sber_to_usdt_bid, greet
from tests.fake_telegram import FakeTelegram

OPERATOR_CHAT = -1001234567890


class RecordingSendQueue:
    """Stand-in for `bot.notifications.sender.SendQueue`: what was handed over, and what a
    sender that delivers each dedup_key once would deliver."""

    def __init__(self) -> None:
        self.enqueued: list[OutgoingMessage] = []
        self.delivered: list[OutgoingMessage] = []

    async def enqueue_many(self, messages: list[OutgoingMessage]) -> None:
        for message in messages:
            self.enqueued.append(message)
            if all(sent.dedup_key != message.dedup_key for sent in self.delivered):
                self.delivered.append(message)

    def to(self, chat_id: int) -> list[str]:
        """The status codes each message to `chat_id` announced, in order (the operators'
        card of a new bid is not a status change and is left out)."""
        return [
            m.dedup_key.split(":")[3]
            for m in self.delivered
            if m.chat_id == chat_id and ":0:new:" not in m.dedup_key
        ]


class Killed(BaseException):
    """The process dies here: nothing after this line runs, no handler catches it."""


class DiesBeforeMarking(BidRepository):
    async def mark_told(self, bid_id: str, **told: object) -> bool:
        raise Killed


@dataclass
class Pipeline:
    app: ExchangeBotApp
    sandbox: RunningSandbox
    redis: Redis
    keys: RedisKeys
    bids: BidRepository
    outbox: Outbox
    tokens: CallbackTokens
    base_url: str
    renderer: NotificationRenderer
    queue: RecordingSendQueue = field(default_factory=RecordingSendQueue)

    def worker(
        self,
        consumer: str = "worker-1",
        *,
        claim_idle: float = 30.0,
        bids: BidRepository | None = None,
        check_lease: float = 30.0,
    ) -> OutboxWorker:
        assert self.app.exchanger is not None
        return OutboxWorker(
            self.redis,
            self.keys,
            self.app.exchanger,
            bids or self.bids,
            self.queue,
            self.renderer,
            consumer=consumer,
            operator_chat_id=OPERATOR_CHAT,
            schedule=CheckSchedule(self.redis, self.keys, min_interval=0),
            claim_idle=claim_idle,
            check_lease=check_lease,
            outbox=self.outbox,
        )

    def reconciler(self, clock: list[float]) -> Reconciler:
        return Reconciler(
            self.redis,
            self.keys,
            self.bids,
            CheckSchedule(self.redis, self.keys, min_interval=0),
            interval=60,
            clock=lambda: clock[0],
        )

    async def change(self, bid_id: str, status: str) -> None:
        """The operator moves the bid on; its callback (if any) has arrived when this returns."""
        self.sandbox.state.set_bid_status(int(bid_id), status)
        await self.sandbox.state.callbacks.wait_idle()

    async def record(self, bid_id: str) -> BidRecord:
        record = await self.bids.get(bid_id)
        assert record is not None
        return record

    async def stream_length(self) -> int:
        length: int = await self.redis.xlen(self.keys.outbox)
        return length

    async def pending(self) -> int:
        summary = await self.redis.xpending(self.keys.outbox, self.outbox.group)
        count: int = summary["pending"]
        return count

    async def due(self) -> int:
        """Bids waiting for a read (the check schedule)."""
        count: int = await self.redis.zcard(self.keys.notify_due)
        return count


async def new_bid(
    fake_telegram: FakeTelegram, pipeline: Pipeline, name: str = "Alice"
) -> tuple[str, int]:
    """A customer creates a bid in the chat: (bid id, their chat id). The operators' card of
    the new bid (no callback comes for creation, facts §7) is handed over on the way."""
    customer = fake_telegram.user(name)
    await greet(customer)
    bid_id = await create_sber_to_usdt_bid(customer)
    assert await pipeline.worker("announcer").process_available() == 1
    assert pipeline.queue.delivered[-1].dedup_key == f"op:{bid_id}:0:new:{OPERATOR_CHAT}"
    return bid_id, customer.chat.id
