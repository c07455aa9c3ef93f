"""The notification pipeline (DESIGN.md §6): the renderer and the queues the handlers' bid
service uses, and the worker, paced sender and reconciler as supervised loops of this process.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from aiogram import Bot
from redis.asyncio import Redis

from bot.config import Settings
from bot.exchanger import ExchangerClient
from bot.i18n import CatalogI18n
from bot.middlewares.observe import RateLimitCounter
from bot.notifications.notices import CreationNoticeQueue
from bot.notifications.outbox import Outbox
from bot.notifications.outgoing import CardRef
from bot.notifications.pacing import Pacing
from bot.notifications.reconciler import Reconciler
from bot.notifications.schedule import CheckSchedule
from bot.notifications.send_budget import SendBudget
from bot.notifications.send_queue import SendQueue
from bot.notifications.sender import PacedSender, sending_lease
from bot.notifications.tokens import CallbackTokens
from bot.notifications.worker import OutboxWorker, default_consumer_name
from bot.observability.metrics import BotMetrics
from bot.services.bids import BidService
from bot.storage.bids import BidRepository
from bot.storage.creations import CreationLedger
from bot.storage.keys import RedisKeys
from bot.storage.referrals import ReferralStore
from bot.supervision import Supervisor
from bot.telegram import create_bot
from bot.views.notifications import NotificationRenderer

# The sender's Telegram requests time out sooner than aiogram's default (60 s): the lease on a
# message's dedup key covers two of them (bot/notifications/sender.py `sending_lease`).
SENDER_REQUEST_TIMEOUT = 20.0


@dataclass(frozen=True)
class Pipeline:
    """What the handlers and the loops share: bids, the outbox of bid events, the queue of
    messages to send, the texts, and the bid service that feeds them."""

    bids: BidRepository
    outbox: Outbox
    send_queue: SendQueue
    renderer: NotificationRenderer
    bid_service: BidService


async def build_pipeline(
    redis: Redis,
    keys: RedisKeys,
    exchanger: ExchangerClient,
    i18n: CatalogI18n,
    tokens: CallbackTokens,
    settings: Settings,
) -> Pipeline:
    bids = BidRepository(redis, keys)
    outbox = Outbox(redis, keys)
    await outbox.ensure_group()
    renderer = NotificationRenderer(i18n, settings.DEFAULT_LOCALE)
    send_queue = SendQueue(redis, keys)
    bid_service = BidService(
        exchanger,
        bids,
        CreationLedger(redis, keys),
        redis,
        keys,
        events=outbox,
        notices=CreationNoticeQueue(renderer, send_queue),
        callback_url=partial(_callback_url, tokens, settings.PUBLIC_URL),
        timeout=settings.EXCHANGER_TIMEOUT,
        lease=settings.creation_seconds,
        recheck_delay=settings.RECONCILE_INTERVAL,
        referrals=ReferralStore(redis, keys),
    )
    return Pipeline(bids, outbox, send_queue, renderer, bid_service)


def start_loops(
    pipeline: Pipeline,
    loops: Supervisor,
    *,
    redis: Redis,
    keys: RedisKeys,
    exchanger: ExchangerClient,
    metrics: BotMetrics,
    settings: Settings,
) -> Bot:
    """Worker, paced sender and reconciler, supervised by `loops`; returns the sender's Bot
    (its session is the caller's to close)."""
    bids, outbox, send_queue = pipeline.bids, pipeline.outbox, pipeline.send_queue
    renderer, bid_service = pipeline.renderer, pipeline.bid_service
    # The sender waits out 429s itself, for every queued message, so its Bot must not.
    sender_bot = create_bot(
        settings.BOT_TOKEN.get_secret_value(),
        settings.TELEGRAM_API_URL,
        retry_after=False,
        budget=send_budget(redis, keys, settings),
        # The gate counted the notifications themselves; the budget counts the edits.
        already_paced=frozenset({"sendMessage"}),
        timeout=SENDER_REQUEST_TIMEOUT,
    )
    sender_bot.session.middleware(RateLimitCounter(metrics))
    consumer = default_consumer_name()
    schedule = CheckSchedule(redis, keys)

    async def card_shown(card: CardRef, message_id: int) -> int | None:
        return await bids.show(card.bid_id, card.audience, message_id, card.status)

    sender = PacedSender(
        sender_bot,
        redis,
        keys,
        consumer=consumer,
        card_shown=card_shown,
        global_rate=settings.SEND_RATE_GLOBAL,
        chat_rate=settings.SEND_RATE_CHAT,
        group_per_minute=settings.SEND_RATE_GROUP,
        lease=sending_lease(SENDER_REQUEST_TIMEOUT),
        # A request takes ~0.1-0.2 s: enough of them at once to reach the global rate.
        max_in_flight=max(8, math.ceil(settings.SEND_RATE_GLOBAL / 4)),
        observer=metrics,
    )
    worker = OutboxWorker(
        redis,
        keys,
        exchanger,
        bids,
        send_queue,
        renderer,
        consumer=consumer,
        operator_chat_id=settings.OPERATOR_CHAT_ID,
        schedule=schedule,
        adopter=bid_service,
        outbox=outbox,
        # One check waits at most as long as one creation attempt may take.
        check_lease=settings.creation_seconds + 10,
    )
    reconciler = Reconciler(
        redis,
        keys,
        bids,
        schedule,
        interval=settings.RECONCILE_INTERVAL,
        max_age=timedelta(days=settings.RECONCILE_MAX_AGE_DAYS),
        resolve_creations=bid_service.resolve_due,
    )
    loops.start("sender", sender.run)
    loops.start("outbox-worker", worker.run)
    loops.start("reconciler", reconciler.run)
    metrics.watch_loops(loops)
    return sender_bot


def send_budget(redis: Redis, keys: RedisKeys, settings: Settings) -> SendBudget:
    """Telegram's limits as the settings give them, shared by replies and notifications."""
    return SendBudget(
        redis,
        keys,
        Pacing.from_rates(
            global_rate=settings.SEND_RATE_GLOBAL,
            chat_rate=settings.SEND_RATE_CHAT,
            group_per_minute=settings.SEND_RATE_GROUP,
        ),
    )


def _callback_url(tokens: CallbackTokens, public_url: str, api_id: str) -> str | None:
    """The callback_url handed to create_bid; none without a public URL to reach us at."""
    return tokens.url(public_url, api_id) if public_url else None
