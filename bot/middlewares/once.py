"""Each Telegram update is handled once, by one process, however often it is delivered.

Telegram posts an update again when the answer to a webhook post was lost or a proxy timed
out, and behind a load balancer the second post may reach another bot process. Handled twice,
a `/start` is answered twice and, worse, an answer typed at one step is taken as the answer to
the next one. So the update's id is claimed in Redis (bot/storage/updates.py) before its
handler runs, with a lease kept alive while it runs, and marked done afterwards:

- done: a later delivery is answered 200 and nothing happens;
- claimed by a post still being handled (here or in another process): the post is answered
  503, so Telegram tries again later and then finds it done, or, if the process handling it
  died, finds the lease run out and handles it;
- Redis out of reach before the handler ran (bot/redelivery.py): nothing happened, so the
  claim must not block the delivery that comes back. The attempt's token is kept here, and
  the next delivery to this process reuses it (the claim is then its own); another process
  waits for the lease to run out.

Registered on the dispatcher after aiogram's FSM middleware, so it runs inside the user's
event lock: a duplicate of a user's update usually waits for the first to finish and is
then found done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import OrderedDict
from typing import Any

from aiogram import Dispatcher
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent, TelegramObject, Update
from redis.exceptions import RedisError

from bot.middlewares import Handler
from bot.middlewares.progress import UpdateProgress
from bot.outage import REDIS_UNREACHABLE, UpdateNotHandled
from bot.storage.updates import Claim, HandledUpdates

logger = logging.getLogger(__name__)

# Tokens of attempts that met a Redis outage before their handler, kept for the delivery that
# comes back; an update Telegram never sends again must not stay here for ever.
MAX_REMEMBERED = 10_000


class UpdateInProgress(UpdateNotHandled):
    """Another delivery of this update is being handled right now: answer so that Telegram
    sends it again later (by then it is done, or its handler died and it is handled)."""


async def _raise_in_progress(event: ErrorEvent) -> None:
    """On the dispatcher, so tried before the routers' "something went wrong" handler: a
    duplicate is not the customer's problem."""
    raise event.exception


class HandleOnce:
    """An outer update middleware (see the module docstring)."""

    def __init__(self, updates: HandledUpdates) -> None:
        self._updates = updates
        self._unfinished: OrderedDict[int, str] = OrderedDict()

    def setup(self, dispatcher: Dispatcher) -> None:
        dispatcher.update.outer_middleware(self)
        dispatcher.error.register(_raise_in_progress, ExceptionTypeFilter(UpdateInProgress))

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if not isinstance(event, Update):
            return await handler(event, data)
        update_id = event.update_id
        token = self._unfinished.pop(update_id, None) or secrets.token_hex(16)
        try:
            claim = await self._updates.claim(update_id, token)
        except REDIS_UNREACHABLE:
            self._remember(update_id, token)  # the claim may have been taken all the same
            raise
        if claim is Claim.DONE:
            logger.info("Update %s was delivered again after it was handled: skipped", update_id)
            return UNHANDLED
        if claim is Claim.BUSY:
            raise UpdateInProgress(f"Update {update_id} is being handled by another delivery")
        keeping = asyncio.create_task(self._keep(update_id, token))
        try:
            result = await handler(event, data)
        except REDIS_UNREACHABLE:
            progress: UpdateProgress | None = data.get("update_progress")
            if progress is not None and not progress.started:
                self._remember(update_id, token)  # nothing done: it is handled when it comes back
            else:
                await self._finish(update_id, token)
            raise
        except BaseException:
            await self._finish(update_id, token)
            raise
        finally:
            keeping.cancel()
        await self._finish(update_id, token)
        return result

    def _remember(self, update_id: int, token: str) -> None:
        self._unfinished[update_id] = token
        while len(self._unfinished) > MAX_REMEMBERED:
            self._unfinished.popitem(last=False)

    async def _keep(self, update_id: int, token: str) -> None:
        """Renew the claim while a slow handler runs, so it outlives no dead process."""
        while True:
            await asyncio.sleep(self._updates.lease / 3)
            with contextlib.suppress(RedisError):
                if not await self._updates.renew(update_id, token):
                    logger.warning("Update %s: the claim on it ran out while handled", update_id)
                    return

    async def _finish(self, update_id: int, token: str) -> None:
        try:
            await self._updates.finish(update_id, token)
        except RedisError as exc:
            # The step is taken; only a delivery after the claim's lease could repeat it.
            logger.warning(
                "Update %s handled, but not marked done: %s", update_id, type(exc).__name__
            )
