"""A notification is sent once however often it is queued, and not lost when a sender dies, Redis
loses its data or the bot restarts."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from redis.asyncio import Redis

from bot.notifications.send_queue import SendQueue
from bot.notifications.sender import SENDER_GROUP
from bot.storage.keys import RedisKeys
from tests.e2e.sender_delivery.sending import make_sender, note, texts
from tests.fake_telegram import FakeTelegram


async def test_a_notification_queued_twice_under_one_dedup_key_is_sent_once(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    sender = make_sender(bot, redis, keys)
    await queue.enqueue(note(alice, "Paid", key="status:1053:payed"))
    await queue.enqueue(note(alice, "Paid (replayed)", key="status:1053:payed"))
    await sender.process_available(within=5)
    await queue.enqueue(note(alice, "Paid (replayed later)", key="status:1053:payed"))
    await sender.process_available(within=5)

    assert texts(alice) == ["Paid"]
    assert await redis.xlen(keys.send_queue) == 0


async def test_a_message_read_by_a_process_that_died_is_sent_by_another(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    # Long enough that a loaded machine does not let the first look reach it (it did at 0.3 s).
    survivor = make_sender(bot, redis, keys, "survivor", claim_timeout=2.0)
    await redis.xgroup_create(keys.send_queue, SENDER_GROUP, id="0", mkstream=True)
    await queue.enqueue(note(alice, "Your bid is done"))
    # The dead process read the entry and never acknowledged it.
    await redis.xreadgroup(SENDER_GROUP, "dead", {keys.send_queue: ">"})

    await survivor.process_available(within=5)
    assert texts(alice) == []
    await asyncio.sleep(2.05)
    await survivor.process_available(within=5)

    assert texts(alice) == ["Your bid is done"]
    assert (await redis.xpending(keys.send_queue, SENDER_GROUP))["pending"] == 0


async def test_a_sender_killed_between_the_gate_and_telegrams_answer_loses_nothing(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    fake_telegram.stall_next("sendMessage")
    await queue.enqueue(note(alice, "Your money is on its way", key="status:1053:3:success"))
    dying = make_sender(bot, redis, keys, "dying", lease=0.5, claim_timeout=0.3)
    await dying.drain_once()  # passes the gate; the request is on its way
    for _ in range(100):
        if fake_telegram.calls("sendMessage"):
            break
        await asyncio.sleep(0.02)
    for task in list(dying._in_flight.values()):  # kill -9: nothing of it runs any more
        task.cancel()
    await asyncio.gather(*dying._in_flight.values(), return_exceptions=True)
    assert texts(alice) == []

    survivor = make_sender(bot, redis, keys, "survivor", lease=0.5, claim_timeout=0.3)
    await asyncio.sleep(0.35)
    await survivor.process_available(within=5)

    assert texts(alice) == ["Your money is on its way"]
    assert await redis.xlen(keys.send_queue) == 0
    await queue.enqueue(note(alice, "Your money is on its way", key="status:1053:3:success"))
    await survivor.process_available(within=5)
    assert texts(alice) == ["Your money is on its way"]  # a replay is still sent once


async def test_redis_losing_its_data_mid_delivery_stops_nothing_that_comes_after(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    sender = make_sender(bot, redis, keys, chat_rate=1.0)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    await queue.enqueue_many([note(alice, f"update {n}") for n in range(3)])
    await alice.wait_for_message("update 0", timeout=5)

    # FLUSHALL, a failover or a restart without persistence, as the bot's keys see it.
    await redis.delete(*[key async for key in redis.scan_iter(match=f"{keys.prefix}:*")])
    await queue.enqueue(note(alice, "after the loss"))

    await alice.wait_for_message("after the loss", timeout=10)
    stop.set()
    await asyncio.wait_for(running, 10)
    assert texts(alice)[0] == "update 0" and texts(alice)[-1] == "after the loss"


async def test_messages_queued_before_a_restart_are_sent_after_it(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    await queue.enqueue_many([note(alice, f"status {n}") for n in range(3)])
    stop = asyncio.Event()
    first = make_sender(bot, redis, keys, "before", chat_rate=1.0)
    running = asyncio.create_task(first.run(stop))
    await alice.wait_for_message("status 0", timeout=5)
    stop.set()
    await running

    # A new process: it picks up what the stopped one held at once, not after claim_timeout.
    await make_sender(bot, redis, keys, "after", chat_rate=1.0).process_available(within=5)

    assert texts(alice) == ["status 0", "status 1", "status 2"]


async def test_a_send_telegram_leaves_hanging_does_not_hold_up_the_stop_and_is_sent_again(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    fake_telegram.stall_next("sendMessage")
    stopping = make_sender(
        bot, redis, keys, "stopping", lease=0.5, claim_timeout=0.3, stop_grace=0.5
    )
    stop = asyncio.Event()
    running = asyncio.create_task(stopping.run(stop))
    await queue.enqueue(note(alice, "Your money is on its way", key="status:1053:3:success"))
    for _ in range(100):
        if fake_telegram.calls("sendMessage"):
            break
        await asyncio.sleep(0.02)

    stop.set()
    await asyncio.wait_for(running, 5)  # not for as long as Telegram leaves it hanging
    assert texts(alice) == []

    survivor = make_sender(bot, redis, keys, "survivor", lease=0.5, claim_timeout=0.3)
    await asyncio.sleep(0.6)  # the stalled send's lease runs out
    await survivor.process_available(within=5)
    assert texts(alice) == ["Your money is on its way"]
