"""Small things a customer notices: "typing…" while the exchanger is slow to create the bid,
"🔄 Refresh" under My exchanges reading the statuses again, and a failure on a button press
told once (a message, not an alert and a message)."""

from __future__ import annotations

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.steps import create_sber_to_usdt_bid, fill_sber_to_usdt, greet, wait_for_card
from tests.fake_telegram import FakeTelegram


async def test_the_customer_sees_typing_while_a_slow_exchanger_creates_the_bid(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await fill_sber_to_usdt(alice)
    sandbox.state.set_create_delay(3.0)

    answer = await alice.click("✅ Confirm")
    assert answer.text is None
    await wait_for_card(alice, timeout=10.0)

    assert "typing" in alice.chat_actions
    assert fake_telegram.rejections == []


async def test_my_exchanges_refresh_shows_a_status_the_bot_was_not_told_of(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    bid_id = await create_sber_to_usdt_bid(alice)
    await alice.press("📋 My exchanges")
    listing = await alice.wait_for_message("Your exchanges (1)")
    assert listing.button_labels()[0].endswith("· ⏳")

    sandbox.state.drop_next_callbacks(1)  # the exchanger's callback never arrives
    sandbox.state.set_bid_status(int(bid_id), "cancel")
    answer = await alice.click("🔄 Refresh", message_id=listing.message_id)

    assert answer.text == "Updated."
    refreshed = await alice.wait_for_message(
        where=lambda m: m.message_id == listing.message_id and "❌" in m.button_labels()[0]
    )
    assert refreshed.button_labels() == [
        f"#{bid_id} · 5000 RUB → 50.86 USDT · ❌",
        "🔄 Refresh",
    ]


async def test_an_exchanger_failure_on_a_button_press_is_told_once(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await create_sber_to_usdt_bid(alice)
    card = alice.last_message
    sandbox.state.add_fault("http502", method="bid_info", count=None)

    answer = await alice.click("🔄 Refresh", message_id=card.message_id)

    assert answer.text is None and not answer.show_alert
    told = await alice.wait_for_message("The exchanger is not answering right now")
    assert "Nothing is lost" in told.body
    await alice.expect_no_message(0.3)
    sandbox.state.clear_faults()
