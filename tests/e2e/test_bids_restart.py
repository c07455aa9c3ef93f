"""A bot restarted in the middle of a form: the draft lives in Redis, so the customer goes on
typing where they were (DESIGN.md §5, §8)."""

from __future__ import annotations

import asyncio

from bot.sandbox import RunningSandbox
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import (
    CARD,
    CARD_DIGITS,
    CARDHOLDER,
    EMAIL,
    TRON_ADDRESS,
    confirm,
    exchanger_bid,
    give_rub,
    greet,
    open_sber_to_usdt,
)
from tests.fake_telegram import FakeTelegram


async def test_customer_keeps_typing_after_a_restart_and_the_exchange_completes(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    settings = make_settings()
    async with running_bot(settings):
        await greet(alice)
        await open_sber_to_usdt(alice)
        await give_rub(alice, "8000")
        await alice.wait_for_message("E-mail")
        await alice.send(EMAIL)
        await alice.wait_for_message("Bank")
        await alice.click("Sber")
        await alice.wait_for_message("Telegram")
        await alice.click("Skip")
        await alice.wait_for_message("From account")

    async with running_bot(settings):
        await alice.send(CARD)

        await alice.wait_for_message("Cardholder name")
        await alice.send(CARDHOLDER)
        await alice.wait_for_message("Into account")
        await alice.send(TRON_ADDRESS)
        summary = await alice.wait_for_message("Check your exchange")
        assert "8000 RUB" in summary.body
        bid_id = await confirm(alice)

    bid = exchanger_bid(sandbox, bid_id)
    assert bid["amount_give"] == "8000.00"
    assert bid["values"] == {
        "account1": CARD_DIGITS,
        "account2": TRON_ADDRESS,
        "cfgive8": CARDHOLDER,
        "cf6": EMAIL,
        "cf12": "1",
    }


async def test_a_button_pressed_after_a_restart_still_works(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    settings = make_settings()
    async with running_bot(settings):
        await greet(alice)
        await open_sber_to_usdt(alice)
        await give_rub(alice)
        await alice.wait_for_message("E-mail")
        await alice.send(EMAIL)
        await alice.wait_for_message("Bank")

    async with running_bot(settings):
        answer = await alice.click("T-Bank")

        assert answer.text is None
        await alice.wait_for_message("Telegram")


async def test_stopping_the_bot_lets_the_answer_it_is_handling_finish_first(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    settings = make_settings()
    async with running_bot(settings):
        await greet(alice)
        await open_sber_to_usdt(alice)
        await alice.click("I give RUB")
        await alice.wait_for_message("Discount coupon code")
        await alice.click("Skip")
        await alice.wait_for_message("How much RUB do you give?")
        sandbox.state.add_fault("hang", method="get_calc", seconds=1.0)
        await alice.send("5000")
        await asyncio.sleep(0.3)  # the bot has the amount and waits for the exchanger's quote

    assert "E-mail" in alice.last_message.body
    async with running_bot(settings):
        await alice.send(EMAIL)

        await alice.wait_for_message("Bank", timeout=2)
    assert not any("went wrong" in message.body for message in alice.bot_messages)
