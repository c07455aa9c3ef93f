"""The paced sender's limits and queue, without Telegram (the stories are in tests/e2e)."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis

from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.pacing import Pacing, RateLimit
from bot.notifications.send_queue import SendQueue
from bot.storage.keys import RedisKeys


def test_rates_become_whole_messages_per_window() -> None:
    assert RateLimit.per_second(25) == RateLimit(25, 1.0)
    assert RateLimit.per_second(1) == RateLimit(1, 1.0)
    assert RateLimit.per_second(0.5) == RateLimit(1, 2.0)
    assert RateLimit.per_second(2.5) == RateLimit(2, 0.8)
    with pytest.raises(ValueError, match="positive"):
        RateLimit.per_second(0)


def test_windows_are_a_little_wider_than_the_limit_against_network_jitter() -> None:
    assert RateLimit(1, 1.0).window_ms == 1050
    assert RateLimit(20, 60.0).window_ms == 63000


def test_a_group_message_counts_against_the_group_limit_too() -> None:
    pacing = Pacing.from_rates(global_rate=25, chat_rate=1, group_per_minute=20)
    assert pacing.limits_for(1001) == [
        ("global", RateLimit(25, 1.0)),
        ("chat:1001", RateLimit(1, 1.0)),
        ("chat-sustained:1001", RateLimit(10, 10.0)),
    ]
    assert pacing.limits_for(-4000000001) == [
        ("global", RateLimit(25, 1.0)),
        ("chat:-4000000001", RateLimit(1, 1.0)),
        ("chat-sustained:-4000000001", RateLimit(10, 10.0)),
        ("group:-4000000001", RateLimit(20, 60.0)),
    ]


async def test_queued_messages_keep_their_order_per_chat(redis: Redis, redis_prefix: str) -> None:
    keys = RedisKeys(redis_prefix)
    queue = SendQueue(redis, keys)
    first = await queue.enqueue(OutgoingMessage(chat_id=1, text="a", dedup_key="k1"))
    rest = await queue.enqueue_many(
        [
            OutgoingMessage(chat_id=2, text="b", dedup_key="k2"),
            OutgoingMessage(chat_id=1, text="c", dedup_key="k3"),
        ]
    )
    assert await redis.xlen(keys.send_queue) == 3
    assert await chat_order(redis, keys, 1) == [first, rest[1]]
    assert await chat_order(redis, keys, 2) == [rest[0]]
    entries: Any = await redis.xrange(keys.send_queue, first, first)
    stored = OutgoingMessage.model_validate_json(entries[0][1][b"message"])
    assert stored == OutgoingMessage(chat_id=1, text="a", dedup_key="k1")


async def chat_order(redis: Redis, keys: RedisKeys, chat_id: int) -> list[str]:
    ids: Any = await redis.lrange(keys.send_queue_chat(chat_id), 0, -1)  # type: ignore[misc]
    return [entry_id.decode() for entry_id in ids]
