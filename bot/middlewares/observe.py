"""Where updates and Telegram requests are counted and what they are about is bound for logs."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update, User
from aiogram.types.update import UpdateTypeLookupError

from bot.middlewares.requests import AroundRequest, Send
from bot.observability.context import UPDATE_ID, USER_ID
from bot.observability.metrics import BotMetrics


class UpdateObserver(BaseMiddleware):
    """Outer middleware of `dispatcher.update`: binds the update and user ids for every line
    logged while the update is handled, and counts it with its outcome and duration.

    Registered after aiogram's own user-context middleware, so `event_from_user` is known.
    """

    def __init__(self, metrics: BotMetrics) -> None:
        self._metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if not isinstance(event, Update):  # pragma: no cover - registered on updates only
            return await handler(event, data)
        user = data.get("event_from_user")
        update_token = UPDATE_ID.set(event.update_id)
        user_token = USER_ID.set(user.id if isinstance(user, User) else None)
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await handler(event, data)
            outcome = "unhandled" if result is UNHANDLED else "handled"
            return result
        finally:
            self._metrics.update_handled(_kind(event), outcome, time.perf_counter() - started)
            USER_ID.reset(user_token)
            UPDATE_ID.reset(update_token)


def _kind(update: Update) -> str:
    """The update's type; "unknown" for one this aiogram cannot name (a newer Bot API)."""
    try:
        return update.event_type
    except UpdateTypeLookupError:
        return "unknown"


class RateLimitCounter(AroundRequest):
    """Counts Telegram's 429 answers. Registered after the bot's retry middleware, so it sits
    inside it and sees every 429, also the ones that retry waits out."""

    def __init__(self, metrics: BotMetrics) -> None:
        self._metrics = metrics

    async def around(
        self, method: TelegramMethod[TelegramType], send: Send[TelegramType]
    ) -> Response[TelegramType]:
        try:
            return await send()
        except TelegramRetryAfter:
            self._metrics.telegram_rate_limited(method.__api_method__)
            raise
