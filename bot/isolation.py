"""The lock that handles one user's updates one at a time, made safe for a Redis restart.

aiogram's event isolation takes a Redis lock per user (SET NX with a random token) and gives
it back with a script that deletes it only while it holds that token. When Redis dies after
doing one of those and before answering, the client sends it again once Redis is back
(bot.storage.redis), and the second answer is the wrong one: taken twice, the lock looks held
by someone else, and the user's update waits a minute for it to expire (long enough for
Telegram to deliver the update again meanwhile); given back twice, it looks stolen, and a step
that went well ends in "something went wrong". Here the token decides: a lock that holds our
token is ours, and a lock no longer there when given back needs nothing more done.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation
from redis.asyncio.lock import Lock
from redis.exceptions import LockNotOwnedError

logger = logging.getLogger(__name__)


class _TokenLock(Lock):
    async def do_acquire(self, token: str | bytes) -> bool:
        if await super().do_acquire(token):
            return True
        held = await self.redis.get(self.name)
        return held is not None and held == (token.encode() if isinstance(token, str) else token)

    async def do_release(self, expected_token: bytes) -> None:
        try:
            await super().do_release(expected_token)
        except LockNotOwnedError:
            # Given back already by a command sent again, or expired under a handler that
            # ran longer than the lock lives: either way there is nothing left to give back.
            logger.warning("The user lock %s was already gone when given back", self.name)


class RestartSafeEventIsolation(RedisEventIsolation):
    @asynccontextmanager
    async def lock(self, key: StorageKey) -> AsyncGenerator[None, None]:
        name = self.key_builder.build(key, "lock")
        async with self.redis.lock(name=name, **self.lock_kwargs, lock_class=_TokenLock):
            yield None
