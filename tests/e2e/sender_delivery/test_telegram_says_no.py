"""Telegram says no: a 429 pauses all sending for retry_after, a customer who blocked the bot is
not written to until they write again, network errors are retried and a hopeless or refused
message is dropped without its text."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Chat, Message, Update, User
from redis.asyncio import Redis

from bot.middlewares.unblock import clear_blocked_mark
from bot.notifications.send_queue import SendQueue
from bot.storage.keys import RedisKeys
from tests.e2e.sender_delivery.sending import make_sender, note, texts
from tests.fake_telegram import FakeTelegram, SimulatedUser

SECRET = "card 4276 5500 1234 5678"  # stands for anything private in a notification


async def test_a_429_pauses_all_sending_for_retry_after_and_the_message_still_arrives(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    bob = fake_telegram.user("Bob", started=True)
    fake_telegram.fail_next("sendMessage", 1, status=429, retry_after=3)
    stop = asyncio.Event()
    running = asyncio.create_task(make_sender(bot, redis, keys).run(stop))
    try:
        await queue.enqueue(note(alice, "Your bid is paid"))
        for _ in range(100):  # until the first attempt has been refused
            if fake_telegram.calls("sendMessage"):
                break
            await asyncio.sleep(0.02)
        await queue.enqueue(note(bob, "Your bid is done"))

        await alice.wait_for_message("Your bid is paid", timeout=5)
        await bob.wait_for_message("Your bid is done", timeout=5)
    finally:
        stop.set()
        await running

    # Once the pause ends, Alice's retry and Bob's message are due within the same few ms:
    # either may go first.
    refused, *after_pause = fake_telegram.calls("sendMessage")
    (retried,) = [call for call in after_pause if call.params["chat_id"] == str(alice.id)]
    (to_bob,) = [call for call in after_pause if call.params["chat_id"] == str(bob.id)]
    assert refused.params["chat_id"] == str(alice.id) and len(after_pause) == 2
    assert retried.time - refused.time >= 3.0
    assert to_bob.time - refused.time >= 3.0  # Telegram's limit is per bot: everyone waited
    assert texts(alice) == ["Your bid is paid"]


async def test_a_customer_who_blocked_the_bot_is_not_written_to_until_they_write_again(
    fake_telegram: FakeTelegram,
    bot: Bot,
    redis: Redis,
    keys: RedisKeys,
    queue: SendQueue,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    alice.block_bot()
    fake_telegram.expect_rejection("sendMessage", "blocked by the user")
    await queue.enqueue_many([note(alice, f"status {n}") for n in range(5)])
    sender = make_sender(bot, redis, keys)

    with caplog.at_level(logging.INFO, logger="bot.notifications"):
        await sender.process_available(within=5)

    assert len(fake_telegram.calls("sendMessage")) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert await redis.xlen(keys.send_queue) == 0

    alice.unblock_bot()
    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(clear_blocked_mark(redis, keys))
    await dispatcher.feed_update(bot, user_writes(alice, "/start"))
    await queue.enqueue(note(alice, "Welcome back"))
    await sender.process_available(within=5)

    assert texts(alice) == ["Welcome back"]


def user_writes(user: SimulatedUser, text: str) -> Update:
    person = User(id=user.id, is_bot=False, first_name="Alice")
    message = Message(
        message_id=1,
        date=datetime.now(UTC),
        chat=Chat(id=user.id, type="private"),
        from_user=person,
        text=text,
    )
    return Update(update_id=1, message=message)


async def test_network_errors_are_retried_and_a_hopeless_message_is_dropped_without_its_text(
    fake_telegram: FakeTelegram,
    bot: Bot,
    redis: Redis,
    keys: RedisKeys,
    queue: SendQueue,
    caplog: pytest.LogCaptureFixture,
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    sender = make_sender(bot, redis, keys, max_attempts=3)
    fake_telegram.fail_next("sendMessage", 1, drop_connection=True)
    fake_telegram.fail_next("sendMessage", 1, status=502)
    await queue.enqueue(note(alice, "Paid", key="k1"))
    await sender.process_available(within=5)
    assert texts(alice) == ["Paid"]

    fake_telegram.fail_next("sendMessage", 3, status=500)
    with caplog.at_level(logging.INFO, logger="bot.notifications"):
        await queue.enqueue(note(alice, SECRET, key="k2"))
        await sender.process_available(within=5)

    assert texts(alice) == ["Paid"]
    assert await redis.xlen(keys.send_queue) == 0
    assert any("Gave up" in r.getMessage() for r in caplog.records)
    assert all(SECRET not in r.getMessage() for r in caplog.records)


async def test_a_message_telegram_refuses_is_dropped_and_the_chat_goes_on(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    fake_telegram.expect_rejection("sendMessage", "can't parse entities")
    await queue.enqueue_many([note(alice, "<b>broken"), note(alice, "Fine")])

    await make_sender(bot, redis, keys).process_available(within=5)

    assert texts(alice) == ["Fine"]
    assert len(fake_telegram.calls("sendMessage")) == 2
