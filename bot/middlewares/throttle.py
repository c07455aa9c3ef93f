"""Per-user throttling: a user who floods the bot is slowed down, politely, and only them.

Every update from a user takes a token from that user's bucket in Redis (so the limit holds
across bot processes): `burst` updates at once, then `rate` a second. An update without a
token is dropped before it reaches a handler or the user's event lock, so a flood neither
holds up that user's own queue for long nor spends the bot's send budget on answers. The user
is told once per flood, not once per dropped update: the notice mark lives as long as the
bucket takes to fill up again and every dropped update renews it (the buckets and the mark are
bot/throttle.py's).
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.types import CallbackQuery, Chat, TelegramObject, Update, User
from redis.asyncio import Redis

from bot.config import SUPPORTED_LOCALES
from bot.i18n import N_, CatalogI18n, pick_locale
from bot.middlewares import Handler
from bot.storage.keys import RedisKeys
from bot.storage.profiles import UserProfiles
from bot.throttle import UpdateBuckets, Verdict

logger = logging.getLogger(__name__)

SLOW_DOWN = N_(
    "You are sending messages faster than I can answer them. I skipped some of them: "
    "please wait a few seconds, then go on."
)


class UserThrottle:
    """An outer middleware of the dispatcher's updates (see `install`)."""

    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        i18n: CatalogI18n,
        profiles: UserProfiles,
        *,
        rate: float,
        burst: int,
    ) -> None:
        self._buckets = UpdateBuckets(redis, keys, rate=rate, burst=burst)
        self._i18n = i18n
        self._profiles = profiles

    def install(self, dispatcher: Dispatcher) -> None:
        """Right after aiogram finds the update's user, before the user's event lock: a
        dropped update must not queue behind the ones that are being answered."""
        outer = dispatcher.update.outer_middleware
        first = [isinstance(m, UserContextMiddleware) for m in outer].index(True) + 1
        later = list(outer)[first:]
        for middleware in later:
            outer.unregister(middleware)
        outer.register(self)
        for middleware in later:
            outer.register(middleware)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or user.is_bot:
            return await handler(event, data)
        verdict = await self._buckets.take(user.id)
        if verdict is Verdict.GO_ON:
            return await handler(event, data)
        bot: Bot = data["bot"]
        chat: Chat | None = data.get("event_chat")
        query = event.callback_query if isinstance(event, Update) else None
        logger.info("User %s floods the bot: update dropped", user.id)
        if query is not None:
            await self._stop_spinning(bot, query)
        if verdict is Verdict.DROPPED_TELL:
            text = self._i18n.gettext(SLOW_DOWN, locale=await self._locale(user))
            await bot.send_message(chat.id if chat is not None else user.id, text)
        return None

    async def _stop_spinning(self, bot: Bot, query: CallbackQuery) -> None:
        """A pressed button spins until the press is answered; the answer is not a message."""
        await bot.answer_callback_query(query.id)

    async def _locale(self, user: User) -> str:
        chosen = await self._profiles.get_locale(user.id)
        if chosen in SUPPORTED_LOCALES:
            return chosen
        return pick_locale(user.language_code, self._i18n.default_locale)
