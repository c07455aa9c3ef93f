"""A short-lived Redis cache of exchanger lists (currencies, directions) with single flight.

When the cache expires, every user on the currency screen asks at the same moment. Without
single flight each of them would call the exchanger (DESIGN.md §4: lists are cached, calculations
never are). Here one load per key is in flight: within a process the callers share one task, and
across processes a short Redis lock lets one process load while the others poll for its result.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar, cast

from redis.asyncio import Redis

from bot.storage.keys import RedisKeys
from bot.storage.locks import RedisLock, milliseconds

JsonValue = dict[str, Any] | list[Any] | str | int | float | bool | None
T_json = TypeVar("T_json", bound=JsonValue)
# Told of each lookup: (name, found in the cache). Must not block.
LookupObserver = Callable[[str, bool], None]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class JsonCache:
    """`get_or_load` returns the cached JSON value of `name`, loading it at most once at a time.

    `name` identifies the data (e.g. "directions:en"): callers asking for one name must pass
    loaders that load the same thing, since only one of them runs. Every caller gets its own
    copy, decoded from JSON, so it looks the same whether it was loaded or cached and one
    caller's edits never leak into another's.

    Cross-process waiting is bounded by `lock_ttl`: a process that finds another one loading
    polls the cache until the lock is released or `lock_ttl` has passed, then loads itself,
    so a crashed or slow loader elsewhere costs at most one extra load, never a hang.
    """

    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        *,
        lock_ttl: float = 10.0,
        poll_interval: float = 0.05,
        on_lookup: LookupObserver | None = None,
    ) -> None:
        self._redis = redis
        self._on_lookup = on_lookup
        self._keys = keys
        self._lock_ttl = lock_ttl
        self._poll_interval = poll_interval
        self._flights: dict[str, asyncio.Task[str]] = {}

    async def get_or_load(
        self, name: str, ttl: float, loader: Callable[[], Awaitable[T_json]]
    ) -> T_json:
        flight = self._flights.get(name)
        if flight is None:
            cached = await self._redis.get(self._keys.cache(name))
            if cached is not None:
                self._looked_up(name, hit=True)
                return cast(T_json, json.loads(cached))
            flight = self._flights.get(name)  # someone may have started while we read
            if flight is None:
                flight = asyncio.create_task(self._load(name, ttl, loader))
                self._flights[name] = flight
                flight.add_done_callback(partial(self._landed, name))
        self._looked_up(name, hit=False)
        # shield: a caller that gives up (cancelled) must not cancel the load the others await.
        encoded = await asyncio.shield(flight)
        return cast(T_json, json.loads(encoded))

    def _looked_up(self, name: str, *, hit: bool) -> None:
        """A miss is any lookup that waits for a load, its own or one already in flight."""
        if self._on_lookup is not None:
            self._on_lookup(name, hit)

    async def invalidate(self, name: str) -> None:
        """Drop the cached value; the next `get_or_load` loads afresh.

        A load already in flight still stores its result when it lands.
        """
        await self._redis.delete(self._keys.cache(name))

    def _landed(self, name: str, flight: asyncio.Task[str]) -> None:
        if self._flights.get(name) is flight:
            del self._flights[name]
        if not flight.cancelled():
            flight.exception()  # retrieved here so a failure nobody awaited is not logged

    async def _load(self, name: str, ttl: float, loader: Callable[[], Awaitable[Any]]) -> str:
        key = self._keys.cache(name)
        deadline = asyncio.get_running_loop().time() + self._lock_ttl
        while True:
            cached = await self._redis.get(key)
            if cached is not None:
                return _text(cached)
            lock = RedisLock(self._redis, self._keys.cache_loading(name), self._lock_ttl)
            if await lock.acquire():
                try:
                    # The previous holder may have stored the value just before we locked.
                    cached = await self._redis.get(key)
                    if cached is not None:
                        return _text(cached)
                    return await self._load_and_store(key, ttl, loader)
                finally:
                    await lock.release()
            if asyncio.get_running_loop().time() >= deadline:
                # The holder is slow or gone: better one more exchanger call than a hang.
                return await self._load_and_store(key, ttl, loader)
            await asyncio.sleep(self._poll_interval)

    async def _load_and_store(
        self, key: str, ttl: float, loader: Callable[[], Awaitable[Any]]
    ) -> str:
        encoded = json.dumps(await loader(), ensure_ascii=False, separators=(",", ":"))
        await self._redis.set(key, encoded, px=milliseconds(ttl))
        return encoded
