"""Requisites are remembered only with consent and a DATA_KEY, sealed for their owner and slot,
and shown masked; details of a new bid wait for the consent answer briefly."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fakeredis import FakeAsyncRedis
from redis.asyncio import Redis

from bot.services.masking import mask_value
from bot.storage.cipher import DataCipher
from bot.storage.keys import RedisKeys
from bot.storage.requisites import (
    HOLD_FOR_CONSENT,
    MAX_FIELDS_PER_USER,
    MAX_VALUE_CHARS,
    SavedDetail,
    SavedRequisites,
)

USER = 3003
OTHER_USER = 4004
OLD_KEY = "U6S7IDA-XBnf-Adtm5JZBM1AxaJmb6AxT8zRkKidhvI"
NEW_KEY = "WdtHdKLTFzJeYKmBSvWsHLOajiVleuzzDAcV4-W67nk"
CARD = "4276 3800 1234 5678"
WALLET = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"


@pytest.fixture
def keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


def cipher_for(setting: str) -> DataCipher:
    cipher = DataCipher.from_setting(setting)
    assert cipher is not None
    return cipher


@pytest.fixture
def cipher() -> DataCipher:
    return cipher_for(OLD_KEY)


@pytest.fixture
def saved(redis: Redis, keys: RedisKeys, cipher: DataCipher) -> SavedRequisites:
    return SavedRequisites(redis, keys, cipher)


# Saved requisites


async def test_a_customer_who_agreed_is_offered_their_card_next_time(
    saved: SavedRequisites,
) -> None:
    assert await saved.consent(USER) is None
    await saved.set_consent(USER, True)
    assert await saved.consent(USER) is True
    assert await saved.remember(USER, "account2", CARD)
    assert await saved.recall(USER, "account2") == CARD
    assert await saved.list(USER) == {"account2": CARD}


async def test_nothing_is_remembered_before_the_customer_agrees(saved: SavedRequisites) -> None:
    assert not await saved.remember(USER, "account2", CARD)
    assert await saved.recall(USER, "account2") is None


async def test_nothing_is_remembered_without_a_data_key(redis: Redis, keys: RedisKeys) -> None:
    saved = SavedRequisites(redis, keys, None)
    assert not saved.enabled
    await saved.set_consent(USER, True)
    assert not await saved.remember(USER, "account2", CARD)
    assert await saved.list(USER) == {}
    assert await redis.exists(keys.requisites(USER)) == 0


async def test_saved_values_are_never_in_redis_in_plain_text(
    saved: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    await saved.set_consent(USER, True)
    await saved.remember(USER, "account2", CARD)
    await saved.remember(USER, "wallet", WALLET)
    raw = await redis.hgetall(keys.requisites(USER))  # type: ignore[misc]
    assert set(raw) == {b"account2", b"wallet"}
    for value in raw.values():
        assert CARD.encode() not in value
        assert b"5678" not in value
        assert WALLET.encode() not in value


async def test_declining_later_deletes_everything_saved(
    saved: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    await saved.set_consent(USER, True)
    await saved.remember(USER, "account2", CARD)
    await saved.set_consent(USER, False)
    assert await saved.consent(USER) is False
    assert await redis.exists(keys.requisites(USER)) == 0
    assert not await saved.remember(USER, "account2", CARD)


async def test_after_the_data_key_changed_old_values_are_simply_not_offered(
    saved: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    await saved.set_consent(USER, True)
    await saved.remember(USER, "account2", CARD)
    rekeyed = SavedRequisites(redis, keys, cipher_for(NEW_KEY))
    assert await rekeyed.recall(USER, "account2") is None
    assert await rekeyed.list(USER) == {}
    await rekeyed.remember(USER, "wallet", WALLET)
    assert await rekeyed.list(USER) == {"wallet": WALLET}


async def test_a_value_copied_to_another_customer_is_not_offered_to_them(
    saved: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    await saved.set_consent(USER, True)
    await saved.remember(USER, "From account · Sberbank RUB", CARD)
    await saved.set_consent(OTHER_USER, True)
    for slot, sealed in (await redis.hgetall(keys.requisites(USER))).items():  # type: ignore[misc]
        await redis.hset(keys.requisites(OTHER_USER), slot, sealed)  # type: ignore[misc]

    assert await saved.list(OTHER_USER) == {}
    assert await saved.recall(OTHER_USER, "From account · Sberbank RUB") is None
    assert await saved.list(USER) == {"From account · Sberbank RUB": CARD}


async def test_a_value_moved_to_another_slot_of_the_same_customer_is_not_offered(
    saved: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    await saved.set_consent(USER, True)
    await saved.remember(USER, "Into account · Tether TRC20 USDT", WALLET)
    sealed = await redis.hget(keys.requisites(USER), "Into account · Tether TRC20 USDT")  # type: ignore[misc]
    await redis.hset(keys.requisites(USER), "Into account · Bitcoin BTC", sealed)  # type: ignore[misc]

    assert await saved.list(USER) == {"Into account · Tether TRC20 USDT": WALLET}


async def test_after_a_rotation_old_values_are_offered_and_resaved_under_the_new_key(
    saved: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    await saved.set_consent(USER, True)
    await saved.remember(USER, "account2", CARD)
    await saved.remember(USER, "wallet", WALLET)

    rotated = SavedRequisites(redis, keys, cipher_for(f"{NEW_KEY},{OLD_KEY}"))
    assert await rotated.list(USER) == {"account2": CARD, "wallet": WALLET}
    await rotated.remember(USER, "account2", CARD)

    new_only = SavedRequisites(redis, keys, cipher_for(NEW_KEY))
    assert await new_only.list(USER) == {"account2": CARD}


async def test_values_saved_in_the_earlier_fernet_format_are_skipped(
    saved: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    # As the earlier code derived it from the same DATA_KEY text.
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"exchange-bot saved requisites v1"
    ).derive(OLD_KEY.encode())
    fernet_key = base64.urlsafe_b64encode(derived)
    await saved.set_consent(USER, True)
    await redis.hset(keys.requisites(USER), "account2", Fernet(fernet_key).encrypt(CARD.encode()))  # type: ignore[misc,arg-type]

    assert await saved.list(USER) == {}
    assert await saved.recall(USER, "account2") is None


async def test_a_new_bids_details_wait_sealed_for_the_consent_answer_for_an_hour_at_most(
    saved: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    details = [
        SavedDetail("account1@1", CARD, "From account · Sberbank RUB"),
        SavedDetail("cf6", "alice@example.com", "E-mail"),
    ]
    await saved.hold_for_consent(USER, details)

    raw = await redis.get(keys.requisites_held(USER))
    assert raw is not None and CARD.encode() not in raw and b"alice" not in raw
    hour_ms = HOLD_FOR_CONSENT.total_seconds() * 1000
    assert hour_ms - 5000 < await redis.pttl(keys.requisites_held(USER)) <= hour_ms
    assert HOLD_FOR_CONSENT <= timedelta(hours=1)
    assert await saved.take_held(OTHER_USER) == []

    assert await saved.take_held(USER) == details
    assert await redis.exists(keys.requisites_held(USER)) == 0
    assert await saved.take_held(USER) == []


async def test_held_details_copied_to_another_customer_are_not_theirs(
    saved: SavedRequisites, redis: Redis, keys: RedisKeys
) -> None:
    await saved.hold_for_consent(USER, [SavedDetail("account2@5", CARD, "Into account")])
    held = await redis.get(keys.requisites_held(USER))
    assert held is not None
    await redis.set(keys.requisites_held(OTHER_USER), held)

    assert await saved.take_held(OTHER_USER) == []


async def test_nothing_is_held_without_a_data_key(redis: Redis, keys: RedisKeys) -> None:
    saved = SavedRequisites(redis, keys, None)
    await saved.hold_for_consent(USER, [SavedDetail("account2@5", CARD, "Into account")])
    assert await redis.exists(keys.requisites_held(USER)) == 0
    assert await saved.take_held(USER) == []


async def test_a_customer_can_forget_one_value_or_all_of_them(saved: SavedRequisites) -> None:
    await saved.set_consent(USER, True)
    await saved.remember(USER, "account2", CARD)
    await saved.remember(USER, "wallet", WALLET)
    await saved.forget(USER, "account2")
    assert await saved.list(USER) == {"wallet": WALLET}
    await saved.forget_all(USER)
    assert await saved.list(USER) == {}
    assert await saved.consent(USER) is True


async def test_a_customer_may_keep_fifty_fields_and_still_change_them(
    saved: SavedRequisites,
) -> None:
    await saved.set_consent(USER, True)
    for number in range(MAX_FIELDS_PER_USER):
        assert await saved.remember(USER, f"field{number}", f"value {number}")
    assert not await saved.remember(USER, "one-too-many", "value")
    assert await saved.remember(USER, "field0", "changed value")
    assert await saved.recall(USER, "field0") == "changed value"
    assert len(await saved.list(USER)) == MAX_FIELDS_PER_USER


async def test_an_overlong_value_is_not_remembered(saved: SavedRequisites) -> None:
    await saved.set_consent(USER, True)
    assert not await saved.remember(USER, "comment", "x" * (MAX_VALUE_CHARS + 1))
    assert await saved.remember(USER, "comment", "x" * MAX_VALUE_CHARS)


async def test_saved_values_and_the_consent_expire_after_a_year_without_use(
    redis: Redis, keys: RedisKeys, cipher: DataCipher
) -> None:
    saved = SavedRequisites(redis, keys, cipher, ttl=timedelta(days=365))
    await saved.set_consent(USER, True)
    await saved.remember(USER, "account2", CARD)
    year_ms = 365 * 86400 * 1000
    assert year_ms - 5000 < await redis.pttl(keys.requisites(USER)) <= year_ms
    assert year_ms - 5000 < await redis.pttl(keys.requisites_consent(USER)) <= year_ms


async def test_demo_modes_in_process_store_remembers_the_same_way(
    keys: RedisKeys, cipher: DataCipher
) -> None:
    saved = SavedRequisites(FakeAsyncRedis(), keys, cipher)
    assert not await saved.remember(USER, "account2", CARD)
    await saved.set_consent(USER, True)
    assert await saved.remember(USER, "account2", CARD)
    assert await saved.recall(USER, "account2") == CARD


# Masking for display


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("4276 3800 1234 5678", "4276 •••• 5678"),
        ("4276380012345678", "4276 •••• 5678"),
        ("4276-3800-1234-5678-123", "4276 •••• 8123"),
        ("john.smith@example.com", "j•••@example.com"),
        ("+7 916 123-45-67", "+7•••••••67"),
        ("+79161234567", "+7•••••••67"),
        ("89161234567", "8•••••••67"),
        (WALLET, "TQn9Y2…bLSE"),
        ("40817810099910004312", "408178…4312"),
        ("Ivan Ivanov", "I•••v"),
        ("1234", "••••"),
        ("", "••••"),
    ],
)
def test_personal_values_are_shown_partly_hidden(value: str, shown: str) -> None:
    assert mask_value(value) == shown
