"""The polling lease is given back at a stop, whatever its renewal is doing at that moment."""

from __future__ import annotations

import asyncio
import contextlib

from redis.asyncio import Redis

from bot.polling_lease import PollingLease


async def test_a_stop_is_not_held_up_by_a_renewal_that_swallowed_its_cancellation(
    redis: Redis, redis_prefix: str
) -> None:
    lease = PollingLease(redis, f"{redis_prefix}:polling", ttl=0.5)
    assert await lease.take()
    renewing = asyncio.Event()
    real_refresh = lease._lock.refresh

    async def refresh_that_swallows_a_cancel() -> bool:
        """As a Redis call does when a timeout fires at the moment it is cancelled."""
        renewing.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.2)
        return await real_refresh()

    lease._lock.refresh = refresh_that_swallows_a_cancel  # type: ignore[method-assign]
    await asyncio.wait_for(renewing.wait(), timeout=5)

    await asyncio.wait_for(lease.release(), timeout=5)

    assert await redis.exists(f"{redis_prefix}:polling") == 0  # given back, not left to expire


async def test_a_second_poller_is_refused_while_the_first_renews_and_admitted_after_it_stops(
    redis: Redis, redis_prefix: str
) -> None:
    first = PollingLease(redis, f"{redis_prefix}:polling", ttl=0.5)
    second = PollingLease(redis, f"{redis_prefix}:polling", ttl=0.5)
    assert await first.take()

    assert not await second.take()
    await first.release()
    assert await second.take()
    await second.release()
