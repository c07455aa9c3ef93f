"""One long poller per bot: a lease in Redis that the polling process renews while it polls.

Telegram ends a getUpdates with 409 when another one starts on the same token, so two polling
processes would knock each other out for ever, each update going to whichever asked last.
The lease makes the second one refuse to start instead. It is renewed every few seconds, given
back at a stop and expires after a crash: a process started again after its predecessor died
waits at most one lease for it to run out. A live holder is told from a dead one by watching
the lease: a live one renews it (its time left goes up) every fifth of the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.storage.locks import RedisLock

logger = logging.getLogger(__name__)

LEASE_SECONDS = 10.0


class PollingLease:
    def __init__(self, redis: Redis, key: str, *, ttl: float = LEASE_SECONDS) -> None:
        self._redis = redis
        self._key = key
        self._lock = RedisLock(redis, key, ttl)
        self._renew_every = ttl / 5
        self._renewing: asyncio.Task[None] | None = None
        self._released = asyncio.Event()

    async def take(self) -> bool:
        """True once the lease is ours (waiting for a dead holder's to run out); False when a
        live process holds it."""
        last_left: int | None = None
        while not await self._lock.acquire():
            left = int(await self._redis.pttl(self._key))
            if last_left is not None and left > last_left:
                return False  # renewed meanwhile: its holder is alive and polling
            last_left = left
            await asyncio.sleep(self._renew_every / 4)
        self._renewing = asyncio.create_task(self._renew(), name="polling-lease")
        return True

    async def _renew(self) -> None:
        # Stopped by the event, not by cancelling: a cancellation that lands inside a Redis
        # call can be swallowed on the way (a timeout that fires at the same moment takes it
        # for its own), and a stop waiting on that task would wait for ever.
        while not self._released.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._released.wait(), timeout=self._renew_every)
            if self._released.is_set():
                return
            try:
                if not await self._lock.refresh() and not await self._lock.acquire():
                    logger.error("Another process took the polling lease: two pollers now")
            except RedisError as exc:
                logger.warning("Could not renew the polling lease: %s", type(exc).__name__)

    async def release(self) -> None:
        self._released.set()
        if self._renewing is not None:
            # A renewal under way ends within Redis's own timeouts; one that does not is left.
            _, late = await asyncio.wait({self._renewing}, timeout=self._renew_every)
            for task in late:
                task.cancel()
            self._renewing = None
        try:
            await self._lock.release()
        except RedisError as exc:  # it expires by itself
            logger.warning("Could not give the polling lease back: %s", type(exc).__name__)
