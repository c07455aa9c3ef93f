"""The customer's data at rest: what they type is never in Redis as plain text, is gone once the
bid exists, belongs to them alone, and survives a rotation of DATA_KEY (README "Rotating
DATA_KEY")."""

from __future__ import annotations

import logging

import pytest
from redis.asyncio import Redis

from bot.sandbox import RunningSandbox
from bot.storage.keys import RedisKeys
from bot.storage.requisites import HOLD_FOR_CONSENT
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import DATA_KEY, running_bot
from tests.e2e.steps import (
    CARD,
    CARDHOLDER,
    EMAIL,
    TRON_ADDRESS,
    answer_with_saved_details,
    confirm,
    give_rub,
    greet,
    open_sber_to_usdt,
    save_details,
)
from tests.e2e.stored import everything_under, plain_values_in
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedUser

NEW_DATA_KEY = "WdtHdKLTFzJeYKmBSvWsHLOajiVleuzzDAcV4-W67nk"


def draft_key(prefix: str, user: SimulatedUser) -> str:
    """Where aiogram keeps the conversation's data of a private chat."""
    return f"{prefix}:fsm:{user.id}:{user.id}:default:data"


async def fill_up_to_the_card(user: SimulatedUser) -> None:
    await open_sber_to_usdt(user)
    await give_rub(user)
    await user.wait_for_message("E-mail")
    await user.send(EMAIL)
    await user.wait_for_message("Bank")
    await user.click("Sber")
    await user.wait_for_message("Telegram")
    await user.click("Skip")
    await user.wait_for_message("From account")


@pytest.mark.parametrize("data_key", ["", DATA_KEY], ids=["generated key", "DATA_KEY"])
async def test_customers_card_is_never_in_redis_in_plain_text_and_the_draft_goes_with_the_bid(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    make_settings: SettingsFactory,
    redis: Redis,
    redis_prefix: str,
    data_key: str,
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(DATA_KEY=data_key)):
        await greet(alice)
        await fill_up_to_the_card(alice)
        await alice.send(CARD)
        await alice.wait_for_message("Cardholder name")

        assert await redis.exists(draft_key(redis_prefix, alice))
        assert plain_values_in(await everything_under(redis, redis_prefix)) == []

        await alice.send(CARDHOLDER)
        await alice.wait_for_message("Into account")
        await alice.send(TRON_ADDRESS)
        await alice.wait_for_message("Check your exchange")
        assert plain_values_in(await everything_under(redis, redis_prefix)) == []

        await confirm(alice)
        if data_key:
            await alice.wait_for_message("Remember your details for next time?")

        assert plain_values_in(await everything_under(redis, redis_prefix)) == []
        conversation = [key async for key in redis.scan_iter(match=f"{redis_prefix}:fsm:*")]
        assert not [key for key in conversation if not key.endswith(b":lock")]
        held = RedisKeys(redis_prefix).requisites_held(alice.id)
        if data_key:
            # Only the details the question is about, sealed, and only for a short while.
            assert 0 < await redis.pttl(held) <= HOLD_FOR_CONSENT.total_seconds() * 1000
            await alice.click("No, thanks")
            await alice.wait_for_message("Fine, I will not remember your details.")
        assert not await redis.exists(held)
        assert plain_values_in(await everything_under(redis, redis_prefix)) == []


async def test_a_saved_card_copied_into_another_customers_details_is_not_shown_to_them(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    make_settings: SettingsFactory,
    redis: Redis,
    redis_prefix: str,
) -> None:
    alice = fake_telegram.user("Alice")
    bob = fake_telegram.user("Bob")
    keys = RedisKeys(redis_prefix)
    async with running_bot(make_settings(DATA_KEY=DATA_KEY)):
        await save_details(alice)
        for slot, sealed in (await redis.hgetall(keys.requisites(alice.id))).items():  # type: ignore[misc]
            await redis.hset(keys.requisites(bob.id), slot, sealed)  # type: ignore[misc]
        await greet(bob)

        await bob.press("🔐 Saved details")

        listing = await bob.wait_for_message("You have no saved details.")
        assert "4111" not in listing.body and "example.com" not in listing.body
        await alice.press("🔐 Saved details")
        assert "4111 •••• 1111" in (await alice.wait_for_message("Saved details")).body


async def test_details_saved_under_the_old_key_are_still_offered_after_a_rotation(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    make_settings: SettingsFactory,
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(DATA_KEY=DATA_KEY)):
        await save_details(alice)

    async with running_bot(make_settings(DATA_KEY=f"{NEW_DATA_KEY},{DATA_KEY}")):
        await alice.press("🔐 Saved details")
        assert "4111 •••• 1111" in (await alice.wait_for_message("Saved details")).body
        await open_sber_to_usdt(alice)
        await give_rub(alice)
        await answer_with_saved_details(alice)
        await confirm(alice)  # used again, so saved again: under the new key

    async with running_bot(make_settings(DATA_KEY=NEW_DATA_KEY)):
        await alice.press("🔐 Saved details")
        listing = await alice.wait_for_message("Saved details")

    assert "4111 •••• 1111" in listing.body
    assert "a•••@example.com" in listing.body
    assert "TR7NHq…Lj6t" in listing.body


@pytest.mark.parametrize("cause", ["DATA_KEY replaced", "data damaged"])
async def test_a_conversation_whose_data_cannot_be_read_starts_over_without_an_error(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    make_settings: SettingsFactory,
    redis: Redis,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
    cause: str,
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(DATA_KEY=DATA_KEY)):
        await greet(alice)
        await fill_up_to_the_card(alice)
    if cause == "data damaged":
        await redis.set(draft_key(redis_prefix, alice), b'{"draft": "not sealed"}', keepttl=True)
    restarted_key = NEW_DATA_KEY if cause == "DATA_KEY replaced" else DATA_KEY
    caplog.clear()

    with caplog.at_level(logging.WARNING):
        async with running_bot(make_settings(DATA_KEY=restarted_key)):
            await alice.send(CARD)
            await alice.wait_for_message("Sorry, I did not understand that.")
            assert "New exchange" in " ".join(alice.reply_keyboard())
            await open_sber_to_usdt(alice)
            await give_rub(alice)
            await alice.wait_for_message("E-mail")

    assert "Something went wrong" not in alice.transcript()
    dropped = [r for r in caplog.records if "could not be read" in r.getMessage()]
    assert len(dropped) == 1
    assert "4111" not in caplog.text and EMAIL not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
