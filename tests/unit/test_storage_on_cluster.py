"""Every Redis step of the bot that touches several keys at once (a Lua script, a MULTI/EXEC,
a read of state and data together) runs on a Redis Cluster, where Redis refuses one whose keys
lie in different hash slots (CROSSSLOT). One story per repository, on the test run's cluster."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import TelegramObject, Update, User
from redis.asyncio import Redis

from bot.fsm import SealedStorage, fsm_key_builder
from bot.i18n import create_i18n
from bot.isolation import RestartSafeEventIsolation
from bot.middlewares.throttle import UserThrottle
from bot.notifications.gate import SendGate, Verdict
from bot.notifications.outbox import EventSource, Outbox
from bot.notifications.outgoing import OutgoingMessage
from bot.notifications.pacing import Pacing
from bot.notifications.schedule import CheckSchedule, Mark
from bot.notifications.send_budget import SendBudget
from bot.notifications.send_queue import SendQueue
from bot.notifications.stream import StreamConsumer
from bot.storage.bids import Audience, BidRepository
from bot.storage.cache import JsonCache
from bot.storage.cipher import DataCipher
from bot.storage.creations import CreationClaim, CreationLedger, CreationState
from bot.storage.keys import RedisKeys
from bot.storage.locks import redis_lock
from bot.storage.profiles import UserProfiles
from bot.storage.redis import create_redis
from bot.storage.requisites import SavedDetail, SavedRequisites
from bot.storage.updates import Claim, HandledUpdates
from tests.e2e.harness import DATA_KEY
from tests.unit.test_storage_bids import bid


@pytest_asyncio.fixture
async def cluster(redis_cluster_url: str) -> AsyncIterator[Redis]:
    client = create_redis(redis_cluster_url)
    yield client
    await client.aclose()


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix, cluster=True)


def cipher() -> DataCipher:
    made = DataCipher.from_setting(DATA_KEY)
    assert made is not None
    return made


async def test_a_bid_is_recorded_listed_updated_and_closed(cluster: Redis, keys: RedisKeys) -> None:
    bids = BidRepository(cluster, keys)
    assert await bids.create(bid("7", user_id=5))
    assert not await bids.create(bid("7", user_id=5))

    assert [r.bid_id for r in await bids.list_for_user(5)] == ["7"]
    assert (await bids.find_by_api_id("api-7") or bid("x")).bid_id == "7"
    assert await bids.update_status("7", "payed", "Paid") is not None
    assert await bids.mark_told("7", card_status="payed", count_change=True)
    assert await bids.show("7", Audience.CUSTOMER, 100, "payed") is None
    assert await bids.show("7", Audience.CUSTOMER, 101, "payed") == 100
    assert await bids.mark_checked("7") is not None
    assert await bids.open_bids() == ["7"]
    await bids.mark_final("7")
    assert await bids.open_bids() == []


async def test_a_confirmation_goes_through_the_creation_ledger(
    cluster: Redis, keys: RedisKeys
) -> None:
    ledger = CreationLedger(cluster, keys)
    claim = CreationClaim(user_id=5, chat_id=5, locale="en", lang="en", direction_id="44")

    assert await ledger.begin("api-1", claim, lease=30, settle=60) == (None, None)
    assert await ledger.begin("api-1", claim, lease=30, settle=60) == (
        CreationState.CREATING,
        None,
    )
    await ledger.mark_uncertain("api-1", check_in=0)
    assert await ledger.due(10) == ["api-1"]
    await ledger.reschedule("api-1", after=60, failed=True)
    assert await ledger.take_over("api-1") is CreationState.UNCERTAIN
    await ledger.mark_created("api-1", "7")
    assert (await ledger.get("api-1") or pytest.fail()).bid_id == "7"

    assert await ledger.begin("api-2", claim, lease=30, settle=60) == (None, None)
    await ledger.release("api-2")
    assert await ledger.get("api-2") is None


async def test_a_message_is_queued_gated_and_sent_once(cluster: Redis, keys: RedisKeys) -> None:
    queue = SendQueue(cluster, keys)
    pacing = Pacing.from_rates(global_rate=25, chat_rate=1, group_per_minute=20)
    gate = SendGate(cluster, keys, pacing, group="senders", owner="s1", lease=50)
    consumer = StreamConsumer(cluster, keys.send_queue, "senders", "s1")
    await consumer.ensure_group()

    first = await queue.enqueue(OutgoingMessage(chat_id=5, text="a", dedup_key="k1"))
    second, other = await queue.enqueue_many(
        [
            OutgoingMessage(chat_id=5, text="b", dedup_key="k2"),
            OutgoingMessage(chat_id=-100, text="c", dedup_key="k3"),
        ]
    )
    assert [entry for entry, _ in await consumer.read_new(10)] == [first, second, other]

    assert (await gate.check(second, 5, "k2"))[0] is Verdict.BEHIND
    assert (await gate.check(first, 5, "k1"))[0] is Verdict.GO
    await gate.sent(first, 5, "k1")
    assert (await gate.check(other, -100, "k3"))[0] is Verdict.GO
    await gate.release("k3")
    await gate.drop(other, -100)
    verdict, _ = await gate.check(second, 5, "k2")
    assert verdict is Verdict.WAIT  # one message a second to a private chat


async def test_events_are_coalesced_claimed_and_finished(cluster: Redis, keys: RedisKeys) -> None:
    schedule = CheckSchedule(cluster, keys, min_interval=0)
    assert await schedule.mark([Mark("7"), Mark("7"), Mark("8")]) == 3

    claims = await schedule.claim(10, lease=30)
    assert sorted(c.member for c in claims) == ["7", "8"]
    seven = next(c for c in claims if c.member == "7")
    eight = next(c for c in claims if c.member == "8")
    assert await schedule.finish(seven)
    assert await schedule.retry(eight, first_delay=60, max_delay=600) == 1
    assert await schedule.next_due_in() is not None
    await schedule.drop(eight)
    assert await schedule.next_due_in() is None


async def test_the_outbox_is_published_read_and_acknowledged(
    cluster: Redis, keys: RedisKeys
) -> None:
    outbox = Outbox(cluster, keys)
    await outbox.ensure_group()
    consumer = StreamConsumer(cluster, outbox.stream, outbox.group, "w1")
    entry = await outbox.publish(source=EventSource.CHANGED, bid_id="7")

    assert [e for e, _ in await consumer.read_new(10, block=100)] == [entry]
    assert await consumer.claim_abandoned(0, 10) != []
    await consumer.ack([entry])
    assert await consumer.read_own_pending(10) == []
    await consumer.leave()


async def test_saved_details_follow_consent(cluster: Redis, keys: RedisKeys) -> None:
    saved = SavedRequisites(cluster, keys, cipher())
    assert not await saved.remember(5, "E-mail", "alice@example.com")
    await saved.set_consent(5, True)
    assert await saved.remember(5, "E-mail", "alice@example.com")
    assert await saved.list(5) == {"E-mail": "alice@example.com"}

    assert await saved.migrate(5, "E-mail", "cf6", "E-mail") == "alice@example.com"
    assert await saved.list(5) == {"cf6": "alice@example.com"}

    card = SavedDetail("account1@1", "4111111111111111", "Card")
    await saved.hold_for_consent(5, [card])
    assert await saved.take_held(5) == [card]
    assert await saved.take_held(5) == []
    await saved.set_consent(5, False)
    assert await saved.list(5) == {}


async def test_a_conversation_keeps_state_and_sealed_data_and_locks_per_user(
    cluster: Redis, keys: RedisKeys
) -> None:
    builder = fsm_key_builder(keys)
    storage = SealedStorage(
        cluster,
        cipher(),
        key_builder=builder,
        state_ttl=timedelta(days=1),
        data_ttl=timedelta(days=1),
    )
    chat = StorageKey(bot_id=1, chat_id=5, user_id=5)
    await storage.set_state(chat, "Exchange:amount")
    await storage.set_data(chat, {"draft": {"card": "4111111111111111"}})
    assert await storage.get_state(chat) == "Exchange:amount"
    assert await storage.get_data(chat) == {"draft": {"card": "4111111111111111"}}

    isolation = RestartSafeEventIsolation(cluster, key_builder=builder)
    async with isolation.lock(chat):
        assert await cluster.exists(builder.build(chat, "lock"))
    assert not await cluster.exists(builder.build(chat, "lock"))

    await cluster.set(builder.build(chat, "data"), b"damaged")
    assert await storage.get_state(chat) is None  # state and data are dropped together
    assert not await cluster.exists(builder.build(chat, "state"))


async def test_locks_and_the_cache_work_on_a_cluster(cluster: Redis, keys: RedisKeys) -> None:
    async with redis_lock(cluster, keys.lock("reconciler"), ttl=5) as lock:
        assert lock.acquired and await lock.refresh()

    async def load() -> list[str]:
        return ["BTC", "USDT"]

    cache = JsonCache(cluster, keys)
    assert await cache.get_or_load("currencies", 60, load) == ["BTC", "USDT"]
    await cache.invalidate("currencies")


async def test_replies_take_slots_and_a_429_pauses_every_sender(
    cluster: Redis, keys: RedisKeys
) -> None:
    budget = SendBudget(
        cluster, keys, Pacing.from_rates(global_rate=25, chat_rate=1, group_per_minute=20)
    )
    assert await budget.try_take(7) == (0, False)
    await budget.pause(3)
    wait, paused = await budget.try_take(8)
    assert paused and 2 < wait <= 3


async def test_a_flooding_user_is_told_once_on_a_cluster(cluster: Redis, keys: RedisKeys) -> None:
    """The bucket and its "told" mark are read and written by one script."""
    throttle = UserThrottle(
        cluster,
        keys,
        create_i18n("en"),
        UserProfiles(cluster, keys),
        rate=1,
        burst=1,
    )
    handled: list[int] = []

    async def handler(event: TelegramObject, data: dict[str, Any]) -> None:
        handled.append(1)

    user = User(id=42, is_bot=False, first_name="Alice")
    sent: list[str] = []

    class Bot:
        async def send_message(self, chat_id: int, text: str) -> None:
            sent.append(text)

    update = Update(update_id=1)
    data: dict[str, Any] = {"event_from_user": user, "bot": Bot()}
    for _ in range(3):
        await throttle(handler, update, data)
    assert handled == [1] and len(sent) == 1


async def test_an_update_is_claimed_and_marked_done_on_a_cluster(
    cluster: Redis, keys: RedisKeys
) -> None:
    updates = HandledUpdates(cluster, keys, lease=5)
    assert await updates.claim(901, "me") is Claim.CLAIMED
    assert await updates.claim(901, "other") is Claim.BUSY
    await updates.finish(901, "me")
    assert await updates.claim(901, "other") is Claim.DONE
