"""The bid card: cancel, a refused "I paid" explained, and refreshing the status.

pay_bid and cancel_bid answer "no bid exists" for a transition they do not allow (facts §4.9),
so the bot explains a refusal from the bid's current status, and buttons appear only for
actions the exchanger will accept (DESIGN.md §5).
"""

from __future__ import annotations

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from bot.views.callbacks import BidAction
from tests.e2e.steps import (
    EMAIL,
    bid_id_of,
    create_sber_to_usdt_bid,
    exchanger_bid,
    greet,
    notifications_settled,
    wait_for_card,
)
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedUser

T_BANK_CARD = "5555 5555 5555 4444"
BTC_ADDRESS = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


async def test_customer_cancels_and_a_later_i_paid_is_explained_from_the_cancelled_status(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    bid_id = await create_sber_to_usdt_bid(alice)
    card = alice.last_message
    assert alice.buttons() == ["✅ I paid", "✖️ Cancel exchange", "🔄 Refresh", "🌐 Exchange page"]
    old_paid_button = str(alice.button("✅ I paid")["callback_data"])

    await alice.click("✖️ Cancel exchange")
    question = await alice.wait_for_message(f"Cancel exchange #{bid_id}?")
    answer = await alice.click("Yes")

    assert answer.text == "The exchange is cancelled."
    cancelled = await alice.wait_for_message("Refusal of payment")
    assert question.message_id == cancelled.message_id == card.message_id
    assert "This exchange is cancelled." in cancelled.body
    assert cancelled.button_labels() == ["🔄 Refresh", "🌐 Exchange page"]
    assert exchanger_bid(sandbox, bid_id)["status"] == "cancel"

    for data in (BidAction(action="pay_yes", bid_id=bid_id).pack(), old_paid_button):
        refused = await alice.click_forged(data, message_id=card.message_id)
        assert refused.show_alert
        assert refused.text == "This exchange is cancelled."
    assert exchanger_bid(sandbox, bid_id)["status"] == "cancel"
    assert "Refusal of payment" in alice.messages[card.message_id].body


async def test_i_paid_marks_the_exchange_paid_on_the_exchanger(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    bid_id = await create_sber_to_usdt_bid(alice)

    await alice.click("✅ I paid")
    await alice.wait_for_message(f"Mark exchange #{bid_id} as paid?")
    answer = await alice.click("Yes")

    assert answer.text == "Marked as paid."
    paid = await alice.wait_for_message("Order is paid")
    assert "Paid, the exchange is in progress." in paid.body
    assert "✅ I paid" not in paid.button_labels()
    assert exchanger_bid(sandbox, bid_id)["status"] == "payed"


async def _create_t_bank_bid(alice: SimulatedUser) -> str:
    """Direction 45, T-Bank RUB → USDT: its payment link merchant confirms payments itself."""
    await alice.press("💱 New exchange")
    await alice.wait_for_message("Choose the currency you give")
    await alice.click("T-Bank RUB")
    await alice.wait_for_message("Choose the currency you get")
    await alice.click("Tether TRC20 USDT")
    await alice.wait_for_message(where=lambda m: "I give RUB" in m.button_labels())
    await alice.click("I give RUB")
    await alice.wait_for_message("How much RUB do you give?")
    await alice.send("5000")
    await alice.wait_for_message("E-mail")
    await alice.send(EMAIL)
    await alice.wait_for_message("From account")
    await alice.send(T_BANK_CARD)
    await alice.wait_for_message("Cardholder name")
    await alice.send("ALICE SMITH")
    await alice.wait_for_message("Into account")
    await alice.send("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    await alice.wait_for_message("Check your exchange")
    await alice.click("✅ Confirm")
    return await wait_for_card(alice)


async def test_a_payment_link_exchange_never_offers_i_paid(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)

    bid_id = await _create_t_bank_bid(alice)

    card = alice.last_message
    assert "✅ I paid" not in card.button_labels()
    bid = exchanger_bid(sandbox, bid_id)
    assert alice.button("💳 Go to payment")["url"] == (
        f"{sandbox.state.config.public_base.rstrip('/')}/pay/tbank/?order={bid['hash']}"
    )
    refused = await alice.click_forged(BidAction(action="pay", bid_id=bid_id).pack())
    assert refused.show_alert
    assert refused.text == (
        "Payment for this exchange is confirmed automatically by the payment system."
    )
    forced = await alice.click_forged(BidAction(action="pay_yes", bid_id=bid_id).pack())
    assert forced.text == refused.text
    assert exchanger_bid(sandbox, bid_id)["status"] == "new"


async def test_refresh_shows_the_status_the_exchanger_moved_the_bid_to(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    bid_id = await create_sber_to_usdt_bid(alice)
    card = alice.last_message
    assert "How to make payment" in card.body
    await notifications_settled(bot_app)
    sandbox.state.set_bid_status(int(bid_id), "realpay")  # no callback: no PUBLIC_URL here

    answer = await alice.click("🔄 Refresh")

    assert answer.text == "Updated."
    refreshed = await alice.wait_for_message("Order is paid")
    assert refreshed.message_id == card.message_id
    assert "Paid, the exchange is in progress." in refreshed.body
    assert refreshed.button_labels() == ["🔄 Refresh", "🌐 Exchange page"]


async def test_refreshing_an_unchanged_card_twice_is_answered_without_a_useless_edit(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await create_sber_to_usdt_bid(alice)
    card = alice.last_message
    edits_before = card.edit_count

    first = await alice.click("🔄 Refresh")
    second = await alice.click("🔄 Refresh")

    assert first.text == second.text == "Updated."
    await alice.expect_no_message(0.2)
    assert alice.messages[card.message_id].edit_count == edits_before
    assert fake_telegram.rejections == []


async def test_a_crypto_deposit_exchange_shows_the_address_and_its_qr_but_no_i_paid(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await greet(alice)
    await alice.press("💱 New exchange")
    await alice.wait_for_message("Choose the currency you give")
    await alice.click("Bitcoin BTC")
    await alice.wait_for_message("Choose the currency you get")
    await alice.click("Tether TRC20 USDT")
    await alice.wait_for_message(where=lambda m: "I give BTC" in m.button_labels())
    await alice.click("I give BTC")
    await alice.wait_for_message("How much BTC do you give?")
    await alice.send("0.01")
    await alice.wait_for_message("E-mail")
    await alice.send(EMAIL)
    await alice.wait_for_message("From account")
    await alice.send(BTC_ADDRESS)
    await alice.wait_for_message("Into account")
    await alice.send("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    await alice.wait_for_message("Check your exchange")
    await alice.click("✅ Confirm")

    card = await alice.wait_for_message("Exchange #")
    bid_id = bid_id_of(card)
    deposit = exchanger_bid(sandbox, bid_id)["address"]
    assert f"Send to: {deposit}" in card.body
    assert "✅ I paid" not in card.button_labels()
    qr = await alice.wait_for_message("Payment address for exchange #" + bid_id)
    assert qr.has_media
    refused = await alice.click_forged(
        BidAction(action="pay", bid_id=bid_id).pack(), message_id=card.message_id
    )
    assert refused.text == (
        "Payment for this exchange is confirmed automatically by the payment system."
    )
