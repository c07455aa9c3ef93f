"""Builds the Bot, Dispatcher, Redis and services; starts and stops everything in order.

One process runs the dispatcher (polling or webhook), the web server and, in demo mode, the
built-in sandbox exchanger. Everything that must survive a restart lives in Redis. How each
part is built is bot/wiring's; the order they start and stop in is here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.config import Settings
from bot.content import Content
from bot.exchanger import ExchangerClient
from bot.fsm import conversation_cipher
from bot.i18n import create_i18n
from bot.logs import one_line
from bot.middlewares.observe import RateLimitCounter
from bot.middlewares.requests import AnsweredQueries
from bot.notifications.receiver import CallbackReceiver
from bot.notifications.tokens import CallbackTokens
from bot.observability.metrics import BotMetrics
from bot.polling_lease import PollingLease
from bot.sandbox import RunningSandbox
from bot.services.background import BackgroundTasks
from bot.storage.cipher import DataCipher
from bot.storage.keys import RedisKeys
from bot.storage.profiles import UserProfiles
from bot.storage.redis import create_redis, redacted_url
from bot.storage.redis_url import RedisKind, url_kind
from bot.storage.secrets import get_or_create_secret
from bot.supervision import Supervisor
from bot.telegram import TelegramUnusable, call_at_start, create_bot
from bot.web import TELEGRAM_WEBHOOK_PATH
from bot.webhook_setup import ensure_webhook
from bot.wiring import StartupError
from bot.wiring.commands import set_commands, set_descriptions
from bot.wiring.dispatcher import build_dispatcher, install_update_middlewares
from bot.wiring.exchanger import start_exchanger
from bot.wiring.notifications import build_pipeline, send_budget, start_loops
from bot.wiring.services import handler_data
from bot.wiring.web import start_web_server

__all__ = ["ExchangeBotApp", "StartupError"]

logger = logging.getLogger(__name__)
T = TypeVar("T")


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
        self.redis = redis = create_redis(settings.REDIS_URL)
        try:
            await redis.ping()  # type: ignore[misc]
        except (RedisError, OSError) as exc:
            raise StartupError(
                f"Redis at {redacted_url(settings.REDIS_URL)} does not answer: {exc}"
            ) from None

        self.exchanger, self.sandbox = await start_exchanger(settings, self.metrics)
        answered = AnsweredQueries()
        self.bot = create_bot(
            settings.BOT_TOKEN.get_secret_value(),
            settings.TELEGRAM_API_URL,
            answered,
            budget=send_budget(redis, self.keys, settings),
        )
        self.bot.session.middleware(RateLimitCounter(self.metrics))
        i18n = create_i18n(
            settings.DEFAULT_LOCALE, self.content.texts, has_info_pages=bool(self.content.pages)
        )
        profiles = UserProfiles(redis, self.keys)
        data_cipher = DataCipher.from_setting(settings.DATA_KEY.get_secret_value())
        self.dispatcher = build_dispatcher(
            redis=redis,
            keys=self.keys,
            i18n=i18n,
            profiles=profiles,
            cipher=await conversation_cipher(redis, self.keys, data_cipher),
            webhook=settings.webhook_mode,
        )
        webhook_secret = settings.WEBHOOK_SECRET.get_secret_value() or await get_or_create_secret(
            redis, self.keys, "webhook"
        )
        callback_secret = settings.CALLBACK_SECRET.get_secret_value() or await get_or_create_secret(
            redis, self.keys, "callback"
        )
        tokens = CallbackTokens(callback_secret)
        pipeline = await build_pipeline(redis, self.keys, self.exchanger, i18n, tokens, settings)
        install_update_middlewares(
            self.dispatcher,
            redis=redis,
            keys=self.keys,
            i18n=i18n,
            profiles=profiles,
            metrics=self.metrics,
            settings=settings,
        )
        self.metrics.watch_outbox(pipeline.outbox.backlog)
        self.dispatcher.workflow_data.update(
            handler_data(
                self.dispatcher,
                self.bot,
                settings=settings,
                content=self.content,
                redis=redis,
                keys=self.keys,
                exchanger=self.exchanger,
                profiles=profiles,
                answered=answered,
                pipeline=pipeline,
                data_cipher=data_cipher,
                background=self.background,
                metrics=self.metrics,
            )
        )
        self.web_runner = await start_web_server(
            settings,
            redis=redis,
            dispatcher=self.dispatcher,
            bot=self.bot,
            exchanger=self.exchanger,
            webhook_secret=webhook_secret,
            callbacks=CallbackReceiver(tokens, pipeline.outbox),
            loops=self.loops if self.notifications else None,
            metrics=self.metrics,
            instance=self.instance,
        )
        if self.notifications:
            self.sender_bot = start_loops(
                pipeline,
                self.loops,
                redis=redis,
                keys=self.keys,
                exchanger=self.exchanger,
                metrics=self.metrics,
                settings=settings,
            )
        # Callbacks are already taken in and queued while Telegram is still being reached.
        bot = self.bot
        me = await self._call_telegram(bot.me)
        logger.info("Telegram answers for @%s", me.username)
        try:
            await self._call_telegram(partial(set_commands, bot, i18n, settings.ADMIN_IDS))
        except TelegramAPIError as exc:  # the menu of commands is a nicety, not a reason to stop
            logger.warning("Could not set the bot's command list: %s", one_line(exc.message))
        try:
            await self._call_telegram(partial(set_descriptions, bot, i18n))
        except TelegramAPIError as exc:  # so is the description
            logger.warning("Could not set the bot's description: %s", one_line(exc.message))
        await self._receive_updates(redis, bot, webhook_secret)

    async def _receive_updates(self, redis: Redis, bot: Bot, webhook_secret: str) -> None:
        """By webhook with PUBLIC_URL set, else by long polling (one process at a time)."""
        assert self.dispatcher is not None
        settings = self.settings
        if settings.webhook_mode:
            url = settings.PUBLIC_URL + TELEGRAM_WEBHOOK_PATH
            try:
                await ensure_webhook(
                    bot,
                    redis,
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
            self.polling_lease = PollingLease(redis, self.keys.polling)
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
                    bot,
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

    async def _stop_notifications(self) -> None:
        await self.loops.shutdown(timeout=self.settings.EXCHANGER_TIMEOUT + 5)
        if self.sender_bot is not None:
            await self.sender_bot.session.close()

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
