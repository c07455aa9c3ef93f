"""A customer exchanges from start to finish, once for each way the exchanger takes payment:
by hand with "I paid", to a deposit address (with a QR code and a tag), on a payment page, and
with details the exchanger issues later.
"""

from __future__ import annotations

from bot.app import ExchangeBotApp
from bot.sandbox import RunningSandbox
from tests.e2e.customer import (
    CARD,
    EMAIL,
    SUMMARY,
    TRON_ADDRESS,
    XRP_ADDRESS,
    answer_fields,
    confirm,
    enter_amount,
    exchange,
    exchange_usdt_for_details_issued_later,
    go_to_direction,
)
from tests.fake_telegram import FakeTelegram


async def test_customer_pays_rub_by_card_for_usdt_and_tells_the_bot_it_is_paid(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    direction = await go_to_direction(alice, "Sberbank RUB", "Tether TRC20 USDT")
    assert "Sberbank RUB → Tether TRC20 USDT" in direction.body
    assert "Rate: 96.4 RUB = 1 USDT" in direction.body

    await alice.click("I give RUB")
    prompt = await answer_fields(alice, {"coupon": None})
    assert "How much RUB do you give?" in prompt.body
    summary = await answer_fields(
        alice,
        {
            "E-mail": EMAIL,
            "Bank": "Sber",
            "Telegram": None,
            "From account": CARD,
            "Cardholder": "IVAN IVANOV",
            "Into account": TRON_ADDRESS,
        },
        await enter_amount(alice, "5000"),
    )
    assert SUMMARY in summary.body
    assert "You give: 5000 RUB" in summary.body
    assert "Bank: Sber" in summary.body
    assert "4111 •••• 1111" in summary.body
    assert alice.buttons() == ["✅ Confirm", "✏️ Change", "✖️ Cancel"]

    card = await confirm(alice)

    assert "Exchange #1001" in card.body
    assert "Waiting for your payment." in card.body
    assert "Amount to pay: 5000 RUB" in card.body
    assert alice.buttons() == ["✅ I paid", "✖️ Cancel exchange", "🔄 Refresh", "🌐 Exchange page"]
    [bid] = sandbox.state.bids.values()
    assert (bid.direction_id, bid.status) == (44, "new")
    assert bid.values == {
        "account1": "4111111111111111",
        "account2": TRON_ADDRESS,
        "cfgive8": "IVAN IVANOV",
        "cf6": EMAIL,
        "cf12": "1",
    }

    await alice.click("✅ I paid")
    await alice.wait_for_message("Mark exchange #1001 as paid?")
    answer = await alice.click("Yes")

    assert answer.text == "Marked as paid."
    paid = await alice.wait_for_message("Exchange #1001")
    assert "Paid, the exchange is in progress." in paid.body
    assert alice.buttons() == ["🔄 Refresh", "🌐 Exchange page"]
    assert bid.status == "payed"


async def test_customer_pays_xrp_to_an_address_with_a_tag_shown_as_text_and_qr(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    card = await exchange(
        alice,
        "Ripple XRP",
        "Tether TRC20 USDT",
        "I give XRP",
        "100",
        {"E-mail": EMAIL, "From account": XRP_ADDRESS, "Into account": TRON_ADDRESS},
    )

    [bid] = sandbox.state.bids.values()
    assert bid.address is not None and bid.dest_tag
    assert f"Send to: {bid.address}" in card.body
    assert f"Tag (memo): {bid.dest_tag}" in card.body
    assert {bid.address, bid.dest_tag} <= set(card.entity_texts("code"))
    qr = await alice.wait_for_message(where=lambda message: message.photo is not None)
    assert "Payment address for exchange #1001" in qr.body
    assert bid.dest_tag in qr.entity_texts("code")
    assert "✅ I paid" not in alice.buttons(card.message_id)
    payment = alice.button("💳 Go to payment", card.message_id)
    assert str(payment["url"]).startswith("https://sandbox.exchange.test/request-infomerchant")
    assert bid.hash in str(payment["url"])


async def test_customer_pays_rub_on_the_payment_page_of_the_bank(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    card = await exchange(
        alice,
        "T-Bank RUB",
        "Tether TRC20 USDT",
        "I give RUB",
        "3000",
        {
            "E-mail": EMAIL,
            "From account": CARD,
            "Cardholder": "IVAN IVANOV",
            "Into account": TRON_ADDRESS,
        },
    )

    [bid] = sandbox.state.bids.values()
    assert "pay 3000 RUB on the payment page" in card.body
    payment = alice.button("💳 Go to payment", card.message_id)
    assert payment["url"] == f"https://sandbox.exchange.test/pay/tbank/?order={bid.hash}"
    assert "✅ I paid" not in alice.buttons(card.message_id)
    assert "Send to:" not in card.body
    await alice.expect_no_message()
    assert not fake_telegram.calls("sendPhoto")


async def test_customer_is_told_the_details_will_follow_when_the_exchanger_has_none_yet(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")

    card = await exchange_usdt_for_details_issued_later(alice)

    [bid] = sandbox.state.bids.values()
    assert bid.direction_id == 49 and bid.address is None
    assert "The payment details will be issued shortly." in card.body
    assert "contact us" not in card.body
    assert "Send to:" not in card.body
    assert "✅ I paid" not in alice.buttons(card.message_id)
    await alice.expect_no_message()
    assert not fake_telegram.calls("sendPhoto")
