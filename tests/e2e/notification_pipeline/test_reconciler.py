"""The reconciler catches what no callback told: a lost callback, or every change when the bot
has no public URL for callbacks at all."""

from __future__ import annotations

import time

from bot.app import ExchangeBotApp
from bot.i18n import create_i18n
from bot.notifications.outbox import Outbox
from bot.notifications.reconciler import Reconciler
from bot.notifications.schedule import CheckSchedule
from bot.notifications.worker import OutboxWorker
from bot.sandbox import RunningSandbox
from bot.storage.bids import BidRepository
from bot.views.notifications import NotificationRenderer
from tests.e2e.notification_pipeline.pipeline import Pipeline, RecordingSendQueue, new_bid
from tests.e2e.steps import create_sber_to_usdt_bid, greet
from tests.fake_telegram import FakeTelegram


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
