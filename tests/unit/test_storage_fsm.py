"""Conversation data is sealed in Redis; data that cannot be read starts the customer over."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder, StorageKey
from aiogram.fsm.storage.redis import RedisStorage
from redis.asyncio import Redis

from bot.fsm import NO_DATA_KEY_WARNING, SealedStorage, conversation_cipher
from bot.storage.cipher import DataCipher
from bot.storage.keys import RedisKeys

OLD_KEY = "U6S7IDA-XBnf-Adtm5JZBM1AxaJmb6AxT8zRkKidhvI"
NEW_KEY = "WdtHdKLTFzJeYKmBSvWsHLOajiVleuzzDAcV4-W67nk"
CARD = "4276380012345678"
ALICE = StorageKey(bot_id=1, chat_id=1001, user_id=1001)
BOB = StorageKey(bot_id=1, chat_id=1002, user_id=1002)
TTL = timedelta(days=1)
DRAFT = {"draft": {"answers": {"account1": CARD, "cf6": "alice@example.com"}}}


def cipher_for(setting: str) -> DataCipher:
    cipher = DataCipher.from_setting(setting)
    assert cipher is not None
    return cipher


def sealed_storage(redis: Redis, keys: RedisKeys, cipher: DataCipher) -> SealedStorage:
    builder = DefaultKeyBuilder(prefix=keys.fsm_prefix, with_destiny=True)
    return SealedStorage(redis, cipher, key_builder=builder, state_ttl=TTL, data_ttl=TTL)


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
def storage(redis: Redis, keys: RedisKeys) -> SealedStorage:
    return sealed_storage(redis, keys, cipher_for(OLD_KEY))


def data_key(keys: RedisKeys, key: StorageKey) -> str:
    return f"{keys.fsm_prefix}:{key.chat_id}:{key.user_id}:default:data"


async def test_the_draft_reads_back_as_written_but_is_sealed_in_redis(
    storage: SealedStorage, redis: Redis, keys: RedisKeys
) -> None:
    await storage.set_state(ALICE, "Exchange:field")
    await storage.set_data(ALICE, DRAFT)

    assert await storage.get_state(ALICE) == "Exchange:field"
    assert await storage.get_data(ALICE) == DRAFT
    assert await storage.update_data(ALICE, {"step": 2}) == {**DRAFT, "step": 2}
    raw = await redis.get(data_key(keys, ALICE))
    assert raw is not None
    assert CARD.encode() not in raw and b"alice" not in raw and b"draft" not in raw
    ttl_ms = TTL.total_seconds() * 1000
    assert ttl_ms - 5000 < await redis.pttl(data_key(keys, ALICE)) <= ttl_ms


async def test_ending_the_conversation_deletes_the_draft(
    storage: SealedStorage, redis: Redis, keys: RedisKeys
) -> None:
    await storage.set_state(ALICE, "Exchange:field")
    await storage.set_data(ALICE, DRAFT)
    await storage.set_state(ALICE, None)
    await storage.set_data(ALICE, {})

    assert await redis.exists(data_key(keys, ALICE)) == 0
    assert await storage.get_data(ALICE) == {}


async def test_a_draft_copied_to_another_customer_is_dropped_for_them_once(
    storage: SealedStorage, redis: Redis, keys: RedisKeys, caplog: pytest.LogCaptureFixture
) -> None:
    await storage.set_data(ALICE, DRAFT)
    await storage.set_state(BOB, "Exchange:summary")
    await redis.set(data_key(keys, BOB), await redis.get(data_key(keys, ALICE)) or b"")

    with caplog.at_level(logging.WARNING):
        assert await storage.get_state(BOB) is None
        assert await storage.get_data(BOB) == {}
        assert await storage.get_state(BOB) is None

    assert await redis.exists(data_key(keys, BOB)) == 0
    assert await storage.get_data(ALICE) == DRAFT
    assert [r.getMessage() for r in caplog.records] == [
        "Conversation data of chat 1002 could not be read (DATA_KEY replaced, or damaged) "
        "and was dropped: the customer starts over"
    ]


@pytest.mark.parametrize(
    "stored",
    [b'{"draft": {"answers": {}}}', b"\x01" + b"\x00" * 40],
    ids=["plain, from before sealing", "damaged"],
)
async def test_plain_or_damaged_data_reads_as_no_conversation(
    storage: SealedStorage, redis: Redis, keys: RedisKeys, stored: bytes
) -> None:
    await storage.set_state(ALICE, "Exchange:field")
    await redis.set(data_key(keys, ALICE), stored)

    assert await storage.get_data(ALICE) == {}
    assert await storage.get_state(ALICE) is None


async def test_a_draft_sealed_before_a_rotation_is_still_read(
    redis: Redis, keys: RedisKeys, storage: SealedStorage
) -> None:
    await storage.set_data(ALICE, DRAFT)
    rotated = sealed_storage(redis, keys, cipher_for(f"{NEW_KEY},{OLD_KEY}"))

    assert await rotated.get_data(ALICE) == DRAFT


async def test_without_a_data_key_every_instance_seals_with_one_generated_key_and_says_so(
    redis: Redis, keys: RedisKeys, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        first = await conversation_cipher(redis, keys, None)
        second = await conversation_cipher(redis, keys, None)

    await sealed_storage(redis, keys, first).set_data(ALICE, DRAFT)
    assert await sealed_storage(redis, keys, second).get_data(ALICE) == DRAFT
    assert [r.getMessage() for r in caplog.records] == [NO_DATA_KEY_WARNING] * 2
    assert "Set DATA_KEY" in NO_DATA_KEY_WARNING


async def test_with_a_data_key_conversations_are_sealed_with_it_and_nothing_is_generated(
    redis: Redis, keys: RedisKeys, caplog: pytest.LogCaptureFixture
) -> None:
    data_cipher = cipher_for(OLD_KEY)
    with caplog.at_level(logging.WARNING):
        assert await conversation_cipher(redis, keys, data_cipher) is data_cipher
    assert caplog.records == []
    assert await redis.exists(keys.generated_secret("conversations")) == 0


def test_every_data_path_of_redis_storage_is_sealed() -> None:
    """An aiogram upgrade that adds a RedisStorage method reading or writing data directly
    (plain JSON) must not slip past the sealing: it fails here until it is overridden."""
    not_about_data = {"__init__", "from_url", "create_isolation", "close", "set_state"}
    own = {name for name, value in vars(RedisStorage).items() if callable(value)}
    assert own - not_about_data <= set(vars(SealedStorage))
