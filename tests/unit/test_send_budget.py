"""One budget of Telegram sends for replies and notifications, shared by every bot process."""

from __future__ import annotations

import asyncio
import time

from aiogram.exceptions import TelegramRetryAfter
from redis.asyncio import Redis

from bot.notifications.gate import SendGate, Verdict
from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.pacing import Pacing, RateLimit
from bot.notifications.send_budget import SendBudget, reply_limits
from bot.notifications.send_queue import SendQueue
from bot.storage.keys import RedisKeys
from bot.telegram import create_bot
from tests.fake_telegram import FakeTelegram

DEFAULTS = Pacing.from_rates(global_rate=25, chat_rate=1, group_per_minute=20)


def test_replies_may_go_a_little_above_notifications_and_burst_in_a_chat() -> None:
    assert reply_limits(DEFAULTS, 1001) == [
        ("global", RateLimit(27, 1.0)),
        ("chat:1001", RateLimit(3, 1.0)),
        ("chat-sustained:1001", RateLimit(10, 10.0)),
    ]
    assert reply_limits(DEFAULTS, -100)[-1] == ("group:-100", RateLimit(20, 60.0))
    assert reply_limits(DEFAULTS, None) == [("global", RateLimit(27, 1.0))]


async def test_two_processes_share_one_chats_burst(
    redis: Redis, other_process_redis: Redis, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    here, there = SendBudget(redis, keys, DEFAULTS), SendBudget(other_process_redis, keys, DEFAULTS)
    assert await here.try_take(7) == (0, False)
    assert await there.try_take(7) == (0, False)
    assert await here.try_take(7) == (0, False)
    wait, paused = await there.try_take(7)
    assert 0 < wait <= 1.05 and not paused
    assert await there.try_take(8) == (0, False)  # another chat is not held up


async def test_a_queue_of_notifications_leaves_room_for_replies(
    redis: Redis, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    budget = SendBudget(redis, keys, DEFAULTS)
    for chat in range(25):
        assert await budget.try_take(chat) == (0, False)
    entry = await SendQueue(redis, keys).enqueue(
        OutgoingMessage(chat_id=500, text="Status changed", dedup_key="k")
    )
    gate = SendGate(redis, keys, DEFAULTS, group="senders", owner="me", lease=20)
    verdict, _ = await gate.check(entry, 500, "k")
    assert verdict is Verdict.WAIT  # the notification waits for its share...
    assert await budget.try_take(501) == (0, False)  # ...while a reply still goes


async def test_a_429_pause_is_shared_and_never_cut_short(
    redis: Redis, other_process_redis: Redis, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    here, there = SendBudget(redis, keys, DEFAULTS), SendBudget(other_process_redis, keys, DEFAULTS)
    await here.pause(3)
    await there.pause(1)
    wait, paused = await there.try_take(1)
    assert paused and 2 < wait <= 3


async def test_a_429_is_waited_out_once_by_every_sender_and_never_reaches_the_handler(
    redis: Redis, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    async with FakeTelegram() as telegram:
        users = [telegram.user(started=True) for _ in range(5)]
        bots = [
            create_bot(telegram.token, telegram.url, budget=SendBudget(redis, keys, DEFAULTS))
            for _ in range(2)  # two processes
        ]
        telegram.fail_next("sendMessage", status=429, retry_after=1)
        try:
            await bots[0].send_message(users[0].id, "first")  # waited out, not raised
            asked = time.monotonic()
            await asyncio.gather(
                *(bots[n % 2].send_message(user.id, "next") for n, user in enumerate(users))
            )
        finally:
            for bot in bots:
                await bot.session.close()
        sends = telegram.calls("sendMessage")
    assert len(sends) == 1 + 1 + len(users)  # the refused one, its retry, the rest
    refused_at = sends[0].time
    assert all(send.time >= refused_at + 1 for send in sends[1:])
    assert asked >= refused_at + 1


async def test_the_senders_bot_hands_a_429_back_after_pausing_everybody(
    redis: Redis, redis_prefix: str
) -> None:
    keys = RedisKeys(redis_prefix)
    async with FakeTelegram() as telegram:
        alice = telegram.user(started=True)
        budget = SendBudget(redis, keys, DEFAULTS)
        bot = create_bot(telegram.token, telegram.url, budget=budget, retry_after=False)
        telegram.fail_next("sendMessage", status=429, retry_after=2)
        try:
            raised = None
            try:
                await bot.send_message(alice.id, "hello")
            except TelegramRetryAfter as exc:
                raised = exc
        finally:
            await bot.session.close()
    assert raised is not None and raised.retry_after == 2
    wait, paused = await budget.try_take(alice.id)
    assert paused and 1 < wait <= 2
