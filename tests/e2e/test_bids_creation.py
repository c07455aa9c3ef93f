"""Creating a bid: the exchanger says no to one value, Confirm pressed twice, create_bid times out.

A bid is created at most once per confirmation (DESIGN.md §4), and whatever the exchanger
refuses is fixed in place: only the refused value is asked again (facts §4.7, §14.6).
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.conftest import SettingsFactory
from tests.e2e.harness import running_bot
from tests.e2e.steps import (
    CARD,
    CARD_19_DIGITS,
    CARD_DIGITS,
    CARDHOLDER,
    EMAIL,
    SBER_TO_USDT,
    TRON_ADDRESS,
    Details,
    answer_of,
    bid_id_of,
    confirm,
    exchanger_bid,
    exchanger_bids,
    fill_sber_to_usdt,
    greet,
    wait_for_card,
)
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.errors import JsonDict


async def test_card_number_the_exchanger_refuses_is_asked_again_alone_and_the_bid_is_created(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await fill_sber_to_usdt(alice, Details(card=CARD_19_DIGITS))

    await alice.click("✅ Confirm")

    prompt = await alice.wait_for_message("invalid account number")
    assert "From account: invalid account number" in prompt.body
    assert "From account (required)" in prompt.body
    assert exchanger_bids(sandbox) == []
    await alice.send(CARD)
    back_to_summary = await alice.wait_for_message()
    assert "Check your exchange" in back_to_summary.body
    assert "4111 •••• 1111" in back_to_summary.body
    bid_id = await confirm(alice)
    bid = exchanger_bid(sandbox, bid_id)
    assert bid["values"] == {
        "account1": CARD_DIGITS,
        "account2": TRON_ADDRESS,
        "cfgive8": CARDHOLDER,
        "cf6": EMAIL,
        "cf12": "1",
    }
    assert bid["amount_give"] == "5000.00"


async def test_amount_below_a_minimum_raised_meanwhile_is_explained_and_asked_again(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await fill_sber_to_usdt(alice, Details(amount="5000"))
    direction = sandbox.state.direction(SBER_TO_USDT)
    assert direction is not None
    direction.min_give = Decimal("6000")

    await alice.click("✅ Confirm")

    prompt = await alice.wait_for_message("did not accept the amount")
    assert "The exchanger did not accept the amount: min.: 6000 RUB" in prompt.body
    assert "How much RUB do you give?" in prompt.body
    assert exchanger_bids(sandbox) == []
    await alice.send("7000")
    summary = await alice.wait_for_message()
    assert "Check your exchange" in summary.body
    bid_id = await confirm(alice)
    bid = exchanger_bid(sandbox, bid_id)
    assert bid["amount_give"] == "7000.00"
    assert bid["values"]["account1"] == CARD_DIGITS


def _silent_and_told_to_wait(answers: list[JsonDict]) -> bool:
    """One press (whichever was handled first) starts the creation and is answered silently;
    every other press gets an alert saying the exchange is being created."""
    silent = [answer for answer in answers if answer.get("text") is None]
    alerts = [answer for answer in answers if answer.get("text") is not None]
    return len(silent) == 1 and all(
        answer["show_alert"] and "being created" in answer["text"] for answer in alerts
    )


async def test_confirm_pressed_twice_creates_one_bid(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await fill_sber_to_usdt(alice)
    sandbox.state.set_create_delay(0.5)

    first = alice.click_nowait("✅ Confirm")
    second = alice.click_nowait("✅ Confirm")

    bid_id = await wait_for_card(alice)
    answers = [await answer_of(first), await answer_of(second)]
    assert _silent_and_told_to_wait(answers)
    assert [bid["id"] for bid in exchanger_bids(sandbox)] == [int(bid_id)]
    await alice.expect_no_message(0.7)


async def test_confirm_pressed_three_times_creates_one_bid_and_answers_every_press(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    summary = await fill_sber_to_usdt(alice)
    sandbox.state.set_create_delay(0.5)

    confirm_data = str(alice.button("✅ Confirm")["callback_data"])

    presses = [alice.click_nowait("✅ Confirm") for _ in range(3)]
    await asyncio.sleep(0.1)
    # A client that has not redrawn the message yet still shows the button.
    late = await alice.click_forged(confirm_data, message_id=summary.message_id)

    bid_id = await wait_for_card(alice)
    answers = [await answer_of(query) for query in presses]
    answers.append({"text": late.text, "show_alert": late.show_alert})
    assert _silent_and_told_to_wait(answers)
    assert [bid["id"] for bid in exchanger_bids(sandbox)] == [int(bid_id)]
    assert len(fake_telegram.calls("answerCallbackQuery")) >= 4


async def test_create_bid_timing_out_still_shows_the_bid_it_created(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(EXCHANGER_TIMEOUT=1)):
        await greet(alice)
        await fill_sber_to_usdt(alice)
        sandbox.state.add_fault("hang", method="create_bid", count=1, seconds=2.5)

        await alice.click("✅ Confirm")

        bid_id = await wait_for_card(alice, timeout=6)
        bids = exchanger_bids(sandbox)
        assert [bid["id"] for bid in bids] == [int(bid_id)]
        assert bids[0]["values"]["account1"] == CARD_DIGITS
        card = alice.last_message
        assert "How to make payment" in card.body
        assert "✅ I paid" in card.button_labels()


async def test_create_bid_outcome_unknown_is_checked_again_and_then_shows_the_card(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, make_settings: SettingsFactory
) -> None:
    alice = fake_telegram.user("Alice")
    async with running_bot(make_settings(EXCHANGER_TIMEOUT=1)):
        await greet(alice)
        await fill_sber_to_usdt(alice)
        # The bid stays "auto" (invisible to get_exchanges) for longer than the bot waits.
        sandbox.state.set_create_delay(2.5)

        await alice.click("✅ Confirm")

        unsure = await alice.wait_for_message("cannot tell yet", timeout=6)
        assert "🔄 Check again" in unsure.button_labels()
        assert len(exchanger_bids(sandbox)) == 1
        await asyncio.sleep(2)
        sandbox.state.set_create_delay(0)

        await alice.click("🔄 Check again")

        card = await alice.wait_for_message("Exchange #", timeout=6)
        bids = exchanger_bids(sandbox)
        assert [str(bid["id"]) for bid in bids] == [bid_id_of(card)]
        assert bids[0]["status"] == "new"
