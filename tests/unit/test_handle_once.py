"""Each Telegram update is handled once across bot processes on one Redis, however often and
wherever Telegram delivers it; an update that met a Redis outage before its handler is still
handled when it comes back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from aiogram import Bot, Router
from aiogram.fsm.storage.memory import DisabledEventIsolation, MemoryStorage
from aiogram.types import Message
from redis.asyncio import Redis
from redis.exceptions import ConnectionError

from bot.middlewares.once import HandleOnce, UpdateInProgress
from bot.outage import UpdateNotHandled
from bot.redelivery import RedeliveringDispatcher
from bot.storage.keys import RedisKeys
from bot.storage.updates import HandledUpdates
from tests.unit.test_redelivery import TOKEN, an_update


@dataclass
class World:
    """What every process did with the update, and how to slow or break one."""

    handled: list[str] = field(default_factory=list)
    outages_before_handler: int = 0
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    go_on: asyncio.Event | None = None


def process(
    redis: Redis, prefix: str, world: World, *, lease: float = 30.0
) -> RedeliveringDispatcher:
    """One bot process's dispatcher (webhook mode) on the shared Redis."""
    router = Router()

    async def redis_answers(_: Message) -> bool:
        if world.outages_before_handler > 0:
            world.outages_before_handler -= 1
            raise ConnectionError("Redis is restarting")
        return True

    @router.message(redis_answers)
    async def answer(message: Message) -> None:
        world.entered.set()
        if world.go_on is not None:
            await world.go_on.wait()
        world.handled.append(message.text or "")

    dispatcher = RedeliveringDispatcher(
        storage=MemoryStorage(), events_isolation=DisabledEventIsolation(), handle_again=False
    )
    dispatcher.include_router(router)
    HandleOnce(HandledUpdates(redis, RedisKeys(prefix), lease=lease)).setup(dispatcher)
    return dispatcher


async def deliver(dispatcher: RedeliveringDispatcher) -> None:
    telegram = Bot(TOKEN)
    try:
        await dispatcher.feed_update(telegram, an_update())
    finally:
        await telegram.session.close()


async def test_an_update_handled_by_one_process_is_skipped_by_another(
    redis: Redis, other_process_redis: Redis, redis_prefix: str
) -> None:
    world = World()
    here = process(redis, redis_prefix, world)

    await deliver(here)
    await deliver(process(other_process_redis, redis_prefix, world))
    await deliver(here)

    assert world.handled == ["alice@example.com"]


async def test_a_delivery_while_the_first_is_handled_is_refused_and_later_found_done(
    redis: Redis, other_process_redis: Redis, redis_prefix: str
) -> None:
    world = World(go_on=asyncio.Event())
    first = asyncio.create_task(deliver(process(redis, redis_prefix, world)))
    await world.entered.wait()
    there = process(other_process_redis, redis_prefix, world)

    with pytest.raises(UpdateInProgress):
        await deliver(there)
    assert world.go_on is not None
    world.go_on.set()
    await first
    await deliver(there)

    assert world.handled == ["alice@example.com"]


async def test_an_update_that_met_an_outage_before_its_handler_is_handled_when_it_returns(
    redis: Redis, other_process_redis: Redis, redis_prefix: str
) -> None:
    world = World(outages_before_handler=1)
    here = process(redis, redis_prefix, world)

    with pytest.raises(UpdateNotHandled):
        await deliver(here)
    # The claim was not given back (Redis was away): another process waits for its lease...
    with pytest.raises(UpdateInProgress):
        await deliver(process(other_process_redis, redis_prefix, world))
    # ...while the delivery that comes back here finds the claim its own.
    await deliver(here)

    assert world.handled == ["alice@example.com"]


async def test_the_claim_of_a_process_that_died_runs_out_and_another_handles_the_update(
    redis: Redis, other_process_redis: Redis, redis_prefix: str
) -> None:
    world = World(outages_before_handler=1)
    with pytest.raises(UpdateNotHandled):
        await deliver(process(redis, redis_prefix, world, lease=0.2))
    key = RedisKeys(redis_prefix).update(7)

    await asyncio.sleep(await redis.pttl(key) / 1000 + 0.05)  # the dead process's lease runs out
    await deliver(process(other_process_redis, redis_prefix, world))

    assert world.handled == ["alice@example.com"]
    assert await redis.get(key) == b"done"
    assert 0 < await redis.ttl(key) <= 86400


async def test_a_slow_handler_keeps_its_claim_past_the_lease(
    redis: Redis, other_process_redis: Redis, redis_prefix: str
) -> None:
    world = World(go_on=asyncio.Event())
    first = asyncio.create_task(deliver(process(redis, redis_prefix, world, lease=0.3)))
    await world.entered.wait()
    key = RedisKeys(redis_prefix).update(7)
    claimed = await redis.get(key)

    deadline = asyncio.get_running_loop().time() + 1.0  # three leases
    while asyncio.get_running_loop().time() < deadline:
        assert await redis.get(key) == claimed
        await asyncio.sleep(0.05)
    with pytest.raises(UpdateInProgress):
        await deliver(process(other_process_redis, redis_prefix, world))
    assert world.go_on is not None
    world.go_on.set()
    await first

    assert world.handled == ["alice@example.com"]
