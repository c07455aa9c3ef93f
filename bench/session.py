"""One bench run's Redis: a key prefix of its own, the machine in the first line, and only its
own keys deleted at the end (the Redis may be shared; it is never flushed)."""

from __future__ import annotations

import asyncio
import os
import platform
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from redis.asyncio import Redis

from tests.redis_server import redis_for_tests

# Telegram's limits lifted for a bench of the bot's own work: the fake Telegram enforces none,
# and at 27 replies a second (the default budget) a bench of many customers would measure the
# send budget, not the bot. The budget still counts every reply (its script runs).
UNPACED = {"SEND_RATE_GLOBAL": 1000, "SEND_RATE_CHAT": 100}


async def forget(redis_url: str, prefix: str) -> int:
    """Delete this run's keys, and only them (the prefix is unique to the run)."""
    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
        return len(keys)
    finally:
        await redis.aclose()


@contextmanager
def bench_run(title: str) -> Iterator[tuple[str, str]]:
    """(Redis URL, key prefix) for one run of the bench called `title`."""
    prefix = f"exbot-bench-{uuid.uuid4().hex[:12]}"
    started = time.monotonic()
    with redis_for_tests() as redis_url:
        print(
            f"exchange-bot {title} benchmark  ({platform.python_version()}, "
            f"{os.cpu_count()} CPUs, Redis {redis_url.rsplit('@', 1)[-1]}, key prefix {prefix})",
            flush=True,
        )
        try:
            yield redis_url, prefix
        finally:
            removed = asyncio.run(forget(redis_url, prefix))
            print(f"removed {removed} Redis keys under {prefix}", flush=True)
    print(f"total {time.monotonic() - started:.0f} s", flush=True)
