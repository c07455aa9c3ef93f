"""The Dispatcher: conversation storage in Redis, the update middlewares in their order, and the
routers (the command menus are set in bot/wiring/commands.py)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial

from aiogram import Dispatcher
from aiogram.dispatcher.event.handler import HandlerObject
from redis.asyncio import Redis

from bot.config import Settings
from bot.fsm import SealedStorage, fsm_key_builder
from bot.i18n import CatalogI18n
from bot.isolation import RestartSafeEventIsolation
from bot.middlewares.locale import UserLocaleMiddleware
from bot.middlewares.observe import UpdateObserver
from bot.middlewares.once import HandleOnce
from bot.middlewares.throttle import UserThrottle
from bot.middlewares.unblock import clear_blocked_mark
from bot.observability.metrics import BotMetrics
from bot.redelivery import RedeliveringDispatcher
from bot.storage.cipher import DataCipher
from bot.storage.keys import RedisKeys
from bot.storage.profiles import UserProfiles
from bot.storage.updates import HandledUpdates
from handlers import get_routers

# How long a stop waits for updates that are being handled (an exchanger call included).
UPDATE_GRACE_SECONDS = 15.0
# An update's claim outlives a process that died handling it by at most this
# (bot/middlewares/once.py).
UPDATE_CLAIM_LEASE = 30.0
# A conversation survives a restart and a customer who steps away to find a card; a draft left
# for a day is abandoned (its quote is stale anyway), and its answers should not outlive that.
FSM_TTL = timedelta(days=1)


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


def install_update_middlewares(
    dispatcher: Dispatcher,
    *,
    redis: Redis,
    keys: RedisKeys,
    i18n: CatalogI18n,
    profiles: UserProfiles,
    metrics: BotMetrics,
    settings: Settings,
) -> None:
    """The outer update middlewares after aiogram's own user context: observed (log fields,
    metrics), a blocked chat that writes again unmarked, and a flooding user throttled."""
    dispatcher.update.outer_middleware(UpdateObserver(metrics))
    dispatcher.update.outer_middleware(clear_blocked_mark(redis, keys))
    if settings.THROTTLE_RATE > 0:
        UserThrottle(
            redis,
            keys,
            i18n,
            profiles,
            rate=settings.THROTTLE_RATE,
            burst=settings.THROTTLE_BURST,
        ).install(dispatcher)
