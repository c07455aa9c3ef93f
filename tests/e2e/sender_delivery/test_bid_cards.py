"""A bid's card is replaced by its next one: the new card takes the old one's buttons, the bid
remembers which message shows it, and a card whose old message is gone still arrives."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from redis.asyncio import Redis

from bot.notifications.outgoing import CardRef, OutgoingMessage
from bot.notifications.send_queue import SendQueue
from bot.storage.bids import Audience, BidRecord, BidRepository
from bot.storage.keys import RedisKeys
from tests.e2e.sender_delivery.sending import make_sender, note
from tests.fake_telegram import FakeTelegram, SimulatedUser


def card(user: SimulatedUser, text: str, bid_id: str, status: str) -> OutgoingMessage:
    return note(
        user,
        text,
        key=f"s:{bid_id}:{status}",
        card=CardRef(bid_id=bid_id, audience=Audience.CUSTOMER, status=status),
        reply_markup={"inline_keyboard": [[{"text": "🔄 Refresh", "callback_data": "r"}]]},
    )


async def test_a_new_card_takes_the_buttons_of_the_one_it_replaces_and_the_bid_remembers_it(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    bids = BidRepository(redis, keys)
    await bids.create(bid_record("1053", alice.id))
    sender = make_sender(bot, redis, keys)
    await queue.enqueue(card(alice, "Bid 1053: new", "1053", "new"))
    await sender.process_available(within=5)
    first = alice.last_message

    await queue.enqueue(card(alice, "Bid 1053: paid", "1053", "payed"))
    await sender.process_available(within=5)

    second = alice.last_message
    assert [m.text for m in alice.bot_messages] == ["Bid 1053: new", "Bid 1053: paid"]
    assert second.message_id != first.message_id
    assert first.button_labels() == [] and second.button_labels() == ["🔄 Refresh"]
    record = await bids.get("1053")
    assert record is not None
    assert (record.card_message_id, record.card_status) == (second.message_id, "payed")
    assert len(fake_telegram.calls("editMessageText")) == 0


async def test_a_card_whose_old_message_is_gone_still_arrives(
    fake_telegram: FakeTelegram, bot: Bot, redis: Redis, keys: RedisKeys, queue: SendQueue
) -> None:
    alice = fake_telegram.user("Alice", started=True)
    bids = BidRepository(redis, keys)
    await bids.create(bid_record("1053", alice.id, card_message_id=999))
    fake_telegram.expect_rejection("editMessageReplyMarkup", "message to edit not found")
    await queue.enqueue(card(alice, "Bid 1053: paid", "1053", "payed"))

    await make_sender(bot, redis, keys).process_available(within=5)

    assert alice.last_message.text == "Bid 1053: paid"
    record = await bids.get("1053")
    assert record is not None and record.card_message_id == alice.last_message.message_id


def bid_record(bid_id: str, user_id: int, **changes: Any) -> BidRecord:
    fields: dict[str, Any] = {
        "bid_id": bid_id,
        "bid_hash": f"hash{bid_id}",
        "user_id": user_id,
        "chat_id": user_id,
        "locale": "en",
        "direction_id": "12",
        "api_id": f"api-{bid_id}",
        "status": "new",
        "status_title": "New bid",
        "created_at": 1_700_000_000.0,
        "updated_at": 1_700_000_000.0,
        **changes,
    }
    return BidRecord(**fields)
