"""A Telegram update that fails because Redis is out of reach is handled again, not dropped.

The Redis client waits out a restart by itself (bot.storage.redis); this is for an outage
longer than that. Left to aiogram, such an update would be logged and gone: with long
polling the next getUpdates has already confirmed it to Telegram, and a webhook answered
before handling (aiogram's default) tells Telegram it arrived. And the error handlers would
tell the customer "something went wrong" while Redis cannot even say which language they
speak. So a Redis outage goes past the error handlers, and:

- webhook: updates are handled before Telegram gets its answer, and an update that met an
  outage is answered 503 (bot.web): Telegram delivers it again later;
- polling: the process itself handles the update again until Redis answers, for at most
  POLLING_PATIENCE seconds, then gives up with an error in the log.

"Again" means at least once: an answer sent before Redis failed may be sent a second time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, NoReturn

from aiogram import Bot, Dispatcher
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Update
from redis.exceptions import ConnectionError, TimeoutError

logger = logging.getLogger(__name__)

REDIS_UNREACHABLE = (ConnectionError, TimeoutError)
# Each attempt already waits about ten seconds for Redis (the client's retries).
POLLING_PATIENCE = 300.0
POLLING_PAUSE = 1.0


async def pass_outage_on(event: ErrorEvent) -> NoReturn:
    """On the dispatcher itself, so tried before any router's error handler."""
    raise event.exception


class RedeliveringDispatcher(Dispatcher):
    """`handle_again=True` (polling): an update that met a Redis outage is fed again here;
    False (webhook): the outage goes up to the web handler, which asks Telegram for it again."""

    def __init__(self, *, handle_again: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handle_again = handle_again
        self.error.register(pass_outage_on, ExceptionTypeFilter(*REDIS_UNREACHABLE))

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        give_up_at = time.monotonic() + POLLING_PATIENCE
        while True:
            try:
                return await super().feed_update(bot, update, **kwargs)
            except REDIS_UNREACHABLE as exc:
                if not self._handle_again or time.monotonic() >= give_up_at:
                    raise
                logger.warning(
                    "Update %s met a Redis outage (%s): handling it again",
                    update.update_id,
                    type(exc).__name__,
                )
                await asyncio.sleep(POLLING_PAUSE)
