"""Each customer gets their notifications in the order they were queued, a busy chat holds up no
other, and sending stays within Telegram's flood limits of every chat and of the bot."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from redis.asyncio import Redis

from bot.notifications.send_queue import SendQueue
from bot.storage.keys import RedisKeys
from tests.e2e.sender_delivery.sending import make_sender, note, texts
from tests.fake_telegram import FakeTelegram, FloodRules


async def test_each_customer_gets_their_notifications_in_the_order_they_were_queued(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    bob = fake_telegram.user("Bob", started=True)
    for step in range(6):
        await queue.enqueue_many([note(alice, f"alice {step}"), note(bob, f"bob {step}")])

    # Two bot processes share the queue; each chat's order still holds.
    await asyncio.gather(
        make_sender(bot, redis, keys, "one").process_available(within=10),
        make_sender(bot, redis, keys, "two").process_available(within=10),
    )

    assert texts(alice) == [f"alice {step}" for step in range(6)]
    assert texts(bob) == [f"bob {step}" for step in range(6)]


async def test_a_busy_chat_does_not_hold_up_other_chats(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    bob = fake_telegram.user("Bob", started=True)
    await queue.enqueue_many([note(alice, "alice 0"), note(alice, "alice 1"), note(bob, "bob 0")])

    await make_sender(bot, redis, keys, chat_rate=1.0).process_available(within=5)

    order = [call.params["text"] for call in fake_telegram.calls("sendMessage")]
    assert order == ["alice 0", "bob 0", "alice 1"]


async def test_sending_stays_within_the_flood_limits_of_every_chat_and_of_the_bot(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    fake_telegram.enable_flood_control(FloodRules(per_chat=(1, 1.0), overall=(5, 1.0)))
    customers = [fake_telegram.user(f"Customer {n}", started=True) for n in range(10)]
    for round_ in range(2):
        await queue.enqueue_many([note(c, f"update {round_}") for c in customers])
    limits = {"global_rate": 5.0, "chat_rate": 1.0}

    await asyncio.gather(
        make_sender(bot, redis, keys, "one", **limits).process_available(within=10),
        make_sender(bot, redis, keys, "two", **limits).process_available(within=10),
    )

    assert fake_telegram.flood_violations == []
    assert all(texts(c) == ["update 0", "update 1"] for c in customers)
