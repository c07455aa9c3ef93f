"""The creation ledger: one attempt per confirmation, and an unknown outcome never forgotten."""

from __future__ import annotations

import asyncio

import pytest
from fakeredis import FakeAsyncRedis
from redis.asyncio import Redis

from bot.storage.creations import CreationClaim, CreationLedger, CreationState
from bot.storage.keys import RedisKeys

API_ID = "tg-5f1c2e"
ALICE = CreationClaim(user_id=7001, chat_id=7001, locale="en", lang="en_US", direction_id="44")


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


async def test_a_triple_click_on_confirm_across_two_processes_starts_one_attempt(
    redis: Redis, other_process_redis: Redis, keys: RedisKeys
) -> None:
    first, second = CreationLedger(redis, keys), CreationLedger(other_process_redis, keys)
    answers = await asyncio.gather(
        first.begin(API_ID, ALICE, lease=30, settle=60),
        second.begin(API_ID, ALICE, lease=30, settle=60),
        first.begin(API_ID, ALICE, lease=30, settle=60),
    )
    assert sorted(str(state) for state, _ in answers) == ["None", "creating", "creating"]


async def test_a_press_after_the_bid_was_created_is_told_which_bid(
    redis: Redis, keys: RedisKeys
) -> None:
    ledger = CreationLedger(redis, keys)
    assert await ledger.begin(API_ID, ALICE, lease=30, settle=60) == (None, None)
    await ledger.mark_created(API_ID, "18342")
    assert await ledger.begin(API_ID, ALICE, lease=30, settle=60) == (
        CreationState.CREATED,
        "18342",
    )
    assert await ledger.due(10) == []


async def test_after_the_exchanger_said_no_the_customer_may_confirm_again(
    redis: Redis, keys: RedisKeys
) -> None:
    ledger = CreationLedger(redis, keys)
    await ledger.begin(API_ID, ALICE, lease=30, settle=60)
    await ledger.release(API_ID)
    assert await ledger.begin(API_ID, ALICE, lease=30, settle=60) == (None, None)


async def test_an_unknown_outcome_is_never_released_and_is_due_for_lookups(
    redis: Redis, keys: RedisKeys
) -> None:
    ledger = CreationLedger(redis, keys)
    await ledger.begin(API_ID, ALICE, lease=30, settle=60)
    await ledger.mark_uncertain(API_ID, check_in=0)
    await ledger.release(API_ID)  # a late "no" from somewhere must not free it
    assert (await ledger.begin(API_ID, ALICE, lease=30, settle=60))[0] is CreationState.UNCERTAIN
    assert await ledger.due(10) == [API_ID]
    entry = await ledger.get(API_ID)
    assert entry is not None and entry.claim == ALICE and entry.state is CreationState.UNCERTAIN


async def test_an_attempt_whose_holder_died_turns_uncertain_not_free(
    redis: Redis, keys: RedisKeys
) -> None:
    ledger = CreationLedger(redis, keys)
    await ledger.begin(API_ID, ALICE, lease=0.2, settle=60)
    assert (await ledger.begin(API_ID, ALICE, lease=0.2, settle=60))[0] is CreationState.CREATING
    assert await ledger.due(10) == []
    await asyncio.sleep(0.3)
    assert await ledger.due(10) == [API_ID]  # the resolver takes over when the lease ends
    assert await ledger.take_over(API_ID) is CreationState.UNCERTAIN
    assert (await ledger.begin(API_ID, ALICE, lease=0.2, settle=60))[0] is CreationState.UNCERTAIN


async def test_only_a_proof_of_absence_settles_it_and_a_bid_found_later_wins(
    redis: Redis, keys: RedisKeys
) -> None:
    ledger = CreationLedger(redis, keys)
    await ledger.begin(API_ID, ALICE, lease=30, settle=60)
    assert not await ledger.mark_absent(API_ID)  # not while the attempt runs
    await ledger.mark_uncertain(API_ID, check_in=0)
    await ledger.reschedule(API_ID, after=600, failed=True)
    assert await ledger.due(10) == []
    entry = await ledger.get(API_ID)
    assert entry is not None and entry.failed_checks == 1
    assert await ledger.mark_absent(API_ID)
    assert not await ledger.mark_absent(API_ID)  # told once
    await ledger.mark_created(API_ID, "18342")  # a late callback found it after all
    entry = await ledger.get(API_ID)
    assert entry is not None and (entry.state, entry.bid_id) == (CreationState.CREATED, "18342")


async def test_cancelling_while_unsure_is_remembered_for_what_is_found(
    redis: Redis, keys: RedisKeys
) -> None:
    ledger = CreationLedger(redis, keys)
    await ledger.begin(API_ID, ALICE, lease=30, settle=60)
    await ledger.mark_uncertain(API_ID, check_in=0)
    await ledger.mark_cancelled(API_ID)
    entry = await ledger.get(API_ID)
    assert entry is not None and entry.cancelled


async def test_confirmations_do_not_block_each_other(redis: Redis, keys: RedisKeys) -> None:
    ledger = CreationLedger(redis, keys)
    await ledger.begin(API_ID, ALICE, lease=30, settle=60)
    assert await ledger.begin("tg-another", ALICE, lease=30, settle=60) == (None, None)


async def test_demo_modes_in_process_store_keeps_the_ledger_the_same_way(keys: RedisKeys) -> None:
    ledger = CreationLedger(FakeAsyncRedis(), keys)  # what the bot uses when REDIS_URL is empty
    assert await ledger.begin(API_ID, ALICE, lease=30, settle=0) == (None, None)
    assert (await ledger.begin(API_ID, ALICE, lease=30, settle=0))[0] is CreationState.CREATING
    await ledger.mark_uncertain(API_ID, check_in=0)
    assert await ledger.due(10) == [API_ID]
    assert await ledger.mark_absent(API_ID)
    assert (await ledger.begin(API_ID, ALICE, lease=30, settle=0))[0] is CreationState.ABSENT
