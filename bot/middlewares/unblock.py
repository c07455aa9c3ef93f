"""Forget that a chat blocked the bot as soon as it talks to the bot again.

The paced sender drops messages to a chat that answered 403 (blocked, kicked) without asking
Telegram again. A user who writes, presses a button or unblocks the bot (Telegram then sends a
my_chat_member update) can be reached again, so the mark goes: one Redis DEL per update.

Register it on the dispatcher after aiogram's own user context middleware (which `Dispatcher()`
adds first), so the user and chat of the update are known:

    dispatcher.update.outer_middleware(clear_blocked_mark(redis, keys))
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import Chat, TelegramObject, Update, User
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.middlewares import Handler
from bot.storage.keys import RedisKeys

logger = logging.getLogger(__name__)

Middleware = Callable[[Handler, TelegramObject, dict[str, Any]], Awaitable[Any]]

# The my_chat_member statuses that mean "the bot can no longer write here".
_GONE = frozenset({"kicked", "left"})


def clear_blocked_mark(redis: Redis, keys: RedisKeys) -> Middleware:
    """An outer middleware that clears the blocked mark of the update's user and chat."""

    async def middleware(handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        member_update = event.my_chat_member if isinstance(event, Update) else None
        leaving = member_update is not None and member_update.new_chat_member.status in _GONE
        marks = {keys.chat_blocked(c) for c in (user and user.id, chat and chat.id) if c}
        if marks and not leaving:
            try:
                await redis.delete(*marks)
            except RedisError as exc:
                # Handling the update matters more; the mark expires on its own.
                logger.warning("Could not clear a blocked mark: %s", type(exc).__name__)
        return await handler(event, data)

    return middleware
