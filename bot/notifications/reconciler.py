"""Asks again about bids that are not final, for the callbacks that never come, and settles
creations whose outcome was unknown.

The exchanger posts each status change once and never retries (facts §7); a receiver that was
down, a network hiccup or a bot without PUBLIC_URL (no callback_url at all) would leave the
customer uninformed. So every `interval` seconds one process (a Redis lock with expiry, renewed
while it works) makes each open bid that is due a member of the check schedule; the worker
reads bid_info and notifies exactly as for a callback (DESIGN.md §6). In the same round it
runs the creation resolver (bot/services/creation.py `resolve_due`), so a bid whose create_bid
answer was lost is found and adopted, or proven absent, without anyone pressing a button.

When a bid is due is kept in a sorted set (`RedisKeys.reconcile_due`: bid id -> next check at).
A bid not in it yet is due at once. The gap grows with the bid's age, since a bid that has not
moved for a day is unlikely to move within the minute: every interval in the first hour, every
ten intervals for the rest of the first day, then hourly; after `max_age` the bid is given up
(marked final for the bot; the exchanger still has it, and the customer can refresh its card).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.notifications.schedule import CheckSchedule, Mark
from bot.storage.bids import BidRepository
from bot.storage.keys import RedisKeys
from bot.storage.locks import RedisLock, redis_lock

logger = logging.getLogger(__name__)

HOUR = 3600.0
DAY = 24 * HOUR
# The lock is refreshed after this many bids, far more often than it could expire.
_REFRESH_EVERY = 200


class Reconciler:
    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        bids: BidRepository,
        schedule: CheckSchedule,
        *,
        interval: float,
        resolve_creations: Callable[[], Awaitable[int]] | None = None,
        max_age: timedelta = timedelta(days=30),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._bids = bids
        self._schedule = schedule
        self._resolve_creations = resolve_creations
        self._interval = interval
        self._max_age = max_age.total_seconds()
        self._clock = clock
        # A holder that dies frees the lock after a few rounds; one that lives refreshes it.
        self._lock_ttl = max(30.0, 3 * interval)

    def check_delay(self, age: float) -> float:
        """Seconds until the next check of a bid `age` seconds old."""
        if age < HOUR:
            return self._interval
        if age < DAY:
            return 10 * self._interval
        return max(HOUR, 10 * self._interval)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except (RedisError, OSError) as exc:
                logger.warning("Reconciler: Redis failed (%s); trying again next round", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._interval)

    async def run_once(self) -> int:
        """One round: how many due bids were scheduled; 0 when another process holds the lock."""
        async with redis_lock(self._redis, self._keys.lock("reconciler"), self._lock_ttl) as lock:
            if not lock.acquired:
                return 0
            published = await self._round(lock)
            if self._resolve_creations is not None:
                await self._resolve_creations()
            return published

    async def _round(self, lock: RedisLock) -> int:
        now = self._clock()
        due_key = self._keys.reconcile_due
        open_ids = await self._bids.open_bids()  # also forgets bids whose record expired
        created = await self._created_at(open_ids)
        known = {_text(bid_id) for bid_id in await self._redis.zrange(due_key, 0, -1)}
        closed = known - created.keys()
        if closed:
            await self._redis.zrem(due_key, *closed)
        new = {bid_id: now for bid_id in created if bid_id not in known}
        if new:
            await self._redis.zadd(due_key, new, nx=True)

        due = [_text(bid_id) for bid_id in await self._redis.zrangebyscore(due_key, "-inf", now)]
        batch: list[Mark] = []
        scheduled = 0
        for bid_id in due:
            if bid_id not in created:
                continue
            age = now - created[bid_id]
            if age >= self._max_age:
                logger.info(
                    "Bid %s still open after %.0f days: no longer checked", bid_id, age / DAY
                )
                await self._bids.mark_final(bid_id)
                await self._redis.zrem(due_key, bid_id)
                continue
            batch.append(Mark(bid_id))
            await self._redis.zadd(due_key, {bid_id: now + self.check_delay(age)})
            if len(batch) == _REFRESH_EVERY:
                scheduled += await self._schedule.mark(batch)
                batch = []
                if not await lock.refresh():
                    logger.warning("Reconciler lost its lock mid-round; another process goes on")
                    return scheduled
        scheduled += await self._schedule.mark(batch)
        if scheduled:
            logger.debug("Reconciler: %d of %d open bids due", scheduled, len(created))
        return scheduled

    async def _created_at(self, bid_ids: list[str]) -> dict[str, float]:
        """Creation times from the open-bids index (its scores, see `BidRepository.save`)."""
        if not bid_ids:
            return {}
        scores = await self._redis.zmscore(self._keys.open_bids, bid_ids)
        return {
            bid_id: float(score)
            for bid_id, score in zip(bid_ids, scores, strict=True)
            if score is not None
        }


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
