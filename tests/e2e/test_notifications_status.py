"""A customer hears of every status change of their bid exactly once (DESIGN.md §6).

The bid is created through the chat; the sandbox exchanger then posts its real callbacks
(form POST, once, no retry: facts §7, §9.12) over HTTP to the callback receiver, the worker
reads bid_info and hands messages to the send queue. Telegram delivery itself is the paced
sender's job: here a recording queue stands in for it, honouring the one promise the worker
relies on (a dedup_key is delivered once).

These are component stories: the bot runs without its own worker, sender and reconciler, and
the tests drive theirs step by step (`pipeline` below). test_status_notifications.py runs the
whole app as deployed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import partial
from typing import cast

import aiohttp
import pytest_asyncio
from aiohttp import web
from redis.asyncio import Redis

from bot.app import ExchangeBotApp
from bot.i18n import create_i18n
from bot.notifications.messages import NotificationRenderer
from bot.notifications.outbox import Outbox
from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.receiver import CallbackReceiver
from bot.notifications.reconciler import Reconciler
from bot.notifications.schedule import CheckSchedule
from bot.notifications.tokens import CALLBACK_PATH_PREFIX, CallbackTokens
from bot.notifications.worker import OutboxWorker
from bot.sandbox import RunningSandbox
from bot.services.bids import BidService
from bot.storage.bids import BidRecord, BidRepository
from bot.storage.keys import RedisKeys
from bot.storage.secrets import get_or_create_secret
from bot.web import create_web_app
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import create_sber_to_usdt_bid, greet
from tests.fake_telegram import FakeTelegram
from tests.redis_server import free_port

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


@pytest_asyncio.fixture
async def bot_app(make_settings: SettingsFactory) -> AsyncIterator[ExchangeBotApp]:
    """The bot without its own notification tasks: the tests run theirs."""
    async with running_bot(make_settings(), notifications=False) as app:
        yield app


@pytest_asyncio.fixture
async def pipeline(bot_app: ExchangeBotApp, sandbox: RunningSandbox) -> AsyncIterator[Pipeline]:
    """Receiver on its own port, and the bot's bid creation handing out callback URLs to it
    (the same secret: both read the generated "callback" secret from Redis)."""
    assert bot_app.redis is not None and bot_app.exchanger is not None
    assert bot_app.dispatcher is not None
    redis, keys = bot_app.redis, bot_app.keys
    tokens = CallbackTokens(await get_or_create_secret(redis, keys, "callback"))
    outbox = Outbox(redis, keys)
    await outbox.ensure_group()
    bids: BidRepository = bot_app.dispatcher.workflow_data["bids"]
    web_app = create_web_app(
        redis=redis,
        mode="polling",
        exchanger="remote",
        callbacks=CallbackReceiver(tokens, outbox),
    )
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    base_url = f"http://127.0.0.1:{port}"
    # Polling copied the handler data at start: the running service is told the URL instead.
    bid_service: BidService = bot_app.dispatcher.workflow_data["bid_service"]
    bid_service._callback_url = partial(tokens.url, base_url)
    try:
        yield Pipeline(
            bot_app,
            sandbox,
            redis,
            keys,
            bids,
            outbox,
            tokens,
            base_url,
            NotificationRenderer(create_i18n("en"), "en"),
        )
    finally:
        await runner.cleanup()


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


async def test_customer_and_operators_hear_each_status_change_once_from_real_callbacks(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    worker = pipeline.worker()

    for status in ("payed", "realpay", "success"):
        await pipeline.change(bid_id, status)
        assert await worker.process_available() == 1

    assert pipeline.queue.to(chat_id) == ["payed", "realpay", "success"]
    assert pipeline.queue.to(OPERATOR_CHAT) == ["payed", "realpay", "success"]
    last = pipeline.queue.delivered[-2]
    assert last.chat_id == chat_id and f"Exchange #{bid_id}" in last.text
    assert [(c.status, c.outcome, c.http_status) for c in pipeline.sandbox.state.callback_log] == [
        ("payed", "sent", 200),
        ("realpay", "sent", 200),
        ("success", "sent", 200),
    ]
    record = await pipeline.record(bid_id)
    assert (record.status, record.card_status, record.operator_status) == ("success",) * 3
    assert bid_id not in await pipeline.bids.open_bids()
    assert await pipeline.pending() == 0


async def test_fifty_duplicate_and_replayed_callbacks_give_no_extra_message(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    worker = pipeline.worker()
    for status in ("payed", "realpay"):
        await pipeline.change(bid_id, status)
        await worker.process_available()
    assert pipeline.queue.to(chat_id) == ["payed", "realpay"]
    callback_url = pipeline.sandbox.state.callback_log[0].url

    lies = ["payed", "realpay", "new", "success", "cancel"]  # replays, and bodies that lie
    async with aiohttp.ClientSession() as session:
        for number in range(50):
            body = {"bid_id": bid_id, "status": lies[number % len(lies)]}
            async with session.post(callback_url, data=body) as response:
                assert (response.status, await response.text()) == (200, "OK")

    reads = pipeline.sandbox.state.method_calls["bid_info"]
    assert await worker.process_available() == 50
    assert pipeline.sandbox.state.method_calls["bid_info"] - reads == 1  # one read answers all
    assert pipeline.queue.to(chat_id) == ["payed", "realpay"]
    assert pipeline.queue.to(OPERATOR_CHAT) == ["payed", "realpay"]
    assert await pipeline.pending() == 0


async def test_forged_callback_gets_404_and_changes_nothing(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    record = await pipeline.record(bid_id)
    genuine = pipeline.tokens.make(record.api_id)
    forged = [
        f"{record.api_id}.{'0' * 32}",
        f"{record.api_id}x.{genuine.split('.')[1]}",
        CallbackTokens("another secret").make(record.api_id),
        genuine[:-1],
        "select",
    ]

    written = await pipeline.stream_length()
    async with aiohttp.ClientSession() as session:
        for token in forged:
            url = pipeline.base_url + CALLBACK_PATH_PREFIX + token
            async with session.post(url, data={"bid_id": bid_id, "status": "success"}) as response:
                assert response.status == 404, token

    assert await pipeline.stream_length() == written  # nothing forged was queued
    assert await pipeline.worker().process_available() == 0
    assert pipeline.queue.to(chat_id) == []


async def test_worker_killed_before_acking_leaves_the_message_to_another_exactly_once(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    await pipeline.change(bid_id, "payed")
    # Worker A reads the event and dies before doing anything with it.
    taken = cast(
        "list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]]",
        await pipeline.redis.xreadgroup(
            pipeline.outbox.group, "worker-a", {pipeline.keys.outbox: ">"}, count=10
        ),
    )
    [(_stream, [(entry_id, _fields)])] = taken
    worker_b = pipeline.worker("worker-b", claim_idle=0.05)
    assert await worker_b.process_available() == 0  # A's entry is not idle long enough yet

    await asyncio.sleep(0.1)
    assert await worker_b.process_available() == 1

    assert pipeline.queue.to(chat_id) == ["payed"]
    acked_late = await pipeline.redis.xack(pipeline.keys.outbox, pipeline.outbox.group, entry_id)
    assert acked_late == 0
    assert await pipeline.worker("worker-a").process_available() == 0
    assert pipeline.queue.to(chat_id) == ["payed"]
    assert await pipeline.pending() == 0


async def test_worker_killed_between_handing_over_and_marking_still_sends_once(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    await pipeline.change(bid_id, "payed")
    dying = pipeline.worker(
        "worker-a", bids=DiesBeforeMarking(pipeline.redis, pipeline.keys), check_lease=0.05
    )
    with contextlib.suppress(Killed):
        await dying.process_available()
    assert await pipeline.due() == 1  # the read it was doing lapses, not the bid

    await asyncio.sleep(0.1)
    await pipeline.worker("worker-b").process_available()

    customer = [m for m in pipeline.queue.enqueued if m.chat_id == chat_id]
    assert len(customer) == 2  # handed over twice, under one key
    assert customer[0].dedup_key == customer[1].dedup_key
    assert pipeline.queue.to(chat_id) == ["payed"]
    assert (await pipeline.record(bid_id)).card_status == "payed"
    assert (await pipeline.pending(), await pipeline.due()) == (0, 0)


async def test_a_lost_callback_is_caught_by_the_reconciler(
    fake_telegram: FakeTelegram, pipeline: Pipeline
) -> None:
    bid_id, chat_id = await new_bid(fake_telegram, pipeline)
    worker = pipeline.worker()
    clock = [time.time()]
    reconciler = pipeline.reconciler(clock)
    assert await reconciler.run_once() == 1  # a new bid is due at once: nothing changed yet
    await worker.process_available()
    assert pipeline.queue.to(chat_id) == []

    pipeline.sandbox.state.drop_next_callbacks(1)
    await pipeline.change(bid_id, "payed")
    assert await worker.process_available() == 0  # the exchanger never called
    assert pipeline.queue.to(chat_id) == []
    clock[0] += 60
    assert await reconciler.run_once() == 1
    await worker.process_available()

    assert pipeline.queue.to(chat_id) == ["payed"]
    assert [c.outcome for c in pipeline.sandbox.state.callback_log] == ["dropped"]


async def test_without_public_url_the_reconciler_alone_tells_every_change(
    fake_telegram: FakeTelegram, bot_app: ExchangeBotApp, sandbox: RunningSandbox
) -> None:
    assert bot_app.redis is not None and bot_app.exchanger is not None
    assert bot_app.dispatcher is not None
    assert bot_app.settings.PUBLIC_URL == ""
    customer = fake_telegram.user("Alice")
    await greet(customer)
    bid_id, chat_id = await create_sber_to_usdt_bid(customer), customer.chat.id
    bids: BidRepository = bot_app.dispatcher.workflow_data["bids"]
    queue = RecordingSendQueue()
    outbox = Outbox(bot_app.redis, bot_app.keys)
    await outbox.ensure_group()
    worker = OutboxWorker(
        bot_app.redis,
        bot_app.keys,
        bot_app.exchanger,
        bids,
        queue,
        NotificationRenderer(create_i18n("en"), "en"),
        consumer="only",
        operator_chat_id=None,
        schedule=CheckSchedule(bot_app.redis, bot_app.keys, min_interval=0),
    )
    clock = [time.time()]
    reconciler = Reconciler(
        bot_app.redis,
        bot_app.keys,
        bids,
        CheckSchedule(bot_app.redis, bot_app.keys, min_interval=0),
        interval=60,
        clock=lambda: clock[0],
    )

    assert await worker.process_available() == 1  # the new-bid event; no operator chat here
    for status in ("payed", "realpay", "success"):
        sandbox.state.set_bid_status(int(bid_id), status)
        clock[0] += 60
        assert await reconciler.run_once() == 1
        await worker.process_available()

    assert queue.to(chat_id) == ["payed", "realpay", "success"]
    assert sandbox.state.callback_log == []
    clock[0] += 3600
    assert await reconciler.run_once() == 0  # success is final: the bid is not asked about again
