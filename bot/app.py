"""Builds the Bot, Dispatcher, Redis and services; starts and stops everything in order.

One process runs the dispatcher (polling or webhook), the web server and, in demo mode, the
built-in sandbox exchanger. Everything that must survive a restart lives in Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import TypeVar

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand
from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.config import SUPPORTED_LOCALES, Settings
from bot.content import Content
from bot.exchanger import ExchangerClient
from bot.fsm import SealedStorage, conversation_cipher, fsm_key_builder
from bot.i18n import CatalogI18n, UserLocaleMiddleware, api_lang, create_i18n
from bot.isolation import RestartSafeEventIsolation
from bot.logs import one_line
from bot.notifications.messages import NotificationRenderer
from bot.notifications.notices import CreationNoticeQueue
from bot.notifications.outbox import Outbox
from bot.notifications.outgoing import CardRef
from bot.notifications.pacing import Pacing
from bot.notifications.receiver import CallbackReceiver
from bot.notifications.reconciler import Reconciler
from bot.notifications.schedule import CheckSchedule
from bot.notifications.send_queue import SendQueue
from bot.notifications.sender import PacedSender, sending_lease
from bot.notifications.tokens import CallbackTokens
from bot.notifications.unblock import clear_blocked_mark
from bot.notifications.worker import OutboxWorker, default_consumer_name
from bot.observability.metrics import BotMetrics
from bot.observability.middleware import RateLimitCounter, UpdateObserver
from bot.observability.readiness import Readiness
from bot.observability.web import Observability
from bot.once import HandleOnce
from bot.polling_lease import PollingLease
from bot.redelivery import RedeliveringDispatcher
from bot.sandbox import SANDBOX_KEY, SANDBOX_LOGIN, RunningSandbox, SandboxConfig, start_sandbox
from bot.send_budget import SendBudget
from bot.services.background import BackgroundTasks
from bot.services.bids import BidService
from bot.services.catalog import Catalog
from bot.services.conversation import Conversations
from bot.services.quotes import Quotes
from bot.services.saved_details import SavedDetails
from bot.storage.bids import BidRepository
from bot.storage.cache import JsonCache
from bot.storage.cipher import DataCipher
from bot.storage.creations import CreationLedger
from bot.storage.keys import RedisKeys
from bot.storage.profiles import UserProfiles
from bot.storage.redis import create_redis, redacted_url
from bot.storage.redis_url import RedisKind, url_kind
from bot.storage.requisites import SavedRequisites
from bot.storage.secrets import get_or_create_secret
from bot.storage.updates import HandledUpdates
from bot.supervision import Supervisor
from bot.telegram import AnsweredQueries, TelegramUnusable, call_at_start, create_bot
from bot.throttle import UserThrottle
from bot.views.direction import is_paused
from bot.views.fields import field_title
from bot.web import TELEGRAM_WEBHOOK_PATH, create_web_app
from bot.webhook_setup import ensure_webhook
from handlers import get_routers
from handlers.exchange.creation import BidCreations

logger = logging.getLogger(__name__)
T = TypeVar("T")
# How long a stop waits for updates that are being handled (an exchanger call included).
UPDATE_GRACE_SECONDS = 15.0
# An update's claim outlives a process that died handling it by at most this (bot/once.py).
UPDATE_CLAIM_LEASE = 30.0

# A conversation survives a restart and a customer who steps away to find a card; a draft left
# for a day is abandoned (its quote is stale anyway), and its answers should not outlive that.
FSM_TTL = timedelta(days=1)
# The sender's Telegram requests time out sooner than aiogram's default (60 s): the lease on a
# message's dedup key covers two of them (bot/notifications/sender.py `sending_lease`).
SENDER_REQUEST_TIMEOUT = 20.0

DEMO_BANNER = """
==========================================================================
 DEMO MODE: EXCHANGER_API_URL is empty, so the built-in sandbox exchanger
 answers instead of a real one ({url}).
 Rates, bids and payments are make-believe: no money moves.
 Set EXCHANGER_API_URL, EXCHANGER_API_LOGIN and EXCHANGER_API_KEY to go live.
