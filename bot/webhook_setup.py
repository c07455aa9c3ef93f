"""setWebhook from one process, and only when the webhook is not already what it should be.

Several processes behind one PUBLIC_URL start at about the same time; each calling setWebhook
would be harmless but noisy, and a process started with an old setting could undo a newer
one. One process at a time (a lock in Redis) compares Telegram's getWebhookInfo and a
fingerprint of what was last set (URL, secret, update types; the secret cannot be read back
from Telegram) and calls setWebhook only when something differs.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

from aiogram import Bot
from redis.asyncio import Redis

from bot.storage.keys import RedisKeys
from bot.storage.locks import waiting_lock
from bot.storage.redis import as_text

logger = logging.getLogger(__name__)
T = TypeVar("T")
# Long enough for getWebhookInfo and setWebhook, each waited for while Telegram is away.
LOCK_SECONDS = 120.0


class TelegramCall(Protocol):
    """Runs one call to Telegram at start (ExchangeBotApp._call_telegram)."""

    async def __call__(self, call: Callable[[], Awaitable[T]]) -> T: ...


def fingerprint(url: str, secret: str, allowed_updates: list[str]) -> str:
    text = "\n".join([url, secret, ",".join(sorted(allowed_updates))])
    return hashlib.sha256(text.encode()).hexdigest()


async def ensure_webhook(
    bot: Bot,
    redis: Redis,
    keys: RedisKeys,
    *,
    url: str,
    secret: str,
    allowed_updates: list[str],
    call: TelegramCall,
) -> bool:
    """Set the webhook unless it is set as wanted already; True when this process set it.
    `call` wraps each Telegram call (waiting while Telegram cannot be reached)."""
    wanted = fingerprint(url, secret, allowed_updates)
    async with waiting_lock(redis, keys.webhook_setting, ttl=LOCK_SECONDS, wait=LOCK_SECONDS):
        info = await call(bot.get_webhook_info)
        stored = await redis.get(keys.webhook_fingerprint)
        if info.url == url and stored is not None and as_text(stored) == wanted:
            logger.info("The webhook is set to %s already", url)
            return False

        async def set_it() -> bool:
            return await bot.set_webhook(url, secret_token=secret, allowed_updates=allowed_updates)

        await call(set_it)
        await redis.set(keys.webhook_fingerprint, wanted)
        return True
