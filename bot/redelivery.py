"""A Telegram update that meets a Redis outage is handled again when that is safe, and is
never dropped in silence.

The Redis client waits out a restart by itself (bot.storage.redis); this is for an outage
longer than that. Left to aiogram, such an update would be logged and gone: with long polling
the next getUpdates has already confirmed it to Telegram, and a webhook answered before
handling (aiogram's default) tells Telegram it arrived. What is right depends on how far the
update got when Redis failed:

- before its handler ran (taking the user's lock, reading the conversation state, a filter):
  nothing has happened, so it is handled again. Webhook: updates are handled before Telegram
  gets its answer, and this one is answered 503 (bot.web), so Telegram delivers it again.
  Polling: the process feeds it again itself until Redis answers, for POLLING_PATIENCE.
- inside its handler: part of the step may be done (an answer sent, the state not saved), and
  running it again could apply the answer to the next field. The routers' error handlers tell
  the customer to try again, their progress kept (handlers/errors.py).
- after its handler (releasing the user's lock): the step is done; only a warning is logged,
  and the lock expires by itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, Update

from bot.middlewares.progress import UpdateProgress, track_progress
from bot.outage import REDIS_UNREACHABLE, UpdateNotHandled

logger = logging.getLogger(__name__)

# Each attempt already waits about ten seconds for Redis (the client's retries).
POLLING_PATIENCE = 300.0
POLLING_PAUSE = 1.0


async def _sort_outage(event: ErrorEvent, update_progress: UpdateProgress | None = None) -> bool:
    """On the dispatcher itself, so tried before any router's error handler."""
    if update_progress is None or not update_progress.started:
        raise event.exception
    if update_progress.finished:
        logger.warning(
            "Update %s was handled; Redis failed only afterwards (%s)",
            event.update.update_id,
            type(event.exception).__name__,
        )
        return True
    raise SkipHandler


class RedeliveringDispatcher(Dispatcher):
    """`handle_again=True` (polling): an update that met a Redis outage before its handler is
    fed again here; False (webhook): `UpdateNotHandled` goes up to the web handler."""

    def __init__(self, *, handle_again: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handle_again = handle_again
        self.error.register(_sort_outage, ExceptionTypeFilter(*REDIS_UNREACHABLE))
        for name, observer in self.observers.items():
            if name not in ("update", "error"):
                observer.middleware(track_progress)

    async def feed_update(self, bot: Bot, update: Update, **kwargs: Any) -> Any:
        give_up_at = time.monotonic() + POLLING_PATIENCE
        while True:
            progress = UpdateProgress()
            try:
                return await super().feed_update(bot, update, update_progress=progress, **kwargs)
            except REDIS_UNREACHABLE as exc:
                if progress.finished:
                    logger.warning(
                        "Update %s was handled; Redis failed only afterwards (%s)",
                        update.update_id,
                        type(exc).__name__,
                    )
                    return None
                if progress.started:
                    # The error handlers could not finish either: their words may not have
                    # reached the customer. Running the step again is still not safe.
                    logger.error(
                        "Update %s failed halfway, Redis is out of reach (%s)",
                        update.update_id,
                        type(exc).__name__,
                    )
                    return None
                if not self._handle_again:
                    raise UpdateNotHandled(f"Update {update.update_id} not handled") from exc
                if time.monotonic() >= give_up_at:
                    raise
                logger.warning(
                    "Update %s met a Redis outage (%s): handling it again",
                    update.update_id,
                    type(exc).__name__,
                )
                await asyncio.sleep(POLLING_PAUSE)
