"""Every kind of question the exchange form asks: a city and a coupon that change the quote
(asked before the amount), typed text checked before it is sent, an optional field skipped, a
yes/no checkbox, and a select whose options come with gaps in their keys.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import ExchangeBotApp
from bot.sandbox import DEMO_COUPON, RunningSandbox
from bot.sandbox import fields as sandbox_fields
from tests.e2e.customer import (
    CARD,
    EMAIL,
    PAYEER_ACCOUNT,
    SUMMARY,
    TRON_ADDRESS,
    answer_fields,
    confirm,
    enter_amount,
    field_label,
    go_to_direction,
)
from tests.fake_telegram import FakeTelegram
from tests.fake_telegram.users import SimulatedUser

PHONE = "+44 20 7946 0958"


async def test_cash_customer_chooses_a_city_first_and_the_city_sets_the_quote_and_limits(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Cash USD", "Tether TRC20 USDT")

    await alice.click("I give USD")
    city = await alice.wait_for_message()
    assert field_label(city) == "Your city"
    assert "Step 1 of 5" in city.body
    assert alice.buttons() == ["Moscow", "Saint Petersburg", "Dubai", "« Back", "✖️ Cancel"]
    await alice.click("Dubai")
    prompt = await alice.wait_for_message("How much USD do you give?")
    assert "from 5000 USD" in prompt.body  # the city's own limits, not the direction's default

    refused = await enter_amount(alice, "1000")
    assert "The minimum is 5000 USD: add 4000 USD." in refused.body
    phone = await answer_fields(
        alice, {"First name": "Ivan", "Phone": "call me at noon"}, await enter_amount(alice, "6000")
    )
    assert field_label(phone) == "Phone"
    assert "That does not look like a phone number." in phone.body
    summary = await answer_fields(
        alice, {"Phone": PHONE, "Comment": None, "Into account": TRON_ADDRESS}, phone
    )
    assert SUMMARY in summary.body, alice.transcript()
    assert "Your city: Dubai" in summary.body
    assert "You get: 5933.64 USDT" in summary.body
    assert "Comment" not in summary.body

    await alice.click("✏️ Change")
    await alice.wait_for_message("What would you like to change?")
    await alice.click("Your city")
    await alice.wait_for_message("Your city")
    await alice.click("Moscow")
    await alice.wait_for_message("How much USD do you give?")
    summary = await enter_amount(alice, "6000")
    assert SUMMARY in summary.body, alice.transcript()
    assert "Your city: Moscow" in summary.body
    assert "You get: 5910 USDT" in summary.body

    await confirm(alice)
    [bid] = sandbox.state.bids.values()
    assert bid.values == {
        "city": "MSK",
        "cf1": "Ivan",
        "cf4": "+442079460958",
        "account2": TRON_ADDRESS,
    }


@pytest.mark.parametrize(
    ("answer", "sent"),
    [("Yes", {"check_purse1": "1"}), ("No", {})],
    ids=["confirmed", "left-unticked"],
)
async def test_payeer_customer_answers_the_wallet_check_with_yes_or_no(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    bot_app: ExchangeBotApp,
    answer: str,
    sent: dict[str, str],
) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Payeer USD", "Tether TRC20 USDT")
    await alice.click("I give USD")
    check = await alice.wait_for_message()
    assert "e-wallet has valid status" in check.body
    assert "(optional)" in check.body
    assert "check_purse" not in check.body  # the field has no label; its name is no title
    assert alice.buttons() == ["Yes", "No", "« Back", "✖️ Cancel"]

    await alice.click(answer)
    await alice.wait_for_message("How much USD do you give?")
    summary = await answer_fields(
        alice,
        {"E-mail": EMAIL, "From account": PAYEER_ACCOUNT, "Into account": TRON_ADDRESS},
        await enter_amount(alice, "100"),
    )
    assert SUMMARY in summary.body, alice.transcript()
    assert "check_purse" not in summary.body
    assert ("e-wallet has valid status: Yes" in summary.body) == (answer == "Yes")
    await confirm(alice)

    [bid] = sandbox.state.bids.values()
    assert bid.values == {
        "cf6": EMAIL,
        "account1": PAYEER_ACCOUNT,
        "account2": TRON_ADDRESS,
        **sent,
    }


async def test_a_required_checkbox_cannot_be_answered_no(
    fake_telegram: FakeTelegram,
    sandbox: RunningSandbox,
    bot_app: ExchangeBotApp,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = sandbox_fields._wallet_check

    def required_wallet_check(name: str, lang: Any) -> dict[str, Any]:
        return {**plain(name, lang), "req": 1}

    monkeypatch.setattr(sandbox_fields, "_wallet_check", required_wallet_check)
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Payeer USD", "Tether TRC20 USDT")
    await alice.click("I give USD")
    check = await alice.wait_for_message()
    assert "(required)" in check.body

    refusal = await alice.click("No")

    assert refusal.show_alert
    assert refusal.text == "This must be confirmed to go on."
    await alice.expect_no_message()
    await alice.click("Yes")
    await alice.wait_for_message("How much USD do you give?")


async def test_select_with_gaps_in_its_option_keys_sends_the_key_of_the_chosen_option(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    alice = fake_telegram.user("Alice")
    await go_to_direction(alice, "Monobank UAH", "Tether TRC20 USDT")
    await alice.click("I give UAH")
    await alice.wait_for_message("How much UAH do you give?")
    source = await answer_fields(alice, {"E-mail": EMAIL}, await enter_amount(alice, "5000"))
    assert field_label(source) == "Source of funds"
    assert "Required by the AML policy" in source.body
    assert alice.buttons() == ["Salary", "Savings", "Business income", "« Back", "✖️ Cancel"]

    summary = await answer_fields(
        alice,
        {"Source of funds": "Savings", "From account": CARD, "Into account": TRON_ADDRESS},
        source,
    )

    assert SUMMARY in summary.body, alice.transcript()
    assert "Source of funds: Savings" in summary.body
    await confirm(alice)
    [bid] = sandbox.state.bids.values()
    assert bid.values["cf14"] == "3"


async def _sberbank_summary_with_coupon(user: SimulatedUser, coupon: str | None) -> str:
    await go_to_direction(user, "Sberbank RUB", "Tether TRC20 USDT")
    await user.click("I give RUB")
    prompt = await answer_fields(user, {"Discount coupon": coupon})
    assert "How much RUB do you give?" in prompt.body, user.transcript()
    summary = await answer_fields(
        user,
        {
            "E-mail": EMAIL,
            "Bank": "T-Bank",
            "Telegram": "@alice",
            "From account": CARD,
            "Cardholder": "IVAN IVANOV",
            "Into account": TRON_ADDRESS,
        },
        await enter_amount(user, "5000"),
    )
    assert SUMMARY in summary.body, user.transcript()
    return summary.body


async def test_demo_coupon_is_asked_before_the_amount_and_improves_the_quote(
    fake_telegram: FakeTelegram, sandbox: RunningSandbox, bot_app: ExchangeBotApp
) -> None:
    without = await _sberbank_summary_with_coupon(fake_telegram.user("Bob"), None)
    alice = fake_telegram.user("Alice")

    with_coupon = await _sberbank_summary_with_coupon(alice, DEMO_COUPON)

    assert "You get: 51.86 USDT (after fees 50.86 USDT)" in without
    assert "You get: 52.38 USDT (after fees 51.38 USDT)" in with_coupon
    await confirm(alice)
    [bid] = sandbox.state.bids.values()
    assert bid.values["coupon_code"] == DEMO_COUPON
    assert bid.values["cf12"] == "2"
    assert bid.values["cf11"] == "@alice"
