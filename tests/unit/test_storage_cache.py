"""Exchanger lists are loaded once however many users ask at once, and never cached broken."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.storage.cache import JsonCache
from bot.storage.keys import RedisKeys

CURRENCIES: list[dict[str, Any]] = [
    {"id": "1", "title": "Tether TRC20", "code": "USDT"},
    {"id": "2", "title": "Сбербанк", "code": "RUB"},
]


class CountingLoader:
    """Stands in for the exchanger call: counts calls, can be slow or fail."""

    def __init__(
        self, value: Any = None, *, delay: float = 0.0, error: Exception | None = None
    ) -> None:
        self.value = CURRENCIES if value is None else value
        self.delay = delay
        self.error = error
        self.calls = 0

    async def __call__(self) -> Any:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return self.value


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
def cache(redis: Redis, keys: RedisKeys) -> JsonCache:
    return JsonCache(redis, keys)


async def test_fifty_users_asking_at_once_cause_one_load(cache: JsonCache) -> None:
    loader = CountingLoader(delay=0.05)
    results = await asyncio.gather(
        *(cache.get_or_load("currencies:en", 60, loader) for _ in range(50))
    )
    assert loader.calls == 1
    assert all(result == CURRENCIES for result in results)


async def test_a_cached_list_is_served_without_asking_the_exchanger_again(
    cache: JsonCache,
) -> None:
    loader = CountingLoader()
    await cache.get_or_load("currencies:en", 60, loader)
    assert await cache.get_or_load("currencies:en", 60, loader) == CURRENCIES
    assert loader.calls == 1


async def test_the_list_is_kept_only_for_its_ttl(
    cache: JsonCache, redis: Redis, keys: RedisKeys
) -> None:
    loader = CountingLoader()
    await cache.get_or_load("currencies:en", 0.2, loader)
    assert 0 < await redis.pttl(keys.cache("currencies:en")) <= 200
    await asyncio.sleep(0.3)
    await cache.get_or_load("currencies:en", 0.2, loader)
    assert loader.calls == 2


async def test_each_language_is_cached_apart(cache: JsonCache) -> None:
    english, russian = CountingLoader(["en"]), CountingLoader(["ru"])
    assert await cache.get_or_load("currencies:en", 60, english) == ["en"]
    assert await cache.get_or_load("currencies:ru", 60, russian) == ["ru"]


async def test_a_failed_load_fails_every_waiter_and_the_next_request_loads_again(
    cache: JsonCache,
) -> None:
    failing = CountingLoader(delay=0.05, error=ConnectionError("exchanger unreachable"))
    results = await asyncio.gather(
        *(cache.get_or_load("directions:en", 60, failing) for _ in range(10)),
        return_exceptions=True,
    )
    assert failing.calls == 1
    assert all(isinstance(result, ConnectionError) for result in results)

    working = CountingLoader()
    assert await cache.get_or_load("directions:en", 60, working) == CURRENCIES
    assert working.calls == 1


async def test_a_list_that_is_not_json_fails_the_load_and_is_not_cached(
    cache: JsonCache, redis: Redis, keys: RedisKeys
) -> None:
    with pytest.raises(TypeError):
        await cache.get_or_load("directions:en", 60, CountingLoader([object()]))
    assert await redis.exists(keys.cache("directions:en")) == 0


async def test_two_bot_processes_sharing_redis_load_once(
    redis: Redis, other_process_redis: Redis, keys: RedisKeys
) -> None:
    first, second = JsonCache(redis, keys), JsonCache(other_process_redis, keys)
    loader = CountingLoader(delay=0.2)
    results = await asyncio.gather(
        *(cache.get_or_load("currencies:en", 60, loader) for cache in (first, second) * 10)
    )
    assert loader.calls == 1
    assert all(result == CURRENCIES for result in results)


async def test_a_process_whose_peer_died_while_loading_loads_itself_after_the_lock_time(
    redis: Redis, keys: RedisKeys
) -> None:
    # The dead peer's lock would last ten more seconds; the waiter gives up after its lock_ttl.
    await redis.set(keys.cache_loading("currencies:en"), "dead-peer", px=10_000)
    cache = JsonCache(redis, keys, lock_ttl=0.3)
    loader = CountingLoader()
    started = time.monotonic()
    assert await cache.get_or_load("currencies:en", 60, loader) == CURRENCIES
    assert 0.25 < time.monotonic() - started < 2
    assert loader.calls == 1


async def test_when_the_loading_peer_fails_the_waiting_process_loads_at_once(
    redis: Redis, other_process_redis: Redis, keys: RedisKeys
) -> None:
    failing_peer = JsonCache(other_process_redis, keys, lock_ttl=10)
    waiting = JsonCache(redis, keys, lock_ttl=10)
    peer_load = asyncio.create_task(
        failing_peer.get_or_load(
            "currencies:en", 60, CountingLoader(delay=0.1, error=ConnectionError("down"))
        )
    )
    await asyncio.sleep(0.02)  # the peer holds the lock now
    loader = CountingLoader()
    started = time.monotonic()
    assert await waiting.get_or_load("currencies:en", 60, loader) == CURRENCIES
    assert time.monotonic() - started < 1  # far less than the peer's lock time
    assert loader.calls == 1
    with pytest.raises(ConnectionError):
        await peer_load


async def test_a_user_who_gives_up_does_not_cancel_the_load_for_the_others(
    cache: JsonCache,
) -> None:
    loader = CountingLoader(delay=0.1)
    impatient = asyncio.create_task(cache.get_or_load("currencies:en", 60, loader))
    patient = asyncio.create_task(cache.get_or_load("currencies:en", 60, loader))
    await asyncio.sleep(0.02)
    impatient.cancel()
    assert await patient == CURRENCIES
    assert loader.calls == 1


async def test_one_caller_editing_its_list_does_not_change_what_others_get(
    cache: JsonCache,
) -> None:
    loader = CountingLoader(delay=0.05)
    first, second = await asyncio.gather(
        cache.get_or_load("currencies:en", 60, loader),
        cache.get_or_load("currencies:en", 60, loader),
    )
    first.clear()
    assert second == CURRENCIES
    assert await cache.get_or_load("currencies:en", 60, loader) == CURRENCIES


async def test_invalidating_a_list_makes_the_next_request_load_it_fresh(
    cache: JsonCache,
) -> None:
    await cache.get_or_load("currencies:en", 60, CountingLoader(["old"]))
    await cache.invalidate("currencies:en")
    assert await cache.get_or_load("currencies:en", 60, CountingLoader(["new"])) == ["new"]
