"""Per-user throttling: a user who floods the bot is slowed down, politely, and only them.

Every update from a user takes a token from that user's bucket in Redis (so the limit holds
across bot processes): `burst` updates at once, then `rate` a second. An update without a
token is dropped before it reaches a handler or the user's event lock, so a flood neither
holds up that user's own queue for long nor spends the bot's send budget on answers. The user
is told once per flood, not once per dropped update: the notice mark lives as long as the
bucket takes to fill up again and every dropped update renews it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.middlewares.user_context import UserContextMiddleware
from aiogram.types import CallbackQuery, Chat, TelegramObject, Update, User
from redis.asyncio import Redis

from bot.config import SUPPORTED_LOCALES
from bot.i18n import N_, CatalogI18n, pick_locale
from bot.storage.keys import RedisKeys
from bot.storage.profiles import UserProfiles
from bot.storage.redis import LUA_NOW

logger = logging.getLogger(__name__)

SLOW_DOWN = N_(
    "You are sending messages faster than I can answer them. I skipped some of them: "
    "please wait a few seconds, then go on."
)

# KEYS: the user's bucket (hash), the notice mark. ARGV: rate per second, burst, notice ms.
# Returns 1: go on; 0: dropped, the user was told already; -1: dropped, tell the user now.
_TAKE = (
    LUA_NOW
    + """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = tokens >= 1
if allowed then
    tokens = tokens - 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if allowed then
    return 1
end
local told = redis.call('EXISTS', KEYS[2])
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
if told == 1 then
    return 0
end
return -1
"""
)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


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
        self._keys = keys
        self._i18n = i18n
        self._profiles = profiles
        self._rate = rate
        self._burst = burst
        # Long enough for the bucket to fill up again: a flood is over after that much quiet.
        self._window_ms = max(1000, math.ceil(burst / rate * 1000))
        self._take = redis.register_script(_TAKE)

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
        verdict = int(
            await self._take(
                [self._keys.throttle(user.id), self._keys.throttle_told(user.id)],
                [self._rate, self._burst, self._window_ms],
            )
        )
        if verdict == 1:
            return await handler(event, data)
        bot: Bot = data["bot"]
        chat: Chat | None = data.get("event_chat")
        query = event.callback_query if isinstance(event, Update) else None
        logger.info("User %s floods the bot: update dropped", user.id)
        if query is not None:
            await self._stop_spinning(bot, query)
        if verdict == -1:
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
