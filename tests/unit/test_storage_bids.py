"""The bot remembers which bids it created for whom, and what the chat last showed of them."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from fakeredis import FakeAsyncRedis
from redis.asyncio import Redis

from bot.storage.bids import Audience, BidRecord, BidRepository
from bot.storage.keys import RedisKeys

ALICE = 1001
BOB = 2002


def bid(
    bid_id: str, *, user_id: int = ALICE, created_at: float = 1_700_000_000.25, **changes: Any
) -> BidRecord:
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
        "created_at": created_at,
        "updated_at": created_at,
        "currency_give": "USDT",
        "currency_get": "RUB",
        "amount_give": "100.50",
        "amount_get": "9245.0000001",
    }
    fields.update(changes)
    return BidRecord(**fields)


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
def bids(redis: Redis, keys: RedisKeys) -> BidRepository:
    return BidRepository(redis, keys, clock=lambda: 1_700_000_500.0)


async def test_a_saved_bid_reads_back_exactly_as_it_was_saved(bids: BidRepository) -> None:
    record = bid("18342", card_message_id=77)
    await bids.create(record)
    assert await bids.get("18342") == record
    assert (await bids.get("18342") or record).card_status is None


async def test_a_bid_the_bot_never_created_is_unknown(bids: BidRepository) -> None:
    assert await bids.get("404") is None


async def test_a_customer_cannot_open_someone_elses_bid(bids: BidRepository) -> None:
    await bids.create(bid("18342", user_id=ALICE))
    assert await bids.get_owned("18342", BOB) is None
    assert await bids.get_owned("18342", ALICE) == bid("18342", user_id=ALICE)


async def test_my_bids_are_listed_newest_first_page_by_page(bids: BidRepository) -> None:
    for number in range(5):
        await bids.create(bid(f"10{number}", created_at=1_700_000_000.0 + number))
    await bids.create(bid("900", user_id=BOB))

    first_page = await bids.list_for_user(ALICE, offset=0, limit=2)
    second_page = await bids.list_for_user(ALICE, offset=2, limit=2)
    last_page = await bids.list_for_user(ALICE, offset=4, limit=2)

    assert [record.bid_id for record in first_page] == ["104", "103"]
    assert [record.bid_id for record in second_page] == ["102", "101"]
    assert [record.bid_id for record in last_page] == ["100"]
    assert await bids.count_for_user(ALICE) == 5
    assert await bids.count_for_user(BOB) == 1


async def test_a_new_customer_has_no_bids(bids: BidRepository) -> None:
    assert await bids.list_for_user(ALICE) == []
    assert await bids.count_for_user(ALICE) == 0


async def test_a_status_change_updates_status_title_and_time_only(bids: BidRepository) -> None:
    await bids.create(bid("18342", card_message_id=77))
    updated = await bids.update_status("18342", "payed", "Paid, waiting for confirmation")
    assert updated == bid(
        "18342",
        card_message_id=77,
        status="payed",
        status_title="Paid, waiting for confirmation",
        updated_at=1_700_000_500.0,
    )
    assert await bids.get("18342") == updated


async def test_updating_a_bid_the_bot_does_not_know_leaves_no_half_record(
    bids: BidRepository, redis: Redis, keys: RedisKeys
) -> None:
    assert await bids.update_status("404", "payed", "Paid") is None
    assert await bids.show("404", Audience.CUSTOMER, 5, "new") is None
    assert not await bids.mark_told("404", card_status="payed", count_change=True)
    assert await redis.exists(keys.bid("404")) == 0


async def test_each_audience_has_one_live_card_and_learns_which_card_it_replaced(
    bids: BidRepository,
) -> None:
    await bids.create(bid("18342"))
    assert await bids.show("18342", Audience.CUSTOMER, 4242, "new") is None
    assert await bids.show("18342", Audience.CUSTOMER, 4242, "new") is None  # the same card
    assert await bids.show("18342", Audience.CUSTOMER, 4250, "payed") == 4242
    assert await bids.show("18342", Audience.OPERATOR, 90, "payed") is None
    record = await bids.get("18342")
    assert record is not None
    assert (record.card_message_id, record.card_status) == (4250, "payed")
    assert (record.operator_message_id, record.operator_status) == (90, "payed")


async def test_the_reconciler_sees_bids_until_they_are_marked_final(bids: BidRepository) -> None:
    await bids.create(bid("2", created_at=1_700_000_002.0))
    await bids.create(bid("1", created_at=1_700_000_001.0))
    assert await bids.open_bids() == ["1", "2"]
    await bids.mark_final("1")
    assert await bids.open_bids() == ["2"]


async def test_a_bid_is_recorded_once_and_a_second_adopter_changes_nothing(
    bids: BidRepository,
) -> None:
    assert await bids.create(bid("1", card_status="new"))
    await bids.mark_final("1")
    assert not await bids.create(bid("1", status="success", status_title="Done"))
    assert await bids.open_bids() == []
    record = await bids.get("1")
    assert record is not None and (record.status, record.card_status) == ("new", "new")


async def test_a_confirmation_finds_the_bid_it_created(bids: BidRepository) -> None:
    await bids.create(bid("18342", api_id="api-c0ffee"))
    assert await bids.find_by_api_id("api-c0ffee") == bid("18342", api_id="api-c0ffee")
    assert await bids.find_by_api_id("api-unknown") is None


async def test_what_each_audience_was_told_moves_on_with_the_change_counter(
    bids: BidRepository,
) -> None:
    await bids.create(bid("18342"))
    assert await bids.mark_told(
        "18342", card_status="payed", operator_status="payed", count_change=True
    )
    assert await bids.mark_told("18342", operator_status="success", count_change=True)
    record = await bids.get("18342")
    assert record is not None
    assert (record.card_status, record.operator_status, record.changes) == ("payed", "success", 2)


async def test_a_record_from_before_per_audience_statuses_reads_as_told_to_both(
    bids: BidRepository, redis: Redis, keys: RedisKeys
) -> None:
    await bids.create(bid("18342"))
    await redis.hset(keys.bid("18342"), "last_notified_status", "payed")  # type: ignore[misc]
    record = await bids.get("18342")
    assert record is not None and (record.card_status, record.operator_status) == ("payed", "payed")


async def test_a_read_of_the_bid_is_stamped_with_redis_time(
    bids: BidRepository, redis: Redis
) -> None:
    await bids.create(bid("18342"))
    seconds, micros = await redis.time()
    stamp = await bids.mark_checked("18342")
    assert stamp is not None and abs(stamp - (seconds + micros / 1e6)) < 5
    assert await bids.mark_checked("404") is None


async def test_records_and_indexes_expire_after_the_retention_time(
    redis: Redis, keys: RedisKeys
) -> None:
    retention = timedelta(milliseconds=300)
    bids = BidRepository(redis, keys, retention=retention)
    await bids.create(bid("18342", created_at=time.time()))
    assert 0 < await redis.pttl(keys.bid("18342")) <= 300
    assert 0 < await redis.pttl(keys.bid_by_api_id("api-18342")) <= 300
    assert 0 < await redis.pttl(keys.user_bids(ALICE)) <= 300


async def test_a_customers_expired_bids_leave_the_list_and_the_count(
    redis: Redis, keys: RedisKeys
) -> None:
    bids = BidRepository(redis, keys, retention=timedelta(days=90))
    now = time.time()
    await bids.create(bid("old", created_at=now - 100 * 86400))
    await bids.create(bid("new", created_at=now))
    await redis.delete(keys.bid("old"))  # what its TTL did after 90 days

    assert [record.bid_id for record in await bids.list_for_user(ALICE)] == ["new"]
    assert await bids.count_for_user(ALICE) == 1
    assert await bids.open_bids() == ["new"]


async def test_a_damaged_record_is_treated_as_forgotten_rather_than_breaking_the_list(
    bids: BidRepository, redis: Redis, keys: RedisKeys
) -> None:
    await bids.create(bid("18342"))
    await redis.hset(keys.bid("18342"), "created_at", "yesterday")  # type: ignore[misc]
    assert await bids.get("18342") is None
    assert await bids.list_for_user(ALICE) == []


async def test_demo_modes_in_process_store_updates_bids_the_same_way(keys: RedisKeys) -> None:
    bids = BidRepository(FakeAsyncRedis(), keys, clock=lambda: 1_700_000_500.0)
    await bids.create(bid("18342"))
    updated = await bids.update_status("18342", "payed", "Paid")
    assert updated is not None and updated.status == "payed"
    assert await bids.mark_told("18342", card_status="payed", count_change=True)
    assert await bids.show("18342", Audience.CUSTOMER, 7, "payed") is None
    assert await bids.mark_checked("18342") is not None
    assert not await bids.create(bid("18342"))
