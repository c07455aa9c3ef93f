"""A paced sender on the test's Redis, the notes it is handed, and what a customer saw of them."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from redis.asyncio import Redis

from bot.notifications.outgoing import CardRef, OutgoingMessage
from bot.notifications.sender import PacedSender
from bot.storage.bids import BidRepository
from bot.storage.keys import RedisKeys
from tests.fake_telegram import SimulatedUser


def make_sender(
    bot: Bot, redis: Redis, keys: RedisKeys, consumer: str = "one", **options: Any
) -> PacedSender:
    bids = BidRepository(redis, keys)

    async def card_shown(card: CardRef, message_id: int) -> int | None:
        return await bids.show(card.bid_id, card.audience, message_id, card.status)

    settings: dict[str, Any] = {"chat_rate": 20.0, "retry_base": 0.05, **options}
    return PacedSender(bot, redis, keys, consumer=consumer, card_shown=card_shown, **settings)


def note(user: SimulatedUser, text: str, key: str | None = None, **fields: Any) -> OutgoingMessage:
    return OutgoingMessage(
        chat_id=user.id, text=text, dedup_key=key or f"{user.id}:{text}", **fields
    )


def texts(user: SimulatedUser) -> list[str]:
    return [message.text or "" for message in user.bot_messages]