=========================================================================="""


class StartupError(Exception):
    """The bot cannot start; the message is one line for the operator."""


async def finish_updates(dispatcher: Dispatcher) -> None:
    """Polling has stopped, but the updates it already took still run as tasks (aiogram does
    not wait for them): let them finish before Redis closes, or the customer gets an error, the
    step is half saved and the event-isolation lock stays held for a minute after a restart.
    """
    in_flight = set(dispatcher._handle_update_tasks)
    if in_flight:
        await asyncio.wait(in_flight, timeout=UPDATE_GRACE_SECONDS)


def build_dispatcher(
    *,
    redis: Redis,
    keys: RedisKeys,
    i18n: CatalogI18n,
    profiles: UserProfiles,
    cipher: DataCipher,
    webhook: bool,
) -> Dispatcher:
    key_builder = fsm_key_builder(keys)
    storage = SealedStorage(
        redis, cipher, key_builder=key_builder, state_ttl=FSM_TTL, data_ttl=FSM_TTL
    )
    # Event isolation: two quick clicks of one user are handled one after the other, so a
    # step cannot be passed twice, and several bot processes may share the work.
    isolation = RestartSafeEventIsolation(redis, key_builder=key_builder)
    dispatcher = RedeliveringDispatcher(
        storage=storage, events_isolation=isolation, handle_again=not webhook
    )
    # Redis is the app's, shared with the notification tasks and bid creation that outlive
    # polling: aiogram must not close it when polling stops (ExchangeBotApp.stop does, last).
    dispatcher.shutdown.handlers[:] = [
        handler
        for handler in dispatcher.shutdown.handlers
        if handler.callback != dispatcher.fsm.close
    ]
    dispatcher.shutdown.handlers.insert(
        0, HandlerObject(callback=partial(finish_updates, dispatcher))
    )
    # Right after aiogram's FSM middleware (inside the user's lock): a redelivered update is
    # handled once across every process on this Redis.
    HandleOnce(HandledUpdates(redis, keys, lease=UPDATE_CLAIM_LEASE)).setup(dispatcher)
    UserLocaleMiddleware(i18n, profiles).setup(dispatcher)
    dispatcher.include_routers(*get_routers())
    return dispatcher


async def set_commands(bot: Bot, i18n: CatalogI18n) -> None:
    for locale in SUPPORTED_LOCALES:
        with i18n.use_locale(locale):
            commands = [
                BotCommand(command="start", description=i18n.gettext("Main menu")),
                BotCommand(command="exchange", description=i18n.gettext("New exchange")),
                BotCommand(command="bids", description=i18n.gettext("My exchanges")),
                BotCommand(command="saved", description=i18n.gettext("Saved details")),
                BotCommand(command="cancel", description=i18n.gettext("Stop and go back")),
                BotCommand(command="language", description=i18n.gettext("Choose the language")),
                BotCommand(command="help", description=i18n.gettext("What the bot can do")),
            ]
        await bot.set_my_commands(commands, language_code=locale)
        if locale == i18n.default_locale:
            await bot.set_my_commands(commands)


class ExchangeBotApp:
    """The running bot. `start()` returns once it serves; `stop()` undoes it in reverse."""

    def __init__(self, settings: Settings, content: Content, *, notifications: bool = True) -> None:
        """`notifications=False` leaves out the worker, sender and reconciler (component tests
        run their own)."""
        self.settings = settings
        self.content = content
        self.notifications = notifications
        self.loops = Supervisor()
        self.sender_bot: Bot | None = None
        self.keys = RedisKeys(
            settings.REDIS_PREFIX, cluster=url_kind(settings.REDIS_URL) is RedisKind.CLUSTER
        )
        self.redis: Redis | None = None
        self.sandbox: RunningSandbox | None = None
        self.exchanger: ExchangerClient | None = None
        self.bot: Bot | None = None
        self.dispatcher: Dispatcher | None = None
        self.web_runner: web.AppRunner | None = None
        self.polling_task: asyncio.Task[None] | None = None
        self.polling_lease: PollingLease | None = None
        self.background = BackgroundTasks()
        # Series of this app alone (tests run many apps in one process); the instance id in
        # /healthz lets `python -m bot check` tell whether PUBLIC_URL reaches this process.
        self.metrics = BotMetrics()
        self.instance = secrets.token_hex(8)

    async def start(self) -> None:
        settings = self.settings
        self.redis = create_redis(settings.REDIS_URL)
        try:
            await self.redis.ping()  # type: ignore[misc]
        except (RedisError, OSError) as exc:
            raise StartupError(
                f"Redis at {redacted_url(settings.REDIS_URL)} does not answer: {exc}"
            ) from None

        self.exchanger = await self._start_exchanger()
        answered = AnsweredQueries()
        self.bot = create_bot(
            settings.BOT_TOKEN.get_secret_value(),
            settings.TELEGRAM_API_URL,
            answered,
            budget=send_budget(self.redis, self.keys, settings),
        )
        self.bot.session.middleware(RateLimitCounter(self.metrics))
        i18n = create_i18n(settings.DEFAULT_LOCALE)
        profiles = UserProfiles(self.redis, self.keys)
        data_cipher = DataCipher.from_setting(settings.DATA_KEY.get_secret_value())
        self.dispatcher = build_dispatcher(
            redis=self.redis,
            keys=self.keys,
            i18n=i18n,
            profiles=profiles,
            cipher=await conversation_cipher(self.redis, self.keys, data_cipher),
            webhook=settings.webhook_mode,
        )
        webhook_secret = settings.WEBHOOK_SECRET.get_secret_value() or await get_or_create_secret(
            self.redis, self.keys, "webhook"
        )
        callback_secret = settings.CALLBACK_SECRET.get_secret_value() or await get_or_create_secret(
            self.redis, self.keys, "callback"
        )
        bids = BidRepository(self.redis, self.keys)
        tokens = CallbackTokens(callback_secret)
        outbox = Outbox(self.redis, self.keys)
        await outbox.ensure_group()
        renderer = NotificationRenderer(i18n, settings.DEFAULT_LOCALE)
        send_queue = SendQueue(self.redis, self.keys)
        bid_service = BidService(
            self.exchanger,
            bids,
            CreationLedger(self.redis, self.keys),
            self.redis,
            self.keys,
            events=outbox,
            notices=CreationNoticeQueue(renderer, send_queue),
            callback_url=partial(_callback_url, tokens, settings.PUBLIC_URL),
            timeout=settings.EXCHANGER_TIMEOUT,
            lease=settings.creation_seconds,
            recheck_delay=settings.RECONCILE_INTERVAL,
        )
        self.dispatcher.update.outer_middleware(UpdateObserver(self.metrics))
        self.dispatcher.update.outer_middleware(clear_blocked_mark(self.redis, self.keys))
        self.metrics.watch_outbox(outbox.backlog)
        if settings.THROTTLE_RATE > 0:
            UserThrottle(
                self.redis,
                self.keys,
                i18n,
                profiles,
                rate=settings.THROTTLE_RATE,
                burst=settings.THROTTLE_BURST,
            ).install(self.dispatcher)
        catalog = Catalog(
            self.exchanger, JsonCache(self.redis, self.keys, on_lookup=self.metrics.cache_lookup)
        )
        conversations = Conversations(catalog, Quotes(self.exchanger), paused=is_paused)
        saved_details = SavedDetails(
            SavedRequisites(self.redis, self.keys, data_cipher),
            catalog,
            langs=[api_lang(locale) for locale in SUPPORTED_LOCALES],
            label_of=field_title,
        )
        creations = BidCreations(
            bot=self.bot,
            bids=bids,
            bid_service=bid_service,
            conversations=conversations,
            saved_details=saved_details,
            isolation=self.dispatcher.fsm.events_isolation,
            background=self.background,
        )
        self.dispatcher.workflow_data.update(
            settings=settings,
            content=self.content,
            exchanger=self.exchanger,
            profiles=profiles,
            redis_keys=self.keys,
            answered=answered,
            catalog=catalog,
            conversations=conversations,
            creations=creations,
            bids=bids,
            bid_service=bid_service,
            saved_details=saved_details,
            redis=self.redis,
        )
        await self._start_web(webhook_secret, CallbackReceiver(tokens, outbox))
        if self.notifications:
            self._start_notifications(bids, outbox, bid_service, renderer, send_queue)
        # Callbacks are already taken in and queued while Telegram is still being reached.
        bot = self.bot
        me = await self._call_telegram(bot.me)
        logger.info("Telegram answers for @%s", me.username)
        try:
            await self._call_telegram(partial(set_commands, bot, i18n))
        except TelegramAPIError as exc:  # the menu of commands is a nicety, not a reason to stop
            logger.warning("Could not set the bot's command list: %s", one_line(exc.message))

        if settings.webhook_mode:
            url = settings.PUBLIC_URL + TELEGRAM_WEBHOOK_PATH
            try:
                await ensure_webhook(
                    bot,
                    self.redis,
                    self.keys,
                    url=url,
                    secret=webhook_secret,
                    allowed_updates=self._allowed_updates(),
                    call=self._call_telegram,
                )
            except TelegramAPIError as exc:
                raise StartupError(
                    f"Setting PUBLIC_URL: Telegram refuses the webhook {url}: "
                    f"{one_line(exc.message)}"
                ) from None
            logger.info("Receiving updates by webhook at %s", url)
        else:
            self.polling_lease = PollingLease(self.redis, self.keys.polling)
            if not await self.polling_lease.take():
                self.polling_lease = None
                raise StartupError(
                    "Another bot process is long-polling Telegram with this REDIS_PREFIX: "
                    "polling allows one process; set PUBLIC_URL (webhook) to run several"
                )
            try:
                await self._call_telegram(partial(bot.delete_webhook, drop_pending_updates=False))
            except TelegramAPIError as exc:
                raise StartupError(
                    f"Telegram refuses deleteWebhook: {one_line(exc.message)}"
                ) from None
            self.polling_task = asyncio.create_task(
                self.dispatcher.start_polling(
                    self.bot,
                    handle_signals=False,
                    close_bot_session=False,
                    allowed_updates=self._allowed_updates(),
                )
            )
            logger.info("Receiving updates by long polling")

    async def _call_telegram(self, call: Callable[[], Awaitable[T]]) -> T:
        """A call to Telegram at start: waited for while Telegram cannot be reached, and a
        one-line StartupError when it answers in a way no waiting can fix."""
        try:
            return await call_at_start(call, api_url=self.settings.TELEGRAM_API_URL)
        except TelegramUnusable as exc:
            raise StartupError(str(exc)) from None

    def _allowed_updates(self) -> list[str]:
        assert self.dispatcher is not None
        return self.dispatcher.resolve_used_update_types()

    async def _start_exchanger(self) -> ExchangerClient:
        settings = self.settings
        if settings.demo_exchanger:
            self.sandbox = await start_sandbox(SandboxConfig(demo=True))
            logger.warning(DEMO_BANNER.format(url=self.sandbox.url))
            return ExchangerClient(
                self.sandbox.url,
                SANDBOX_LOGIN,
                SANDBOX_KEY,
                timeout=settings.EXCHANGER_TIMEOUT,
                observer=self.metrics.exchanger_call,
            )
        return ExchangerClient(
            settings.EXCHANGER_API_URL,
            settings.EXCHANGER_API_LOGIN,
            settings.EXCHANGER_API_KEY.get_secret_value(),
            timeout=settings.EXCHANGER_TIMEOUT,
            partner_id=settings.EXCHANGER_PARTNER_ID or None,
            observer=self.metrics.exchanger_call,
        )

    def _start_notifications(
        self,
        bids: BidRepository,
        outbox: Outbox,
        bid_service: BidService,
        renderer: NotificationRenderer,
        send_queue: SendQueue,
    ) -> None:
        """Worker, paced sender and reconciler (DESIGN.md §6), supervised loops of this process."""
        assert self.redis is not None and self.exchanger is not None
        settings = self.settings
        # The sender waits out 429s itself, for every queued message, so its Bot must not.
        self.sender_bot = create_bot(
            settings.BOT_TOKEN.get_secret_value(),
            settings.TELEGRAM_API_URL,
            retry_after=False,
            budget=send_budget(self.redis, self.keys, settings),
            # The gate counted the notifications themselves; the budget counts the edits.
            already_paced=frozenset({"sendMessage"}),
            timeout=SENDER_REQUEST_TIMEOUT,
        )
        self.sender_bot.session.middleware(RateLimitCounter(self.metrics))
        consumer = default_consumer_name()
        schedule = CheckSchedule(self.redis, self.keys)

        async def card_shown(card: CardRef, message_id: int) -> int | None:
            return await bids.show(card.bid_id, card.audience, message_id, card.status)

        sender = PacedSender(
            self.sender_bot,
            self.redis,
            self.keys,
            consumer=consumer,
            card_shown=card_shown,
            global_rate=settings.SEND_RATE_GLOBAL,
            chat_rate=settings.SEND_RATE_CHAT,
            group_per_minute=settings.SEND_RATE_GROUP,
            lease=sending_lease(SENDER_REQUEST_TIMEOUT),
            # A request takes ~0.1-0.2 s: enough of them at once to reach the global rate.
            max_in_flight=max(8, math.ceil(settings.SEND_RATE_GLOBAL / 4)),
            observer=self.metrics,
        )
        worker = OutboxWorker(
            self.redis,
            self.keys,
            self.exchanger,
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
            self.redis,
            self.keys,
            bids,
            schedule,
            interval=settings.RECONCILE_INTERVAL,
            max_age=timedelta(days=settings.RECONCILE_MAX_AGE_DAYS),
            resolve_creations=bid_service.resolve_due,
        )
        self.loops.start("sender", sender.run)
        self.loops.start("outbox-worker", worker.run)
        self.loops.start("reconciler", reconciler.run)
        self.metrics.watch_loops(self.loops)

    async def _stop_notifications(self) -> None:
        await self.loops.shutdown(timeout=self.settings.EXCHANGER_TIMEOUT + 5)
        if self.sender_bot is not None:
            await self.sender_bot.session.close()

    async def _start_web(self, webhook_secret: str, callbacks: CallbackReceiver) -> None:
        assert self.redis is not None and self.dispatcher is not None and self.bot is not None
        assert self.exchanger is not None
        settings = self.settings
        loops = self.loops if self.notifications else None
        app = create_web_app(
            redis=self.redis,
            mode="webhook" if settings.webhook_mode else "polling",
            exchanger="sandbox" if settings.demo_exchanger else "remote",
            webhook=(self.dispatcher, self.bot, webhook_secret) if settings.webhook_mode else None,
            callbacks=callbacks,
            loops=loops,
            grace=UPDATE_GRACE_SECONDS,
            observability=Observability(
                self.metrics,
                Readiness(self.redis, self.exchanger.test, loops),
                self.instance,
                settings.METRICS_TOKEN.get_secret_value(),
            ),
        )
        self.web_runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=UPDATE_GRACE_SECONDS
        )
        await self.web_runner.setup()
        site = web.TCPSite(self.web_runner, settings.WEB_HOST, settings.WEB_PORT)
        try:
            await site.start()
        except OSError as exc:
            raise StartupError(
                f"Setting WEB_PORT: cannot listen on {settings.WEB_HOST}:{settings.WEB_PORT}: "
                f"{exc.strerror}"
            ) from None
        logger.info("Web server listening on %s:%s", settings.WEB_HOST, settings.WEB_PORT)

    async def stop(self) -> None:
        if self.polling_task is not None and self.dispatcher is not None:
            with contextlib.suppress(RuntimeError):  # polling already stopped
                await self.dispatcher.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await self.polling_task
        if self.polling_lease is not None:
            await self.polling_lease.release()  # a process started next may poll at once
        if self.web_runner is not None:
            # Stops listening, answers posts still arriving 503, then waits up to the grace for
            # webhook updates in flight (bot.web.WebhookRequests): Redis closes after them.
            await self.web_runner.cleanup()
        await self._stop_notifications()
        await self.background.drain()
        if self.dispatcher is not None:
            await self.dispatcher.fsm.close()
        if self.bot is not None:
            await self.bot.session.close()
        if self.exchanger is not None:
            await self.exchanger.aclose()
        if self.sandbox is not None:
            await self.sandbox.stop()
        if self.redis is not None:
            await self.redis.aclose()


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
