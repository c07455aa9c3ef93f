"""Deep link payloads (bot/services/referrals.py) and the first-touch store
(bot/storage/referrals.py): what a /start payload means, and which partner keeps a customer."""

from __future__ import annotations

import pytest
from redis.asyncio import Redis

from bot.services.referrals import (
    BidPayload,
    PartnerPayload,
    Referrals,
    deep_link,
    parse_payload,
    partner_id_of,
)
from bot.storage.bids import BidRepository
from bot.storage.keys import RedisKeys
from bot.storage.referrals import REFERRAL_TTL, ReferralStore

USER = 4242
HASH = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R"  # 35 characters, like the exchanger's


@pytest.mark.parametrize(
    ("raw", "meaning"),
    [
        ("p15", PartnerPayload("15")),
        ("p1", PartnerPayload("1")),
        ("p" + "9" * 18, PartnerPayload("9" * 18)),
        (f"b{HASH}", BidPayload(HASH)),
        ("bX", BidPayload("X")),
    ],
)
def test_a_well_formed_payload_names_a_partner_or_a_bid(
    raw: str, meaning: PartnerPayload | BidPayload
) -> None:
    assert parse_payload(raw) == meaning


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "p",
        "p0",
        "p015",  # ids have no leading zero: one partner, one payload
        "p-15",
        "p15x",
        "P15",
        "p" + "9" * 19,  # longer than any exchanger id
        "p１５",  # fullwidth digits: \d would take them
        "p15\n",
        " p15",
        "b",
        "b_" + HASH,
        "b" + "a" * 64,  # over Telegram's 64 characters
        "x15",
        "15",
        "p15 b" + HASH,
        "<b>p15</b>",
        "p15%00",
    ],
)
def test_anything_else_means_nothing(raw: str | None) -> None:
    assert parse_payload(raw) is None


def test_an_admin_types_a_partner_id_with_or_without_spaces() -> None:
    assert partner_id_of(" 123 ") == "123"
    assert partner_id_of("0") is None
    assert partner_id_of("p123") is None
    assert partner_id_of("") is None


def test_links_are_made_of_the_bot_username_and_the_payload() -> None:
    assert deep_link("xbot", PartnerPayload("15")) == "https://t.me/xbot?start=p15"
    assert deep_link("xbot", BidPayload(HASH)) == f"https://t.me/xbot?start=b{HASH}"
    assert parse_payload(deep_link("xbot", PartnerPayload("15")).split("=")[1]) == (
        PartnerPayload("15")
    )


def referrals(store: Redis, keys: RedisKeys, default: str | None = "7") -> Referrals:
    return Referrals(
        ReferralStore(store, keys), BidRepository(store, keys), default_partner_id=default
    )


async def test_the_first_partner_link_is_kept_and_later_ones_change_nothing(
    store: Redis, keys: RedisKeys
) -> None:
    links = referrals(store, keys)
    kept = ReferralStore(store, keys)

    await links.arrived(USER, None)
    assert await kept.partner_of(USER) is None, "a plain /start credits nobody"
    await links.arrived(USER, "p15")
    await links.arrived(USER, "p99")
    await links.arrived(USER, "junk")

    assert await kept.partner_of(USER) == "15"
    assert await kept.partner_of(USER + 1) is None


async def test_a_malformed_payload_stores_nothing(store: Redis, keys: RedisKeys) -> None:
    await referrals(store, keys).arrived(USER, "p0")

    assert await store.exists(keys.referrer(USER)) == 0


async def test_the_mark_lives_a_year_after_it_was_last_used(store: Redis, keys: RedisKeys) -> None:
    kept = ReferralStore(store, keys)
    await kept.remember_first(USER, "15")
    await store.expire(keys.referrer(USER), 60)

    assert await kept.partner_of(USER) == "15"

    year = int(REFERRAL_TTL.total_seconds())
    assert year - 60 < await store.ttl(keys.referrer(USER)) <= year


async def test_the_owner_is_the_api_keys_partner_else_the_configured_one(
    store: Redis, keys: RedisKeys
) -> None:
    assert referrals(store, keys).owner_partner_id("15") == "15"
    assert referrals(store, keys).owner_partner_id("0") == "7", "a System key has no partner"
    assert referrals(store, keys).owner_partner_id(None) == "7"
    assert referrals(store, keys, default=None).owner_partner_id(None) is None
