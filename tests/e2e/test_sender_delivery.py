"""Notifications reach customers and operators through the paced sender (DESIGN.md §6): in
order, within Telegram's limits, once, and despite 429s, dead processes, lost Redis data and
restarts."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from aiogram import Bot, Dispatcher
from aiogram.types import Chat, Message, Update, User
from redis.asyncio import Redis

from bot.notifications.outgoing import CardRef, OutgoingMessage
from bot.notifications.send_queue import SendQueue
from bot.notifications.sender import SENDER_GROUP, PacedSender
from bot.notifications.unblock import clear_blocked_mark
from bot.storage.bids import Audience, BidRecord, BidRepository
from bot.storage.keys import RedisKeys
from bot.telegram import create_bot
from tests.fake_telegram import FakeTelegram, FloodRules, SimulatedUser

SECRET = "card 4276 5500 1234 5678"  # stands for anything private in a notification


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
def queue(redis: Redis, keys: RedisKeys) -> SendQueue:
    return SendQueue(redis, keys)


@pytest_asyncio.fixture
async def bot(fake_telegram: FakeTelegram) -> AsyncIterator[Bot]:
    bot = create_bot(fake_telegram.token, fake_telegram.url, retry_after=False)
    try:
        yield bot
    finally:
        await bot.session.close()


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
